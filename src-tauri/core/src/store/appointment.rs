//! `appointment`: first and second doses booked, linked by person and dose
//! number. The one definition of an active booking lives here.

use crate::error::Result;
use rusqlite::{params, Connection};

/// The SQL condition "this appointment still takes a place" (booked or
/// attended; not cancelled, no-show or rescheduled), as a string literal for
/// `concat!`: `active!()` on `appointment` itself, `active!(a)` on an alias.
macro_rules! active {
    () => {
        "(status = 'booked' OR status = 'attended')"
    };
    ($alias:ident) => {
        concat!(
            "(",
            stringify!($alias),
            ".status = 'booked' OR ",
            stringify!($alias),
            ".status = 'attended')"
        )
    };
}
pub(crate) use active;

/// The statuses `active!()` counts, for a copy held elsewhere (the central
/// server judges a slot's places by them); a test holds the two together.
pub const ACTIVE_STATUSES: [&str; 2] = ["booked", "attended"];

/// An import's upsert keyed by booking_id. Parameters: uuid, booking_id,
/// person_id, site_id, slot_minute, dose_number, product, status,
/// booked_at, updated_at.
pub(crate) const IMPORT_UPSERT: &str =
    "INSERT INTO appointment (uuid, booking_id, person_id, site_id, slot_minute, dose_number,
                              product, status, source, booked_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'import', ?9, ?10)
     ON CONFLICT (booking_id) DO UPDATE SET
        person_id = excluded.person_id, site_id = excluded.site_id,
        slot_minute = excluded.slot_minute, dose_number = excluded.dose_number,
        product = excluded.product, status = excluded.status,
        booked_at = excluded.booked_at, updated_at = excluded.updated_at
     WHERE (person_id, site_id, slot_minute, dose_number, product, status, booked_at)
        IS NOT (excluded.person_id, excluded.site_id, excluded.slot_minute,
                excluded.dose_number, excluded.product, excluded.status, excluded.booked_at)";

/// A bulk load's plain inserts of `rows` imported appointments, ten
/// parameters each in `IMPORT_UPSERT`'s order.
pub(crate) fn import_insert_sql(rows: usize) -> String {
    let one = "(?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)";
    format!(
        "INSERT INTO appointment (uuid, booking_id, person_id, site_id, slot_minute, dose_number,
                                  product, status, source, booked_at, updated_at)
         VALUES {}",
        vec![one; rows].join(", ")
    )
}

/// A booking made in the app; returns its id.
pub(crate) fn insert_local(
    conn: &Connection,
    person_id: &str,
    site_id: i64,
    slot_minute: i64,
    dose_number: i64,
    product: &str,
    now: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product,
                                  status, source, booked_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'booked', 'local', ?7, ?7)",
    )?
    .execute(params![
        super::new_uuid(),
        person_id,
        site_id,
        slot_minute,
        dose_number,
        product,
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn cancel(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE appointment SET status = 'cancelled', updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Moves a booking to another site and slot (an accepted rebooking call).
pub(crate) fn move_to(
    conn: &Connection,
    id: i64,
    site_id: i64,
    slot_minute: i64,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE appointment SET site_id = ?2, slot_minute = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, site_id, slot_minute, now],
    )?;
    Ok(())
}

/// The person of the imported booking `booking_id`, if the store holds it.
pub(crate) fn person_of_booking(conn: &Connection, booking_id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT person_id FROM appointment WHERE booking_id = ?1")?
        .query_row([booking_id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM appointment)", [], |r| {
            r.get(0)
        })?,
    )
}

pub(crate) fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM appointment WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod active_tests {
    use super::*;

    /// `ACTIVE_STATUSES` and `active!()` name the same statuses: every
    /// status the schema allows is tried against the SQL.
    #[test]
    fn the_constant_and_the_sql_agree() {
        let conn = Connection::open_in_memory().expect("in-memory database");
        for status in ["booked", "attended", "cancelled", "no_show", "rescheduled"] {
            let by_sql: bool = conn
                .query_row(
                    concat!("SELECT ", active!(), " FROM (SELECT ?1 AS status)"),
                    [status],
                    |r| r.get(0),
                )
                .expect("the active!() condition");
            assert_eq!(by_sql, ACTIVE_STATUSES.contains(&status), "{status}");
        }
    }
}
