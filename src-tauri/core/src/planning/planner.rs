//! The extra-shifts planner: a greedy over the whole range.
//!
//! No backlog: a dose not given on its day is reported as unmet that day
//! and does not raise the next day's demand (a deliberate simplification —
//! the demand parts are forecasts, and carrying them forward would assume
//! every person turned away comes back the next day). Days are coupled only
//! through supply: a dose given today is not on hand tomorrow.
//!
//! First the existing shifts take what they can, earliest day first (those
//! doses cost no shift). Then, repeatedly, the candidate shift that would
//! give the most usable doses is added — largest capacity first — trimmed
//! to the vaccinators it needs. A dose is usable on a day when the day still
//! wants it and it is on hand without leaving any later day short. Looking
//! over all days at once puts scarce doses where one large shift can use
//! them, rather than a small shift on each of several days.

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
    /// The part of `demand` already promised (bookings, second doses due):
    /// served before expected new bookings get any dose.
    pub committed: i64,
    pub arrivals: i64,
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

/// The planner's working state: candidates per day and what is left of
/// each day's staff pool and each site-day's shift allowance.
struct Board<'a> {
    inst: &'a PlanInstance,
    params: &'a PlanParams,
    cands: Vec<Vec<Candidate>>,
    used: Vec<Vec<bool>>,
    pool: Vec<Option<u32>>,
    allowed: Vec<Vec<u32>>,
    /// Rank candidates by doses per staff member rather than by size.
    lean: bool,
}

/// The best shift found so far: (score, usable doses, day, candidate, vaccinators).
type Pick = ((f64, i64), i64, usize, usize, u32);

/// Why a day could not get another shift.
#[derive(Default)]
struct Blocked {
    staff: bool,
    max_shifts: bool,
}

impl<'a> Board<'a> {
    fn new(inst: &'a PlanInstance, params: &'a PlanParams, lean: bool) -> Self {
        let n = inst.days.len();
        let cands: Vec<Vec<Candidate>> = (0..n).map(|d| candidates(inst, params, d)).collect();
        Board {
            inst,
            params,
            used: cands.iter().map(|c| vec![false; c.len()]).collect(),
            cands,
            pool: vec![params.staff_pool; n],
            allowed: extra_allowed(inst, params),
            lean,
        }
    }

    fn rate(&self, c: &Candidate) -> f64 {
        self.inst.sites[c.site].doses_per_vaccinator_hour
    }

    /// Most vaccinators candidate `i` of day `d` can take now (0: none).
    fn max_vaccinators(&self, d: usize, i: usize, blocked: &mut Blocked) -> u32 {
        let c = &self.cands[d][i];
        if self.used[d][i] {
            return 0;
        }
        if self.allowed[c.site][d] == 0 {
            blocked.max_shifts = true;
            return 0;
        }
        let mut v = c.max_vaccinators;
        if let Some(pool) = self.pool[d] {
            let rate = self.rate(c);
            while v > 0 && staff_for(v, rate, &self.params.ratios).total() > pool {
                v -= 1;
            }
            if v == 0 {
                blocked.staff = true;
            }
        }
        v
    }

