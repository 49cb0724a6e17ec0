//! What both exact siting models share: the `open[p]` columns that come
//! first in each, the rule on how many to open, and the solve itself
//! (HiGHS, maximising, started from the heuristic's plan, stopped at a time
//! limit, its answer re-scored by the model and bounded; `crate::mip`
//! drives HiGHS).

use super::model::Model;
use super::selection::Selection;
use crate::mip::Budget;
use highs::{Col, RowProblem};

/// What HiGHS found within its time limit.
pub(crate) struct MipAnswer {
    /// Locked-in candidates first, then the chosen ones.
    pub chosen: Vec<usize>,
    /// The model's objective for `chosen` (constant part included).
    pub objective: f64,
    /// No choice can do better than this (same units).
    pub bound: f64,
    pub proven_optimal: bool,
    /// The person stopped the search before it finished.
    pub cancelled: bool,
}

/// The first columns of both siting models: `open[p]` ∈ {0, 1} for each
/// candidate that may be chosen, in `sel.allowed`'s order.
pub(crate) fn open_columns(pb: &mut RowProblem, sel: &Selection) -> Vec<Col> {
    sel.allowed
        .iter()
        .map(|_| pb.add_integer_column(0.0, 0..=1))
        .collect()
}

/// Rule: exactly k new points, lock-ins included (`to_choose` beyond them).
pub(crate) fn choose_exactly(pb: &mut RowProblem, open: &[Col], to_choose: usize) {
    let n = to_choose as f64;
    pb.add_row(n..=n, open.iter().map(|&x| (x, 1.0)));
}

/// `open[p]`'s values for a starting plan.
pub(crate) fn start_open(sel: &Selection, start: &[usize]) -> Vec<f64> {
    sel.allowed
        .iter()
        .map(|p| if start.contains(p) { 1.0 } else { 0.0 })
        .collect()
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
    budget: Budget<'_>,
) -> Option<MipAnswer> {
    let solved = crate::mip::maximise(pb, &start_cols, budget)?;
    let mut chosen = sel.locked.clone();
    chosen.extend(
        sel.allowed
            .iter()
            .zip(&solved.columns)
            .filter(|(_, &x)| x > 0.5)
            .map(|(&p, _)| p),
    );
    let objective = model.score(&chosen);
    let bound = if solved.proven_optimal {
        objective
    } else {
        solved.dual_bound.map_or(f64::INFINITY, |b| b + constant)
    };
    Some(MipAnswer {
        chosen,
        objective,
        bound: bound.max(objective),
        proven_optimal: solved.proven_optimal,
        cancelled: solved.cancelled,
    })
}
