//! `appointment` as it travels, with its person's details (birth date,
//! phone, name, language) inside: person-level data goes only where the booking goes.
//! Imported bookings are known by the booking system's id; bookings made
//! in the app by their uuid.

use crate::error::{Error, Result};
use crate::sync::wire::Table;
use rusqlite::{params, Connection};

pub(super) const READ: &str = "
    SELECT a.id, a.uuid, a.booking_id, s.code AS site, json_object(
        'booking_id', a.booking_id, 'person_id', a.person_id, 'site', s.code,
        'slot_minute', a.slot_minute, 'dose_number', a.dose_number, 'product', a.product,
        'status', a.status, 'source', a.source, 'booked_at', a.booked_at,
        'updated_at', a.updated_at, 'birth_date', p.birth_date, 'phone', p.phone,
        'given_name', p.given_name, 'family_name', p.family_name,
        'preferred_language', p.preferred_language) AS data
    FROM appointment a JOIN site s ON s.id = a.site_id
    LEFT JOIN person p ON p.person_id = a.person_id
    WHERE a.id BETWEEN ?1 AND ?2 ORDER BY a.id LIMIT ?3";

pub(super) fn wire_id(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    match r.get::<_, Option<String>>("booking_id")? {
        Some(_) => super::keyed(r, Table::Appointment, &["booking_id"]),
        None => super::by_uuid(r),
    }
}

/// Returns false when the booking's site is not here yet. Each statement
/// reads the value as JSONB (`jsonb(?1)`): its fields are then looked up in
/// the binary form, where `json(?1)` rendered text to be parsed again
/// (JSON was a sixth of a first pull's time; this part of it was within
/// the noise of a 2M-row pull).
pub(super) fn upsert(conn: &Connection, wire_id: &str, data: &str, now: &str) -> Result<bool> {
    let key = Key::of(data)?;
    let site_known: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM site WHERE code = ?1)")?
        .query_row([&key.site], |r| r.get(0))?;
    if !site_known {
        return Ok(false);
    }
    // The person's details as the sending laptop had them (a laptop that
    // does not know names yet sends none: the names here stay).
    conn.prepare_cached(
        "INSERT INTO person (person_id, uuid, birth_date, phone, given_name, family_name,
                             preferred_language, updated_at, given_key, family_key)
         SELECT d->>'person_id', ?2, d->>'birth_date', d->>'phone', d->>'given_name',
                d->>'family_name', d->>'preferred_language', ?3, ?4, ?5
         FROM (SELECT jsonb(?1) AS d)
         WHERE coalesce(d->>'birth_date', d->>'phone', d->>'given_name', d->>'family_name',
                        d->>'preferred_language') IS NOT NULL
         ON CONFLICT (person_id) DO UPDATE SET
            birth_date = excluded.birth_date, phone = excluded.phone,
            given_name = coalesce(excluded.given_name, given_name),
            family_name = coalesce(excluded.family_name, family_name),
            preferred_language = coalesce(excluded.preferred_language, preferred_language),
            given_key = coalesce(excluded.given_key, given_key),
            family_key = coalesce(excluded.family_key, family_key),
            updated_at = excluded.updated_at
         WHERE (birth_date, phone, given_name, family_name, preferred_language)
            IS NOT (excluded.birth_date, excluded.phone,
                    coalesce(excluded.given_name, given_name),
                    coalesce(excluded.family_name, family_name),
                    coalesce(excluded.preferred_language, preferred_language))",
    )?
    .execute(params![
        data,
        crate::store::new_uuid(),
        now,
        key.given_name
            .as_deref()
            .map(crate::store::person::name_key),
        key.family_name
            .as_deref()
            .map(crate::store::person::name_key),
    ])?;
    if key.booking_id.is_some() {
        conn.prepare_cached(
            "INSERT INTO appointment (uuid, booking_id, person_id, site_id, slot_minute, dose_number,
                                      product, status, source, booked_at, updated_at)
             SELECT ?2, d->>'booking_id', d->>'person_id', s.id, d->>'slot_minute',
                    d->>'dose_number', d->>'product', d->>'status', d->>'source',
                    d->>'booked_at', d->>'updated_at'
             FROM (SELECT jsonb(?1) AS d) JOIN site s ON s.code = d->>'site' WHERE true
             ON CONFLICT (booking_id) DO UPDATE SET
                person_id = excluded.person_id, site_id = excluded.site_id,
                slot_minute = excluded.slot_minute, dose_number = excluded.dose_number,
                product = excluded.product, status = excluded.status, source = excluded.source,
                booked_at = excluded.booked_at, updated_at = excluded.updated_at",
        )?
        .execute(params![data, crate::store::new_uuid()])?;
        return Ok(true);
    }
    let uuid = own_uuid(wire_id)?;
    let updated = conn
        .prepare_cached(
            "UPDATE appointment SET
                person_id = d->>'person_id', site_id = s.id, slot_minute = d->>'slot_minute',
                dose_number = d->>'dose_number', product = d->>'product', status = d->>'status',
                source = d->>'source', booked_at = d->>'booked_at', updated_at = d->>'updated_at'
             FROM (SELECT jsonb(?1) AS d) JOIN site s ON s.code = d->>'site'
             WHERE appointment.uuid = ?2 AND appointment.booking_id IS NULL",
        )?
        .execute(params![data, uuid.as_slice()])?;
    if updated == 0 {
        conn.prepare_cached(
            "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product,
                                      status, source, booked_at, updated_at)
             SELECT ?2, d->>'person_id', s.id, d->>'slot_minute', d->>'dose_number',
                    d->>'product', d->>'status', d->>'source', d->>'booked_at', d->>'updated_at'
             FROM (SELECT jsonb(?1) AS d) JOIN site s ON s.code = d->>'site'",
        )?
        .execute(params![data, uuid.as_slice()])?;
    }
    Ok(true)
}