    /// Adds shifts, the one giving most usable doses first, until no day
    /// can use another. A dose is usable on day d when the day wants it
    /// (`want` − `used`) and it is on hand without leaving any later day
    /// short (the least on hand from d on). Idle capacity is used first.
    fn grow(
        &mut self,
        want: &[i64],
        cap: &mut [i64],
        used: &mut [i64],
        out: &mut Vec<PlannedShift>,
    ) {
        let n = want.len();
        loop {
            let spare = spare(self.inst, used);
            // Capacity already there but idle: no shift needed.
            let mut filled = false;
            for d in 0..n {
                let room = (want[d] - used[d]).min(spare[d]).min(cap[d] - used[d]);
                if room > 0 {
                    used[d] += room;
                    filled = true;
                    break;
                }
            }
            // Widening spends staff on the largest shift: not in the lean pass.
            if filled || (!self.lean && self.widen(want, &spare, cap, used, out)) {
                continue;
            }
            let mut best: Option<Pick> = None;
            for d in 0..n {
                let room = (want[d] - used[d]).min(spare[d]);
                if room <= 0 {
                    continue;
                }
                for i in 0..self.cands[d].len() {
                    let v = self.max_vaccinators(d, i, &mut Blocked::default());
                    if v == 0 {
                        continue;
                    }
                    let c = &self.cands[d][i];
                    let (rate, minutes) = (self.rate(c), c.end - c.start);
                    // Lean: most usable doses per staff member at any size
                    // (when the pool is short); else most usable doses, then largest.
                    let sizes = if self.lean { 1..=v } else { v..=v };
                    for size in sizes {
                        let full = shift_doses(size, minutes, rate);
                        let usable = full.min(room);
                        let score = if self.lean {
                            let staff = staff_for(size, rate, &self.params.ratios).total();
                            (usable as f64 / f64::from(staff.max(1)), usable)
                        } else {
                            (usable as f64, full)
                        };
                        if usable > 0 && best.as_ref().is_none_or(|b| score > b.0) {
                            best = Some((score, usable, d, i, size));
                        }
                    }
                }
            }
            let Some((_, usable, d, i, v)) = best else {
                return;
            };
            let c = self.cands[d][i];
            let rate = self.rate(&c);
            let minutes = c.end - c.start;
            // The fewest vaccinators that give the usable doses.
            let mut v = v;
            while v > 1 && shift_doses(v - 1, minutes, rate) >= usable {
                v -= 1;
            }
            let staff = staff_for(v, rate, &self.params.ratios);
            let doses = shift_doses(v, minutes, rate);
            self.used[d][i] = true;
            self.allowed[c.site][d] -= 1;
            if let Some(pool) = &mut self.pool[d] {
                *pool -= staff.total();
            }
            cap[d] += doses;
            used[d] += usable;
            out.push(PlannedShift {
                site: c.site,
                day: d,
                start: c.start,
                end: minutes + c.start,
                vaccinators: v,
                capacity: doses,
                staff,
            });
        }
    }

    /// Adds vaccinators to a shift already planned on a day that wants more
    /// doses, if its stations and the staff pool allow: no new shift needed.
    fn widen(
        &mut self,
        want: &[i64],
        spare: &[i64],
        cap: &mut [i64],
        used: &mut [i64],
        out: &mut [PlannedShift],
    ) -> bool {
        for s in out.iter_mut() {
            let d = s.day;
            let room = (want[d] - used[d]).min(spare[d]);
            if room <= 0 {
                continue;
            }
            let Some(c) = self.cands[d]
                .iter()
                .find(|c| c.site == s.site && c.start == s.start)
            else {
                continue;
            };
            let rate = self.inst.sites[s.site].doses_per_vaccinator_hour;
            let minutes = s.end - s.start;
            let pool = self.pool[d];
            let mut v = s.vaccinators;
            let mut staff = s.staff;
            while v < c.max_vaccinators && shift_doses(v, minutes, rate) < s.capacity + room {
                let next = staff_for(v + 1, rate, &self.params.ratios);
                let extra = next.total() - s.staff.total();
                if pool.is_some_and(|p| extra > p) {
                    break;
                }
                v += 1;
                staff = next;
            }
            if v == s.vaccinators {
                continue;
            }
            let doses = shift_doses(v, minutes, rate);
            if let Some(p) = &mut self.pool[d] {
                *p -= staff.total() - s.staff.total();
            }
            cap[d] += doses - s.capacity;
            used[d] += (doses - s.capacity).min(room);
            s.vaccinators = v;
            s.capacity = doses;
            s.staff = staff;
            return true;
        }
        false
    }

    /// What stops day `d` from getting another shift.
    fn blocked(&self, d: usize) -> Blocked {
        let mut blocked = Blocked::default();
        for i in 0..self.cands[d].len() {
            if self.max_vaccinators(d, i, &mut blocked) > 0 {
                return Blocked::default();
            }
        }
        blocked
    }
}

/// On hand at the end of each day given the doses used.
fn on_hand(inst: &PlanInstance, used: &[i64]) -> Vec<i64> {
    let mut on_hand = inst.opening_on_hand;
    inst.days
        .iter()
        .zip(used)
        .map(|(day, u)| {
            on_hand += day.arrivals - u;
            on_hand
        })
        .collect()
}

/// Doses day d can still use: the least on hand on any day from d on.
fn spare(inst: &PlanInstance, used: &[i64]) -> Vec<i64> {
    let held = on_hand(inst, used);
    let mut out = vec![0; held.len()];
    let mut least = held.last().map_or(0, |h| h - inst.closing_reserve);
    for d in (0..held.len()).rev() {
        least = least.min(held[d]);
        out[d] = least.max(0);
    }
    out
}

