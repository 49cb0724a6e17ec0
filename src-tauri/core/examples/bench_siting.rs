//! Siting figures: the national instance (1,643 postal areas, 463
//! pharmacies) by the heuristic and by HiGHS, with each one's objective,
//! time and gap; time for 1,000 candidates × 10,000 areas, k = 30, each
//! objective; heuristic/optimal ratios over small random instances.
//! `cargo run --release -p dosedesk-core --example bench_siting [N]`
//! Prints figures only; speed is never asserted.

use dosedesk_core::siting::{
    national, plan, plan_exact, plan_heuristic, random_input, Objective, SitingOptions,
    SitingReport,
};
use std::time::Instant;

fn main() -> Result<(), dosedesk_core::Error> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);

    national_instance()?;

    let (areas, candidates, open, span_km, radius_km, k) = (10_000, 1_000, 20, 100.0, 5.0, 30);
    let input = random_input(42, areas, candidates, open, span_km);
    println!(
        "large instance: {areas} areas, {candidates} candidates, {open} open sites over {span_km} km square, k = {k}, radius {radius_km} km"
    );
    for objective in [Objective::Coverage, Objective::Distance] {
        let options = SitingOptions::new(k, radius_km, objective);
        let start = Instant::now();
        let report = plan(&input, &options)?;
        let secs = start.elapsed().as_secs_f64();
        println!(
            "  {objective:?}: {secs:.3} s ({}, gap {}); covered {:.0} -> {:.0} of {:.0}; mean km {:.3} -> {:.3}; {} swaps",
            report.method,
            report.gap.map_or("unknown".to_owned(), |g| format!("{:.3}%", 100.0 * g)),
            report.covered_before,
            report.covered_after,
            report.weighted_total,
            report.mean_distance_km_before.unwrap_or(f64::NAN),
            report.mean_distance_km_after.unwrap_or(f64::NAN),
            report.swaps
        );
    }

    // Capacity runs value every trial set by its best assignment (a flow),
    // then HiGHS chooses points and assignment together: a city-sized
    // instance (the demo has 110 areas) and a mid-sized one.
    for (seed, areas, candidates, open, span_km, k) in
        [(44, 150, 30, 9, 30.0, 3), (43, 2_000, 200, 20, 60.0, 10)]
    {
        let input = random_input(seed, areas, candidates, open, span_km);
        println!(
            "capacity runs: {areas} areas, {candidates} candidates, {open} open, k = {k}, radius {radius_km} km, 30 days"
        );
        for objective in [Objective::Coverage, Objective::Distance] {
            let mut options = SitingOptions::new(k, radius_km, objective);
            options.capacity_days = Some(30.0);
            let start = Instant::now();
            let heuristic = plan_heuristic(&input, &options)?;
            let ht = start.elapsed().as_secs_f64();
            let start = Instant::now();
            let report = plan(&input, &options)?;
            println!(
                "  {objective:?}: heuristic {ht:.3} s, covered {:.0}, mean km {:.3} | plan {:.3} s ({}, gap {}), covered {:.0} -> {:.0}, mean km {:.3}, unserved {:.0}",
                heuristic.covered_after,
                heuristic.mean_distance_km_after.unwrap_or(f64::NAN),
                start.elapsed().as_secs_f64(),
                report.method,
                report.gap.map_or("unknown".to_owned(), |g| format!("{:.3}%", 100.0 * g)),
                report.covered_before,
                report.covered_after,
                report.mean_distance_km_after.unwrap_or(f64::NAN),
                report.unserved_eligible_after.unwrap_or(f64::NAN)
            );
        }
    }

    // The tests' family, then a harder one (more candidates, larger k).
    for (count, areas, cands, kmax) in [(n, 40, 12, 4), (n / 10, 100, 30, 5)] {
        ratios(count, areas, cands, kmax)?;
    }
    Ok(())
}

