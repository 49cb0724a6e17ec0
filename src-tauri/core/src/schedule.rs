//! The clinic schedule view: sites × days for one week, each shift with its
//! hours, staff, capacity and active bookings. Paged by site so a province
//! with thousands of sites never ships whole tables to the UI.

use crate::capacity::shift_capacity;
use crate::error::{Error, Result};
use crate::store::appointment::active;
use crate::time::{day_start_minute, parse_date, parse_hhmm};
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// Sites per schedule page when the query names no limit: a week of 25
/// sites is about 350 shifts, which the app lays out in well under 100 ms
/// (50 took 60 ms of layout alone at province scale).
pub const SITES_PER_PAGE: u32 = 25;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct WeekQuery {
    /// Any date in the wanted week; the week starts on Monday.
    pub date: String,
    /// Only this site (code), when given.
    pub site: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct WeekSchedule {
    pub week_start: String,
    pub days: Vec<String>,
    pub sites: Vec<SiteWeek>,
    /// Sites matching the filter, for paging.
    pub total_sites: u32,
    /// Sites per page (the query's limit, else `SITES_PER_PAGE`).
    pub page_size: u32,
}

#[derive(Debug, Serialize)]
pub struct SiteWeek {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub shifts: Vec<ShiftCell>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ShiftCell {
    pub id: i64,
    pub date: String,
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
    pub capacity: i64,
    /// Bookings with status booked or attended inside the shift's hours.
    pub booked: i64,
    /// Cancelled in the app: no vaccinators and a capacity of 0
    /// (`shift_edit::cancel`); its bookings are the desk's to move.
    pub cancelled: bool,
    /// Entered in the app (a temporary clinic, an added shift) or by
    /// applying a plan, rather than imported: `local`, `plan` or `import`.
    pub source: String,
}

/// Sites for the filter list: (code, name), ordered by name.
pub fn site_list(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn
        .prepare_cached("SELECT code, name FROM site WHERE status = 'open' ORDER BY name, code")?;
    let rows = stmt.query_map([], |r| Ok((r.get("code")?, r.get("name")?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (code, name) of every vaccine product the store knows (the built-in
/// three and any the unit added, here or on another laptop), by name.
pub fn product_list(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT code, name FROM product ORDER BY name, code")?;
    let rows = stmt.query_map([], |r| Ok((r.get("code")?, r.get("name")?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn week(conn: &Connection, query: &WeekQuery) -> Result<WeekSchedule> {
    crate::store::read_snapshot(conn, || week_in(conn, query))
}

fn week_in(conn: &Connection, query: &WeekQuery) -> Result<WeekSchedule> {
    let date = crate::time::require_date("", &query.date)?;
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let days: Vec<NaiveDate> = (0..7).map(|i| monday + Duration::days(i)).collect();
    let (first, last) = (days[0].to_string(), days[6].to_string());
    let limit = query.limit.unwrap_or(SITES_PER_PAGE).clamp(1, 500);
    let offset = query.offset.unwrap_or(0);
    // A mistyped code says so, rather than showing an empty week.
    if let Some(code) = &query.site {
        crate::store::site::id(conn, code)?;
    }

    let total_sites: u32 = conn.query_row(
        "SELECT count(*) FROM site WHERE status = 'open' AND (?1 IS NULL OR code = ?1)",
        [&query.site],
        |r| r.get(0),
    )?;
    let mut sites_stmt = conn.prepare_cached(
        "SELECT id, code, name, kind, minutes_per_dose FROM site
         WHERE status = 'open' AND (?1 IS NULL OR code = ?1)
         ORDER BY CASE kind WHEN 'mass_clinic' THEN 0 WHEN 'temporary_clinic' THEN 1 ELSE 2 END,
                  name, code
         LIMIT ?2 OFFSET ?3",
    )?;
    let mut shifts_stmt = conn.prepare_cached(
        "SELECT id, date, start, end, vaccinators, capacity, source FROM shift
         WHERE site_id = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date, start",
    )?;
    // One pass over the site's week in the covering index; each shift then
    // counts its range of the sorted minutes.
    let mut booked_stmt = conn.prepare_cached(concat!(
        "SELECT slot_minute FROM appointment
         WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
           AND ",
        active!(),
        "
         ORDER BY slot_minute"
    ))?;
    let (week_from, week_to) = (
        day_start_minute(days[0]),
        day_start_minute(days[6]) + crate::time::MINUTES_PER_DAY,
    );

    let site_rows = sites_stmt.query_map(params![query.site, limit, offset], |r| {
        Ok((
            r.get::<_, i64>("id")?,
            r.get::<_, String>("code")?,
            r.get::<_, String>("name")?,
            r.get::<_, String>("kind")?,
            r.get::<_, f64>("minutes_per_dose")?,
        ))
    })?;
    let site_rows: Vec<_> = site_rows.collect::<rusqlite::Result<_>>()?;
    let mut sites = Vec::with_capacity(site_rows.len());
    for (site_id, code, name, kind, minutes_per_dose) in site_rows {
        let raw = shifts_stmt.query_map(params![site_id, first, last], |r| {
            Ok((
                (r.get::<_, i64>("id")?, r.get::<_, String>("source")?),
                r.get::<_, String>("date")?,
                r.get::<_, String>("start")?,
                r.get::<_, String>("end")?,
                r.get::<_, i64>("vaccinators")?,
                r.get::<_, Option<i64>>("capacity")?,
            ))
        })?;
        let raw: Vec<_> = raw.collect::<rusqlite::Result<_>>()?;
        let booked_minutes: Vec<i64> = booked_stmt
            .query_map(params![site_id, week_from, week_to], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let count_between = |from: i64, to: i64| {
            (booked_minutes.partition_point(|m| *m < to)
                - booked_minutes.partition_point(|m| *m < from)) as i64
        };
        let mut shifts = Vec::with_capacity(raw.len());
        for ((id, source), date, start, end, vaccinators, explicit) in raw {
            let (Some(day), Some(s), Some(e)) =
                (parse_date(&date), parse_hhmm(&start), parse_hhmm(&end))
            else {
                return Err(Error::InvalidInput(format!(
                    "shift at {code} on {date} has malformed times {start}–{end}"
                )));
            };
            let base = day_start_minute(day);
            let minutes = i64::from(e - s);
            let booked = count_between(base + i64::from(s), base + i64::from(e));
            shifts.push(ShiftCell {
                id,
                cancelled: vaccinators == 0 && explicit == Some(0),
                source,
                date,
                start,
                end,
                vaccinators,
                capacity: shift_capacity(vaccinators, minutes, minutes_per_dose, explicit),
                booked,
            });
        }
        sites.push(SiteWeek {
            code,
            name,
            kind,
            shifts,
        });
    }
    Ok(WeekSchedule {
        week_start: first,
        days: days.iter().map(NaiveDate::to_string).collect(),
        sites,
        total_sites,
        page_size: limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_file, ImportKind, Quiet};
    use std::io::Write;

    fn file(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).expect("create");
        f.write_all(body.as_bytes()).expect("write");
        path
    }

    #[test]
    fn counts_active_bookings_per_shift() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = crate::store::open_in_memory().expect("open");
        let sites = file(dir.path(), "sites.csv", "site_code,name,kind,minutes_per_dose\nEVJ,Eva James,mass_clinic,5\nRX1,Pharmacy,pharmacy,\n");
        let shifts = file(
            dir.path(),
            "shifts.csv",
            "site_code,date,start,end,vaccinators,capacity\n\
             EVJ,2021-03-23,08:00,14:00,6,\n\
             EVJ,2021-03-23,14:00,20:00,4,200\n\
             EVJ,2021-03-30,08:00,14:00,6,\n",
        );
        let bookings = file(
            dir.path(),
            "bookings.csv",
            "booking_id,person_id,site_code,slot_start,dose_number,product,status\n\
             b1,p1,EVJ,2021-03-23T08:00,1,PFIZER,booked\n\
             b2,p2,EVJ,2021-03-23T13:55,1,PFIZER,attended\n\
             b3,p3,EVJ,2021-03-23T14:00,1,PFIZER,BOOKED\n\
             b4,p4,EVJ,2021-03-23T09:00,1,PFIZER,cancelled\n\
             b5,p5,EVJ,2021-03-23T20:00,1,PFIZER,booked\n",
        );
        for (kind, path) in [
            (ImportKind::Sites, &sites),
            (ImportKind::Shifts, &shifts),
            (ImportKind::Bookings, &bookings),
        ] {
            import_file(&mut conn, kind, path, &Quiet).expect("import");
        }
        let week = week(
            &conn,
            &WeekQuery {
                date: "2021-03-25".into(),
                ..Default::default()
            },
        )
        .expect("week");
        assert_eq!(week.week_start, "2021-03-22");
        assert_eq!(week.days.len(), 7);
        assert_eq!(week.total_sites, 2);
        assert_eq!(week.sites[0].code, "EVJ", "mass clinics first");
        let cells = &week.sites[0].shifts;
        assert_eq!(cells.len(), 2, "the 30 March shift is next week");
        assert_eq!((cells[0].capacity, cells[0].booked), (432, 2));
        assert_eq!((cells[1].capacity, cells[1].booked), (200, 1));
        assert!(week.sites[1].shifts.is_empty());

        let only = week_for(&conn, "2021-03-22", Some("RX1"));
        assert_eq!(only.sites.len(), 1);
        assert_eq!(only.sites[0].code, "RX1");
    }

    fn week_for(conn: &Connection, date: &str, site: Option<&str>) -> WeekSchedule {
        week(
            conn,
            &WeekQuery {
                date: date.into(),
                site: site.map(str::to_owned),
                ..Default::default()
            },
        )
        .expect("week")
    }

    #[test]
    fn rejects_a_bad_date() {
        let conn = crate::store::open_in_memory().expect("open");
        let err = week(
            &conn,
            &WeekQuery {
                date: "next week".into(),
                ..Default::default()
            },
        )
        .expect_err("bad date");
        assert_eq!(err.code(), "invalid_input");
    }

    #[test]
    fn pages_hold_25_sites_unless_the_query_says_otherwise() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = crate::store::open_in_memory().expect("open");
        let mut csv = String::from("site_code,name,kind\n");
        for i in 0..30 {
            csv.push_str(&format!("S{i:02},Site {i:02},pharmacy\n"));
        }
        let sites = file(dir.path(), "sites.csv", &csv);
        import_file(&mut conn, ImportKind::Sites, &sites, &Quiet).expect("sites");
        let page = |offset, limit| {
            let q = WeekQuery {
                date: "2021-03-23".into(),
                site: None,
                offset: Some(offset),
                limit,
            };
            week(&conn, &q).expect("week")
        };
        let first = page(0, None);
        assert_eq!(
            (first.sites.len(), first.page_size, first.total_sites),
            (25, 25, 30)
        );
        let rest = page(25, None);
        assert_eq!(rest.sites.len(), 5);
        assert_eq!(rest.sites[0].code, "S25");
        assert_eq!(page(0, Some(10)).sites.len(), 10);
    }
}
