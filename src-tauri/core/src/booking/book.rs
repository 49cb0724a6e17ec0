//! Booking a first dose with its second dose reserved, in one IMMEDIATE
//! transaction: the capacity check and the inserts cannot interleave with
//! another writer.

use crate::error::{Error, Result};
use crate::input::given;
use crate::store;
use crate::store::appointment::active;
use crate::time::{
    day_start_minute, format_minute, minute_of, parse_date, parse_hhmm, parse_local_datetime,
    MINUTES_PER_DAY, SLOT_MINUTES,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
pub struct BookRequest {
    pub person_id: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub site: String,
    /// `YYYY-MM-DDTHH:MM`
    pub slot: String,
    pub product: String,
    /// Where the second dose goes: the earliest free slot inside the
    /// product's interval at this site (default: the first dose's site).
    pub second_site: Option<String>,
    /// A chosen second-dose slot instead of the earliest free one.
    pub second_slot: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    /// ISO 639-1 (`en`, `fr`, …): the language to call them in.
    #[serde(default)]
    pub preferred_language: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BookedDose {
    pub id: i64,
    pub site_code: String,
    pub slot: String,
    pub dose_number: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Booked {
    /// The person's id: as given, or the one made for a new person.
    pub person_id: String,
    pub first: BookedDose,
    pub second: BookedDose,
    pub central: CentralCheck,
}

/// Whether the unit's central copy checked the booking's places.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum CentralCheck {
    /// This laptop syncs with no server: its own count is the only one.
    NotEnrolled,
    /// The server took the booking in the same transaction as its count
    /// of every laptop's bookings: no other online laptop can take the
    /// same last place.
    Passed,
    /// The server could not be asked (why): the booking is kept here and
    /// travels at the next sync; if it overbooks then, every laptop's
    /// Checks and Conflicts show the slot.
    Unreachable(String),
}

use crate::store::site::SiteRef as Site;

fn site(tx: &Transaction<'_>, code: &str) -> Result<Site> {
    store::site::find_by_code(tx, code)?
        .filter(Site::is_open)
        .ok_or_else(|| Error::NotFound(format!("no open site with code {code:?}")))
}

/// Free places in the slot starting at `slot` (5-minute aligned) at a site,
/// or `None` when no shift covers it. Call inside the writing transaction.
pub(crate) fn free_places_at(tx: &Transaction<'_>, site_id: i64, slot: i64) -> Result<Option<i64>> {
    let Some(capacity) = crate::capacity::slot_capacity_at(tx, site_id, slot)? else {
        return Ok(None);
    };
    let booked: i64 = tx.query_row(
        concat!(
            "SELECT count(*) FROM appointment
         WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
           AND ",
            active!()
        ),
        params![site_id, slot, slot + SLOT_MINUTES],
        |r| r.get(0),
    )?;
    Ok(Some(capacity - booked))
}

fn parse_slot(text: &str, what: &str) -> Result<i64> {
    let at = parse_local_datetime(text).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{what} {text:?} is not a date-time (YYYY-MM-DDTHH:MM)"
        ))
    })?;
    if let Some(problem) = crate::time::event_year_problem(at.date()) {
        return Err(Error::InvalidInput(format!("{what}: {problem}")));
    }
    let minute = minute_of(at);
    Ok(minute - minute.rem_euclid(SLOT_MINUTES))
}

/// Books a first dose and reserves the linked second dose, or nothing.
/// On an enrolled laptop the server's capacity guard is asked too (see
/// [`CentralCheck`]); the app and the CLI book through here.
pub fn book_first_dose(conn: &mut Connection, req: &BookRequest) -> Result<Booked> {
    let result =
        crate::sync::with_booking_guard(conn, |conn, guard| book_first_dose_via(conn, req, guard));
    let who = match req.person_id.trim() {
        "" => "a new person",
        id => id,
    };
    crate::audit::noting_refusal(conn, "book", who, result)
}

