//! Queries behind the Bookings view: one person's appointments, and one
//! site-day's slots with capacity and who is booked in each.

use crate::error::{Error, Result};
use crate::time::{day_start_minute, format_minute, MINUTES_PER_DAY, SLOT_MINUTES};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppointmentRow {
    pub id: i64,
    pub booking_id: Option<String>,
    pub person_id: String,
    pub site_code: String,
    pub slot: String,
    pub dose_number: i64,
    pub product: String,
    pub status: String,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct PersonBookings {
    pub person_id: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    #[serde(flatten)]
    pub name: crate::store::person::PersonName,
    pub appointments: Vec<AppointmentRow>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AppointmentRow> {
    Ok(AppointmentRow {
        id: r.get("id")?,
        booking_id: r.get("booking_id")?,
        person_id: r.get("person_id")?,
        site_code: r.get("code")?,
        slot: format_minute(r.get("slot_minute")?),
        dose_number: r.get("dose_number")?,
        product: r.get("product")?,
        status: r.get("status")?,
        source: r.get("source")?,
    })
}

const SELECT: &str = "SELECT a.id, a.booking_id, a.person_id, s.code, a.slot_minute, a.dose_number,
                             a.product, a.status, a.source
                      FROM appointment a JOIN site s ON s.id = a.site_id";

/// A person's appointments, oldest first (exact id; uses the person index).
/// A clinic user sees the person's appointments at its sites only (and
/// nothing of someone booked elsewhere); an official is refused.
pub fn person(conn: &Connection, person_id: &str) -> Result<PersonBookings> {
    let person_id = person_id.trim();
    crate::users::require_any_person_view()?;
    crate::audit::record(conn, "view_person", person_id, serde_json::json!({}))?;
    let appointments = appointments_of(conn, person_id)?;
    let booked_here = appointments.len();
    let mut appointments = appointments;
    appointments.retain(|a| crate::users::may_see_people_at(&a.site_code));
    if booked_here > 0 && appointments.is_empty() {
        return Err(Error::NotFound(format!(
            "no bookings for person {person_id:?} at your sites"
        )));
    }
    type Details = (
        Option<String>,
        Option<String>,
        crate::store::person::PersonName,
    );
    let details: Option<Details> = conn
        .query_row(
            "SELECT birth_date, phone, given_name, family_name, preferred_language
             FROM person WHERE person_id = ?1",
            [person_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    crate::store::person::PersonName {
                        given_name: r.get(2)?,
                        family_name: r.get(3)?,
                        preferred_language: r.get(4)?,
                    },
                ))
            },
        )
        .optional()?;
    if appointments.is_empty() && details.is_none() {
        return Err(Error::NotFound(format!(
            "no bookings for person {person_id:?}"
        )));
    }
    let (birth_date, phone, name) = details.unwrap_or_default();
    Ok(PersonBookings {
        person_id: person_id.to_owned(),
        birth_date,
        phone,
        name,
        appointments,
    })
}

/// Every appointment of a person, whoever may see it, oldest first.
pub(super) fn appointments_of(conn: &Connection, person_id: &str) -> Result<Vec<AppointmentRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.person_id = ?1 ORDER BY a.slot_minute, a.dose_number"
    ))?;
    let rows = stmt
        .query_map([person_id], row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[derive(Debug, Serialize)]
pub struct SlotRow {
    pub slot: String,
    /// `None` when no shift covers the slot.
    pub capacity: Option<i64>,
    pub active: i64,
    pub appointments: Vec<AppointmentRow>,
}

/// Every slot of a site-day that has a shift or a booking, with its bookings.
pub fn site_day(conn: &Connection, site: &str, date: &str) -> Result<Vec<SlotRow>> {
    let day = crate::time::require_date("", date)?;
    let site_id = crate::store::site::id(conn, site)?;
    crate::users::require_person_view(Some(site))?;
    crate::audit::record(
        conn,
        "view_site_day",
        &format!("{site} {day}"),
        serde_json::json!({}),
    )?;
    let start = day_start_minute(day);
    let capacity = crate::capacity::slot_capacities(conn, site_id, day)?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.site_id = ?1 AND a.slot_minute >= ?2 AND a.slot_minute < ?3
         ORDER BY a.slot_minute, a.id"
    ))?;
    let rows: Vec<AppointmentRow> = stmt
        .query_map(params![site_id, start, start + MINUTES_PER_DAY], row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut slots: std::collections::BTreeMap<i64, SlotRow> = capacity
        .into_iter()
        .map(|(slot, cap)| {
            (
                slot,
                SlotRow {
                    slot: format_minute(slot),
                    capacity: Some(cap),
                    active: 0,
                    appointments: Vec::new(),
                },
            )
        })
        .collect();
    for a in rows {
        let minute = crate::time::parse_local_datetime(&a.slot)
            .map(crate::time::minute_of)
            .unwrap_or(start);
        let slot = minute - minute.rem_euclid(SLOT_MINUTES);
        let entry = slots.entry(slot).or_insert_with(|| SlotRow {
            slot: format_minute(slot),
            capacity: None,
            active: 0,
            appointments: Vec::new(),
        });
        if a.status == "booked" || a.status == "attended" {
            entry.active += 1;
        }
        entry.appointments.push(a);
    }
    Ok(slots.into_values().collect())
}
