//! `person`: what rebooking needs to know about a booked person (birth
//! date, phone). A later value replaces an earlier one; a missing value
//! keeps what was there.

use crate::error::Result;
use rusqlite::{params, Connection};

/// The merge of one person's details; parameters: person_id, uuid,
/// birth_date, phone, updated_at.
pub(crate) const UPSERT: &str =
    "INSERT INTO person (person_id, uuid, birth_date, phone, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (person_id) DO UPDATE SET
        birth_date = coalesce(excluded.birth_date, birth_date),
        phone = coalesce(excluded.phone, phone),
        updated_at = excluded.updated_at
     WHERE (coalesce(excluded.birth_date, birth_date), coalesce(excluded.phone, phone))
        IS NOT (birth_date, phone)";

/// Plain inserts of `rows` people (into an empty table), five parameters
/// each in `UPSERT`'s order.
pub(crate) fn insert_sql(rows: usize) -> String {
    super::bulk::multi_row_insert(
        "person (person_id, uuid, birth_date, phone, updated_at)",
        5,
        rows,
    )
}

pub(crate) fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM person)", [], |r| r.get(0))?)
}

/// Records or updates one person's details (a booking made in the app).
pub(crate) fn upsert(
    conn: &Connection,
    person_id: &str,
    birth_date: Option<&str>,
    phone: Option<&str>,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(UPSERT)?.execute(params![
        person_id,
        super::new_uuid(),
        birth_date,
        phone,
        now
    ])?;
    Ok(())
}
