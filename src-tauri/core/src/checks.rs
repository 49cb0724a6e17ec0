//! Booking checks: the failures of spring 2021, found before clinic day.
//! Over-capacity slots, bookings outside any shift, people booked twice for
//! the same dose, first doses without a second, second doses outside the
//! product's interval, and bookings for people not yet eligible.
//!
//! Active = status booked or attended. Slot capacity follows FORMATS.md:
//! the sum over the site's shifts covering the 5-minute slot.

use crate::capacity::slot_capacity;
use crate::error::{Error, Result};
use crate::time::{day_start_minute, parse_date, parse_hhmm, MINUTES_PER_DAY, SLOT_MINUTES};
use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckQuery {
    /// First and last appointment date to check (inclusive), `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this site (code).
    pub site: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SiteDayExcess {
    pub site_code: String,
    pub date: String,
    pub excess_bookings: i64,
}

/// The stable contract of `dosedesk-cli check --json`.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub overbooked_slots: i64,
    pub excess_bookings: i64,
    pub outside_shift_bookings: i64,
    pub duplicate_people: i64,
    pub orphan_first_doses: i64,
    pub second_dose_out_of_window: i64,
    pub not_yet_eligible: i64,
    /// Site-days with excess bookings, worst first.
    pub by_site_day: Vec<SiteDayExcess>,
}

struct Scope {
    from_minute: i64,
    to_minute: i64,
    site_id: Option<i64>,
}

impl Scope {
    fn contains(&self, site_id: i64, minute: i64) -> bool {
        (self.from_minute..self.to_minute).contains(&minute)
            && self.site_id.is_none_or(|s| s == site_id)
    }
}

fn scope(conn: &Connection, q: &CheckQuery) -> Result<Scope> {
    let date = |s: &Option<String>, what: &str| -> Result<Option<NaiveDate>> {
        s.as_deref()
            .map(|d| {
                parse_date(d).ok_or_else(|| {
                    Error::InvalidInput(format!("--{what} {d:?} is not a date (YYYY-MM-DD)"))
                })
            })
            .transpose()
    };
    let from = date(&q.from, "from")?;
    let to = date(&q.to, "to")?;
    let site_id = match &q.site {
        None => None,
        Some(code) => Some(
            conn.query_row("SELECT id FROM site WHERE code = ?1", [code], |r| r.get(0))
                .map_err(|_| Error::NotFound(format!("no site with code {code:?}")))?,
        ),
    };
    Ok(Scope {
        from_minute: from.map_or(i64::MIN, day_start_minute),
        to_minute: to.map_or(i64::MAX, |d| day_start_minute(d) + MINUTES_PER_DAY),
        site_id,
    })
}

/// Per-slot capacity of each shift, by (site, day): (start, end, per slot).
type ShiftSlots = HashMap<(i64, i64), Vec<(i64, i64, i64)>>;

/// Shifts by (site, day), all of them or one site-day's.
fn shift_slots(conn: &Connection, only: Option<(i64, NaiveDate)>) -> Result<ShiftSlots> {
    let mut stmt = conn.prepare(
        "SELECT sh.site_id, sh.date, sh.start, sh.end, sh.vaccinators, sh.capacity, s.minutes_per_dose
         FROM shift sh JOIN site s ON s.id = sh.site_id
         WHERE (?1 IS NULL OR sh.site_id = ?1) AND (?2 IS NULL OR sh.date = ?2)",
    )?;
    let mut rows = stmt.query(rusqlite::params![
        only.map(|o| o.0),
        only.map(|o| o.1.to_string())
    ])?;
    let mut out: ShiftSlots = HashMap::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get("date")?;
        let (start, end): (String, String) = (r.get("start")?, r.get("end")?);
        let (Some(day), Some(s), Some(e)) =
            (parse_date(&date), parse_hhmm(&start), parse_hhmm(&end))
        else {
            continue; // the importers never store such a shift
        };
        let minutes = i64::from(e - s);
        let per_slot = slot_capacity(
            r.get("vaccinators")?,
            minutes,
            r.get("minutes_per_dose")?,
            r.get("capacity")?,
        );
        out.entry((r.get("site_id")?, day_start_minute(day) / MINUTES_PER_DAY))
            .or_default()
            .push((i64::from(s), i64::from(e), per_slot));
    }
    Ok(out)
}

/// Capacity of every slot a site's shifts cover on one day: (slot start, places).
pub fn slot_capacities(conn: &Connection, site_id: i64, day: NaiveDate) -> Result<Vec<(i64, i64)>> {
    let shifts = shift_slots(conn, Some((site_id, day)))?;
    let base = day_start_minute(day);
    let mut out = Vec::new();
    let mut slot = base;
    while slot < base + MINUTES_PER_DAY {
        if let Some(cap) = capacity_at(&shifts, site_id, slot) {
            out.push((slot, cap));
        }
        slot += SLOT_MINUTES;
    }
    Ok(out)
}

