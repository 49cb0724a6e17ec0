//! Daily series read from the store: regional tallies per day (from the
//! trigger-kept `region_day`/`site_day` totals) and the latest provincial release.

use super::flags::Day;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::Connection;

/// Days with tallies, region-wide or for one site, in date order.
pub fn regional(conn: &Connection, site_id: Option<i64>) -> Result<Vec<Day>> {
    let (sql, arg) = match site_id {
        None => (
            "SELECT date, administered FROM region_day WHERE administered > 0 ORDER BY date",
            None,
        ),
        Some(id) => (
            "SELECT date, administered FROM site_day
             WHERE site_id = ?1 AND administered > 0 ORDER BY date",
            Some(id),
        ),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, i64)> {
        Ok((r.get("date")?, r.get("administered")?))
    };
    let rows: Vec<(String, i64)> = match arg {
        None => stmt.query_map([], map)?.collect::<rusqlite::Result<_>>()?,
        Some(id) => stmt
            .query_map([id], map)?
            .collect::<rusqlite::Result<_>>()?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|(date, doses)| {
            Some(Day {
                date: crate::time::parse_date(&date)?,
                doses,
                cumulative: None,
            })
        })
        .collect())
}

/// One report of the latest provincial release.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub report_date: NaiveDate,
    /// Doses given the day before the report date.
    pub previous_day_doses: Option<i64>,
    pub total_doses: Option<i64>,
}

/// The latest release's reports in date order (empty when none is loaded).
pub fn provincial(conn: &Connection) -> Result<Vec<Report>> {
    let Some(&latest) = crate::store::provincial::newest_ids(conn, 1)?.first() else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT report_date, previous_day_doses, total_doses FROM provincial_day
         WHERE release_id = ?1 ORDER BY report_date",
    )?;
    let rows = stmt.query_map([latest], |r| {
        Ok((
            r.get::<_, String>("report_date")?,
            r.get::<_, Option<i64>>("previous_day_doses")?,
            r.get::<_, Option<i64>>("total_doses")?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (date, daily, total) = row?;
        if let Some(report_date) = crate::time::parse_date(&date) {
            out.push(Report {
                report_date,
                previous_day_doses: daily,
                total_doses: total,
            });
        }
    }
    Ok(out)
}

/// The provincial reports as a series of days the doses were given (report
/// date − 1), with the cumulative total at the end of that day.
pub fn provincial_days(reports: &[Report]) -> Vec<Day> {
    reports
        .iter()
        .filter_map(|r| {
            Some(Day {
                date: r.report_date.pred_opt()?,
                doses: r.previous_day_doses?,
                cumulative: r.total_doses,
            })
        })
        .collect()
}
