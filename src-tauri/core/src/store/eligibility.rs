//! `eligibility_phase`: who may book from when (age cohort, site kind).

use crate::error::Result;
use rusqlite::{params, Connection};

pub(crate) fn insert_phase(
    conn: &Connection,
    min_age: i64,
    from_date: &str,
    site_kind: Option<&str>,
    label: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO eligibility_phase (min_age, from_date, site_kind, label) VALUES (?1, ?2, ?3, ?4)",
        params![min_age, from_date, site_kind, label],
    )?;
    Ok(())
}
