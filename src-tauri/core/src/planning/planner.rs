//! The extra-shifts planner: a greedy over days, in date order.
//!
//! Each day's need is met independently: unmet doses are reported, not
//! carried to the next day (no backlog model; a person turned away today is
//! already counted again by the spread of expected new bookings). Days are
//! coupled only through supply: a dose given today is not on hand tomorrow.
//!
//! Per day the target is the demand, cut to the doses on hand less those
//! later days' existing shifts will need (so extra shifts never eat doses
//! already promised to booked clinics). Candidate shifts, largest capacity
//! first, are added until capacity reaches the target; the last one is
//! trimmed to the vaccinators it needs. Taking the k largest is the fewest
//! shifts for a day when nothing else binds.

use super::staffing::{staff_for, StaffingRatios, StationStaff};
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
    pub arrivals: i64,
}

#[derive(Debug, Clone)]
pub struct PlanInstance {
    pub sites: Vec<PlanSite>,
    pub days: Vec<PlanDay>,
    pub existing: Vec<ExistingShift>,
    /// Doses on hand at the start of the first day.
    pub opening_on_hand: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanParams {
    /// Length of an extra shift in minutes.
    pub shift_minutes: u32,
    /// Shifts (existing and extra) a site may run on one day.
    pub max_shifts_per_site_day: u32,
    /// People (all stations) available per day for extra shifts; None = no limit.
    pub staff_pool: Option<u32>,
    pub ratios: StaffingRatios,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            shift_minutes: 240,
            max_shifts_per_site_day: 4,
            staff_pool: None,
            ratios: StaffingRatios::default(),
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
}

impl Constraint {
    pub fn name(self) -> &'static str {
        match self {
            Constraint::Supply => "supply",
            Constraint::Staff => "staff",
            Constraint::Hours => "hours",
            Constraint::MaxShiftsPerDay => "max_shifts_per_day",
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

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOutcome {
    pub shifts: Vec<PlannedShift>,
    pub days: Vec<DayOutcome>,
    /// Optional shifts that would use doses left idle after the plan.
    pub surplus_shifts: Vec<PlannedShift>,
    /// Doses the surplus shifts would use.
    pub surplus_doses: i64,
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
    for (si, site) in inst.sites.iter().enumerate() {
        if site.closes <= site.opens {
            continue;
        }
        let existing: Vec<&ExistingShift> = inst
            .existing
            .iter()
            .filter(|s| s.site == si && s.day == day)
            .collect();
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
            let busy = peak_vaccinators(existing.iter().map(|s| (s.start, s.end, s.vaccinators)), start, end);
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
pub fn peak_vaccinators(shifts: impl Iterator<Item = (u32, u32, u32)> + Clone, start: u32, end: u32) -> u32 {
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
fn extra_allowed(inst: &PlanInstance, params: &PlanParams) -> Vec<Vec<u32>> {
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

/// Doses later days' existing shifts will use that their own arrivals do
/// not cover: what must stay on hand after each day.
fn reserves(base_use: &[i64], arrivals: &[i64]) -> Vec<i64> {
    let n = base_use.len();
    let mut reserve = vec![0; n];
    let mut g = 0i64; // max over t > d of Σ_{d<u≤t} (use − arrivals)
    for d in (0..n.saturating_sub(1)).rev() {
        let x = base_use[d + 1] - arrivals[d + 1];
        g = x + g.max(0);
        reserve[d] = g.max(0);
    }
    reserve
}

/// What one day's picking left over, for the surplus pass.
struct DayState {
    used: Vec<bool>,
    pool_left: Option<u32>,
}

/// Adds candidates, largest first, until `cap` reaches `target`.
/// Returns the flags of what stopped it (staff, max shifts).
#[allow(clippy::too_many_arguments)]
fn fill(
    inst: &PlanInstance,
    params: &PlanParams,
    cands: &[Candidate],
    state: &mut DayState,
    allowed: &mut [Vec<u32>],
    cap: &mut i64,
    target: i64,
    out: &mut Vec<PlannedShift>,
) -> (bool, bool) {
    let (mut staff_short, mut max_hit) = (false, false);
    for (i, c) in cands.iter().enumerate() {
        if *cap >= target {
            break;
        }
        if state.used[i] {
            continue;
        }
        if allowed[c.site][c.day] == 0 {
            max_hit = true;
            continue;
        }
        let rate = inst.sites[c.site].doses_per_vaccinator_hour;
        let minutes = c.end - c.start;
        let staff_of = |v: u32| staff_for(v, rate, &params.ratios);
        let mut v = c.max_vaccinators;
        if let Some(pool) = state.pool_left {
            while v > 0 && staff_of(v).total() > pool {
                v -= 1;
            }
            if v < c.max_vaccinators {
                staff_short = true;
            }
        }
        if v == 0 {
            continue;
        }
        // Trim to the fewest vaccinators that close the gap.
        let need = target - *cap;
        let mut trimmed = v;
        while trimmed > 1 && shift_doses(trimmed - 1, minutes, rate) >= need {
            trimmed -= 1;
        }
        let staff = staff_of(trimmed);
        let doses = shift_doses(trimmed, minutes, rate);
        if doses == 0 {
            continue;
        }
        state.used[i] = true;
        allowed[c.site][c.day] -= 1;
        if let Some(pool) = &mut state.pool_left {
            *pool -= staff.total();
        }
        *cap += doses;
        out.push(PlannedShift {
            site: c.site,
            day: c.day,
            start: c.start,
            end: c.end,
            vaccinators: trimmed,
            capacity: doses,
            staff,
        });
    }
    (staff_short, max_hit)
}

/// Candidates of a day, largest capacity first (ties: site, then start).
fn sorted_candidates(inst: &PlanInstance, params: &PlanParams, day: usize) -> Vec<Candidate> {
    let mut cands = candidates(inst, params, day);
    let doses = |c: &Candidate| {
        shift_doses(
            c.max_vaccinators,
            c.end - c.start,
            inst.sites[c.site].doses_per_vaccinator_hour,
        )
    };
    cands.sort_by(|a, b| {
        doses(b)
            .cmp(&doses(a))
            .then(a.site.cmp(&b.site))
            .then(a.start.cmp(&b.start))
    });
    cands
}

pub fn plan(inst: &PlanInstance, params: &PlanParams) -> PlanOutcome {
    let n = inst.days.len();
    let base = base_capacity(inst);
    let demand: Vec<i64> = inst.days.iter().map(|d| d.demand.max(0)).collect();
    let arrivals: Vec<i64> = inst.days.iter().map(|d| d.arrivals).collect();
    let base_use: Vec<i64> = (0..n).map(|d| demand[d].min(base[d])).collect();
    let reserve = reserves(&base_use, &arrivals);
    let mut allowed = extra_allowed(inst, params);
    let mut out = PlanOutcome::default();
    let mut states = Vec::with_capacity(n);
    let mut day_cands = Vec::with_capacity(n);
    let mut on_hand = inst.opening_on_hand;
    for d in 0..n {
        let avail = (on_hand + arrivals[d]).max(0);
        let budget = (avail - reserve[d]).max(base_use[d].min(avail));
        let target = demand[d].min(budget);
        let mut cap = base[d];
        let cands = sorted_candidates(inst, params, d);
        let mut state = DayState {
            used: vec![false; cands.len()],
            pool_left: params.staff_pool,
        };
        let mut flags = (false, false);
        if target > cap {
            flags = fill(
                inst,
                params,
                &cands,
                &mut state,
                &mut allowed,
                &mut cap,
                target,
                &mut out.shifts,
            );
        }
        let planned = demand[d].min(cap).min(avail);
        let mut binding = Vec::new();
        if planned < demand[d] {
            if target < demand[d] {
                binding.push(Constraint::Supply);
            }
            if cap < target {
                if flags.0 {
                    binding.push(Constraint::Staff);
                }
                if flags.1 {
                    binding.push(Constraint::MaxShiftsPerDay);
                }
                if !flags.0 && !flags.1 {
                    binding.push(Constraint::Hours);
                }
            }
        }
        on_hand = avail - planned;
        out.days.push(DayOutcome {
            capacity_before: base[d],
            capacity_after: cap,
            planned,
            unmet: demand[d] - planned,
            on_hand,
            binding,
        });
        states.push(state);
        day_cands.push(cands);
    }
    surplus(inst, params, &mut out, &mut states, &day_cands, &mut allowed);
    out
}

/// Doses that would still sit idle after the plan: on each day, the least
/// on hand on any day from then on, less what earlier surplus shifts took.
/// Shifts that would use them are listed apart from the plan.
fn surplus(
    inst: &PlanInstance,
    params: &PlanParams,
    out: &mut PlanOutcome,
    states: &mut [DayState],
    day_cands: &[Vec<Candidate>],
    allowed: &mut [Vec<u32>],
) {
    let n = out.days.len();
    let mut suffix_min = vec![0; n];
    let mut m = i64::MAX;
    for d in (0..n).rev() {
        m = m.min(out.days[d].on_hand);
        suffix_min[d] = m;
    }
    let mut taken = 0;
    for d in 0..n {
        let spare = suffix_min[d] - taken;
        if spare <= 0 {
            continue;
        }
        // Capacity the day already has beyond its planned doses counts first.
        let idle = out.days[d].capacity_after - out.days[d].planned;
        let target = spare - idle.max(0);
        if target <= 0 {
            continue;
        }
        let mut cap = 0;
        let mut added = Vec::new();
        fill(
            inst,
            params,
            &day_cands[d],
            &mut states[d],
            allowed,
            &mut cap,
            target,
            &mut added,
        );
        let used = cap.min(target);
        taken += used;
        out.surplus_doses += used;
        out.surplus_shifts.extend(added);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_keeps_doses_for_booked_days() {
        // Day 1 and 2 use 100 each from existing shifts; nothing arrives.
        assert_eq!(reserves(&[0, 100, 100], &[500, 0, 0]), vec![200, 100, 0]);
        // Arrivals on day 2 cover day 2.
        assert_eq!(reserves(&[0, 100, 100], &[0, 0, 100]), vec![100, 0, 0]);
    }

    #[test]
    fn peak_counts_overlaps() {
        let shifts = [(540, 780, 2), (720, 900, 3)];
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 480, 720), 2);
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 700, 760), 5);
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 900, 1000), 0);
    }
}
