//! Booking checks: the failures of spring 2021, found before clinic day.
//! Over-capacity slots, bookings outside any shift, people booked twice for
//! the same dose, first doses without a second, second doses outside the
//! product's interval, and bookings for people not yet eligible.
//!
//! Active = status booked or attended. Slot capacity follows FORMATS.md:
//! the sum over the site's shifts covering the 5-minute slot.

use crate::capacity::{capacity_on_day, shift_slots, ShiftSlots};
use crate::error::Result;
use crate::store::appointment::active;
use crate::time::{day_start_minute, parse_date, require_date, MINUTES_PER_DAY, SLOT_MINUTES};
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod results;
pub use results::{current, invalidate, refresh};

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
    /// How many site-days have excess bookings.
    pub site_days_with_excess: i64,
    /// Site-days with excess bookings, worst first (all of them from `run`;
    /// the first few from `current`).
    pub by_site_day: Vec<SiteDayExcess>,
}

struct Scope {
    from_minute: i64,
    to_minute: i64,
    site_id: Option<i64>,
}

impl Scope {
    const EVERYTHING: Scope = Scope {
        from_minute: i64::MIN,
        to_minute: i64::MAX,
        site_id: None,
    };

    /// One site's day.
    fn site_day(site_id: i64, day: i64) -> Scope {
        Scope {
            from_minute: day * MINUTES_PER_DAY,
            to_minute: (day + 1) * MINUTES_PER_DAY,
            site_id: Some(site_id),
        }
    }

    fn contains(&self, site_id: i64, minute: i64) -> bool {
        (self.from_minute..self.to_minute).contains(&minute)
            && self.site_id.is_none_or(|s| s == site_id)
    }
}

fn scope(conn: &Connection, q: &CheckQuery) -> Result<Scope> {
    let date = |s: &Option<String>, what: &str| -> Result<Option<NaiveDate>> {
        s.as_deref().map(|d| require_date(what, d)).transpose()
    };
    let from = date(&q.from, "from")?;
    let to = date(&q.to, "to")?;
    let site_id = match &q.site {
        None => None,
        Some(code) => Some(crate::store::site::id(conn, code)?),
    };
    Ok(Scope {
        from_minute: from.map_or(i64::MIN, day_start_minute),
        to_minute: to.map_or(i64::MAX, |d| day_start_minute(d) + MINUTES_PER_DAY),
        site_id,
    })
}

/// Checks the bookings in scope from scratch: the reference the kept results
/// (`current`) are tested against, and what scoped queries use.
pub fn run(conn: &Connection, q: &CheckQuery) -> Result<CheckReport> {
    let scope = scope(conn, q)?;
    // The two passes read different indexes and share nothing: one on each
    // core, over the same moment of the store.
    let (people, mut report) = crate::store::halves::read_beside_at_one_moment(
        conn,
        |conn| people_counts(conn, &scope),
        |conn| {
            let mut report = CheckReport::default();
            check_slots(conn, &scope, &mut report)?;
            Ok(report)
        },
    )?;
    report.duplicate_people = people.duplicate_people;
    report.orphan_first_doses = people.orphan_first_doses;
    report.second_dose_out_of_window = people.second_dose_out_of_window;
    report.not_yet_eligible = people.not_yet_eligible;
    Ok(report)
}

/// The people's figures of a check over `scope` (the rest left zero).
fn people_counts(conn: &Connection, scope: &Scope) -> Result<CheckReport> {
    let rules = PersonRules::load(conn)?;
    let mut report = CheckReport::default();
    scan_people(conn, scope, &rules, |_, found| {
        report.duplicate_people += i64::from(found.duplicate);
        report.orphan_first_doses += i64::from(found.orphan_first);
        report.second_dose_out_of_window += i64::from(found.out_of_window);
        report.not_yet_eligible += found.not_yet_eligible;
    })?;
    Ok(report)
}

