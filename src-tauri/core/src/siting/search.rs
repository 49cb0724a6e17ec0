//! Heuristic search: lazy greedy (CELF) then interchange. Both objectives are
//! submodular without capacities, so a marginal gain computed earlier is an
//! upper bound on the current one and most candidates need no re-evaluation.

use super::model::Model;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

const NONE: usize = usize::MAX;

/// A set of chosen candidates that can be grown and swapped.
pub(crate) trait State {
    fn chosen(&self) -> &[usize];
    /// Objective increase from adding `c`.
    fn gain(&self, c: usize) -> f64;
    fn add(&mut self, c: usize);
    /// The best swap (position to drop, candidate to add, increase) over
    /// positions `from..` and `allowed` candidates not chosen.
    fn best_swap(&self, from: usize, allowed: &[usize]) -> Option<(usize, usize, f64)>;
    fn replace(&mut self, pos: usize, c: usize);
}

pub(crate) fn new_state(model: &Model) -> Box<dyn State + '_> {
    if model.capacitated() {
        Box::new(Capacitated::new(model))
    } else {
        Box::new(Facility::new(model))
    }
}

/// CELF: locked candidates first, then up to `k` in all, each the largest
/// marginal gain. Returns the gains in the order of choice.
pub(crate) fn greedy(
    state: &mut dyn State,
    locked: &[usize],
    allowed: &[usize],
    k: usize,
) -> Vec<f64> {
    let mut gains = Vec::with_capacity(k);
    for &c in locked {
        gains.push(state.gain(c));
        state.add(c);
    }
    let mut heap: BinaryHeap<Entry> = allowed
        .iter()
        .map(|&c| Entry {
            gain: state.gain(c),
            c,
            stamp: state.chosen().len(),
        })
        .collect();
    while state.chosen().len() < k {
        let Some(top) = heap.pop() else { break };
        if top.stamp == state.chosen().len() {
            gains.push(top.gain);
            state.add(top.c);
        } else {
            heap.push(Entry {
                gain: state.gain(top.c),
                c: top.c,
                stamp: state.chosen().len(),
            });
        }
    }
    gains
}

/// Best-improvement interchange until no swap improves by more than `tol`
/// or `max_swaps` were made (a bound on time, and a guard against cycling
/// on rounding noise).
pub(crate) fn improve(
    state: &mut dyn State,
    locked: usize,
    allowed: &[usize],
    tol: f64,
    max_swaps: usize,
) -> usize {
    let mut swaps = 0;
    while swaps < max_swaps {
        match state.best_swap(locked, allowed) {
            Some((pos, c, delta)) if delta > tol => {
                state.replace(pos, c);
                swaps += 1;
            }
            _ => break,
        }
    }
    swaps
}

#[derive(PartialEq)]
struct Entry {
    gain: f64,
    c: usize,
    stamp: usize,
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Largest gain first; on ties the lower index, for determinism.
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.c.cmp(&self.c))
    }
}

/// Uncapacitated: each area keeps its best and second-best value among open
/// points and which point gives the best, so gains and swaps (Whitaker's fast
/// interchange) cost one pass over a candidate's row.
struct Facility<'m> {
    model: &'m Model,
    chosen: Vec<usize>,
    best: Vec<f64>,
    second: Vec<f64>,
    owner: Vec<usize>,
}

impl<'m> Facility<'m> {
    fn new(model: &'m Model) -> Self {
        let mut state = Facility {
            model,
            chosen: Vec::new(),
            best: Vec::new(),
            second: Vec::new(),
            owner: Vec::new(),
        };
        state.rebuild();
        state
    }

    fn rebuild(&mut self) {
        let n = self.model.n_areas();
        self.best = (0..n).map(|a| self.model.base(a)).collect();
        self.second = self.best.clone();
        self.owner = vec![NONE; n];
        let open: Vec<usize> = self
            .model
            .fixed
            .iter()
            .chain(&self.chosen)
            .copied()
            .collect();
        for p in open {
            self.open(p);
        }
    }

