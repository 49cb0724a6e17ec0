//! Check results kept in the store (migration 0003): per site-day and per
//! person, with totals. Triggers mark what a change touched as dirty;
//! `refresh` re-judges only that, so the views read a handful of rows at
//! province scale. The rules are the ones `run` applies, in one place.

use super::{
    day_text, scan_people, site_day_findings, CheckReport, PersonRules, Scope, SiteDayExcess,
};
use crate::error::Result;
use crate::store::bulk;
use crate::time::{day_start_minute, parse_date, MINUTES_PER_DAY};
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// Beyond this many dirty site-days or people, one full pass is cheaper than
/// re-judging each (a full pass over 10M bookings takes a few seconds).
const FULL_PASS_SITE_DAYS: i64 = 20_000;
const FULL_PASS_PEOPLE: i64 = 200_000;

/// Marks every kept result stale (after a bulk load that bypassed the triggers).
pub fn invalidate(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE check_state SET site_days_valid = 0, people_valid = 0",
        [],
    )?;
    Ok(())
}

/// What a refresh has to do: results to recompute, or dirty rows to re-judge.
struct Pending {
    site_days_valid: bool,
    people_valid: bool,
    dirty_site_days: i64,
    dirty_people: i64,
}

impl Pending {
    fn read(conn: &Connection) -> Result<Self> {
        Ok(conn.query_row(
            "SELECT site_days_valid, people_valid,
                    (SELECT count(*) FROM check_dirty_site_day) AS dirty_site_days,
                    (SELECT count(*) FROM check_dirty_person) AS dirty_people
             FROM check_state",
            [],
            |r| {
                Ok(Pending {
                    site_days_valid: r.get("site_days_valid")?,
                    people_valid: r.get("people_valid")?,
                    dirty_site_days: r.get("dirty_site_days")?,
                    dirty_people: r.get("dirty_people")?,
                })
            },
        )?)
    }

    fn is_clean(&self) -> bool {
        self.site_days_valid
            && self.people_valid
            && self.dirty_site_days == 0
            && self.dirty_people == 0
    }
}

