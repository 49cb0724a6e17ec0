//! The look shared by every chart: the embedded font, the colour-blind-safe
//! Okabe–Ito palette, and sizes that scale with the canvas.

use crate::error::{Error, Result};
use plotters::coord::CoordTranslate;
use plotters::prelude::{ChartContext, DrawingBackend, SeriesLabelPosition, WHITE};
use plotters::style::{Color, FontStyle, IntoFont, RGBColor};
use std::sync::OnceLock;

pub const FONT: &str = "DejaVu Sans";
static REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");
/// The embedded font files, for other renderers (the briefing's PDF and PNG).
pub static FONT_FILES: [&[u8]; 2] = [REGULAR, BOLD];

/// Okabe & Ito (2008), distinguishable with every common colour-vision deficiency.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const GREY: RGBColor = RGBColor(170, 170, 170);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

pub fn register_fonts() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, BOLD).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Render("the embedded font could not be read".into()))
    }
}

thread_local! {
    /// Enlargement of every size `px` gives, for a chart printed small.
    static PRINT_SCALE: std::cell::Cell<f64> = const { std::cell::Cell::new(1.0) };
}

/// Pixel size scaled to the canvas: sizes are designed for 560 pixels high
/// (times the print scale while `printed` draws).
pub fn px(height: u32, size: f64) -> u32 {
    (size * print_scale() * f64::from(height) / 560.0)
        .round()
        .max(1.0) as u32
}

/// The enlargement `printed` applies now (1 on screen).
pub fn print_scale() -> f64 {
    PRINT_SCALE.with(std::cell::Cell::get)
}

/// Runs `draw` with text, margins and strokes `scale` times larger: a chart
/// shrunk onto a printed page keeps labels readable (the briefing's chart).
pub fn printed<T>(scale: f64, draw: impl FnOnce() -> T) -> T {
    let before = PRINT_SCALE.with(|s| s.replace(scale));
    let out = draw();
    PRINT_SCALE.with(|s| s.set(before));
    out
}

/// The SVG as plotters writes it, made to scale with its container and to
/// fall back to similar fonts where DejaVu Sans is not installed (the app
/// ships it; an exported file may be opened elsewhere).
pub fn portable_svg(svg: String) -> String {
    svg.replace(
        &format!("font-family=\"{FONT}\""),
        &format!("font-family=\"{FONT}, Verdana, sans-serif\""),
    )
}

/// The legend every chart draws: on a light box, at `position`.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    height: u32,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, px(height, 13.0)).into_font().color(&INK))
        .draw()
        .map_err(super::chart_error)
}
