//! areas.csv: population areas for siting, keyed by `area_id`.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{first_occurrence, Progress, Written};
use crate::error::Result;
use rusqlite::{params, Transaction};
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
    let mut src = CsvSource::open(path, COLUMNS)?;
    let before = super::count_rows(tx, "area")?;
    let mut upsert = tx.prepare(
        "INSERT INTO area (uuid, area_id, name, lat, lon, population, eligible, weight, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (area_id) DO UPDATE SET
            name = excluded.name, lat = excluded.lat, lon = excluded.lon,
            population = excluded.population, eligible = excluded.eligible,
            weight = excluded.weight, updated_at = excluded.updated_at
         WHERE (name, lat, lon, population, eligible, weight)
            IS NOT (excluded.name, excluded.lat, excluded.lon, excluded.population,
                    excluded.eligible, excluded.weight)",
    )?;
    let mut seen = HashMap::new();
    let mut touched = 0;
    while let Some(row) = src.next_row(progress)? {
        let area_id = row.req(AREA_ID)?;
        first_occurrence(&mut seen, area_id.to_owned(), &row, AREA_ID, "area_id")?;
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
        let weight = row.opt_f64(WEIGHT, 0.0, 1_000.0)?.unwrap_or(1.0);
        touched += upsert.execute(params![
            crate::store::new_uuid(),
            area_id,
            row.opt(NAME)?,
            lat,
            lon,
            population,
            eligible,
            weight,
            now,
        ])? as u64;
    }
    drop(upsert);
    let inserted = super::count_rows(tx, "area")? - before;
    Ok((
        src,
        Written {
            inserted,
            updated: touched - inserted,
            warnings: Vec::new(),
        },
    ))
}
