//! `dose_count` as it travels: known by its key (site code, date, shift,
//! dose number, product), so the same tally entered on two laptops is one
//! row on the server. Its history (each value a correction replaced, who
//! wrote it, when) travels inside it: a laptop that never held the first
//! value still shows it. A value here replaced by a pulled one goes to the
//! history too, unless the pulled history holds it already.

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::{params, Connection, OptionalExtension};

pub(super) const READ: &str = "
    SELECT c.id, s.code AS site, c.date, c.shift, c.dose_number, c.product, json_object(
        'site', s.code, 'date', c.date, 'shift', c.shift, 'dose_number', c.dose_number,
        'product', c.product, 'doses', c.doses, 'source', c.source,
        'withdrawn_at', c.withdrawn_at, 'held_at', c.held_at, 'updated_at', c.updated_at,
        'history', json((SELECT json_group_array(json_array(h.doses, h.source, h.replaced_at)
                                                 ORDER BY h.id)
                         FROM dose_count_history h WHERE h.dose_count_id = c.id))) AS data
    FROM dose_count c JOIN site s ON s.id = c.site_id
    WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::keyed(
        r,
        Table::DoseCount,
        &["site", "date", "shift", "dose_number", "product"],
    )
}

/// Returns false when the tally's site is not here yet.
pub(super) fn upsert(conn: &Connection, data: &str, now: &str) -> Result<bool> {
    conn.prepare_cached(
        "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
         SELECT c.id, c.doses, c.source, ?2
         FROM (SELECT json(?1) AS d) JOIN site s ON s.code = d->>'site'
         JOIN dose_count c ON c.site_id = s.id AND c.date = d->>'date' AND c.shift = d->>'shift'
                          AND c.dose_number = d->>'dose_number' AND c.product = d->>'product'
         WHERE c.doses IS NOT d->>'doses'
           AND NOT EXISTS (SELECT 1 FROM json_each(d, '$.history') h
                           WHERE h.value->>0 = c.doses AND h.value->>1 = c.source)",
    )?
    .execute(params![data, now])?;
    let tally: Option<i64> = conn
        .prepare_cached(
            "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source,
                                     withdrawn_at, held_at, updated_at)
             SELECT ?2, s.id, d->>'date', d->>'shift', d->>'dose_number', d->>'product',
                    d->>'doses', d->>'source', d->>'withdrawn_at', d->>'held_at', d->>'updated_at'
             FROM (SELECT json(?1) AS d) JOIN site s ON s.code = d->>'site' WHERE true
             ON CONFLICT (site_id, date, shift, dose_number, product) DO UPDATE SET
                doses = excluded.doses, source = excluded.source,
                withdrawn_at = excluded.withdrawn_at, held_at = excluded.held_at,
                updated_at = excluded.updated_at
             RETURNING id",
        )?
        .query_row(params![data, crate::store::new_uuid()], |r| r.get(0))
        .optional()?;
    let Some(tally) = tally else {
        return Ok(false);
    };
    // The sender's history, less what is here already (in its order).
    conn.prepare_cached(
        "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
         SELECT ?2, h.value->>0, h.value->>1, h.value->>2
         FROM json_each(?1, '$.history') h
         WHERE NOT EXISTS (SELECT 1 FROM dose_count_history x
                           WHERE x.dose_count_id = ?2 AND x.doses = h.value->>0
                             AND x.source = h.value->>1 AND x.replaced_at = h.value->>2)
         ORDER BY h.key",
    )?
    .execute(params![data, tally])?;
    Ok(true)
}
