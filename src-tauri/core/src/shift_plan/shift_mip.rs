//! The region's extra shifts as a mixed-integer programme, solved by HiGHS
//! from the greedy's plan (issue 21). It decides the same things as the
//! greedy, under the same rules, with the same priorities:
//!
//! * promised doses (bookings, second doses due) first, then every dose,
//!   then the fewest extra shifts. Written as one objective: a promised
//!   dose is worth 2, any other dose 1, a shift −ε with ε × (every shift
//!   that could be added) < 1. Doses are only coupled across days through
//!   supply, one dose for one dose, so a promised dose is never traded for
//!   another, and no dose for fewer shifts: the weights give the
//!   lexicographic order exactly.
//! * a shift is a candidate window (`model::candidates`) staffed at one
//!   vaccinator count; its doses and staff are the app's own rules
//!   (`shift_doses`, `staff_for`), computed for each count beforehand, so
//!   the programme holds no rounding of its own.
//!
//! The site-bound stage (more vaccinators where people are booked beyond a
//! shift's places) runs before, as for the greedy: its reinforcements are in
//! the instance's existing shifts and its staff is off the day's pool.

use super::model::{
    base_capacity, candidates, extra_allowed, shift_doses, Candidate, PlanInstance, PlanParams,
    PlannedShift,
};
use super::staffing::staff_for;
use crate::job::Progress;
use crate::mip::Budget;
use highs::{Col, RowProblem};

/// What the solve found.
pub struct MipPlan {
    /// Extra shifts, trimmed to the vaccinators the planned doses need.
    pub shifts: Vec<PlannedShift>,
    /// Doses given each day.
    pub planned: Vec<i64>,
    pub proven_optimal: bool,
    /// No plan scores above this (`Scoring::score`'s units); None when the
    /// search stopped before it had a bound.
    pub bound: Option<f64>,
    /// The person stopped the search before it finished.
    pub cancelled: bool,
}

/// The objective, shared by the programme and by whoever compares plans.
#[derive(Debug, Clone, Copy)]
pub struct Scoring {
    /// What one extra shift costs: below one dose over every shift the
    /// range could take.
    pub per_shift: f64,
}

/// Worth of a promised dose and of any other dose.
const PROMISED: f64 = 2.0;
const OTHER: f64 = 1.0;

impl Scoring {
    pub fn new(inst: &PlanInstance, params: &PlanParams) -> Self {
        let windows: usize = (0..inst.days.len())
            .map(|d| candidates(inst, params, d).len())
            .sum();
        Scoring {
            per_shift: 1.0 / (windows as f64 + 1.0),
        }
    }

    /// A plan's worth: 2 per promised dose, 1 per other dose, −ε per shift.
    pub fn score(&self, inst: &PlanInstance, planned: &[i64], shifts: usize) -> f64 {
        let doses: f64 = inst
            .days
            .iter()
            .zip(planned)
            .map(|(day, &given)| {
                let promised = given.min(day.promised());
                PROMISED * promised as f64 + OTHER * (given - promised) as f64
            })
            .sum();
        doses - self.per_shift * shifts as f64
    }
}

/// Doses the existing shifts give promised demand, earliest day first,
/// before any extra shift is planned (they cost nothing). Both planners
/// start here, and the programme may not give less on any day.
pub fn promised_on_existing(inst: &PlanInstance) -> Vec<i64> {
    let base = base_capacity(inst);
    let mut held = inst.opening_on_hand;
    inst.days
        .iter()
        .zip(&base)
        .map(|(day, &cap)| {
            held += day.arrivals;
            let given = day.promised().min(cap).min(held.max(0));
            held -= given;
            given
        })
        .collect()
}

/// One staffing a window may get: its vaccinators, doses and people.
struct Level {
    vaccinators: u32,
    doses: i64,
    staff: u32,
}

/// A candidate window with the staffings worth considering.
struct Window {
    cand: Candidate,
    levels: Vec<Level>,
    /// `pick[level]` ∈ {0, 1}.
    pick: Vec<Col>,
}

