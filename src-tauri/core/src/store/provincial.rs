//! `provincial_release` and `provincial_day`: the province's published
//! daily series, one release per imported file.

use crate::error::Result;
use rusqlite::{params, Connection};

/// A new release; returns its id.
pub(crate) fn insert_release(
    conn: &Connection,
    file_name: &str,
    sha256: &str,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO provincial_release (file_name, sha256, imported_at) VALUES (?1, ?2, ?3)",
        params![file_name, sha256, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One report date of a release: previous_day_doses, previous_day_at_least_one,
/// previous_day_fully_vaccinated, total_doses, total_individuals_at_least_one,
/// total_doses_in_fully_vaccinated, total_individuals_fully.
pub(crate) fn insert_day(
    conn: &Connection,
    release: i64,
    report_date: &str,
    v: &[Option<i64>; 7],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO provincial_day (release_id, report_date, previous_day_doses,
             previous_day_at_least_one, previous_day_fully_vaccinated, total_doses,
             total_individuals_at_least_one, total_doses_in_fully_vaccinated,
             total_individuals_fully)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        release,
        report_date,
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6]
    ])?;
    Ok(())
}

/// Up to `n` releases, newest first: by when they were imported (on
/// whichever laptop did it; a release pulled from the central copy may be
/// older than one imported here), then by id.
pub(crate) fn newest_ids(conn: &Connection, n: usize) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM provincial_release ORDER BY imported_at DESC, id DESC LIMIT ?1",
    )?;
    let ids = stmt.query_map([n as i64], |r| r.get("id"))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}
