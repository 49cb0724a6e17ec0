//! The province's own `vaccine_doses.csv` (Ontario Data Catalogue), as is, in
//! either of its two column layouts. Each import is a new release: the
//! series shown is the latest release, and values the province revised
//! since the release before stay visible (`doses::provincial::revisions`).

use super::csv_source::{opt, req, Column};
use super::rows::first_occurrence;
use super::{Imported, Importing, Written};
use crate::error::{Error, Result};
use crate::store;
use std::collections::HashMap;

columns! {
    REPORT_DATE = req("report_date"),
    // The daily column: newer layout, then older layout.
    DAILY_NEW = opt("previous_day_total_doses_administered"),
    DAILY_OLD = opt("previous_day_doses_administered"),
    PREVIOUS_DAY_AT_LEAST_ONE = opt("previous_day_at_least_one"),
    PREVIOUS_DAY_FULLY_VACCINATED = opt("previous_day_fully_vaccinated"),
    TOTAL = opt("total_doses_administered"),
    TOTAL_INDIVIDUALS_AT_LEAST_ONE = opt("total_individuals_at_least_one"),
    TOTAL_DOSES_IN_FULLY_VACCINATED_INDIVIDUALS = opt("total_doses_in_fully_vaccinated_individuals"),
    TOTAL_INDIVIDUALS_FULLY_VACCINATED = opt("total_individuals_fully_vaccinated"),
}
/// Stored columns, in the order of `provincial_day` after report_date.
const VALUES: [usize; 7] = [usize::MAX, 3, 4, 5, 6, 7, 8];

/// One report date's values, in `provincial_day` column order.
type DayValues = [Option<i64>; 7];

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let (tx, now, progress) = (cx.tx, cx.now, cx.progress);
    let mut src = cx.open(COLUMNS)?;
    let daily_col = match (src.has(DAILY_NEW), src.has(DAILY_OLD)) {
        (true, _) => DAILY_NEW,
        (false, true) => DAILY_OLD,
        (false, false) => {
            return Err(Error::Import {
                file: src.file_name().to_owned(),
                line: 1,
                column: Some("previous_day_total_doses_administered".into()),
                message: "missing column (the older layout calls it \
                          previous_day_doses_administered)"
                    .into(),
            })
        }
    };
    if !src.has(TOTAL) {
        return Err(Error::Import {
            file: src.file_name().to_owned(),
            line: 1,
            column: Some("total_doses_administered".into()),
            message: "missing column".into(),
        });
    }
    let mut days: Vec<(String, DayValues)> = Vec::new();
    let mut seen = HashMap::new();
    while let Some(row) = src.next_row(progress)? {
        let mut values: DayValues = [None; 7];
        for (slot, &col) in values.iter_mut().zip(VALUES.iter()) {
            let col = if col == usize::MAX { daily_col } else { col };
            *slot = count(&row, col)?;
        }
        let date = row.opt(REPORT_DATE)?;
        if values.iter().all(Option::is_none) {
            continue; // a blank row: the file runs past the last reported day
        }
        let Some(date) = date else {
            return Err(row.error(REPORT_DATE, "is required but empty"));
        };
        let date = report_date(date).ok_or_else(|| {
            row.error(REPORT_DATE, format!("{date:?} is not a date (YYYY-MM-DD)"))
        })?;
        first_occurrence(&mut seen, date.clone(), &row, REPORT_DATE, "report date")?;
        days.push((date, values));
    }
    let sha256 = src.sha256();
    let latest: Option<(i64, String)> = match store::provincial::newest_ids(tx, 1)?.first() {
        Some(&id) => Some((
            id,
            tx.query_row(
                "SELECT sha256 FROM provincial_release WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?,
        )),
        None => None,
    };
    if latest.as_ref().is_some_and(|(_, sha)| *sha == sha256) {
        // The same release again: nothing new to keep.
        return Ok((src, Written::default()));
    }
    let previous = match &latest {
        Some((id, _)) => release_values(tx, *id)?,
        None => HashMap::new(),
    };
    let release = store::provincial::insert_release(tx, src.file_name(), &sha256, now)?;
    let mut written = Written::default();
    for (date, v) in &days {
        store::provincial::insert_day(tx, release, date, v)?;
        match previous.get(date) {
            None => written.inserted += 1,
            Some(old) if old != v => written.updated += 1,
            Some(_) => {}
        }
    }
    if written.updated > 0 {
        written.warnings.push(format!(
            "the province revised {} earlier report date(s); see the revisions list",
            written.updated
        ));
    }
    let blank = src.rows() - days.len() as u64;
    if blank > 0 {
        written.warnings.push(format!(
            "{blank} row(s) with no values skipped (the file runs past the last report)"
        ));
    }
    Ok((src, written))
}

/// A count cell: blank is missing; the province's files sometimes write
/// whole numbers as `123.0`.
fn count(row: &super::csv_source::Row<'_>, col: usize) -> Result<Option<i64>> {
    row.opt_parse(col, "a whole number", |s| {
        s.parse::<i64>().ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        })
    })
}

/// `YYYY-MM-DD`, optionally followed by a time (`2021-05-22T00:00:00`).
fn report_date(text: &str) -> Option<String> {
    let day = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    crate::time::parse_date(day).map(|d| d.to_string())
}

pub(crate) fn release_values(
    tx: &rusqlite::Connection,
    release: i64,
) -> Result<HashMap<String, DayValues>> {
    let mut stmt = tx.prepare(
        "SELECT report_date, previous_day_doses, previous_day_at_least_one,
                previous_day_fully_vaccinated, total_doses, total_individuals_at_least_one,
                total_doses_in_fully_vaccinated, total_individuals_fully
         FROM provincial_day WHERE release_id = ?1",
    )?;
    let rows = stmt.query_map([release], |r| {
        Ok((
            r.get::<_, String>("report_date")?,
            [
                r.get("previous_day_doses")?,
                r.get("previous_day_at_least_one")?,
                r.get("previous_day_fully_vaccinated")?,
                r.get("total_doses")?,
                r.get("total_individuals_at_least_one")?,
                r.get("total_doses_in_fully_vaccinated")?,
                r.get("total_individuals_fully")?,
            ],
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