/// [`book_first_dose`] with the central guard given: `None` books on this
/// laptop alone (as when offline).
pub fn book_first_dose_via(
    conn: &mut Connection,
    req: &BookRequest,
    guard: Option<&mut dyn crate::sync::Transport>,
) -> Result<Booked> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let first_site = site(&tx, &req.site)?;
    let product = req.product.to_ascii_uppercase();
    let (min_days, max_days): (i64, i64) = tx
        .query_row(
            "SELECT min_interval_days, max_interval_days FROM product WHERE code = ?1",
            [&product],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("unknown product {:?}", req.product)))?;
    let slot = parse_slot(&req.slot, "slot")?;
    let new_id;
    let person = match req.person_id.trim() {
        "" if given(&req.given_name).is_none() && given(&req.family_name).is_none() => {
            return Err(Error::InvalidInput(
                "give the person's id, or their name to book them as a new person".into(),
            ))
        }
        "" => {
            new_id = new_person_id(&tx)?;
            new_id.as_str()
        }
        id => id,
    };
    let already: Option<String> = tx
        .query_row(
            concat!(
                "SELECT slot_minute FROM appointment WHERE person_id = ?1 AND dose_number = 1
               AND ",
                active!(),
                " LIMIT 1"
            ),
            [person],
            |r| r.get::<_, i64>(0).map(format_minute),
        )
        .optional()?;
    if let Some(at) = already {
        return Err(Error::Conflict(format!(
            "{person} already has a first dose booked ({at})"
        )));
    }
    let language = match req.preferred_language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(crate::store::person::language_code(code).ok_or_else(|| {
            Error::InvalidInput(format!(
                "preferred language {code:?} is not a two-letter ISO 639-1 code such as en or fr"
            ))
        })?),
    };
    let birth = match req.birth_date.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(crate::time::require_birth_date("birth date", b)?),
        None => tx
            .query_row(
                "SELECT birth_date FROM person WHERE person_id = ?1",
                [person],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten()
            .and_then(|b| parse_date(&b)),
    };
    if let Some(birth) = birth {
        check_eligible(&tx, birth, slot, &first_site)?;
    }
    match free_places_at(&tx, first_site.id, slot)? {
        None => {
            return Err(Error::Conflict(format!(
                "no shift at {} covers {}",
                first_site.code,
                format_minute(slot)
            )))
        }
        Some(free) if free <= 0 => {
            return Err(Error::SlotFull(format!(
                "{} {} is full",
                first_site.code,
                format_minute(slot)
            )))
        }
        Some(_) => {}
    }
    let second_site = match &req.second_site {
        Some(code) => site(&tx, code)?,
        None => site(&tx, &first_site.code)?,
    };
    let earliest = slot - slot.rem_euclid(MINUTES_PER_DAY) + min_days * MINUTES_PER_DAY;
    let latest = slot - slot.rem_euclid(MINUTES_PER_DAY) + (max_days + 1) * MINUTES_PER_DAY;
    let second_slot = match &req.second_slot {
        Some(text) => {
            let chosen = parse_slot(text, "second-dose slot")?;
            if !(earliest..latest).contains(&chosen) {
                return Err(Error::InvalidInput(format!(
                    "the second dose must be {min_days}–{max_days} days after the first ({} to {})",
                    &format_minute(earliest)[..10],
                    &format_minute(latest - MINUTES_PER_DAY)[..10]
                )));
            }
            match free_places_at(&tx, second_site.id, chosen)? {
                Some(free) if free > 0 => chosen,
                _ => {
                    return Err(Error::SlotFull(format!(
                        "{} {} has no free place",
                        second_site.code,
                        format_minute(chosen)
                    )))
                }
            }
        }
        None => earliest_free(&tx, &second_site, earliest, latest)?.ok_or_else(|| {
            Error::SlotFull(format!(
                "no free second-dose place at {} between {} and {}",
                second_site.code,
                &format_minute(earliest)[..10],
                &format_minute(latest - MINUTES_PER_DAY)[..10]
            ))
        })?,
    };
    for site in [first_site.id, second_site.id] {
        crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::Appointment, site)?;
    }
    let now = crate::store::now_timestamp();
    let birth_text = birth.map(|b| b.to_string());
    store::person::upsert(
        &tx,
        person,
        &store::person::Details {
            birth_date: birth_text.as_deref(),
            phone: given(&req.phone),
            given_name: given(&req.given_name),
            family_name: given(&req.family_name),
            preferred_language: language.as_deref(),
        },
        &now,
    )?;
    let first_id =
        store::appointment::insert_local(&tx, person, first_site.id, slot, 1, &product, &now)?;
    let second_id = store::appointment::insert_local(
        &tx,
        person,
        second_site.id,
        second_slot,
        2,
        &product,
        &now,
    )?;
    let central = match guard {
        Some(server) => crate::sync::guard_booking(&tx, server, &[first_id, second_id])?,
        None => CentralCheck::NotEnrolled,
    };
    crate::audit::record(
        &tx,
        "book",
        person,
        serde_json::json!({
            "product": product,
            "first": { "site": first_site.code, "slot": format_minute(slot) },
            "second": { "site": second_site.code, "slot": format_minute(second_slot) },
        }),
    )?;
    tx.commit()?;
    Ok(Booked {
        person_id: person.to_owned(),
        central,
        first: BookedDose {
            id: first_id,
            site_code: first_site.code,
            slot: format_minute(slot),
            dose_number: 1,
        },
        second: BookedDose {
            id: second_id,
            site_code: second_site.code,
            slot: format_minute(second_slot),
            dose_number: 2,
        },
    })
}