/// Capacity of the slot starting at `slot` at a site, or `None` when no
/// shift covers it: the one place a single slot's capacity is computed.
pub fn slot_capacity_at(conn: &Connection, site_id: i64, slot: i64) -> Result<Option<i64>> {
    let day = crate::time::datetime_of_minute(slot).date();
    let shifts = shift_slots(conn, Some((site_id, day)))?;
    Ok(capacity_at(&shifts, site_id, slot))
}

/// Capacity of the slot starting at `minute`, or `None` when no shift covers it.
fn capacity_at(shifts: &ShiftSlots, site_id: i64, minute: i64) -> Option<i64> {
    let day = minute.div_euclid(MINUTES_PER_DAY);
    let time = minute.rem_euclid(MINUTES_PER_DAY);
    let covering: Vec<i64> = shifts
        .get(&(site_id, day))?
        .iter()
        .filter(|(s, e, _)| *s <= time && time < *e)
        .map(|(_, _, c)| *c)
        .collect();
    (!covering.is_empty()).then(|| covering.iter().sum())
}

pub fn run(conn: &Connection, q: &CheckQuery) -> Result<CheckReport> {
    let scope = scope(conn, q)?;
    let mut report = CheckReport::default();
    check_slots(conn, &scope, &mut report)?;
    check_people(conn, &scope, &mut report)?;
    Ok(report)
}

/// Streams the active bookings per slot, in (site, slot) order, and calls
/// `each(site, slot start, active bookings, capacity)`; capacity is `None`
/// when no shift covers the slot.
fn for_each_slot(
    conn: &Connection,
    scope: &Scope,
    mut each: impl FnMut(i64, i64, i64, Option<i64>),
) -> Result<()> {
    let shifts = shift_slots(conn, None)?;
    // The covering index hands over each slot's bookings together.
    let mut stmt = conn.prepare(
        "SELECT site_id, slot_minute FROM appointment INDEXED BY appointment_by_site_slot
         WHERE (status = 'booked' OR status = 'attended')
           AND slot_minute >= ?1 AND slot_minute < ?2 AND (?3 IS NULL OR site_id = ?3)
         ORDER BY site_id, slot_minute",
    )?;
    let mut rows = stmt.query(rusqlite::params![
        scope.from_minute,
        scope.to_minute,
        scope.site_id
    ])?;
    let mut current: Option<(i64, i64, i64)> = None; // site, slot, active bookings
    let mut finish = |slot: Option<(i64, i64, i64)>| {
        if let Some((site, start, n)) = slot {
            each(site, start, n, capacity_at(&shifts, site, start));
        }
    };
    while let Some(r) = rows.next()? {
        let site: i64 = r.get(0)?;
        let minute: i64 = r.get(1)?;
        let slot = minute - minute.rem_euclid(SLOT_MINUTES);
        match &mut current {
            Some((s, t, n)) if *s == site && *t == slot => *n += 1,
            _ => finish(current.replace((site, slot, 1))),
        }
    }
    finish(current.take());
    Ok(())
}

/// Over-capacity slots as (site id, slot start, excess bookings).
pub fn over_capacity_slots(conn: &Connection, q: &CheckQuery) -> Result<Vec<(i64, i64, i64)>> {
    let scope = scope(conn, q)?;
    let mut out = Vec::new();
    for_each_slot(conn, &scope, |site, slot, n, cap| {
        if let Some(cap) = cap.filter(|c| n > *c) {
            out.push((site, slot, n - cap));
        }
    })?;
    Ok(out)
}

fn check_slots(conn: &Connection, scope: &Scope, report: &mut CheckReport) -> Result<()> {
    let codes: HashMap<i64, String> = conn
        .prepare("SELECT id, code FROM site")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_day: HashMap<(i64, i64), i64> = HashMap::new();
    for_each_slot(conn, scope, |site, start, n, cap| match cap {
        None => report.outside_shift_bookings += n,
        Some(cap) if n > cap => {
            report.overbooked_slots += 1;
            report.excess_bookings += n - cap;
            *by_day
                .entry((site, start.div_euclid(MINUTES_PER_DAY)))
                .or_default() += n - cap;
        }
        Some(_) => {}
    })?;
    let mut days: Vec<SiteDayExcess> = by_day
        .into_iter()
        .map(|((site, day), excess)| SiteDayExcess {
            site_code: codes.get(&site).cloned().unwrap_or_default(),
            date: crate::time::format_minute(day * MINUTES_PER_DAY)[..10].to_owned(),
            excess_bookings: excess,
        })
        .collect();
    days.sort_by(|a, b| {
        b.excess_bookings
            .cmp(&a.excess_bookings)
            .then_with(|| a.date.cmp(&b.date))
            .then_with(|| a.site_code.cmp(&b.site_code))
    });
    report.by_site_day = days;
    Ok(())
}

/// One active booking, reduced to what the per-person checks need.
#[derive(Clone, Copy)]
struct Dose {
    person: u64,
    dose: u8,
    minute: i64,
    product: u16,
    site: i64,
}

