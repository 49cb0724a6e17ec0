//! The extra-shifts planner: first the site-bound stage (`site_bound`:
//! more vaccinators where people are booked beyond a shift's places), then
//! a greedy over the whole range for the region's demand.
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

use super::model::extra_allowed;
pub use super::model::{
    base_capacity, candidates, peak_vaccinators, shift_doses, Candidate, Constraint, DayOutcome,
    ExistingShift, Overbooked, PlanDay, PlanInstance, PlanMethod, PlanOutcome, PlanParams,
    PlanSite, PlannedShift, Reinforcement, SiteMoves, SolveReport,
};
use super::shift_mip::{self, promised_on_existing, Scoring};
use super::site_bound::{plan_site_bound, SiteBound};
use super::staffing::staff_for;
use crate::job::{Progress, Quiet};
use std::cmp::Reverse;

/// The planner's working state: candidates per day and what is left of
/// each day's staff pool and each site-day's shift allowance.
struct Board<'a> {
    inst: &'a PlanInstance,
    params: &'a PlanParams,
    cands: Vec<Vec<Candidate>>,
    used: Vec<Vec<bool>>,
    pool: Vec<Option<u32>>,
    allowed: Vec<Vec<u32>>,
    /// Extra shifts planned per site so far: of equally good shifts, the
    /// one at the site with fewest goes first, so ties spread over sites.
    per_site: Vec<u32>,
    /// Rank candidates by doses per staff member rather than by size.
    lean: bool,
}

/// The best shift found so far: (score, usable doses, day, candidate, vaccinators).
type Pick = ((f64, i64, Reverse<u32>), i64, usize, usize, u32);

/// Why a day could not get another shift.
#[derive(Default)]
struct Blocked {
    staff: bool,
    max_shifts: bool,
}

impl<'a> Board<'a> {
    /// `staff_used`: what the site-bound stage already took from each day's pool.
    fn new(inst: &'a PlanInstance, params: &'a PlanParams, staff_used: &[u32], lean: bool) -> Self {
        let n = inst.days.len();
        let cands: Vec<Vec<Candidate>> = (0..n).map(|d| candidates(inst, params, d)).collect();
        Board {
            inst,
            params,
            used: cands.iter().map(|c| vec![false; c.len()]).collect(),
            cands,
            pool: (0..n)
                .map(|d| {
                    let used = staff_used.get(d).copied().unwrap_or(0);
                    params.staff_pool.map(|p| p.saturating_sub(used))
                })
                .collect(),
            allowed: extra_allowed(inst, params),
            per_site: vec![0; inst.sites.len()],
            lean,
        }
    }

