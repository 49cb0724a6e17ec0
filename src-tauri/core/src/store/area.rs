//! `area`: neighbourhoods and their people, for the siting planner.

use super::upsert::Keyed;
use rusqlite::{params, Statement};

/// One row of areas.csv, checked.
pub(crate) struct AreaRow {
    pub area_id: String,
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
    pub eligible: Option<i64>,
    pub weight: f64,
}

impl Keyed for AreaRow {
    const TABLE: &'static str = "area";
    const UPSERT: &'static str =
        "INSERT INTO area (uuid, area_id, name, lat, lon, population, eligible, weight, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (area_id) DO UPDATE SET
            name = excluded.name, lat = excluded.lat, lon = excluded.lon,
            population = excluded.population, eligible = excluded.eligible,
            weight = excluded.weight, updated_at = excluded.updated_at
         WHERE (name, lat, lon, population, eligible, weight)
            IS NOT (excluded.name, excluded.lat, excluded.lon, excluded.population,
                    excluded.eligible, excluded.weight)";

    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize> {
        stmt.execute(params![
            super::new_uuid(),
            self.area_id,
            self.name,
            self.lat,
            self.lon,
            self.population,
            self.eligible,
            self.weight,
            now,
        ])
    }
}
