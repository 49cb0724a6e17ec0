//! Briefings for officials: one page (US Letter) with the headline figures,
//! the daily chart as vector, the current plans and the sources of every
//! number, in English or French; PDF for handing over, PNG for slides.

pub mod figures;
mod page;
pub mod suppress;
mod text;

use crate::charts::{ChartKind, ChartRequest};
use crate::error::{Error, Result};
use crate::locale::Lang;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use svg2pdf::usvg;

#[derive(Debug, Clone, Deserialize)]
pub struct BriefRequest {
    pub date: NaiveDate,
    #[serde(default)]
    pub lang: Lang,
}

/// PNG pixels per PDF point: 1224 × 1584 for a Letter page.
const PNG_SCALE: f32 = 2.0;

/// The page as SVG (PDF points).
pub fn page_svg(conn: &Connection, req: &BriefRequest) -> Result<String> {
    let figures = figures::gather(conn, req.date)?;
    let (from, to) = chart_range(conn, req.date)?;
    let chart_req = ChartRequest {
        kind: ChartKind::Daily,
        from,
        to,
        site: None,
        lang: req.lang,
    };
    // The page decides the chart's box; the chart is drawn to its
    // proportions, its text enlarged so that its smallest prints at
    // MIN_CHART_TEXT_PT however small the box.
    let chart = |box_w: f64, box_h: f64| -> Result<page::PageChart> {
        let canvas = (
            CHART_CANVAS_WIDTH,
            (f64::from(CHART_CANVAS_WIDTH) * box_h / box_w).round() as u32,
        );
        let scale = (MIN_CHART_TEXT_PT * 560.0 / (SMALLEST_CHART_FONT_SIZE * box_h)).max(1.0);
        let drawn = crate::charts::style::printed(scale, || {
            crate::charts::svg_sized(conn, &chart_req, canvas)
        })?;
        Ok(page::PageChart {
            legend: crate::charts::daily::legend(req.lang, drawn.drawn.unwrap_or_default()),
            svg: drawn.svg,
            canvas,
        })
    };
    page::compose(&figures, (from, to), &chart, req.lang)
}

/// The chart is drawn this many pixels wide, whatever its box.
const CHART_CANVAS_WIDTH: u32 = 1200;
/// The smallest font-size in the chart's SVG on a 560-pixel-high canvas: its
/// 13-pixel axis labels and legend, which plotters writes as 9.68...
const SMALLEST_CHART_FONT_SIZE: f64 = 9.68;
/// ...and the least it may print at, in points.
const MIN_CHART_TEXT_PT: f64 = 8.5;

/// The chart's days: up to four weeks before the date and one after, from
/// the first of them with doses, bookings or shifts (at least two weeks),
/// so the page shows no weeks of empty axis.
fn chart_range(conn: &Connection, date: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let to = date + chrono::Duration::days(7);
    let earliest = date - chrono::Duration::days(27);
    let first: Option<String> = conn.query_row(
        "SELECT min(date) FROM region_day
         WHERE date >= ?1 AND date <= ?2 AND (administered > 0 OR booked > 0 OR capacity > 0)",
        [earliest.to_string(), to.to_string()],
        |r| r.get(0),
    )?;
    let first = first
        .as_deref()
        .and_then(crate::time::parse_date)
        .unwrap_or(earliest);
    Ok((first.min(to - chrono::Duration::days(13)), to))
}

/// Writes the briefing to `path`: PDF or PNG, by the file's extension.
pub fn write(conn: &Connection, req: &BriefRequest, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("pdf") => pdf(&page_svg(conn, req)?)?,
        Some("png") => png(&page_svg(conn, req)?)?,
        _ => {
            return Err(Error::InvalidInput(format!(
                "{}: a briefing is saved as .pdf or .png",
                path.display()
            )))
        }
    };
    crate::export::write(conn, path, |w| {
        w.write_all(&bytes).map_err(|e| Error::io(path, &e))
    })?;
    Ok(())
}

fn tree(svg: &str) -> Result<usvg::Tree> {
    let mut fonts = usvg::fontdb::Database::new();
    for font in crate::charts::style::FONT_FILES {
        fonts.load_font_data(font.to_vec());
    }
    let options = usvg::Options {
        fontdb: Arc::new(fonts),
        font_family: crate::charts::style::FONT.into(),
        ..Default::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| Error::Render(format!("briefing page: {e}")))
}

/// Vector PDF; text stays text (fonts embedded), so it can be searched and read aloud.
pub fn pdf(svg: &str) -> Result<Vec<u8>> {
    svg2pdf::to_pdf(&tree(svg)?, Default::default(), Default::default())
        .map_err(|e| Error::Render(format!("briefing PDF: {e}")))
}

pub fn png(svg: &str) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .ok_or_else(|| Error::Render("briefing page size".into()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| Error::Render("briefing page size".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Render(format!("briefing PNG: {e}")))
}

#[cfg(test)]
mod tests;
