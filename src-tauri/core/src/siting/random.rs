//! Seeded random instances for the tests and the bench.

use super::instance::{AreaInput, PointInput, SitingInput};
use crate::rng::Rng;

fn uniform(rng: &mut Rng) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

/// `areas` areas and `candidates` candidates (plus `open` open sites)
/// scattered uniformly over a square of `span_km` around Ottawa; about one
/// area in five is a hotspot (weight 2).
pub fn random_input(
    seed: u64,
    areas: usize,
    candidates: usize,
    open: usize,
    span_km: f64,
) -> SitingInput {
    let mut rng = Rng::new(seed);
    let (lat0, lon0): (f64, f64) = (45.42, -75.70);
    let dlat = super::geo::lat_degrees_for_km(span_km);
    let dlon = dlat / lat0.to_radians().cos();
    let place = |rng: &mut Rng| {
        (
            lat0 + (uniform(rng) - 0.5) * dlat,
            lon0 + (uniform(rng) - 0.5) * dlon,
        )
    };
    let areas = (0..areas)
        .map(|i| {
            let (lat, lon) = place(&mut rng);
            let population = 100 + rng.below(9_900) as i64;
            AreaInput {
                area_id: format!("A{i}"),
                name: None,
                lat,
                lon,
                population,
                eligible: (population as f64 * 0.85).round(),
                weight: if rng.chance(0.2) { 2.0 } else { 1.0 },
            }
        })
        .collect();
    let points = (0..open + candidates)
        .map(|i| {
            let (lat, lon) = place(&mut rng);
            let is_open = i < open;
            PointInput {
                site_code: if is_open {
                    format!("O{i}")
                } else {
                    format!("C{}", i - open)
                },
                name: format!("Point {i}"),
                kind: "pharmacy".into(),
                lat,
                lon,
                capacity_per_day: Some(50.0 + rng.below(250) as f64),
                open: is_open,
            }
        })
        .collect();
    SitingInput { areas, points }
}
