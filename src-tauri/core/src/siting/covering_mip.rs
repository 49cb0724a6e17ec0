//! Maximal covering solved exactly: a mixed-integer program handed to
//! HiGHS (`mip`), started from the heuristic's answer and stopped at a time limit.
//! HiGHS proves optimality with a bound from its branch-and-bound tree; when
//! stopped early it still reports that bound, so the answer's distance from
//! the best possible is known.
//!
//! Variables: `open[p]` ∈ {0, 1} for each candidate that may be chosen;
//! `covered[a]` ∈ [0, 1] for each area some such candidate could cover.
//! Areas already covered by an open site or a locked-in candidate are a
//! constant; areas no candidate reaches cannot change and are left out.

use super::mip::{self, MipAnswer};
use super::model::Model;
use super::selection::Selection;
use crate::mip::Budget;
use highs::RowProblem;

/// Solves the covering model for `k` points (lock-ins included), starting
/// from `start` (a feasible choice: lock-ins first). `None` when HiGHS
/// failed or ran out of time without any solution of its own.
pub(crate) fn solve(
    model: &Model,
    sel: &Selection,
    k: usize,
    start: &[usize],
    budget: Budget<'_>,
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
    let mut pb = RowProblem::default();
    let open = mip::open_columns(&mut pb, sel);
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
    mip::choose_exactly(&mut pb, &open, sel.to_choose(k));

    let start_cols = start_columns(sel, start, &areas, &reach);
    mip::run(model, sel, pb, start_cols, constant, budget)
}

/// The heuristic's choice as a full column vector: its candidates open and
/// every area they reach covered.
fn start_columns(
    sel: &Selection,
    start: &[usize],
    areas: &[usize],
    reach: &[Vec<usize>],
) -> Vec<f64> {
    let open = mip::start_open(sel, start);
    let covered = areas.iter().map(|&a| {
        if reach[a].iter().any(|&col| open[col] > 0.5) {
            1.0
        } else {
            0.0
        }
    });
    open.iter().copied().chain(covered).collect()
}
