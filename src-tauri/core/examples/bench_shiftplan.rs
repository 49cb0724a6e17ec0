//! Extra-shifts planner bench: time for 20 sites × 120 days, and the greedy's
//! gap to the exact optimum on small random instances. Prints figures; never
//! asserts on speed.
//!
//! cargo run --release -p dosedesk-core --example bench_shiftplan

use dosedesk_core::shift_plan::exact::optimum;
use dosedesk_core::shift_plan::planner::plan;
use dosedesk_core::shift_plan::synthetic::random_instance;
use std::time::Instant;

fn main() {
    println!("extra-shifts planner bench");
    let mut times = Vec::new();
    // Seeds 1–5 as generated (supply mostly binds); 6–10 with unlimited
    // supply, the heavy case where capacity alone must meet demand.
    for seed in 1..=10u64 {
        let (mut inst, params) = random_instance(seed, 20, 120);
        if seed > 5 {
            inst.opening_on_hand = 1_000_000_000;
        }
        let started = Instant::now();
        let out = plan(&inst, &params);
        let secs = started.elapsed().as_secs_f64();
        times.push(secs);
        let unmet: i64 = out.days.iter().map(|d| d.unmet).sum();
        println!(
            "  20 sites × 120 days, seed {seed}: {:>7.1} ms  {} extra shifts, {} surplus shifts, {} doses unmet, staff pool {:?}",
            secs * 1e3,
            out.shifts.len(),
            out.surplus_shifts.len(),
            unmet,
            params.staff_pool
        );
    }
    let worst = times.iter().cloned().fold(0.0, f64::max);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "  time: mean {:.1} ms, worst {:.1} ms (target < 1000 ms)",
        mean * 1e3,
        worst * 1e3
    );

    let (mut gaps, mut greedy_total, mut best_total) = (Vec::new(), 0u32, 0u32);
    let (mut short_doses, mut skipped) = (0, 0);
    let started = Instant::now();
    for seed in 10_000..10_300u64 {
        let sites = 2 + (seed % 2) as usize;
        let days = if sites == 2 { 4 } else { 2 };
        let (inst, params) = random_instance(seed, sites, days);
        let Some(opt) = optimum(&inst, &params) else {
            skipped += 1;
            continue;
        };
        let out = plan(&inst, &params);
        let given: i64 = out.days.iter().map(|d| d.planned).sum();
        if given < opt.delivered {
            short_doses += 1;
        }
        let greedy = out.shifts.len() as u32;
        greedy_total += greedy;
        best_total += opt.shifts;
        gaps.push(if opt.shifts == 0 {
            if greedy == 0 {
                0.0
            } else {
                100.0
            }
        } else {
            100.0 * (f64::from(greedy) - f64::from(opt.shifts)) / f64::from(opt.shifts)
        });
    }
    let n = gaps.len().max(1) as f64;
    println!(
        "  gap vs optimum on {} small instances (2–3 sites, 2–4 days; {} too large, skipped) in {:.1} s:",
        gaps.len(),
        skipped,
        started.elapsed().as_secs_f64()
    );
    println!(
        "    shifts: greedy {greedy_total}, optimum {best_total} ({:+.2}% overall)",
        100.0 * (f64::from(greedy_total) - f64::from(best_total)) / f64::from(best_total.max(1))
    );
    println!(
        "    per-instance gap: average {:.2}%, max {:.1}%; instances giving fewer doses than the optimum: {short_doses}",
        gaps.iter().sum::<f64>() / n,
        gaps.iter().cloned().fold(0.0, f64::max)
    );
}
