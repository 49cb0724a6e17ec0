//! `shift` as it travels: known by its site's code, date and start.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT h.id, s.code AS site, h.date, h.start, json_object(
        'site', s.code, 'date', h.date, 'start', h.start, 'end', h.end,
        'vaccinators', h.vaccinators, 'capacity', h.capacity, 'source', h.source,
        'updated_at', h.updated_at) AS data
    FROM shift h JOIN site s ON s.id = h.site_id
    WHERE h.id BETWEEN ?1 AND ?2 ORDER BY h.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(r, Table::Shift, &["site", "date", "start"])
}

/// Returns false when the shift's site is not here yet.
pub(super) fn upsert(conn: &Connection, data: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, source, updated_at)
             SELECT ?2, s.id, d->>'date', d->>'start', d->>'end', d->>'vaccinators',
                    d->>'capacity', d->>'source', d->>'updated_at'
             FROM (SELECT json(?1) AS d) JOIN site s ON s.code = d->>'site' WHERE true
             ON CONFLICT (site_id, date, start) DO UPDATE SET
                end = excluded.end, vaccinators = excluded.vaccinators,
                capacity = excluded.capacity, source = excluded.source,
                updated_at = excluded.updated_at",
        )?
        .execute(params![data, crate::store::new_uuid()])?;
    Ok(n > 0)
}

pub(super) fn delete(conn: &Connection, data: &str) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM shift WHERE id IN (
            SELECT h.id FROM (SELECT json(?1) AS d)
            JOIN site s ON s.code = d->>'site'
            JOIN shift h ON h.site_id = s.id AND h.date = d->>'date' AND h.start = d->>'start')",
    )?
    .execute([data])?;
    Ok(())
}
