//! Managers edit the schedule in the app: add a shift (pharmacies
//! included), change its hours or staffing, or cancel it. A cancelled shift
//! stays, with no capacity (no vaccinators, capacity 0): its bookings are
//! then beyond capacity, so the Checks count them and the rebooking desk
//! proposes new places for them. Cancelling a shift that holds bookings
//! says how many first and waits for a confirmation.
//!
//! Each edit is one IMMEDIATE transaction, guarded like every clinic-data
//! write (the signed-in role, the enrolled device's sites) and audited.

use crate::checks::{slot_figures, CheckQuery};
use crate::error::{Error, Result};
use crate::store::shift::{ShiftRow, Source, Staffing};
use crate::store::{self, now_timestamp};
use crate::sync::{enrolment::guard_write, wire::Table};
use crate::time::{day_start_minute, format_hhmm, parse_hhmm, require_event_date};
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// A shift to add.
#[derive(Debug, Clone, Deserialize)]
pub struct NewShift {
    pub site_code: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
    /// An explicit capacity for the whole shift (FORMATS: spread evenly
    /// over its slots) instead of the vaccinators' rate.
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// New hours and staffing for an existing shift.
#[derive(Debug, Clone, Deserialize)]
pub struct ShiftChange {
    pub id: i64,
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// What an edit left on the shift's site-day, as the Checks count it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Edited {
    pub shift_id: i64,
    pub site_code: String,
    pub date: String,
    /// Bookings beyond capacity that day: the rebooking desk's to move.
    pub excess_bookings: i64,
    /// How many of those this edit added (negative when it made room).
    pub excess_added: i64,
}

/// Largest number of vaccinators a shift may have: a typo guard.
const MAX_VACCINATORS: i64 = 500;

pub fn add(conn: &mut Connection, s: &NewShift) -> Result<Edited> {
    let result = add_in_transaction(conn, s);
    let subject = format!("{} {} {}", s.site_code.trim(), s.date, s.start);
    crate::audit::noting_refusal(conn, "shift_add", &subject, result)
}

fn add_in_transaction(conn: &mut Connection, s: &NewShift) -> Result<Edited> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code = s.site_code.trim();
    let site = store::site::find_by_code(&tx, code)?
        .ok_or_else(|| Error::NotFound(format!("no site {code:?}")))?;
    if !site.is_open() {
        return Err(Error::Conflict(format!(
            "{code} is a candidate distribution point, not an open site: open it first"
        )));
    }
    let date = require_event_date("date", &s.date)?.to_string();
    let before = excess(&tx, code, &date)?;
    let (id, row) = insert_checked(&tx, site.id, s)?;
    finish(tx, id, code, &date, before, "shift_add", &row)
}

/// A new shift at the open site `site_id`, checked (date, hours,
/// staffing) and guarded like every shift write, inside the caller's
/// transaction; shared with the rebooking desk's temporary clinics.
pub(crate) fn insert_checked(
    tx: &Transaction<'_>,
    site_id: i64,
    s: &NewShift,
) -> Result<(i64, ShiftRow)> {
    let date = require_event_date("date", &s.date)?.to_string();
    let (start, end) = hours(&s.start, &s.end)?;
    staffing_ok(s.vaccinators, s.capacity)?;
    guard_write(tx, Table::Shift, site_id)?;
    let row = ShiftRow {
        site_id,
        date,
        start,
        end,
        vaccinators: s.vaccinators,
        capacity: s.capacity,
    };
    let Some(id) = store::shift::insert_new(tx, &row, Source::Local, &now_timestamp())? else {
        return Err(Error::Conflict(format!(
            "{} already has a shift on {} starting at {}",
            s.site_code.trim(),
            row.date,
            row.start
        )));
    };
    Ok((id, row))
}

pub fn change(conn: &mut Connection, c: &ShiftChange) -> Result<Edited> {
    let result = change_in_transaction(conn, c);
    crate::audit::noting_refusal(conn, "shift_change", &format!("shift {}", c.id), result)
}

fn change_in_transaction(conn: &mut Connection, c: &ShiftChange) -> Result<Edited> {
    let (start, end) = hours(&c.start, &c.end)?;
    staffing_ok(c.vaccinators, c.capacity)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (site_id, code, date) = shift_place(&tx, c.id)?;
    guard_write(&tx, Table::Shift, site_id)?;
    let before = excess(&tx, &code, &date)?;
    let row = ShiftRow {
        site_id,
        date: date.clone(),
        start,
        end,
        vaccinators: c.vaccinators,
        capacity: c.capacity,
    };
    if !store::shift::set_hours_and_staffing(&tx, c.id, &row, &now_timestamp())? {
        return Err(Error::Conflict(format!(
            "{code} already has another shift on {date} starting at {}",
            row.start
        )));
    }
    finish(tx, c.id, &code, &date, before, "shift_change", &row)
}

