//! supply.csv: vaccine shipments, keyed by date, product and status.

use super::csv_source::{opt, req, Column, CsvSource};
use super::rows::{first_occurrence, known_product};
use super::{Progress, Written};
use crate::error::Result;
use crate::store::product;
use crate::store::supply::SupplyRow;
use rusqlite::Transaction;
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: &[Column] = &[req("date"), req("product"), req("doses"), opt("status")];
const DATE: usize = 0;
const PRODUCT: usize = 1;
const DOSES: usize = 2;
const STATUS: usize = 3;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let products = product::codes(tx)?;
    let mut seen = HashMap::new();
    super::upsert_rows(tx, path, COLUMNS, now, progress, |row| {
        let date = row.req_date(DATE)?;
        let product = known_product(row, PRODUCT, &products, row.req(PRODUCT)?)?;
        let doses = row.req_int(DOSES, 1, 1_000_000_000)?;
        let status = row
            .opt_word(STATUS, &["expected", "received"])?
            .unwrap_or("received");
        first_occurrence(
            &mut seen,
            (date, product.clone(), status),
            row,
            PRODUCT,
            "shipment (same date, product and status)",
        )?;
        Ok(SupplyRow {
            date: date.to_string(),
            product,
            doses,
            status,
        })
    })
}
