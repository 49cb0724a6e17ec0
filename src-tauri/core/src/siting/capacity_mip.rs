//! Capacity-limited siting solved exactly, for either objective: which
//! candidates to open and how many people each open point takes, handed to
//! HiGHS together (`mip`), started from the heuristic's plan and its best
//! assignment (`flow`), stopped at a time limit.
//!
//! Variables: `open[p]` ∈ {0, 1} per candidate that may be chosen;
//! `sent[a, p]` ≥ 0, people of area a that point p takes, for every lane
//! worth anything (within the radius for coverage; every pair for distance),
//! valued per person over leaving them unserved. What no point takes is
//! unserved, valued as the constant.

use super::flow::{best_assignment, Lane};
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
    let caps = model.caps()?;
    let n_points = model.n_points();
    // Column of each candidate that may be chosen; points always open have none.
    let mut candidate = vec![None; n_points];
    for (col, &p) in sel.allowed.iter().enumerate() {
        candidate[p] = Some(col);
    }
    let always = model.fixed.iter().chain(&sel.locked).copied();
    let lanes: Vec<Lane> = model
        .lanes(always.chain(sel.allowed.iter().copied()))
        .into_iter()
        .filter(|l| l.value > 0.0)
        .collect();

    let mut pb = RowProblem::default();
    let open = mip::open_columns(&mut pb, sel);
    let sent: Vec<_> = lanes
        .iter()
        .map(|l| pb.add_column(l.value, 0.0..))
        .collect();
    let mut by_area = vec![Vec::new(); model.n_areas()];
    let mut by_point = vec![Vec::new(); n_points];
    for (lane, &col) in lanes.iter().zip(&sent) {
        by_area[lane.area].push((col, 1.0));
        by_point[lane.point].push((col, 1.0));
        // Rule: a candidate left closed takes nobody (also what keeps an
        // unlimited candidate closed; it tightens the relaxation of the others).
        if let Some(c) = candidate[lane.point] {
            let most = model.eligible[lane.area];
            pb.add_row(..=0.0, [(col, 1.0), (open[c], -most)]);
        }
    }
    // Rule: an area's people are taken at most once in all.
    for (row, &people) in by_area.into_iter().zip(&model.eligible) {
        if !row.is_empty() {
            pb.add_row(..=people, row);
        }
    }
    // Rule: a point takes no more people than its room, and a candidate
    // only when open.
    for (p, mut row) in by_point.into_iter().enumerate() {
        if row.is_empty() || !caps[p].is_finite() {
            continue;
        }
        match candidate[p] {
            Some(c) => {
                row.push((open[c], -caps[p]));
                pb.add_row(..=0.0, row);
            }
            None => pb.add_row(..=caps[p], row),
        }
    }
    mip::choose_exactly(&mut pb, &open, sel.to_choose(k));

    let constant: f64 = (0..model.n_areas()).map(|a| model.base(a)).sum();
    let start_cols = start_columns(model, sel, start, caps, &candidate, &lanes);
    mip::run(model, sel, pb, start_cols, constant, budget)
}

/// The heuristic's choice as a full column vector: its candidates open and
/// the best assignment their rooms allow.
fn start_columns(
    model: &Model,
    sel: &Selection,
    start: &[usize],
    caps: &[f64],
    candidate: &[Option<usize>],
    lanes: &[Lane],
) -> Vec<f64> {
    let open = mip::start_open(sel, start);
    let usable = |l: &Lane| candidate[l.point].is_none_or(|c| open[c] > 0.5);
    let active: Vec<Lane> = lanes.iter().copied().filter(usable).collect();
    let (_, sent) = best_assignment(&model.eligible, caps, &active);
    let mut sent = sent.into_iter();
    let per_lane = lanes.iter().map(|l| {
        if usable(l) {
            sent.next().unwrap_or(0.0)
        } else {
            0.0
        }
    });
    open.iter().copied().chain(per_lane).collect()
}
