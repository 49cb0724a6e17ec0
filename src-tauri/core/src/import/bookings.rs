//! bookings.csv: the provincial booking system's export. `booking_id` is the
//! key: re-importing a file updates changed rows and duplicates nothing.
//!
//! Into an empty store the file goes through `bulk` (a parser thread beside
//! the writer, indexes built once at the end); into existing bookings it is
//! a `refresh`: rows whose digest matches the one kept from the last import
//! are skipped unread, the others are upserted.

mod bulk;
mod digest;
mod people;
mod refresh;

use super::csv_source::{opt, req, Column, Row};
use super::rows::{known_site, unknown_product};
use super::{Imported, Importing};
use crate::error::Result;
use crate::store::{appointment, product, site};
use crate::time::{minute_of, parse_local_datetime};
use rusqlite::Transaction;
use std::collections::HashMap;

pub const STATUSES: &[&str] = &["booked", "cancelled", "attended", "no_show", "rescheduled"];

columns! {
    BOOKING_ID = req("booking_id"),
    PERSON_ID = req("person_id"),
    BIRTH_DATE = opt("birth_date"),
    PHONE = opt("phone"),
    SITE = req("site_code"),
    SLOT_START = req("slot_start"),
    DOSE_NUMBER = req("dose_number"),
    PRODUCT = req("product"),
    STATUS = req("status"),
    BOOKED_AT = opt("booked_at"),
    GIVEN_NAME = opt("given_name"),
    FAMILY_NAME = opt("family_name"),
    PREFERRED_LANGUAGE = opt("preferred_language"),
}

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let (tx, now, progress) = (cx.tx, cx.now, cx.progress);
    let src = cx.open(COLUMNS)?;
    let known = Known::load(tx)?;
    if appointment::is_empty(tx)? {
        bulk::load(tx, src, &known, now, progress)
    } else {
        refresh::refresh(tx, src, cx.path, &known, now, progress)
    }
}

/// The sites and products a booking may name, read once per import inside
/// its transaction (so no row can name one that is gone by the commit).
pub(super) struct Known {
    sites: HashMap<String, i64>,
    /// Product codes, upper case; a row's code is matched ignoring case.
    products: Vec<String>,
}

impl Known {
    fn load(tx: &Transaction<'_>) -> Result<Self> {
        Ok(Known {
            sites: site::ids_by_code(tx)?,
            products: product::codes(tx)?.into_iter().collect(),
        })
    }
}

/// One validated row, its text borrowed from the reader.
struct Booking<'a> {
    booking_id: &'a str,
    person_id: &'a str,
    details: people::RowDetails<'a>,
    site_id: i64,
    slot_minute: i64,
    dose_number: u8,
    /// Index into `Known::products`.
    product: u8,
    /// Index into `STATUSES`.
    status: u8,
    booked_at: Option<&'a str>,
}

impl Booking<'_> {
    /// Active bookings (booked or attended) hold a place.
    fn is_active(&self) -> bool {
        matches!(STATUSES[usize::from(self.status)], "booked" | "attended")
    }
}

/// Checks every column of one row, naming line and column on a problem.
fn parse<'a>(row: &Row<'a>, known: &Known) -> Result<Booking<'a>> {
    let booking_id = short(row, BOOKING_ID, row.req(BOOKING_ID)?)?;
    let person_id = short(row, PERSON_ID, row.req(PERSON_ID)?)?;
    let details = details(row)?;
    let site_code = row.req(SITE)?;
    let site_id = known_site(row, SITE, &known.sites, site_code)?;
    let slot = row.req_parse(
        SLOT_START,
        "a local date-time (YYYY-MM-DDTHH:MM)",
        parse_local_datetime,
    )?;
    row.event_year(SLOT_START, slot.date())?;
    let dose_number = row.req_int(DOSE_NUMBER, 1, 3)? as u8;
    let code = row.req(PRODUCT)?;
    let product = match known
        .products
        .iter()
        .position(|p| p.eq_ignore_ascii_case(code))
    {
        Some(i) => i as u8,
        None => return Err(unknown_product(row, PRODUCT, code, known.products.iter())),
    };
    let status = row.req_word(STATUS, STATUSES)?;
    let status = STATUSES.iter().position(|s| *s == status).unwrap_or(0) as u8;
    let booked_at = row.opt(BOOKED_AT)?;
    if let Some(text) = booked_at {
        if !crate::time::is_timestamp(text) {
            return Err(row.error(BOOKED_AT, format!("{text:?} is not an ISO 8601 timestamp")));
        }
        if let Some(day) = text.get(..10).and_then(crate::time::parse_date) {
            row.event_year(BOOKED_AT, day)?;
        }
    }
    Ok(Booking {
        booking_id,
        person_id,
        details,
        site_id,
        slot_minute: minute_of(slot),
        dose_number,
        product,
        status,
        booked_at,
    })
}

/// A row's details about its person, checked.
fn details<'a>(row: &Row<'a>) -> Result<people::RowDetails<'a>> {
    let text = |col| row.opt(col)?.map(|t| short(row, col, t)).transpose();
    let language = row.opt(PREFERRED_LANGUAGE)?;
    if let Some(code) = language {
        if crate::store::person::language_code(code).is_none() {
            return Err(row.error(
                PREFERRED_LANGUAGE,
                format!("{code:?} is not a two-letter ISO 639-1 language code such as en or fr"),
            ));
        }
    }
    Ok(people::RowDetails {
        birth: row.opt_birth_date(BIRTH_DATE)?,
        phone: text(PHONE)?,
        given_name: text(GIVEN_NAME)?,
        family_name: text(FAMILY_NAME)?,
        language,
    })
}

/// Identifiers and phone numbers longer than this are not what the booking
/// system exports: most likely columns have slipped.
const MAX_TEXT_LEN: usize = 200;

fn short<'a>(row: &Row<'_>, col: usize, text: &'a str) -> Result<&'a str> {
    let chars = || text.chars().count();
    if text.len() > MAX_TEXT_LEN && chars() > MAX_TEXT_LEN {
        return Err(row.error(
            col,
            format!(
                "is {} characters long; at most {MAX_TEXT_LEN} expected",
                chars()
            ),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
