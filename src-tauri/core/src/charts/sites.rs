//! Small multiples: one daily chart per site, the busiest first, on a
//! shared scale so sites compare at a glance.

use super::chart_error;
use super::daily::{legend_box, legend_line};
use super::data::Sites;
use super::style::{px, FONT, GRID, INK, SKY_BLUE, VERMILLION};
use super::text::words;
use crate::error::Result;
use crate::locale::Lang;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Sites,
    lang: Lang,
) -> Result<()> {
    let w = words(lang);
    let (_, h) = root.dim_in_pixel();
    root.fill(&WHITE).map_err(chart_error)?;
    let title = format!(
        "{} — {} {} {}, {} – {}",
        w.sites_title,
        s.panels.len(),
        w.busiest,
        s.active_sites,
        lang.date_long(s.from),
        lang.date_long(s.to)
    );
    let body = root
        .margin(px(h, 8.0), 0, 0, 0)
        .titled(
            &title,
            (FONT, px(h, 20.0))
                .into_font()
                .style(FontStyle::Bold)
                .color(&INK),
        )
        .map_err(chart_error)?;
    // One legend for every panel, across the top.
    let (legend, body) = body.split_vertically(px(h, 22.0));
    let mut x = px(h, 12.0) as i32;
    let y = px(h, 10.0) as i32;
    for (label, colour, is_bar) in [
        (w.administered, SKY_BLUE, true),
        (w.booked, VERMILLION, false),
        (w.capacity, INK, false),
    ] {
        if is_bar {
            legend
                .draw(&legend_box(x, y, colour, h))
                .map_err(chart_error)?;
        } else {
            legend
                .draw(&legend_line(x, y, colour, h))
                .map_err(chart_error)?;
        }
        x += px(h, 18.0) as i32;
        let style = (FONT, px(h, 13.0))
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        legend
            .draw(&Text::new(label, (x, y), style))
            .map_err(chart_error)?;
        x += px(h, 13.0 * 0.62 * label.chars().count() as f64 + 24.0) as i32;
    }
    if s.panels.is_empty() {
        body.draw(&Text::new(
            w.no_data,
            (px(h, 40.0) as i32, px(h, 40.0) as i32),
            (FONT, px(h, 16.0)).into_font().color(&INK),
        ))
        .map_err(chart_error)?;
        return Ok(());
    }
    let cols = if s.panels.len() <= 4 {
        2
    } else if s.panels.len() <= 9 {
        3
    } else {
        4
    };
    let rows = s.panels.len().div_ceil(cols);
    let top = s
        .panels
        .iter()
        .flat_map(|p| p.days.iter().map(|d| d[0].max(d[1]).max(d[2])))
        .max()
        .unwrap_or(0)
        .max(10) as f64
        * 1.1;
    let n = s.panels[0].days.len();
    let small = (px(h, 11.0) as f64 * (3.0 / rows as f64).min(1.0)).max(9.0) as u32;
    for (panel, area) in s.panels.iter().zip(body.split_evenly((rows, cols))) {
        let mut chart = ChartBuilder::on(&area)
            .caption(
                format!(
                    "{} · {} · {}",
                    panel.code,
                    panel.name,
                    lang.group(panel.total)
                ),
                (FONT, small + 2)
                    .into_font()
                    .style(FontStyle::Bold)
                    .color(&INK),
            )
            .margin(px(h, 6.0))
            .x_label_area_size(small * 2)
            .y_label_area_size(small * 4)
            .build_cartesian_2d(-0.5f64..(n.max(1) as f64 - 0.5), 0f64..top)
            .map_err(chart_error)?;
        let first = s.from;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(3)
            .x_label_formatter(&|x| {
                let day = first + chrono::Duration::days(x.round() as i64);
                lang.date_short(day)
            })
            .y_labels(3)
            .y_label_formatter(&|y| lang.group(y.round() as i64))
            .label_style((FONT, small).into_font().color(&INK))
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(panel.days.iter().enumerate().map(|(i, d)| {
                Rectangle::new(
                    [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, d[0] as f64)],
                    SKY_BLUE.filled(),
                )
            }))
            .map_err(chart_error)?;
        for (k, colour) in [(2usize, INK), (1, VERMILLION)] {
            chart
                .draw_series(LineSeries::new(
                    panel
                        .days
                        .iter()
                        .enumerate()
                        .map(|(i, d)| (i as f64, d[k] as f64)),
                    colour.stroke_width(px(h, 1.4)),
                ))
                .map_err(chart_error)?;
        }
    }
    Ok(())
}
