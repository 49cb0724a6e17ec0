//! The rebooking desk: for every excess booking in an over-capacity slot,
//! propose a new place — another free slot at the same site first, then other
//! sites by distance (temporary clinics the manager adds are sites too) —
//! never overbooking anything, and keeping the person's other dose inside the
//! product's interval. Calls are recorded; an accepted move updates the
//! booking in the same transaction that re-checks the capacity.

use crate::checks::CheckQuery;
use crate::error::{Error, Result};
use crate::time::{format_minute, MINUTES_PER_DAY, SLOT_MINUTES};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How far from the original day a proposal may move, in days.
const SEARCH_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Proposal {
    pub appointment_id: i64,
    pub booking_id: Option<String>,
    pub person_id: String,
    pub phone: Option<String>,
    pub dose_number: i64,
    pub site_code: String,
    pub slot: String,
    /// Where to move; `None` when nothing free was found.
    pub proposed_site: Option<String>,
    pub proposed_slot: Option<String>,
    pub distance_km: Option<f64>,
    /// Outcome of the latest call, if any.
    pub last_outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteDayArrivals {
    pub site_code: String,
    pub date: String,
    /// Excess bookings whose person could not be reached: still expected to
    /// come, so the extra capacity that day needs.
    pub expected_unreachable: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RebookPlan {
    /// Every excess booking's proposal, in slot order (the first few only
    /// from `plan_for_view`).
    pub proposals: Vec<Proposal>,
    /// How many excess bookings there are (all of them, however many are listed).
    pub total: i64,
    pub unplaced: i64,
    pub expected_arrivals: Vec<SiteDayArrivals>,
}

pub const OUTCOMES: &[&str] = &[
    "reached_accepted",
    "reached_declined",
    "unreachable",
    "wrong_number",
];

struct SiteInfo {
    code: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Great-circle distance in km.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1, lat2, lon2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Other sites a booking may move to, nearest first: nobody is asked to
/// cross the province, and the search stays quick with thousands of sites.
const NEAREST_SITES: usize = 30;

/// Free places per (site, slot start), from shifts minus active bookings,
/// loaded one site-day at a time as the search reaches it. Slots no shift
/// covers are absent.
struct FreePlaces<'a> {
    conn: &'a Connection,
    sites: &'a HashMap<i64, SiteInfo>,
    loaded: std::collections::HashSet<(i64, i64)>,
    free: HashMap<(i64, i64), i64>,
}

impl<'a> FreePlaces<'a> {
    fn new(conn: &'a Connection, sites: &'a HashMap<i64, SiteInfo>) -> Self {
        FreePlaces {
            conn,
            sites,
            loaded: Default::default(),
            free: HashMap::new(),
        }
    }

    /// Loads one site's free places on one day (day number), once.
    fn load(&mut self, site: i64, day: i64) -> Result<()> {
        if !self.loaded.insert((site, day)) {
            return Ok(());
        }
        if !self.sites.contains_key(&site) {
            return Ok(()); // not an open site
        }
        let base = day * MINUTES_PER_DAY;
        let date = crate::time::datetime_of_minute(base).date();
        // The FORMATS slot rule, computed where the checks compute it.
        for (slot, places) in crate::checks::slot_capacities(self.conn, site, date)? {
            self.free.insert((site, slot), places);
        }
        let mut booked = self.conn.prepare_cached(
            "SELECT slot_minute FROM appointment
             WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
               AND (status = 'booked' OR status = 'attended')",
        )?;
        let mut rows = booked.query(params![site, base, base + MINUTES_PER_DAY])?;
        while let Some(r) = rows.next()? {
            let minute: i64 = r.get(0)?;
            if let Some(n) = self
                .free
                .get_mut(&(site, minute - minute.rem_euclid(SLOT_MINUTES)))
            {
                *n -= 1;
            }
        }
        Ok(())
    }

    /// The earliest free slot at `site` within `[from, to)` minutes, taken.
    fn take_earliest(&mut self, site: i64, from: i64, to: i64, not: i64) -> Result<Option<i64>> {
        let mut slot = from - from.rem_euclid(SLOT_MINUTES);
        while slot < to {
            let day = slot.div_euclid(MINUTES_PER_DAY);
            self.load(site, day)?;
            let day_end = (day + 1) * MINUTES_PER_DAY;
            while slot < to.min(day_end) {
                if slot != not {
                    if let Some(n) = self.free.get_mut(&(site, slot)) {
                        if *n > 0 {
                            *n -= 1;
                            return Ok(Some(slot));
                        }
                    }
                }
                slot += SLOT_MINUTES;
            }
        }
        Ok(None)
    }
}

/// The nearest other open sites of each site, found once per plan.
struct Neighbours<'a> {
    sites: &'a HashMap<i64, SiteInfo>,
    by_site: HashMap<i64, Vec<(i64, Option<f64>)>>,
}

impl Neighbours<'_> {
    /// Up to NEAREST_SITES other sites by distance; sites without
    /// coordinates come last, by id. Worked out only for a site whose own
    /// free places ran out.
    fn of(&mut self, site: i64) -> &[(i64, Option<f64>)] {
        let sites = self.sites;
        self.by_site.entry(site).or_insert_with(|| {
            let here = sites.get(&site).and_then(|h| h.lat.zip(h.lon));
            let mut others: Vec<(i64, Option<f64>)> = sites
                .iter()
                .filter(|(id, _)| **id != site)
                .map(|(id, s)| {
                    (
                        *id,
                        here.zip(s.lat.zip(s.lon)).map(|(a, b)| distance_km(a, b)),
                    )
                })
                .collect();
            let key = |o: &(i64, Option<f64>)| (o.1.unwrap_or(f64::MAX), o.0);
            let nearest = NEAREST_SITES.min(others.len());
            if nearest > 0 && nearest < others.len() {
                others.select_nth_unstable_by(nearest - 1, |a, b| {
                    key(a).0.total_cmp(&key(b).0).then(key(a).1.cmp(&key(b).1))
                });
                others.truncate(nearest);
            }
            others.sort_by(|a, b| key(a).0.total_cmp(&key(b).0).then(key(a).1.cmp(&key(b).1)));
            others
        })
    }
}

