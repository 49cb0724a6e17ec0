//! The list behind the "outside any shift" Checks figure: the site-days
//! with bookings in slots no shift covers, most first. Each opens its
//! bookings slot by slot.

use super::{scope, site_day_findings, CheckQuery, SiteDayExcess};
use crate::error::Result;
use crate::time::format_minute;
use rusqlite::Connection;

/// Site-days with bookings outside any shift, most first (ties by date,
/// then site); `excess_bookings` holds how many. At most `limit`.
pub fn outside_shift_site_days(
    conn: &Connection,
    q: &CheckQuery,
    limit: usize,
) -> Result<Vec<SiteDayExcess>> {
    let mut days = if q.is_whole_store() {
        // The kept results: one pass over the site-days that have findings.
        super::refresh(conn)?;
        let mut stmt = conn.prepare_cached(
            "SELECT s.code, c.date, c.outside_shift_bookings
             FROM check_site_day c JOIN site s ON s.id = c.site_id
             WHERE c.outside_shift_bookings > 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SiteDayExcess {
                site_code: r.get(0)?,
                date: r.get(1)?,
                excess_bookings: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        let codes: std::collections::HashMap<i64, String> = crate::store::site::ids_by_code(conn)?
            .into_iter()
            .map(|(code, id)| (id, code))
            .collect();
        site_day_findings(conn, &scope(conn, q)?)?
            .into_iter()
            .filter(|(_, f)| f.outside_shift_bookings > 0)
            .map(|((site, day), f)| SiteDayExcess {
                site_code: codes.get(&site).cloned().unwrap_or_default(),
                date: format_minute(day * crate::time::MINUTES_PER_DAY)[..10].to_owned(),
                excess_bookings: f.outside_shift_bookings,
            })
            .collect()
    };
    days.sort_by(|a, b| {
        b.excess_bookings
            .cmp(&a.excess_bookings)
            .then(a.date.cmp(&b.date))
            .then(a.site_code.cmp(&b.site_code))
    });
    days.truncate(limit);
    Ok(days)
}
