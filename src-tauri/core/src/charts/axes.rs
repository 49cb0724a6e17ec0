//! The axes every chart over days shares: a bold title, a date under every
//! tenth day, grouped numbers up the side, a light horizontal grid.

use super::chart_error;
use super::style::{print_scale, px, FONT, GRID, INK};
use crate::error::Result;
use crate::locale::Lang;
use chrono::NaiveDate;
use plotters::chart::DualCoordChartContext;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

type DayChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart title on a canvas `h` pixels high.
pub(crate) fn title_font(h: u32) -> TextStyle<'static> {
    (FONT, px(h, 22.0))
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK)
}

/// The index of the day whose date is written under `x`: whole indices
/// only, every `every`-th one.
pub(crate) fn labelled_day(x: f64, every: usize) -> Option<usize> {
    let i = x.round();
    (i >= 0.0 && (i - x).abs() <= 0.01 && (i as usize).is_multiple_of(every)).then_some(i as usize)
}

/// What the day axes show.
pub(crate) struct DayAxes<'a> {
    /// How many days the x axis spans (indices 0..days).
    pub days: usize,
    /// The date of a day index.
    pub date_at: &'a dyn Fn(usize) -> Option<NaiveDate>,
    /// What the y axis counts.
    pub y_desc: &'a str,
    /// How many numbers up the side.
    pub y_labels: usize,
}

/// Draws the mesh of a chart over days on a canvas `h` pixels high.
pub(crate) fn draw_day_mesh<DB: DrawingBackend>(
    chart: &mut DayChart<'_, DB>,
    h: u32,
    lang: Lang,
    axes: &DayAxes<'_>,
) -> Result<()> {
    let font = |size: f64| (FONT, px(h, size)).into_font().color(&INK);
    // At most ten dates along the axis (fewer when printed larger).
    let every = ((axes.days as f64 * print_scale() / 10.0) as usize).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(axes.days.clamp(2, 400))
        .x_label_formatter(&|x| {
            labelled_day(*x, every)
                .and_then(|i| (axes.date_at)(i))
                .map(|day| lang.date_short(day))
                .unwrap_or_default()
        })
        .y_labels(axes.y_labels)
        .y_label_formatter(&|y| lang.group(y.round() as i64))
        .y_desc(axes.y_desc)
        .label_style(font(13.0))
        .axis_desc_style(font(14.0))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK)
        .draw()
        .map_err(chart_error)
}

/// Draws the right-hand axis of a chart with a second scale.
pub(crate) fn draw_second_axis<DB: DrawingBackend>(
    chart: &mut DualCoordChartContext<
        '_,
        DB,
        Cartesian2d<RangedCoordf64, RangedCoordf64>,
        Cartesian2d<RangedCoordf64, RangedCoordf64>,
    >,
    h: u32,
    y_desc: &str,
    y_labels: usize,
    format: &dyn Fn(f64) -> String,
) -> Result<()> {
    let font = |size: f64| (FONT, px(h, size)).into_font().color(&INK);
    chart
        .configure_secondary_axes()
        .y_labels(y_labels)
        .y_label_formatter(&|y| format(*y))
        .y_desc(y_desc)
        .label_style(font(13.0))
        .axis_desc_style(font(14.0))
        .axis_style(INK)
        .draw()
        .map_err(chart_error)
}