/// One excess booking to move.
struct Excess {
    id: i64,
    booking_id: Option<String>,
    person: String,
    dose: i64,
    site: i64,
    minute: i64,
    product: String,
}

pub fn plan(conn: &Connection, query: &CheckQuery) -> Result<RebookPlan> {
    crate::checks::refresh(conn)?;
    crate::store::read_snapshot(conn, || plan_in(conn, query))
}

fn plan_in(conn: &Connection, query: &CheckQuery) -> Result<RebookPlan> {
    let sites: HashMap<i64, SiteInfo> = conn
        .prepare("SELECT id, code, lat, lon FROM site WHERE status = 'open'")?
        .query_map([], |r| {
            Ok((
                r.get("id")?,
                SiteInfo {
                    code: r.get("code")?,
                    lat: r.get("lat")?,
                    lon: r.get("lon")?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let excess = excess_bookings(conn, query)?;
    let mut free = FreePlaces::new(conn, &sites);
    let mut neighbours = Neighbours {
        sites: &sites,
        by_site: HashMap::new(),
    };
    let intervals: HashMap<String, (i64, i64)> = conn
        .prepare("SELECT code, min_interval_days, max_interval_days FROM product")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut other_dose = conn.prepare_cached(
        "SELECT min(slot_minute) FROM appointment WHERE person_id = ?1 AND dose_number = ?2
           AND (status = 'booked' OR status = 'attended')",
    )?;
    let mut contact = conn.prepare_cached(
        "SELECT outcome FROM contact_attempt WHERE appointment_id = ?1 ORDER BY attempted_at DESC, id DESC LIMIT 1",
    )?;
    let mut phone = conn.prepare_cached("SELECT phone FROM person WHERE person_id = ?1")?;
    let mut proposals = Vec::with_capacity(excess.len());
    let mut unplaced = 0;
    let mut arrivals: HashMap<(i64, i64), i64> = HashMap::new();
    for e in &excess {
        // The person's other dose bounds the move: dose 1 must stay [min, max]
        // days before dose 2; dose 2 [min, max] days after dose 1.
        let (min_days, max_days) = intervals
            .get(&e.product)
            .copied()
            .unwrap_or((0, i64::MAX / MINUTES_PER_DAY));
        let day0 = e.minute - e.minute.rem_euclid(MINUTES_PER_DAY);
        let (mut from, mut to) = (day0, day0 + (SEARCH_DAYS + 1) * MINUTES_PER_DAY);
        let partner: Option<i64> = other_dose.query_row(
            params![e.person, if e.dose == 1 { 2 } else { e.dose - 1 }],
            |r| r.get(0),
        )?;
        if let Some(p) = partner {
            let p_day = p - p.rem_euclid(MINUTES_PER_DAY);
            if e.dose == 1 {
                from = from.max(p_day - max_days * MINUTES_PER_DAY);
                to = to.min(p_day - min_days * MINUTES_PER_DAY + MINUTES_PER_DAY);
            } else {
                from = from.max(p_day + min_days * MINUTES_PER_DAY);
                to = to.min(p_day + (max_days + 1) * MINUTES_PER_DAY);
            }
        }
        let here = sites.get(&e.site);
        let not = e.minute - e.minute.rem_euclid(SLOT_MINUTES);
        let from = from.max(e.minute);
        let mut found = free
            .take_earliest(e.site, from, to, not)?
            .map(|slot| (e.site, slot, Some(0.0)));
        if found.is_none() {
            for &(site, d) in neighbours.of(e.site) {
                if let Some(slot) = free.take_earliest(site, from, to, i64::MIN)? {
                    found = Some((site, slot, d));
                    break;
                }
            }
        }
        let last_outcome: Option<String> = contact.query_row([e.id], |r| r.get(0)).optional()?;
        if matches!(
            last_outcome.as_deref(),
            Some("unreachable" | "wrong_number")
        ) {
            *arrivals
                .entry((e.site, e.minute.div_euclid(MINUTES_PER_DAY)))
                .or_default() += 1;
        }
        if found.is_none() {
            unplaced += 1;
        }
        let phone: Option<String> = phone
            .query_row([&e.person], |r| r.get(0))
            .optional()?
            .flatten();
        proposals.push(Proposal {
            appointment_id: e.id,
            booking_id: e.booking_id.clone(),
            person_id: e.person.clone(),
            phone,
            dose_number: e.dose,
            site_code: here.map(|s| s.code.clone()).unwrap_or_default(),
            slot: format_minute(e.minute),
            proposed_site: found.and_then(|(s, ..)| sites.get(&s).map(|i| i.code.clone())),
            proposed_slot: found.map(|(_, slot, _)| format_minute(slot)),
            distance_km: found
                .and_then(|(.., d)| d)
                .map(|d| (d * 10.0).round() / 10.0),
            last_outcome,
        });
    }
    let mut expected_arrivals: Vec<SiteDayArrivals> = arrivals
        .into_iter()
        .map(|((site, day), n)| SiteDayArrivals {
            site_code: sites.get(&site).map(|s| s.code.clone()).unwrap_or_default(),
            date: format_minute(day * MINUTES_PER_DAY)[..10].to_owned(),
            expected_unreachable: n,
        })
        .collect();
    expected_arrivals.sort_by(|a, b| {
        b.expected_unreachable
            .cmp(&a.expected_unreachable)
            .then(a.date.cmp(&b.date))
    });
    Ok(RebookPlan {
        total: proposals.len() as i64,
        proposals,
        unplaced,
        expected_arrivals,
    })
}

/// The plan as the Rebooking view shows it: every figure, and the first
/// `shown` proposals (an incident can mean thousands; the call list export
/// has them all).
pub fn plan_for_view(conn: &Connection, query: &CheckQuery, shown: usize) -> Result<RebookPlan> {
    let mut plan = plan(conn, query)?;
    plan.proposals.truncate(shown);
    Ok(plan)
}

/// The bookings beyond capacity in each over-capacity slot: the most recently
/// made ones (a double-booking adds to a slot that was already full), and
/// never a dose already given.
fn excess_bookings(conn: &Connection, query: &CheckQuery) -> Result<Vec<Excess>> {
    let report = crate::checks::over_capacity_slots(conn, query)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, booking_id, person_id, dose_number, site_id, slot_minute, product FROM appointment
         WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3 AND status = 'booked'
         ORDER BY booked_at DESC, id DESC LIMIT ?4",
    )?;
    let mut out = Vec::new();
    for (site, slot, excess) in report {
        let rows = stmt.query_map(params![site, slot, slot + SLOT_MINUTES, excess], |r| {
            Ok(Excess {
                id: r.get("id")?,
                booking_id: r.get("booking_id")?,
                person: r.get("person_id")?,
                dose: r.get("dose_number")?,
                site: r.get("site_id")?,
                minute: r.get("slot_minute")?,
                product: r.get("product")?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    out.sort_by_key(|e| (e.minute, e.site, e.id));
    Ok(out)
}

/// The call list as CSV: who to call, their current and proposed slot.
pub fn export_csv(plan: &RebookPlan, out: &mut impl std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| Error::InvalidInput(format!("cannot write the call list: {e}"));
    w.write_record([
        "appointment_id",
        "booking_id",
        "person_id",
        "phone",
        "dose_number",
        "site_code",
        "slot",
        "proposed_site",
        "proposed_slot",
        "last_outcome",
    ])
    .map_err(io)?;
    for p in &plan.proposals {
        w.write_record([
            p.appointment_id.to_string(),
            p.booking_id.clone().unwrap_or_default(),
            p.person_id.clone(),
            p.phone.clone().unwrap_or_default(),
            p.dose_number.to_string(),
            p.site_code.clone(),
            p.slot.clone(),
            p.proposed_site.clone().unwrap_or_default(),
            p.proposed_slot.clone().unwrap_or_default(),
            p.last_outcome.clone().unwrap_or_default(),
        ])
        .map_err(io)?;
    }
    w.flush()
        .map_err(|e| Error::InvalidInput(format!("cannot write the call list: {e}")))?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub struct CallOutcome {
    pub appointment_id: i64,
    pub outcome: String,
    /// For `reached_accepted`: where the booking moves.
    pub to_site: Option<String>,
    pub to_slot: Option<String>,
    pub note: Option<String>,
}

/// Records one call. An accepted move re-checks the new slot's capacity and
/// moves the booking, all in one IMMEDIATE transaction.
pub fn record(conn: &mut Connection, call: &CallOutcome) -> Result<()> {
    if !OUTCOMES.contains(&call.outcome.as_str()) {
        return Err(Error::InvalidInput(format!(
            "outcome {:?} is not one of: {}",
            call.outcome,
            OUTCOMES.join(", ")
        )));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let exists: Option<i64> = tx
        .query_row(
            "SELECT id FROM appointment WHERE id = ?1",
            [call.appointment_id],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Err(Error::NotFound(format!(
            "no appointment {}",
            call.appointment_id
        )));
    }
    let now = crate::store::now_timestamp();
    let mut target = (None, None);
    if call.outcome == "reached_accepted" {
        let (Some(site_code), Some(slot_text)) = (&call.to_site, &call.to_slot) else {
            return Err(Error::InvalidInput(
                "an accepted move needs the new site and slot".into(),
            ));
        };
        let site_id: i64 = tx
            .query_row("SELECT id FROM site WHERE code = ?1", [site_code], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no site with code {site_code:?}")))?;
        let slot = crate::time::parse_local_datetime(slot_text)
            .map(crate::time::minute_of)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{slot_text:?} is not a date-time (YYYY-MM-DDTHH:MM)"
                ))
            })?;
        let slot = slot - slot.rem_euclid(SLOT_MINUTES);
        let free = crate::booking::free_places_at(&tx, site_id, slot)?;
        if free.is_none_or(|n| n <= 0) {
            return Err(Error::SlotFull(format!(
                "{site_code} {} has no free place",
                format_minute(slot)
            )));
        }
        tx.execute(
            "UPDATE appointment SET site_id = ?2, slot_minute = ?3, updated_at = ?4 WHERE id = ?1",
            params![call.appointment_id, site_id, slot, now],
        )?;
        target = (Some(site_id), Some(slot));
    }
    tx.execute(
        "INSERT INTO contact_attempt (uuid, appointment_id, attempted_at, outcome, proposed_site_id, proposed_slot_minute, note, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3)",
        params![crate::store::new_uuid(), call.appointment_id, now, call.outcome, target.0, target.1, call.note],
    )?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests;
