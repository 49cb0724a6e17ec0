//! Extra-shifts planner bench: the greedy and the exact plan (HiGHS) at 20
//! sites × 120 days with the gap each reports, and the greedy's gap to the
//! enumerated optimum on small random instances. Prints figures; never
//! asserts on speed.
//!
//! cargo run --release -p dosedesk-core --example bench_shiftplan

use dosedesk_core::shift_plan::exact::optimum;
use dosedesk_core::shift_plan::planner::{
    plan, plan_greedy, PlanInstance, PlanOutcome, PlanParams,
};
use dosedesk_core::shift_plan::synthetic::random_instance;
use std::time::Instant;

fn main() {
    println!("extra-shifts planner bench");
    let mut times = Vec::new();
    // Seeds 1–5 as generated (supply mostly binds); 6–10 with unlimited
    // supply, the heavy case where capacity alone must meet demand.
    println!(
        "  20 sites × 120 days: the greedy, then the plan (HiGHS from the greedy's start, {} s limit)",
        PlanParams::default().time_limit_seconds
    );
    for seed in 1..=10u64 {
        let (mut inst, params) = random_instance(seed, 20, 120);
        if seed > 5 {
            inst.opening_on_hand = 1_000_000_000;
        }
        let started = Instant::now();
        let greedy = plan_greedy(&inst, &params);
        let greedy_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let out = plan(&inst, &params);
        let secs = started.elapsed().as_secs_f64();
        times.push(secs);
        let (gp, gd) = given(&inst, &greedy);
        let (p, d) = given(&inst, &out);
        println!(
            "  seed {seed:>2} pool {:>9}: greedy {gp:>7} promised {gd:>7} doses {:>4} shifts {:>6.1} ms | plan {p:>7} promised {d:>7} doses {:>4} shifts {:>6.2} s, {}, gap {}",
            params.staff_pool.map_or("none".to_owned(), |p| p.to_string()),
            greedy.shifts.len(),
            greedy_secs * 1e3,
            out.shifts.len(),
            secs,
            out.solve.method.name(),
            out.solve
                .gap
                .map_or("not known".to_owned(), |g| format!("{:.4}%", 100.0 * g)),
        );
    }
    let worst = times.iter().cloned().fold(0.0, f64::max);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!("  plan time: mean {mean:.2} s, worst {worst:.2} s");

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
        let out = plan_greedy(&inst, &params);
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

/// Promised doses and all doses a plan gives.
fn given(inst: &PlanInstance, out: &PlanOutcome) -> (i64, i64) {
    let promised = out
        .days
        .iter()
        .zip(&inst.days)
        .map(|(o, d)| o.planned.min(d.promised()))
        .sum();
    (promised, out.days.iter().map(|d| d.planned).sum())
}
