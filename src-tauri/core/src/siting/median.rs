//! p-median: every point serves every area, so its rows are dense distance
//! tables (f32 km: 40 MB for 1,000 points × 10,000 areas).

use super::geo::EARTH_RADIUS_KM;
use super::instance::SitingInput;
use super::model::Rows;

pub(crate) fn rows_all_pairs(input: &SitingInput) -> Rows {
    let n = input.areas.len();
    // Haversine with each area's trigonometry computed once, not per pair.
    let areas: Vec<(f64, f64, f64)> = input
        .areas
        .iter()
        .map(|a| {
            (
                a.lat.to_radians(),
                a.lon.to_radians(),
                a.lat.to_radians().cos(),
            )
        })
        .collect();
    let mut km = Vec::with_capacity(n * input.points.len());
    let mut starts = Vec::with_capacity(input.points.len() + 1);
    starts.push(0);
    for p in &input.points {
        let (plat, plon) = (p.lat.to_radians(), p.lon.to_radians());
        let pcos = plat.cos();
        for &(alat, alon, acos) in &areas {
            let h = ((alat - plat) / 2.0).sin().powi(2)
                + pcos * acos * ((alon - plon) / 2.0).sin().powi(2);
            km.push((2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()) as f32);
        }
        starts.push(km.len());
    }
    Rows {
        dense: true,
        starts,
        areas: Vec::new(),
        km,
    }
}
