//! Keyboard entry of tallies at a clinic site. A correction keeps the value
//! it replaces in `dose_count_history`; a wrong tally can be withdrawn (it
//! stays, with its history, and counts nowhere).
//!
//! A typo must not become the official total: a tally that would take its
//! site-day above what the day's shifts could give (their capacity plus
//! `CAPACITY_MARGIN` and `CAPACITY_SLACK`), or far above the site's recent
//! days (the rule of `doses::flags`), is refused until it is entered again
//! with confirmation.

use crate::error::{Error, Result};
use crate::store::{
    self,
    dose_count::{Key, Source},
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Tally {
    pub site_code: String,
    pub date: String,
    /// Free label (`am`, `pm`); empty when the site tallies whole days.
    #[serde(default)]
    pub shift: String,
    pub dose_number: i64,
    /// Product code; empty when not recorded.
    #[serde(default)]
    pub product: String,
    pub doses: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Recorded {
    /// The value this entry replaced, if it corrected an earlier tally.
    pub replaced: Option<i64>,
}

use super::guard::{judge, recent_days, NoShift};
pub use super::guard::{CAPACITY_MARGIN, CAPACITY_SLACK};

/// Records a tally, or corrects the one under the same key. An implausible
/// value is refused (`needs_confirmation`, nothing written) unless
/// `confirmed`.
pub fn record(conn: &mut Connection, t: &Tally, confirmed: bool) -> Result<Recorded> {
    let result = record_unaudited(conn, t, confirmed);
    crate::audit::noting_refusal(conn, "tally", &tally_subject(t), result)
}

/// What the audit log names a tally by: its site and day.
fn tally_subject(t: &Tally) -> String {
    format!("{} {}", t.site_code, t.date)
}

fn record_unaudited(conn: &mut Connection, t: &Tally, confirmed: bool) -> Result<Recorded> {
    if !(0..=10_000_000).contains(&t.doses) {
        return Err(Error::InvalidInput(format!(
            "doses must be between 0 and 10,000,000, not {}",
            t.doses
        )));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let named = resolve(&tx, t)?;
    let (key, site_id, date) = (named.key(t), named.site_id, named.date.as_str());
    crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::DoseCount, site_id)?;
    let now = store::now_timestamp();
    let existing = store::dose_count::find(&tx, &key)?;
    if !confirmed {
        let counted_before = existing
            .as_ref()
            .filter(|e| !e.withdrawn && !e.held)
            .map_or(0, |e| e.doses);
        if let Some(reason) = implausible(&tx, site_id, date, t.doses - counted_before)? {
            return Err(Error::NeedsConfirmation(format!(
                "{} doses at {} on {date} not recorded: {reason}.",
                crate::doses::flags::group(t.doses),
                t.site_code
            )));
        }
    }
    let replaced = match existing {
        None => {
            store::dose_count::insert(&tx, &key, t.doses, Source::Local, &now)?;
            None
        }
        // A held import, confirmed as it stands: it counts from now on.
        Some(old) if old.doses == t.doses && old.held => {
            store::dose_count::release(&tx, old.id, &now)?;
            None
        }
        Some(old) if old.doses == t.doses && !old.withdrawn => None,
        Some(old) => {
            store::dose_count::correct(&tx, &old, t.doses, Source::Local, &now)?;
            Some(old.doses)
        }
    };
    crate::audit::record(
        &tx,
        "tally",
        &tally_subject(t),
        serde_json::json!({ "doses": t.doses, "replaced": replaced, "confirmed": confirmed }),
    )?;
    tx.commit()?;
    Ok(Recorded { replaced })
}

/// The site, date and product a tally names, checked: what its key is made of.
struct Named {
    site_id: i64,
    date: String,
    product: String,
}

impl Named {
    fn key<'a>(&'a self, t: &'a Tally) -> Key<'a> {
        Key {
            site_id: self.site_id,
            date: &self.date,
            shift: t.shift.trim(),
            dose_number: t.dose_number,
            product: &self.product,
        }
    }
}

fn resolve(conn: &Connection, t: &Tally) -> Result<Named> {
    let date = crate::time::require_event_date("date", &t.date)?.to_string();
    if !(1..=3).contains(&t.dose_number) {
        return Err(Error::InvalidInput("dose number must be 1, 2 or 3".into()));
    }
    let site_id = store::site::id(conn, &t.site_code)?;
    let product = t.product.trim().to_ascii_uppercase();
    if !product.is_empty() && !store::product::exists(conn, &product)? {
        return Err(Error::InvalidInput(format!("unknown product {product}")));
    }
    Ok(Named {
        site_id,
        date,
        product,
    })
}

/// Why a site-day's tallies changed by `change` doses would be implausible,
/// if they would (`guard::judge`, a day with no shift included).
fn implausible(conn: &Connection, site_id: i64, date: &str, change: i64) -> Result<Option<String>> {
    if change <= 0 {
        return Ok(None); // lowering a count never inflates a total
    }
    let (capacity, administered): (i64, i64) = conn
        .query_row(
            "SELECT capacity, administered FROM site_day WHERE site_id = ?1 AND date = ?2",
            params![site_id, date],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    let recent = recent_days(conn, site_id, date)?;
    Ok(judge(
        capacity,
        administered + change,
        &recent,
        NoShift::Refuse,
    ))
}

/// Withdraws the tally under `t`'s key (its `doses` are not used): it stays,
/// with its value in its history, and counts in no total. Entering the same
/// key again brings it back.
pub fn withdraw(conn: &mut Connection, t: &Tally) -> Result<i64> {
    let result = withdraw_unaudited(conn, t);
    crate::audit::noting_refusal(conn, "tally_withdrawal", &tally_subject(t), result)
}

fn withdraw_unaudited(conn: &mut Connection, t: &Tally) -> Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let named = resolve(&tx, t)?;
    let (key, date) = (named.key(t), named.date.as_str());
    crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::DoseCount, named.site_id)?;
    let old = store::dose_count::find(&tx, &key)?
        .filter(|old| !old.withdrawn)
        .ok_or_else(|| {
            Error::NotFound(format!("no tally to withdraw at {} on {date}", t.site_code))
        })?;
    store::dose_count::withdraw(&tx, &old, &store::now_timestamp())?;
    crate::audit::record(
        &tx,
        "tally_withdrawal",
        &tally_subject(t),
        serde_json::json!({ "doses": old.doses }),
    )?;
    tx.commit()?;
    Ok(old.doses)
}

/// A shift a tally can be entered for: one of the site-day's scheduled
/// shifts (its hours as the label), or a label the site-day's tallies
/// already use (an import's `am`), so a correction lands on the same row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShiftChoice {
    pub label: String,
    /// The scheduled shift's hours; `None` for a label only tallies use.
    pub start: Option<String>,
    pub end: Option<String>,
}