/// Cancels a shift. One that holds active bookings is cancelled only when
/// `confirmed`; otherwise the refusal (`needs_confirmation`) says how many
/// bookings it holds.
pub fn cancel(conn: &mut Connection, id: i64, confirmed: bool) -> Result<Edited> {
    let result = cancel_in_transaction(conn, id, confirmed);
    crate::audit::noting_refusal(conn, "shift_cancel", &format!("shift {id}"), result)
}

fn cancel_in_transaction(conn: &mut Connection, id: i64, confirmed: bool) -> Result<Edited> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (site_id, code, date) = shift_place(&tx, id)?;
    guard_write(&tx, Table::Shift, site_id)?;
    let row =
        store::shift::by_id(&tx, id)?.ok_or_else(|| Error::NotFound(format!("no shift {id}")))?;
    let held = bookings_in(&tx, &row)?;
    if held > 0 && !confirmed {
        return Err(Error::NeedsConfirmation(format!(
            "the {} – {} shift at {code} on {date} holds {held} booking{}: cancelling it sends \
             those no other shift has room for to the rebooking desk",
            row.start,
            row.end,
            if held == 1 { "" } else { "s" }
        )));
    }
    let before = excess(&tx, &code, &date)?;
    store::shift::set_staffing(
        &tx,
        &Staffing {
            id,
            vaccinators: 0,
            capacity: Some(0),
        },
        &now_timestamp(),
    )?;
    let cancelled = ShiftRow {
        vaccinators: 0,
        capacity: Some(0),
        ..row
    };
    finish(tx, id, &code, &date, before, "shift_cancel", &cancelled)
}

/// Audits, counts the site-day's excess after the edit, and commits.
fn finish(
    tx: Transaction<'_>,
    id: i64,
    code: &str,
    date: &str,
    before: i64,
    action: &str,
    row: &ShiftRow,
) -> Result<Edited> {
    let after = excess(&tx, code, date)?;
    crate::audit::record(
        &tx,
        action,
        &format!("shift {id}"),
        serde_json::json!({
            "site": code, "date": date, "start": row.start, "end": row.end,
            "vaccinators": row.vaccinators, "capacity": row.capacity,
        }),
    )?;
    tx.commit()?;
    Ok(Edited {
        shift_id: id,
        site_code: code.to_owned(),
        date: date.to_owned(),
        excess_bookings: after,
        excess_added: after - before,
    })
}

fn hours(start: &str, end: &str) -> Result<(String, String)> {
    let bad = |what: &str, text: &str| {
        Error::InvalidInput(format!("{what} {text:?} is not a time (HH:MM)"))
    };
    let from = parse_hhmm(start).ok_or_else(|| bad("start", start))?;
    let to = parse_hhmm(end).ok_or_else(|| bad("end", end))?;
    if to <= from {
        return Err(Error::InvalidInput(format!(
            "the shift must end after it starts ({start} – {end})"
        )));
    }
    Ok((format_hhmm(from), format_hhmm(to)))
}

fn staffing_ok(vaccinators: i64, capacity: Option<i64>) -> Result<()> {
    if !(0..=MAX_VACCINATORS).contains(&vaccinators) {
        return Err(Error::InvalidInput(format!(
            "vaccinators must be between 0 and {MAX_VACCINATORS}"
        )));
    }
    if capacity.is_some_and(|c| c < 0) {
        return Err(Error::InvalidInput("a capacity cannot be negative".into()));
    }
    if vaccinators == 0 && capacity.is_none() {
        return Err(Error::InvalidInput(
            "a shift with no vaccinators needs a capacity (cancel it to close it)".into(),
        ));
    }
    Ok(())
}

/// The shift's site id, site code and date.
fn shift_place(tx: &Transaction<'_>, id: i64) -> Result<(i64, String, String)> {
    let row =
        store::shift::by_id(tx, id)?.ok_or_else(|| Error::NotFound(format!("no shift {id}")))?;
    Ok((row.site_id, store::site::code(tx, row.site_id)?, row.date))
}

/// Active bookings inside a shift's hours.
fn bookings_in(tx: &Transaction<'_>, row: &ShiftRow) -> Result<i64> {
    let day = require_event_date("date", &row.date)?;
    let base = day_start_minute(day);
    let minute = |hhmm: &str| parse_hhmm(hhmm).map_or(0, |m| base + i64::from(m));
    Ok(tx.query_row(
        concat!(
            "SELECT count(*) FROM appointment
             WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3 AND ",
            crate::store::appointment::active!()
        ),
        params![row.site_id, minute(&row.start), minute(&row.end)],
        |r| r.get(0),
    )?)
}

/// Bookings beyond capacity at a site on a day, as the Checks count them.
fn excess(tx: &Transaction<'_>, code: &str, date: &str) -> Result<i64> {
    let q = CheckQuery {
        from: Some(date.to_owned()),
        to: Some(date.to_owned()),
        site: Some(code.to_owned()),
    };
    Ok(slot_figures(tx, &q)?.excess_bookings)
}

#[cfg(test)]
mod tests;
