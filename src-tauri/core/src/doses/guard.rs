//! When a site-day's tallied total is implausible: the one rule behind the
//! tally entry's refusal and the import's hold. A total is implausible when
//! it exceeds what the day's shifts could give (their capacity plus
//! `CAPACITY_MARGIN` and `CAPACITY_SLACK`) or lies far above the site's
//! recent days (`doses::flags`).

use crate::doses::flags::{above_recent_range, group};
use crate::error::Result;
use crate::store::dose_count;
use rusqlite::{params, Connection};
use std::collections::VecDeque;

/// A day's tallies may exceed its shifts' capacity by this share (walk-ins,
/// doses drawn from a vial's extra dose, counting slack) before a person
/// must confirm them...
pub const CAPACITY_MARGIN: f64 = 0.25;
/// ...and by this many doses more, so that a site with few or no scheduled
/// places is not refused a handful of walk-ins.
pub const CAPACITY_SLACK: i64 = 10;

/// Earlier days with doses that make a site's recent range (as `flags`).
const RECENT_DAYS: usize = 14;

/// Whether a day with no shift scheduled judges its total against zero
/// places: typed entry does; an import does not (history is often loaded
/// without the shifts it was given in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoShift {
    Refuse,
    Allow,
}

/// Why a site-day totalling `total` doses, with `capacity` places in its
/// shifts and `recent` the site's earlier days with doses (oldest first),
/// is implausible; `None` when it is plausible.
pub fn judge(capacity: i64, total: i64, recent: &[i64], no_shift: NoShift) -> Option<String> {
    let limit = (capacity as f64 * (1.0 + CAPACITY_MARGIN)).floor() as i64 + CAPACITY_SLACK;
    if total > limit && (capacity > 0 || no_shift == NoShift::Refuse) {
        return Some(if capacity == 0 {
            format!(
                "no shift is scheduled there that day, and the day would total {}",
                group(total)
            )
        } else {
            format!(
                "the day would total {}, more than its shifts' capacity of {} allows ({} with a {}% margin)",
                group(total),
                group(capacity),
                group(limit),
                (CAPACITY_MARGIN * 100.0).round()
            )
        });
    }
    above_recent_range(recent, total).map(|median| {
        format!(
            "the day would total {}, far above the site's recent days (median {})",
            group(total),
            group(median)
        )
    })
}

/// The site's earlier days with doses, oldest first (at most `RECENT_DAYS`).
pub(crate) fn recent_days(conn: &Connection, site_id: i64, date: &str) -> Result<Vec<i64>> {
    let mut recent: Vec<i64> = conn
        .prepare_cached(
            "SELECT administered FROM site_day
             WHERE site_id = ?1 AND date < ?2 AND administered > 0 ORDER BY date DESC LIMIT ?3",
        )?
        .query_map(params![site_id, date, RECENT_DAYS as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    recent.reverse();
    Ok(recent)
}

/// After an import of tallies dated `from`..=`to`: holds, in each site-day
/// the import made implausible, the tallies it wrote (largest first) until
/// the day is plausible again. Held tallies count nowhere until confirmed.
/// Returns how many were held. The site's recent range is read from the 90
/// days before `from` on.
pub(crate) fn hold_implausible_import(
    conn: &Connection,
    from: &str,
    to: &str,
    now: &str,
) -> Result<i64> {
    // Site by site along site_day's key, already in the order wanted. Left
    // to itself SQLite reads the span through the date index and sorts it:
    // a random page a site-day, 10 s over the 6.8 million site-days of 30
    // million tallies instead of 0.8 s.
    let mut stmt = conn.prepare(
        "SELECT d.site_id, d.date, d.capacity, d.administered
         FROM site s CROSS JOIN site_day d NOT INDEXED ON d.site_id = s.id
         WHERE d.date >= date(?1, '-90 days') AND d.date <= ?2
         ORDER BY s.id, d.date",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    // (site, date, capacity, day total, the site's recent days)
    let mut flagged: Vec<(i64, String, i64, i64, Vec<i64>)> = Vec::new();
    let mut site = None;
    let mut recent: VecDeque<i64> = VecDeque::with_capacity(RECENT_DAYS + 1);
    while let Some(r) = rows.next()? {
        let (site_id, date, capacity, administered): (i64, String, i64, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        if site != Some(site_id) {
            site = Some(site_id);
            recent.clear();
        }
        let earlier: Vec<i64> = recent.iter().copied().collect();
        if date.as_str() >= from
            && judge(capacity, administered, &earlier, NoShift::Allow).is_some()
        {
            flagged.push((site_id, date, capacity, administered, earlier));
        }
        if administered > 0 {
            recent.push_back(administered);
            if recent.len() > RECENT_DAYS {
                recent.pop_front();
            }
        }
    }
    drop(rows);
    let mut held = 0;
    for (site_id, date, capacity, mut total, earlier) in flagged {
        for (id, doses) in dose_count::imported_on(conn, site_id, &date, now)? {
            if judge(capacity, total, &earlier, NoShift::Allow).is_none() {
                break;
            }
            dose_count::hold(conn, id, now)?;
            total -= doses;
            held += 1;
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capacity_rule_has_a_margin_and_a_slack() {
        // 288 places: up to 288 × 1.25 + 10 = 370 is plausible.
        assert_eq!(judge(288, 370, &[], NoShift::Refuse), None);
        assert!(judge(288, 371, &[], NoShift::Refuse).is_some());
        // No shift: typed entry refuses more than the slack; an import allows it.
        assert!(judge(0, 11, &[], NoShift::Refuse).is_some());
        assert_eq!(judge(0, 5000, &[], NoShift::Allow), None);
    }

    #[test]
    fn far_above_the_recent_days_is_implausible_even_without_shifts() {
        let recent = [100; 10];
        assert_eq!(judge(0, 250, &recent, NoShift::Allow), None);
        assert!(judge(0, 400, &recent, NoShift::Allow).is_some());
    }
}
