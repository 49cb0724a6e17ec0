//! Maximal covering solved exactly: a mixed-integer program handed to
//! HiGHS, started from the heuristic's answer and stopped at a time limit.
//! HiGHS proves optimality with a bound from its branch-and-bound tree; when
//! stopped early it still reports that bound, so the answer's distance from
//! the best possible is known.
//!
//! Variables: `open[p]` ∈ {0, 1} for each candidate that may be chosen;
//! `covered[a]` ∈ [0, 1] for each area some such candidate could cover.
//! Areas already covered by an open site or a locked-in candidate are a
//! constant; areas no candidate reaches cannot change and are left out.

use super::model::Model;
use super::selection::Selection;
use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense};

/// What HiGHS found within its time limit.
pub(crate) struct MipAnswer {
    /// Locked-in candidates first, then the chosen ones.
    pub chosen: Vec<usize>,
    /// The model's objective for `chosen` (constant part included).
    pub objective: f64,
    /// No choice can do better than this (same units).
    pub bound: f64,
    pub proven_optimal: bool,
}

/// Solves the covering model for `k` points (lock-ins included), starting
/// from `start` (a feasible choice: lock-ins first). `None` when HiGHS
/// failed or ran out of time without any solution of its own.
pub(crate) fn solve(
    model: &Model,
    sel: &Selection,
    k: usize,
    start: &[usize],
    time_limit_s: f64,
) -> Option<MipAnswer> {
    let n_areas = model.n_areas();
    // Value of covering each area (eligible × weight); every covering point
    // gives an area the same value under this objective.
    let mut value = vec![0.0_f64; n_areas];
    let mut already = vec![false; n_areas];
    for &p in model.fixed.iter().chain(&sel.locked) {
        model.for_each(p, |a, v| {
            already[a] = true;
            value[a] = value[a].max(v);
        });
    }
    let mut reach: Vec<Vec<usize>> = vec![Vec::new(); n_areas];
    for (col, &p) in sel.allowed.iter().enumerate() {
        model.for_each(p, |a, v| {
            if !already[a] && v > 0.0 {
                reach[a].push(col);
                value[a] = value[a].max(v);
            }
        });
    }
    let constant: f64 = (0..n_areas)
        .map(|a| if already[a] { value[a] } else { model.base(a) })
        .sum();
    let to_choose = k.saturating_sub(sel.locked.len()).min(sel.allowed.len());

    let mut pb = RowProblem::default();
    let open = open_columns(&mut pb, sel);
    let areas: Vec<usize> = (0..n_areas).filter(|&a| !reach[a].is_empty()).collect();
    let covered: Vec<_> = areas
        .iter()
        .map(|&a| pb.add_column(value[a] - model.base(a), 0..=1))
        .collect();
    // Rule: an area counts as covered only when a chosen candidate lies
    // within the radius (covered[a] ≤ Σ open[p] over those candidates).
    for (&a, &y) in areas.iter().zip(&covered) {
        let mut row = vec![(y, 1.0)];
        row.extend(reach[a].iter().map(|&col| (open[col], -1.0)));
        pb.add_row(..=0.0, row);
    }
    // Rule: exactly k new points, lock-ins included.
    let all: Vec<_> = open.iter().map(|&x| (x, 1.0)).collect();
    pb.add_row(to_choose as f64..=to_choose as f64, all);

    let start_cols = start_columns(sel, start, &areas, &reach);
    run(model, sel, pb, start_cols, constant, time_limit_s)
}

/// Hands a model whose first columns are `open[p]` for `sel.allowed` to
/// HiGHS (maximising), started from `start_cols`; `constant` is the
/// objective's part no column holds.
pub(crate) fn run(
    model: &Model,
    sel: &Selection,
    pb: RowProblem,
    start_cols: Vec<f64>,
    constant: f64,
    time_limit_s: f64,
) -> Option<MipAnswer> {
    let mut mip = pb.try_optimise(Sense::Maximise).ok()?;
    mip.make_quiet();
    mip.try_set_option("time_limit", time_limit_s.max(0.0))
        .ok()?;
    // Optimal means optimal: no relative tolerance on the proof.
    mip.try_set_option("mip_rel_gap", 0.0).ok()?;
    // A rejected start only costs HiGHS time: the heuristic's answer is kept
    // by the caller either way.
    let _ = mip.try_set_solution(Some(&start_cols), None, None, None);
    let solved = mip.try_solve().ok()?;
    let status = solved.status();
    let has_solution = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    if !has_solution
        || !matches!(
            status,
            HighsModelStatus::Optimal
                | HighsModelStatus::ReachedTimeLimit
                | HighsModelStatus::ReachedInterrupt
        )
    {
        return None;
    }
    let solution = solved.get_solution();
    let columns = solution.columns();
    let mut chosen = sel.locked.clone();
    chosen.extend(
        sel.allowed
            .iter()
            .zip(columns)
            .filter(|(_, &x)| x > 0.5)
            .map(|(&p, _)| p),
    );
    let objective = model.score(&chosen);
    let proven_optimal = status == HighsModelStatus::Optimal;
    let bound = if proven_optimal {
        objective
    } else {
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
            .map_or(f64::INFINITY, |b| b + constant)
    };
    Some(MipAnswer {
        chosen,
        objective,
        bound: bound.max(objective),
        proven_optimal,
    })
}

/// The first columns of both siting models: `open[p]` ∈ {0, 1} for each
/// candidate that may be chosen, in `sel.allowed`'s order.
pub(crate) fn open_columns(pb: &mut RowProblem, sel: &Selection) -> Vec<highs::Col> {
    sel.allowed
        .iter()
        .map(|_| pb.add_integer_column(0.0, 0..=1))
        .collect()
}

/// `open[p]`'s values for a starting plan.
pub(crate) fn start_open(sel: &Selection, start: &[usize]) -> Vec<f64> {
    sel.allowed
        .iter()
        .map(|p| if start.contains(p) { 1.0 } else { 0.0 })
        .collect()
}

/// The heuristic's choice as a full column vector: its candidates open and
/// every area they reach covered.
fn start_columns(
    sel: &Selection,
    start: &[usize],
    areas: &[usize],
    reach: &[Vec<usize>],
) -> Vec<f64> {
    let open = start_open(sel, start);
    let covered = areas.iter().map(|&a| {
        if reach[a].iter().any(|&col| open[col] > 0.5) {
            1.0
        } else {
            0.0
        }
    });
    open.iter().copied().chain(covered).collect()
}
