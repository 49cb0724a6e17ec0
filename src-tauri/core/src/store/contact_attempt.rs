//! `contact_attempt`: the rebooking desk's calls and their outcomes.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// One call as it is written.
pub(crate) struct NewAttempt<'a> {
    pub appointment_id: i64,
    pub outcome: &'a str,
    /// Where an accepted booking moved to, as (site id, slot minute).
    pub proposed: (Option<i64>, Option<i64>),
    /// Where it was before that move.
    pub from: (Option<i64>, Option<i64>),
    pub note: Option<&'a str>,
    pub call_back_at: Option<&'a str>,
    pub caller: &'a str,
}

pub(crate) fn insert(conn: &Connection, a: &NewAttempt<'_>, now: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO contact_attempt (uuid, appointment_id, attempted_at, outcome,
                                      proposed_site_id, proposed_slot_minute, note, updated_at,
                                      caller, call_back_at, from_site_id, from_slot_minute)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3, ?8, ?9, ?10, ?11)",
        params![
            super::new_uuid(),
            a.appointment_id,
            now,
            a.outcome,
            a.proposed.0,
            a.proposed.1,
            a.note,
            a.caller,
            a.call_back_at,
            a.from.0,
            a.from.1,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The latest call about a booking that was not undone.
pub(crate) struct Latest {
    pub id: i64,
    pub outcome: String,
    pub proposed: (Option<i64>, Option<i64>),
    pub from: (Option<i64>, Option<i64>),
}

pub(crate) fn latest(conn: &Connection, appointment_id: i64) -> Result<Option<Latest>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, outcome, proposed_site_id, proposed_slot_minute, from_site_id,
                    from_slot_minute
             FROM contact_attempt WHERE appointment_id = ?1 AND undone_at IS NULL
             ORDER BY attempted_at DESC, id DESC LIMIT 1",
        )?
        .query_row([appointment_id], |r| {
            Ok(Latest {
                id: r.get("id")?,
                outcome: r.get("outcome")?,
                proposed: (r.get("proposed_site_id")?, r.get("proposed_slot_minute")?),
                from: (r.get("from_site_id")?, r.get("from_slot_minute")?),
            })
        })
        .optional()?)
}

/// Marks a call undone: it stays on record (and travels as an update).
pub(crate) fn mark_undone(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE contact_attempt SET undone_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// What the desk shows of one booking's calls (undone ones left out).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CallHistory {
    pub attempts: i64,
    pub last_outcome: Option<String>,
    pub last_at: Option<String>,
    pub last_caller: Option<String>,
    pub last_note: Option<String>,
    /// The call-back time the latest call asked for.
    pub call_back_at: Option<String>,
}

/// Every called booking's history, read in one pass.
pub(crate) fn histories(conn: &Connection) -> Result<std::collections::HashMap<i64, CallHistory>> {
    let mut stmt = conn.prepare_cached(
        "SELECT appointment_id, outcome, attempted_at, caller, note, call_back_at
         FROM contact_attempt WHERE undone_at IS NULL ORDER BY attempted_at, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = std::collections::HashMap::<i64, CallHistory>::new();
    while let Some(r) = rows.next()? {
        // Later rows overwrite earlier ones: the latest call wins.
        let h = out.entry(r.get("appointment_id")?).or_default();
        h.attempts += 1;
        h.last_outcome = r.get("outcome")?;
        h.last_at = r.get("attempted_at")?;
        h.last_caller = r.get("caller")?;
        h.last_note = r.get("note")?;
        h.call_back_at = r.get("call_back_at")?;
    }
    Ok(out)
}
