//! The siting map's legend and scale bar.

use super::map_words;
use super::{marker, number, outline, ring, Projection, Shape};
use crate::charts::chart_error;
use crate::charts::style::{px, BLUE, FONT, GREEN, GREY, INK, ORANGE, SKY_BLUE, VERMILLION};
use crate::error::Result;
use crate::locale::Lang;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The legend: area colours, site colours and shapes, the radius ring.
pub(super) fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, top): (i32, i32),
    radius_km: f64,
    lang: Lang,
    h: u32,
) -> Result<()> {
    let w = map_words(lang);
    let radius = format!("{} {} km", w.ring, number(lang, radius_km));
    let rows = [
        (Swatch::Header, w.areas),
        (Swatch::Dot(SKY_BLUE), w.covered),
        (Swatch::Dot(ORANGE), w.not_covered),
        (Swatch::Hotspot, w.hotspot),
        (Swatch::Header, w.sites),
        (Swatch::Marker(Shape::Square, Some(BLUE), BLUE), w.open),
        (Swatch::Marker(Shape::Square, Some(GREEN), INK), w.chosen),
        (Swatch::Marker(Shape::Square, None, GREY), w.candidate),
        (Swatch::Marker(Shape::Square, None, INK), w.mass_clinic),
        (Swatch::Marker(Shape::Diamond, None, INK), w.pharmacy),
        (Swatch::Marker(Shape::Triangle, None, INK), w.other),
        (Swatch::Ring, radius.as_str()),
    ];
    let step = px(h, 22.0) as i32;
    let text_x = x + px(h, 24.0) as i32;
    let mut y = top + step / 2;
    for (swatch, label) in rows {
        let centre = (x + px(h, 8.0) as i32, y);
        let weight = match swatch {
            Swatch::Header => FontStyle::Bold,
            _ => FontStyle::Normal,
        };
        let font = (FONT, px(h, 13.0)).into_font().style(weight).color(&INK);
        let text_at = if matches!(swatch, Swatch::Header) {
            x
        } else {
            text_x
        };
        swatch.draw(root, centre, h)?;
        let style = font.pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label, (text_at, y), style))
            .map_err(chart_error)?;
        y += step;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Swatch {
    Header,
    Dot(RGBColor),
    Hotspot,
    Marker(Shape, Option<RGBColor>, RGBColor),
    Ring,
}

impl Swatch {
    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        at: (i32, i32),
        h: u32,
    ) -> Result<()> {
        let r = f64::from(px(h, 7.0));
        match self {
            Swatch::Header => Ok(()),
            Swatch::Dot(colour) => root
                .draw(&Polygon::new(ring(at, r, 20), colour.mix(0.8).filled()))
                .map_err(chart_error),
            Swatch::Hotspot => {
                root.draw(&Polygon::new(ring(at, r, 20), VERMILLION.mix(0.8).filled()))
                    .map_err(chart_error)?;
                root.draw(&PathElement::new(
                    ring(at, r + 1.5, 20),
                    INK.stroke_width(px(h, 1.8)),
                ))
                .map_err(chart_error)
            }
            Swatch::Marker(shape, fill, line) => {
                let s = px(h, 6.0) as i32;
                marker(
                    root,
                    outline(shape, at, s),
                    fill,
                    line.stroke_width(px(h, 1.5)),
                )
            }
            Swatch::Ring => root
                .draw(&PathElement::new(
                    ring(at, r, 24),
                    BLUE.mix(0.55).stroke_width(px(h, 1.2)),
                ))
                .map_err(chart_error),
        }
    }
}

/// A round length near a fifth of the map's width, for the scale bar.
pub(super) fn scale_km(map_width_km: f64) -> f64 {
    [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .rev()
        .find(|&km| km <= map_width_km / 5.0)
        .unwrap_or(0.5)
}

/// A round distance as a bar at the map's lower left.
pub(super) fn scale_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    proj: &Projection,
    map: (i32, i32, i32, i32),
    lang: Lang,
    h: u32,
) -> Result<()> {
    let km = scale_km(f64::from(map.2 - map.0) / proj.scale);
    let len = (km * proj.scale).round() as i32;
    let (x0, y) = (map.0 + px(h, 16.0) as i32, map.3 - px(h, 16.0) as i32);
    let tick = px(h, 5.0) as i32;
    let backing = [
        (x0 - tick, y - px(h, 26.0) as i32),
        (x0 + len + tick, y + tick + 2),
    ];
    root.draw(&Rectangle::new(backing, WHITE.mix(0.85).filled()))
        .map_err(chart_error)?;
    let line = INK.stroke_width(px(h, 2.0));
    root.draw(&PathElement::new(
        vec![(x0, y - tick), (x0, y), (x0 + len, y), (x0 + len, y - tick)],
        line,
    ))
    .map_err(chart_error)?;
    let style = (FONT, px(h, 12.0))
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    root.draw(&Text::new(
        format!("{} km", number(lang, km)),
        (x0 + len / 2, y - tick),
        style,
    ))
    .map_err(chart_error)
}
