//! An offline map of a siting run (no tiles, nothing fetched): areas as
//! circles sized by population and coloured by coverage, open sites and
//! chosen points with one marker shape per kind and each one's coverage
//! radius, a legend, a km scale bar and a title with the figures.
//!
//! Areas are the only SVG `<circle>` elements: radius rings, markers and
//! legend dots are drawn as polygons, so the UI and the tests can count
//! the areas drawn.

use super::geo::EARTH_RADIUS_KM;
use super::map_words::{map_words, MapWords};
use super::report::{AreaResult, PointResult, SitingReport};
use crate::charts::style::{px, BLUE, FONT, GREEN, GREY, GRID, INK, ORANGE, SKY_BLUE, VERMILLION};
use crate::charts::{chart_error, BarBox, Drawing};
use crate::error::Result;
use crate::locale::Lang;
use legend::{legend, scale_bar};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;

/// A siting report drawn as a map; the rings use the report's radius.
pub struct SiteMap<'a> {
    report: &'a SitingReport,
}

impl<'a> SiteMap<'a> {
    pub fn new(report: &'a SitingReport) -> Self {
        SiteMap { report }
    }
}

/// Equirectangular projection with x scaled by cos(mean latitude): over a
/// region, a km east and a km north are then the same length on screen.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    lat0: f64,
    lon0: f64,
    cos_lat: f64,
    /// Pixels per km.
    pub scale: f64,
    cx: f64,
    cy: f64,
}

impl Projection {
    /// Fits `places` (lat, lon), padded by `pad_km` on every side, into the
    /// pixel box `(x0, y0, x1, y1)`, centred.
    pub fn fit(places: &[(f64, f64)], rect: (i32, i32, i32, i32), pad_km: f64) -> Self {
        let n = places.len().max(1) as f64;
        let mean_lat = places.iter().map(|p| p.0).sum::<f64>() / n;
        let cos_lat = mean_lat.to_radians().cos().max(0.01);
        let bounds = places
            .iter()
            .fold(None, |b: Option<[f64; 4]>, &(lat, lon)| {
                Some(b.map_or([lat, lat, lon, lon], |[a, b, c, d]| {
                    [a.min(lat), b.max(lat), c.min(lon), d.max(lon)]
                }))
            });
        let [lat_min, lat_max, lon_min, lon_max] = bounds.unwrap_or([0.0; 4]);
        let width_km = (lon_max - lon_min) * KM_PER_DEGREE * cos_lat + 2.0 * pad_km;
        let height_km = (lat_max - lat_min) * KM_PER_DEGREE + 2.0 * pad_km;
        let width_px = f64::from((rect.2 - rect.0).max(1));
        let height_px = f64::from((rect.3 - rect.1).max(1));
        Projection {
            lat0: (lat_min + lat_max) / 2.0,
            lon0: (lon_min + lon_max) / 2.0,
            cos_lat,
            scale: (width_px / width_km.max(0.1)).min(height_px / height_km.max(0.1)),
            cx: f64::from(rect.0 + rect.2) / 2.0,
            cy: f64::from(rect.1 + rect.3) / 2.0,
        }
    }

    /// Km east and north of the map's centre.
    pub fn km(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            (lon - self.lon0) * KM_PER_DEGREE * self.cos_lat,
            (lat - self.lat0) * KM_PER_DEGREE,
        )
    }

    pub fn xy(&self, lat: f64, lon: f64) -> (i32, i32) {
        let (east, north) = self.km(lat, lon);
        (
            (self.cx + east * self.scale).round() as i32,
            (self.cy - north * self.scale).round() as i32,
        )
    }
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Square,
    Diamond,
    Triangle,
}

fn shape_of(kind: &str) -> Shape {
    match kind {
        "mass_clinic" => Shape::Square,
        "pharmacy" => Shape::Diamond,
        _ => Shape::Triangle,
    }
}

