//! The rebooking desk: for every excess booking in an over-capacity slot,
//! propose a new place — another free slot at the same site first, then other
//! sites by distance (temporary clinics the manager adds are sites too) —
//! never overbooking anything, and keeping the person's other dose inside the
//! product's interval. Calls are recorded; an accepted move updates the
//! booking in the same transaction that re-checks the capacity.

use crate::booking::CentralCheck;
use crate::checks::CheckQuery;
use crate::error::{Error, Result};
use crate::store;
use crate::store::appointment::active;
pub use crate::store::contact_attempt::CallHistory;
pub use crate::store::person::PersonName;
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
    #[serde(flatten)]
    pub name: PersonName,
    pub dose_number: i64,
    pub site_code: String,
    pub slot: String,
    /// Where to move; `None` when nothing free was found.
    pub proposed_site: Option<String>,
    pub proposed_slot: Option<String>,
    pub distance_km: Option<f64>,
    /// The calls made so far (undone ones left out): how many, and the
    /// latest one's outcome, time, caller, note and call-back time.
    #[serde(flatten)]
    pub calls: CallHistory,
}

/// Who is still expected at a site-day's over-capacity slots: everyone the
/// calls have not moved. The extra capacity that day needs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteDayArrivals {
    pub site_code: String,
    pub date: String,
    /// Excess bookings whose person could not be reached: still expected.
    pub expected_unreachable: i64,
    /// Reached, and declined to move: they keep their slot.
    pub declined: i64,
    /// Not called yet (or accepted, not moved).
    pub to_call: i64,
    /// Of `to_call`, how many will not be reached either, at the share of
    /// [`WalkInForecast`] (rounded): before a call is made, the forecast.
    pub forecast_unreachable: i64,
    /// All of them: not reached, declined and forecast.
    pub expected: i64,
}

/// The share of people the calls do not reach, which forecasts who will
/// come anyway. Until the desk's calls say otherwise it leans on Ottawa's
/// spring 2021 (about 1,400 of 3,100 double-booked people could not be
/// reached), weighed as `PRIOR_CALLS` calls: `(unreached + prior share ×
/// PRIOR_CALLS) ÷ (calls + PRIOR_CALLS)`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct WalkInForecast {
    /// People called so far (their latest call, undone ones left out).
    pub calls: i64,
    /// Of those, not reached (unreachable or a wrong number).
    pub unreached: i64,
    pub share: f64,
}

/// Ottawa, spring 2021: the share of double-booked people not reached.
const PRIOR_UNREACHED_SHARE: f64 = 1400.0 / 3100.0;
/// How many calls the prior share weighs as.
const PRIOR_CALLS: i64 = 20;

/// A call that did not reach the person: they are still expected at their slot.
fn not_reached(outcome: &str) -> bool {
    matches!(outcome, "unreachable" | "wrong_number")
}

impl WalkInForecast {
    fn from_outcomes(outcomes: &HashMap<i64, String>) -> WalkInForecast {
        let calls = outcomes.len() as i64;
        let unreached = outcomes.values().filter(|o| not_reached(o)).count() as i64;
        let share = (unreached as f64 + PRIOR_UNREACHED_SHARE * PRIOR_CALLS as f64)
            / (calls + PRIOR_CALLS) as f64;
        WalkInForecast {
            calls,
            unreached,
            share,
        }
    }
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
    pub walk_in_forecast: WalkInForecast,
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
    /// A temporary clinic: opened for the people nearest it (see `propose`).
    temporary: bool,
}

/// How far a temporary clinic reaches on its first pass: people booked
/// farther away keep their own site's later days (or the nearest sites).
const TEMPORARY_CLINIC_REACH_KM: f64 = 15.0;

/// Other sites a booking may move to, nearest first: nobody is asked to
/// cross the province, and the search stays quick with thousands of sites.
const NEAREST_SITES: usize = 30;

/// Free places per slot of one site-day; `None` where no shift covers it.
type DayPlaces = Box<[Option<i64>]>;

/// Slots in a day.
const SLOTS_PER_DAY: usize = (MINUTES_PER_DAY / SLOT_MINUTES) as usize;

/// Free places per slot, from shifts minus active bookings, loaded one
/// site-day at a time as the search reaches it: an array per site-day, so
/// the search walks slots without a lookup each.
struct FreePlaces<'a> {
    conn: &'a Connection,
    sites: &'a HashMap<i64, SiteInfo>,
    /// (site, day number) → free places per slot of the day; `None` for a
    /// slot no shift covers (and for a day with no shift, no array at all).
    days: HashMap<(i64, i64), Option<DayPlaces>>,
}

