//! Store overview: row counts per table and the span of the appointments.

use crate::error::Result;
use crate::time::format_minute;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

/// Tables reported by `stats`, in the order of the data model.
pub const TABLES: &[&str] = &[
    "site",
    "shift",
    "product",
    "person",
    "appointment",
    "dose_count",
    "dose_count_history",
    "provincial_release",
    "provincial_day",
    "supply",
    "area",
    "eligibility_phase",
    "contact_attempt",
    "plan",
    "import_log",
];

#[derive(Debug, Serialize)]
pub struct Stats {
    pub counts: BTreeMap<String, i64>,
    /// First and last appointment date (`YYYY-MM-DD`), if any.
    pub appointments_from: Option<String>,
    pub appointments_to: Option<String>,
    /// True when the database holds the built-in demo data.
    pub demo: bool,
    /// Doses administered: regional and provincial figures.
    #[serde(flatten)]
    pub doses: crate::doses::DoseFigures,
}

pub fn stats(conn: &Connection) -> Result<Stats> {
    let mut counts = BTreeMap::new();
    for table in TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        counts.insert((*table).to_owned(), n);
    }
    // min/max use the (site_id, slot_minute) index poorly; a plain scan of
    // one column is still fast, and this runs once per `stats` call.
    let (from, to): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(slot_minute), max(slot_minute) FROM appointment",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let date = |m: i64| format_minute(m)[..10].to_owned();
    Ok(Stats {
        counts,
        appointments_from: from.map(date),
        appointments_to: to.map(date),
        demo: is_demo(conn)?,
        doses: crate::doses::figures(conn)?,
    })
}

pub fn is_demo(conn: &Connection) -> Result<bool> {
    Ok(crate::store::meta_get(conn, "demo")?.is_some())
}

/// True when the store has no sites and no appointments: the app then offers
/// to import files or load the demo.
pub fn is_empty(conn: &Connection) -> Result<bool> {
    // EXISTS stops at the first row; count(*) would walk all of them (a
    // tenth of a second on every start-up at province scale).
    Ok(conn.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM site) AND NOT EXISTS (SELECT 1 FROM appointment)",
        [],
        |r| r.get(0),
    )?)
}
