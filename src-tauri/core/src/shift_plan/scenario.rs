//! Saved shift plans (the `plan` table, kind 'shifts'): save, list, compare,
//! apply as real shifts in one transaction, and undo. The ids of the shifts
//! an apply created are kept in the plan's outputs (`applied_shift_ids`),
//! so undo removes exactly those and nothing else; shifts it gave more
//! vaccinators keep their former staffing there (`reinforced_shifts`) and
//! get it back.

use super::{ShiftKind, ShiftPlan, ShiftPlanRequest};
use crate::capacity::{reinforced_capacity, shift_capacity};
use crate::error::{Error, Result};
use crate::store::appointment::active;
use crate::store::shift::{ShiftRow, Source, Staffing};
use crate::store::{self, now_timestamp};
use crate::time::{day_start_minute, parse_date, parse_hhmm};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// One saved scenario, reduced to the figures compared side by side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioSummary {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub to: String,
    pub created_at: String,
    pub applied_at: Option<String>,
    pub shifts_added: usize,
    pub added_capacity: i64,
    pub staff_hours: f64,
    pub doses_planned: i64,
    pub unmet_demand: i64,
    pub binding: Vec<String>,
}

fn json_err(e: serde_json::Error) -> Error {
    Error::Internal(format!("saved plan is not valid JSON: {e}"))
}

pub fn save(
    conn: &Connection,
    name: &str,
    req: &ShiftPlanRequest,
    plan: &ShiftPlan,
) -> Result<i64> {
    let now = now_timestamp();
    store::plan::insert(
        conn,
        store::plan::Kind::Shifts,
        name,
        &serde_json::to_string(req).map_err(json_err)?,
        &serde_json::to_string(plan).map_err(json_err)?,
        &now,
    )
}

struct Row {
    name: String,
    outputs: String,
    created_at: String,
    applied_at: Option<String>,
}

fn read(conn: &Connection, id: i64) -> Result<Row> {
    conn.query_row(
        "SELECT name, outputs, created_at, applied_at FROM plan WHERE id = ?1 AND kind = 'shifts'",
        [id],
        |r| {
            Ok(Row {
                name: r.get(0)?,
                outputs: r.get(1)?,
                created_at: r.get(2)?,
                applied_at: r.get(3)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("no saved shift plan {id}")))
}

fn summary(id: i64, row: &Row) -> Result<ScenarioSummary> {
    let plan: ShiftPlan = serde_json::from_str(&row.outputs).map_err(json_err)?;
    Ok(ScenarioSummary {
        id,
        name: row.name.clone(),
        from: plan.from,
        to: plan.to,
        created_at: row.created_at.clone(),
        applied_at: row.applied_at.clone(),
        shifts_added: plan.extra_shifts.len(),
        added_capacity: plan.added_capacity,
        staff_hours: plan.totals.staff_hours,
        doses_planned: plan.totals.doses_planned,
        unmet_demand: plan.unmet_demand,
        binding: plan.binding,
    })
}

/// Every saved shift plan, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ScenarioSummary>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM plan WHERE kind = 'shifts' ORDER BY id DESC")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    compare(conn, &ids)
}

/// The named scenarios side by side, in the order asked.
pub fn compare(conn: &Connection, ids: &[i64]) -> Result<Vec<ScenarioSummary>> {
    ids.iter()
        .map(|id| summary(*id, &read(conn, *id)?))
        .collect()
}

/// The saved plan itself.
pub fn load(conn: &Connection, id: i64) -> Result<ShiftPlan> {
    serde_json::from_str(&read(conn, id)?.outputs).map_err(json_err)
}

/// Creates the plan's extra shifts (source 'plan') in one IMMEDIATE
/// transaction and records their ids. Returns the new shift ids.
pub fn apply(conn: &mut Connection, id: i64) -> Result<Vec<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = read(&tx, id)?;
    if row.applied_at.is_some() {
        return Err(Error::Conflict(format!(
            "shift plan {id} is already applied"
        )));
    }
    let mut outputs: serde_json::Value = serde_json::from_str(&row.outputs).map_err(json_err)?;
    let plan: ShiftPlan = serde_json::from_value(outputs.clone()).map_err(json_err)?;
    let now = now_timestamp();
    let mut created = Vec::new();
    // The staffing each reinforced shift had, for undo.
    let mut reinforced: Vec<Staffing> = Vec::new();
    for s in &plan.extra_shifts {
        let site = store::site::by_code(&tx, &s.site_code)?;
        if s.kind == ShiftKind::MoreVaccinators {
            let Some(before) = store::shift::staffing_at(&tx, site.id, &s.date, &s.start)? else {
                return Err(Error::Conflict(format!(
                    "{} no longer has a shift on {} at {}; nothing was applied",
                    s.site_code, s.date, s.start
                )));
            };
            let added = i64::from(s.vaccinators);
            let after = Staffing {
                vaccinators: before.vaccinators + added,
                capacity: reinforced_capacity(before.capacity, before.vaccinators, added),
                ..before
            };
            store::shift::set_staffing(&tx, &after, &now)?;
            reinforced.push(before);
            continue;
        }
        let (site_id, minutes_per_dose) = (site.id, site.minutes_per_dose);
        let minutes = match (parse_hhmm(&s.start), parse_hhmm(&s.end)) {
            (Some(a), Some(b)) if b > a => i64::from(b - a),
            _ => {
                return Err(Error::InvalidInput(format!(
                    "bad shift times {}–{}",
                    s.start, s.end
                )))
            }
        };
        // Explicit capacity only when the site's measured rate differs from
        // what minutes_per_dose would give.
        let nominal = shift_capacity(i64::from(s.vaccinators), minutes, minutes_per_dose, None);
        let capacity = (nominal != s.capacity).then_some(s.capacity);
        let shift = ShiftRow {
            site_id,
            date: s.date.clone(),
            start: s.start.clone(),
            end: s.end.clone(),
            vaccinators: i64::from(s.vaccinators),
            capacity,
        };
        let Some(id) = store::shift::insert_new(&tx, &shift, Source::Plan, &now)? else {
            return Err(Error::Conflict(format!(
                "{} already has a shift on {} at {}; nothing was applied",
                s.site_code, s.date, s.start
            )));
        };
        created.push(id);
    }
    outputs["applied_shift_ids"] = serde_json::json!(created);
    outputs["reinforced_shifts"] = serde_json::json!(reinforced);
    store::plan::set_outputs(&tx, id, &outputs.to_string(), Some(&now), &now)?;
    crate::audit::record(
        &tx,
        "plan_apply",
        &format!("shift plan {id}"),
        serde_json::json!({ "shifts_created": created }),
    )?;
    tx.commit()?;
    Ok(created)
}

