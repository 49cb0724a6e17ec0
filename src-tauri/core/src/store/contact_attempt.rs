//! `contact_attempt`: the rebooking desk's calls and their outcomes.

use crate::error::Result;
use rusqlite::{params, Connection};

pub(crate) fn insert(
    conn: &Connection,
    appointment_id: i64,
    outcome: &str,
    proposed: (Option<i64>, Option<i64>),
    note: Option<&str>,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO contact_attempt (uuid, appointment_id, attempted_at, outcome,
                                      proposed_site_id, proposed_slot_minute, note, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3)",
        params![
            super::new_uuid(),
            appointment_id,
            now,
            outcome,
            proposed.0,
            proposed.1,
            note
        ],
    )?;
    Ok(())
}