/// Brings the kept results up to date, in one IMMEDIATE transaction (or
/// inside the caller's). When they already are, it only reads: no write
/// lock, so a view may call it inside its read snapshot.
pub fn refresh(conn: &Connection) -> Result<()> {
    if Pending::read(conn)?.is_clean() {
        return Ok(());
    }
    let own = conn.is_autocommit();
    if own {
        conn.execute_batch("BEGIN IMMEDIATE")?;
    }
    let done = refresh_in(conn, own);
    if own {
        match &done {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(_) => {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
    }
    done
}

/// `own`: the caller's transaction was begun by `refresh` and holds the
/// write lock, with nothing written in it yet.
fn refresh_in(conn: &Connection, own: bool) -> Result<()> {
    // Read again under the write lock: another writer may have refreshed.
    let pending = Pending::read(conn)?;
    let all_site_days = !pending.site_days_valid || pending.dirty_site_days > FULL_PASS_SITE_DAYS;
    let all_people = !pending.people_valid || pending.dirty_people > FULL_PASS_PEOPLE;
    if all_site_days && all_people && own {
        // After an import, both full passes. They read only what is
        // committed (this transaction has written nothing yet and holds the
        // write lock, so nobody else can commit): the people's pass on a
        // second connection while this one judges the site-days.
        let (people, site_days) =
            crate::store::halves::read_beside(conn, all_people_findings, |conn| {
                site_day_findings(conn, &Scope::EVERYTHING)
            })?;
        replace_site_days(conn, site_days)?;
        return replace_people(conn, &people);
    }
    if all_site_days {
        replace_site_days(conn, site_day_findings(conn, &Scope::EVERYTHING)?)?;
    } else if pending.dirty_site_days > 0 {
        refresh_site_days(conn)?;
    }
    if all_people {
        replace_people(conn, &all_people_findings(conn)?)?;
    } else if pending.dirty_people > 0 {
        refresh_people(conn)?;
    }
    Ok(())
}

fn insert_site_day(
    conn: &Connection,
    site: i64,
    day: i64,
    f: &super::SiteDayFindings,
) -> Result<()> {
    let mut slot = conn.prepare_cached(
        "INSERT INTO check_slot (site_id, slot_minute, excess_bookings) VALUES (?1, ?2, ?3)",
    )?;
    for (minute, excess) in &f.slots {
        slot.execute(params![site, minute, excess])?;
    }
    conn.prepare_cached(
        "INSERT INTO check_site_day (site_id, date, overbooked_slots, excess_bookings, outside_shift_bookings)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        site,
        day_text(day),
        f.overbooked_slots,
        f.excess_bookings,
        f.outside_shift_bookings
    ])?;
    Ok(())
}

/// Every site-day's findings in place of the kept ones; the totals are set
/// once at the end.
fn replace_site_days(
    conn: &Connection,
    findings: HashMap<(i64, i64), super::SiteDayFindings>,
) -> Result<()> {
    // The triggers keep the totals as a partial refresh changes rows; a
    // full pass sets them once at its end. Without them the old results go
    // in one step instead of row by row, and an insert needs no journal of
    // its own to undo its trigger (at 10 million bookings, inserting the
    // people's findings was a quarter of a full pass, mostly that journal).
    let triggers = bulk::drop_triggers(conn, "check_site_day")?;
    conn.execute_batch(
        "UPDATE check_state SET site_days_valid = 0;
         DELETE FROM check_site_day;
         DELETE FROM check_slot;
         DELETE FROM check_dirty_site_day;",
    )?;
    for ((site, day), found) in findings {
        insert_site_day(conn, site, day, &found)?;
    }
    bulk::recreate(conn, &triggers)?;
    conn.execute_batch(
        "UPDATE check_state SET site_days_valid = 1,
             overbooked_slots = (SELECT coalesce(sum(overbooked_slots), 0) FROM check_site_day),
             excess_bookings = (SELECT coalesce(sum(excess_bookings), 0) FROM check_site_day),
             outside_shift_bookings = (SELECT coalesce(sum(outside_shift_bookings), 0) FROM check_site_day);",
    )?;
    Ok(())
}

/// Re-judges the dirty site-days; the totals follow by trigger.
fn refresh_site_days(conn: &Connection) -> Result<()> {
    let dirty: Vec<(i64, String)> = conn
        .prepare("SELECT site_id, date FROM check_dirty_site_day")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (site, date) in dirty {
        conn.prepare_cached("DELETE FROM check_site_day WHERE site_id = ?1 AND date = ?2")?
            .execute(params![site, date])?;
        let Some(day) = parse_date(&date).map(|d| day_start_minute(d) / MINUTES_PER_DAY) else {
            continue; // triggers only write dates SQLite formatted
        };
        conn.prepare_cached(
            "DELETE FROM check_slot WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3",
        )?
        .execute(params![
            site,
            day * MINUTES_PER_DAY,
            (day + 1) * MINUTES_PER_DAY
        ])?;
        let found = site_day_findings(conn, &Scope::site_day(site, day))?;
        if let Some(found) = found.get(&(site, day)) {
            insert_site_day(conn, site, day, found)?;
        }
    }
    conn.execute("DELETE FROM check_dirty_site_day", [])?;
    Ok(())
}

fn insert_person(conn: &Connection, person_id: &str, f: &super::PersonFindings) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO check_person (person_id, duplicate, orphan_first, out_of_window, not_yet_eligible)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        person_id,
        f.duplicate,
        f.orphan_first,
        f.out_of_window,
        f.not_yet_eligible
    ])?;
    Ok(())
}

/// Every person with a finding, in person id order: one pass over the
/// bookings in person order.
fn all_people_findings(conn: &Connection) -> Result<Vec<(String, super::PersonFindings)>> {
    let rules = PersonRules::load(conn)?;
    let mut people = Vec::new();
    scan_people(conn, &Scope::EVERYTHING, &rules, |id, f| {
        people.push((id.to_owned(), f))
    })?;
    Ok(people)
}

