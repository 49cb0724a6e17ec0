//! The desk's list as callers work it: a page of proposals at a time,
//! narrowed by site, day, where the calls stand, or a search for one
//! person (name, id, booking id or phone), so every call can be reached.

use super::{
    excess_bookings, first_proposals, not_reached, open_call_list, propose, Proposal, Reach,
    SiteDayArrivals, Slots, WalkInForecast, PROPOSALS_SHOWN,
};
use crate::checks::CheckQuery;
use crate::error::{Error, Result};
use crate::input::given;
use crate::store::person::{name_key, name_matches};
use crate::time::MINUTES_PER_DAY;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// Which proposals a page lists. Empty fields narrow nothing.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct DeskFilter {
    /// The site the booking is at now (code).
    pub site: Option<String>,
    /// The day of the booking's slot, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where the calls stand: one of [`STATUSES`].
    pub status: Option<String>,
    /// A name's start, part of a person id or booking id, or part of a
    /// phone number (see `search_matches`).
    pub search: Option<String>,
    /// No other site farther than this from the booking's own, in km.
    pub max_km: Option<f64>,
    pub offset: usize,
    /// Proposals a page holds; 0 means [`PROPOSALS_SHOWN`].
    pub limit: usize,
}

/// `to_call`: not called yet (or accepted but not moved); `call_back`: the
/// latest call asked for a call-back (those come by call-back time);
/// `declined`; `unreachable` (or a wrong number); `unplaced`: no site has
/// a free place for them.
pub const STATUSES: &[&str] = &[
    "to_call",
    "call_back",
    "declined",
    "unreachable",
    "unplaced",
];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeskPage {
    pub proposals: Vec<Proposal>,
    pub offset: usize,
    /// Proposals the filter matches; `None` on the unfiltered first page,
    /// which is read without planning the rest (the counts follow).
    pub matching: Option<i64>,
    /// Excess bookings in scope, as the Checks count them.
    pub excess: i64,
    /// The sites and days with over-capacity slots, for the filter's choices.
    pub sites: Vec<String>,
    pub dates: Vec<String>,
    /// Where people are still expected: the first [`ARRIVALS_SHOWN`]
    /// site-days, most expected first; `arrivals_total` counts them all.
    pub expected_arrivals: Vec<SiteDayArrivals>,
    pub arrivals_total: usize,
    pub walk_in_forecast: WalkInForecast,
}

/// The site-days with people still expected that a desk's page carries.
/// An incident at province scale has thousands: all of them made 338 KB of
/// a 396 KB page at 10 million bookings, sent again after every call, for
/// a list that shows this many.
pub const ARRIVALS_SHOWN: usize = 12;

/// The first [`ARRIVALS_SHOWN`] of `all`, and how many there are.
fn shown_arrivals(mut all: Vec<SiteDayArrivals>) -> (Vec<SiteDayArrivals>, usize) {
    let total = all.len();
    all.truncate(ARRIVALS_SHOWN);
    (all, total)
}

impl DeskFilter {
    fn is_empty(&self) -> bool {
        [&self.site, &self.date, &self.status, &self.search]
            .into_iter()
            .all(|f| given(f).is_none())
    }

    fn matches(&self, needle: Option<&Needle>, p: &Proposal) -> bool {
        if given(&self.site).is_some_and(|s| p.site_code != s) {
            return false;
        }
        if given(&self.date).is_some_and(|d| !p.slot.starts_with(d)) {
            return false;
        }
        if let Some(status) = given(&self.status) {
            let outcome = p.calls.last_outcome.as_deref();
            let fits = match status {
                "to_call" => matches!(outcome, None | Some("reached_accepted")),
                "call_back" => p.calls.call_back_at.is_some(),
                "declined" => outcome == Some("reached_declined"),
                "unreachable" => outcome.is_some_and(not_reached),
                _ => p.proposed_slot.is_none(), // "unplaced", checked in `page`
            };
            if !fits {
                return false;
            }
        }
        needle.is_none_or(|n| n.matches(p))
    }
}

/// A search, read once per page rather than once per proposal.
struct Needle {
    lower: String,
    name_key: String,
    digits: String,
}

impl Needle {
    fn new(text: &str) -> Self {
        Needle {
            lower: text.to_lowercase(),
            name_key: name_key(text),
            digits: digits(text),
        }
    }