fn outline(shape: Shape, (x, y): (i32, i32), s: i32) -> Vec<(i32, i32)> {
    match shape {
        Shape::Square => vec![
            (x - s, y - s),
            (x + s, y - s),
            (x + s, y + s),
            (x - s, y + s),
        ],
        Shape::Diamond => {
            let d = s * 13 / 10;
            vec![(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
        }
        Shape::Triangle => {
            let d = s * 5 / 4;
            vec![(x, y - d), (x + d, y + d * 4 / 5), (x - d, y + d * 4 / 5)]
        }
    }
}

/// A circle as a closed polygon (not an SVG `<circle>`; see the module note).
fn ring(c: (i32, i32), r: f64, sides: usize) -> Vec<(i32, i32)> {
    (0..=sides)
        .map(|i| {
            let a = i as f64 / sides as f64 * std::f64::consts::TAU;
            (
                c.0 + (r * a.cos()).round() as i32,
                c.1 + (r * a.sin()).round() as i32,
            )
        })
        .collect()
}

/// A filled marker with an outline; no fill draws it hollow.
fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    fill: Option<RGBColor>,
    line: ShapeStyle,
) -> Result<()> {
    let mut closed = points.clone();
    closed.extend(points.first().copied());
    if let Some(colour) = fill {
        root.draw(&Polygon::new(points, colour.filled()))
            .map_err(chart_error)?;
    }
    root.draw(&PathElement::new(closed, line))
        .map_err(chart_error)
}

fn area_colour(a: &AreaResult) -> RGBColor {
    if a.covered {
        SKY_BLUE
    } else if a.weight > 1.0 {
        VERMILLION
    } else {
        ORANGE
    }
}

/// `3` or `2.5`: whole numbers without a decimal.
fn number(lang: Lang, x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        lang.group(x.round() as i64)
    } else {
        lang.decimal1(x)
    }
}

impl Drawing for SiteMap<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        lang: Lang,
    ) -> Result<Vec<BarBox>> {
        let r = self.report;
        let (width, h) = root.dim_in_pixel();
        let sz = |size: f64| px(h, size) as i32;
        root.fill(&WHITE).map_err(chart_error)?;
        let (pad, title_h, legend_w) = (sz(12.0), sz(62.0), sz(250.0));
        let map = (pad, title_h, width as i32 - legend_w, h as i32 - pad);
        let places: Vec<(f64, f64)> = r
            .areas
            .iter()
            .map(|a| (a.lat, a.lon))
            .chain(r.points.iter().map(|p| (p.lat, p.lon)))
            .collect();
        // Padded by the radius (at most 10 km) so most rings fit; what spills
        // past the map is painted over below.
        let proj = Projection::fit(&places, map, r.radius_km.clamp(0.3, 10.0));
        self.draw_rings(root, &proj, h)?;
        self.draw_areas(root, &proj, h)?;
        self.draw_points(root, &proj, h)?;
        // Rings may spill past the map: paint the margins white again.
        for (x0, y0, x1, y1) in [
            (0, 0, width as i32, map.1),
            (0, 0, map.0, h as i32),
            (map.2, 0, width as i32, h as i32),
            (0, map.3, width as i32, h as i32),
        ] {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))
                .map_err(chart_error)?;
        }
        root.draw(&Rectangle::new(
            [(map.0, map.1), (map.2, map.3)],
            GRID.stroke_width(1),
        ))
        .map_err(chart_error)?;
        scale_bar(root, &proj, map, lang, h)?;
        self.draw_title(root, lang, h)?;
        legend(root, (map.2 + pad, map.1), r.radius_km, lang, h)?;
        Ok(Vec::new())
    }
}

