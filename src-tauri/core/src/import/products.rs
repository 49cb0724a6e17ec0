//! products.csv: vaccine products and their dose intervals.

use super::csv_source::{req, Column, CsvSource};
use super::{first_occurrence, Progress, Written};
use crate::error::Result;
use rusqlite::{params, Transaction};
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: &[Column] = &[
    req("product"),
    req("name"),
    req("min_interval_days"),
    req("max_interval_days"),
];
const PRODUCT: usize = 0;
const NAME: usize = 1;
const MIN_DAYS: usize = 2;
const MAX_DAYS: usize = 3;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let before = super::count_rows(tx, "product")?;
    let mut upsert = tx.prepare(
        "INSERT INTO product (code, name, min_interval_days, max_interval_days, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET
            name = excluded.name, min_interval_days = excluded.min_interval_days,
            max_interval_days = excluded.max_interval_days, updated_at = excluded.updated_at
         WHERE (name, min_interval_days, max_interval_days)
            IS NOT (excluded.name, excluded.min_interval_days, excluded.max_interval_days)",
    )?;
    let mut seen = HashMap::new();
    let mut touched = 0;
    while let Some(row) = src.next_row(progress)? {
        let code = row.req(PRODUCT)?.to_ascii_uppercase();
        if code.chars().any(char::is_whitespace) {
            return Err(row.error(PRODUCT, format!("{code:?} is not a code without spaces")));
        }
        first_occurrence(&mut seen, code.clone(), &row, PRODUCT, "product")?;
        let name = row.req(NAME)?;
        let min_days = row.req_int(MIN_DAYS, 0, 3650)?;
        let max_days = row.req_int(MAX_DAYS, 0, 3650)?;
        if max_days < min_days {
            return Err(row.error(
                MAX_DAYS,
                format!("{max_days} is less than min_interval_days ({min_days})"),
            ));
        }
        touched += upsert.execute(params![code, name, min_days, max_days, now])? as u64;
    }
    drop(upsert);
    let inserted = super::count_rows(tx, "product")? - before;
    Ok((
        src,
        Written {
            inserted,
            updated: touched - inserted,
            warnings: Vec::new(),
        },
    ))
}