impl<'a> FreePlaces<'a> {
    fn new(conn: &'a Connection, sites: &'a HashMap<i64, SiteInfo>) -> Self {
        FreePlaces {
            conn,
            sites,
            days: HashMap::new(),
        }
    }

    /// One site's free places on one day (day number), loaded once.
    fn day(&mut self, site: i64, day: i64) -> Result<Option<&mut [Option<i64>]>> {
        if !self.days.contains_key(&(site, day)) {
            let loaded = self.load(site, day)?;
            self.days.insert((site, day), loaded);
        }
        Ok(self
            .days
            .get_mut(&(site, day))
            .and_then(|d| d.as_deref_mut()))
    }

    fn load(&self, site: i64, day: i64) -> Result<Option<DayPlaces>> {
        if !self.sites.contains_key(&site) {
            return Ok(None); // not an open site
        }
        let base = day * MINUTES_PER_DAY;
        let date = crate::time::datetime_of_minute(base).date();
        // The FORMATS slot rule less the active bookings, as booking sees it.
        let places = crate::capacity::free_places(self.conn, site, date)?;
        if places.is_empty() {
            return Ok(None);
        }
        let mut free = vec![None; SLOTS_PER_DAY].into_boxed_slice();
        for (slot, n) in places {
            free[((slot - base) / SLOT_MINUTES) as usize] = Some(n);
        }
        Ok(Some(free))
    }

    /// The earliest free slot at `site` within `[from, to)` minutes, other
    /// than the slot `not`, taken.
    fn take_earliest(&mut self, site: i64, from: i64, to: i64, not: i64) -> Result<Option<i64>> {
        self.earliest(site, from, to, not, true)
    }

    /// Whether `site` has a free slot within `[from, to)` other than `not`
    /// (nothing taken).
    fn has_free(&mut self, site: i64, from: i64, to: i64, not: i64) -> Result<bool> {
        Ok(self.earliest(site, from, to, not, false)?.is_some())
    }

    /// Free places left in the slot starting at `slot` (0 where no shift
    /// covers it).
    fn places_at(&mut self, site: i64, slot: i64) -> Result<i64> {
        let index = (slot.rem_euclid(MINUTES_PER_DAY) / SLOT_MINUTES) as usize;
        Ok(self
            .day(site, slot.div_euclid(MINUTES_PER_DAY))?
            .and_then(|free| free[index])
            .unwrap_or(0))
    }

    fn earliest(
        &mut self,
        site: i64,
        from: i64,
        to: i64,
        not: i64,
        take: bool,
    ) -> Result<Option<i64>> {
        let mut day = from.div_euclid(MINUTES_PER_DAY);
        while day * MINUTES_PER_DAY < to {
            let base = day * MINUTES_PER_DAY;
            if let Some(free) = self.day(site, day)? {
                // The slot holding `from`, up to the last slot starting before `to`.
                let first = (from.max(base) - base) / SLOT_MINUTES;
                let last =
                    (to.min(base + MINUTES_PER_DAY) - base + SLOT_MINUTES - 1) / SLOT_MINUTES;
                let slots = free
                    .iter_mut()
                    .enumerate()
                    .take(last as usize)
                    .skip(first as usize);
                for (i, places) in slots {
                    let slot = base + i as i64 * SLOT_MINUTES;
                    match places {
                        Some(n) if *n > 0 && slot != not => {
                            if take {
                                *n -= 1;
                            }
                            return Ok(Some(slot));
                        }
                        _ => {}
                    }
                }
            }
            day += 1;
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
                        here.zip(s.lat.zip(s.lon))
                            .map(|(a, b)| crate::geo::haversine_km(a.0, a.1, b.0, b.1)),
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
    phone: Option<String>,
    name: PersonName,
    dose: i64,
    site: i64,
    minute: i64,
    product: String,
}

/// Every excess booking's proposal.
/// Its counts are aggregates (a briefing quotes them to officials); the
/// people in it are for [`call_list`].
pub fn plan(conn: &Connection, query: &CheckQuery) -> Result<RebookPlan> {
    plan_within(conn, query, None)
}

/// [`plan`], proposing no other site farther than `max_km` from the
/// booking's own (its own site's later slots are always proposed).
pub fn plan_within(
    conn: &Connection,
    query: &CheckQuery,
    max_km: Option<f64>,
) -> Result<RebookPlan> {
    let reach = Reach::new(max_km)?;
    crate::checks::refresh(conn)?;
    crate::store::read_snapshot(conn, || {
        let slots = crate::checks::over_capacity_slots(conn, query)?;
        let excess = excess_bookings(conn, &slots)?;
        propose(conn, &slots, &excess, reach)
    })
}

/// How far from a booking's own site a proposal may send the person: a
/// manager's cap, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Reach {
    max_km: Option<f64>,
}

impl Reach {
    fn new(max_km: Option<f64>) -> Result<Reach> {
        match max_km {
            Some(km) if !(km.is_finite() && km > 0.0) => Err(Error::InvalidInput(format!(
                "the distance cap must be a positive number of km, not {km}"
            ))),
            _ => Ok(Reach { max_km }),
        }
    }

