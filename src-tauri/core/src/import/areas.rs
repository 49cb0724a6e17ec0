//! areas.csv: population areas for siting, keyed by `area_id`.

use super::csv_source::{opt, req, Column, CsvSource};
use super::rows::first_occurrence;
use super::{Progress, Written};
use crate::error::Result;
use crate::store::area::AreaRow;
use rusqlite::Transaction;
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: &[Column] = &[
    req("area_id"),
    opt("name"),
    req("lat"),
    req("lon"),
    req("population"),
    opt("eligible"),
    opt("weight"),
];
const AREA_ID: usize = 0;
const NAME: usize = 1;
const LAT: usize = 2;
const LON: usize = 3;
const POPULATION: usize = 4;
const ELIGIBLE: usize = 5;
const WEIGHT: usize = 6;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut seen = HashMap::new();
    super::upsert_rows(tx, path, COLUMNS, now, progress, |row| {
        let area_id = row.req(AREA_ID)?;
        first_occurrence(&mut seen, area_id.to_owned(), row, AREA_ID, "area_id")?;
        let lat = row.req_f64(LAT, -90.0, 90.0)?;
        let lon = row.req_f64(LON, -180.0, 180.0)?;
        let population = row.req_int(POPULATION, 0, 1_000_000_000)?;
        let eligible = row.opt_int(ELIGIBLE, 0, 1_000_000_000)?;
        if let Some(e) = eligible.filter(|e| *e > population) {
            return Err(row.error(
                ELIGIBLE,
                format!("{e} is more than the population ({population})"),
            ));
        }
        Ok(AreaRow {
            area_id: area_id.to_owned(),
            name: row.opt(NAME)?.map(str::to_owned),
            lat,
            lon,
            population,
            eligible,
            weight: row.opt_f64(WEIGHT, 0.0, 1_000.0)?.unwrap_or(1.0),
        })
    })
}
