//! Charts drawn with plotters: SVG strings for the UI, SVG or PNG files for
//! export. Every drawing function is generic over the backend; text uses the
//! embedded DejaVu Sans, so nothing depends on the fonts a machine has.

pub(crate) mod axes;
mod cumulative;
pub mod daily;
pub mod data;
pub mod provenance;
mod sites;
pub mod style;
mod text;

use crate::error::{Error, Result};
use crate::locale::Lang;
use chrono::NaiveDate;
use plotters::prelude::*;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Daily doses as bars, with bookings, capacity, 7-day average and the record day.
    Daily,
    /// Cumulative regional doses and their share of the province's.
    Cumulative,
    /// One small daily chart per site.
    Sites,
}

impl ChartKind {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "daily" => Some(ChartKind::Daily),
            "cumulative" => Some(ChartKind::Cumulative),
            "sites" => Some(ChartKind::Sites),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ChartRequest {
    pub kind: ChartKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One site's code; region-wide when absent (daily and cumulative charts).
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub lang: Lang,
}

/// Where a day's bar lies in the SVG, so the UI can show its numbers on hover.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BarBox {
    pub date: String,
    pub x0: i32,
    pub x1: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SvgChart {
    pub svg: String,
    pub width: u32,
    pub height: u32,
    /// Daily charts: each day's horizontal extent in SVG pixels.
    pub bars: Vec<BarBox>,
    /// Daily charts: the numbers drawn, for the table under the chart.
    pub days: Vec<data::DailyPoint>,
    /// Daily charts: which series were drawn (and so are in the legend).
    pub drawn: Option<daily::Drawn>,
}

/// Size of charts in the UI and of exported SVG files.
pub const SCREEN: (u32, u32) = (1200, 560);
/// Size of exported PNG files: sharp on a projected slide.
pub const SLIDE: (u32, u32) = (1920, 960);

/// Anything drawn on a plotters backend: the charts here, the siting map,
/// the shift planner's chart. `to_svg` and `to_file` render any of them.
pub trait Drawing {
    /// Draws on `root`; returns each day's bar extent where the drawing has bars.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        lang: Lang,
    ) -> Result<Vec<BarBox>>;
}

/// Renders a drawing as an SVG string at screen size, with its bar extents.
pub fn to_svg(drawing: &impl Drawing, lang: Lang) -> Result<(String, Vec<BarBox>)> {
    to_svg_sized(drawing, lang, SCREEN)
}

/// Renders a drawing as an SVG string of `size` pixels (a briefing's box).
pub fn to_svg_sized(
    drawing: &impl Drawing,
    lang: Lang,
    size: (u32, u32),
) -> Result<(String, Vec<BarBox>)> {
    style::register_fonts()?;
    let mut svg = String::new();
    let bars = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let bars = drawing.draw(&root, lang)?;
        root.present().map_err(chart_error)?;
        bars
    };
    Ok((style::portable_svg(svg), bars))
}

/// A drawing as the bytes of a file named `path`: PNG (slide size) or SVG,
/// by the name's extension.
pub fn file_bytes(drawing: &impl Drawing, lang: Lang, path: &Path) -> Result<Vec<u8>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => Ok(to_svg(drawing, lang)?.0.into_bytes()),
        Some("png") => to_png(drawing, lang),
        _ => Err(Error::InvalidInput(format!(
            "{}: a chart is saved as .svg or .png",
            path.display()
        ))),
    }
}

/// Renders a drawing as a PNG of slide size.
pub fn to_png(drawing: &impl Drawing, lang: Lang) -> Result<Vec<u8>> {
    style::register_fonts()?;
    let (width, height) = SLIDE;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SLIDE).into_drawing_area();
        drawing.draw(&root, lang)?;
        root.present().map_err(chart_error)?;
    }
    let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], u8::MAX]);
    }
    let size = resvg::tiny_skia::IntSize::from_wh(width, height)
        .ok_or_else(|| Error::Render("chart size".into()))?;
    resvg::tiny_skia::Pixmap::from_vec(rgba, size)
        .ok_or_else(|| Error::Render("chart size".into()))?
        .encode_png()
        .map_err(|e| Error::Render(format!("chart PNG: {e}")))
}

