//! Siting: where to open k new distribution points among candidates.
//!
//! Two objectives over population areas (see `instance::Objective`):
//! maximal covering within a radius, and p-median (eligible-weighted mean
//! distance). Existing open sites with coordinates are always part of the
//! network. Heuristic: lazy greedy (CELF) then best-improvement interchange
//! (`search`). Without capacities, the heuristic's answer then starts an
//! exact solve within a time limit: maximal covering by HiGHS
//! (`covering_mip`); p-median by HiGHS when small enough (`median_mip`),
//! otherwise bounded by Lagrangian relaxation (`median_bound`). The report
//! carries the proven bound and the gap. `exact` enumerates subsets for
//! small instances and the tests.
//! With `capacity_days`, each point serves at most capacity_per_day × days
//! eligible people, and a plan is valued by the best assignment of people
//! to its points that the rooms allow (`flow`); the exact model chooses the
//! points and that assignment together (`capacity_mip`).

mod capacity_mip;
mod coverage;
mod covering_mip;
pub mod demo_inputs;
mod exact;
mod flow;
mod median_bound;
mod median_mip;
mod mip;
pub use crate::geo;
mod instance;
mod load;
pub mod map;
mod map_words;
mod median;
mod model;
pub mod national;
mod random;
mod report;
pub mod scenario;
mod search;
mod selection;

pub use exact::MAX_SUBSETS;
pub use instance::{
    AreaInput, Objective, PointInput, SitingInput, SitingOptions, DEFAULT_TIME_LIMIT_SECONDS,
};
pub use load::{load_input, plan_from_db};
pub use map::SiteMap;
pub use random::random_input;
pub use report::{AreaResult, ChosenPoint, PointResult, SitingReport, UncoveredHotspot};

use crate::error::Result;
use crate::job::{Progress, Quiet};
use crate::mip::{Budget, Watch};
use model::Model;
use selection::{select, Selection};
use std::time::{Duration, Instant};

/// Past this many (point, area) pairs the p-median assignment model takes
/// HiGHS longer to build and relax than a time limit of seconds allows;
/// such runs get the Lagrangian bound (`median_bound`) instead, unless the
/// time limit is at least `LONG_SOLVE_SECONDS`. (The national instance,
/// 760,000 pairs, was proven optimal by HiGHS in 91–123 s.)
const MEDIAN_MIP_PAIRS: usize = 150_000;
pub const LONG_SOLVE_SECONDS: f64 = 60.0;

/// Chooses `options.k` candidates: the heuristic, then the exact solve (or,
/// for a large p-median, a bound) within `options.time_limit_seconds`.
pub fn plan(input: &SitingInput, options: &SitingOptions) -> Result<SitingReport> {
    plan_watched(input, options, &Quiet)
}

/// `plan`, with the exact solve's progress sent to `progress`, which may
/// stop it: the answer is then the best found so far, with its gap.
pub fn plan_watched(
    input: &SitingInput,
    options: &SitingOptions,
    progress: &dyn Progress,
) -> Result<SitingReport> {
    run(input, options, Method::Solve, progress)
}

/// The heuristic alone (greedy + interchange): the bench's comparison.
pub fn plan_heuristic(input: &SitingInput, options: &SitingOptions) -> Result<SitingReport> {
    run(input, options, Method::Heuristic, &Quiet)
}

/// Chooses `options.k` candidates by enumerating every subset: optimal, for
/// small instances only (at most `MAX_SUBSETS` subsets).
pub fn plan_exact(input: &SitingInput, options: &SitingOptions) -> Result<SitingReport> {
    run(input, options, Method::Enumerate, &Quiet)
}

#[derive(PartialEq)]
enum Method {
    Heuristic,
    Solve,
    Enumerate,
}

fn run(
    input: &SitingInput,
    options: &SitingOptions,
    how: Method,
    progress: &dyn Progress,
) -> Result<SitingReport> {
    let sel = select(input, options)?;
    let model = Model::new(
        input,
        options.objective,
        options.radius_km,
        options.capacity_days,
    );
    let answer = if how == Method::Enumerate {
        let (set, score) = exact::best_subset(&model, &sel, options.k)?;
        Answer::proven(set, score, "exact")
    } else {
        let solve = how == Method::Solve;
        // A capacity run's interchange values every swap by a full
        // assignment (seconds at city scale, minutes beyond): when HiGHS
        // follows, greedy's plan is start enough.
        let interchange = !(solve && model.capacitated() && fits_exact_model(&model, options));
        let (set, swaps, method) = heuristic(&model, &sel, options.k, interchange);
        let mut answer = Answer {
            score: model.score(&set),
            chosen: set,
            swaps,
            method,
            bound: None,
            cancelled: false,
        };
        if solve {
            let budget = Budget {
                seconds: options.time_limit_seconds,
                progress,
            };
            answer = answer.or_solved(&model, &sel, options, budget);
        }
        answer
    };
    let order = order_of_choice(&model, &answer.chosen, sel.locked.len());
    Ok(report::build(
        input,
        options,
        &report::Choice {
            order: &order,
            locked: &sel.locked,
            excluded: &sel.excluded,
            swaps: answer.swaps,
            method: answer.method,
            bound: answer.bound,
            gap: answer.gap(model.tolerance()),
            cancelled: answer.cancelled,
        },
    ))
}

