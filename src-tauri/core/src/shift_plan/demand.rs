//! Doses wanted per day, in three parts reported apart: active bookings,
//! second doses falling due that nobody has booked, and expected new
//! bookings from eligible people not yet booked. Pooled over all sites: a
//! new booking can go to any clinic.

use crate::error::Result;
use crate::store::appointment::active;
use crate::time::{day_start_minute, parse_date, MINUTES_PER_DAY};
use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DemandParts {
    /// Active appointments (booked or attended) that day.
    pub booked: i64,
    /// Second doses due that day (first dose + the product's minimum
    /// interval) with no active second booking; overdue ones on the first day.
    pub second_doses_due: i64,
    /// Eligible people not yet booked × uptake, spread over days.
    pub new_bookings: i64,
}

impl DemandParts {
    pub fn total(&self) -> i64 {
        self.booked + self.second_doses_due + self.new_bookings
    }
}

/// An age cohort: people aged `min_age` up to `max_age` (inclusive; None = no limit).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cohort {
    pub label: String,
    pub min_age: i64,
    pub max_age: Option<i64>,
    pub population: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
// Missing fields keep their defaults: the UI sends only what it edits.
#[serde(default)]
pub struct DemandParams {
    /// Share of each cohort expected to want a first dose.
    pub uptake: f64,
    /// Days over which a newly eligible cohort's bookings arrive.
    pub spread_days: u32,
    /// Population per cohort; None = `ottawa_cohorts()`.
    pub population_by_cohort: Option<Vec<Cohort>>,
}

impl Default for DemandParams {
    fn default() -> Self {
        DemandParams {
            uptake: 0.8,
            spread_days: 28,
            population_by_cohort: None,
        }
    }
}

/// Ontario's population 12+ by cohort, the `Total population` column of the
/// Ontario Data Catalogue's vaccines-by-age file (shared/data/on_vaccines_by_age.csv).
const ONTARIO_COHORTS: &[(&str, i64, Option<i64>, i64)] = &[
    ("12-17", 12, Some(17), 961_857),
    ("18-29", 18, Some(29), 2_454_802),
    ("30-39", 30, Some(39), 2_077_137),
    ("40-49", 40, Some(49), 1_855_340),
    ("50-59", 50, Some(59), 2_019_276),
    ("60-69", 60, Some(69), 1_813_493),
    ("70-79", 70, Some(79), 1_181_151),
    ("80+", 80, None, 674_976),
];
const ONTARIO_12_PLUS: i64 = 13_038_032;
const OTTAWA_POPULATION: i64 = 1_000_000;

/// Default population by cohort for Ottawa: Ontario's 12+ proportions scaled
/// to Ottawa's ~1.0M. This treats all of Ottawa as 12+, so every cohort is
/// some 12% high (the under-12s); pass `population_by_cohort` to correct it.
pub fn ottawa_cohorts() -> Vec<Cohort> {
    ONTARIO_COHORTS
        .iter()
        .map(|(label, min, max, pop)| Cohort {
            label: (*label).to_owned(),
            min_age: *min,
            max_age: *max,
            population: (*pop as f64 * OTTAWA_POPULATION as f64 / ONTARIO_12_PLUS as f64).round()
                as i64,
        })
        .collect()
}

/// Day number (days since 1970-01-01) of a date.
pub(crate) fn day_no(d: NaiveDate) -> i64 {
    day_start_minute(d) / MINUTES_PER_DAY
}

/// Demand per day from `from` to `to` inclusive, and the new-booking
/// figures per cohort behind it.
pub fn demand_by_day(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    params: &DemandParams,
) -> Result<(Vec<DemandParts>, Vec<CohortDemand>)> {
    let (first, last) = (day_no(from), day_no(to));
    let n = (last - first + 1).max(0) as usize;
    let mut out = vec![DemandParts::default(); n];
    let index = |day: i64| -> Option<usize> {
        (first..=last)
            .contains(&day)
            .then(|| (day - first) as usize)
    };
    for (day, count) in booked_by_day(conn, first, last)? {
        if let Some(i) = index(day) {
            out[i].booked += count;
        }
    }
    for (day, count) in seconds_due(conn)? {
        if let Some(i) = index(day.max(first)) {
            if day <= last {
                out[i].second_doses_due += count;
            }
        }
    }
    let (new, cohorts) = new_bookings(conn, from, to, params)?;
    for (day, count) in new {
        if let Some(i) = index(day) {
            out[i].new_bookings += count;
        }
    }
    Ok((out, cohorts))
}

