//! `product` as it travels: known everywhere by its code. Its local row
//! number (for sync's id ranges) is `product_sync_id.id`.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT n.id, NULL AS site, p.code, json_object(
        'code', p.code, 'name', p.name, 'min_interval_days', p.min_interval_days,
        'max_interval_days', p.max_interval_days, 'updated_at', p.updated_at) AS data
    FROM product_sync_id n JOIN product p ON p.code = n.code
    WHERE n.id BETWEEN ?1 AND ?2 ORDER BY n.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(r, Table::Product, &["code"])
}

pub(super) fn upsert(conn: &Connection, data: &str) -> Result<bool> {
    conn.prepare_cached(
        "INSERT INTO product (code, name, min_interval_days, max_interval_days, updated_at)
         SELECT d->>'code', d->>'name', d->>'min_interval_days', d->>'max_interval_days',
                d->>'updated_at'
         FROM (SELECT json(?1) AS d) WHERE true
         ON CONFLICT (code) DO UPDATE SET
            name = excluded.name, min_interval_days = excluded.min_interval_days,
            max_interval_days = excluded.max_interval_days, updated_at = excluded.updated_at",
    )?
    .execute(params![data])?;
    Ok(true)
}