fn check_people(conn: &Connection, scope: &Scope, report: &mut CheckReport) -> Result<()> {
    let products: Vec<(String, i64, i64)> = conn
        .prepare("SELECT code, min_interval_days, max_interval_days FROM product ORDER BY code")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let product_index: HashMap<&str, u16> = products
        .iter()
        .enumerate()
        .map(|(i, (code, ..))| (code.as_str(), i as u16))
        .collect();
    let eligibility = Eligibility::load(conn)?;
    // People are grouped by a 64-bit hash of their id: a table scan and an
    // in-memory sort beat 10M index look-ups. (A collision would only merge
    // two people's checks; at 10M people its chance is about 1 in 200,000.)
    let hasher = std::collections::hash_map::RandomState::new();
    let hash = |id: &str| {
        let mut h = hasher.build_hasher();
        h.write(id.as_bytes());
        h.finish()
    };
    let birth_dates: HashMap<u64, i64> = if eligibility.is_empty() {
        HashMap::new()
    } else {
        let mut stmt =
            conn.prepare("SELECT person_id, birth_date FROM person WHERE birth_date IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let birth: String = r.get(1)?;
            if let Some(d) = parse_date(&birth) {
                out.insert(hash(&id), day_start_minute(d) / MINUTES_PER_DAY);
            }
        }
        out
    };
    let mut stmt = conn.prepare(
        "SELECT person_id, dose_number, slot_minute, product, site_id FROM appointment NOT INDEXED
         WHERE status = 'booked' OR status = 'attended'",
    )?;
    let mut rows = stmt.query([])?;
    let mut doses = Vec::new();
    while let Some(r) = rows.next()? {
        let person = hash(text(r, 0)?);
        let product = text(r, 3)?;
        let dose = Dose {
            person,
            dose: r.get::<_, i64>(1)? as u8,
            minute: r.get(2)?,
            product: product_index.get(product).copied().unwrap_or(u16::MAX),
            site: r.get(4)?,
        };
        if dose.dose == 1 && scope.contains(dose.site, dose.minute) {
            if let Some(birth) = birth_dates.get(&person) {
                if !eligibility.allows(*birth, dose.minute, dose.site) {
                    report.not_yet_eligible += 1;
                }
            }
        }
        doses.push(dose);
    }
    doses.sort_unstable_by_key(|d| (d.person, d.dose, d.minute));
    for person in doses.chunk_by(|a, b| a.person == b.person) {
        let in_scope = |d: &Dose| scope.contains(d.site, d.minute);
        let firsts: Vec<&Dose> = person.iter().filter(|d| d.dose == 1).collect();
        let seconds: Vec<&Dose> = person.iter().filter(|d| d.dose == 2).collect();
        let repeated = person
            .chunk_by(|a, b| a.dose == b.dose)
            .any(|same| same.len() > 1 && same.iter().any(in_scope));
        if repeated {
            report.duplicate_people += 1;
        }
        if seconds.is_empty() && firsts.iter().any(|d| in_scope(d)) {
            report.orphan_first_doses += 1;
        }
        if let Some(first) = firsts.first() {
            let (min, max) = products
                .get(first.product as usize)
                .map_or((0, i64::MAX), |(_, min, max)| (*min, *max));
            let first_day = first.minute.div_euclid(MINUTES_PER_DAY);
            let outside = seconds.iter().filter(|d| in_scope(d)).any(|d| {
                let gap = d.minute.div_euclid(MINUTES_PER_DAY) - first_day;
                gap < min || gap > max
            });
            if outside {
                report.second_dose_out_of_window += 1;
            }
        }
    }
    Ok(())
}

fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Eligibility phases: from a date, people of at least an age may book,
/// optionally only at one kind of site.
struct Eligibility {
    /// (from day, min age, site kind)
    phases: Vec<(i64, i64, Option<String>)>,
    site_kinds: HashMap<i64, String>,
}

impl Eligibility {
    fn load(conn: &Connection) -> Result<Self> {
        let mut phases = Vec::new();
        let mut stmt =
            conn.prepare("SELECT from_date, min_age, site_kind FROM eligibility_phase")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let from: String = r.get(0)?;
            if let Some(d) = parse_date(&from) {
                phases.push((day_start_minute(d) / MINUTES_PER_DAY, r.get(1)?, r.get(2)?));
            }
        }
        let site_kinds = conn
            .prepare("SELECT id, kind FROM site")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Eligibility { phases, site_kinds })
    }

    fn is_empty(&self) -> bool {
        self.phases.is_empty()
    }

    /// May someone born on `birth_day` book at `site` for `minute`?
    fn allows(&self, birth_day: i64, minute: i64, site: i64) -> bool {
        let day = minute.div_euclid(MINUTES_PER_DAY);
        let kind = self.site_kinds.get(&site).map(String::as_str);
        let age = age_on(birth_day, day);
        self.phases.iter().any(|(from, min_age, k)| {
            *from <= day && age >= *min_age && k.as_deref().is_none_or(|k| Some(k) == kind)
        })
    }
}

/// Whole years between two day numbers (days since 1970-01-01).
fn age_on(birth_day: i64, day: i64) -> i64 {
    let date = |d: i64| crate::time::datetime_of_minute(d * MINUTES_PER_DAY).date();
    let (b, d) = (date(birth_day), date(day));
    let mut age = i64::from(d.year() - b.year());
    if (d.month(), d.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests;