/// The label a scheduled shift's tallies go under: its hours.
pub fn shift_label(start: &str, end: &str) -> String {
    format!("{start}–{end}")
}

/// What the entry form offers for a site-day, scheduled shifts first (by
/// start), then the other labels its tallies use. "Whole day" (the empty
/// label) is always offered by the form itself.
pub fn shift_choices(conn: &Connection, site_code: &str, date: &str) -> Result<Vec<ShiftChoice>> {
    let date = crate::time::require_event_date("date", date)?.to_string();
    let site_id = store::site::id(conn, site_code)?;
    let mut out: Vec<ShiftChoice> = conn
        .prepare_cached(
            "SELECT start, end FROM shift WHERE site_id = ?1 AND date = ?2 ORDER BY start",
        )?
        .query_map(params![site_id, date], |r| {
            let (start, end): (String, String) = (r.get(0)?, r.get(1)?);
            Ok(ShiftChoice {
                label: shift_label(&start, &end),
                start: Some(start),
                end: Some(end),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let used: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT shift FROM dose_count WHERE site_id = ?1 AND date = ?2 AND shift <> '' ORDER BY shift",
        )?
        .query_map(params![site_id, date], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for label in used {
        if !out.iter().any(|c| c.label == label) {
            out.push(ShiftChoice {
                label,
                start: None,
                end: None,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    #[serde(flatten)]
    pub tally: Tally,
    pub source: String,
    pub updated_at: String,
    /// Earlier values, newest first.
    pub history: Vec<i64>,
    /// Withdrawn: kept, counted in no total.
    pub withdrawn: bool,
    /// Held: an implausible imported value, counted in no total until confirmed.
    pub held: bool,
}

/// A site-day's tallies, as the entry form lists them under the form.
pub fn site_day(conn: &Connection, site_code: &str, date: &str) -> Result<Vec<TallyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.shift, d.dose_number, d.product, d.doses, d.source, d.updated_at,
                d.withdrawn_at IS NOT NULL AS withdrawn, d.held_at IS NOT NULL AS held
         FROM dose_count d JOIN site ON site.id = d.site_id
         WHERE site.code = ?1 AND d.date = ?2
         ORDER BY d.shift, d.dose_number, d.product",
    )?;
    let rows: Vec<(i64, TallyRow)> = stmt
        .query_map(params![site_code, date], |r| {
            Ok((
                r.get("id")?,
                TallyRow {
                    tally: Tally {
                        site_code: site_code.to_owned(),
                        date: date.to_owned(),
                        shift: r.get("shift")?,
                        dose_number: r.get("dose_number")?,
                        product: r.get("product")?,
                        doses: r.get("doses")?,
                    },
                    source: r.get("source")?,
                    updated_at: r.get("updated_at")?,
                    history: Vec::new(),
                    withdrawn: r.get("withdrawn")?,
                    held: r.get("held")?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut history = conn.prepare_cached(
        "SELECT doses FROM dose_count_history WHERE dose_count_id = ?1 ORDER BY id DESC",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut row) in rows {
        row.history = history
            .query_map([id], |r| r.get("doses"))?
            .collect::<rusqlite::Result<_>>()?;
        out.push(row);
    }
    Ok(out)
}