/// Staffings of a window: without a staff pool only the largest (more
/// vaccinators cost nothing then; the plan is trimmed after); with one,
/// every count whose staff fits the day's pool and that gives more doses
/// than one vaccinator fewer.
fn levels(
    inst: &PlanInstance,
    params: &PlanParams,
    c: &Candidate,
    pool: Option<u32>,
) -> Vec<Level> {
    let rate = inst.sites[c.site].doses_per_vaccinator_hour;
    let minutes = c.end - c.start;
    let level = |v: u32| Level {
        vaccinators: v,
        doses: shift_doses(v, minutes, rate),
        staff: staff_for(v, rate, &params.ratios).total(),
    };
    let Some(pool) = pool else {
        return vec![level(c.max_vaccinators)];
    };
    let mut out: Vec<Level> = Vec::new();
    for v in 1..=c.max_vaccinators {
        let l = level(v);
        if l.staff > pool {
            break;
        }
        if l.doses > out.last().map_or(0, |p| p.doses) {
            out.push(l);
        }
    }
    out
}

/// Largest programme handed to HiGHS, in (window, vaccinator count)
/// columns. Building and presolving it is not bounded by the time limit:
/// 20 sites × 120 days with a staff pool has under 100,000; a province's
/// month with a pool can have millions, and then keeps the greedy's plan
/// with its gap not known.
pub const MAX_COLUMNS: usize = 300_000;

