//! A proven bound for p-median when the assignment model is too large for
//! the solver's time limit (the national instance has 760,000 pairs):
//! Lagrangian relaxation of the rule "each area is served once".
//!
//! With a price λ[a] on serving area a, the relaxed problem falls apart:
//! every always-open point serves each area it values above its price, each
//! candidate is worth ρ[p] = Σ max(0, value[a, p] − λ[a]), and the best k
//! candidates are simply the k largest ρ. For every λ,
//! L(λ) = Σ λ[a] + Σ max(0, unserved[a] − λ[a]) + (always-open points' ρ)
//! plus the k largest ρ is at least the best plan's value, so the smallest
//! L found is a bound. λ moves by subgradient steps (Polyak's rule towards the
//! heuristic's value) until the time limit or until the steps vanish.

use super::model::Model;
use super::selection::Selection;

const MAX_ROUNDS: usize = 3_000;
/// Rounds without a better bound before the step is halved.
const PATIENCE: usize = 25;

/// The smallest L(λ) found: no plan of `k` points (lock-ins included) can
/// score above it. `start` is the heuristic's plan, scoring `start_score`.
pub(crate) fn lagrangian_bound(
    model: &Model,
    sel: &Selection,
    k: usize,
    start: &[usize],
    start_score: f64,
    stop: impl Fn() -> bool,
) -> f64 {
    let n = model.n_areas();
    let to_choose = sel.to_choose(k);
    let always: Vec<usize> = model.fixed.iter().chain(&sel.locked).copied().collect();
    // Start from each area's value in the heuristic's plan.
    let mut price: Vec<f64> = (0..n).map(|a| model.base(a)).collect();
    for &p in always.iter().chain(start) {
        model.for_each(p, |a, v| price[a] = price[a].max(v));
    }
    let mut best = f64::INFINITY;
    let mut step = 2.0;
    let mut since_better = 0;
    let mut served = vec![0u32; n];
    let mut rho: Vec<(f64, usize)> = Vec::with_capacity(sel.allowed.len());
    for _ in 0..MAX_ROUNDS {
        if stop() {
            break;
        }
        served.iter_mut().for_each(|s| *s = 0);
        let mut value: f64 = 0.0;
        for a in 0..n {
            value += price[a];
            if model.base(a) > price[a] {
                value += model.base(a) - price[a];
                served[a] += 1;
            }
        }
        for &p in &always {
            model.for_each(p, |a, v| {
                if v > price[a] {
                    value += v - price[a];
                    served[a] += 1;
                }
            });
        }
        rho.clear();
        for &p in &sel.allowed {
            let mut worth = 0.0;
            model.for_each(p, |a, v| worth += (v - price[a]).max(0.0));
            rho.push((worth, p));
        }
        rho.sort_unstable_by(|x, y| y.0.total_cmp(&x.0));
        for &(worth, p) in &rho[..to_choose] {
            value += worth;
            model.for_each(p, |a, v| {
                if v > price[a] {
                    served[a] += 1;
                }
            });
        }
        if value < best {
            best = value;
            since_better = 0;
        } else {
            since_better += 1;
            if since_better >= PATIENCE {
                step /= 2.0;
                since_better = 0;
            }
        }
        // ∂L/∂λ[a] = 1 − (times a is served in the relaxed plan).
        let norm: f64 = served.iter().map(|&s| (1.0 - f64::from(s)).powi(2)).sum();
        if norm == 0.0 || step < 1e-4 || best - start_score <= model.tolerance() {
            break; // the relaxed plan is a real plan, or the bound is met
        }
        let t = step * (value - start_score).max(model.tolerance()) / norm;
        for a in 0..n {
            price[a] -= t * (1.0 - f64::from(served[a]));
        }
    }
    best.max(start_score)
}
