//! The capacity of each 5-minute slot, read from the shifts that cover it:
//! the one place booking, the checks, the bookings lists and rebooking get
//! a slot's places from.

use super::slot_capacity;
use crate::error::Result;
use crate::time::{day_start_minute, parse_date, parse_hhmm, MINUTES_PER_DAY, SLOT_MINUTES};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// Per-slot capacity of each shift, by (site, day): (start, end, per slot).
pub(crate) type ShiftSlots = HashMap<(i64, i64), Vec<(i64, i64, i64)>>;

/// Shifts by (site, day), all of them or one site-day's.
pub(crate) fn shift_slots(conn: &Connection, only: Option<(i64, NaiveDate)>) -> Result<ShiftSlots> {
    // Two statements: an `?1 IS NULL OR` filter would scan every shift.
    let mut stmt = conn.prepare_cached(if only.is_some() {
        "SELECT sh.site_id, sh.date, sh.start, sh.end, sh.vaccinators, sh.capacity, s.minutes_per_dose
         FROM shift sh JOIN site s ON s.id = sh.site_id
         WHERE sh.site_id = ?1 AND sh.date = ?2"
    } else {
        "SELECT sh.site_id, sh.date, sh.start, sh.end, sh.vaccinators, sh.capacity, s.minutes_per_dose
         FROM shift sh JOIN site s ON s.id = sh.site_id
         WHERE ?1 IS NULL AND ?2 IS NULL"
    })?;
    let mut rows = stmt.query(rusqlite::params![
        only.map(|o| o.0),
        only.map(|o| o.1.to_string())
    ])?;
    let mut out: ShiftSlots = HashMap::new();
    // Columns by position and text borrowed: a check reads every shift.
    while let Some(r) = rows.next()? {
        let text = |i: usize| r.get_ref(i).map(|v| v.as_str().unwrap_or_default());
        let span = per_slot(text(2)?, text(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let (Some(day), Some(span)) = (parse_date(text(1)?), span) else {
            continue; // the importers never store such a shift
        };
        out.entry((r.get(0)?, day_start_minute(day) / MINUTES_PER_DAY))
            .or_default()
            .push(span);
    }
    Ok(out)
}

/// One shift as stored (and as it travels): times as `HH:MM`.
#[derive(Debug, Clone)]
pub struct ShiftSpec {
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
    pub capacity: Option<i64>,
}

impl ShiftSpec {
    /// (start, end, places per slot) in minutes of the day, or `None` for
    /// times that are not `HH:MM`.
    fn per_slot(&self, minutes_per_dose: f64) -> Option<(i64, i64, i64)> {
        per_slot(
            &self.start,
            &self.end,
            self.vaccinators,
            self.capacity,
            minutes_per_dose,
        )
    }
}

/// A shift's (start, end, places per slot), minutes of the day; `None` for
/// times that are not `HH:MM`.
fn per_slot(
    start: &str,
    end: &str,
    vaccinators: i64,
    capacity: Option<i64>,
    minutes_per_dose: f64,
) -> Option<(i64, i64, i64)> {
    let (s, e) = (parse_hhmm(start)?, parse_hhmm(end)?);
    let places = slot_capacity(
        vaccinators,
        i64::from(e) - i64::from(s),
        minutes_per_dose,
        capacity,
    );
    Some((i64::from(s), i64::from(e), places))
}

/// Places in the slot starting at `minute_of_day`, given one site-day's
/// shifts (`None` when none covers it): the rule `slot_capacity_at` applies
/// to this store, for a copy held elsewhere (the central server's).
pub fn capacity_of_slot(
    shifts: &[ShiftSpec],
    minutes_per_dose: f64,
    minute_of_day: i64,
) -> Option<i64> {
    let spans: Vec<_> = shifts
        .iter()
        .filter_map(|s| s.per_slot(minutes_per_dose))
        .collect();
    covering_capacity(&spans, minute_of_day)
}

/// Capacity of every slot a site's shifts cover on one day: (slot start, places).
pub fn slot_capacities(conn: &Connection, site_id: i64, day: NaiveDate) -> Result<Vec<(i64, i64)>> {
    let shifts = shift_slots(conn, Some((site_id, day)))?;
    let base = day_start_minute(day);
    let Some(day_shifts) = shifts.get(&(site_id, base / MINUTES_PER_DAY)) else {
        return Ok(Vec::new());
    };
    Ok((0..MINUTES_PER_DAY / SLOT_MINUTES)
        .filter_map(|i| {
            let time = i * SLOT_MINUTES;
            covering_capacity(day_shifts, time).map(|cap| (base + time, cap))
        })
        .collect())
}

/// Free places of every slot a site's shifts cover on one day: (slot
/// start, capacity less the active bookings, possibly negative when over).
pub fn free_places(conn: &Connection, site_id: i64, day: NaiveDate) -> Result<Vec<(i64, i64)>> {
    let mut free = slot_capacities(conn, site_id, day)?;
    if free.is_empty() {
        return Ok(free);
    }
    let base = day_start_minute(day);
    // Counted in SQL: hundreds of bookings a site-day, one row per slot back.
    let mut booked = conn.prepare_cached(concat!(
        "SELECT (slot_minute - ?2) / 5 AS slot, count(*) AS n FROM appointment
         WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
           AND ",
        crate::store::appointment::active!(),
        "
         GROUP BY 1"
    ))?;
    let mut rows = booked.query(rusqlite::params![site_id, base, base + MINUTES_PER_DAY])?;
    let mut by_slot = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        by_slot.insert(
            base + r.get::<_, i64>("slot")? * SLOT_MINUTES,
            r.get::<_, i64>("n")?,
        );
    }
    for (slot, places) in &mut free {
        *places -= by_slot.get(slot).copied().unwrap_or(0);
    }
    Ok(free)
}

/// Capacity of the slot starting at `slot` at a site, or `None` when no
/// shift covers it: the one place a single slot's capacity is computed.
pub fn slot_capacity_at(conn: &Connection, site_id: i64, slot: i64) -> Result<Option<i64>> {
    let day = crate::time::datetime_of_minute(slot).date();
    let shifts = shift_slots(conn, Some((site_id, day)))?;
    Ok(capacity_at(&shifts, site_id, slot))
}

/// Capacity of the slot starting at `minute`, or `None` when no shift covers it.
pub(crate) fn capacity_at(shifts: &ShiftSlots, site_id: i64, minute: i64) -> Option<i64> {
    let day = minute.div_euclid(MINUTES_PER_DAY);
    capacity_on_day(shifts.get(&(site_id, day))?, minute)
}

/// [`capacity_at`] from the site-day's shifts (its `ShiftSlots` entry),
/// for a caller that walks a day's slots in order and looks them up once.
pub(crate) fn capacity_on_day(day_shifts: &[(i64, i64, i64)], minute: i64) -> Option<i64> {
    covering_capacity(day_shifts, minute.rem_euclid(MINUTES_PER_DAY))
}

/// The summed capacity of a day's shifts (start, end, per slot) that cover
/// minute-of-day `time`, or `None` when none does.
fn covering_capacity(day_shifts: &[(i64, i64, i64)], time: i64) -> Option<i64> {
    day_shifts
        .iter()
        .filter(|(s, e, _)| *s <= time && time < *e)
        .fold(None, |sum, (_, _, c)| Some(sum.unwrap_or(0) + c))
}
