//! The planning problem as the planner sees it: sites, existing shifts,
//! days with demand and arrivals, the limits, and the candidate windows
//! where an extra shift could go; and the outcome's shape.

use super::staffing::{StaffingRatios, StationStaff};
use serde::{Deserialize, Serialize};

/// A site as the planner sees it.
#[derive(Debug, Clone)]
pub struct PlanSite {
    pub code: String,
    /// Opening hours, minutes since midnight.
    pub opens: u32,
    pub closes: u32,
    /// Vaccinators the site can hold at once.
    pub stations: u32,
    pub doses_per_vaccinator_hour: f64,
}

/// A shift already in the schedule.
#[derive(Debug, Clone)]
pub struct ExistingShift {
    pub site: usize,
    pub day: usize,
    pub start: u32,
    pub end: u32,
    pub vaccinators: u32,
    pub capacity: i64,
}

/// One day's demand (all sites together) and the doses arriving that day.
#[derive(Debug, Clone, Default)]
pub struct PlanDay {
    pub demand: i64,
    /// The part of `demand` already promised (bookings, second doses due):
    /// served before expected new bookings get any dose.
    pub committed: i64,
    pub arrivals: i64,
}

impl PlanDay {
    /// The promised part of the day's demand, within 0 ..= demand.
    pub fn promised(&self) -> i64 {
        self.committed.clamp(0, self.demand.max(0))
    }
}

#[derive(Debug, Clone)]
pub struct PlanInstance {
    pub sites: Vec<PlanSite>,
    pub days: Vec<PlanDay>,
    pub existing: Vec<ExistingShift>,
    /// Doses on hand at the start of the first day.
    pub opening_on_hand: i64,
    /// Doses that must still be on hand after the last day: bookings just
    /// after the range that its shipments are meant for.
    pub closing_reserve: i64,
    /// Site-days booked beyond their shifts' places: demand bound to that
    /// site and those hours, planned before the region's.
    pub overbooked: Vec<Overbooked>,
}

/// People booked beyond one existing shift's places. They will come to that
/// site at their slot's hour whatever room other clinics have, so only more
/// vaccinators there and then, or calls moving them, can serve them.
#[derive(Debug, Clone)]
pub struct Overbooked {
    pub site: usize,
    pub day: usize,
    /// The existing shift the over-capacity slots fall in (index into `existing`).
    pub shift: usize,
    /// Over-capacity slots: (start, minutes since midnight; people beyond its places).
    pub slots: Vec<(u32, i64)>,
    /// Places in each 5-minute slot of the shift with `a` more vaccinators,
    /// for `a` = 0, 1, … up to the site's stations (FORMATS.md's slot rule).
    pub slot_places: Vec<i64>,
    /// 5-minute slots the shift has: places added × slots = doses added.
    pub slots_in_shift: i64,
}

impl Overbooked {
    /// People booked beyond the shift's places.
    pub fn excess(&self) -> i64 {
        self.slots.iter().map(|(_, e)| e).sum()
    }

    /// First over-capacity slot's start and last one's end (minutes since midnight).
    pub fn hours(&self) -> (u32, u32) {
        let first = self.slots.iter().map(|(m, _)| *m).min().unwrap_or(0);
        let last = self.slots.iter().map(|(m, _)| *m).max().unwrap_or(0);
        (first, last + crate::time::SLOT_MINUTES as u32)
    }

    /// Places each slot gains with `added` more vaccinators.
    pub fn places_gained(&self, added: u32) -> i64 {
        let at = |a: usize| self.slot_places.get(a).or(self.slot_places.last()).copied();
        at(added as usize).unwrap_or(0) - at(0).unwrap_or(0)
    }

    /// The over-capacity people `added` more vaccinators would serve.
    pub fn served_by(&self, added: u32) -> i64 {
        let gained = self.places_gained(added);
        self.slots.iter().map(|(_, e)| (*e).min(gained)).sum()
    }
}