/// Solves the region's plan within `params.time_limit_seconds`, scored by
/// `scoring` (`Scoring::new` of the same instance), started from the
/// greedy's (`start_shifts`, `start_planned`), watched by `progress`. None
/// when HiGHS found nothing in time, or the programme is beyond `MAX_COLUMNS`.
#[allow(clippy::too_many_arguments)]
pub fn solve(
    inst: &PlanInstance,
    params: &PlanParams,
    staff_used: &[u32],
    scoring: &Scoring,
    start_shifts: &[PlannedShift],
    start_planned: &[i64],
    progress: &dyn Progress,
) -> Option<MipPlan> {
    let n = inst.days.len();
    let base = base_capacity(inst);
    let floor = promised_on_existing(inst);
    let allowed = extra_allowed(inst, params);
    let mut pb = RowProblem::default();

    // Doses given each day, split into the promised part and the rest.
    let mut promised = Vec::with_capacity(n);
    let mut other = Vec::with_capacity(n);
    for day in &inst.days {
        let demand = day.demand.max(0);
        let committed = day.promised();
        promised.push(pb.add_integer_column(PROMISED, 0.0..=committed as f64));
        other.push(pb.add_integer_column(OTHER, 0.0..=(demand - committed) as f64));
    }

    let pools: Vec<Option<u32>> = (0..n)
        .map(|d| {
            let used = staff_used.get(d).copied().unwrap_or(0);
            params.staff_pool.map(|p| p.saturating_sub(used))
        })
        .collect();
    let staffings: Vec<Vec<(Candidate, Vec<Level>)>> = (0..n)
        .map(|d| {
            candidates(inst, params, d)
                .into_iter()
                .map(|cand| {
                    let levels = levels(inst, params, &cand, pools[d]);
                    (cand, levels)
                })
                .collect()
        })
        .collect();
    let columns: usize = staffings.iter().flatten().map(|(_, l)| l.len()).sum();
    if columns > MAX_COLUMNS {
        return None;
    }
    let mut windows: Vec<Vec<Window>> = Vec::with_capacity(n);
    for (d, (day_staffings, pool)) in staffings.into_iter().zip(pools).enumerate() {
        let day: Vec<Window> = day_staffings
            .into_iter()
            .map(|(cand, levels)| {
                let pick = levels
                    .iter()
                    .map(|_| pb.add_integer_column(-scoring.per_shift, 0..=1))
                    .collect();
                Window { cand, levels, pick }
            })
            .collect();

        // Rule: a dose is given only where a vaccinator has the time — the
        // day's doses are at most its scheduled capacity plus the extra shifts'.
        let mut row = vec![(promised[d], 1.0), (other[d], 1.0)];
        for w in &day {
            for (l, &x) in w.levels.iter().zip(&w.pick) {
                row.push((x, -(l.doses as f64)));
            }
        }
        pb.add_row(..=base[d] as f64, row);

        // Rule: the scheduled shifts first give the promised doses they can,
        // earliest day first; no plan gives fewer that day.
        pb.add_row(floor[d] as f64.., [(promised[d], 1.0), (other[d], 1.0)]);

        // Rule: a window is staffed once, at one vaccinator count.
        for w in day.iter().filter(|w| w.pick.len() > 1) {
            pb.add_row(..=1.0, w.pick.iter().map(|&x| (x, 1.0)));
        }

        // Rule: a site runs at most `max_shifts_per_site_day` shifts a day,
        // those already scheduled included.
        for (site, allowance) in allowed.iter().enumerate() {
            let theirs: Vec<(Col, f64)> = day
                .iter()
                .filter(|w| w.cand.site == site)
                .flat_map(|w| w.pick.iter().map(|&x| (x, 1.0)))
                .collect();
            let most = allowance.get(d).copied().unwrap_or(0);
            if theirs.len() > most as usize {
                pb.add_row(..=f64::from(most), theirs);
            }
        }

        // Rule: the day's extra shifts staff no more people than its pool
        // has left after the site-bound stage.
        if let Some(pool) = pool {
            let row: Vec<(Col, f64)> = day
                .iter()
                .flat_map(|w| {
                    w.levels
                        .iter()
                        .zip(&w.pick)
                        .map(|(l, &x)| (x, f64::from(l.staff)))
                })
                .collect();
            if !row.is_empty() {
                pb.add_row(..=f64::from(pool), row);
            }
        }
        windows.push(day);
    }

    // Rule: a dose is given only when it is on hand — by the end of each day
    // no more than the opening stock and the arrivals so far — and the last
    // day leaves the closing reserve for bookings just after the range
    // (unless the scheduled shifts' promised doses already use it).
    let mut arrived = inst.opening_on_hand;
    let mut floor_so_far = 0;
    for (d, (day, given)) in inst.days.iter().zip(&floor).enumerate() {
        arrived += day.arrivals;
        floor_so_far += given;
        let held = if d + 1 == n {
            arrived - inst.closing_reserve
        } else {
            arrived
        };
        let most = held.max(0).max(floor_so_far);
        let row = (0..=d).flat_map(|t| [(promised[t], 1.0), (other[t], 1.0)]);
        pb.add_row(..=most as f64, row);
    }

    let start = start_columns(inst, &windows, start_shifts, start_planned);
    let budget = Budget {
        seconds: params.time_limit_seconds,
        progress,
    };
    let solved = crate::mip::maximise(pb, &start, budget)?;
    let value = |c: Col| solved.columns[c.index()];
    let planned: Vec<i64> = (0..n)
        .map(|d| (value(promised[d]) + value(other[d]) + 1e-6).floor() as i64)
        .collect();
    let mut shifts = Vec::new();
    for (d, day) in windows.iter().enumerate() {
        for w in day {
            if let Some(l) = w.pick.iter().position(|&x| value(x) > 0.5) {
                let c = &w.cand;
                let rate = inst.sites[c.site].doses_per_vaccinator_hour;
                let v = w.levels[l].vaccinators;
                shifts.push(PlannedShift {
                    site: c.site,
                    day: d,
                    start: c.start,
                    end: c.end,
                    vaccinators: v,
                    capacity: w.levels[l].doses,
                    staff: staff_for(v, rate, &params.ratios),
                });
            }
        }
    }
    let shifts = trim(inst, params, shifts, &planned);
    let score = scoring.score(inst, &planned, shifts.len());
    Some(MipPlan {
        bound: if solved.proven_optimal {
            Some(score)
        } else {
            solved.dual_bound.map(|b| b.max(score))
        },
        shifts,
        planned,
        proven_optimal: solved.proven_optimal,
        cancelled: solved.cancelled,
    })
}

