//! Maximal covering: which areas each point covers. Areas are sorted by
//! latitude once; each point then measures only the areas in the latitude
//! band that can lie within the radius (and, away from the poles, a
//! longitude window), instead of all of them.

use super::geo::{haversine_km, lat_degrees_for_km};
use super::instance::SitingInput;
use super::model::Rows;

pub(crate) fn rows_within_radius(input: &SitingInput, radius_km: f64) -> Rows {
    let mut by_lat: Vec<usize> = (0..input.areas.len()).collect();
    by_lat.sort_by(|&a, &b| input.areas[a].lat.total_cmp(&input.areas[b].lat));
    let lats: Vec<f64> = by_lat.iter().map(|&a| input.areas[a].lat).collect();
    let band = lat_degrees_for_km(radius_km) * 1.000_001;
    let mut rows = Rows {
        dense: false,
        starts: vec![0],
        areas: Vec::new(),
        km: Vec::new(),
    };
    let mut hits: Vec<(u32, f32)> = Vec::new();
    for p in &input.points {
        let from = lats.partition_point(|&l| l < p.lat - band);
        let to = lats.partition_point(|&l| l <= p.lat + band);
        // Longitude window: the widest longitude gap at distance δ from a
        // point at latitude φ is asin(sin δ / cos φ); φ is taken at the band's
        // poleward edge, which only widens it. Near a pole, no window.
        let max_lat = (p.lat.abs() + band).min(90.0);
        let reach = (radius_km / super::geo::EARTH_RADIUS_KM).sin() / max_lat.to_radians().cos();
        let lon_band = if max_lat < 89.0 && reach < 1.0 {
            reach.asin().to_degrees() * 1.000_001
        } else {
            360.0
        };
        hits.clear();
        for &a in &by_lat[from..to] {
            let area = &input.areas[a];
            let dlon = (area.lon - p.lon).abs();
            if dlon.min(360.0 - dlon) > lon_band {
                continue;
            }
            let km = haversine_km(p.lat, p.lon, area.lat, area.lon);
            if km <= radius_km {
                hits.push((a as u32, km as f32));
            }
        }
        // Area order keeps memory access in the solver sequential.
        hits.sort_unstable_by_key(|h| h.0);
        for (a, km) in &hits {
            rows.areas.push(*a);
            rows.km.push(*km);
        }
        rows.starts.push(rows.areas.len());
    }
    rows
}