/// More vaccinators on an existing shift of an overbooked site-day.
#[derive(Debug, Clone, PartialEq)]
pub struct Reinforcement {
    /// Index into the instance's `overbooked`.
    pub overbooked: usize,
    pub added: u32,
    /// Doses the added vaccinators give (places gained × slots).
    pub capacity: i64,
    /// The staff this adds to the shift, station by station.
    pub staff: StationStaff,
    /// Over-capacity people they serve.
    pub served: i64,
}

/// Over-capacity people the site cannot serve itself: calls must move them.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteMoves {
    /// Index into the instance's `overbooked`.
    pub overbooked: usize,
    pub people: i64,
    /// What stopped more vaccinators there: `Stations` or `Staff`.
    pub limit: Constraint,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
// Missing fields keep their defaults: the UI sends only what it edits.
#[serde(default)]
pub struct PlanParams {
    /// Length of an extra shift in minutes.
    pub shift_minutes: u32,
    /// Shifts (existing and extra) a site may run on one day.
    pub max_shifts_per_site_day: u32,
    /// People (all stations) available per day for extra shifts; None = no limit.
    pub staff_pool: Option<u32>,
    pub ratios: StaffingRatios,
    /// Seconds HiGHS may spend on the exact plan; past it the better of its
    /// plan and the greedy's is kept, with the gap to the best possible.
    pub time_limit_seconds: f64,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            shift_minutes: 240,
            max_shifts_per_site_day: 4,
            staff_pool: None,
            ratios: StaffingRatios::default(),
            time_limit_seconds: crate::mip::DEFAULT_TIME_LIMIT_SECONDS,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Not enough doses on hand (after those booked clinics will use).
    Supply,
    /// The day's staff pool is used up.
    Staff,
    /// No room left in the sites' opening hours and stations.
    Hours,
    /// Every site with room already runs its maximum shifts that day.
    MaxShiftsPerDay,
    /// An overbooked shift already uses every station of its site.
    Stations,
}

impl Constraint {
    pub fn name(self) -> &'static str {
        match self {
            Constraint::Supply => "supply",
            Constraint::Staff => "staff",
            Constraint::Hours => "hours",
            Constraint::MaxShiftsPerDay => "max_shifts_per_day",
            Constraint::Stations => "stations",
        }
    }
}

/// A shift the planner could add: a window on the site's grid with room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub site: usize,
    pub day: usize,
    pub start: u32,
    pub end: u32,
    pub max_vaccinators: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedShift {
    pub site: usize,
    pub day: usize,
    pub start: u32,
    pub end: u32,
    pub vaccinators: u32,
    pub capacity: i64,
    pub staff: StationStaff,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayOutcome {
    pub capacity_before: i64,
    pub capacity_after: i64,
    /// Doses planned: min(demand, capacity, on hand).
    pub planned: i64,
    pub unmet: i64,
    /// Doses on hand at the end of the day.
    pub on_hand: i64,
    pub binding: Vec<Constraint>,
}

/// How the region's plan was found and how good it is known to be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMethod {
    /// The greedy's plan (HiGHS found none better, or did not run).
    #[default]
    Greedy,
    /// HiGHS's plan, better than the greedy's.
    Highs,
}

