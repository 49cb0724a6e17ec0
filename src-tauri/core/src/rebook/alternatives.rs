//! Other free places for one booking, for a caller to pick by hand: when the
//! person declines the proposal, or asks for another day or site. The plan's
//! rules hold (its move window: the dose interval and `SEARCH_DAYS`; the
//! manager's distance cap); the choice is theirs.

use super::{move_windows, open_sites, Excess, FreePlaces, Neighbours, Reach, MINUTES_PER_DAY};
use crate::booking::FreeSlot;
use crate::error::{Error, Result};
use crate::store::person::PersonName;
use crate::time::{format_minute, SLOT_MINUTES};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// Days at its own site offered at most, so other sites make the list too.
const OWN_SITE_DAYS: usize = 4;

/// Up to `limit` free places for the booked appointment `appointment_id`:
/// its own site's earliest free slot on each day of its move window (up to
/// `OWN_SITE_DAYS`), then the earliest free slot of each other open site,
/// nearest first, that `max_km` allows. Nothing is taken: the call that
/// accepts one re-checks it.
pub fn alternatives(
    conn: &Connection,
    appointment_id: i64,
    max_km: Option<f64>,
    limit: usize,
) -> Result<Vec<FreeSlot>> {
    let reach = Reach::new(max_km)?;
    let e = booked(conn, appointment_id)?;
    let (from, to) = move_windows(conn, std::slice::from_ref(&e))?[0];
    let sites = open_sites(conn)?;
    let mut free = FreePlaces::new(conn, &sites);
    let own_slot = e.minute - e.minute.rem_euclid(SLOT_MINUTES);
    let mut found: Vec<(i64, i64, Option<f64>)> = Vec::new();
    let mut cursor = from;
    while found.len() < OWN_SITE_DAYS.min(limit) && cursor < to {
        let Some(slot) = free.earliest(e.site, cursor, to, own_slot, false)? else {
            break;
        };
        found.push((e.site, slot, None));
        cursor = slot - slot.rem_euclid(MINUTES_PER_DAY) + MINUTES_PER_DAY;
    }
    let mut neighbours = Neighbours {
        sites: &sites,
        by_site: HashMap::new(),
    };
    for &(site, km) in neighbours.of(e.site) {
        if found.len() >= limit {
            break;
        }
        if !reach.allows(km) {
            continue;
        }
        if let Some(slot) = free.earliest(site, from, to, i64::MIN, false)? {
            found.push((site, slot, km));
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for (site, slot, km) in found {
        out.push(FreeSlot {
            site_code: sites.get(&site).map(|s| s.code.clone()).unwrap_or_default(),
            slot: format_minute(slot),
            free: free.places_at(site, slot)?,
            distance_km: km.map(|d| (d * 10.0).round() / 10.0),
        });
    }
    Ok(out)
}

/// The appointment as the plan sees an excess booking; only a booked one
/// can move.
fn booked(conn: &Connection, appointment_id: i64) -> Result<Excess> {
    let row = conn
        .query_row(
            "SELECT a.booking_id, a.person_id, a.dose_number, a.site_id, a.slot_minute,
                    a.product, a.status
             FROM appointment a WHERE a.id = ?1",
            [appointment_id],
            |r| {
                Ok((
                    Excess {
                        id: appointment_id,
                        booking_id: r.get("booking_id")?,
                        person: r.get("person_id")?,
                        phone: None,
                        name: PersonName::default(),
                        dose: r.get("dose_number")?,
                        site: r.get("site_id")?,
                        minute: r.get("slot_minute")?,
                        product: r.get("product")?,
                    },
                    r.get::<_, String>("status")?,
                ))
            },
        )
        .optional()?;
    match row {
        None => Err(Error::NotFound(format!("no appointment {appointment_id}"))),
        Some((e, status)) if status == "booked" => Ok(e),
        Some((_, status)) => Err(Error::InvalidInput(format!(
            "appointment {appointment_id} is {status}: only a booked appointment can move"
        ))),
    }
}
