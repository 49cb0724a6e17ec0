//! The exact covering solver (HiGHS) judged by oracles of the tests' own:
//! coverage recomputed from coordinates with a chord-length distance on the
//! sphere (not `geo::haversine_km`), the best subset found by trying every
//! one, and the national optima published in issue 21.

use super::*;
use std::time::Instant;

const EARTH_KM: f64 = 6371.0088;

/// Great-circle distance from the straight chord between two points on the
/// unit sphere: 2R·asin(|u − v| / 2).
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let unit = |(lat, lon): (f64, f64)| {
        let (lat, lon) = (lat.to_radians(), lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    };
    let (u, v) = (unit(a), unit(b));
    let chord = ((u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2)).sqrt();
    2.0 * EARTH_KM * (chord / 2.0).min(1.0).asin()
}

/// Open sites and the chosen candidates.
fn open_points<'a>(input: &'a SitingInput, chosen: &[&str]) -> Vec<&'a PointInput> {
    input
        .points
        .iter()
        .filter(|p| p.open || chosen.contains(&p.site_code.as_str()))
        .collect()
}

/// Σ eligible × weight of the areas with an open site or a chosen
/// candidate within the radius.
pub(super) fn covered(input: &SitingInput, chosen: &[&str], radius_km: f64) -> f64 {
    let open = open_points(input, chosen);
    input
        .areas
        .iter()
        .filter(|a| {
            open.iter()
                .any(|p| km((a.lat, a.lon), (p.lat, p.lon)) <= radius_km)
        })
        .map(|a| a.eligible * a.weight)
        .sum()
}

/// The best coverage over every allowed set of k candidates.
fn brute_force_best(input: &SitingInput, options: &SitingOptions) -> f64 {
    let free: Vec<&str> = input
        .points
        .iter()
        .filter(|p| !p.open)
        .map(|p| p.site_code.as_str())
        .filter(|c| !options.lock.iter().any(|l| l == c))
        .filter(|c| !options.exclude.iter().any(|x| x == c))
        .collect();
    let r = options.k - options.lock.len();
    let mut best = f64::NEG_INFINITY;
    for mask in 0u32..(1 << free.len()) {
        if mask.count_ones() as usize != r {
            continue;
        }
        let mut set: Vec<&str> = options.lock.iter().map(String::as_str).collect();
        set.extend(
            (0..free.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| free[i]),
        );
        best = best.max(covered(input, &set, options.radius_km));
    }
    best
}

fn chosen(r: &SitingReport) -> Vec<&str> {
    r.chosen.iter().map(|c| c.site_code.as_str()).collect()
}

#[test]
fn highs_finds_the_brute_force_optimum_and_says_so_on_200_random_instances() {
    let mut cases = 0;
    for seed in 0..200u64 {
        let input = random_input(1_000 + seed, 40, 12, (seed % 3) as usize, 30.0);
        let mut options = SitingOptions::new(
            1 + (seed % 5) as usize,
            3.0 + (seed % 4) as f64,
            Objective::Coverage,
        );
        if seed % 4 == 1 {
            options.lock = vec!["C3".into()];
        }
        if seed % 3 == 2 {
            options.exclude = vec!["C0".into(), "C5".into()];
        }
        let report = plan(&input, &options).expect("plan");
        let best = brute_force_best(&input, &options);
        let got = covered(&input, &chosen(&report), options.radius_km);
        assert_eq!(report.chosen.len(), options.k, "seed {seed}");
        assert!(
            (got - best).abs() < 1e-6,
            "seed {seed}: chose {got}, best is {best}"
        );
        assert!(
            (report.covered_after - got).abs() < 1e-6,
            "seed {seed}: reported {} but the choice covers {got}",
            report.covered_after
        );
        assert_eq!(report.method, "highs", "seed {seed}");
        assert_eq!(report.gap, Some(0.0), "seed {seed}");
        let bound = report.bound.expect("an optimal run has a bound");
        assert!(
            (bound - best).abs() < 1e-6,
            "seed {seed}: bound {bound}, best {best}"
        );
        for code in &options.lock {
            assert!(
                chosen(&report).contains(&code.as_str()),
                "seed {seed}: lock-in {code} left out"
            );
        }
        for code in &options.exclude {
            assert!(
                !chosen(&report).contains(&code.as_str()),
                "seed {seed}: excluded {code} chosen"
            );
        }
        cases += 1;
    }
    assert_eq!(cases, 200);
}

