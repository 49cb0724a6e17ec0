//! `plan`: saved shift plans and siting scenarios (inputs and outputs as JSON).

use crate::error::Result;
use rusqlite::{params, Connection};

/// What a saved plan plans.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Shifts,
    Sites,
}

/// Saves a plan; returns its id.
pub(crate) fn insert(
    conn: &Connection,
    kind: Kind,
    name: &str,
    inputs: &str,
    outputs: &str,
    now: &str,
) -> Result<i64> {
    let kind = match kind {
        Kind::Shifts => "shifts",
        Kind::Sites => "sites",
    };
    conn.execute(
        "INSERT INTO plan (uuid, kind, name, inputs, outputs, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![super::new_uuid(), kind, name, inputs, outputs, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records a plan's new outputs and whether it is applied (`applied_at`).
pub(crate) fn set_outputs(
    conn: &Connection,
    id: i64,
    outputs: &str,
    applied_at: Option<&str>,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE plan SET outputs = ?1, applied_at = ?2, updated_at = ?3 WHERE id = ?4",
        params![outputs, applied_at, now, id],
    )?;
    Ok(())
}
