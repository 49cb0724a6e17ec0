//! Siting inputs from the store: areas, open sites with coordinates and
//! candidates.

use super::instance::{AreaInput, PointInput, SitingInput, SitingOptions};
use super::report::SitingReport;
use crate::error::{Error, Result};
use crate::job::Progress;
use rusqlite::Connection;

pub fn load_input(conn: &Connection) -> Result<SitingInput> {
    let mut stmt = conn.prepare(
        "SELECT area_id, name, lat, lon, population, COALESCE(eligible, population) AS eligible, weight
         FROM area ORDER BY area_id",
    )?;
    let areas = stmt
        .query_map([], |r| {
            Ok(AreaInput {
                area_id: r.get("area_id")?,
                name: r.get("name")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
                population: r.get("population")?,
                eligible: r.get::<_, i64>("eligible")? as f64,
                weight: r.get("weight")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Open sites without coordinates cannot be placed, so they do not count;
    // nor does a temporary clinic, opened for an incident's days: siting
    // plans where people are served for good, and it will have closed.
    let mut stmt = conn.prepare(
        "SELECT code, name, kind, lat, lon, capacity_per_day, status
         FROM site WHERE lat IS NOT NULL AND lon IS NOT NULL AND kind <> 'temporary_clinic'
         ORDER BY status DESC, code",
    )?;
    let points = stmt
        .query_map([], |r| {
            Ok(PointInput {
                site_code: r.get("code")?,
                name: r.get("name")?,
                kind: r.get("kind")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
                capacity_per_day: r
                    .get::<_, Option<i64>>("capacity_per_day")?
                    .map(|c| c as f64),
                open: r.get::<_, String>("status")? == "open",
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(SitingInput { areas, points })
}

/// Loads the store's areas and sites and plans (`super::plan_watched`).
pub fn plan_from_db(
    conn: &Connection,
    options: &SitingOptions,
    progress: &dyn Progress,
) -> Result<SitingReport> {
    let input = load_input(conn)?;
    if !input.points.iter().any(|p| !p.open) {
        return Err(Error::InvalidInput(
            "no candidate sites with coordinates: import candidates.csv first".into(),
        ));
    }
    super::plan_watched(&input, options, progress)
}
