//! Seeded random planning instances for the tests and the bench.

use super::planner::{ExistingShift, Overbooked, PlanDay, PlanInstance, PlanParams, PlanSite};
use crate::rng::Rng;

/// A random instance of `sites` × `days`. Small instances (≤ 3 sites) use
/// 2-hour shifts in a 6-hour day so the exact optimum stays enumerable.
pub fn random_instance(seed: u64, sites: usize, days: usize) -> (PlanInstance, PlanParams) {
    let mut rng = Rng::new(seed);
    let small = sites <= 3;
    let (opens, hours, shift_minutes) = if small {
        (8 * 60, 6, 120)
    } else {
        (8 * 60, 12, 240)
    };
    let plan_sites: Vec<PlanSite> = (0..sites)
        .map(|i| PlanSite {
            code: format!("S{i:02}"),
            opens,
            closes: opens + hours * 60,
            stations: if small {
                1 + rng.below(4) as u32
            } else {
                6 + rng.below(10) as u32
            },
            doses_per_vaccinator_hour: [10.0, 12.0, 12.0, 15.0][rng.below(4) as usize],
        })
        .collect();
    let mut existing = Vec::new();
    let mut base_total = 0;
    for (si, site) in plan_sites.iter().enumerate() {
        for day in 0..days {
            // An existing shift in the first window on most days.
            if rng.chance(0.7) {
                let vaccinators = 1 + rng.below(u64::from(site.stations)) as u32;
                let capacity = super::planner::shift_doses(
                    vaccinators,
                    shift_minutes,
                    site.doses_per_vaccinator_hour,
                );
                base_total += capacity;
                existing.push(ExistingShift {
                    site: si,
                    day,
                    start: opens,
                    end: opens + shift_minutes,
                    vaccinators,
                    capacity,
                });
            }
        }
    }
    // Larger instances: some existing shifts booked beyond their places, in
    // a run of slots (places per slot follow FORMATS.md: vaccinators × 5
    // minutes ÷ minutes per dose, rounded down).
    let mut overbooked = Vec::new();
    if !small {
        for (k, e) in existing.iter().enumerate() {
            if !rng.chance(0.15) {
                continue;
            }
            let site = &plan_sites[e.site];
            let minutes_per_dose = 60.0 / site.doses_per_vaccinator_hour;
            let slot_places = (0..=site.stations)
                .map(|a| {
                    (f64::from(e.vaccinators + a) * 5.0 / minutes_per_dose + 1e-9).floor() as i64
                })
                .collect();
            let first = e.start + 5 * rng.below(u64::from((e.end - e.start) / 10)) as u32;
            let count = 1 + rng.below(u64::from((e.end - first) / 5)) as u32;
            let slots = (0..count)
                .map(|i| (first + 5 * i, 1 + rng.below(6) as i64))
                .collect();
            overbooked.push(Overbooked {
                site: e.site,
                day: e.day,
                shift: k,
                slots,
                slot_places,
                slots_in_shift: i64::from((e.end - e.start).div_ceil(5)),
            });
        }
    }
    let mean_base = base_total / days.max(1) as i64;
    let plan_days: Vec<PlanDay> = (0..days)
        .map(|_| {
            let demand = rng.below((mean_base as u64 * 3).max(10)) as i64;
            PlanDay {
                demand,
                committed: demand * rng.below(101) as i64 / 100,
                arrivals: if rng.chance(0.4) {
                    rng.below((mean_base as u64 * 4).max(10)) as i64
                } else {
                    0
                },
            }
        })
        .collect();
    let params = PlanParams {
        shift_minutes,
        max_shifts_per_site_day: 2 + rng.below(2) as u32,
        staff_pool: if rng.chance(0.5) {
            Some(if small {
                8 + rng.below(20) as u32
            } else {
                40 + rng.below(80) as u32
            })
        } else {
            None
        },
        ..PlanParams::default()
    };
    let instance = PlanInstance {
        sites: plan_sites,
        days: plan_days,
        existing,
        opening_on_hand: rng.below((mean_base as u64 * 2).max(10)) as i64,
        // The exact optimum knows no closing reserve: small instances keep none.
        closing_reserve: if small {
            0
        } else {
            rng.below(mean_base as u64 + 1) as i64
        },
        overbooked,
    };
    (instance, params)
}
