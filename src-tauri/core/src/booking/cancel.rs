//! Cancelling an appointment, and what happens to a linked second dose.

use crate::error::{Error, Result};
use crate::store;
use crate::time::format_minute;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Deserialize;

/// What to do with the person's second dose when their first is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkedSecond {
    /// Cancel it too (they will book again from the start).
    Cancel,
    /// Keep it (e.g. the first dose was given elsewhere).
    Keep,
}

/// Cancels an appointment. Cancelling an active first dose whose person has
/// an active second dose needs `linked` to say what happens to the second:
/// without it the call fails with `conflict` naming that second dose, so the
/// UI can ask. Returns the ids cancelled.
pub fn cancel(
    conn: &mut Connection,
    appointment_id: i64,
    linked: Option<LinkedSecond>,
) -> Result<Vec<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (person, dose, status): (String, i64, String) = tx
        .query_row(
            "SELECT person_id, dose_number, status FROM appointment WHERE id = ?1",
            [appointment_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no appointment {appointment_id}")))?;
    if status != "booked" {
        return Err(Error::Conflict(format!(
            "appointment {appointment_id} is {status}, not booked"
        )));
    }
    let mut ids = vec![appointment_id];
    if dose == 1 {
        let second: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, slot_minute FROM appointment WHERE person_id = ?1 AND dose_number = 2
                   AND status = 'booked' ORDER BY slot_minute LIMIT 1",
                [&person],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match (second, linked) {
            (Some((_, at)), None) => {
                return Err(Error::Conflict(format!(
                    "{person} also has a second dose booked on {}: cancel it too, or keep it?",
                    format_minute(at).replace('T', " ")
                )))
            }
            (Some((id, _)), Some(LinkedSecond::Cancel)) => ids.push(id),
            _ => {}
        }
    }
    let now = crate::store::now_timestamp();
    for id in &ids {
        let site_id: i64 =
            tx.query_row("SELECT site_id FROM appointment WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::Appointment, site_id)?;
        store::appointment::cancel(&tx, *id, &now)?;
    }
    crate::audit::record(
        &tx,
        "cancel",
        &person,
        serde_json::json!({ "appointments": ids }),
    )?;
    tx.commit()?;
    Ok(ids)
}
