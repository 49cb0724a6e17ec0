//! p-median solved exactly: the classic assignment model handed to HiGHS,
//! started from the heuristic's answer and stopped at a time limit (`mip`).
//!
//! Variables: `open[p]` ∈ {0, 1} per candidate that may be chosen;
//! `serve[a, p]` ∈ [0, 1], the share of area a's people a chosen candidate
//! serves. What is not served by a candidate stays with the area's nearest
//! always-open point (an open site or lock-in), valued as the constant; a
//! candidate no nearer than that point never serves the area and is left
//! out of its row.

use super::mip::{self, MipAnswer};
use super::model::Model;
use super::selection::Selection;
use crate::mip::Budget;
use highs::RowProblem;

pub(crate) fn solve(
    model: &Model,
    sel: &Selection,
    k: usize,
    start: &[usize],
    budget: Budget<'_>,
) -> Option<MipAnswer> {
    let n_areas = model.n_areas();
    // Best value each area already has from points that are always open.
    let mut floor: Vec<f64> = (0..n_areas).map(|a| model.base(a)).collect();
    for &p in model.fixed.iter().chain(&sel.locked) {
        model.for_each(p, |a, v| floor[a] = floor[a].max(v));
    }
    let mut pb = RowProblem::default();
    let open = mip::open_columns(&mut pb, sel);
    // Per area, the candidates that would beat its floor: (column, value).
    let mut options: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n_areas];
    for (col, &p) in sel.allowed.iter().enumerate() {
        model.for_each(p, |a, v| {
            if v > floor[a] {
                options[a].push((col, v));
            }
        });
    }
    let to_choose = sel.to_choose(k);
    let mut constant = 0.0;
    for (a, row) in options.iter().enumerate() {
        // An area no always-open point serves is served by a chosen one
        // (exactly once); one that has such a point keeps it unless a
        // chosen one is nearer, and is valued by the gain over it. Neither
        // carries the huge "nobody serves" value into the solver.
        let must_assign = floor[a] <= model.base(a) && to_choose > 0 && !row.is_empty();
        let reference = if must_assign { 0.0 } else { floor[a] };
        constant += reference;
        let mut assign = Vec::with_capacity(row.len());
        for &(col, v) in row {
            let z = pb.add_column(v - reference, 0..=1);
            // Rule: only an open point serves.
            pb.add_row(..=0.0, [(z, 1.0), (open[col], -1.0)]);
            assign.push((z, 1.0));
        }
        // Rule: an area's people are served once.
        if must_assign {
            pb.add_row(1.0..=1.0, assign);
        } else if !assign.is_empty() {
            pb.add_row(..=1.0, assign);
        }
    }
    mip::choose_exactly(&mut pb, &open, to_choose);
    let start_cols = start_columns(sel, start, &options);
    mip::run(model, sel, pb, start_cols, constant, budget)
}

/// The heuristic's choice as a full column vector: its candidates open and
/// each area served by the best of them that beats its floor.
fn start_columns(sel: &Selection, start: &[usize], options: &[Vec<(usize, f64)>]) -> Vec<f64> {
    let open = mip::start_open(sel, start);
    let mut cols = open.clone();
    for row in options {
        let best = row
            .iter()
            .enumerate()
            .filter(|(_, (col, _))| open[*col] > 0.5)
            .max_by(|x, y| x.1 .1.total_cmp(&y.1 .1))
            .map(|(i, _)| i);
        cols.extend((0..row.len()).map(|i| if Some(i) == best { 1.0 } else { 0.0 }));
    }
    cols
}