    /// A search matches part of the person id or booking id (any case); a
    /// name as `person::name_matches` has it (any case, accents or not:
    /// "gagne" and "marie gag" find Marie Gagné); or, when it holds 3 digits
    /// or more, part of the phone number's digits (so "613 555-01" finds
    /// "613-555-0101").
    fn matches(&self, p: &Proposal) -> bool {
        let in_text = |s: &str| s.to_lowercase().contains(&self.lower);
        if in_text(&p.person_id) || p.booking_id.as_deref().is_some_and(in_text) {
            return true;
        }
        let (given, family) = (&p.name.given_name, &p.name.family_name);
        if name_matches(&self.name_key, given.as_deref(), family.as_deref()) {
            return true;
        }
        self.digits.len() >= 3
            && p.phone
                .as_deref()
                .is_some_and(|ph| digits(ph).contains(&self.digits))
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// One page of the desk's list.
pub fn page(conn: &Connection, query: &CheckQuery, filter: &DeskFilter) -> Result<DeskPage> {
    if let Some(status) = given(&filter.status) {
        if !STATUSES.contains(&status) {
            return Err(Error::InvalidInput(format!(
                "call status {status:?} is not one of: {}",
                STATUSES.join(", ")
            )));
        }
    }
    let reach = Reach::new(filter.max_km)?;
    let limit = if filter.limit == 0 {
        PROPOSALS_SHOWN
    } else {
        filter.limit
    };
    // The desk's pages name people and their phones.
    open_call_list(conn, query, Some(limit))?;
    crate::checks::refresh(conn)?;
    crate::store::read_snapshot(conn, || {
        let slots = crate::checks::over_capacity_slots(conn, query)?;
        let scope = Scope::of(conn, &slots)?;
        if filter.is_empty() && filter.offset == 0 {
            // The first screen: only the slots its proposals are in are read.
            let first = first_proposals(conn, &slots, limit, reach)?;
            let (expected_arrivals, arrivals_total) = shown_arrivals(first.expected_arrivals);
            return Ok(DeskPage {
                proposals: first.proposals,
                offset: 0,
                matching: None,
                excess: scope.excess,
                sites: scope.sites,
                dates: scope.dates,
                expected_arrivals,
                arrivals_total,
                walk_in_forecast: first.walk_in_forecast,
            });
        }
        let whole = propose(conn, &slots, &excess_bookings(conn, &slots)?, reach)?;
        let needle = given(&filter.search).map(Needle::new);
        let mut matching: Vec<&Proposal> = whole
            .proposals
            .iter()
            .filter(|p| filter.matches(needle.as_ref(), p))
            .collect();
        if given(&filter.status) == Some("call_back") {
            // Stable: the same call-back time keeps slot order.
            matching.sort_by(|a, b| a.calls.call_back_at.cmp(&b.calls.call_back_at));
        }
        let (expected_arrivals, arrivals_total) = shown_arrivals(whole.expected_arrivals);
        Ok(DeskPage {
            offset: filter.offset,
            matching: Some(matching.len() as i64),
            proposals: matching
                .into_iter()
                .skip(filter.offset)
                .take(limit)
                .cloned()
                .collect(),
            excess: scope.excess,
            sites: scope.sites,
            dates: scope.dates,
            expected_arrivals,
            arrivals_total,
            walk_in_forecast: whole.walk_in_forecast,
        })
    })
}

/// The over-capacity slots in scope: their excess bookings as the Checks
/// count them (attended ones too), and the sites and days they are at.
struct Scope {
    excess: i64,
    sites: Vec<String>,
    dates: Vec<String>,
}

impl Scope {
    fn of(conn: &Connection, slots: &Slots) -> Result<Scope> {
        let codes: std::collections::HashMap<i64, String> = crate::store::site::ids_by_code(conn)?
            .into_iter()
            .map(|(code, id)| (id, code))
            .collect();
        // Thousands of slots at a province's incident, on a few days at a
        // few hundred sites: each site and day is named once.
        let mut site_ids: Vec<i64> = slots.iter().map(|s| s.0).collect();
        site_ids.sort_unstable();
        site_ids.dedup();
        let mut sites: Vec<String> = site_ids
            .iter()
            .filter_map(|id| codes.get(id).cloned())
            .collect();
        sites.sort();
        let mut days: Vec<i64> = slots
            .iter()
            .map(|s| s.1.div_euclid(MINUTES_PER_DAY))
            .collect();
        days.sort_unstable();
        days.dedup();
        let dates = days
            .iter()
            .map(|day| crate::time::format_minute(day * MINUTES_PER_DAY)[..10].to_owned())
            .collect();
        Ok(Scope {
            excess: slots.iter().map(|s| s.2).sum(),
            sites,
            dates,
        })
    }
}