/// Whether HiGHS gets the whole assignment model (p-median's, or a capacity
/// run's) within the time limit; larger ones get a bound (p-median) or
/// none (capacity runs). Maximal covering without capacities always fits.
fn fits_exact_model(model: &Model, options: &SitingOptions) -> bool {
    model.pairs() <= MEDIAN_MIP_PAIRS || options.time_limit_seconds >= LONG_SOLVE_SECONDS
}

/// A run's chosen points with what is known of how good they are.
struct Answer {
    chosen: Vec<usize>,
    score: f64,
    swaps: usize,
    method: &'static str,
    /// Proven upper bound on the score, when some method gave one.
    bound: Option<f64>,
    /// The person stopped the exact search before it finished.
    cancelled: bool,
}

impl Answer {
    fn proven(chosen: Vec<usize>, score: f64, method: &'static str) -> Self {
        Answer {
            chosen,
            score,
            swaps: 0,
            method,
            bound: Some(score),
            cancelled: false,
        }
    }

    /// The exact solver's answer when it does at least as well as this one
    /// (it starts from it), with the bound it proved either way.
    fn or_solved(
        self,
        model: &Model,
        sel: &Selection,
        options: &SitingOptions,
        budget: Budget<'_>,
    ) -> Self {
        let k = options.k;
        let deadline = Instant::now() + Duration::from_secs_f64(budget.seconds.max(0.0));
        let small = fits_exact_model(model, options);
        let solve = match options.objective {
            // Nothing bounds a large capacity run in seconds: its gap stays unknown.
            _ if model.capacitated() && !small => return self,
            _ if model.capacitated() => capacity_mip::solve,
            Objective::Coverage => covering_mip::solve,
            Objective::Distance if small => median_mip::solve,
            Objective::Distance => return self.lagrangian(model, sel, k, deadline, budget),
        };
        let Some(mip) = solve(model, sel, k, &self.chosen, budget) else {
            // HiGHS found nothing in time: p-median still gets a bound.
            return match options.objective {
                Objective::Distance if !model.capacitated() => {
                    let short = Instant::now() + Duration::from_secs(1);
                    self.lagrangian(model, sel, k, short, budget)
                }
                _ => Answer {
                    cancelled: budget.progress.is_cancelled(),
                    ..self
                },
            };
        };
        let bound = Some(mip.bound).filter(|b| b.is_finite());
        // Never trade the heuristic's plan for a worse one (a rounding in
        // the solver could otherwise make "optimal" lose a person).
        let not_worse = mip.objective >= self.score - model.tolerance();
        if not_worse && (mip.proven_optimal || mip.objective > self.score + model.tolerance()) {
            Answer {
                chosen: mip.chosen,
                score: mip.objective,
                swaps: self.swaps,
                method: "highs",
                bound,
                cancelled: mip.cancelled,
            }
        } else {
            Answer {
                bound,
                cancelled: mip.cancelled,
                ..self
            }
        }
    }

    /// This plan with p-median's Lagrangian bound (`median_bound`).
    /// Stops at `deadline` or when the person asks (any round's bound holds).
    fn lagrangian(
        self,
        model: &Model,
        sel: &Selection,
        k: usize,
        deadline: Instant,
        budget: Budget<'_>,
    ) -> Self {
        let started = Instant::now();
        let seconds = deadline.saturating_duration_since(started).as_secs_f64();
        let watch = Watch::new(budget.progress, seconds);
        let stop = || Instant::now() >= deadline || watch.check(started.elapsed().as_secs_f64());
        let bound = median_bound::lagrangian_bound(model, sel, k, &self.chosen, self.score, stop);
        Answer {
            bound: Some(bound).filter(|b| b.is_finite()),
            cancelled: watch.cancelled(),
            ..self
        }
    }

    /// Share of the bound the answer may fall short by (0: optimal, a
    /// shortfall within `tolerance` being rounding).
    /// A bound that leaves the plan up to 100 % or more short (a stopped
    /// capacity p-median's, before HiGHS's root relaxation ends) proves
    /// nothing a manager can use: the gap is then "not known".
    fn gap(&self, tolerance: f64) -> Option<f64> {
        self.bound
            .map(|bound| crate::mip::gap(self.score, bound, tolerance))
            .filter(|gap| *gap < 1.0)
    }
}

