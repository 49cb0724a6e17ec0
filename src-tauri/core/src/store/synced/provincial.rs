//! `provincial_release` as it travels: one release of the province's
//! published series, known by its file's SHA-256, with its days inside.
//! A release never changes once imported, so a pulled one is written once.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

/// The days' columns, in `provincial_day` order after `report_date`.
pub(super) const READ: &str = "
    SELECT r.id, NULL AS site, r.sha256, json_object(
        'sha256', r.sha256, 'file_name', r.file_name, 'updated_at', r.imported_at,
        'days', json((SELECT json_group_array(json_array(
                    d.report_date, d.previous_day_doses, d.previous_day_at_least_one,
                    d.previous_day_fully_vaccinated, d.total_doses,
                    d.total_individuals_at_least_one, d.total_doses_in_fully_vaccinated,
                    d.total_individuals_fully) ORDER BY d.report_date)
                FROM provincial_day d WHERE d.release_id = r.id))) AS data
    FROM provincial_release r
    WHERE r.id BETWEEN ?1 AND ?2 ORDER BY r.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(r, Table::Provincial, &["sha256"])
}

pub(super) fn upsert(conn: &Connection, data: &str) -> Result<bool> {
    let added = conn
        .prepare_cached(
            "INSERT INTO provincial_release (file_name, sha256, imported_at)
             SELECT d->>'file_name', d->>'sha256', d->>'updated_at'
             FROM (SELECT json(?1) AS d)
             WHERE NOT EXISTS (SELECT 1 FROM provincial_release WHERE sha256 = d->>'sha256')",
        )?
        .execute(params![data])?;
    if added == 1 {
        let release = conn.last_insert_rowid();
        conn.prepare_cached(
            "INSERT INTO provincial_day (release_id, report_date, previous_day_doses,
                 previous_day_at_least_one, previous_day_fully_vaccinated, total_doses,
                 total_individuals_at_least_one, total_doses_in_fully_vaccinated,
                 total_individuals_fully)
             SELECT ?2, v->>0, v->>1, v->>2, v->>3, v->>4, v->>5, v->>6, v->>7
             FROM (SELECT value AS v FROM json_each(?1, '$.days'))",
        )?
        .execute(params![data, release])?;
    }
    Ok(true)
}
