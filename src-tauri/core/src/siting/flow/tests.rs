//! The flow judged by a linear programme of the tests' own, solved by
//! HiGHS's simplex (another algorithm on the same rule), and by hand.

use super::*;
use crate::rng::Rng;
use highs::{HighsModelStatus, RowProblem, Sense};

/// The rule as a linear programme: maximise Σ value × sent subject to each
/// area sending at most its people and each point taking at most its room.
fn lp_best(people: &[f64], room: &[f64], lanes: &[Lane]) -> f64 {
    if lanes.is_empty() {
        return 0.0; // nobody can go anywhere (HiGHS calls this model empty)
    }
    let mut pb = RowProblem::default();
    let cols: Vec<_> = lanes
        .iter()
        .map(|l| pb.add_column(l.value, 0.0..))
        .collect();
    for (a, &p) in people.iter().enumerate() {
        let row = lanes.iter().zip(&cols).filter(|(l, _)| l.area == a);
        pb.add_row(..=p, row.map(|(_, &c)| (c, 1.0)));
    }
    for (p, &r) in room.iter().enumerate() {
        if r.is_finite() {
            let row = lanes.iter().zip(&cols).filter(|(l, _)| l.point == p);
            pb.add_row(..=r, row.map(|(_, &c)| (c, 1.0)));
        }
    }
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    let solved = model.solve();
    assert_eq!(solved.status(), HighsModelStatus::Optimal);
    lanes
        .iter()
        .zip(solved.get_solution().columns())
        .map(|(l, x)| l.value * x)
        .sum()
}

fn lane(area: usize, point: usize, value: f64) -> Lane {
    Lane { area, point, value }
}

#[test]
fn the_best_assignment_is_not_nearest_first() {
    // Area 0 (100 people) may go to point 0 or point 1; area 1 (60 people)
    // only to point 0, which has room for 60. Sending area 0 to point 0
    // first (it is nearer) would strand area 1.
    let lanes = [lane(0, 0, 10.0), lane(0, 1, 9.0), lane(1, 0, 8.0)];
    let (value, sent) = best_assignment(&[100.0, 60.0], &[60.0, f64::INFINITY], &lanes);
    assert_eq!(sent, vec![0.0, 100.0, 60.0]);
    assert!((value - (900.0 + 480.0)).abs() < 1e-9);
}

#[test]
fn lanes_worth_nothing_carry_nobody() {
    let lanes = [lane(0, 0, 0.0), lane(0, 1, -3.0), lane(0, 1, 2.0)];
    let (value, sent) = best_assignment(&[10.0], &[5.0, 4.0], &lanes);
    assert_eq!(sent, vec![0.0, 0.0, 4.0]);
    assert!((value - 8.0).abs() < 1e-12);
}

#[test]
fn matches_the_linear_programme_and_keeps_every_limit_on_300_random_networks() {
    let mut rng = Rng::new(2021);
    // Rounds of one path and rounds of blocking flows: both are judged.
    let mut rounds_of = [0, 0];
    for case in 0..300 {
        let n_areas = 1 + rng.below(25) as usize;
        let n_points = 1 + rng.below(8) as usize;
        let people: Vec<f64> = (0..n_areas).map(|_| rng.below(500) as f64).collect();
        let room: Vec<f64> = (0..n_points)
            .map(|_| match rng.below(4) {
                0 => f64::INFINITY,
                _ => rng.below(400) as f64,
            })
            .collect();
        let mut lanes = Vec::new();
        for a in 0..n_areas {
            for p in 0..n_points {
                if rng.below(3) > 0 {
                    // Coverage-like (one value per area) or distance-like.
                    let value = if case % 2 == 0 {
                        1.0 + (a % 3) as f64
                    } else {
                        20_000.0 - rng.below(40_000) as f64 / 1000.0
                    };
                    lanes.push(lane(a, p, value));
                }
            }
        }
        rounds_of[usize::from(Network::new(&people, &room, &lanes).many_equal_paths)] += 1;
        let (value, sent) = best_assignment(&people, &room, &lanes);
        let best = lp_best(&people, &room, &lanes);
        assert!(
            (value - best).abs() <= 1e-7 * best.abs().max(1.0),
            "case {case}: flow {value} vs LP {best}"
        );
        let mut out = vec![0.0; n_areas];
        let mut took = vec![0.0; n_points];
        for (l, s) in lanes.iter().zip(&sent) {
            assert!(*s >= 0.0, "case {case}: negative flow {s}");
            out[l.area] += s;
            took[l.point] += s;
        }
        for a in 0..n_areas {
            assert!(out[a] <= people[a] + 1e-6, "case {case}: area {a} over");
        }
        for p in 0..n_points {
            assert!(took[p] <= room[p] + 1e-6, "case {case}: point {p} over");
        }
    }
    assert!(
        rounds_of.iter().all(|&n| n >= 50),
        "cases per kind of round (one path, blocking flows): {rounds_of:?}"
    );
}
