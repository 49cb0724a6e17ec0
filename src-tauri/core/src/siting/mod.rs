//! Siting: where to open k new distribution points among candidates.
//!
//! Two objectives over population areas (see `instance::Objective`):
//! maximal covering within a radius, and p-median (eligible-weighted mean
//! distance). Existing open sites with coordinates are always part of the
//! network. Heuristic: lazy greedy (CELF) then best-improvement interchange
//! (`search`); `exact` enumerates subsets for small instances and the tests.
//! With `capacity_days`, each point serves at most capacity_per_day × days
//! eligible people, assigned greedily nearest-pair first (`assign`).

mod assign;
mod coverage;
pub mod demo_inputs;
mod exact;
pub use crate::geo;
mod instance;
mod load;
pub mod map;
mod map_words;
mod median;
mod model;
mod random;
mod report;
pub mod scenario;
mod search;
mod selection;

pub use exact::MAX_SUBSETS;
pub use instance::{AreaInput, Objective, PointInput, SitingInput, SitingOptions};
pub use load::{load_input, plan_from_db};
pub use map::SiteMap;
pub use random::random_input;
pub use report::{AreaResult, ChosenPoint, PointResult, SitingReport, UncoveredHotspot};

use crate::error::Result;
use model::Model;
use selection::{select, Selection};

/// Chooses `options.k` candidates with the heuristic.
pub fn plan(input: &SitingInput, options: &SitingOptions) -> Result<SitingReport> {
    run(input, options, false)
}

/// Chooses `options.k` candidates by enumerating every subset: optimal, for
/// small instances only (at most `MAX_SUBSETS` subsets).
pub fn plan_exact(input: &SitingInput, options: &SitingOptions) -> Result<SitingReport> {
    run(input, options, true)
}

fn run(input: &SitingInput, options: &SitingOptions, exact: bool) -> Result<SitingReport> {
    let sel = select(input, options)?;
    let model = Model::new(
        input,
        options.objective,
        options.radius_km,
        options.capacity_days,
    );
    let (chosen, swaps, method) = if exact {
        let (set, _) = exact::best_subset(&model, &sel.locked, &sel.allowed, options.k)?;
        (set, 0, "exact")
    } else {
        heuristic(&model, &sel, options.k)
    };
    let order = order_of_choice(&model, &chosen, sel.locked.len());
    Ok(report::build(
        input,
        options,
        &report::Choice {
            order: &order,
            locked: &sel.locked,
            excluded: &sel.excluded,
            swaps,
            method,
        },
    ))
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
fn heuristic(model: &Model, sel: &Selection, k: usize) -> (Vec<usize>, usize, &'static str) {
    if capacity_run_too_large(model, sel, k) {
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
fn order_of_choice(model: &Model, chosen: &[usize], locked: usize) -> Vec<usize> {
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
mod tests;
