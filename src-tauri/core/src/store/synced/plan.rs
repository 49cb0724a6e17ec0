//! `plan` as it travels: known by its uuid.

use crate::error::{Error, Result};
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT id, uuid, NULL AS site, json_object(
        'kind', kind, 'name', name, 'inputs', inputs, 'outputs', outputs,
        'applied_at', applied_at, 'created_at', created_at, 'updated_at', updated_at) AS data
    FROM plan WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::by_uuid(r)
}

pub(super) fn upsert(conn: &Connection, wire_id: &str, data: &str) -> Result<bool> {
    let uuid = crate::sync::wire::parse_uuid_id(wire_id)
        .ok_or_else(|| Error::InvalidInput(format!("plan: bad row id {wire_id:?}")))?;
    conn.prepare_cached(
        "INSERT INTO plan (uuid, kind, name, inputs, outputs, applied_at, created_at, updated_at)
         SELECT ?2, d->>'kind', d->>'name', d->>'inputs', d->>'outputs', d->>'applied_at',
                d->>'created_at', d->>'updated_at'
         FROM (SELECT json(?1) AS d) WHERE true
         ON CONFLICT (uuid) DO UPDATE SET
            kind = excluded.kind, name = excluded.name, inputs = excluded.inputs,
            outputs = excluded.outputs, applied_at = excluded.applied_at,
            updated_at = excluded.updated_at",
    )?
    .execute(params![data, uuid.as_slice()])?;
    Ok(true)
}
