//! `contact_attempt` as it travels: known by its uuid, naming its booking
//! by the booking system's id (or the booking's uuid when it has none),
//! and seen where its booking is.

use crate::error::{Error, Result};
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT c.id, c.uuid, s.code AS site, a.booking_id AS parent_booking, a.uuid AS parent_uuid,
    json_object(
        'booking_id', a.booking_id,
        'appointment_uuid', CASE WHEN a.booking_id IS NULL THEN lower(hex(a.uuid)) END,
        'attempted_at', c.attempted_at, 'outcome', c.outcome, 'proposed_site', ps.code,
        'proposed_slot_minute', c.proposed_slot_minute, 'note', c.note,
        'caller', c.caller, 'call_back_at', c.call_back_at, 'from_site', fs.code,
        'from_slot_minute', c.from_slot_minute, 'undone_at', c.undone_at,
        'updated_at', c.updated_at) AS data
    FROM contact_attempt c
    JOIN appointment a ON a.id = c.appointment_id
    JOIN site s ON s.id = a.site_id
    LEFT JOIN site ps ON ps.id = c.proposed_site_id
    LEFT JOIN site fs ON fs.id = c.from_site_id
    WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    super::by_uuid(r)
}

/// The wire id of the call's booking (as `appointment::wire_id` names it).
pub(super) fn parent_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    Ok(match r.get::<_, Option<String>>("parent_booking")? {
        Some(b) => crate::sync::wire::keyed_id(crate::sync::wire::Table::Appointment, &[&b]),
        None => crate::sync::wire::uuid_id(&r.get::<_, Vec<u8>>("parent_uuid")?),
    })
}

/// Returns false when its booking (or the proposed site) is not here yet.
pub(super) fn upsert(conn: &Connection, wire_id: &str, data: &str) -> Result<bool> {
    let uuid = own_uuid(wire_id)?;
    let n = conn
        .prepare_cached(
            "INSERT INTO contact_attempt (uuid, appointment_id, attempted_at, outcome,
                                          proposed_site_id, proposed_slot_minute, note, updated_at,
                                          caller, call_back_at, from_site_id, from_slot_minute,
                                          undone_at)
             SELECT ?2, a.id, d->>'attempted_at', d->>'outcome', ps.id,
                    d->>'proposed_slot_minute', d->>'note', d->>'updated_at',
                    d->>'caller', d->>'call_back_at', fs.id, d->>'from_slot_minute',
                    d->>'undone_at'
             FROM (SELECT json(?1) AS d)
             JOIN appointment a ON (d->>'booking_id' IS NOT NULL AND a.booking_id = d->>'booking_id')
                OR (d->>'booking_id' IS NULL AND a.booking_id IS NULL
                    AND a.uuid = unhex(d->>'appointment_uuid'))
             LEFT JOIN site ps ON ps.code = d->>'proposed_site'
             LEFT JOIN site fs ON fs.code = d->>'from_site'
             WHERE (d->>'proposed_site' IS NULL OR ps.id IS NOT NULL)
               AND (d->>'from_site' IS NULL OR fs.id IS NOT NULL)
             ON CONFLICT (uuid) DO UPDATE SET
                appointment_id = excluded.appointment_id, attempted_at = excluded.attempted_at,
                outcome = excluded.outcome, proposed_site_id = excluded.proposed_site_id,
                proposed_slot_minute = excluded.proposed_slot_minute, note = excluded.note,
                updated_at = excluded.updated_at, caller = excluded.caller,
                call_back_at = excluded.call_back_at, from_site_id = excluded.from_site_id,
                from_slot_minute = excluded.from_slot_minute, undone_at = excluded.undone_at",
        )?
        .execute(params![data, uuid.as_slice()])?;
    Ok(n > 0)
}

pub(super) fn remove(conn: &Connection, wire_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM contact_attempt WHERE uuid = ?1")?
        .execute([own_uuid(wire_id)?.as_slice()])?;
    Ok(())
}

fn own_uuid(wire_id: &str) -> Result<[u8; 16]> {
    crate::sync::wire::parse_uuid_id(wire_id)
        .ok_or_else(|| Error::InvalidInput(format!("call: bad row id {wire_id:?}")))
}
