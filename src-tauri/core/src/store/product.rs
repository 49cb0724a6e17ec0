//! `product`: vaccine products and their dose intervals.

use super::upsert::Keyed;
use crate::error::Result;
use rusqlite::{params, Connection, Statement};
use std::collections::HashSet;

/// Product codes known to the store (upper case).
pub(crate) fn codes(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT code FROM product")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>("code"))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn exists(conn: &Connection, code: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM product WHERE code = ?1)",
        [code],
        |r| r.get(0),
    )?)
}

/// One row of products.csv, checked.
pub(crate) struct ProductRow {
    pub code: String,
    pub name: String,
    pub min_interval_days: i64,
    pub max_interval_days: i64,
}

impl Keyed for ProductRow {
    const TABLE: &'static str = "product";
    const UPSERT: &'static str =
        "INSERT INTO product (code, name, min_interval_days, max_interval_days, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET
            name = excluded.name, min_interval_days = excluded.min_interval_days,
            max_interval_days = excluded.max_interval_days, updated_at = excluded.updated_at
         WHERE (name, min_interval_days, max_interval_days)
            IS NOT (excluded.name, excluded.min_interval_days, excluded.max_interval_days)";

    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize> {
        stmt.execute(params![
            self.code,
            self.name,
            self.min_interval_days,
            self.max_interval_days,
            now
        ])
    }
}