/// Removes a booking this laptop may no longer see, with its calls, and
/// its person when no other booking of theirs is left here.
pub(super) fn remove(conn: &Connection, wire_id: &str, data: &str) -> Result<()> {
    let id: Option<i64> = find(conn, wire_id, data)?;
    let Some(id) = id else { return Ok(()) };
    let person: String = conn.query_row(
        "SELECT person_id FROM appointment WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    conn.execute(
        "DELETE FROM contact_attempt WHERE appointment_id = ?1",
        [id],
    )?;
    conn.execute("DELETE FROM appointment WHERE id = ?1", [id])?;
    conn.execute(
        "DELETE FROM person WHERE person_id = ?1
           AND NOT EXISTS (SELECT 1 FROM appointment WHERE person_id = ?1)",
        [person],
    )?;
    Ok(())
}

/// The local id of the booking a wire row names.
fn find(conn: &Connection, wire_id: &str, data: &str) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(match Key::of(data)?.booking_id {
        Some(b) => conn
            .prepare_cached("SELECT id FROM appointment WHERE booking_id = ?1")?
            .query_row([b], |r| r.get(0))
            .optional()?,
        None => conn
            .prepare_cached("SELECT id FROM appointment WHERE uuid = ?1 AND booking_id IS NULL")?
            .query_row([own_uuid(wire_id)?.as_slice()], |r| r.get(0))
            .optional()?,
    })
}

/// What finds a booking, read from its value without SQLite parsing it
/// once more per statement.
#[derive(serde::Deserialize)]
struct Key {
    booking_id: Option<String>,
    #[serde(default)]
    site: String,
    /// The names, for their search keys (`person::name_key`).
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
}

impl Key {
    fn of(data: &str) -> Result<Key> {
        serde_json::from_str(data)
            .map_err(|e| Error::InvalidInput(format!("appointment: unreadable value: {e}")))
    }
}

fn own_uuid(wire_id: &str) -> Result<[u8; 16]> {
    crate::sync::wire::parse_uuid_id(wire_id)
        .ok_or_else(|| Error::InvalidInput(format!("appointment: bad row id {wire_id:?}")))
}