/// Active bookings per day from the kept daily totals (`site_day.booked`,
/// kept by triggers and rebuilt after bulk loads): a few rows a day rather
/// than a scan of the day's bookings.
fn booked_by_day(conn: &Connection, first: i64, last: i64) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT date, sum(booked) FROM site_day WHERE date >= ?1 AND date <= ?2 GROUP BY date",
    )?;
    let (from, to) = (
        date_of_day(first).to_string(),
        date_of_day(last).to_string(),
    );
    let mut rows = stmt.query([from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        if let Some(d) = parse_date(&date) {
            out.push((day_no(d), r.get(1)?));
        }
    }
    Ok(out)
}

fn min_intervals(conn: &Connection) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT code, min_interval_days FROM product")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Interval for a tally without a product: the shortest known (Pfizer's 21
/// days by default), so a second dose is never planned late.
fn default_interval(intervals: &HashMap<String, i64>) -> i64 {
    intervals.values().copied().min().unwrap_or(21)
}

/// (due day, doses) of second doses nobody has booked: active first-dose
/// appointments whose person holds no active dose 2, and tallied first doses
/// beyond the attended first-dose appointments of that day (walk-ins).
fn seconds_due(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    let intervals = min_intervals(conn)?;
    let fallback = default_interval(&intervals);
    let interval = |p: &str| intervals.get(p).copied().unwrap_or(fallback);
    let mut out = Vec::new();
    let mut stmt = conn.prepare(concat!(
        "SELECT a.slot_minute / 1440 AS day, a.product, count(*) FROM appointment a
         WHERE a.dose_number = 1 AND ",
        active!(a),
        "
           AND NOT EXISTS (SELECT 1 FROM appointment b
                           WHERE b.person_id = a.person_id AND b.dose_number = 2
                             AND ",
        active!(b),
        ")
         GROUP BY day, a.product"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (day, product, n): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        out.push((day + interval(&product), n));
    }
    // Tallies: per date, first doses counted beyond attended first-dose
    // appointments; their product is the day's most tallied one.
    let mut attended: HashMap<i64, i64> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT slot_minute / 1440 AS day, count(*) FROM appointment
         WHERE dose_number = 1 AND status = 'attended' GROUP BY day",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        attended.insert(r.get(0)?, r.get(1)?);
    }
    let mut tallied: HashMap<i64, (i64, HashMap<String, i64>)> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT date, product, sum(doses) FROM counted_dose_count WHERE dose_number = 1 GROUP BY date, product",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let Some(d) = parse_date(&date) else { continue };
        let entry = tallied.entry(day_no(d)).or_default();
        let n: i64 = r.get(2)?;
        entry.0 += n;
        *entry.1.entry(r.get(1)?).or_default() += n;
    }
    for (day, (total, by_product)) in tallied {
        let walk_ins = total - attended.get(&day).copied().unwrap_or(0);
        if walk_ins > 0 {
            let product = by_product
                .iter()
                .max_by_key(|(p, n)| (**n, std::cmp::Reverse((*p).clone())))
                .map(|(p, _)| p.as_str())
                .unwrap_or("");
            out.push((day + interval(product), walk_ins));
        }
    }
    Ok(out)
}

/// When each age (at `on`) may first book: the earliest eligibility phase
/// open to all site kinds. Site-kind phases (e.g. 40+ at pharmacies) are left
/// out: their demand is bounded by those few sites' own bookings.
fn opening_day(phases: &[(i64, i64)], min_age: i64) -> Option<i64> {
    phases
        .iter()
        .filter(|(age, _)| *age <= min_age)
        .map(|(_, day)| *day)
        .min()
}

fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut age = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// (day number, doses) pairs.
type DayCounts = Vec<(i64, i64)>;

/// (day, doses) of expected new first-dose bookings, and the per-cohort figures.
fn new_bookings(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    params: &DemandParams,
) -> Result<(DayCounts, Vec<CohortDemand>)> {
    let cohorts = params
        .population_by_cohort
        .clone()
        .unwrap_or_else(ottawa_cohorts);
    let mut phases = Vec::new();
    let mut stmt =
        conn.prepare("SELECT min_age, from_date FROM eligibility_phase WHERE site_kind IS NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let date: String = r.get(1)?;
        if let Some(d) = parse_date(&date) {
            phases.push((r.get::<_, i64>(0)?, day_no(d)));
        }
    }
    // People already holding an active first dose, by cohort; those without
    // a birth date are shared out in proportion.
    let mut booked = vec![0i64; cohorts.len()];
    let mut unknown = 0i64;
    let mut stmt = conn.prepare(concat!(
        "SELECT p.birth_date FROM (SELECT DISTINCT person_id FROM appointment
                                   WHERE dose_number = 1 AND ",
        active!(),
        ") a
         LEFT JOIN person p ON p.person_id = a.person_id"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let birth: Option<String> = r.get(0)?;
        let Some(birth) = birth.as_deref().and_then(parse_date) else {
            unknown += 1;
            continue;
        };
        let age = age_on(birth, from);
        if let Some(i) = cohorts
            .iter()
            .position(|c| age >= c.min_age && c.max_age.is_none_or(|m| age <= m))
        {
            booked[i] += 1;
        }
    }
    let known: i64 = booked.iter().sum();
    if known > 0 && unknown > 0 {
        let scale = (known + unknown) as f64 / known as f64;
        for b in &mut booked {
            *b = (*b as f64 * scale).round() as i64;
        }
    }
    let spread = i64::from(params.spread_days.max(1));
    let (first, last) = (day_no(from), day_no(to));
    let mut out = Vec::new();
    let mut report = Vec::new();
    for (cohort, already) in cohorts.iter().zip(booked) {
        let open = opening_day(&phases, cohort.min_age);
        let remaining =
            ((cohort.population as f64 * params.uptake).round() as i64 - already).max(0);
        let mut in_range = 0;
        if let Some(open) = open.filter(|o| *o <= last) {
            let start = open.max(first);
            // Cumulative rounding keeps the days' integers summing to `remaining`.
            for k in 0..spread {
                let day = start + k;
                if day > last {
                    break;
                }
                let n = remaining * (k + 1) / spread - remaining * k / spread;
                in_range += n;
                out.push((day, n));
            }
        }
        report.push(CohortDemand {
            label: cohort.label.clone(),
            population: cohort.population,
            already_booked: already,
            eligible_from: open.map(|d| date_of_day(d).to_string()),
            unbooked_expected: remaining,
            in_range,
        });
    }
    Ok((out, report))
}

fn date_of_day(day: i64) -> NaiveDate {
    crate::time::datetime_of_minute(day * MINUTES_PER_DAY).date()
}

/// Expected new bookings of one cohort, for the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CohortDemand {
    pub label: String,
    pub population: i64,
    /// People of the cohort holding an active first dose.
    pub already_booked: i64,
    /// First day the cohort may book anywhere (None: not yet).
    pub eligible_from: Option<String>,
    /// population × uptake − already booked.
    pub unbooked_expected: i64,
    /// Of those, the bookings expected inside the planned range.
    pub in_range: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ottawa_cohorts_sum_to_a_million() {
        let total: i64 = ottawa_cohorts().iter().map(|c| c.population).sum();
        assert!((total - OTTAWA_POPULATION).abs() < 10, "{total}");
    }

    #[test]
    fn cohorts_open_with_the_earliest_general_phase() {
        let phases = [(80, 10), (70, 20), (60, 30)];
        assert_eq!(opening_day(&phases, 80), Some(10));
        assert_eq!(opening_day(&phases, 70), Some(20));
        assert_eq!(opening_day(&phases, 50), None);
    }
}