fn national() -> SitingInput {
    national::canada_pharmacies(
        include_str!("../../../../assets/national/fsa_centroids_canada.json"),
        include_str!("../../../../assets/demo/walmart_locations.csv"),
        include_str!("../../../../assets/national/sobeys_locations.csv"),
    )
    .expect("the national instance loads")
}

/// Issue 21's table: the exact optimum for five (k, radius) pairs on the
/// 1,643 postal areas and 463 pharmacies, from HiGHS run by the issue's
/// author on a model of their own.
#[test]
fn national_instance_reaches_the_published_optima() {
    let input = national();
    assert_eq!(input.areas.len(), 1_643);
    assert_eq!(input.points.len(), 463);
    for (k, radius_km, optimum) in [
        (10, 5.0, 130.0),
        (25, 15.0, 586.0),
        (50, 15.0, 714.0),
        (100, 5.0, 474.0),
        (100, 30.0, 1_001.0),
    ] {
        let options = SitingOptions::new(k, radius_km, Objective::Coverage);
        let report = plan(&input, &options).expect("plan");
        let got = covered(&input, &chosen(&report), radius_km);
        assert_eq!(got, optimum, "k {k}, radius {radius_km} km");
        assert_eq!(
            report.covered_after, optimum,
            "k {k}, radius {radius_km} km"
        );
        assert_eq!(report.gap, Some(0.0), "k {k}, radius {radius_km} km");
    }
}

#[test]
fn a_solve_stopped_by_its_time_limit_keeps_the_best_plan_found() {
    let input = random_input(77, 4_000, 600, 0, 90.0);
    let mut options = SitingOptions::new(40, 3.0, Objective::Coverage);
    let heuristic = plan_heuristic(&input, &options).expect("heuristic");
    assert_eq!(heuristic.gap, None, "the heuristic alone proves nothing");
    options.time_limit_seconds = 0.0;
    let start = Instant::now();
    let stopped = plan(&input, &options).expect("plan");
    let took = start.elapsed().as_secs_f64();
    let got = covered(&input, &chosen(&stopped), options.radius_km);
    assert!(
        got >= heuristic.covered_after - 1e-6,
        "stopped at once, it lost the heuristic's plan: {got} < {}",
        heuristic.covered_after
    );
    assert!((stopped.covered_after - got).abs() < 1e-6);
    if let Some(gap) = stopped.gap {
        let bound = stopped.bound.expect("a gap comes with its bound");
        assert!(bound >= got - 1e-6, "bound {bound} below the plan's {got}");
        assert!((gap - (bound - got) / bound).abs() < 1e-9);
    }
    // The heuristic takes a fraction of this; the solver, no time at all.
    assert!(took < 60.0, "a zero time limit still took {took:.1} s");
}

/// Σ eligible × km to the nearest open site or chosen candidate.
pub(super) fn person_km(input: &SitingInput, chosen: &[&str]) -> f64 {
    let open = open_points(input, chosen);
    input
        .areas
        .iter()
        .map(|a| {
            let nearest = open
                .iter()
                .map(|p| km((a.lat, a.lon), (p.lat, p.lon)))
                .fold(f64::INFINITY, f64::min);
            a.eligible * nearest
        })
        .sum()
}

/// Every set of k candidates (open sites are always open).
fn every_choice(input: &SitingInput, k: usize) -> Vec<Vec<&str>> {
    let free: Vec<&str> = input
        .points
        .iter()
        .filter(|p| !p.open)
        .map(|p| p.site_code.as_str())
        .collect();
    (0u32..(1 << free.len()))
        .filter(|mask| mask.count_ones() as usize == k)
        .map(|mask| {
            (0..free.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| free[i])
                .collect()
        })
        .collect()
}

