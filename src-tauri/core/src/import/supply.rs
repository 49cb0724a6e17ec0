//! supply.csv: vaccine shipments, keyed by date, product and status.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{first_occurrence, known_product, product_codes, Progress, Written};
use crate::error::Result;
use rusqlite::{params, Transaction};
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
    let mut src = CsvSource::open(path, COLUMNS)?;
    let products = product_codes(tx)?;
    let before = super::count_rows(tx, "supply")?;
    let mut upsert = tx.prepare(
        "INSERT INTO supply (uuid, date, product, doses, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (date, product, status) DO UPDATE SET
            doses = excluded.doses, updated_at = excluded.updated_at
         WHERE doses IS NOT excluded.doses",
    )?;
    let mut seen = HashMap::new();
    let mut touched = 0;
    while let Some(row) = src.next_row(progress)? {
        let date = row.req_date(DATE)?;
        let product = known_product(&row, PRODUCT, &products, row.req(PRODUCT)?)?;
        let doses = row.req_int(DOSES, 1, 1_000_000_000)?;
        let status = row
            .opt_word(STATUS, &["expected", "received"])?
            .unwrap_or("received");
        first_occurrence(
            &mut seen,
            (date, product.clone(), status),
            &row,
            PRODUCT,
            "shipment (same date, product and status)",
        )?;
        touched += upsert.execute(params![
            crate::store::new_uuid(),
            date.to_string(),
            product,
            doses,
            status,
            now
        ])? as u64;
    }
    drop(upsert);
    let inserted = super::count_rows(tx, "supply")? - before;
    Ok((
        src,
        Written {
            inserted,
            updated: touched - inserted,
            warnings: Vec::new(),
        },
    ))
}
