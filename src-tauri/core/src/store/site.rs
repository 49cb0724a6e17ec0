//! `site`: clinics, pharmacies and candidate distribution points.

use super::upsert::Keyed;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Statement};
use std::collections::{HashMap, HashSet};

/// The id of the site with this code, or a "no site" error naming it.
pub fn id(conn: &Connection, code: &str) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM site WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no site with code {code:?}")))
}

/// The code of the site with this id.
pub fn code(conn: &Connection, id: i64) -> Result<String> {
    conn.prepare_cached("SELECT code FROM site WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no site with id {id}")))
}

/// `code → id` for every site, loaded once per import.
pub(crate) fn ids_by_code(conn: &Connection) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT code, id FROM site")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>("code")?, r.get("id")?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the views and rules need to know of one site.
#[derive(Debug, Clone)]
pub struct SiteRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    /// `open`, or `candidate` for a distribution point not yet open.
    pub status: String,
    pub minutes_per_dose: f64,
}

impl SiteRef {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// The site with this code, or a "no site" error naming it.
pub fn by_code(conn: &Connection, code: &str) -> Result<SiteRef> {
    find_by_code(conn, code)?.ok_or_else(|| Error::NotFound(format!("no site with code {code:?}")))
}

/// The site with this code, if there is one.
pub fn find_by_code(conn: &Connection, code: &str) -> Result<Option<SiteRef>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, code, name, kind, status, minutes_per_dose FROM site WHERE code = ?1",
        )?
        .query_row([code], |r| {
            Ok(SiteRef {
                id: r.get("id")?,
                code: r.get("code")?,
                name: r.get("name")?,
                kind: r.get("kind")?,
                status: r.get("status")?,
                minutes_per_dose: r.get("minutes_per_dose")?,
            })
        })
        .optional()?)
}

/// Codes of the sites that are open (not candidates).
pub(crate) fn open_codes(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT code FROM site WHERE status = 'open'")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>("code"))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A new temporary clinic opened from the rebooking desk; returns its id.
/// Where a new site is.
pub(crate) struct Place<'a> {
    pub address: Option<&'a str>,
    pub postal_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

pub(crate) fn insert_temporary(
    conn: &Connection,
    code: &str,
    name: &str,
    place: &Place<'_>,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO site (uuid, code, name, kind, address, postal_code, lat, lon, updated_at)
         VALUES (?1, ?2, ?3, 'temporary_clinic', ?4, ?5, ?6, ?7, ?8)",
        params![
            super::new_uuid(),
            code,
            name,
            place.address,
            place.postal_code,
            place.lat,
            place.lon,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One row of sites.csv or candidates.csv, checked.
pub(crate) struct SiteRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// `open` or `candidate`.
    pub status: &'static str,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub stations: Option<i64>,
    pub minutes_per_dose: f64,
    pub capacity_per_day: Option<i64>,
    pub opens: String,
    pub closes: String,
}

impl Keyed for SiteRow {
    const TABLE: &'static str = "site";
    const UPSERT: &'static str =
        "INSERT INTO site (uuid, code, name, kind, status, address, postal_code, lat, lon,
                           stations, minutes_per_dose, capacity_per_day, opens, closes, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (code) DO UPDATE SET
            name = excluded.name, kind = excluded.kind, status = excluded.status,
            address = excluded.address, postal_code = excluded.postal_code,
            lat = excluded.lat, lon = excluded.lon, stations = excluded.stations,
            minutes_per_dose = excluded.minutes_per_dose,
            capacity_per_day = excluded.capacity_per_day,
            opens = excluded.opens, closes = excluded.closes, updated_at = excluded.updated_at
         WHERE (name, kind, status, address, postal_code, lat, lon, stations, minutes_per_dose,
                capacity_per_day, opens, closes)
            IS NOT (excluded.name, excluded.kind, excluded.status, excluded.address,
                    excluded.postal_code, excluded.lat, excluded.lon, excluded.stations,
                    excluded.minutes_per_dose, excluded.capacity_per_day, excluded.opens,
                    excluded.closes)";

    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize> {
        stmt.execute(params![
            super::new_uuid(),
            self.code,
            self.name,
            self.kind,
            self.status,
            self.address,
            self.postal_code,
            self.lat,
            self.lon,
            self.stations,
            self.minutes_per_dose,
            self.capacity_per_day,
            self.opens,
            self.closes,
            now,
        ])
    }
}
