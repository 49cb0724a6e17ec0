//! Saved siting scenarios (the `plan` table, kind 'sites'): the options as
//! inputs, the whole report as outputs, so a saved run reopens as it was
//! even after areas or candidates are re-imported.

use super::instance::{Objective, SitingOptions};
use super::report::SitingReport;
use crate::error::{Error, Result};
use crate::store::now_timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// One saved scenario, reduced to the figures compared side by side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioSummary {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub k: usize,
    pub radius_km: f64,
    pub objective: Objective,
    pub capacity_days: Option<f64>,
    pub covered_before: f64,
    pub covered_after: f64,
    pub weighted_total: f64,
    pub mean_distance_km_before: Option<f64>,
    pub mean_distance_km_after: Option<f64>,
    /// Chosen site codes, in order of choice.
    pub chosen: Vec<String>,
}

/// A saved scenario in full.
#[derive(Debug, Clone, Serialize)]
pub struct SavedScenario {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub options: SitingOptions,
    pub report: SitingReport,
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Internal(format!("saved siting scenario is not valid JSON: {e}"))
}

/// Saves a run under `name`; returns its id.
pub fn save(
    conn: &Connection,
    name: &str,
    options: &SitingOptions,
    report: &SitingReport,
) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::InvalidInput("a scenario needs a name".into()));
    }
    let now = now_timestamp();
    crate::store::plan::insert(
        conn,
        crate::store::plan::Kind::Sites,
        name,
        &serde_json::to_string(options).map_err(json_err)?,
        &serde_json::to_string(report).map_err(json_err)?,
        &now,
    )
}

/// The saved scenario `id`.
pub fn load(conn: &Connection, id: i64) -> Result<SavedScenario> {
    let (name, created_at, inputs, outputs) = conn
        .query_row(
            "SELECT name, created_at, inputs, outputs FROM plan WHERE id = ?1 AND kind = 'sites'",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no saved siting scenario {id}")))?;
    Ok(SavedScenario {
        id,
        name,
        created_at,
        options: serde_json::from_str(&inputs).map_err(json_err)?,
        report: serde_json::from_str(&outputs).map_err(json_err)?,
    })
}

fn summary(saved: SavedScenario) -> ScenarioSummary {
    let r = saved.report;
    ScenarioSummary {
        id: saved.id,
        name: saved.name,
        created_at: saved.created_at,
        k: r.k,
        radius_km: r.radius_km,
        objective: r.objective,
        capacity_days: r.capacity_days,
        covered_before: r.covered_before,
        covered_after: r.covered_after,
        weighted_total: r.weighted_total,
        mean_distance_km_before: r.mean_distance_km_before,
        mean_distance_km_after: r.mean_distance_km_after,
        chosen: r.chosen.into_iter().map(|c| c.site_code).collect(),
    }
}

/// Every saved siting scenario, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ScenarioSummary>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM plan WHERE kind = 'sites' ORDER BY id DESC")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    compare(conn, &ids)
}

/// The given scenarios side by side, in the order asked.
pub fn compare(conn: &Connection, ids: &[i64]) -> Result<Vec<ScenarioSummary>> {
    ids.iter().map(|&id| Ok(summary(load(conn, id)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siting::{plan, random_input};

    fn run(k: usize, radius_km: f64, objective: Objective) -> (SitingOptions, SitingReport) {
        let input = random_input(3, 30, 8, 2, 15.0);
        let options = SitingOptions::new(k, radius_km, objective);
        let report = plan(&input, &options).expect("plan");
        (options, report)
    }

    #[test]
    fn saves_lists_loads_and_compares() {
        let conn = crate::store::open_in_memory().expect("open");
        let (o1, r1) = run(2, 2.0, Objective::Coverage);
        let (o2, r2) = run(3, 3.0, Objective::Distance);
        let a = save(&conn, "two at 2 km", &o1, &r1).expect("save");
        let b = save(&conn, " three by distance ", &o2, &r2).expect("save");

        let listed = list(&conn).expect("list");
        assert_eq!(
            listed.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![b, a],
            "newest first"
        );
        assert_eq!(listed[0].name, "three by distance");

        let loaded = load(&conn, a).expect("load");
        assert_eq!(loaded.options, o1);
        assert_eq!(loaded.report.chosen.len(), 2);
        assert_eq!(loaded.report.areas.len(), r1.areas.len());

        let side = compare(&conn, &[a, b]).expect("compare");
        assert_eq!((side[0].k, side[1].k), (2, 3));
        assert_eq!(side[1].objective, Objective::Distance);
        assert_eq!(side[0].covered_after, r1.covered_after);
        assert_eq!(side[1].mean_distance_km_after, r2.mean_distance_km_after);
        let codes: Vec<String> = r2.chosen.iter().map(|c| c.site_code.clone()).collect();
        assert_eq!(side[1].chosen, codes);
    }

    #[test]
    fn refuses_blank_names_and_unknown_ids() {
        let conn = crate::store::open_in_memory().expect("open");
        let (o, r) = run(1, 2.0, Objective::Coverage);
        assert_eq!(
            save(&conn, "  ", &o, &r).expect_err("blank").code(),
            "invalid_input"
        );
        assert_eq!(load(&conn, 99).expect_err("none").code(), "not_found");
        // A shift plan's id is not a siting scenario.
        let shift_plan = crate::store::plan::insert(
            &conn,
            crate::store::plan::Kind::Shifts,
            "x",
            "{}",
            "{}",
            "t",
        )
        .expect("shift plan");
        assert_eq!(
            compare(&conn, &[shift_plan]).expect_err("kind").code(),
            "not_found"
        );
        assert!(list(&conn).expect("list").is_empty());
    }
}
