//! The `app_user` table's SQL (migration 0009, `crate::users`).

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub name: String,
    pub role: String,
    pub sites: Vec<String>,
    pub created_at: String,
    pub created_by: String,
    pub disabled_at: Option<String>,
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let sites: String = r.get(2)?;
    Ok(Row {
        name: r.get(0)?,
        role: r.get(1)?,
        sites: serde_json::from_str(&sites).unwrap_or_default(),
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        disabled_at: r.get(5)?,
    })
}

const COLUMNS: &str = "name, role, sites, created_at, created_by, disabled_at";

pub fn get(conn: &Connection, name: &str) -> Result<Option<Row>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM app_user WHERE name = ?1"),
            [name],
            read,
        )
        .optional()?)
}

pub fn all(conn: &Connection) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM app_user ORDER BY name"))?;
    let rows = stmt.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM app_user", [], |r| r.get(0))?)
}

pub fn insert(conn: &Connection, row: &Row) -> Result<()> {
    let sites = serde_json::to_string(&row.sites).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO app_user (name, role, sites, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![row.name, row.role, sites, row.created_at, row.created_by],
    )?;
    Ok(())
}

pub fn disable(conn: &Connection, name: &str, at: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE app_user SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
        params![name, at],
    )? == 1)
}
