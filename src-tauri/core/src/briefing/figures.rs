//! Every number a briefing prints, gathered for one date. Aggregates only.

use crate::checks::CheckQuery;
use crate::doses::figures::{figures_until, DoseFigures};
use crate::error::Result;
use crate::store::appointment::active;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct DayLoad {
    pub date: String,
    pub booked: i64,
    pub capacity: i64,
}

/// A site booked beyond its places in the days ahead: the people the
/// rebooking desk must move (or the site must find room for).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteOverCapacity {
    pub site_code: String,
    pub site_name: String,
    pub people: i64,
    pub first_date: String,
    pub last_date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftPlanLine {
    pub name: String,
    pub saved: String,
    pub extra_shifts: usize,
    pub added_capacity: i64,
    pub unmet_demand: i64,
    pub binding: Vec<String>,
    /// The solver's gap when the plan was saved (0: proven optimal).
    pub gap: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SitePlanLine {
    pub name: String,
    pub saved: String,
    pub chosen: Vec<String>,
    pub covered_before: f64,
    pub covered_after: f64,
    /// How far from the best possible (0: proven optimal); `None` for plans
    /// no solver bounded.
    pub gap: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub kind: String,
    pub file_name: String,
    pub sha256: String,
    pub imported_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefFigures {
    pub date: String,
    pub demo: bool,
    pub sites: i64,
    pub doses: DoseFigures,
    /// Tallies on the briefing date itself (none when not yet entered).
    pub doses_on_date: Option<i64>,
    pub next7: Vec<DayLoad>,
    pub overbooked_slots: i64,
    pub excess_bookings: i64,
    /// Over the whole store, as the Checks view counts them (not only ahead).
    pub orphan_first_doses: i64,
    /// People still expected at over-capacity slots: not reached, declined
    /// to move, or forecast among those still to call.
    pub still_expected: i64,
    /// Sites booked beyond their places from the briefing date on, most people first.
    pub over_capacity_sites: Vec<SiteOverCapacity>,
    pub calls: crate::rebook::CallProgress,
    /// People still expected at over-capacity slots (not reached, declined,
    /// forecast), per site-day, most first.
    pub walk_ins: Vec<crate::rebook::SiteDayArrivals>,
    /// Active bookings in the next 7 days per age cohort (`AGE_COHORTS`, then unknown).
    pub bookings_by_age: Vec<i64>,
    pub shift_plan: Option<ShiftPlanLine>,
    pub site_plan: Option<SitePlanLine>,
    pub cut_off: String,
    pub sources: Vec<Source>,
}

/// Lower bounds of the age cohorts, oldest first.
pub const AGE_COHORTS: [u32; 6] = [80, 70, 60, 50, 18, 0];

pub fn gather(conn: &Connection, date: NaiveDate) -> Result<BriefFigures> {
    let day = date.to_string();
    let ahead: Vec<NaiveDate> = (1..=7)
        .filter_map(|i| date.checked_add_days(chrono::Days::new(i)))
        .collect();
    let next7 = next_days(conn, &ahead)?;
    // Checks and rebooking look at the bookings from the briefing date on.
    let scope = CheckQuery {
        from: Some(day.clone()),
        to: None,
        site: None,
    };
    // The age table reads every page of the person table at province
    // scale: on another connection while this one works out the checks
    // and the rebooking figures.
    let (bookings_by_age, (checks, whole, rebook)) = crate::store::halves::read_beside(
        conn,
        |other| bookings_by_age(other, date, &ahead),
        |conn| {
            // Over capacity only: the people's checks are not on the page.
            let checks = crate::checks::capacity(conn, &scope)?;
            // First doses with no second: every one in the store, as the
            // Checks view counts them (a first dose given last month still
            // needs its second).
            let whole = crate::checks::for_view(conn, &CheckQuery::default())?;
            Ok((checks, whole, crate::rebook::plan(conn, &scope)?))
        },
    )?;
    let doses_on_date: Option<i64> = conn
        .query_row(
            "SELECT administered FROM region_day WHERE date = ?1 AND administered > 0",
            [&day],
            |r| r.get(0),
        )
        .optional()?;
    Ok(BriefFigures {
        date: day,
        demo: crate::stats::is_demo(conn)?,
        sites: conn.query_row("SELECT count(*) FROM site WHERE status = 'open'", [], |r| {
            r.get(0)
        })?,
        doses: figures_until(conn, Some(date))?,
        doses_on_date,
        next7,
        overbooked_slots: checks.overbooked_slots,
        excess_bookings: checks.excess_bookings,
        orphan_first_doses: whole.orphan_first_doses,
        still_expected: rebook.expected_arrivals.iter().map(|a| a.expected).sum(),
        over_capacity_sites: over_capacity_sites(conn, &checks.by_site_day)?,
        calls: crate::rebook::call_progress(conn, &rebook)?,
        walk_ins: rebook
            .expected_arrivals
            .iter()
            .filter(|a| a.expected > 0)
            .cloned()
            .collect(),
        bookings_by_age,
        shift_plan: shift_plan(conn)?,
        site_plan: site_plan(conn)?,
        cut_off: cut_off(conn)?,
        sources: sources(conn)?,
    })
}

/// The site-days over capacity, summed per site, most people first.
fn over_capacity_sites(
    conn: &Connection,
    days: &[crate::checks::SiteDayExcess],
) -> Result<Vec<SiteOverCapacity>> {
    let mut out: Vec<SiteOverCapacity> = Vec::new();
    for d in days {
        match out.iter_mut().find(|s| s.site_code == d.site_code) {
            Some(s) => {
                s.people += d.excess_bookings;
                s.first_date = s.first_date.clone().min(d.date.clone());
                s.last_date = s.last_date.clone().max(d.date.clone());
            }
            None => out.push(SiteOverCapacity {
                site_code: d.site_code.clone(),
                site_name: conn
                    .query_row(
                        "SELECT name FROM site WHERE code = ?1",
                        [&d.site_code],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or_default(),
                people: d.excess_bookings,
                first_date: d.date.clone(),
                last_date: d.date.clone(),
            }),
        }
    }
    out.sort_by(|a, b| b.people.cmp(&a.people).then(a.site_code.cmp(&b.site_code)));
    Ok(out)
}

fn next_days(conn: &Connection, days: &[NaiveDate]) -> Result<Vec<DayLoad>> {
    let mut stmt =
        conn.prepare_cached("SELECT booked, capacity FROM region_day WHERE date = ?1")?;
    let mut out = Vec::new();
    for d in days {
        let (booked, capacity) = stmt
            .query_row([d.to_string()], |r| {
                Ok((r.get("booked")?, r.get("capacity")?))
            })
            .optional()?
            .unwrap_or((0, 0));
        out.push(DayLoad {
            date: d.to_string(),
            booked,
            capacity,
        });
    }
    Ok(out)
}

fn bookings_by_age(conn: &Connection, date: NaiveDate, ahead: &[NaiveDate]) -> Result<Vec<i64>> {
    let (Some(first), Some(last)) = (ahead.first(), ahead.last()) else {
        return Ok(vec![0; AGE_COHORTS.len() + 1]);
    };
    let from = crate::time::day_start_minute(*first);
    let to = crate::time::day_start_minute(*last) + 24 * 60;
    // The week's bookings come from the slot index, which carries their
    // person: one range per site, the table itself never read (a pass
    // along it took 3 s at 10 million). They are counted per person here,
    // sorted in Rust (SQLite's GROUP BY sorted them a record at a time),
    // then each person is looked up once, in key order: a random read of
    // the person table per booking made it slower still.
    let mut week = conn.prepare_cached(concat!(
        "SELECT a.person_id
         FROM site s CROSS JOIN appointment a INDEXED BY appointment_by_site_slot
         WHERE a.site_id = s.id AND a.slot_minute >= ?1 AND a.slot_minute < ?2 AND ",
        active!(a)
    ))?;
    let mut people: Vec<String> = week
        .query_map(params![from, to], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    people.sort_unstable();
    let people: Vec<(&str, i64)> = people
        .chunk_by(|a, b| a == b)
        .map(|bookings| (bookings[0].as_str(), bookings.len() as i64))
        .collect();
    // Each person's page is decrypted to read one date: at 10 million
    // bookings that is every page of the person table, so the two halves
    // of the people are looked up at once, on two cores. A birth date
    // corrected meanwhile counts as it would a moment later.
    let halves = crate::store::halves::read_in_halves(conn, &people, |conn, people| {
        cohort_counts(conn, people, date)
    })?;
    let mut counts = vec![0; AGE_COHORTS.len() + 1];
    for half in halves {
        for (total, n) in counts.iter_mut().zip(half) {
            *total += n;
        }
    }
    Ok(counts)
}

/// Bookings per age cohort on `date` (the last: birth date unknown) of
/// `people`, each with their number of bookings.
fn cohort_counts(conn: &Connection, people: &[(&str, i64)], date: NaiveDate) -> Result<Vec<i64>> {
    let mut birth_of = conn.prepare_cached("SELECT birth_date FROM person WHERE person_id = ?1")?;
    let mut counts = vec![0; AGE_COHORTS.len() + 1];
    for &(person, bookings) in people {
        let birth: Option<String> = birth_of
            .query_row([person], |r| r.get(0))
            .optional()?
            .flatten();
        let cohort = birth
            .as_deref()
            .and_then(crate::time::parse_date)
            .map(|b| age_on(b, date))
            .and_then(|age| AGE_COHORTS.iter().position(|&min| age >= min))
            .unwrap_or(AGE_COHORTS.len());
        counts[cohort] += bookings;
    }
    Ok(counts)
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let years = day.year() - birth.year();
    let before_birthday = (day.month(), day.day()) < (birth.month(), birth.day());
    (years - i32::from(before_birthday)).max(0) as u32
}

/// The latest saved plan of a kind: (name, created_at, outputs JSON).
fn latest_plan(
    conn: &Connection,
    kind: &str,
) -> Result<Option<(String, String, serde_json::Value)>> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT name, created_at, outputs FROM plan WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
            [kind],
            |r| Ok((r.get("name")?, r.get("created_at")?, r.get("outputs")?)),
        )
        .optional()?;
    Ok(row.map(|(name, created, outputs)| {
        let value = serde_json::from_str(&outputs).unwrap_or(serde_json::Value::Null);
        (name, created.chars().take(10).collect(), value)
    }))
}

fn shift_plan(conn: &Connection) -> Result<Option<ShiftPlanLine>> {
    Ok(
        latest_plan(conn, "shifts")?.map(|(name, saved, v)| ShiftPlanLine {
            name,
            saved,
            extra_shifts: v["extra_shifts"].as_array().map_or(0, Vec::len),
            added_capacity: v["added_capacity"].as_i64().unwrap_or(0),
            unmet_demand: v["unmet_demand"].as_i64().unwrap_or(0),
            binding: v["binding"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            gap: v["gap"].as_f64(),
        }),
    )
}

fn site_plan(conn: &Connection) -> Result<Option<SitePlanLine>> {
    Ok(
        latest_plan(conn, "sites")?.map(|(name, saved, v)| SitePlanLine {
            name,
            saved,
            chosen: v["chosen"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|p| p["site_code"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            covered_before: v["covered_before"].as_f64().unwrap_or(0.0),
            covered_after: v["covered_after"].as_f64().unwrap_or(0.0),
            gap: v["gap"].as_f64(),
        }),
    )
}

/// The latest time the numbers could have changed: the last import or
/// tally entered at a clinic.
fn cut_off(conn: &Connection) -> Result<String> {
    let latest: Option<String> = conn.query_row(
        "SELECT max(t) FROM (
             SELECT max(imported_at) AS t FROM import_log
             UNION ALL SELECT max(updated_at) FROM dose_count WHERE source = 'local'
             UNION ALL SELECT max(attempted_at) FROM contact_attempt)",
        [],
        |r| r.get(0),
    )?;
    Ok(latest.unwrap_or_default())
}

/// The latest import of each file, by kind.
fn sources(conn: &Connection) -> Result<Vec<Source>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, file_name, sha256, max(imported_at) AS imported_at FROM import_log
         GROUP BY kind, file_name ORDER BY kind, file_name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Source {
            kind: r.get("kind")?,
            file_name: r.get("file_name")?,
            sha256: r.get("sha256")?,
            imported_at: r.get("imported_at")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
