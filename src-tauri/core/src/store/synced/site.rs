//! `site` as it travels: known everywhere by its code.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT id, code AS site, json_object(
        'code', code, 'name', name, 'kind', kind, 'status', status, 'address', address,
        'postal_code', postal_code, 'lat', lat, 'lon', lon, 'stations', stations,
        'minutes_per_dose', minutes_per_dose, 'capacity_per_day', capacity_per_day,
        'opens', opens, 'closes', closes, 'updated_at', updated_at) AS data
    FROM site WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(r, Table::Site, &["site"])
}

pub(super) fn upsert(conn: &Connection, data: &str) -> Result<bool> {
    conn.prepare_cached(
        "INSERT INTO site (uuid, code, name, kind, status, address, postal_code, lat, lon, stations,
                           minutes_per_dose, capacity_per_day, opens, closes, updated_at)
         SELECT ?2, d->>'code', d->>'name', d->>'kind', d->>'status', d->>'address',
                d->>'postal_code', d->>'lat', d->>'lon', d->>'stations', d->>'minutes_per_dose',
                d->>'capacity_per_day', d->>'opens', d->>'closes', d->>'updated_at'
         FROM (SELECT json(?1) AS d) WHERE true
         ON CONFLICT (code) DO UPDATE SET
            name = excluded.name, kind = excluded.kind, status = excluded.status,
            address = excluded.address, postal_code = excluded.postal_code, lat = excluded.lat,
            lon = excluded.lon, stations = excluded.stations,
            minutes_per_dose = excluded.minutes_per_dose,
            capacity_per_day = excluded.capacity_per_day, opens = excluded.opens,
            closes = excluded.closes, updated_at = excluded.updated_at",
    )?
    .execute(params![data, crate::store::new_uuid()])?;
    Ok(true)
}