/// The greedy's plan as column values: its doses per day, and each of its
/// shifts at the window and the smallest listed staffing that gives at
/// least its doses.
fn start_columns(
    inst: &PlanInstance,
    windows: &[Vec<Window>],
    shifts: &[PlannedShift],
    planned: &[i64],
) -> Vec<f64> {
    let mut cols = Vec::new();
    for (day, &given) in inst.days.iter().zip(planned) {
        let promised = given.min(day.promised());
        cols.push(promised as f64);
        cols.push((given - promised) as f64);
    }
    for (d, day) in windows.iter().enumerate() {
        for w in day {
            let shift = shifts
                .iter()
                .find(|s| s.day == d && s.site == w.cand.site && s.start == w.cand.start);
            let chosen = shift.and_then(|s| {
                w.levels
                    .iter()
                    .position(|l| l.doses >= s.capacity)
                    .or(w.levels.len().checked_sub(1))
            });
            cols.extend((0..w.pick.len()).map(|l| if Some(l) == chosen { 1.0 } else { 0.0 }));
        }
    }
    cols
}

/// Each day's extra shifts cut to what its planned doses need: shifts the
/// day can do without are dropped (smallest first), then vaccinators come
/// off the smallest remaining shift while the day keeps enough capacity.
fn trim(
    inst: &PlanInstance,
    params: &PlanParams,
    mut shifts: Vec<PlannedShift>,
    planned: &[i64],
) -> Vec<PlannedShift> {
    let base = base_capacity(inst);
    // Largest first within a day, as the greedy lists them.
    shifts.sort_by(|a, b| {
        (a.day, std::cmp::Reverse(a.capacity), a.site, a.start).cmp(&(
            b.day,
            std::cmp::Reverse(b.capacity),
            b.site,
            b.start,
        ))
    });
    let mut kept: Vec<PlannedShift> = Vec::with_capacity(shifts.len());
    for (d, scheduled) in base.iter().enumerate() {
        let mut today: Vec<PlannedShift> = shifts.iter().filter(|s| s.day == d).cloned().collect();
        let need = planned.get(d).copied().unwrap_or(0);
        let mut capacity = scheduled + today.iter().map(|s| s.capacity).sum::<i64>();
        while let Some(k) = (0..today.len())
            .rev()
            .find(|&k| capacity - today[k].capacity >= need)
        {
            capacity -= today.remove(k).capacity;
        }
        for s in today.iter_mut().rev() {
            let rate = inst.sites[s.site].doses_per_vaccinator_hour;
            let minutes = s.end - s.start;
            while s.vaccinators > 1 {
                let fewer = shift_doses(s.vaccinators - 1, minutes, rate);
                if capacity - (s.capacity - fewer) < need {
                    break;
                }
                capacity -= s.capacity - fewer;
                s.vaccinators -= 1;
                s.capacity = fewer;
            }
            s.staff = staff_for(s.vaccinators, rate, &params.ratios);
        }
        kept.extend(today);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shift_plan::synthetic::random_instance;

    #[test]
    fn a_programme_beyond_the_column_limit_is_not_built() {
        let (inst, mut params) = random_instance(21, 600, 60);
        params.staff_pool = Some(200);
        let columns: usize = (0..inst.days.len())
            .flat_map(|d| candidates(&inst, &params, d))
            .map(|c| levels(&inst, &params, &c, params.staff_pool).len())
            .sum();
        assert!(columns > MAX_COLUMNS, "{columns} columns");
        let none = vec![0; inst.days.len()];
        let scoring = Scoring::new(&inst, &params);
        assert!(solve(
            &inst,
            &params,
            &[],
            &scoring,
            &[],
            &none,
            &crate::job::Quiet
        )
        .is_none());
    }
}