    fn open(&mut self, p: usize) {
        let (best, second, owner) = (&mut self.best, &mut self.second, &mut self.owner);
        self.model.for_each(p, |a, v| {
            if v > best[a] {
                second[a] = best[a];
                best[a] = v;
                owner[a] = p;
            } else if v > second[a] {
                second[a] = v;
            }
        });
    }
}

impl State for Facility<'_> {
    fn chosen(&self) -> &[usize] {
        &self.chosen
    }

    fn gain(&self, c: usize) -> f64 {
        let mut gain = 0.0;
        self.model
            .for_each(c, |a, v| gain += (v - self.best[a]).max(0.0));
        gain
    }

    fn add(&mut self, c: usize) {
        self.chosen.push(c);
        self.open(c);
    }

    fn best_swap(&self, from: usize, allowed: &[usize]) -> Option<(usize, usize, f64)> {
        // Position in `chosen` of each removable point.
        let mut pos_of = vec![NONE; self.model.n_points()];
        for (i, &p) in self.chosen.iter().enumerate().skip(from) {
            pos_of[p] = i;
        }
        let mut in_set = vec![false; self.model.n_points()];
        for &p in &self.chosen {
            in_set[p] = true;
        }
        // Loss from closing each point with nothing added: its areas fall
        // back to their second-best value.
        let mut loss = vec![0.0; self.chosen.len()];
        for a in 0..self.model.n_areas() {
            if self.owner[a] != NONE && pos_of[self.owner[a]] != NONE {
                loss[pos_of[self.owner[a]]] += self.best[a] - self.second[a];
            }
        }
        let mut adjust = vec![0.0; self.chosen.len()];
        let mut found: Option<(usize, usize, f64)> = None;
        for &c in allowed {
            if in_set[c] {
                continue;
            }
            adjust.iter_mut().for_each(|x| *x = 0.0);
            let mut gain = 0.0;
            self.model.for_each(c, |a, v| {
                let over_best = (v - self.best[a]).max(0.0);
                gain += over_best;
                let o = self.owner[a];
                if o != NONE && pos_of[o] != NONE {
                    // If o closes, c serves this area instead of the second best.
                    adjust[pos_of[o]] += (v - self.second[a]).max(0.0) - over_best;
                }
            });
            for pos in from..self.chosen.len() {
                let delta = gain - loss[pos] + adjust[pos];
                if found.is_none_or(|f| delta > f.2) {
                    found = Some((pos, c, delta));
                }
            }
        }
        found
    }

    fn replace(&mut self, pos: usize, c: usize) {
        self.chosen[pos] = c;
        self.rebuild();
    }
}

/// Capacitated: no shortcut, every gain and swap is a full re-evaluation.
/// Fine for city-sized instances (a hundred areas, tens of candidates).
struct Capacitated<'m> {
    model: &'m Model,
    chosen: Vec<usize>,
    score: f64,
}

impl<'m> Capacitated<'m> {
    fn new(model: &'m Model) -> Self {
        Capacitated {
            model,
            chosen: Vec::new(),
            score: model.score(&[]),
        }
    }
}

impl State for Capacitated<'_> {
    fn chosen(&self) -> &[usize] {
        &self.chosen
    }

    fn gain(&self, c: usize) -> f64 {
        let mut with = self.chosen.clone();
        with.push(c);
        self.model.score(&with) - self.score
    }

    fn add(&mut self, c: usize) {
        self.chosen.push(c);
        self.score = self.model.score(&self.chosen);
    }

    fn best_swap(&self, from: usize, allowed: &[usize]) -> Option<(usize, usize, f64)> {
        let mut found: Option<(usize, usize, f64)> = None;
        let mut trial = self.chosen.clone();
        for pos in from..self.chosen.len() {
            for &c in allowed {
                if self.chosen.contains(&c) {
                    continue;
                }
                trial[pos] = c;
                let delta = self.model.score(&trial) - self.score;
                if found.is_none_or(|f| delta > f.2) {
                    found = Some((pos, c, delta));
                }
            }
            trial[pos] = self.chosen[pos];
        }
        found
    }

    fn replace(&mut self, pos: usize, c: usize) {
        self.chosen[pos] = c;
        self.score = self.model.score(&self.chosen);
    }
}
