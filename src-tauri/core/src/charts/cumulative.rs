//! Cumulative regional doses (left axis) and their share of the province's
//! cumulative doses (right axis, percent).

use super::axes::{draw_day_mesh, draw_second_axis, title_font, DayAxes};
use super::chart_error;
use super::daily::{legend_box, legend_line};
use super::data::Cumulative;
use super::style::{px, BLUE, FONT, INK, SKY_BLUE, VERMILLION};
use super::text::words;
use crate::error::Result;
use crate::locale::Lang;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &Cumulative,
    lang: Lang,
) -> Result<()> {
    let w = words(lang);
    let (_, h) = root.dim_in_pixel();
    let font = |size: f64| (FONT, px(h, size)).into_font().color(&INK);
    root.fill(&WHITE).map_err(chart_error)?;
    let n = c.points.len();
    let top = c.points.iter().map(|p| p.1).max().unwrap_or(0).max(10) as f64 * 1.15;
    let share = |p: &(chrono::NaiveDate, i64, Option<i64>)| {
        p.2.filter(|t| *t > 0)
            .map(|t| p.1 as f64 * 100.0 / t as f64)
    };
    let top_share = c
        .points
        .iter()
        .filter_map(share)
        .fold(0.0f64, f64::max)
        .max(0.1)
        * 1.25;
    let scope = c.site_name.as_deref().unwrap_or(w.all_sites);
    let (first, last) = (c.points.first(), c.points.last());
    let title = match (first, last) {
        (Some(a), Some(b)) => format!(
            "{} — {scope}, {} – {}",
            w.cumulative_title,
            lang.date_long(a.0),
            lang.date_long(b.0)
        ),
        _ => w.cumulative_title.to_owned(),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_font(h))
        .margin(px(h, 14.0))
        .x_label_area_size(px(h, 40.0))
        .y_label_area_size(px(h, 90.0))
        .right_y_label_area_size(px(h, 70.0))
        .build_cartesian_2d(0f64..(n.max(2) - 1) as f64, 0f64..top)
        .map_err(chart_error)?
        .set_secondary_coord(0f64..(n.max(2) - 1) as f64, 0f64..top_share);
    let date_at = |i: usize| c.points.get(i).map(|p| p.0);
    let axes = DayAxes {
        days: n,
        date_at: &date_at,
        y_desc: w.regional_cumulative,
        y_labels: 10,
    };
    draw_day_mesh(&mut chart, h, lang, &axes)?;
    if c.has_provincial {
        let share = |y: f64| percent(lang, y, top_share);
        draw_second_axis(&mut chart, h, w.share_axis, 10, &share)?;
    }
    chart
        .draw_series(
            AreaSeries::new(
                c.points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i as f64, p.1 as f64)),
                0.0,
                SKY_BLUE.mix(0.45),
            )
            .border_style(BLUE.stroke_width(px(h, 2.5))),
        )
        .map_err(chart_error)?
        .label(w.regional_cumulative)
        .legend(move |(x, y)| legend_box(x, y, SKY_BLUE, h));
    if c.has_provincial {
        chart
            .draw_secondary_series(LineSeries::new(
                c.points
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| share(p).map(|s| (i as f64, s))),
                VERMILLION.stroke_width(px(h, 2.5)),
            ))
            .map_err(chart_error)?
            .label(w.share)
            .legend(move |(x, y)| legend_line(x, y, VERMILLION, h));
    } else {
        let (width, _) = root.dim_in_pixel();
        let style = font(14.0).pos(Pos::new(HPos::Right, VPos::Top));
        root.draw(&Text::new(
            w.no_provincial,
            ((width - px(h, 30.0)) as i32, px(h, 50.0) as i32),
            style,
        ))
        .map_err(chart_error)?;
    }
    super::style::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, h)?;
    Ok(())
}

/// Enough decimals to tell the axis labels apart.
fn percent(lang: Lang, y: f64, top: f64) -> String {
    if top >= 5.0 {
        format!("{}%", lang.decimal1(y))
    } else {
        let text = format!("{y:.2}%");
        if lang == Lang::Fr {
            text.replace('.', ",")
        } else {
            text
        }
    }
}