/// Removes the shifts an apply created, in one IMMEDIATE transaction.
/// Refused while an active booking sits in one of them with no other shift
/// covering it: undoing would strand that person.
pub fn undo(conn: &mut Connection, id: i64) -> Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = read(&tx, id)?;
    if row.applied_at.is_none() {
        return Err(Error::Conflict(format!("shift plan {id} is not applied")));
    }
    let mut outputs: serde_json::Value = serde_json::from_str(&row.outputs).map_err(json_err)?;
    let ids: Vec<i64> = outputs
        .get("applied_shift_ids")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let stranded = stranded_bookings(&tx, &ids)?;
    if stranded > 0 {
        return Err(Error::Conflict(format!(
            "{stranded} active bookings fall in this plan's shifts with no other shift covering them; rebook them before undoing"
        )));
    }
    let mut removed = 0;
    for shift in &ids {
        removed += usize::from(store::shift::delete_planned(&tx, *shift)?);
    }
    // Reinforced shifts get their staffing back; those since deleted are gone.
    let reinforced: Vec<Staffing> = outputs
        .get("reinforced_shifts")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let now = now_timestamp();
    for before in &reinforced {
        removed += usize::from(store::shift::set_staffing(&tx, before, &now)?);
    }
    if let Some(map) = outputs.as_object_mut() {
        map.remove("applied_shift_ids");
        map.remove("reinforced_shifts");
    }
    store::plan::set_outputs(&tx, id, &outputs.to_string(), None, &now)?;
    crate::audit::record(
        &tx,
        "plan_undo",
        &format!("shift plan {id}"),
        serde_json::json!({ "shifts_removed_or_restored": removed }),
    )?;
    tx.commit()?;
    Ok(removed)
}

/// Active bookings inside the given shifts that no other shift covers.
fn stranded_bookings(conn: &Connection, ids: &[i64]) -> Result<i64> {
    let mut total = 0;
    for id in ids {
        let Some((site, date, start, end)) = conn
            .query_row(
                "SELECT site_id, date, start, end FROM shift WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?
        else {
            continue;
        };
        let (Some(day), Some(s), Some(e)) =
            (parse_date(&date), parse_hhmm(&start), parse_hhmm(&end))
        else {
            continue;
        };
        // Shifts that stay: not among those being removed.
        let others: Vec<(u32, u32)> = conn
            .prepare("SELECT id, start, end FROM shift WHERE site_id = ?1 AND date = ?2")?
            .query_map(params![site, date], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|(other, ..)| !ids.contains(other))
            .filter_map(|(_, a, b)| Some((parse_hhmm(&a)?, parse_hhmm(&b)?)))
            .collect();
        let base = day_start_minute(day);
        let mut stmt = conn.prepare(concat!(
            "SELECT slot_minute FROM appointment
             WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
               AND ",
            active!()
        ))?;
        let minutes: Vec<i64> = stmt
            .query_map(
                params![site, base + i64::from(s), base + i64::from(e)],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        total += minutes
            .iter()
            .filter(|m| {
                let t = (*m - base) as u32;
                !others.iter().any(|(a, b)| *a <= t && t < *b)
            })
            .count() as i64;
    }
    Ok(total)
}
