//! shifts.csv: who vaccinates where and when, keyed by site, date and start.

use super::csv_source::{opt, req, Column};
use super::rows::{first_occurrence, known_site};
use super::{Imported, Importing};
use crate::store::shift::ShiftRow;
use crate::store::site;
use crate::time::format_hhmm;
use std::collections::HashMap;

columns! {
    SITE = req("site_code"),
    DATE = req("date"),
    START = req("start"),
    END = req("end"),
    VACCINATORS = req("vaccinators"),
    CAPACITY = opt("capacity"),
}

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let tx = cx.tx;
    let sites = site::ids_by_code(tx)?;
    let mut seen = HashMap::new();
    super::upsert_rows(cx, COLUMNS, |row| {
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
