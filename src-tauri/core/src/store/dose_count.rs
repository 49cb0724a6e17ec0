//! `dose_count` and `dose_count_history`: tallies of doses given. A
//! correction keeps the value it replaced.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// Who wrote a tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Import,
    /// Entered in the app or the CLI.
    Local,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Import => "import",
            Source::Local => "local",
        }
    }
}

/// A tally's key: one per site, date, shift, dose number and product.
pub(crate) struct Key<'a> {
    pub site_id: i64,
    pub date: &'a str,
    pub shift: &'a str,
    pub dose_number: i64,
    pub product: &'a str,
}

/// The stored tally under a key.
pub(crate) struct Existing {
    pub id: i64,
    pub doses: i64,
    pub source: String,
    pub updated_at: String,
    /// Withdrawn tallies stay, with their history, but count nowhere.
    pub withdrawn: bool,
    /// Held (an implausible imported value): counts nowhere until confirmed.
    pub held: bool,
}

pub(crate) fn find(conn: &Connection, key: &Key<'_>) -> Result<Option<Existing>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, doses, source, updated_at, withdrawn_at IS NOT NULL AS withdrawn,
                    held_at IS NOT NULL AS held FROM dose_count
             WHERE site_id = ?1 AND date = ?2 AND shift = ?3 AND dose_number = ?4 AND product = ?5",
        )?
        .query_row(
            params![
                key.site_id,
                key.date,
                key.shift,
                key.dose_number,
                key.product
            ],
            |r| {
                Ok(Existing {
                    id: r.get("id")?,
                    doses: r.get("doses")?,
                    source: r.get("source")?,
                    updated_at: r.get("updated_at")?,
                    withdrawn: r.get("withdrawn")?,
                    held: r.get("held")?,
                })
            },
        )
        .optional()?)
}

/// A new tally. Fails on the key's unique constraint when one exists.
pub(crate) fn insert(
    conn: &Connection,
    key: &Key<'_>,
    doses: i64,
    source: Source,
    now: &str,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        super::new_uuid(),
        key.site_id,
        key.date,
        key.shift,
        key.dose_number,
        key.product,
        doses,
        source.name(),
        now
    ])
}

/// A bulk load's plain insert of an imported tally, eight parameters:
/// uuid, site_id, date, shift, dose_number, product, doses, updated_at.
pub(crate) const IMPORT_INSERT_SQL: &str =
    "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source,
                             updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'import', ?)";

/// Replaces a tally's value, keeping the old one (and who wrote it) in its
/// history; a withdrawn or held tally entered again counts again (an import
/// then judges the new value afresh).
pub(crate) fn correct(
    conn: &Connection,
    old: &Existing,
    doses: i64,
    source: Source,
    now: &str,
) -> Result<()> {
    keep_history(conn, old, now)?;
    conn.prepare_cached(
        "UPDATE dose_count SET doses = ?2, source = ?3, updated_at = ?4, withdrawn_at = NULL,
                               held_at = NULL
         WHERE id = ?1",
    )?
    .execute(params![old.id, doses, source.name(), now])?;
    Ok(())
}

/// Withdraws a tally: it stays, with its value kept in its history, and no
/// longer counts in any total.
pub(crate) fn withdraw(conn: &Connection, old: &Existing, now: &str) -> Result<()> {
    keep_history(conn, old, now)?;
    conn.prepare_cached("UPDATE dose_count SET withdrawn_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![old.id, now])?;
    Ok(())
}

/// Holds a tally out of every total until a person confirms it.
pub(crate) fn hold(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.prepare_cached("UPDATE dose_count SET held_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

/// Counts a held tally: a person confirmed its value (the confirmation is
/// the update time; the value itself did not change, so no history row).
pub(crate) fn release(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE dose_count SET held_at = NULL, withdrawn_at = NULL, source = 'local', updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Import-written tallies of one site-day written at `now`, largest first:
/// (id, doses). What a hold after an import may hold.
pub(crate) fn imported_on(
    conn: &Connection,
    site_id: i64,
    date: &str,
    now: &str,
) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, doses FROM dose_count
         WHERE site_id = ?1 AND date = ?2 AND updated_at = ?3 AND source = 'import'
           AND withdrawn_at IS NULL AND held_at IS NULL
         ORDER BY doses DESC",
    )?;
    let rows = stmt.query_map(params![site_id, date, now], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Held tallies (not withdrawn) dated up to `until` (all when `None`).
pub(crate) fn held_count(conn: &Connection, until: Option<&str>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM dose_count WHERE held_at IS NOT NULL AND withdrawn_at IS NULL
           AND (?1 IS NULL OR date <= ?1)",
        params![until],
        |r| r.get(0),
    )?)
}

/// Keeps a tally's current value (and who wrote it) before it changes.
fn keep_history(conn: &Connection, old: &Existing, now: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![old.id, old.doses, old.source, now])?;
    Ok(())
}

pub(crate) fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM dose_count)", [], |r| {
            r.get(0)
        })?,
    )
}
