//! areas.csv: population areas for siting, keyed by `area_id`.

use super::csv_source::{opt, req, Column};
use super::rows::first_occurrence;
use super::{Imported, Importing};
use crate::store::area::AreaRow;
use std::collections::HashMap;

columns! {
    AREA_ID = req("area_id"),
    NAME = opt("name"),
    LAT = req("lat"),
    LON = req("lon"),
    POPULATION = req("population"),
    ELIGIBLE = opt("eligible"),
    WEIGHT = opt("weight"),
}

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let mut seen = HashMap::new();
    super::upsert_rows(cx, COLUMNS, |row| {
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
