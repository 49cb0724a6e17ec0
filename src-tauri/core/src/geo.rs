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

/// A Canadian postal code's position: the centroid of its forward
/// sortation area (its first three characters; Statistics Canada 2021,
/// `assets/national/fsa_centroids_canada.json`, carried in the app). An FSA
/// is a few km across, so the position is approximate. `None` when the
/// text is not a postal code (A1A or A1A 1A1, any case, spaces anywhere)
/// or its FSA is unknown.
pub fn postal_code_position(text: &str) -> Option<(f64, f64)> {
    static CENTROIDS: std::sync::OnceLock<std::collections::HashMap<String, [f64; 2]>> =
        std::sync::OnceLock::new();
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let shape = |c: char, i: usize| {
        if i.is_multiple_of(2) {
            c.is_ascii_uppercase()
        } else {
            c.is_ascii_digit()
        }
    };
    if !(code.len() == 3 || code.len() == 6) || !code.chars().enumerate().all(|(i, c)| shape(c, i))
    {
        return None;
    }
    let centroids = CENTROIDS.get_or_init(|| {
        // Checked by the test below: a broken file would fail it, not a user.
        serde_json::from_str(include_str!(
            "../../../assets/national/fsa_centroids_canada.json"
        ))
        .unwrap_or_default()
    });
    centroids.get(&code[..3]).map(|[lat, lon]| (*lat, *lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postal_code_is_placed_at_its_fsa_centroid() {
        // PROVENANCE.md: K1H = 45.38828, -75.65995.
        let (lat, lon) = postal_code_position("k1h 8l6").expect("K1H");
        assert!(
            (lat - 45.38828).abs() < 1e-4 && (lon + 75.65995).abs() < 1e-4,
            "{lat} {lon}"
        );
        assert_eq!(postal_code_position("K1H8L6"), Some((lat, lon)));
        assert_eq!(postal_code_position(" K1H "), Some((lat, lon)));
        for not_one in ["", "K1", "KKH 8L6", "K1H 8L", "12345", "K1H-8L6"] {
            assert_eq!(postal_code_position(not_one), None, "{not_one:?}");
        }
        // A well-formed code whose FSA does not exist.
        assert_eq!(postal_code_position("Z9Z 9Z9"), None);
    }

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
