//! `supply`: shipments of doses, expected or received.

use super::upsert::Keyed;
use rusqlite::{params, Statement};

/// One row of supply.csv, checked.
pub(crate) struct SupplyRow {
    pub date: String,
    pub product: String,
    pub doses: i64,
    /// `expected` or `received`.
    pub status: &'static str,
}

impl Keyed for SupplyRow {
    const TABLE: &'static str = "supply";
    const UPSERT: &'static str =
        "INSERT INTO supply (uuid, date, product, doses, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (date, product, status) DO UPDATE SET
            doses = excluded.doses, updated_at = excluded.updated_at
         WHERE doses IS NOT excluded.doses";

    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize> {
        stmt.execute(params![
            super::new_uuid(),
            self.date,
            self.product,
            self.doses,
            self.status,
            now
        ])
    }
}
