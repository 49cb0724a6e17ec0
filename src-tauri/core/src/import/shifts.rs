//! shifts.csv: who vaccinates where and when, keyed by site, date and start.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{first_occurrence, known_site, site_ids, Progress, Written};
use crate::error::Result;
use crate::time::format_hhmm;
use rusqlite::{params, Transaction};
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: &[Column] = &[
    req("site_code"),
    req("date"),
    req("start"),
    req("end"),
    req("vaccinators"),
    opt("capacity"),
];
const SITE: usize = 0;
const DATE: usize = 1;
const START: usize = 2;
const END: usize = 3;
const VACCINATORS: usize = 4;
const CAPACITY: usize = 5;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let sites = site_ids(tx)?;
    let before = super::count_rows(tx, "shift")?;
    let mut upsert = tx.prepare(
        "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8)
         ON CONFLICT (site_id, date, start) DO UPDATE SET
            end = excluded.end, vaccinators = excluded.vaccinators,
            capacity = excluded.capacity, updated_at = excluded.updated_at
         WHERE (end, vaccinators, capacity)
            IS NOT (excluded.end, excluded.vaccinators, excluded.capacity)",
    )?;
    let mut seen = HashMap::new();
    let mut touched = 0;
    while let Some(row) = src.next_row(progress)? {
        let site_id = known_site(&row, SITE, &sites, row.req(SITE)?)?;
        let date = row.req_date(DATE)?;
        let start = row.req_time(START)?;
        let end = row.req_time(END)?;
        if end <= start {
            return Err(row.error(
                END,
                format!(
                    "{} must be after start ({})",
                    format_hhmm(end),
                    format_hhmm(start)
                ),
            ));
        }
        first_occurrence(
            &mut seen,
            (site_id, date, start),
            &row,
            START,
            "shift (same site, date and start)",
        )?;
        let vaccinators = row.req_int(VACCINATORS, 0, 10_000)?;
        let capacity = row.opt_int(CAPACITY, 0, 10_000_000)?;
        touched += upsert.execute(params![
            crate::store::new_uuid(),
            site_id,
            date.to_string(),
            format_hhmm(start),
            format_hhmm(end),
            vaccinators,
            capacity,
            now,
        ])? as u64;
    }
    drop(upsert);
    let inserted = super::count_rows(tx, "shift")? - before;
    Ok((
        src,
        Written {
            inserted,
            updated: touched - inserted,
            warnings: Vec::new(),
        },
    ))
}
