//! bookings.csv: the provincial booking system's export. `booking_id` is the
//! key: re-importing a file updates changed rows and duplicates nothing.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{known_product, known_site, product_codes, site_ids, Progress, Written};
use crate::error::Result;
use crate::time::{minute_of, parse_local_datetime};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

pub const STATUSES: &[&str] = &["booked", "cancelled", "attended", "no_show", "rescheduled"];

const COLUMNS: &[Column] = &[
    req("booking_id"),
    req("person_id"),
    opt("birth_date"),
    opt("phone"),
    req("site_code"),
    req("slot_start"),
    req("dose_number"),
    req("product"),
    req("status"),
    opt("booked_at"),
];
const BOOKING_ID: usize = 0;
const PERSON_ID: usize = 1;
const BIRTH_DATE: usize = 2;
const PHONE: usize = 3;
const SITE: usize = 4;
const SLOT_START: usize = 5;
const DOSE_NUMBER: usize = 6;
const PRODUCT: usize = 7;
const STATUS: usize = 8;
const BOOKED_AT: usize = 9;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let sites = site_ids(tx)?;
    let products = product_codes(tx)?;
    let before = super::count_rows(tx, "appointment")?;
    // Into an empty table, build the indexes once at the end: sorting all
    // keys in one pass is far cheaper than a random insert per row.
    let deferred = if before == 0 {
        Some(super::drop_indexes_and_triggers(tx, "appointment")?)
    } else {
        None
    };
    // People's details are staged and merged once at the end, in key order:
    // one sorted pass instead of a random B-tree update per booking.
    tx.execute_batch(
        "DROP TABLE IF EXISTS temp.person_stage;
         CREATE TEMP TABLE person_stage (person_id TEXT NOT NULL, birth_date TEXT, phone TEXT);",
    )?;
    let mut stage_person = tx.prepare("INSERT INTO temp.person_stage VALUES (?1, ?2, ?3)")?;
    const INSERT: &str =
        "INSERT INTO appointment (uuid, booking_id, person_id, site_id, slot_minute, dose_number,
                                  product, status, source, booked_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'import', ?9, ?10)";
    const ON_CONFLICT_UPDATE: &str = "
         ON CONFLICT (booking_id) DO UPDATE SET
            person_id = excluded.person_id, site_id = excluded.site_id,
            slot_minute = excluded.slot_minute, dose_number = excluded.dose_number,
            product = excluded.product, status = excluded.status,
            booked_at = excluded.booked_at, updated_at = excluded.updated_at
         WHERE (person_id, site_id, slot_minute, dose_number, product, status, booked_at)
            IS NOT (excluded.person_id, excluded.site_id, excluded.slot_minute,
                    excluded.dose_number, excluded.product, excluded.status, excluded.booked_at)";
    // A bulk load (empty table, unique index dropped) inserts plainly; into
    // existing data, a changed booking_id row is updated in place.
    let sql = if deferred.is_some() {
        INSERT.to_owned()
    } else {
        format!("{INSERT}{ON_CONFLICT_UPDATE}")
    };
    let mut upsert = tx.prepare(&sql)?;
    let mut exists = tx.prepare("SELECT 1 FROM appointment WHERE booking_id = ?1")?;
    let mut duplicates = if deferred.is_some() {
        DuplicateCheck::Lines(Vec::with_capacity((src.total_bytes() / 80) as usize))
    } else {
        DuplicateCheck::Hashes {
            seen: HashMap::new(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    };
    let mut touched = 0;
    while let Some(row) = src.next_row(progress)? {
        let booking_id = row.req(BOOKING_ID)?;
        let line = row.line.min(u64::from(u32::MAX)) as u32;
        match &mut duplicates {
            DuplicateCheck::Lines(lines) => lines.push(line),
            DuplicateCheck::Hashes { seen, hasher } => {
                let mut h = hasher.build_hasher();
                h.write(booking_id.as_bytes());
                if let Some(first) = seen.insert(h.finish(), line) {
                    let present = exists
                        .query_row([booking_id], |_| Ok(()))
                        .optional()?
                        .is_some();
                    if present {
                        return Err(row.error(
                            BOOKING_ID,
                            format!("duplicate booking_id {booking_id:?}: already on line {first}"),
                        ));
                    }
                }
            }
        }
        let person_id = row.req(PERSON_ID)?;
        let birth_date = row.opt_date(BIRTH_DATE)?;
        let phone = row.opt(PHONE)?;
        let site_id = known_site(&row, SITE, &sites, row.req(SITE)?)?;
        let slot = row.req_parse(
            SLOT_START,
            "a local date-time (YYYY-MM-DDTHH:MM)",
            parse_local_datetime,
        )?;
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = known_product(&row, PRODUCT, &products, row.req(PRODUCT)?)?;
        let status = row.req_word(STATUS, STATUSES)?;
        let booked_at = row.opt(BOOKED_AT)?;
        if let Some(text) = booked_at.filter(|s| !crate::time::is_timestamp(s)) {
            return Err(row.error(BOOKED_AT, format!("{text:?} is not an ISO 8601 timestamp")));
        }
        if birth_date.is_some() || phone.is_some() {
            stage_person.execute(params![person_id, birth_date.map(|d| d.to_string()), phone])?;
        }
        touched += upsert.execute(params![
            crate::store::new_uuid(),
            booking_id,
            person_id,
            site_id,
            minute_of(slot),
            dose_number,
            product,
            status,
            booked_at,
            now,
        ])? as u64;
    }
    drop((upsert, exists, stage_person));
    merge_people(tx, now)?;
    if let Some(indexes) = deferred {
        for sql in indexes {
            if let Err(err) = tx.execute_batch(&sql) {
                if let DuplicateCheck::Lines(lines) = &duplicates {
                    if let Some(dup) = first_repeated_booking(tx, src.file_name(), lines)? {
                        return Err(dup);
                    }
                }
                return Err(err.into());
            }
        }
        crate::day_totals::rebuild_bookings(tx)?;
        crate::checks::invalidate(tx)?;
    }
    let inserted = super::count_rows(tx, "appointment")? - before;
    Ok((
        src,
        Written {
            inserted,
            updated: touched - inserted,
            warnings: Vec::new(),
        },
    ))
}

/// How a booking id repeated within one file is caught.
enum DuplicateCheck {
    /// Bulk load into an empty table: row ids follow file order, so keep each
    /// row's line (4 bytes a row) and let the unique index, built at the end,
    /// find any repeat.
    Lines(Vec<u32>),
    /// Into existing data: 64-bit hashes (an exact set of 10M strings would
    /// not fit the memory budget); a hit is confirmed against the store,
    /// where the earlier row was written in this transaction.
    Hashes {
        seen: HashMap<u64, u32>,
        hasher: std::collections::hash_map::RandomState,
    },
}

/// After a bulk load's unique index failed: the first row that repeats an
/// earlier booking id, as an import error naming both lines.
fn first_repeated_booking(
    tx: &Transaction<'_>,
    file: &str,
    lines: &[u32],
) -> Result<Option<crate::Error>> {
    let repeat: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT booking_id, id, first FROM (
               SELECT booking_id, id, min(id) OVER (PARTITION BY booking_id) AS first FROM appointment)
             WHERE id > first ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get("booking_id")?, r.get("id")?, r.get("first")?)),
        )
        .optional()?;
    let line_of = |id: i64| lines.get((id - 1) as usize).copied().unwrap_or(0);
    Ok(repeat.map(|(booking_id, id, first)| crate::Error::Import {
        file: file.to_owned(),
        line: u64::from(line_of(id)),
        column: Some("booking_id".into()),
        message: format!(
            "duplicate booking_id {booking_id:?}: already on line {}",
            line_of(first)
        ),
    }))
}

/// Merges the staged details into `person`. Rows are taken in file order per
/// person, so a later row's birth date or phone replaces an earlier one.
fn merge_people(tx: &Transaction<'_>, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO person (person_id, uuid, birth_date, phone, updated_at)
         SELECT person_id, randomblob(16), birth_date, phone, ?1
         FROM temp.person_stage WHERE true ORDER BY person_id, rowid
         ON CONFLICT (person_id) DO UPDATE SET
            birth_date = coalesce(excluded.birth_date, birth_date),
            phone = coalesce(excluded.phone, phone),
            updated_at = excluded.updated_at
         WHERE (coalesce(excluded.birth_date, birth_date), coalesce(excluded.phone, phone))
            IS NOT (birth_date, phone)",
        [now],
    )?;
    tx.execute_batch("DROP TABLE temp.person_stage")?;
    Ok(())
}