/// An id for a person booked here who has none from the booking system
/// (a walk-in): `DD-` and ten hex digits, unused in this store. Random, so
/// two laptops booking offline do not make the same one.
fn new_person_id(tx: &Transaction<'_>) -> Result<String> {
    loop {
        let bytes = crate::store::new_uuid();
        let id = format!(
            "DD-{}",
            bytes[..5]
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        );
        let used: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM person WHERE person_id = ?1)
                 OR EXISTS (SELECT 1 FROM appointment WHERE person_id = ?1)",
            [&id],
            |r| r.get(0),
        )?;
        if !used {
            return Ok(id);
        }
    }
}

/// The earliest slot in `[from, to)` with a free place at `site`.
fn earliest_free(tx: &Transaction<'_>, site: &Site, from: i64, to: i64) -> Result<Option<i64>> {
    let mut shifts = tx.prepare_cached(
        "SELECT date, start, end FROM shift WHERE site_id = ?1 AND date >= ?2 AND date < ?3 ORDER BY date, start",
    )?;
    let day = |m: i64| format_minute(m)[..10].to_owned();
    let found: Vec<(String, String, String)> = shifts
        .query_map(params![site.id, day(from), day(to)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (date, start, end) in found {
        let (Some(d), Some(s), Some(e)) = (parse_date(&date), parse_hhmm(&start), parse_hhmm(&end))
        else {
            continue;
        };
        let base = day_start_minute(d);
        let mut slot = base + i64::from(s);
        while slot < base + i64::from(e) {
            if free_places_at(tx, site.id, slot)?.is_some_and(|free| free > 0) {
                return Ok(Some(slot));
            }
            slot += SLOT_MINUTES;
        }
    }
    Ok(None)
}

fn check_eligible(
    tx: &Transaction<'_>,
    birth: chrono::NaiveDate,
    slot: i64,
    site: &Site,
) -> Result<()> {
    let phases: i64 = tx.query_row("SELECT count(*) FROM eligibility_phase", [], |r| r.get(0))?;
    if phases == 0 {
        return Ok(());
    }
    let date = crate::time::datetime_of_minute(slot).date();
    let age = date.years_since(birth).map_or(0, i64::from);
    let allowed: Option<String> = tx
        .query_row(
            "SELECT label FROM eligibility_phase
             WHERE from_date <= ?1 AND min_age <= ?2 AND (site_kind IS NULL OR site_kind = ?3) LIMIT 1",
            params![date.to_string(), age, site.kind],
            |r| r.get(0),
        )
        .optional()?;
    match allowed {
        Some(_) => Ok(()),
        None => Err(Error::NotEligible(format!(
            "not yet eligible on {date}: age {age} at a {}",
            site.kind.replace('_', " ")
        ))),
    }
}
