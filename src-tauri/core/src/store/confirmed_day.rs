//! `confirmed_day`: flagged days a person confirmed as real.

use crate::error::Result;
use rusqlite::{params, Connection};

pub(crate) fn set(
    conn: &Connection,
    series: &str,
    date: &str,
    confirmed: bool,
    now: &str,
) -> Result<()> {
    if confirmed {
        conn.execute(
            "INSERT INTO confirmed_day (series, date, confirmed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![series, date, now],
        )?;
    } else {
        conn.execute(
            "DELETE FROM confirmed_day WHERE series = ?1 AND date = ?2",
            params![series, date],
        )?;
    }
    Ok(())
}
