//! products.csv: vaccine products and their dose intervals.

use super::csv_source::{req, Column, CsvSource};
use super::rows::first_occurrence;
use super::{Progress, Written};
use crate::error::Result;
use crate::store::product::ProductRow;
use rusqlite::Transaction;
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
    let mut seen = HashMap::new();
    super::upsert_rows(tx, path, COLUMNS, now, progress, |row| {
        let code = row.req(PRODUCT)?.to_ascii_uppercase();
        if code.chars().any(char::is_whitespace) {
            return Err(row.error(PRODUCT, format!("{code:?} is not a code without spaces")));
        }
        first_occurrence(&mut seen, code.clone(), row, PRODUCT, "product")?;
        let name = row.req(NAME)?.to_owned();
        let min_interval_days = row.req_int(MIN_DAYS, 0, 3650)?;
        let max_interval_days = row.req_int(MAX_DAYS, 0, 3650)?;
        if max_interval_days < min_interval_days {
            return Err(row.error(
                MAX_DAYS,
                format!("{max_interval_days} is less than min_interval_days ({min_interval_days})"),
            ));
        }
        Ok(ProductRow {
            code,
            name,
            min_interval_days,
            max_interval_days,
        })
    })
}
