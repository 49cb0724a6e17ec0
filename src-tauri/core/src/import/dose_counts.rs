//! dose_counts.csv: tallies of doses administered. A tally that changes keeps
//! its earlier value in `dose_count_history`.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{
    first_occurrence, known_product, known_site, product_codes, site_ids, Progress, Written,
};
use crate::error::Result;
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: &[Column] = &[
    req("date"),
    req("site_code"),
    opt("shift"),
    req("dose_number"),
    opt("product"),
    req("doses"),
];
const DATE: usize = 0;
const SITE: usize = 1;
const SHIFT: usize = 2;
const DOSE_NUMBER: usize = 3;
const PRODUCT: usize = 4;
const DOSES: usize = 5;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let sites = site_ids(tx)?;
    let products = product_codes(tx)?;
    let mut find = tx.prepare(
        "SELECT id, doses, source FROM dose_count
         WHERE site_id = ?1 AND date = ?2 AND shift = ?3 AND dose_number = ?4 AND product = ?5",
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8)",
    )?;
    let mut keep_history = tx.prepare(
        "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut update = tx.prepare(
        "UPDATE dose_count SET doses = ?2, source = 'import', updated_at = ?3 WHERE id = ?1",
    )?;
    let mut seen = HashMap::new();
    let mut written = Written::default();
    while let Some(row) = src.next_row(progress)? {
        let date = row.req_date(DATE)?.to_string();
        let site_id = known_site(&row, SITE, &sites, row.req(SITE)?)?;
        let shift = row.opt(SHIFT)?.unwrap_or("").to_owned();
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = match row.opt(PRODUCT)? {
            Some(code) => known_product(&row, PRODUCT, &products, code)?,
            None => String::new(),
        };
        let doses = row.req_int(DOSES, 0, 10_000_000)?;
        first_occurrence(
            &mut seen,
            (
                date.clone(),
                site_id,
                shift.clone(),
                dose_number,
                product.clone(),
            ),
            &row,
            DOSES,
            "tally (same date, site, shift, dose number and product)",
        )?;
        let existing: Option<(i64, i64, String)> = find
            .query_row(params![site_id, date, shift, dose_number, product], |r| {
                Ok((r.get("id")?, r.get("doses")?, r.get("source")?))
            })
            .optional()?;
        match existing {
            None => {
                insert.execute(params![
                    crate::store::new_uuid(),
                    site_id,
                    date,
                    shift,
                    dose_number,
                    product,
                    doses,
                    now
                ])?;
                written.inserted += 1;
            }
            Some((id, old, old_source)) if old != doses => {
                keep_history.execute(params![id, old, old_source, now])?;
                update.execute(params![id, doses, now])?;
                written.updated += 1;
            }
            Some(_) => {}
        }
    }
    Ok((src, written))
}
