//! Doses on hand: every shipment received or expected (all products pooled),
//! less the doses given or planned.

use super::demand::day_no;
use crate::error::Result;
use crate::store::appointment::active;
use crate::time::{parse_date, MINUTES_PER_DAY};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// Supply as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyView {
    /// False when the store records no shipment at all: supply is then not
    /// a constraint (the plan says so rather than planning nothing).
    pub known: bool,
    /// Doses on hand at the start of `from`: shipments before it less
    /// doses used before it.
    pub opening_on_hand: i64,
    /// Doses arriving on each day of the range.
    pub arrivals: Vec<i64>,
    /// Doses to keep after the range: the most that bookings in the
    /// `RESERVE_DAYS` after it need beyond that window's own arrivals.
    pub closing_reserve: i64,
}

/// Days after the range whose bookings its shipments must still cover
/// (the demo's shipments are weekly).
pub const RESERVE_DAYS: i64 = 7;

/// On hand so large that supply never binds, when no shipment is recorded.
pub const UNKNOWN_SUPPLY: i64 = 1_000_000_000;

pub fn supply_view(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<SupplyView> {
    let (first, last) = (day_no(from), day_no(to));
    let n = (last - first + 1).max(0) as usize;
    let mut arrivals = vec![0; n];
    let mut before = 0i64;
    let mut after = vec![0i64; RESERVE_DAYS as usize];
    let mut shipments = 0;
    let mut stmt = conn.prepare("SELECT date, sum(doses) FROM supply GROUP BY date")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let Some(d) = parse_date(&date) else { continue };
        let doses: i64 = r.get(1)?;
        shipments += 1;
        let day = day_no(d);
        if day < first {
            before += doses;
        } else if day <= last {
            arrivals[(day - first) as usize] += doses;
        } else if day <= last + RESERVE_DAYS {
            after[(day - last - 1) as usize] += doses;
        }
    }
    if shipments == 0 {
        return Ok(SupplyView {
            known: false,
            opening_on_hand: UNKNOWN_SUPPLY,
            arrivals,
            closing_reserve: 0,
        });
    }
    Ok(SupplyView {
        known: true,
        opening_on_hand: before - used_before(conn, first)?,
        arrivals,
        closing_reserve: closing_reserve(conn, last, &after)?,
    })
}

/// Most that the bookings of the days after `last` need beyond what arrives then.
fn closing_reserve(conn: &Connection, last: i64, arriving: &[i64]) -> Result<i64> {
    let mut booked = vec![0i64; arriving.len()];
    let mut stmt = conn.prepare(concat!(
        "SELECT slot_minute / 1440 AS day, count(*) FROM appointment
         WHERE ",
        active!(),
        " AND slot_minute >= ?1 AND slot_minute < ?2
         GROUP BY day"
    ))?;
    let mut rows = stmt.query([
        (last + 1) * MINUTES_PER_DAY,
        (last + 1 + arriving.len() as i64) * MINUTES_PER_DAY,
    ])?;
    while let Some(r) = rows.next()? {
        let day: i64 = r.get(0)?;
        if let Some(b) = booked.get_mut((day - last - 1) as usize) {
            *b += r.get::<_, i64>(1)?;
        }
    }
    let (mut running, mut most) = (0i64, 0i64);
    for (b, a) in booked.iter().zip(arriving) {
        running += b - a;
        most = most.max(running);
    }
    Ok(most)
}

/// Doses used before day `first`: per day, the larger of the tallied doses
/// and the active appointments (a day may have one without the other).
fn used_before(conn: &Connection, first: i64) -> Result<i64> {
    let mut per_day: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut stmt = conn.prepare("SELECT date, sum(doses) FROM counted_dose_count GROUP BY date")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        if let Some(d) = parse_date(&date).map(day_no).filter(|d| *d < first) {
            per_day.entry(d).or_default().0 += r.get::<_, i64>(1)?;
        }
    }
    let mut stmt = conn.prepare(concat!(
        "SELECT slot_minute / 1440 AS day, count(*) FROM appointment
         WHERE ",
        active!(),
        " AND slot_minute < ?1 GROUP BY day"
    ))?;
    let mut rows = stmt.query([first * MINUTES_PER_DAY])?;
    while let Some(r) = rows.next()? {
        per_day.entry(r.get(0)?).or_default().1 += r.get::<_, i64>(1)?;
    }
    Ok(per_day.values().map(|(t, a)| (*t).max(*a)).sum())
}

/// On hand at the end of each day: opening + arrivals so far − planned so far.
pub fn on_hand_series(opening: i64, arrivals: &[i64], planned: &[i64]) -> Vec<i64> {
    let mut on_hand = opening;
    arrivals
        .iter()
        .zip(planned)
        .map(|(a, p)| {
            on_hand += a - p;
            on_hand
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_hand_is_cumulative_supply_less_cumulative_use() {
        assert_eq!(
            on_hand_series(100, &[0, 50, 0], &[60, 60, 30]),
            vec![40, 30, 0]
        );
    }
}