/// Writes a drawing to `path` with no store at hand (tests' pictures).
#[cfg(test)]
pub(crate) fn to_file(drawing: &impl Drawing, lang: Lang, path: &Path) -> Result<()> {
    let bytes = file_bytes(drawing, lang, path)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, &e))
}

/// Draws a chart as an SVG string.
pub fn svg(conn: &Connection, req: &ChartRequest) -> Result<SvgChart> {
    let prepared = Prepared::load(conn, req)?;
    let (svg, bars) = to_svg(&prepared, req.lang)?;
    Ok(SvgChart {
        svg,
        width: SCREEN.0,
        height: SCREEN.1,
        bars,
        days: prepared.days(),
        drawn: prepared.drawn(),
    })
}

/// A chart as SVG of `size` pixels, for a page that sets its own box.
pub fn svg_sized(conn: &Connection, req: &ChartRequest, size: (u32, u32)) -> Result<SvgChart> {
    let prepared = Prepared::load(conn, req)?;
    let (svg, bars) = to_svg_sized(&prepared, req.lang, size)?;
    Ok(SvgChart {
        svg,
        width: size.0,
        height: size.1,
        bars,
        days: prepared.days(),
        drawn: prepared.drawn(),
    })
}

/// Writes a chart to `path`: PNG or SVG, by the file's extension, with the
/// DEMO label on demo data and its source line.
pub fn export(conn: &Connection, req: &ChartRequest, path: &Path) -> Result<()> {
    export_drawing(conn, &Prepared::load(conn, req)?, req.lang, path)
}

/// Writes any drawing to `path` as an export: labelled as `export` does.
pub fn export_drawing(
    conn: &Connection,
    drawing: &impl Drawing,
    lang: Lang,
    path: &Path,
) -> Result<()> {
    let provenance = provenance::Provenance::of(conn)?;
    let bytes = file_bytes(
        &provenance::Labelled {
            drawing,
            provenance: &provenance,
        },
        lang,
        path,
    )?;
    crate::export::write(conn, path, |w| {
        w.write_all(&bytes).map_err(|e| Error::io(path, &e))
    })?;
    Ok(())
}

/// A chart's data, read once, ready to draw on any backend.
enum Prepared {
    Daily(data::Daily),
    Cumulative(data::Cumulative),
    Sites(data::Sites),
}

impl Prepared {
    fn load(conn: &Connection, req: &ChartRequest) -> Result<Self> {
        if req.to < req.from {
            return Err(Error::InvalidInput(format!(
                "the chart's range ends ({}) before it starts ({})",
                req.to, req.from
            )));
        }
        if (req.to - req.from).num_days() > 3 * 366 {
            return Err(Error::InvalidInput(
                "a chart covers at most three years; choose a shorter range".into(),
            ));
        }
        let site = req.site.as_deref();
        Ok(match req.kind {
            ChartKind::Daily => Prepared::Daily(data::daily(conn, req.from, req.to, site)?),
            ChartKind::Cumulative => {
                Prepared::Cumulative(data::cumulative(conn, req.from, req.to, site)?)
            }
            ChartKind::Sites => Prepared::Sites(data::sites(conn, req.from, req.to)?),
        })
    }

    fn days(&self) -> Vec<data::DailyPoint> {
        match self {
            Prepared::Daily(d) => d.points.clone(),
            _ => Vec::new(),
        }
    }

    fn drawn(&self) -> Option<daily::Drawn> {
        match self {
            Prepared::Daily(d) => Some(daily::Drawn::of(d)),
            _ => None,
        }
    }
}

impl Drawing for Prepared {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        lang: Lang,
    ) -> Result<Vec<BarBox>> {
        match self {
            Prepared::Daily(d) => daily::draw(root, d, lang),
            Prepared::Cumulative(c) => cumulative::draw(root, c, lang).map(|()| Vec::new()),
            Prepared::Sites(s) => sites::draw(root, s, lang).map(|()| Vec::new()),
        }
    }
}

pub(crate) fn chart_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Render(e.to_string())
}

#[cfg(test)]
mod tests;