impl PlanMethod {
    /// As the CLI's JSON writes it.
    pub fn name(self) -> &'static str {
        match self {
            PlanMethod::Greedy => "greedy",
            PlanMethod::Highs => "highs",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveReport {
    pub method: PlanMethod,
    /// The plan's worth (`shift_mip::Scoring`: 2 per promised dose, 1 per
    /// other dose, a fraction of a dose less per shift).
    pub score: f64,
    /// No plan is worth more than this; None when nothing proved a bound.
    pub bound: Option<f64>,
    /// (bound − score) / bound: 0 when the plan is proven the best possible.
    pub gap: Option<f64>,
    /// The person stopped the search before it finished.
    pub cancelled: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOutcome {
    /// More vaccinators on overbooked shifts, planned first.
    pub reinforcements: Vec<Reinforcement>,
    /// Over-capacity people left for the rebooking desk to move.
    pub moves: Vec<SiteMoves>,
    pub shifts: Vec<PlannedShift>,
    pub days: Vec<DayOutcome>,
    /// Optional shifts that would use doses left idle after the plan.
    pub surplus_shifts: Vec<PlannedShift>,
    /// Doses the surplus shifts would use.
    pub surplus_doses: i64,
    pub solve: SolveReport,
}

/// Doses a shift gives: vaccinators × hours × rate, rounded down.
pub fn shift_doses(vaccinators: u32, minutes: u32, doses_per_vaccinator_hour: f64) -> i64 {
    (f64::from(vaccinators) * f64::from(minutes) / 60.0 * doses_per_vaccinator_hour + 1e-9).floor()
        as i64
}

/// Existing capacity per day over all sites.
pub fn base_capacity(inst: &PlanInstance) -> Vec<i64> {
    let mut base = vec![0; inst.days.len()];
    for s in &inst.existing {
        if let Some(b) = base.get_mut(s.day) {
            *b += s.capacity;
        }
    }
    base
}

/// The extra shifts a day allows: windows of `shift_minutes` from opening
/// time (one shorter window when the site opens for less), each with the
/// stations the existing shifts leave free, not starting with an existing
/// shift (the store keeps one shift per site, date and start).
pub fn candidates(inst: &PlanInstance, params: &PlanParams, day: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    let len = params.shift_minutes.max(15);
    // The day's shifts by site, gathered once (a province has thousands of sites).
    let mut todays: Vec<Vec<&ExistingShift>> = vec![Vec::new(); inst.sites.len()];
    for s in inst.existing.iter().filter(|s| s.day == day) {
        if let Some(v) = todays.get_mut(s.site) {
            v.push(s);
        }
    }
    for (si, site) in inst.sites.iter().enumerate() {
        if site.closes <= site.opens {
            continue;
        }
        let existing = &todays[si];
        let mut windows = Vec::new();
        let mut start = site.opens;
        while start + len <= site.closes {
            windows.push((start, start + len));
            start += len;
        }
        if windows.is_empty() {
            windows.push((site.opens, site.closes));
        }
        for (start, end) in windows {
            if existing.iter().any(|s| s.start == start) {
                continue;
            }
            let busy = peak_vaccinators(
                existing.iter().map(|s| (s.start, s.end, s.vaccinators)),
                start,
                end,
            );
            let free = site.stations.saturating_sub(busy);
            if free > 0 {
                out.push(Candidate {
                    site: si,
                    day,
                    start,
                    end,
                    max_vaccinators: free,
                });
            }
        }
    }
    out
}

/// Most vaccinators at work at once within [start, end).
pub fn peak_vaccinators(
    shifts: impl Iterator<Item = (u32, u32, u32)> + Clone,
    start: u32,
    end: u32,
) -> u32 {
    let mut moments: Vec<u32> = shifts
        .clone()
        .map(|(s, _, _)| s.max(start))
        .filter(|m| *m < end)
        .collect();
    moments.push(start);
    moments
        .into_iter()
        .map(|m| {
            shifts
                .clone()
                .filter(|(s, e, _)| *s <= m && m < *e)
                .map(|(_, _, v)| v)
                .sum::<u32>()
        })
        .max()
        .unwrap_or(0)
}

/// Extra shifts allowed per (site, day) under the per-day maximum.
pub(super) fn extra_allowed(inst: &PlanInstance, params: &PlanParams) -> Vec<Vec<u32>> {
    let mut count = vec![vec![0u32; inst.days.len()]; inst.sites.len()];
    for s in &inst.existing {
        if let Some(c) = count.get_mut(s.site).and_then(|d| d.get_mut(s.day)) {
            *c += 1;
        }
    }
    count
        .into_iter()
        .map(|days| {
            days.into_iter()
                .map(|n| params.max_shifts_per_site_day.saturating_sub(n))
                .collect()
        })
        .collect()
}