/// `people` (in person id order, so the B-tree inserts are appends) in
/// place of the kept findings; the totals are set once at the end.
fn replace_people(conn: &Connection, people: &[(String, super::PersonFindings)]) -> Result<()> {
    // Without its triggers, as `replace_site_days` says why.
    let triggers = bulk::drop_triggers(conn, "check_person")?;
    conn.execute_batch(
        "UPDATE check_state SET people_valid = 0;
         DELETE FROM check_person;
         DELETE FROM check_dirty_person;",
    )?;
    for (id, f) in people {
        insert_person(conn, id, f)?;
    }
    bulk::recreate(conn, &triggers)?;
    conn.execute_batch(
        "UPDATE check_state SET people_valid = 1,
             duplicate_people = (SELECT coalesce(sum(duplicate), 0) FROM check_person),
             orphan_first_doses = (SELECT coalesce(sum(orphan_first), 0) FROM check_person),
             second_dose_out_of_window = (SELECT coalesce(sum(out_of_window), 0) FROM check_person),
             not_yet_eligible = (SELECT coalesce(sum(not_yet_eligible), 0) FROM check_person);",
    )?;
    Ok(())
}

/// Re-judges the dirty people; the totals follow by trigger.
fn refresh_people(conn: &Connection) -> Result<()> {
    let dirty: Vec<String> = conn
        .prepare("SELECT person_id FROM check_dirty_person")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let rules = PersonRules::load(conn)?;
    for person_id in dirty {
        conn.prepare_cached("DELETE FROM check_person WHERE person_id = ?1")?
            .execute([&person_id])?;
        let found = rules.judge_person(conn, &person_id)?;
        if found.any() {
            insert_person(conn, &person_id, &found)?;
        }
    }
    conn.execute("DELETE FROM check_dirty_person", [])?;
    Ok(())
}

/// The whole store's check report from the kept results (refreshed first):
/// the same figures as `run` with no scope. `by_site_day` holds at most
/// `site_day_limit` site-days, worst first; `site_days_with_excess` counts all.
pub fn current(conn: &Connection, site_day_limit: usize) -> Result<CheckReport> {
    refresh(conn)?;
    let mut report = conn.query_row(
        "SELECT overbooked_slots, excess_bookings, outside_shift_bookings, duplicate_people,
                orphan_first_doses, second_dose_out_of_window, not_yet_eligible,
                (SELECT count(*) FROM check_site_day WHERE excess_bookings > 0) AS site_days
         FROM check_state",
        [],
        |r| {
            Ok(CheckReport {
                overbooked_slots: r.get("overbooked_slots")?,
                excess_bookings: r.get("excess_bookings")?,
                outside_shift_bookings: r.get("outside_shift_bookings")?,
                duplicate_people: r.get("duplicate_people")?,
                orphan_first_doses: r.get("orphan_first_doses")?,
                second_dose_out_of_window: r.get("second_dose_out_of_window")?,
                not_yet_eligible: r.get("not_yet_eligible")?,
                site_days_with_excess: r.get("site_days")?,
                by_site_day: Vec::new(),
            })
        },
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.code, c.date, c.excess_bookings
         FROM check_site_day c JOIN site s ON s.id = c.site_id
         WHERE c.excess_bookings > 0
         ORDER BY c.excess_bookings DESC, c.date, s.code LIMIT ?1",
    )?;
    report.by_site_day = stmt
        .query_map([i64::try_from(site_day_limit).unwrap_or(i64::MAX)], |r| {
            Ok(SiteDayExcess {
                site_code: r.get("code")?,
                date: r.get("date")?,
                excess_bookings: r.get("excess_bookings")?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(report)
}

/// Over-capacity slots starting in `[from, to)` minutes, at one site or
/// all, as (site id, slot start, excess bookings), after a refresh.
pub(super) fn over_capacity_slots(
    conn: &Connection,
    from: i64,
    to: i64,
    site: Option<i64>,
) -> Result<Vec<(i64, i64, i64)>> {
    refresh(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT site_id, slot_minute, excess_bookings FROM check_slot
         WHERE slot_minute >= ?1 AND slot_minute < ?2 AND (?3 IS NULL OR site_id = ?3)
         ORDER BY site_id, slot_minute",
    )?;
    let rows = stmt.query_map(params![from, to, site], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests;
