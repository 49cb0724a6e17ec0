//! `supply` as it travels: known by date, product and status.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT id, NULL AS site, date, product, status, json_object(
        'date', date, 'product', product, 'doses', doses, 'status', status,
        'updated_at', updated_at) AS data
    FROM supply WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(r, Table::Supply, &["date", "product", "status"])
}

pub(super) fn upsert(conn: &Connection, data: &str) -> Result<bool> {
    conn.prepare_cached(
        "INSERT INTO supply (uuid, date, product, doses, status, updated_at)
         SELECT ?2, d->>'date', d->>'product', d->>'doses', d->>'status', d->>'updated_at'
         FROM (SELECT json(?1) AS d) WHERE true
         ON CONFLICT (date, product, status) DO UPDATE SET
            doses = excluded.doses, updated_at = excluded.updated_at",
    )?
    .execute(params![data, crate::store::new_uuid()])?;
    Ok(true)
}
