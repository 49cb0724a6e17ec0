//! The `audit_log` table's SQL (see migration 0008 and `crate::audit`).

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// One stored entry, as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The newest entry's id and hash.
pub fn last(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn insert(conn: &Connection, row: &Row) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.id,
            row.at,
            row.actor,
            row.action,
            row.subject,
            row.detail,
            row.prev_hash,
            row.hash
        ],
    )?;
    Ok(())
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

const COLUMNS: &str = "id, at, actor, action, subject, detail, prev_hash, hash";

/// Every entry in id order, handed to `each` one at a time.
pub fn for_each(conn: &Connection, mut each: impl FnMut(Row) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(read(r)?)?;
    }
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn newest(conn: &Connection, limit: i64) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