impl SiteMap<'_> {
    fn network(&self) -> impl Iterator<Item = &PointResult> {
        self.report
            .points
            .iter()
            .filter(|p| p.status == "open" || p.chosen)
    }

    fn draw_rings<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        proj: &Projection,
        h: u32,
    ) -> Result<()> {
        let radius = self.report.radius_km * proj.scale;
        for p in self.network() {
            let colour = if p.chosen { GREEN } else { BLUE };
            let outline = ring(proj.xy(p.lat, p.lon), radius, 72);
            root.draw(&Polygon::new(outline.clone(), colour.mix(0.06).filled()))
                .map_err(chart_error)?;
            root.draw(&PathElement::new(
                outline,
                colour.mix(0.55).stroke_width(px(h, 1.2)),
            ))
            .map_err(chart_error)?;
        }
        Ok(())
    }

    fn draw_areas<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        proj: &Projection,
        h: u32,
    ) -> Result<()> {
        let areas = &self.report.areas;
        let biggest = areas.iter().map(|a| a.population).max().unwrap_or(1).max(1) as f64;
        let max_r = f64::from(px(h, 13.0));
        let radius =
            |a: &AreaResult| (max_r * (a.population.max(0) as f64 / biggest).sqrt()).max(2.0);
        // Largest first, so small areas stay visible on top.
        let mut order: Vec<&AreaResult> = areas.iter().collect();
        order.sort_by_key(|a| std::cmp::Reverse(a.population));
        for a in &order {
            let style = area_colour(a).mix(0.8).filled();
            root.draw(&Circle::new(
                proj.xy(a.lat, a.lon),
                radius(a).round() as i32,
                style,
            ))
            .map_err(chart_error)?;
        }
        for a in order.iter().filter(|a| !a.covered && a.weight > 1.0) {
            let outline = ring(proj.xy(a.lat, a.lon), radius(a) + 1.5, 24);
            root.draw(&PathElement::new(outline, INK.stroke_width(px(h, 1.8))))
                .map_err(chart_error)?;
        }
        Ok(())
    }

    fn draw_points<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        proj: &Projection,
        h: u32,
    ) -> Result<()> {
        let points = &self.report.points;
        let candidates = points.iter().filter(|p| p.status != "open" && !p.chosen);
        for p in candidates {
            let at = proj.xy(p.lat, p.lon);
            let line = GREY.stroke_width(px(h, 1.5));
            marker(
                root,
                outline(shape_of(&p.kind), at, px(h, 5.0) as i32),
                None,
                line,
            )?;
        }
        for p in points.iter().filter(|p| p.status == "open") {
            let at = proj.xy(p.lat, p.lon);
            let shape = outline(shape_of(&p.kind), at, px(h, 6.5) as i32);
            marker(root, shape, Some(BLUE), WHITE.stroke_width(px(h, 1.2)))?;
        }
        let label = (FONT, px(h, 13.0))
            .into_font()
            .style(FontStyle::Bold)
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for p in points.iter().filter(|p| p.chosen) {
            let at = proj.xy(p.lat, p.lon);
            let s = px(h, 8.0) as i32;
            marker(
                root,
                outline(shape_of(&p.kind), at, s),
                Some(GREEN),
                INK.stroke_width(px(h, 1.8)),
            )?;
            // A light backing keeps the code readable over areas and rings.
            let x = at.0 + s + px(h, 4.0) as i32;
            let half = px(h, 8.0) as i32;
            let width = (p.site_code.chars().count() as f64 * f64::from(px(h, 13.0)) * 0.68) as i32;
            let backing = [(x - 2, at.1 - half), (x + width + 2, at.1 + half)];
            root.draw(&Rectangle::new(backing, WHITE.mix(0.75).filled()))
                .map_err(chart_error)?;
            let text = Text::new(p.site_code.as_str(), (x, at.1), label.clone());
            root.draw(&text).map_err(chart_error)?;
        }
        Ok(())
    }

    fn draw_title<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        lang: Lang,
        h: u32,
    ) -> Result<()> {
        let (title, subtitle) = title_lines(self.report, map_words(lang), lang);
        let x = px(h, 12.0) as i32;
        let bold = (FONT, px(h, 19.0))
            .into_font()
            .style(FontStyle::Bold)
            .color(&INK);
        root.draw(&Text::new(title, (x, px(h, 10.0) as i32), bold))
            .map_err(chart_error)?;
        let regular = (FONT, px(h, 14.0)).into_font().color(&INK);
        root.draw(&Text::new(subtitle, (x, px(h, 36.0) as i32), regular))
            .map_err(chart_error)
    }
}

/// The title (k, radius, objective) and the figures line (coverage and
/// mean distance, before → after).
pub fn title_lines(r: &SitingReport, w: &MapWords, lang: Lang) -> (String, String) {
    let title = format!(
        "{} {} · {} {} km · {}",
        r.k,
        w.new_points(r.k),
        w.radius,
        number(lang, r.radius_km),
        w.objective(r.objective)
    );
    let people = |x: f64| lang.group(x.round() as i64);
    let share = |x: f64| {
        let pct = if r.weighted_total > 0.0 {
            100.0 * x / r.weighted_total
        } else {
            0.0
        };
        format!("{}{}", lang.decimal1(pct), w.percent)
    };
    let km = |d: Option<f64>| d.map_or("–".to_owned(), |d| lang.decimal1(d));
    let subtitle = format!(
        "{}{} {} → {} {} ({} → {}) · {} {} → {} km",
        w.covered_label,
        w.colon,
        people(r.covered_before),
        people(r.covered_after),
        w.weighted_people,
        share(r.covered_before),
        share(r.covered_after),
        w.mean_distance,
        km(r.mean_distance_km_before),
        km(r.mean_distance_km_after),
    );
    (title, subtitle)
}

mod legend;
#[cfg(test)]
mod tests;