/// Plans extra shifts. With a staff pool, a second pass ranks shifts by
/// doses per staff member; the plan giving more promised doses, then more
/// doses, then with fewer shifts, wins.
pub fn plan(inst: &PlanInstance, params: &PlanParams) -> PlanOutcome {
    let largest = plan_ranked(inst, params, false);
    if params.staff_pool.is_none() {
        return largest;
    }
    let lean = plan_ranked(inst, params, true);
    let key = |o: &PlanOutcome| {
        let promised: i64 = o
            .days
            .iter()
            .zip(&inst.days)
            .map(|(o, d)| o.planned.min(d.committed))
            .sum();
        let given: i64 = o.days.iter().map(|d| d.planned).sum();
        (promised, given, std::cmp::Reverse(o.shifts.len()))
    };
    if key(&lean) > key(&largest) {
        lean
    } else {
        largest
    }
}

fn plan_ranked(inst: &PlanInstance, params: &PlanParams, lean: bool) -> PlanOutcome {
    let n = inst.days.len();
    let base = base_capacity(inst);
    let demand: Vec<i64> = inst.days.iter().map(|d| d.demand.max(0)).collect();
    let committed: Vec<i64> = inst
        .days
        .iter()
        .zip(&demand)
        .map(|(d, all)| d.committed.clamp(0, *all))
        .collect();
    // First promised doses on existing shifts, earliest day first (they cost
    // no shift); then shifts for promised doses; then for new bookings. The
    // look-ahead in `grow` keeps each stage from taking an earlier stage's doses.
    let mut used = vec![0; n];
    let mut held = inst.opening_on_hand;
    for d in 0..n {
        held += inst.days[d].arrivals;
        used[d] = committed[d].min(base[d]).min(held.max(0));
        held -= used[d];
    }
    let mut cap = base.clone();
    let mut board = Board::new(inst, params, lean);
    let mut out = PlanOutcome::default();
    board.grow(&committed, &mut cap, &mut used, &mut out.shifts);
    board.grow(&demand, &mut cap, &mut used, &mut out.shifts);

    let spare_left = spare(inst, &used);
    let held = on_hand(inst, &used);
    for d in 0..n {
        let unmet = demand[d] - used[d];
        let mut binding = Vec::new();
        if unmet > 0 {
            if spare_left[d] < unmet {
                binding.push(Constraint::Supply);
            }
            if cap[d] < demand[d] && spare_left[d] > 0 {
                let blocked = board.blocked(d);
                if blocked.staff {
                    binding.push(Constraint::Staff);
                }
                if blocked.max_shifts {
                    binding.push(Constraint::MaxShiftsPerDay);
                }
                if !blocked.staff && !blocked.max_shifts {
                    binding.push(Constraint::Hours);
                }
            }
        }
        out.days.push(DayOutcome {
            capacity_before: base[d],
            capacity_after: cap[d],
            planned: used[d],
            unmet,
            on_hand: held[d],
            binding,
        });
    }

    // Doses still idle: shifts that would use them, listed apart. They meet
    // no forecast demand; walk-ins or later cohorts brought forward would.
    let unlimited = vec![i64::MAX / 4; n];
    let mut surplus_used = used.clone();
    board.grow(
        &unlimited,
        &mut cap,
        &mut surplus_used,
        &mut out.surplus_shifts,
    );
    out.surplus_doses = surplus_used.iter().zip(&used).map(|(a, b)| a - b).sum();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_is_the_least_on_hand_from_then_on() {
        let inst = PlanInstance {
            sites: vec![],
            days: vec![
                PlanDay {
                    demand: 0,
                    committed: 0,
                    arrivals: 100,
                },
                PlanDay {
                    demand: 0,
                    committed: 0,
                    arrivals: 0,
                },
                PlanDay {
                    demand: 0,
                    committed: 0,
                    arrivals: 50,
                },
            ],
            existing: vec![],
            opening_on_hand: 0,
            closing_reserve: 0,
        };
        // On hand 40, 0, 50: day 0 can use nothing more without leaving day 1 short.
        assert_eq!(spare(&inst, &[60, 40, 0]), vec![0, 0, 50]);
    }

    #[test]
    fn peak_counts_overlaps() {
        let shifts = [(540, 780, 2), (720, 900, 3)];
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 480, 720), 2);
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 700, 760), 5);
        assert_eq!(peak_vaccinators(shifts.iter().copied(), 900, 1000), 0);
    }
}