    /// Whether a site `km` away (`None`: no coordinates to tell) may be
    /// proposed: anything without a cap; with one, only a known distance
    /// inside it.
    fn allows(self, km: Option<f64>) -> bool {
        self.max_km
            .is_none_or(|cap| km.is_some_and(|d| d <= cap + 1e-9))
    }
}

/// Proposes a place for each of `excess`, in order: a proposal only takes
/// places left by those before it, so the first n of a plan are the same
/// whether or not the rest are planned. Expected arrivals count every
/// excess booking of `slots`.
fn propose(
    conn: &Connection,
    slots: &Slots,
    excess: &[Excess],
    reach: Reach,
) -> Result<RebookPlan> {
    let sites = open_sites(conn)?;
    let mut free = FreePlaces::new(conn, &sites);
    let mut neighbours = Neighbours {
        sites: &sites,
        by_site: HashMap::new(),
    };
    let histories = crate::store::contact_attempt::histories(conn)?;
    let outcomes = last_outcomes(&histories);
    let code = |site: i64| sites.get(&site).map(|s| s.code.clone());
    let forecast = WalkInForecast::from_outcomes(&outcomes);
    let windows = move_windows(conn, excess)?;
    let mut places = temporary_clinics_first(excess, &windows, &sites, &mut free, reach)?;
    for ((e, &(from, to)), found) in excess.iter().zip(&windows).zip(places.iter_mut()) {
        if found.is_none() {
            *found = place(e, from, to, &mut free, &mut neighbours, reach)?;
        }
    }
    let mut proposals = Vec::with_capacity(excess.len());
    let mut unplaced = 0;
    for (e, found) in excess.iter().zip(places) {
        if found.is_none() {
            unplaced += 1;
        }
        proposals.push(Proposal {
            appointment_id: e.id,
            booking_id: e.booking_id.clone(),
            person_id: e.person.clone(),
            phone: e.phone.clone(),
            name: e.name.clone(),
            dose_number: e.dose,
            site_code: code(e.site).unwrap_or_default(),
            slot: format_minute(e.minute),
            proposed_site: found.and_then(|(s, ..)| code(s)),
            proposed_slot: found.map(|(_, slot, _)| format_minute(slot)),
            distance_km: found
                .and_then(|(.., d)| d)
                .map(|d| (d * 10.0).round() / 10.0),
            calls: histories.get(&e.id).cloned().unwrap_or_default(),
        });
    }
    Ok(RebookPlan {
        total: proposals.len() as i64,
        proposals,
        unplaced,
        expected_arrivals: expected_arrivals(conn, slots, &outcomes, &sites, forecast.share)?,
        walk_in_forecast: forecast,
    })
}

/// Open sites and where they are.
fn open_sites(conn: &Connection) -> Result<HashMap<i64, SiteInfo>> {
    Ok(conn
        .prepare("SELECT id, code, lat, lon, kind FROM site WHERE status = 'open'")?
        .query_map([], |r| {
            Ok((
                r.get("id")?,
                SiteInfo {
                    code: r.get("code")?,
                    lat: r.get("lat")?,
                    lon: r.get("lon")?,
                    temporary: r.get::<_, String>("kind")? == "temporary_clinic",
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Each booking's [`move_window`], from its product's interval and the
/// person's other dose.
fn move_windows(conn: &Connection, excess: &[Excess]) -> Result<Vec<(i64, i64)>> {
    let intervals: HashMap<String, (i64, i64)> = conn
        .prepare("SELECT code, min_interval_days, max_interval_days FROM product")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut other_dose = conn.prepare_cached(concat!(
        "SELECT min(slot_minute) FROM appointment WHERE person_id = ?1 AND dose_number = ?2
           AND ",
        active!()
    ))?;
    let mut windows = Vec::with_capacity(excess.len());
    for e in excess {
        let interval = intervals
            .get(&e.product)
            .copied()
            .unwrap_or((0, i64::MAX / MINUTES_PER_DAY));
        let partner: Option<i64> = other_dose.query_row(
            params![e.person, if e.dose == 1 { 2 } else { e.dose - 1 }],
            |r| r.get(0),
        )?;
        windows.push(move_window(e, interval, partner));
    }
    Ok(windows)
}

/// Where in time a booking may move, as `[from, to)` minutes: from its own
/// slot on, for `SEARCH_DAYS`, and inside the product's interval (`(min,
/// max)` days) from the person's other dose: dose 1 must stay [min, max]
/// days before dose 2; dose 2 [min, max] days after dose 1.
fn move_window(e: &Excess, (min_days, max_days): (i64, i64), partner: Option<i64>) -> (i64, i64) {
    let day0 = e.minute - e.minute.rem_euclid(MINUTES_PER_DAY);
    let (mut from, mut to) = (day0, day0 + (SEARCH_DAYS + 1) * MINUTES_PER_DAY);
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
    (from.max(e.minute), to)
}

/// A place found: (site, slot, distance km).
type Found = Option<(i64, i64, Option<f64>)>;

/// A temporary clinic is opened for the people nearest it whose own site is
/// full that day: before anyone else is placed, each temporary clinic
/// takes, nearest first (within `TEMPORARY_CLINIC_REACH_KM`, or the
/// manager's cap when nearer), the excess
/// bookings of its days whose own site has no free place left that day,
/// into its earliest free slot from their own time on. Everyone else is
/// placed by `place` after.
fn temporary_clinics_first(
    excess: &[Excess],
    windows: &[(i64, i64)],
    sites: &HashMap<i64, SiteInfo>,
    free: &mut FreePlaces<'_>,
    reach: Reach,
) -> Result<Vec<Found>> {
    let mut found: Vec<Found> = vec![None; excess.len()];
    let mut temporary: Vec<(i64, (f64, f64))> = sites
        .iter()
        .filter(|(_, s)| s.temporary)
        .filter_map(|(id, s)| Some((*id, s.lat.zip(s.lon)?)))
        .collect();
    temporary.sort_by_key(|t| t.0);
    for (clinic, (lat, lon)) in temporary {
        let mut near: Vec<(f64, usize)> = excess
            .iter()
            .enumerate()
            .filter(|(i, e)| found[*i].is_none() && e.site != clinic)
            .filter_map(|(i, e)| {
                let s = sites.get(&e.site)?;
                let d = crate::geo::haversine_km(lat, lon, s.lat?, s.lon?);
                (d <= TEMPORARY_CLINIC_REACH_KM && reach.allows(Some(d))).then_some((d, i))
            })
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (d, i) in near {
            let e = &excess[i];
            let (from, to) = windows[i];
            let day_end = e.minute - e.minute.rem_euclid(MINUTES_PER_DAY) + MINUTES_PER_DAY;
            let to = to.min(day_end);
            let own_slot = e.minute - e.minute.rem_euclid(SLOT_MINUTES);
            if free.has_free(e.site, from, to, own_slot)? {
                continue; // their own clinic still has room that day
            }
            if let Some(slot) = free.take_earliest(clinic, from, to, i64::MIN)? {
                found[i] = Some((clinic, slot, Some(d)));
            }
        }
    }
    Ok(found)
}

/// The first free place in `[from, to)` for a booking, taken from `free`:
/// its own site (not its own slot) first, then the nearest sites `reach`
/// allows. Returns (site, slot, distance km), or `None` when no site has room.
fn place(
    e: &Excess,
    from: i64,
    to: i64,
    free: &mut FreePlaces<'_>,
    neighbours: &mut Neighbours<'_>,
    reach: Reach,
) -> Result<Found> {
    let own_slot = e.minute - e.minute.rem_euclid(SLOT_MINUTES);
    if let Some(slot) = free.take_earliest(e.site, from, to, own_slot)? {
        return Ok(Some((e.site, slot, Some(0.0))));
    }
    for &(site, d) in neighbours.of(e.site) {
        if !reach.allows(d) {
            continue;
        }
        if let Some(slot) = free.take_earliest(site, from, to, i64::MIN)? {
            return Ok(Some((site, slot, d)));
        }
    }
    Ok(None)
}

/// Per site-day with over-capacity slots, who is still expected there: the
/// people not reached, those who declined, and a forecast of how many of
/// those still to call will not be reached either. Most expected first;
/// ties by date and site, so the order never depends on a hash map's.
fn expected_arrivals(
    conn: &Connection,
    slots: &Slots,
    outcomes: &HashMap<i64, String>,
    sites: &HashMap<i64, SiteInfo>,
    share: f64,
) -> Result<Vec<SiteDayArrivals>> {
    let mut excess: HashMap<(i64, i64), i64> = HashMap::new();
    for &(site, slot, n) in slots {
        *excess
            .entry((site, slot.div_euclid(MINUTES_PER_DAY)))
            .or_default() += n;
    }
    let called = called_arrivals(conn, slots, outcomes)?;
    let mut arrivals: Vec<SiteDayArrivals> = excess
        .into_iter()
        .map(|((site, day), n)| {
            let c = called.get(&(site, day)).copied().unwrap_or_default();
            let to_call = (n - c.unreachable - c.declined).max(0);
            let forecast_unreachable = (share * to_call as f64).round() as i64;
            SiteDayArrivals {
                site_code: sites.get(&site).map(|s| s.code.clone()).unwrap_or_default(),
                date: format_minute(day * MINUTES_PER_DAY)[..10].to_owned(),
                expected_unreachable: c.unreachable,
                declined: c.declined,
                to_call,
                forecast_unreachable,
                expected: c.unreachable + c.declined + forecast_unreachable,
            }
        })
        .collect();
    arrivals.sort_by(|a, b| {
        b.expected
            .cmp(&a.expected)
            .then(a.date.cmp(&b.date))
            .then(a.site_code.cmp(&b.site_code))
    });
    Ok(arrivals)
}

/// Excess bookings still in their slot after a call, per site-day.
#[derive(Debug, Clone, Copy, Default)]
struct Called {
    unreachable: i64,
    declined: i64,
}

/// The Rebooking view's first screen: the first `shown` proposals (an
/// incident can mean thousands; the call list export has them all), the
/// excess bookings in scope as the Checks count them, and the expected
/// arrivals. It reads only the slots those proposals are in, so it is quick
/// even when the store's pages are cold; the counts that need the whole
/// plan follow from `counts`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RebookPage {
    pub proposals: Vec<Proposal>,
    pub excess: i64,
    pub expected_arrivals: Vec<SiteDayArrivals>,
    pub walk_in_forecast: WalkInForecast,
}

/// Whether any temporary clinic has a shift.
fn temporary_clinics_open(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM shift h JOIN site s ON s.id = h.site_id
                        WHERE s.kind = 'temporary_clinic' AND s.status = 'open')",
        [],
        |r| r.get(0),
    )?)
}

/// The call list: every proposal, with the people to call and their
/// phones. Refused to a role that may not see them, and logged.
pub fn call_list(conn: &Connection, query: &CheckQuery, max_km: Option<f64>) -> Result<RebookPlan> {
    open_call_list(conn, query, None)?;
    plan_within(conn, query, max_km)
}

/// Refuses a role that may not see the people on the call list, and logs
/// that the list was opened (`shown`: how many proposals, when paged).
fn open_call_list(conn: &Connection, query: &CheckQuery, shown: Option<usize>) -> Result<()> {
    crate::users::require_person_view(query.site.as_deref())?;
    crate::audit::record(
        conn,
        "view_call_list",
        query.site.as_deref().unwrap_or("all sites"),
        serde_json::json!({ "from": query.from, "to": query.to, "shown": shown }),
    )
}

/// Proposals the Rebooking view lists on its first screen (`shown` of
/// `plan_for_view` in the app); its figures count them all.
pub const PROPOSALS_SHOWN: usize = 100;

pub fn plan_for_view(conn: &Connection, query: &CheckQuery, shown: usize) -> Result<RebookPage> {
    // The desk's first screen names people and their phones.
    open_call_list(conn, query, Some(shown))?;
    crate::checks::refresh(conn)?;
    crate::store::read_snapshot(conn, || {
        let slots = crate::checks::over_capacity_slots(conn, query)?;
        let plan = first_proposals(conn, &slots, shown, Reach::default())?;
        Ok(RebookPage {
            proposals: plan.proposals,
            // Counted from the slots, as the Checks count (attended ones
            // too): no booking is read for it.
            excess: slots.iter().map(|s| s.2).sum(),
            expected_arrivals: plan.expected_arrivals,
            walk_in_forecast: plan.walk_in_forecast,
        })
    })
}

/// The first `shown` proposals of `slots`, reading only the slots they are
/// in; but a temporary clinic chooses among all of a day's excess bookings
/// (nearest first), so then every one is planned and the first kept.
fn first_proposals(
    conn: &Connection,
    slots: &Slots,
    shown: usize,
    reach: Reach,
) -> Result<RebookPlan> {
    let excess = if temporary_clinics_open(conn)? {
        excess_bookings(conn, slots)?
    } else {
        first_excess_bookings(conn, slots, shown)?
    };
    let mut plan = propose(conn, slots, &excess, reach)?;
    plan.proposals.truncate(shown);
    Ok(plan)
}

/// Where the rebooking calls stand: bookings a call has moved, and the
/// excess bookings still to move by their latest call.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct CallProgress {
    /// Reached, accepted and moved (their latest call).
    pub moved: i64,
    pub declined: i64,
    /// Unreachable or a wrong number: still expected at their slot.
    pub unreachable: i64,
    /// Not called yet.
    pub to_call: i64,
}

pub fn call_progress(conn: &Connection, plan: &RebookPlan) -> Result<CallProgress> {
    let moved = last_outcomes(&crate::store::contact_attempt::histories(conn)?)
        .values()
        .filter(|o| o.as_str() == "reached_accepted")
        .count() as i64;
    let mut progress = CallProgress {
        moved,
        ..CallProgress::default()
    };
    for p in &plan.proposals {
        match p.calls.last_outcome.as_deref() {
            None => progress.to_call += 1,
            Some("reached_declined") => progress.declined += 1,
            Some(o) if not_reached(o) => progress.unreachable += 1,
            // Accepted but still here: the move did not happen; call again.
            Some(_) => progress.to_call += 1,
        }
    }
    Ok(progress)
}

/// What only the whole plan knows.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct RebookCounts {
    /// Excess bookings that can still be moved (booked, not attended).
    pub total: i64,
    /// Of those, how many no site has a free place for.
    pub unplaced: i64,
}

pub fn counts(conn: &Connection, query: &CheckQuery, max_km: Option<f64>) -> Result<RebookCounts> {
    let plan = plan_within(conn, query, max_km)?;
    Ok(RebookCounts {
        total: plan.total,
        unplaced: plan.unplaced,
    })
}

/// Over-capacity slots as (site id, slot start, excess bookings).
type Slots = [(i64, i64, i64)];

/// Slots as one JSON array for `json_each`: one statement reads every slot
/// (thousands in an incident) instead of one query each.
fn slots_json(slots: &Slots) -> Result<String> {
    serde_json::to_string(slots)
        .map_err(|e| Error::InvalidInput(format!("over-capacity slots: {e}")))
}

/// The bookings beyond capacity in each over-capacity slot: the most recently
/// made ones (a double-booking adds to a slot that was already full), and
/// never a dose already given. In slot order: by minute, site, id.
fn excess_bookings(conn: &Connection, slots: &Slots) -> Result<Vec<Excess>> {
    let mut stmt = conn.prepare_cached(
        "WITH slot (site_id, slot_minute, excess) AS (
             SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))
         SELECT b.id, booking_id, b.person_id, dose_number, site_id, slot_minute, product, phone,
                given_name, family_name, preferred_language
         FROM (SELECT a.id, a.booking_id, a.person_id, a.dose_number, a.site_id, a.slot_minute,
                      a.product, slot.excess,
                      row_number() OVER (PARTITION BY slot.site_id, slot.slot_minute
                                         ORDER BY a.booked_at DESC, a.id DESC) AS nth
               FROM slot
               JOIN appointment a ON a.site_id = slot.site_id AND a.slot_minute >= slot.slot_minute
                                 AND a.slot_minute < slot.slot_minute + 5 AND a.status = 'booked') b
         -- Only the excess bookings' people: a full slot holds many more.
         LEFT JOIN person p ON p.person_id = b.person_id
         WHERE nth <= excess
         ORDER BY slot_minute, site_id, b.id",
    )?;
    let rows = stmt.query_map([slots_json(slots)?], |r| {
        Ok(Excess {
            id: r.get("id")?,
            booking_id: r.get("booking_id")?,
            person: r.get("person_id")?,
            phone: r.get("phone")?,
            name: PersonName {
                given_name: r.get("given_name")?,
                family_name: r.get("family_name")?,
                preferred_language: r.get("preferred_language")?,
            },
            dose: r.get("dose_number")?,
            site: r.get("site_id")?,
            minute: r.get("slot_minute")?,
            product: r.get("product")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first `n` excess bookings in slot order, reading only the slots
/// they are in: whole groups of slots starting at the same minute, since
/// bookings inside one 5-minute slot sort by their own minute across sites.
fn first_excess_bookings(conn: &Connection, slots: &Slots, n: usize) -> Result<Vec<Excess>> {
    let mut by_start = slots.to_vec();
    by_start.sort_unstable_by_key(|&(site, slot, _)| (slot, site));
    let mut out = Vec::new();
    let mut rest = &by_start[..];
    while out.len() < n && !rest.is_empty() {
        // Slots until the excess they hold would fill the page (some may be
        // doses already given: then round again) ...
        let need = (n - out.len()) as i64;
        let (mut end, mut held) = (0, 0);
        while end < rest.len() && held < need {
            held += rest[end].2;
            end += 1;
        }
        // ... and the rest of the last slot's start-minute group.
        while end < rest.len() && rest[end].1 == rest[end - 1].1 {
            end += 1;
        }
        out.extend(excess_bookings(conn, &rest[..end])?);
        rest = &rest[end..];
    }
    out.sort_by_key(|e| (e.minute, e.site, e.id));
    out.truncate(n);
    Ok(out)
}

/// Excess bookings whose person could not be reached, or declined to move,
/// per (site, day number): still expected on the day. Only the slots such a
/// booking is in are read.
fn called_arrivals(
    conn: &Connection,
    slots: &Slots,
    outcomes: &HashMap<i64, String>,
) -> Result<HashMap<(i64, i64), Called>> {
    let staying: HashMap<i64, &str> = outcomes
        .iter()
        .filter(|(_, o)| not_reached(o) || o.as_str() == "reached_declined")
        .map(|(id, o)| (*id, o.as_str()))
        .collect();
    let mut arrivals: HashMap<(i64, i64), Called> = HashMap::new();
    if staying.is_empty() {
        return Ok(arrivals);
    }
    let mut place =
        conn.prepare_cached("SELECT site_id, slot_minute FROM appointment WHERE id = ?1")?;
    let mut wanted = std::collections::HashSet::new();
    for id in staying.keys() {
        if let Some((site, minute)) = place
            .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .optional()?
        {
            wanted.insert((site, minute - minute.rem_euclid(SLOT_MINUTES)));
        }
    }
    let those: Vec<_> = slots
        .iter()
        .copied()
        .filter(|&(site, slot, _)| wanted.contains(&(site, slot)))
        .collect();
    for e in excess_bookings(conn, &those)? {
        let Some(outcome) = staying.get(&e.id) else {
            continue;
        };
        let day = arrivals
            .entry((e.site, e.minute.div_euclid(MINUTES_PER_DAY)))
            .or_default();
        if *outcome == "reached_declined" {
            day.declined += 1;
        } else {
            day.unreachable += 1;
        }
    }
    Ok(arrivals)
}

/// The latest call outcome of every appointment called about.
fn last_outcomes(histories: &HashMap<i64, CallHistory>) -> HashMap<i64, String> {
    histories
        .iter()
        .filter_map(|(id, h)| Some((*id, h.last_outcome.clone()?)))
        .collect()
}

/// The call list as CSV: who to call, their current and proposed slot.
pub fn export_csv(plan: &RebookPlan, out: &mut dyn std::io::Write) -> Result<()> {
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
        "given_name",
        "family_name",
        "preferred_language",
    ])
    .map_err(io)?;
    // Ids, phones and codes come from imported files: a cell such as
    // `=HYPERLINK(...)` must open as text, not run.
    let cell = |s: Option<&str>| crate::export::csv_cell(s.unwrap_or_default()).into_owned();
    for p in &plan.proposals {
        w.write_record([
            p.appointment_id.to_string(),
            cell(p.booking_id.as_deref()),
            cell(Some(&p.person_id)),
            cell(p.phone.as_deref()),
            p.dose_number.to_string(),
            cell(Some(&p.site_code)),
            p.slot.clone(),
            cell(p.proposed_site.as_deref()),
            p.proposed_slot.clone().unwrap_or_default(),
            p.calls.last_outcome.clone().unwrap_or_default(),
            cell(p.name.given_name.as_deref()),
            cell(p.name.family_name.as_deref()),
            cell(p.name.preferred_language.as_deref()),
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
    /// When to call again (`YYYY-MM-DDTHH:MM`), as the person asked.
    #[serde(default)]
    pub call_back_at: Option<String>,
}

/// Records one call. An accepted move re-checks the new slot's capacity and
/// moves the booking, all in one IMMEDIATE transaction; on an enrolled
/// laptop the server's capacity guard is asked too, as for a new booking
/// (`booking::CentralCheck`).
/// Returns the central check of a move (`None` when no booking moved).
pub fn record(conn: &mut Connection, call: &CallOutcome) -> Result<Option<CentralCheck>> {
    let result = crate::sync::with_booking_guard(conn, |conn, guard| record_via(conn, call, guard));
    let subject = format!("appointment {}", call.appointment_id);
    crate::audit::noting_refusal(conn, "call_outcome", &subject, result)
}

/// [`record`] with the central guard given: `None` records on this laptop
/// alone (as when offline).
pub fn record_via(
    conn: &mut Connection,
    call: &CallOutcome,
    guard: Option<&mut dyn crate::sync::Transport>,
) -> Result<Option<CentralCheck>> {
    if !OUTCOMES.contains(&call.outcome.as_str()) {
        return Err(Error::InvalidInput(format!(
            "outcome {:?} is not one of: {}",
            call.outcome,
            OUTCOMES.join(", ")
        )));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !store::appointment::exists(&tx, call.appointment_id)? {
        return Err(Error::NotFound(format!(
            "no appointment {}",
            call.appointment_id
        )));
    }
    // Where the booking is now: its calls are that site's to write.
    let (was_site, was_slot) = tx.query_row(
        "SELECT site_id, slot_minute FROM appointment WHERE id = ?1",
        [call.appointment_id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )?;
    crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::ContactAttempt, was_site)?;
    let call_back_at = match call.call_back_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            crate::time::parse_local_datetime(text)
                .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                .ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "call-back time {text:?} is not a date-time (YYYY-MM-DDTHH:MM)"
                    ))
                })?,
        ),
    };
    let now = crate::store::now_timestamp();
    let mut target = (None, None);
    let mut from = (None, None);
    if call.outcome == "reached_accepted" {
        let (Some(site_code), Some(slot_text)) = (&call.to_site, &call.to_slot) else {
            return Err(Error::InvalidInput(
                "an accepted move needs the new site and slot".into(),
            ));
        };
        let site_id = store::site::id(&tx, site_code)?;
        let slot = crate::time::parse_local_datetime(slot_text)
            .map(crate::time::minute_of)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{slot_text:?} is not a date-time (YYYY-MM-DDTHH:MM)"
                ))
            })?;
        let slot = slot - slot.rem_euclid(SLOT_MINUTES);
        crate::sync::enrolment::guard_write(&tx, crate::sync::wire::Table::Appointment, site_id)?;
        let free = crate::booking::free_places_at(&tx, site_id, slot)?;
        if free.is_none_or(|n| n <= 0) {
            return Err(Error::SlotFull(format!(
                "{site_code} {} has no free place",
                format_minute(slot)
            )));
        }
        store::appointment::move_to(&tx, call.appointment_id, site_id, slot, &now)?;
        target = (Some(site_id), Some(slot));
        from = (Some(was_site), Some(was_slot));
    }
    let note = call
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    store::contact_attempt::insert(
        &tx,
        &store::contact_attempt::NewAttempt {
            appointment_id: call.appointment_id,
            outcome: &call.outcome,
            proposed: target,
            from,
            note,
            call_back_at: call_back_at.as_deref(),
            caller: &crate::audit::actor(),
        },
        &now,
    )?;
    let central = match (guard, target.0) {
        (_, None) => None, // no place taken: nothing to check
        (Some(server), Some(_)) => Some(crate::sync::guard_booking(
            &tx,
            server,
            &[call.appointment_id],
        )?),
        (None, Some(_)) => Some(CentralCheck::NotEnrolled),
    };
    crate::audit::record(
        &tx,
        "call_outcome",
        &format!("appointment {}", call.appointment_id),
        serde_json::json!({
            "outcome": call.outcome, "to_site": call.to_site, "to_slot": call.to_slot,
            "call_back_at": call_back_at,
        }),
    )?;
    tx.commit()?;
    Ok(central)
}

mod alternatives;
mod desk;
mod undo;
pub use alternatives::alternatives;
pub use desk::{page, DeskFilter, DeskPage, ARRIVALS_SHOWN, STATUSES};
pub use undo::{undo_accepted, Undone};

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
