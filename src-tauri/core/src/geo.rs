//! Great-circle distances on a spherical Earth, for siting and rebooking:
//! ample within a region, where the spherical error (< 0.5%) is far below
//! travel detours.

/// Mean Earth radius (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Haversine distance in km between two WGS84 points given in degrees.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = p2 - p1;
    let dlon = (lon2 - lon1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Degrees of latitude spanning `km` (a band that holds every point within
/// `km` of a given latitude, used to prune pairs before exact distances).
pub fn lat_degrees_for_km(km: f64) -> f64 {
    (km / EARTH_RADIUS_KM).to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ottawa_to_toronto_is_about_351_km() {
        // Ottawa (Parliament Hill) to Toronto (Union Station).
        let d = haversine_km(45.4236, -75.7009, 43.6453, -79.3806);
        assert!((d - 351.0).abs() < 3.0, "{d}");
    }

    #[test]
    fn zero_and_antipodes() {
        assert_eq!(haversine_km(45.0, -75.0, 45.0, -75.0), 0.0);
        let half = haversine_km(0.0, 0.0, 0.0, 180.0);
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }
}
