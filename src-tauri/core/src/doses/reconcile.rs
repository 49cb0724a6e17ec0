//! Clinic tallies against bookings marked attended, per site-day: a gap
//! means walk-ins, unrecorded attendance or a tally error.

use crate::error::Result;
use rusqlite::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SiteDayGap {
    pub site_code: String,
    pub date: String,
    pub tallied: i64,
    pub attended: i64,
    /// tallied − attended
    pub difference: i64,
}

/// Site-days the Dashboard's reconciliation table lists (`limit` in the app).
pub const GAPS_SHOWN: u32 = 50;

/// Site-days in [from, to] with tallies or attended bookings, the largest
/// gaps first; at most `limit` rows.
pub fn reconcile(conn: &Connection, from: &str, to: &str, limit: u32) -> Result<Vec<SiteDayGap>> {
    let mut stmt = conn.prepare_cached(
        "SELECT site.code AS site_code, d.date, d.administered, d.attended
         FROM site_day d JOIN site ON site.id = d.site_id
         WHERE d.date BETWEEN ?1 AND ?2 AND (d.administered > 0 OR d.attended > 0)
         ORDER BY abs(d.administered - d.attended) DESC, d.date, site.code
         LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![from, to, limit], |r| {
        let tallied: i64 = r.get("administered")?;
        let attended: i64 = r.get("attended")?;
        Ok(SiteDayGap {
            site_code: r.get("site_code")?,
            date: r.get("date")?,
            tallied,
            attended,
            difference: tallied - attended,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
