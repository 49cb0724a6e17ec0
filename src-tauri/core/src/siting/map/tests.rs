use super::legend::scale_km;
use super::*;
use crate::charts::{to_file, to_svg};
use crate::siting::geo::haversine_km;
use crate::siting::{plan, random_input, Objective, SitingOptions};

fn report() -> SitingReport {
    let input = random_input(7, 40, 8, 3, 20.0);
    plan(&input, &SitingOptions::new(3, 2.0, Objective::Coverage)).expect("plan")
}

fn pixel_distance(a: (i32, i32), b: (i32, i32)) -> f64 {
    f64::from(a.0 - b.0).hypot(f64::from(a.1 - b.1))
}

#[test]
fn projection_keeps_distance_ratios_east_and_north() {
    // 12 km east and 4 km north of a point in Ottawa.
    let (lat, lon): (f64, f64) = (45.40, -75.70);
    let east = (lat, lon + 12.0 / (KM_PER_DEGREE * lat.to_radians().cos()));
    let north = (lat + 4.0 / KM_PER_DEGREE, lon);
    let proj = Projection::fit(&[(lat, lon), east, north], (0, 0, 1000, 700), 1.0);
    let origin = proj.xy(lat, lon);
    let on_screen = pixel_distance(origin, proj.xy(east.0, east.1))
        / pixel_distance(origin, proj.xy(north.0, north.1));
    let on_earth =
        haversine_km(lat, lon, east.0, east.1) / haversine_km(lat, lon, north.0, north.1);
    assert!((on_earth - 3.0).abs() < 0.01, "{on_earth}");
    assert!(
        (on_screen / on_earth - 1.0).abs() < 0.01,
        "{on_screen} vs {on_earth}"
    );
    // Fitted inside the box, padding included.
    for (la, lo) in [(lat, lon), east, north] {
        let (x, y) = proj.xy(la, lo);
        assert!((0..=1000).contains(&x) && (0..=700).contains(&y), "{x},{y}");
    }
}

#[test]
fn svg_has_one_circle_per_area() {
    let r = report();
    let (svg, bars) = to_svg(&SiteMap::new(&r), Lang::En).expect("svg");
    assert!(bars.is_empty());
    assert_eq!(svg.matches("<circle").count(), r.areas.len());
    for c in &r.chosen {
        assert!(svg.contains(&c.site_code), "{} labelled", c.site_code);
    }
    assert!(svg.contains("objective: maximal coverage"));
}

#[test]
fn exports_png_and_svg_files() {
    let r = report();
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("map.png");
    to_file(&SiteMap::new(&r), Lang::Fr, &png).expect("png");
    let bytes = std::fs::read(&png).expect("read");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG file");
    let svg = dir.path().join("map.svg");
    to_file(&SiteMap::new(&r), Lang::En, &svg).expect("svg");
    assert!(std::fs::read_to_string(&svg)
        .expect("read")
        .starts_with("<svg"));
}

#[test]
fn titles_state_k_radius_objective_and_coverage() {
    let mut r = report();
    r.covered_before = 512_345.4;
    r.covered_after = 634_567.0;
    r.radius_km = 2.5;
    let (title, figures) = title_lines(&r, map_words(Lang::Fr), Lang::Fr);
    assert!(
        title.starts_with("3 nouveaux points de distribution · rayon 2,5 km"),
        "{title}"
    );
    assert!(
        figures.contains("512\u{a0}345 → 634\u{a0}567 personnes pondérées"),
        "{figures}"
    );
    let (title, figures) = title_lines(&r, map_words(Lang::En), Lang::En);
    assert!(
        title
            .starts_with("3 new distribution points · radius 2.5 km · objective: maximal coverage"),
        "{title}"
    );
    assert!(
        figures.contains("512,345 → 634,567 weighted people"),
        "{figures}"
    );
}

#[test]
fn scale_bar_is_a_round_fifth_of_the_map() {
    assert_eq!(scale_km(30.0), 5.0);
    assert_eq!(scale_km(9.0), 1.0);
    assert_eq!(scale_km(1.0), 0.5);
}