/// The capacity half of [`run`] from the kept results (refreshed first):
/// over-capacity slots, their excess bookings and the site-days over
/// capacity, in scope. Bookings outside any shift and the people's checks
/// are not counted (zero): the briefing shows none of them, and judging
/// them afresh scans every booking in scope (seconds at province scale).
pub fn capacity(conn: &Connection, q: &CheckQuery) -> Result<CheckReport> {
    let scope = scope(conn, q)?;
    let slots =
        results::over_capacity_slots(conn, scope.from_minute, scope.to_minute, scope.site_id)?;
    let mut by_day: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    for (site, start, excess) in slots {
        let day = by_day
            .entry((site, start.div_euclid(MINUTES_PER_DAY)))
            .or_default();
        day.0 += 1;
        day.1 += excess;
    }
    let mut report = CheckReport::default();
    add_site_days(conn, by_day, &mut report)?;
    Ok(report)
}

impl CheckQuery {
    fn is_whole_store(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.site.is_none()
    }
}

/// The capacity figures of a scope alone, without the people's checks.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct SlotFigures {
    pub overbooked_slots: i64,
    pub excess_bookings: i64,
}

/// Over-capacity slots and their excess bookings in scope: an index range
/// over the scope's slots, where `run` also scans every booking for the
/// people's checks (seconds at province scale). The start-up banner asks
/// this at every start.
pub fn slot_figures(conn: &Connection, q: &CheckQuery) -> Result<SlotFigures> {
    let scope = scope(conn, q)?;
    let mut figures = SlotFigures::default();
    for found in site_day_findings(conn, &scope)?.values() {
        figures.overbooked_slots += found.overbooked_slots;
        figures.excess_bookings += found.excess_bookings;
    }
    Ok(figures)
}

/// Site-days a view lists; the report still counts them all.
pub const SITE_DAYS_SHOWN: usize = 200;

/// The report a view shows: for the whole store, from the kept results (only
/// what changed is re-judged); for a scope, checked afresh.
pub fn for_view(conn: &Connection, q: &CheckQuery) -> Result<CheckReport> {
    if q.is_whole_store() {
        current(conn, SITE_DAYS_SHOWN)
    } else {
        let mut report = run(conn, q)?;
        report.by_site_day.truncate(SITE_DAYS_SHOWN);
        Ok(report)
    }
}