/// Greedy + interchange from several starts: plain greedy, then greedy
/// forced to begin with each of the next-best single candidates. One start
/// can stall in a local optimum that no single swap leaves (seen at 5% off
/// the optimum on small random instances); a few starts rarely all do.
/// Large instances get fewer starts: an interchange pass reads every
/// (point, area) pair once, and a run should stay well under two seconds.
const MAX_STARTS: usize = 5;
const START_BUDGET: usize = 25_000_000;

fn starts(model: &Model) -> usize {
    if model.capacitated() {
        return 1; // each trial is a full re-assignment: one start is costly enough
    }
    (START_BUDGET / model.pairs().max(1)).clamp(1, MAX_STARTS)
}

/// A capacity run re-assigns everyone for every trial set. Past this many
/// (pair × trial) operations for one interchange pass, only greedy runs;
/// below it, at most k swaps (k + 1 passes) are made.
const CAPACITY_BUDGET: f64 = 3e7;

fn capacity_run_too_large(model: &Model, sel: &Selection, k: usize) -> bool {
    let pairs_per_point = model.pairs() as f64 / model.n_points().max(1) as f64;
    let per_trial = (model.fixed.len() + k) as f64 * pairs_per_point;
    model.capacitated() && per_trial * (sel.allowed.len() * k) as f64 > CAPACITY_BUDGET
}

/// Returns the chosen candidates, the swaps made and the method's name.
fn heuristic(
    model: &Model,
    sel: &Selection,
    k: usize,
    interchange: bool,
) -> (Vec<usize>, usize, &'static str) {
    if !interchange || capacity_run_too_large(model, sel, k) {
        let mut state = search::new_state(model);
        search::greedy(state.as_mut(), &sel.locked, &sel.allowed, k);
        return (state.chosen().to_vec(), 0, "greedy");
    }
    let run_from = |first: Option<usize>| {
        let mut state = search::new_state(model);
        let mut locked = sel.locked.clone();
        locked.extend(first);
        let allowed: Vec<usize> = sel
            .allowed
            .iter()
            .copied()
            .filter(|c| Some(*c) != first)
            .collect();
        search::greedy(state.as_mut(), &locked, &allowed, k);
        let max_swaps = if model.capacitated() { k } else { 50 * k };
        let swaps = search::improve(
            state.as_mut(),
            sel.locked.len(),
            &sel.allowed,
            model.tolerance(),
            max_swaps,
        );
        let chosen = state.chosen().to_vec();
        (model.score(&chosen), chosen, swaps)
    };
    let mut best = run_from(None);
    if sel.locked.len() < k {
        let free_first = best.1[sel.locked.len()];
        let state = search::new_state(model);
        let mut firsts: Vec<(f64, usize)> = sel
            .allowed
            .iter()
            .filter(|&&c| c != free_first)
            .map(|&c| (state.gain(c), c))
            .collect();
        firsts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, c) in firsts.iter().take(starts(model) - 1) {
            let run = run_from(Some(c));
            if run.0 > best.0 + model.tolerance() {
                best = run;
            }
        }
    }
    (best.1, best.2, "greedy+interchange")
}

/// The final set in the order greedy would pick it (lock-ins first), so each
/// point's reported gain is its marginal gain given the ones before it.
/// A capacity run would need k² assignments for that (seconds after a
/// Cancel at city scale): its points come in the order of what the one best
/// assignment gets from each (weighted people served, or distance saved),
/// most first.
fn order_of_choice(model: &Model, chosen: &[usize], locked: usize) -> Vec<usize> {
    if let Some(caps) = model.caps() {
        let (lanes, _, sent) = model.assignment(chosen, caps);
        let mut value = vec![0.0; model.n_points()];
        for (lane, amount) in lanes.iter().zip(sent) {
            value[lane.point] += amount * lane.value;
        }
        let mut order = chosen.to_vec();
        order[locked..].sort_by(|a, b| value[*b].total_cmp(&value[*a]).then(a.cmp(b)));
        return order;
    }
    let mut state = search::new_state(model);
    let mut rest: Vec<usize> = chosen[locked..].to_vec();
    for &p in &chosen[..locked] {
        state.add(p);
    }
    while !rest.is_empty() {
        let mut best = 0;
        let mut best_gain = f64::NEG_INFINITY;
        for (i, &c) in rest.iter().enumerate() {
            let gain = state.gain(c);
            if gain > best_gain {
                (best, best_gain) = (i, gain);
            }
        }
        state.add(rest.remove(best));
    }
    state.chosen().to_vec()
}

#[cfg(test)]
mod exact_tests;
#[cfg(test)]
mod tests;
