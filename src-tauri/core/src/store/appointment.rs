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

/// One booking of an import, as the file gives it.
pub(crate) struct ImportedBooking<'a> {
    pub booking_id: &'a str,
    pub person_id: &'a str,
    pub site_id: i64,
    pub slot_minute: i64,
    pub dose_number: u8,
    pub product: &'a str,
    pub status: &'a str,
    pub booked_at: Option<&'a str>,
}

/// What [`import_row`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImportWrite {
    Inserted,
    /// `was_for`: the person the booking was for before.
    Updated {
        was_for: String,
    },
    /// The store already held these values.
    Same,
}

/// Writes one imported booking keyed by booking_id: an UPDATE of the
/// columns whose values differ, an INSERT when the store has no such
/// booking. Only the changed columns are set, so only the indexes and
/// triggers that hold them are touched (each is a random page of a large
/// store: a new status rewrites the slot index, not the person index).
/// Not an upsert: inside an upsert SQLite overrides the triggers' conflict
/// handling, and the INSERT it tries first probes the uuid index at a
/// random place for every existing booking.
pub(crate) fn import_row(
    conn: &Connection,
    b: &ImportedBooking<'_>,
    now: &str,
) -> Result<ImportWrite> {
    use rusqlite::types::Value;
    use rusqlite::OptionalExtension;
    let given: [(&str, Value); 7] = [
        ("person_id", Value::Text(b.person_id.to_owned())),
        ("site_id", b.site_id.into()),
        ("slot_minute", b.slot_minute.into()),
        ("dose_number", i64::from(b.dose_number).into()),
        ("product", Value::Text(b.product.to_owned())),
        ("status", Value::Text(b.status.to_owned())),
        (
            "booked_at",
            b.booked_at
                .map_or(Value::Null, |t| Value::Text(t.to_owned())),
        ),
    ];
    let held = conn
        .prepare_cached(
            "SELECT id, person_id, site_id, slot_minute, dose_number, product, status, booked_at
             FROM appointment WHERE booking_id = ?1",
        )?
        .query_row([b.booking_id], |r| {
            let mut values = Vec::with_capacity(given.len());
            for i in 1..=given.len() {
                values.push(r.get::<_, Value>(i)?);
            }
            Ok((r.get::<_, i64>(0)?, values, r.get::<_, String>(1)?))
        })
        .optional()?;
    let Some((id, held, was_for)) = held else {
        conn.prepare_cached(&import_insert_sql(1))?
            .execute(params![
                super::new_uuid(),
                b.booking_id,
                b.person_id,
                b.site_id,
                b.slot_minute,
                b.dose_number,
                b.product,
                b.status,
                b.booked_at,
                now
            ])?;
        return Ok(ImportWrite::Inserted);
    };
    let changed: Vec<&(&str, Value)> = given
        .iter()
        .zip(&held)
        .filter(|((_, new), old)| new != *old)
        .map(|(g, _)| g)
        .collect();
    if changed.is_empty() {
        return Ok(ImportWrite::Same);
    }
    let set: Vec<String> = changed
        .iter()
        .map(|(col, _)| format!("{col} = ?"))
        .collect();
    let mut values: Vec<&dyn rusqlite::ToSql> = changed.iter().map(|(_, v)| v as _).collect();
    values.push(&now);
    values.push(&id);
    conn.prepare_cached(&format!(
        "UPDATE appointment SET {}, updated_at = ? WHERE id = ?",
        set.join(", ")
    ))?
    .execute(values.as_slice())?;
    Ok(ImportWrite::Updated { was_for })
}

/// A bulk load's plain inserts of `rows` imported appointments, ten
/// parameters each: uuid, booking_id, person_id, site_id, slot_minute,
/// dose_number, product, status, booked_at, updated_at.
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