    /// Books a shift decided elsewhere (the exact plan) on the board, so
    /// what is left of the day's limits is known.
    fn place(&mut self, s: &PlannedShift) {
        let d = s.day;
        if let Some(i) = self.cands[d]
            .iter()
            .position(|c| c.site == s.site && c.start == s.start)
        {
            self.used[d][i] = true;
        }
        if let Some(a) = self.allowed.get_mut(s.site).and_then(|a| a.get_mut(d)) {
            *a = a.saturating_sub(1);
        }
        self.per_site[s.site] += 1;
        if let Some(pool) = &mut self.pool[d] {
            *pool = pool.saturating_sub(s.staff.total());
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
                        let tie = Reverse(self.per_site[c.site]);
                        let score = if self.lean {
                            let staff = staff_for(size, rate, &self.params.ratios).total();
                            (usable as f64 / f64::from(staff.max(1)), usable, tie)
                        } else {
                            (usable as f64, full, tie)
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
            self.per_site[c.site] += 1;
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

/// Plans more vaccinators at overbooked shifts, then extra shifts for the
/// region. Each day's `capacity_before` is the schedule's as it stands.
/// The region's plan is HiGHS's when it does better than the greedy's
/// within `params.time_limit_seconds`, and says how far from the best possible it may be.
pub fn plan(inst: &PlanInstance, params: &PlanParams) -> PlanOutcome {
    plan_with(inst, params, Some(&Quiet))
}

/// `plan`, with the solver's progress sent to `progress`, which may stop
/// it: the plan is then the best found so far, with its gap.
pub fn plan_watched(
    inst: &PlanInstance,
    params: &PlanParams,
    progress: &dyn Progress,
) -> PlanOutcome {
    plan_with(inst, params, Some(progress))
}

/// The greedy alone, as `plan` starts from (the bench's and tests' comparison).
pub fn plan_greedy(inst: &PlanInstance, params: &PlanParams) -> PlanOutcome {
    plan_with(inst, params, None)
}

/// The greedy's plan, then (with `solver`) HiGHS's when it does better.
fn plan_with(
    inst: &PlanInstance,
    params: &PlanParams,
    solver: Option<&dyn Progress>,
) -> PlanOutcome {
    let site_bound = plan_site_bound(inst, params);
    let mut out = plan_region(&site_bound.instance, params, &site_bound.staff_used);
    if let Some(progress) = solver {
        out = or_solved(
            out,
            &site_bound.instance,
            params,
            &site_bound.staff_used,
            progress,
        );
    }
    finish(inst, site_bound, out)
}

/// The region's plan with the site-level reinforcements and moves it was
/// planned after, each day's capacity as the schedule has it now.
fn finish(inst: &PlanInstance, site_bound: SiteBound, mut out: PlanOutcome) -> PlanOutcome {
    for (day, base) in out.days.iter_mut().zip(base_capacity(inst)) {
        day.capacity_before = base;
    }
    out.reinforcements = site_bound.reinforcements;
    out.moves = site_bound.moves;
    out
}

/// What `plan` shows when the solver's answer is `shifts` giving `planned`
/// doses a day: the tests' stand-in for a solve stopped early.
#[cfg(test)]
pub(super) fn plan_from_answer(
    inst: &PlanInstance,
    params: &PlanParams,
    shifts: Vec<PlannedShift>,
    planned: Vec<i64>,
) -> PlanOutcome {
    let site_bound = plan_site_bound(inst, params);
    let out = topped_up(
        &site_bound.instance,
        params,
        &site_bound.staff_used,
        shifts,
        planned,
    );
    finish(inst, site_bound, out)
}

/// Extra shifts for the region's demand. With a staff pool, a second pass
/// ranks shifts by doses per staff member; the plan giving more promised
/// doses, then more doses, then with fewer shifts, wins.
fn plan_region(inst: &PlanInstance, params: &PlanParams, staff_used: &[u32]) -> PlanOutcome {
    let largest = plan_ranked(inst, params, staff_used, false);
    if params.staff_pool.is_none() {
        return largest;
    }
    let lean = plan_ranked(inst, params, staff_used, true);
    let key = |o: &PlanOutcome| {
        let promised: i64 = o
            .days
            .iter()
            .zip(&inst.days)
            .map(|(o, d)| o.planned.min(d.promised()))
            .sum();
        let given: i64 = o.days.iter().map(|d| d.planned).sum();
        (promised, given, Reverse(o.shifts.len()))
    };
    if key(&lean) > key(&largest) {
        lean
    } else {
        largest
    }
}

/// The exact plan (`shift_mip`) when it is better than the greedy's, which
/// it starts from; either way with what the solve proved of how good it is.
fn or_solved(
    greedy: PlanOutcome,
    inst: &PlanInstance,
    params: &PlanParams,
    staff_used: &[u32],
    progress: &dyn Progress,
) -> PlanOutcome {
    let scoring = Scoring::new(inst, params);
    let planned = |o: &PlanOutcome| o.days.iter().map(|d| d.planned).collect::<Vec<i64>>();
    let greedy_planned = planned(&greedy);
    let greedy_score = scoring.score(inst, &greedy_planned, greedy.shifts.len());
    let Some(mip) = shift_mip::solve(
        inst,
        params,
        staff_used,
        &scoring,
        &greedy.shifts,
        &greedy_planned,
        progress,
    ) else {
        return PlanOutcome {
            solve: SolveReport {
                method: PlanMethod::Greedy,
                score: greedy_score,
                bound: None,
                gap: None,
                cancelled: progress.is_cancelled(),
            },
            ..greedy
        };
    };
    // Scores differ by at least a shift's weight when plans differ at all.
    let tolerance = scoring.per_shift / 2.0;
    let topped_up = topped_up(inst, params, staff_used, mip.shifts, mip.planned);
    let mip_score = scoring.score(inst, &planned(&topped_up), topped_up.shifts.len());
    let (mut out, score, method) = if mip_score > greedy_score + tolerance {
        (topped_up, mip_score, PlanMethod::Highs)
    } else {
        (greedy, greedy_score, PlanMethod::Greedy)
    };
    let bound = mip.bound.map(|b| b.max(score));
    out.solve = SolveReport {
        method,
        score,
        bound,
        gap: bound.map(|b| crate::mip::gap(score, b, tolerance)),
        cancelled: mip.cancelled,
    };
    out
}

/// The outcome of a plan decided elsewhere (the solver's), its shifts and
/// doses per day, topped up as the greedy grows its own: a solve stopped at
/// its time limit may leave a day short while a shift could still serve it,
/// and no plan DoseDesk shows leaves such a shift out.
fn topped_up(
    inst: &PlanInstance,
    params: &PlanParams,
    staff_used: &[u32],
    mut shifts: Vec<PlannedShift>,
    mut planned: Vec<i64>,
) -> PlanOutcome {
    let mut cap = base_capacity(inst);
    let mut board = Board::new(inst, params, staff_used, false);
    for s in &shifts {
        board.place(s);
        cap[s.day] += s.capacity;
    }
    let demand: Vec<i64> = inst.days.iter().map(|d| d.demand.max(0)).collect();
    let committed: Vec<i64> = inst.days.iter().map(PlanDay::promised).collect();
    board.grow(&committed, &mut cap, &mut planned, &mut shifts);
    board.grow(&demand, &mut cap, &mut planned, &mut shifts);
    conclude(inst, &mut board, &demand, cap, planned, shifts)
}

fn plan_ranked(
    inst: &PlanInstance,
    params: &PlanParams,
    staff_used: &[u32],
    lean: bool,
) -> PlanOutcome {
    let demand: Vec<i64> = inst.days.iter().map(|d| d.demand.max(0)).collect();
    let committed: Vec<i64> = inst.days.iter().map(PlanDay::promised).collect();
    // First promised doses on existing shifts, earliest day first (they cost
    // no shift); then shifts for promised doses; then for new bookings. The
    // look-ahead in `grow` keeps each stage from taking an earlier stage's doses.
    let mut used = promised_on_existing(inst);
    let mut cap = base_capacity(inst);
    let mut board = Board::new(inst, params, staff_used, lean);
    let mut shifts = Vec::new();
    board.grow(&committed, &mut cap, &mut used, &mut shifts);
    board.grow(&demand, &mut cap, &mut used, &mut shifts);
    conclude(inst, &mut board, &demand, cap, used, shifts)
}

/// Each day's figures and binding limits for a plan, and the surplus shifts
/// that would use doses it leaves idle.
fn conclude(
    inst: &PlanInstance,
    board: &mut Board<'_>,
    demand: &[i64],
    mut cap: Vec<i64>,
    used: Vec<i64>,
    shifts: Vec<PlannedShift>,
) -> PlanOutcome {
    let n = inst.days.len();
    let base = base_capacity(inst);
    let mut out = PlanOutcome {
        shifts,
        ..PlanOutcome::default()
    };
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
            overbooked: vec![],
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
