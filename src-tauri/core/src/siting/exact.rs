//! Exact optimum by enumerating every k-subset: the yardstick the tests and
//! the bench hold the heuristic to. Only for small instances.

use super::model::Model;
use super::selection::Selection;
use crate::error::{Error, Result};

/// Subsets beyond this are refused rather than left running for hours.
pub const MAX_SUBSETS: u128 = 5_000_000;

/// The best set of `k - locked.len()` candidates from `allowed` to add to
/// `locked`, and its score. Ties keep the first subset in lexicographic order.
pub(crate) fn best_subset(model: &Model, sel: &Selection, k: usize) -> Result<(Vec<usize>, f64)> {
    let (locked, allowed) = (&sel.locked, &sel.allowed);
    let r = sel.to_choose(k);
    let n = allowed.len();
    let subsets = binomial(n as u128, r as u128);
    if subsets > MAX_SUBSETS {
        return Err(Error::InvalidInput(format!(
            "exact siting would check {subsets} subsets (at most {MAX_SUBSETS}); use the heuristic"
        )));
    }
    let mut idx: Vec<usize> = (0..r).collect();
    let mut set: Vec<usize> = locked.to_vec();
    set.extend(idx.iter().map(|&i| allowed[i]));
    let mut best = (set.clone(), model.score(&set));
    // Step to the next combination in lexicographic order.
    while let Some(i) = (0..r).rev().find(|&i| idx[i] < n - r + i) {
        idx[i] += 1;
        for j in i + 1..r {
            idx[j] = idx[j - 1] + 1;
        }
        for (slot, &i) in set[locked.len()..].iter_mut().zip(&idx) {
            *slot = allowed[i];
        }
        let score = model.score(&set);
        if score > best.1 {
            best = (set.clone(), score);
        }
    }
    Ok(best)
}

fn binomial(n: u128, r: u128) -> u128 {
    let mut out: u128 = 1;
    for i in 0..r.min(n) {
        out = out.saturating_mul(n - i) / (i + 1);
    }
    out
}
