//! `shift`: who vaccinates where and when, keyed by site, date and start.

use super::upsert::Keyed;
use crate::error::Result;
use rusqlite::{params, Connection, Statement};

/// One row of shifts.csv, checked.
pub(crate) struct ShiftRow {
    pub site_id: i64,
    pub date: String,
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
    pub capacity: Option<i64>,
}

impl Keyed for ShiftRow {
    const TABLE: &'static str = "shift";
    const UPSERT: &'static str =
        "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8)
         ON CONFLICT (site_id, date, start) DO UPDATE SET
            end = excluded.end, vaccinators = excluded.vaccinators,
            capacity = excluded.capacity, updated_at = excluded.updated_at
         WHERE (end, vaccinators, capacity)
            IS NOT (excluded.end, excluded.vaccinators, excluded.capacity)";

    fn execute(&self, stmt: &mut Statement<'_>, now: &str) -> rusqlite::Result<usize> {
        stmt.execute(params![
            super::new_uuid(),
            self.site_id,
            self.date,
            self.start,
            self.end,
            self.vaccinators,
            self.capacity,
            now,
        ])
    }
}

/// Where a shift made in the app came from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source {
    /// Entered by hand (a temporary clinic's shift).
    Local,
    /// Created by applying a saved shift plan (and removable by its undo).
    Plan,
}

/// Adds a shift unless the site already has one starting then; returns
/// its id, or `None` when the place was taken.
pub(crate) fn insert_new(
    conn: &Connection,
    row: &ShiftRow,
    source: Source,
    now: &str,
) -> Result<Option<i64>> {
    let source = match source {
        Source::Local => "local",
        Source::Plan => "plan",
    };
    let inserted = conn.execute(
        "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (site_id, date, start) DO NOTHING",
        params![
            super::new_uuid(),
            row.site_id,
            row.date,
            row.start,
            row.end,
            row.vaccinators,
            row.capacity,
            source,
            now
        ],
    )?;
    Ok((inserted > 0).then(|| conn.last_insert_rowid()))
}

/// Removes a shift a plan created; returns whether it was there.
pub(crate) fn delete_planned(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM shift WHERE id = ?1 AND source = 'plan'", [id])? > 0)
}

/// A shift's staffing as a plan found it, to change it and set it back.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Staffing {
    pub id: i64,
    pub vaccinators: i64,
    pub capacity: Option<i64>,
}

/// The staffing of the site's shift starting at `start` on `date`, if any.
pub(crate) fn staffing_at(
    conn: &Connection,
    site_id: i64,
    date: &str,
    start: &str,
) -> Result<Option<Staffing>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT id, vaccinators, capacity FROM shift WHERE site_id = ?1 AND date = ?2 AND start = ?3",
            params![site_id, date, start],
            |r| {
                Ok(Staffing {
                    id: r.get(0)?,
                    vaccinators: r.get(1)?,
                    capacity: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Sets a shift's vaccinators and explicit capacity (the day-total and
/// check triggers follow); returns whether the shift was there.
pub(crate) fn set_staffing(conn: &Connection, staffing: &Staffing, now: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE shift SET vaccinators = ?2, capacity = ?3, updated_at = ?4 WHERE id = ?1",
        params![staffing.id, staffing.vaccinators, staffing.capacity, now],
    )? > 0)
}

/// Sets a shift's hours and staffing (its site and day stay); returns
/// false when another shift of the site starts at the new start that day.
pub(crate) fn set_hours_and_staffing(
    conn: &Connection,
    id: i64,
    row: &ShiftRow,
    now: &str,
) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE OR IGNORE shift SET start = ?2, end = ?3, vaccinators = ?4, capacity = ?5,
                                    updated_at = ?6
         WHERE id = ?1",
        params![id, row.start, row.end, row.vaccinators, row.capacity, now],
    )? > 0)
}

/// One shift by its id.
pub(crate) fn by_id(conn: &Connection, id: i64) -> Result<Option<ShiftRow>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT site_id, date, start, end, vaccinators, capacity FROM shift WHERE id = ?1",
            [id],
            |r| {
                Ok(ShiftRow {
                    site_id: r.get(0)?,
                    date: r.get(1)?,
                    start: r.get(2)?,
                    end: r.get(3)?,
                    vaccinators: r.get(4)?,
                    capacity: r.get(5)?,
                })
            },
        )
        .optional()?)
}
