//! `person`: what rebooking needs to know about a booked person (birth
//! date, phone, name, the language to call them in). A later value
//! replaces an earlier one; a missing value keeps what was there.

use crate::error::Result;
use rusqlite::{params, Connection};

/// The merge of one person's details; parameters: person_id, uuid,
/// birth_date, phone, given_name, family_name, preferred_language,
/// updated_at, given_key, family_key (the names' [`name_key`]s).
pub(crate) const UPSERT: &str =
    "INSERT INTO person (person_id, uuid, birth_date, phone, given_name, family_name,
                         preferred_language, updated_at, given_key, family_key)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (person_id) DO UPDATE SET
        birth_date = coalesce(excluded.birth_date, birth_date),
        phone = coalesce(excluded.phone, phone),
        given_name = coalesce(excluded.given_name, given_name),
        family_name = coalesce(excluded.family_name, family_name),
        preferred_language = coalesce(excluded.preferred_language, preferred_language),
        given_key = coalesce(excluded.given_key, given_key),
        family_key = coalesce(excluded.family_key, family_key),
        updated_at = excluded.updated_at
     WHERE (coalesce(excluded.birth_date, birth_date), coalesce(excluded.phone, phone),
            coalesce(excluded.given_name, given_name), coalesce(excluded.family_name, family_name),
            coalesce(excluded.preferred_language, preferred_language))
        IS NOT (birth_date, phone, given_name, family_name, preferred_language)";

/// Parameters of `UPSERT` and `insert_sql` per person.
pub(crate) const PARAMS: usize = 10;

/// Plain inserts of `rows` people (into an empty table), `PARAMS`
/// parameters each in `UPSERT`'s order.
pub(crate) fn insert_sql(rows: usize) -> String {
    super::bulk::multi_row_insert(
        "person (person_id, uuid, birth_date, phone, given_name, family_name, preferred_language,
                 updated_at, given_key, family_key)",
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
        now,
        d.given_name.map(name_key),
        d.family_name.map(name_key),
    ])?;
    Ok(())
}

/// How a name is kept for search and compared with what someone typed:
/// lowercase, French accents dropped, spaces squeezed ("  Gagné " and
/// "gagne" have the same key). `person.given_key` and `family_key` hold
/// it for every name, indexed, so a search by name at province scale reads
/// a range of an index instead of every person.
pub fn name_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if !(plain == ' ' && out.ends_with(' ')) {
            out.push(plain);
        }
    }
    out
}

/// Does a search (`wanted`, already a [`name_key`]) match a person's
/// names? It does when it starts either name, or when, split at one of its
/// spaces, its first part starts one name and the rest starts the other:
/// "gagn", "marie gagn", "gagne marie" and "mar gag" all find Marie Gagné.
pub fn name_matches(wanted: &str, given: Option<&str>, family: Option<&str>) -> bool {
    let (given, family) = (given.map(name_key), family.map(name_key));
    let starts =
        |name: &Option<String>, part: &str| name.as_deref().is_some_and(|n| n.starts_with(part));
    starts(&given, wanted)
        || starts(&family, wanted)
        || wanted.match_indices(' ').any(|(at, _)| {
            let (first, rest) = (&wanted[..at], &wanted[at + 1..]);
            (starts(&given, first) && starts(&family, rest))
                || (starts(&family, first) && starts(&given, rest))
        })
}

/// Fills the name keys of people stored before the keys existed (the
/// migration that added them); people without names keep `NULL`.
pub(crate) fn fill_name_keys(conn: &Connection) -> Result<()> {
    let mut read = conn.prepare(
        "SELECT person_id, given_name, family_name FROM person
         WHERE given_name IS NOT NULL OR family_name IS NOT NULL",
    )?;
    let mut write =
        conn.prepare("UPDATE person SET given_key = ?2, family_key = ?3 WHERE person_id = ?1")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let given: Option<String> = r.get(1)?;
        let family: Option<String> = r.get(2)?;
        write.execute(params![
            r.get::<_, String>(0)?,
            given.as_deref().map(name_key),
            family.as_deref().map(name_key)
        ])?;
    }
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
