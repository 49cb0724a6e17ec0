//! The exact optimum for small instances, to measure the greedy against,
//! with the planner's priorities: the most promised doses (bookings, second
//! doses due) given, then the most doses in all, then the fewest extra
//! shifts. Per day, every subset of candidates and every vaccinator count is
//! tried (the best capacity for k shifts within the day's limits); across
//! days a dynamic programme over doses given so far carries the supply.
//! Exponential in candidates per day: tests and the bench only. Windows,
//! doses and staff come from `oracle`, the rules written apart from the
//! planner's code.

use super::oracle::{self, Window};
use super::planner::{PlanInstance, PlanParams};

/// Limits beyond which `optimum` refuses (it would take too long).
pub const MAX_CANDIDATES_PER_DAY: usize = 8;
pub const MAX_DOSES: i64 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Optimum {
    pub committed: i64,
    pub delivered: i64,
    pub shifts: u32,
}

/// Best extra capacity with exactly k shifts on one day (None: impossible).
fn best_by_count(inst: &PlanInstance, params: &PlanParams, day: usize) -> Vec<Option<i64>> {
    let cands = oracle::windows(inst, params.shift_minutes, day);
    let mut allowed = vec![params.max_shifts_per_site_day; inst.sites.len()];
    for s in inst.existing.iter().filter(|s| s.day == day) {
        allowed[s.site] = allowed[s.site].saturating_sub(1);
    }
    let mut best = vec![None; cands.len() + 1];
    best[0] = Some(0);
    for mask in 1u32..(1 << cands.len()) {
        let chosen: Vec<&Window> = (0..cands.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| &cands[i])
            .collect();
        let mut per_site = vec![0u32; inst.sites.len()];
        for c in &chosen {
            per_site[c.site] += 1;
        }
        if per_site.iter().zip(&allowed).any(|(n, a)| n > a) {
            continue;
        }
        if let Some(cap) = best_levels(inst, params, &chosen, 0, params.staff_pool) {
            let k = chosen.len();
            best[k] = Some(best[k].map_or(cap, |b: i64| b.max(cap)));
        }
    }
    best
}

/// Most doses from these shifts with 1..=max vaccinators each within the pool.
fn best_levels(
    inst: &PlanInstance,
    params: &PlanParams,
    chosen: &[&Window],
    i: usize,
    pool: Option<u32>,
) -> Option<i64> {
    let Some(c) = chosen.get(i) else {
        return Some(0);
    };
    let rate = inst.sites[c.site].doses_per_vaccinator_hour;
    let mut best = None;
    for v in 1..=c.free_stations {
        let staff = oracle::staff(v, rate, &params.ratios).total();
        let left = match pool {
            Some(p) if staff > p => break,
            Some(p) => Some(p - staff),
            None => None,
        };
        if let Some(rest) = best_levels(inst, params, chosen, i + 1, left) {
            let total = oracle::doses(v, c.end - c.start, rate) + rest;
            best = Some(best.map_or(total, |b: i64| b.max(total)));
        }
    }
    best
}

/// The optimum, or None when the instance is too large to enumerate.
pub fn optimum(inst: &PlanInstance, params: &PlanParams) -> Option<Optimum> {
    let n = inst.days.len();
    let base = oracle::capacity_by_day(inst);
    let total_supply = inst.opening_on_hand + inst.days.iter().map(|d| d.arrivals).sum::<i64>();
    if total_supply > MAX_DOSES
        || (0..n)
            .any(|d| oracle::windows(inst, params.shift_minutes, d).len() > MAX_CANDIDATES_PER_DAY)
    {
        return None;
    }
    let cap = total_supply.max(0) as usize;
    // best[s] = (promised doses given, −shifts) so far, having given s doses.
    // Lexicographic order adds up day by day, so the programme is exact.
    let mut best: Vec<Option<(i64, i64)>> = vec![None; cap + 1];
    best[0] = Some((0, 0));
    let mut arrived = inst.opening_on_hand;
    for (d, day) in inst.days.iter().enumerate() {
        arrived += day.arrivals;
        let demand = day.demand.max(0);
        let committed = day.committed.clamp(0, demand);
        // Monotone capacity by count: k shifts can always do what fewer can.
        let mut by_k: Vec<(i64, i64)> = Vec::new();
        let mut most = i64::MIN;
        for (k, c) in best_by_count(inst, params, d).into_iter().enumerate() {
            if let Some(c) = c {
                if base[d] + c > most {
                    most = base[d] + c;
                    by_k.push((k as i64, most));
                }
            }
        }
        let mut next: Vec<Option<(i64, i64)>> = vec![None; cap + 1];
        for (s, prev) in best.iter().enumerate() {
            let Some((c0, k0)) = *prev else { continue };
            let room = (arrived - s as i64).max(0);
            let top = demand.min(room).min(most.max(0));
            for x in 0..=top {
                let Some(&(k, _)) = by_k.iter().find(|(_, c)| *c >= x) else {
                    break;
                };
                let value = (c0 + x.min(committed), k0 - k);
                let slot = &mut next[s + x as usize];
                if slot.is_none_or(|cur| value > cur) {
                    *slot = Some(value);
                }
            }
        }
        best = next;
    }
    best.iter()
        .enumerate()
        .filter_map(|(s, v)| v.map(|(c, k)| (c, s as i64, k)))
        .max()
        .map(|(committed, delivered, k)| Optimum {
            committed,
            delivered,
            shifts: (-k) as u32,
        })
}
