//! `person`: what rebooking needs to know about a booked person (birth
//! date, phone, name, the language to call them in). A later value
//! replaces an earlier one; a missing value keeps what was there.

use crate::error::Result;
use rusqlite::{params, Connection};

/// The merge of one person's details; parameters: person_id, uuid,
/// birth_date, phone, given_name, family_name, preferred_language,
/// updated_at.
pub(crate) const UPSERT: &str =
    "INSERT INTO person (person_id, uuid, birth_date, phone, given_name, family_name,
                         preferred_language, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT (person_id) DO UPDATE SET
        birth_date = coalesce(excluded.birth_date, birth_date),
        phone = coalesce(excluded.phone, phone),
        given_name = coalesce(excluded.given_name, given_name),
        family_name = coalesce(excluded.family_name, family_name),
        preferred_language = coalesce(excluded.preferred_language, preferred_language),
        updated_at = excluded.updated_at
     WHERE (coalesce(excluded.birth_date, birth_date), coalesce(excluded.phone, phone),
            coalesce(excluded.given_name, given_name), coalesce(excluded.family_name, family_name),
            coalesce(excluded.preferred_language, preferred_language))
        IS NOT (birth_date, phone, given_name, family_name, preferred_language)";

/// Parameters of `UPSERT` and `insert_sql` per person.
pub(crate) const PARAMS: usize = 8;

/// Plain inserts of `rows` people (into an empty table), `PARAMS`
/// parameters each in `UPSERT`'s order.
pub(crate) fn insert_sql(rows: usize) -> String {
    super::bulk::multi_row_insert(
        "person (person_id, uuid, birth_date, phone, given_name, family_name, preferred_language,
                 updated_at)",
        PARAMS,
        rows,
    )
}

pub(crate) fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM person)", [], |r| r.get(0))?)
}

/// One person's details as given; `None` keeps what is stored.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Details<'a> {
    pub birth_date: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub given_name: Option<&'a str>,
    pub family_name: Option<&'a str>,
    pub preferred_language: Option<&'a str>,
}

/// Records or updates one person's details (a booking made in the app).
pub(crate) fn upsert(conn: &Connection, person_id: &str, d: &Details<'_>, now: &str) -> Result<()> {
    conn.prepare_cached(UPSERT)?.execute(params![
        person_id,
        super::new_uuid(),
        d.birth_date,
        d.phone,
        d.given_name,
        d.family_name,
        d.preferred_language,
        now
    ])?;
    Ok(())
}

/// A preferred language as FORMATS.md has it: an ISO 639-1 code, two
/// letters, any case on input; `None` when `text` is not one.
pub fn language_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_lowercase();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())).then_some(code)
}

/// What the booking export says a person is called, and the language to
/// call them in (any may be missing).
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq)]
pub struct PersonName {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub preferred_language: Option<String>,
}