/// Streams the active bookings per slot, in (site, slot) order, and calls
/// `each(site, slot start, active bookings, capacity)`; capacity is `None`
/// when no shift covers the slot.
fn for_each_slot(
    conn: &Connection,
    scope: &Scope,
    shifts: &ShiftSlots,
    mut each: impl FnMut(i64, i64, i64, Option<i64>),
) -> Result<()> {
    // The covering index hands over each slot's bookings together. With one
    // site, its range is an index seek (an `OR ?3 IS NULL` would scan it all).
    let mut stmt = conn.prepare_cached(if scope.site_id.is_some() {
        concat!(
            "SELECT site_id, slot_minute FROM appointment INDEXED BY appointment_by_site_slot
         WHERE site_id = ?3 AND slot_minute >= ?1 AND slot_minute < ?2
           AND ",
            active!(),
            "
         ORDER BY site_id, slot_minute"
        )
    } else {
        concat!(
            "SELECT site_id, slot_minute FROM appointment INDEXED BY appointment_by_site_slot
         WHERE ",
            active!(),
            "
           AND slot_minute >= ?1 AND slot_minute < ?2 AND ?3 IS NULL
         ORDER BY site_id, slot_minute"
        )
    })?;
    let mut rows = stmt.query(rusqlite::params![
        scope.from_minute,
        scope.to_minute,
        scope.site_id
    ])?;
    let mut current: Option<(i64, i64, i64)> = None; // site, slot, active bookings
                                                     // Slots come a site-day at a time: its shifts are looked up once.
    let mut day = None;
    let mut day_shifts = None;
    let mut finish = |slot: Option<(i64, i64, i64)>| {
        if let Some((site, start, n)) = slot {
            let key = (site, start.div_euclid(MINUTES_PER_DAY));
            if day != Some(key) {
                day = Some(key);
                day_shifts = shifts.get(&key).map(Vec::as_slice);
            }
            each(
                site,
                start,
                n,
                day_shifts.and_then(|d| capacity_on_day(d, start)),
            );
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

/// Over-capacity slots in scope as (site id, slot start, excess bookings),
/// in (site, slot) order, from the kept results.
pub fn over_capacity_slots(conn: &Connection, q: &CheckQuery) -> Result<Vec<(i64, i64, i64)>> {
    let scope = scope(conn, q)?;
    results::over_capacity_slots(conn, scope.from_minute, scope.to_minute, scope.site_id)
}

/// Slots holding more bookings than places, as the Conflicts view lists
/// them: offline bookings from several laptops can meet there at a sync.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OverbookedSlots {
    /// Every over-capacity slot in the store.
    pub total: usize,
    /// The first ones, by site and time.
    pub slots: Vec<OverbookedSlot>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OverbookedSlot {
    pub site_code: String,
    /// `YYYY-MM-DDTHH:MM`
    pub slot: String,
    pub places: i64,
    pub booked: i64,
}

/// The whole store's over-capacity slots, the first `limit` of them listed.
pub fn overbooked_slots(conn: &Connection, limit: usize) -> Result<OverbookedSlots> {
    let all = over_capacity_slots(conn, &CheckQuery::default())?;
    let mut slots = Vec::with_capacity(all.len().min(limit));
    for &(site_id, slot, excess) in all.iter().take(limit) {
        let places = crate::capacity::slot_capacity_at(conn, site_id, slot)?.unwrap_or(0);
        slots.push(OverbookedSlot {
            site_code: crate::store::site::code(conn, site_id)?,
            slot: crate::time::format_minute(slot),
            places,
            booked: places + excess,
        });
    }
    Ok(OverbookedSlots {
        total: all.len(),
        slots,
    })
}

/// The shifts a scope needs: one site-day's, or all of them.
fn shifts_for(conn: &Connection, scope: &Scope) -> Result<ShiftSlots> {
    let one_day = scope.to_minute.saturating_sub(scope.from_minute) == MINUTES_PER_DAY;
    match scope.site_id {
        Some(site) if one_day => {
            let day = crate::time::datetime_of_minute(scope.from_minute).date();
            shift_slots(conn, Some((site, day)))
        }
        _ => shift_slots(conn, None),
    }
}

/// What the slot checks find on one site-day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SiteDayFindings {
    overbooked_slots: i64,
    excess_bookings: i64,
    outside_shift_bookings: i64,
    /// The over-capacity slots: (slot start, excess bookings).
    slots: Vec<(i64, i64)>,
}

/// Slot findings per (site, day number) over a scope; site-days with none are absent.
fn site_day_findings(
    conn: &Connection,
    scope: &Scope,
) -> Result<HashMap<(i64, i64), SiteDayFindings>> {
    let shifts = shifts_for(conn, scope)?;
    let mut by_day: HashMap<(i64, i64), SiteDayFindings> = HashMap::new();
    for_each_slot(conn, scope, &shifts, |site, start, n, cap| {
        let key = (site, start.div_euclid(MINUTES_PER_DAY));
        match cap {
            None => by_day.entry(key).or_default().outside_shift_bookings += n,
            Some(cap) if n > cap => {
                let found = by_day.entry(key).or_default();
                found.overbooked_slots += 1;
                found.excess_bookings += n - cap;
                found.slots.push((start, n - cap));
            }
            Some(_) => {}
        }
    })?;
    Ok(by_day)
}

fn check_slots(conn: &Connection, scope: &Scope, report: &mut CheckReport) -> Result<()> {
    let findings = site_day_findings(conn, scope)?;
    report.outside_shift_bookings += findings
        .values()
        .map(|found| found.outside_shift_bookings)
        .sum::<i64>();
    let days = findings
        .into_iter()
        .map(|(key, found)| (key, (found.overbooked_slots, found.excess_bookings)));
    add_site_days(conn, days, report)
}

/// Adds site-days' (over-capacity slots, excess bookings), keyed by (site
/// id, day number), to `report`: the totals, and the site-days with excess
/// by name, worst first.
fn add_site_days(
    conn: &Connection,
    days: impl IntoIterator<Item = ((i64, i64), (i64, i64))>,
    report: &mut CheckReport,
) -> Result<()> {
    let codes: HashMap<i64, String> = conn
        .prepare("SELECT id, code FROM site")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut listed = Vec::new();
    for ((site, day), (overbooked_slots, excess_bookings)) in days {
        report.overbooked_slots += overbooked_slots;
        report.excess_bookings += excess_bookings;
        if excess_bookings > 0 {
            listed.push(SiteDayExcess {
                site_code: codes.get(&site).cloned().unwrap_or_default(),
                date: day_text(day),
                excess_bookings,
            });
        }
    }
    listed.sort_by(|a, b| {
        b.excess_bookings
            .cmp(&a.excess_bookings)
            .then_with(|| a.date.cmp(&b.date))
            .then_with(|| a.site_code.cmp(&b.site_code))
    });
    report.site_days_with_excess = listed.len() as i64;
    report.by_site_day = listed;
    Ok(())
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn day_text(day: i64) -> String {
    crate::time::format_minute(day * MINUTES_PER_DAY)[..10].to_owned()
}

/// One active booking, reduced to what the per-person checks need.
#[derive(Clone, Copy)]
struct Dose {
    minute: i64,
    site: i32,
    product: u16,
    dose: u8,
}

/// What the per-person checks find for one person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PersonFindings {
    duplicate: bool,
    orphan_first: bool,
    out_of_window: bool,
    /// First-dose bookings made before the person was eligible.
    not_yet_eligible: i64,
}

impl PersonFindings {
    fn any(&self) -> bool {
        self.duplicate || self.orphan_first || self.out_of_window || self.not_yet_eligible > 0
    }
}

/// Products' intervals and the eligibility phases: what judging a person needs.
struct PersonRules {
    /// (code, min days, max days), in code order; a dose's `product` indexes it.
    products: Vec<(String, i64, i64)>,
    eligibility: Eligibility,
}

impl PersonRules {
    fn load(conn: &Connection) -> Result<Self> {
        let products = conn
            .prepare(
                "SELECT code, min_interval_days, max_interval_days FROM product ORDER BY code",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(PersonRules {
            products,
            eligibility: Eligibility::load(conn)?,
        })
    }

    /// A booking from a row holding dose_number, slot_minute, product and
    /// site_id from column `at` on.
    fn dose(&self, r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Dose> {
        // A handful of products: a look along them beats hashing each row's.
        let code = bytes(r, at + 2)?;
        Ok(Dose {
            dose: r.get::<_, i64>(at)? as u8,
            minute: r.get(at + 1)?,
            product: self
                .products
                .iter()
                .position(|(c, ..)| c.as_bytes() == code)
                .map_or(u16::MAX, |i| i as u16),
            site: r.get(at + 3)?,
        })
    }

    /// Judges one person's active doses, sorted by (dose number, minute).
    fn judge(
        &self,
        doses: &[Dose],
        birth_day: Option<i64>,
        in_scope: impl Fn(&Dose) -> bool,
    ) -> PersonFindings {
        // Sorted by dose number: each number's doses are one run of the
        // slice (no list built per person: millions of people a pass).
        let of_dose = |n: u8| {
            let from = doses.partition_point(|d| d.dose < n);
            &doses[from..from + doses[from..].partition_point(|d| d.dose == n)]
        };
        let (firsts, seconds) = (of_dose(1), of_dose(2));
        let mut found = PersonFindings {
            duplicate: doses
                .chunk_by(|a, b| a.dose == b.dose)
                .any(|same| same.len() > 1 && same.iter().any(&in_scope)),
            orphan_first: seconds.is_empty() && firsts.iter().any(&in_scope),
            ..PersonFindings::default()
        };
        if let Some(first) = firsts.first() {
            let (min, max) = self
                .products
                .get(first.product as usize)
                .map_or((0, i64::MAX), |(_, min, max)| (*min, *max));
            let first_day = first.minute.div_euclid(MINUTES_PER_DAY);
            found.out_of_window = seconds.iter().filter(|d| in_scope(d)).any(|d| {
                let gap = d.minute.div_euclid(MINUTES_PER_DAY) - first_day;
                gap < min || gap > max
            });
        }
        if let Some(birth) = birth_day {
            found.not_yet_eligible = firsts
                .iter()
                .filter(|d| in_scope(d))
                .filter(|d| !self.eligibility.allows(birth, d.minute, i64::from(d.site)))
                .count() as i64;
        }
        found
    }

    /// Judges one person from the store (the kept results' refresh).
    fn judge_person(&self, conn: &Connection, person_id: &str) -> Result<PersonFindings> {
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT dose_number, slot_minute, product, site_id
             FROM appointment INDEXED BY appointment_by_person
             WHERE person_id = ?1 AND ",
            active!(),
            " ORDER BY dose_number, slot_minute"
        ))?;
        let mut rows = stmt.query([person_id])?;
        let mut doses = Vec::new();
        while let Some(r) = rows.next()? {
            doses.push(self.dose(r, 0)?);
        }
        let birth_day = if self.eligibility.is_empty() {
            None
        } else {
            let birth: Option<String> = conn
                .prepare_cached("SELECT birth_date FROM person WHERE person_id = ?1")?
                .query_row([person_id], |r| r.get(0))
                .optional()?
                .flatten();
            birth
                .as_deref()
                .and_then(parse_date)
                .map(|d| day_start_minute(d) / MINUTES_PER_DAY)
        };
        Ok(self.judge(&doses, birth_day, |_| true))
    }
}

/// Every active booking's person, dose, time, product and site, in person
/// order and each person's doses by number then time.
const DOSES_BY_PERSON: &str = concat!(
    "SELECT person_id, dose_number, slot_minute, product, site_id
     FROM appointment INDEXED BY appointment_by_person WHERE ",
    active!(),
    " ORDER BY person_id, dose_number, slot_minute"
);

/// Judges every person with an active booking in scope and calls
/// `each(person id, findings)` for those with a finding, in person id order.
fn scan_people(
    conn: &Connection,
    scope: &Scope,
    rules: &PersonRules,
    mut each: impl FnMut(&str, PersonFindings),
) -> Result<()> {
    // The person index carries every column judged here (schema 17), in
    // person order and each person's doses by number then time: one pass
    // over it, a person at a time, with no look-up into the table and no
    // sort. Birth dates come alongside, in the person table's key order.
    let mut stmt = conn.prepare(DOSES_BY_PERSON)?;
    let mut birth_stmt = if rules.eligibility.is_empty() {
        None
    } else {
        Some(conn.prepare(
            "SELECT person_id, birth_date FROM person WHERE birth_date IS NOT NULL
             ORDER BY person_id",
        )?)
    };
    let mut births = BirthDays {
        rows: match &mut birth_stmt {
            Some(stmt) => Some(stmt.query([])?),
            None => None,
        },
        ahead: None,
    };
    let in_scope = |d: &Dose| scope.contains(i64::from(d.site), d.minute);
    let mut person = String::new();
    let mut doses: Vec<Dose> = Vec::new();
    let mut judge = |person: &str, doses: &[Dose]| -> Result<()> {
        let birth = births.day_of(person)?;
        let found = rules.judge(doses, birth, in_scope);
        if found.any() {
            each(person, found);
        }
        Ok(())
    };
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id = text(r, 0)?;
        if id != person {
            if !doses.is_empty() {
                judge(&person, &doses)?;
            }
            person.clear();
            person.push_str(id);
            doses.clear();
        }
        doses.push(rules.dose(r, 1)?);
    }
    if !doses.is_empty() {
        judge(&person, &doses)?;
    }
    Ok(())
}

/// People's birth days (days since 1970-01-01), read in person id order
/// beside a pass that asks for them in that order; none when no
/// eligibility phase needs them (no rows).
struct BirthDays<'s> {
    rows: Option<rusqlite::Rows<'s>>,
    /// The next person read with a birth date: (id, birth day).
    ahead: Option<(String, Option<i64>)>,
}

impl BirthDays<'_> {
    /// `person`'s birth day; asked in ascending person id order.
    fn day_of(&mut self, person: &str) -> Result<Option<i64>> {
        loop {
            if let Some((id, day)) = &self.ahead {
                match id.as_str().cmp(person) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => return Ok(*day),
                    std::cmp::Ordering::Greater => return Ok(None),
                }
            }
            let Some(rows) = &mut self.rows else {
                return Ok(None);
            };
            match rows.next()? {
                Some(r) => {
                    let day =
                        parse_date(text(r, 1)?).map(|d| day_start_minute(d) / MINUTES_PER_DAY);
                    self.ahead = Some((text(r, 0)?.to_owned(), day));
                }
                None => {
                    self.ahead = None;
                    self.rows = None;
                }
            }
        }
    }
}

/// A text column's bytes, unchecked as UTF-8 (compared only).
fn bytes<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r [u8]> {
    row.get_ref(i)?.as_bytes().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
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

mod outside_shift;
mod people;
pub use outside_shift::outside_shift_site_days;
pub use people::{people_with, FoundPerson, PeopleFound, PersonFinding, PEOPLE_SHOWN};

#[cfg(test)]
mod tests;
