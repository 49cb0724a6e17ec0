//! What each chart draws, read from the trigger-kept daily totals
//! (`region_day`, `site_day`): one row per day, whatever the row counts
//! of tallies and appointments behind them.

use crate::doses::figures::{confirmed_days, record_and_flags, DayDoses, Series};
use crate::doses::series;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DailyPoint {
    pub date: String,
    pub administered: i64,
    pub booked: i64,
    pub capacity: i64,
    /// Mean of the 7 days ending on this one (days before the range count);
    /// none while the series is less than 7 days old, and after its last day.
    pub avg7: Option<f64>,
    /// Implausible and not confirmed: shown, never a record.
    pub flagged: bool,
}

pub struct Daily {
    /// `None` for the whole region.
    pub site_name: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub points: Vec<DailyPoint>,
    /// The series' record day (over all days, not only the range).
    pub record: Option<DayDoses>,
}

/// `[administered, booked, capacity]` per date.
type Totals = HashMap<String, [i64; 3]>;

fn site_row(conn: &Connection, code: &str) -> Result<(i64, String)> {
    let site = crate::store::site::by_code(conn, code)?;
    Ok((site.id, site.name))
}

fn totals(conn: &Connection, from: NaiveDate, to: NaiveDate, site: Option<i64>) -> Result<Totals> {
    let (from, to) = (from.to_string(), to.to_string());
    let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, [i64; 3])> {
        Ok((
            r.get("date")?,
            [r.get("administered")?, r.get("booked")?, r.get("capacity")?],
        ))
    };
    let rows: Vec<(String, [i64; 3])> = match site {
        None => conn
            .prepare_cached(
                "SELECT date, administered, booked, capacity FROM region_day
                 WHERE date BETWEEN ?1 AND ?2",
            )?
            .query_map(params![from, to], map)?
            .collect::<rusqlite::Result<_>>()?,
        Some(id) => conn
            .prepare_cached(
                "SELECT date, administered, booked, capacity FROM site_day
                 WHERE site_id = ?3 AND date BETWEEN ?1 AND ?2",
            )?
            .query_map(params![from, to, id], map)?
            .collect::<rusqlite::Result<_>>()?,
    };
    Ok(rows.into_iter().collect())
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

pub fn daily(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    site: Option<&str>,
) -> Result<Daily> {
    let site = site.map(|code| site_row(conn, code)).transpose()?;
    let site_id = site.as_ref().map(|s| s.0);
    // Six days before the range feed the first days' 7-day average.
    let lead = from - chrono::Duration::days(6);
    let totals = totals(conn, lead, to, site_id)?;
    let series = series::regional(conn, site_id)?;
    let confirmed = if site_id.is_none() {
        confirmed_days(conn, Series::Regional)?
    } else {
        Default::default()
    };
    let (record, flags) = record_and_flags(&series, &confirmed);
    let flagged: std::collections::HashSet<String> = flags
        .into_iter()
        .filter(|f| !f.confirmed)
        .map(|f| f.date)
        .collect();
    let started = series.first().map(|d| d.date);
    let ended = series.last().map(|d| d.date);
    let mut window = std::collections::VecDeque::with_capacity(7);
    let mut points = Vec::new();
    for day in days(lead, to) {
        let key = day.to_string();
        let [administered, booked, capacity] = totals.get(&key).copied().unwrap_or_default();
        if window.len() == 7 {
            window.pop_front();
        }
        window.push_back(administered);
        if day >= from {
            points.push(DailyPoint {
                avg7: started
                    .filter(|s| day - chrono::Duration::days(6) >= *s)
                    .filter(|_| ended.is_some_and(|e| day <= e))
                    .map(|_| window.iter().sum::<i64>() as f64 / 7.0),
                flagged: flagged.contains(&key),
                date: key,
                administered,
                booked,
                capacity,
            });
        }
    }
    Ok(Daily {
        site_name: site.map(|s| s.1),
        from,
        to,
        points,
        record,
    })
}

pub struct Cumulative {
    pub site_name: Option<String>,
    /// (date, regional doses to date, provincial doses to date if known)
    pub points: Vec<(NaiveDate, i64, Option<i64>)>,
    pub has_provincial: bool,
}

pub fn cumulative(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    site: Option<&str>,
) -> Result<Cumulative> {
    let site = site.map(|code| site_row(conn, code)).transpose()?;
    let site_id = site.as_ref().map(|s| s.0);
    let regional = series::regional(conn, site_id)?;
    let provincial = series::provincial_days(&series::provincial(conn)?);
    let mut r = regional.iter().peekable();
    let mut p = provincial
        .iter()
        .filter(|d| d.cumulative.is_some())
        .peekable();
    let (mut reg_total, mut prov_total) = (0, None);
    let mut points = Vec::new();
    let first = regional.first().map_or(from, |d| d.date.min(from));
    for day in days(first, to) {
        while let Some(d) = r.next_if(|d| d.date <= day) {
            reg_total += d.doses;
        }
        while let Some(d) = p.next_if(|d| d.date <= day) {
            prov_total = d.cumulative;
        }
        if day >= from {
            points.push((day, reg_total, prov_total));
        }
    }
    Ok(Cumulative {
        site_name: site.map(|s| s.1),
        points,
        has_provincial: !provincial.is_empty(),
    })
}

pub struct SitePanel {
    pub code: String,
    pub name: String,
    pub total: i64,
    /// (administered, booked, capacity) per day of the range
    pub days: Vec<[i64; 3]>,
}

pub struct Sites {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub panels: Vec<SitePanel>,
    /// Sites with any activity in the range (panels shows the busiest).
    pub active_sites: usize,
}

/// Small multiples show at most this many sites, the busiest first.
pub const MAX_PANELS: usize = 12;

pub fn sites(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Sites> {
    let (f, t) = (from.to_string(), to.to_string());
    let mut stmt = conn.prepare_cached(
        "SELECT site.id, site.code, site.name, sum(d.administered) AS given,
                sum(d.booked) AS booked
         FROM site_day d JOIN site ON site.id = d.site_id
         WHERE d.date BETWEEN ?1 AND ?2
         GROUP BY d.site_id HAVING given > 0 OR booked > 0
         ORDER BY given DESC, booked DESC, site.code",
    )?;
    let ranked: Vec<(i64, String, String, i64)> = stmt
        .query_map(params![f, t], |r| {
            Ok((
                r.get("id")?,
                r.get("code")?,
                r.get("name")?,
                r.get("given")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut panels = Vec::new();
    for (id, code, name, total) in ranked.iter().take(MAX_PANELS) {
        let totals = totals(conn, from, to, Some(*id))?;
        panels.push(SitePanel {
            code: code.clone(),
            name: name.clone(),
            total: *total,
            days: days(from, to)
                .map(|d| totals.get(&d.to_string()).copied().unwrap_or_default())
                .collect(),
        });
    }
    Ok(Sites {
        from,
        to,
        panels,
        active_sites: ranked.len(),
    })
}