/// The least Σ eligible × km over every set of k candidates.
fn brute_force_least_km(input: &SitingInput, k: usize) -> f64 {
    every_choice(input, k)
        .iter()
        .map(|set| person_km(input, set))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn p_median_small_instances_are_solved_to_the_brute_force_optimum() {
    for seed in 0..120u64 {
        let input = random_input(5_000 + seed, 40, 12, (seed % 3) as usize, 30.0);
        let k = 1 + (seed % 4) as usize;
        let options = SitingOptions::new(k, 4.0, Objective::Distance);
        let report = plan(&input, &options).expect("plan");
        let best = brute_force_least_km(&input, k);
        let got = person_km(&input, &chosen(&report));
        assert!(
            (got - best).abs() <= 1e-6 * best,
            "seed {seed}: {got} person-km, best {best}"
        );
        assert_eq!(report.method, "highs", "seed {seed}");
        assert_eq!(report.gap, Some(0.0), "seed {seed}");
        let eligible: f64 = input.areas.iter().map(|a| a.eligible).sum();
        let mean = report.mean_distance_km_after.expect("a mean distance");
        assert!(
            (mean - got / eligible).abs() < 1e-6,
            "seed {seed}: reported mean {mean}"
        );
    }
}

/// The Lagrangian bound never claims more than the brute-force optimum
/// allows, and on these instances it is close to it, even started from a
/// poor plan.
#[test]
fn the_lagrangian_bound_is_never_beaten_and_is_tight() {
    let mut gaps = Vec::new();
    for seed in 0..120u64 {
        let input = random_input(9_000 + seed, 40, 12, (seed % 3) as usize, 30.0);
        let k = 1 + (seed % 4) as usize;
        let options = SitingOptions::new(k, 4.0, Objective::Distance);
        // A poor plan to start from (the first k candidates): a bound that
        // merely echoed its starting plan would be caught.
        let start: Vec<usize> = (0..input.points.len())
            .filter(|&p| !input.points[p].open)
            .take(k)
            .collect();
        let model = model::Model::new(&input, Objective::Distance, 4.0, None);
        let sel = selection::select(&input, &options).expect("selection");
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        let score = model.score(&start);
        let stop = || Instant::now() >= deadline;
        let bound = median_bound::lagrangian_bound(&model, &sel, k, &start, score, stop);
        // Values are minus person-km: the bound is a floor on person-km.
        let floor_km = -bound;
        let best = brute_force_least_km(&input, k);
        assert!(
            floor_km <= best * (1.0 + 1e-6),
            "seed {seed}: bound says ≥ {floor_km} person-km, yet {best} is reachable"
        );
        gaps.push((best - floor_km) / best);
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let worst = gaps.iter().copied().fold(0.0, f64::max);
    eprintln!("bound gaps: mean {mean:.5}, worst {worst:.5}");
    assert!(
        mean < 0.01 && worst < 0.05,
        "bound gaps: mean {mean:.4}, worst {worst:.4}"
    );
}

/// Cancel stops the exact search within moments, even in HiGHS's root
/// relaxation (about 6 s here, where HiGHS hears no stop request), and the
/// answer is the best plan found by then, re-scored from coordinates, with
/// any bound it claims honest (`mip::tests` checks the bound is kept).
#[test]
fn a_cancelled_solve_stops_at_once_with_the_best_plan_found() {
    use crate::job::CancelAfter;
    // Not proven in 20 s (gap 1.6 % then): the search is still on at 4 s.
    let input = random_input(77, 4_000, 600, 0, 90.0);
    let mut options = SitingOptions::new(15, 12.0, Objective::Coverage);
    let heuristic = plan_heuristic(&input, &options).expect("heuristic");
    options.time_limit_seconds = 300.0;
    let person = CancelAfter::new(std::time::Duration::from_secs(4));
    let stopped = plan_watched(&input, &options, &person).expect("plan");
    let solving = person
        .solving_since()
        .expect("the solver started")
        .elapsed();
    eprintln!("cancelled run solving {solving:?}, gap {:?}", stopped.gap);
    assert!(stopped.cancelled, "not reported cancelled");
    assert!(
        solving.as_secs_f64() < 5.5,
        "cancelled at 4 s, ran {solving:?}"
    );
    let got = covered(&input, &chosen(&stopped), options.radius_km);
    assert!((stopped.covered_after - got).abs() < 1e-6);
    assert!(
        got >= heuristic.covered_after - 1e-6,
        "{got} < the heuristic's"
    );
    if let Some(gap) = stopped.gap {
        let bound = stopped.bound.expect("a gap comes with its bound");
        assert!(bound >= got - 1e-6 && gap > 0.0, "bound {bound}, gap {gap}");
    }
}

/// p-median too large for HiGHS within a short limit is bounded by
/// Lagrangian relaxation until the deadline; Cancel ends that as well, and
/// the bound it had is still a bound.
#[test]
fn a_cancelled_lagrangian_bound_stops_at_once_and_still_bounds() {
    use crate::job::CancelAfter;
    // 1.2 million pairs: past `MEDIAN_MIP_PAIRS`, so bounded, not solved.
    let input = random_input(78, 3_000, 400, 0, 60.0);
    let mut options = SitingOptions::new(8, 3.0, Objective::Distance);
    options.time_limit_seconds = 40.0;
    let person = CancelAfter::new(std::time::Duration::from_millis(300));
    let started = Instant::now();
    let stopped = plan_watched(&input, &options, &person).expect("plan");
    let took = started.elapsed().as_secs_f64();
    let heuristic = plan_heuristic(&input, &options).expect("heuristic");
    eprintln!("cancelled bound: {took:.1} s, gap {:?}", stopped.gap);
    assert!(
        took < 30.0,
        "the 40 s bound ran on after Cancel: {took:.1} s"
    );
    assert!(stopped.cancelled);
    assert_eq!(chosen(&stopped), chosen(&heuristic));
    let km = person_km(&input, &chosen(&stopped));
    let bound = stopped.bound.expect("the bound had a value");
    // Values are minus person-km: the bound is a floor on person-km.
    assert!(
        -bound <= km * (1.0 + 1e-9),
        "bound {bound} above the plan's −{km}"
    );
}

/// With capacities, the rule of the README: people go to the open points
/// in the way that serves the most (weighted) people within the radius, or,
/// for distance, the least person-km with each unserved person counted at
/// half the Earth's circumference; an area's people may be split and no
/// point takes more than its room. Recomputed here as a linear programme
/// over distances from coordinates (the app uses its own flow algorithm).
fn best_served(input: &SitingInput, chosen: &[&str], options: &SitingOptions) -> f64 {
    use highs::{HighsModelStatus, RowProblem, Sense};
    let days = options.capacity_days.expect("a capacity run");
    let far = std::f64::consts::PI * EARTH_KM;
    let mut pb = RowProblem::default();
    let mut by_area = vec![Vec::new(); input.areas.len()];
    for point in input.points.iter() {
        if !(point.open || chosen.contains(&point.site_code.as_str())) {
            continue;
        }
        let mut takes = Vec::new();
        for (a, area) in input.areas.iter().enumerate() {
            let d = km((area.lat, area.lon), (point.lat, point.lon));
            let value = match options.objective {
                Objective::Coverage if d <= options.radius_km => area.weight,
                Objective::Coverage => continue,
                Objective::Distance => far - d,
            };
            let x = pb.add_column(value, 0.0..);
            by_area[a].push((x, 1.0));
            takes.push((x, 1.0));
        }
        if let Some(per_day) = point.capacity_per_day {
            pb.add_row(..=per_day * days, takes);
        }
    }
    for (area, row) in input.areas.iter().zip(by_area) {
        pb.add_row(..=area.eligible, row);
    }
    let everyone_unserved = match options.objective {
        Objective::Coverage => 0.0,
        Objective::Distance => -far * input.areas.iter().map(|a| a.eligible).sum::<f64>(),
    };
    if pb.num_cols() == 0 {
        return everyone_unserved;
    }
    let mut lp = pb.optimise(Sense::Maximise);
    lp.make_quiet();
    let solved = lp.solve();
    assert_eq!(solved.status(), HighsModelStatus::Optimal);
    everyone_unserved + solved.objective_value()
}

/// Capacity runs are solved exactly too: judged against every choice of
/// points, each valued by the best assignment recomputed from coordinates,
/// the plan is the best, it says it is proven, and its reported figures are
/// the rule's.
#[test]
fn capacity_runs_are_the_brute_force_best_and_proven() {
    for seed in 0..60u64 {
        let input = random_input(4_000 + seed, 30, 9, (seed % 2) as usize, 20.0);
        let objective = if seed % 2 == 0 {
            Objective::Coverage
        } else {
            Objective::Distance
        };
        let mut options = SitingOptions::new(2 + (seed % 2) as usize, 4.0, objective);
        let days = 5.0 + (seed % 4) as f64 * 10.0;
        options.capacity_days = Some(days);
        let report = plan(&input, &options).expect("plan");
        let best = every_choice(&input, options.k)
            .iter()
            .map(|set| best_served(&input, set, &options))
            .fold(f64::NEG_INFINITY, f64::max);
        let got = best_served(&input, &chosen(&report), &options);
        let slack = 1e-6 * best.abs().max(1.0);
        assert!(
            got >= best - slack,
            "seed {seed} {objective:?}: {got} < the best {best}"
        );
        if objective == Objective::Coverage {
            let reported = report.covered_after;
            assert!(
                (reported - got).abs() < slack,
                "seed {seed}: reports {reported} covered, the rule gives {got}"
            );
        }
        // Beyond the radius anyone may go anywhere with room: only the
        // people beyond every open point's total room are left unserved.
        let open = open_points(&input, &chosen(&report));
        let room: f64 = open
            .iter()
            .map(|p| p.capacity_per_day.map_or(f64::INFINITY, |c| c * days))
            .sum();
        let eligible: f64 = input.areas.iter().map(|a| a.eligible).sum();
        let reported = report
            .unserved_eligible_after
            .expect("capacity runs count the unserved");
        assert!(
            (reported - (eligible - room).max(0.0)).abs() < 1e-6 * eligible,
            "seed {seed}: {reported} unserved, room {room} for {eligible}"
        );
        assert_eq!(report.method, "highs", "seed {seed}");
        assert_eq!(report.gap, Some(0.0), "seed {seed}: not proven");
        let bound = report.bound.expect("a proven plan has its bound");
        assert!(bound + slack >= best, "seed {seed}: bound {bound} < {best}");
    }
}

/// A capacity run HiGHS cannot prove in seconds (1,500 areas × 90
/// candidates, p-median: 135,000 lanes): stopped by its time limit at once,
/// or by the person a second into the search, it answers promptly with a
/// plan at least as good as greedy's (its start) and a bound that holds.
#[test]
fn a_capacity_solve_stopped_by_time_or_by_cancel_keeps_the_best_plan_found() {
    use crate::job::CancelAfter;
    let input = random_input(82, 1_500, 90, 0, 60.0);
    let mut options = SitingOptions::new(15, 10.0, Objective::Distance);
    options.capacity_days = Some(30.0);
    let greedy: Vec<&str> = {
        let sel = select(&input, &options).expect("selection");
        let model = Model::new(&input, options.objective, 10.0, Some(30.0));
        let (set, _, _) = heuristic(&model, &sel, options.k, false);
        let codes: Vec<&str> = set
            .iter()
            .map(|&p| input.points[p].site_code.as_str())
            .collect();
        codes
    };
    let floor = best_served(&input, &greedy, &options);

    options.time_limit_seconds = 0.0;
    let started = Instant::now();
    let timed_out = plan(&input, &options).expect("plan");
    let took = started.elapsed().as_secs_f64();
    assert!(!timed_out.cancelled);
    assert!(took < 60.0, "a zero time limit took {took:.1} s");

    options.time_limit_seconds = 300.0;
    let person = CancelAfter::new(std::time::Duration::from_secs(1));
    let stopped = plan_watched(&input, &options, &person).expect("plan");
    let solving = person.solving_since().expect("the solver started");
    eprintln!(
        "cancelled capacity run: answered {:?} into the solve, gap {:?}",
        solving.elapsed(),
        stopped.gap
    );
    assert!(stopped.cancelled, "not reported cancelled");
    // Answering means scoring the plan and measuring it for the report
    // (k + 2 assignments over every (area, open point) pair; about 1.5 s in
    // this unoptimised test build, a tenth of that in the app's).
    assert!(
        solving.elapsed().as_secs_f64() < 5.0,
        "cancelled at 1 s of a 300 s limit, answered at {:?}",
        solving.elapsed()
    );
    for report in [&timed_out, &stopped] {
        let got = best_served(&input, &chosen(report), &options);
        assert!(
            got >= floor - 1e-6 * floor.abs(),
            "{got} is worse than greedy's {floor}"
        );
        if let Some(bound) = report.bound {
            assert!(bound >= got - 1e-6 * got.abs(), "bound {bound} < {got}");
        }
    }
}
