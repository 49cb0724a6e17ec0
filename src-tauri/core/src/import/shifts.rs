//! shifts.csv: who vaccinates where and when, keyed by site, date and start.

use super::csv_source::{opt, req, Column, CsvSource};
use super::rows::{first_occurrence, known_site};
use super::{Progress, Written};
use crate::error::Result;
use crate::store::shift::ShiftRow;
use crate::store::site;
use crate::time::format_hhmm;
use rusqlite::Transaction;
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
    let sites = site::ids_by_code(tx)?;
    let mut seen = HashMap::new();
    super::upsert_rows(tx, path, COLUMNS, now, progress, |row| {
        let site_id = known_site(row, SITE, &sites, row.req(SITE)?)?;
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
            row,
            START,
            "shift (same site, date and start)",
        )?;
        Ok(ShiftRow {
            site_id,
            date: date.to_string(),
            start: format_hhmm(start),
            end: format_hhmm(end),
            vaccinators: row.req_int(VACCINATORS, 0, 10_000)?,
            capacity: row.opt_int(CAPACITY, 0, 10_000_000)?,
        })
    })
}