fn ratios(n: u64, areas: usize, cands: usize, kmax: u64) -> Result<(), dosedesk_core::Error> {
    println!(
        "small instances: {n} × ({areas} areas, {cands} candidates, 0-2 open, k 1..{kmax}), radius 4 km over 30 km"
    );
    for objective in [Objective::Coverage, Objective::Distance] {
        let (mut sum, mut min, mut max, mut optimal) = (0.0, f64::INFINITY, 0.0f64, 0);
        for seed in 0..n {
            let k = 1 + (seed % kmax) as usize;
            let input = random_input(seed, areas, cands, (seed % 3) as usize, 30.0);
            let options = SitingOptions::new(k, 4.0, objective);
            let (h, e) = (
                plan_heuristic(&input, &options)?,
                plan_exact(&input, &options)?,
            );
            // Heuristic over optimal: coverage ≤ 1, distance ≥ 1; 1 is optimal.
            let ratio = match objective {
                Objective::Coverage if e.covered_after > 0.0 => h.covered_after / e.covered_after,
                Objective::Coverage => 1.0,
                Objective::Distance => {
                    h.mean_distance_km_after.unwrap_or(f64::NAN)
                        / e.mean_distance_km_after.unwrap_or(f64::NAN)
                }
            };
            sum += ratio;
            (min, max) = (min.min(ratio), max.max(ratio));
            optimal += usize::from((ratio - 1.0).abs() < 1e-9);
        }
        println!(
            "  {objective:?} heuristic/optimal: mean {:.5}, min {min:.5}, max {max:.5}; optimal on {optimal} of {n}",
            sum / n as f64
        );
    }
    Ok(())
}

/// Issue 21's instance: every (k, radius) for maximal covering and every k
/// for p-median, the heuristic alone and then HiGHS (default time limit).
fn national_instance() -> Result<(), dosedesk_core::Error> {
    let input = national::canada_pharmacies(
        include_str!("../../../assets/national/fsa_centroids_canada.json"),
        include_str!("../../../assets/demo/walmart_locations.csv"),
        include_str!("../../../assets/national/sobeys_locations.csv"),
    )?;
    println!(
        "national instance: {} postal areas (equal weights), {} pharmacy candidates",
        input.areas.len(),
        input.points.len()
    );
    let timed = |f: &dyn Fn() -> Result<SitingReport, dosedesk_core::Error>| {
        let start = Instant::now();
        f().map(|r| (r, start.elapsed().as_secs_f64()))
    };
    let gap = |r: &SitingReport| match r.gap {
        Some(0.0) => "optimal".to_owned(),
        Some(g) => format!("gap {:.3}%", 100.0 * g),
        None => "gap unknown".to_owned(),
    };
    println!("  coverage (areas covered): k, radius | heuristic alone, s | plan (heuristic then HiGHS), s, gap (method)");
    for k in [5, 10, 25, 50, 100] {
        for radius_km in [5.0, 15.0, 30.0] {
            let options = SitingOptions::new(k, radius_km, Objective::Coverage);
            let (h, ht) = timed(&|| plan_heuristic(&input, &options))?;
            let (e, et) = timed(&|| plan(&input, &options))?;
            println!(
                "  {k:>3}, {radius_km:>2} km | {:>5.0}, {ht:.2} s | {:>5.0}, {et:.2} s, {} ({})",
                h.covered_after,
                e.covered_after,
                gap(&e),
                e.method
            );
        }
    }
    println!("  p-median (mean km to the nearest point): k | heuristic alone, s | plan (heuristic, then a Lagrangian bound at this size), s, gap (method)");
    for k in [5, 10, 25, 50, 100] {
        let options = SitingOptions::new(k, 5.0, Objective::Distance);
        let (h, ht) = timed(&|| plan_heuristic(&input, &options))?;
        let (e, et) = timed(&|| plan(&input, &options))?;
        println!(
            "  {k:>3} | {:.3} km, {ht:.2} s | {:.3} km, {et:.2} s, {} ({})",
            h.mean_distance_km_after.unwrap_or(f64::NAN),
            e.mean_distance_km_after.unwrap_or(f64::NAN),
            gap(&e),
            e.method
        );
    }
    // With a long time limit HiGHS takes on the whole assignment model.
    println!("  p-median, time limit 120 s: k | plan, s, gap (method)");
    for k in [5, 25] {
        let mut options = SitingOptions::new(k, 5.0, Objective::Distance);
        options.time_limit_seconds = 120.0;
        let (e, et) = timed(&|| plan(&input, &options))?;
        println!(
            "  {k:>3} | {:.3} km, {et:.1} s, {} ({})",
            e.mean_distance_km_after.unwrap_or(f64::NAN),
            gap(&e),
            e.method
        );
    }
    Ok(())
}
