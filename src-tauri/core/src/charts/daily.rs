//! Daily doses as bars, booked appointments and capacity as lines, the
//! 7-day average, flagged days in grey, and the record day marked.

use super::axes::{draw_day_mesh, title_font, DayAxes};
use super::data::Daily;
use super::style::{px, BLUE, FONT, GREEN, GREY, INK, SKY_BLUE, VERMILLION};
use super::text::words;
use super::{chart_error, BarBox};
use crate::error::Result;
use crate::locale::Lang;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &Daily,
    lang: Lang,
) -> Result<Vec<BarBox>> {
    let w = words(lang);
    let (_, h) = root.dim_in_pixel();
    root.fill(&WHITE).map_err(chart_error)?;
    let n = d.points.len();
    let top = d
        .points
        .iter()
        .map(|p| p.administered.max(p.booked).max(p.capacity))
        .max()
        .unwrap_or(0)
        .max(10) as f64
        * 1.18;
    let scope = d.site_name.as_deref().unwrap_or(w.all_sites);
    let title = format!(
        "{} — {scope}, {} – {}",
        w.daily_title,
        lang.date_long(d.from),
        lang.date_long(d.to)
    );
    // Printed on a page, the chart sits under the page's own heading and
    // legend (`legend`): no caption, no legend box over the data.
    let printed = super::style::print_scale() > 1.0;
    let mut builder = ChartBuilder::on(root);
    if !printed {
        builder.caption(title, title_font(h));
    }
    // Label areas sized for their text; printed text is larger, so less spare.
    let (x_area, y_area) = if printed { (26.0, 66.0) } else { (40.0, 78.0) };
    let mut chart = builder
        .margin(px(h, 14.0))
        .x_label_area_size(px(h, x_area))
        .y_label_area_size(px(h, y_area))
        .build_cartesian_2d(-0.5f64..(n.max(1) as f64 - 0.5), 0f64..top)
        .map_err(chart_error)?;
    let date_at = |i: usize| -> Option<NaiveDate> {
        d.points
            .get(i)
            .and_then(|p| crate::time::parse_date(&p.date))
    };
    let axes = DayAxes {
        days: n,
        date_at: &date_at,
        y_desc: w.doses,
        y_labels: 8,
    };
    draw_day_mesh(&mut chart, h, lang, &axes)?;

    let half = 0.38;
    let record_date = d.record.as_ref().map(|r| r.date.as_str());
    // The legend names only what is drawn (future days have no tallies).
    let drawn = Drawn::of(d);
    let bar = |i: usize, colour: RGBColor, value: i64| {
        Rectangle::new(
            [(i as f64 - half, 0.0), (i as f64 + half, value as f64)],
            colour.filled(),
        )
    };
    let administered = chart
        .draw_series(
            d.points
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.flagged && Some(p.date.as_str()) != record_date)
                .map(|(i, p)| bar(i, SKY_BLUE, p.administered)),
        )
        .map_err(chart_error)?;
    if drawn.administered {
        administered
            .label(w.administered)
            .legend(move |(x, y)| legend_box(x, y, SKY_BLUE, h));
    }
    if drawn.flagged {
        chart
            .draw_series(
                d.points
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.flagged)
                    .map(|(i, p)| bar(i, GREY, p.administered)),
            )
            .map_err(chart_error)?
            .label(w.flagged)
            .legend(move |(x, y)| legend_box(x, y, GREY, h));
    }
    let line = |colour: RGBColor, width: f64| colour.stroke_width(px(h, width));
    let capacity = chart
        .draw_series(LineSeries::new(
            d.points
                .iter()
                .enumerate()
                .map(|(i, p)| (i as f64, p.capacity as f64)),
            line(INK, 1.6),
        ))
        .map_err(chart_error)?;
    if drawn.capacity {
        capacity
            .label(w.capacity)
            .legend(move |(x, y)| legend_line(x, y, INK, h));
    }
    let booked = chart
        .draw_series(LineSeries::new(
            d.points
                .iter()
                .enumerate()
                .map(|(i, p)| (i as f64, p.booked as f64)),
            line(VERMILLION, 2.2),
        ))
        .map_err(chart_error)?;
    if drawn.booked {
        booked
            .label(w.booked)
            .legend(move |(x, y)| legend_line(x, y, VERMILLION, h));
    }
    let avg7 = chart
        .draw_series(LineSeries::new(
            d.points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((i as f64, p.avg7?))),
            line(GREEN, 3.0),
        ))
        .map_err(chart_error)?;
    if drawn.avg7 {
        avg7.label(w.avg7)
            .legend(move |(x, y)| legend_line(x, y, GREEN, h));
    }

    if let Some((i, p)) = d
        .points
        .iter()
        .enumerate()
        .find(|(_, p)| Some(p.date.as_str()) == record_date)
    {
        chart
            .draw_series(std::iter::once(bar(i, BLUE, p.administered)))
            .map_err(chart_error)?
            .label(w.record)
            .legend(move |(x, y)| legend_box(x, y, BLUE, h));
        let day = crate::time::parse_date(&p.date).map(|day| lang.date_short(day));
        let text = format!(
            "{} {} · {}",
            w.record,
            lang.group(p.administered),
            day.unwrap_or_default()
        );
        // Keep the label inside the plot near either edge.
        let hpos = if i < n / 8 {
            HPos::Left
        } else if i + n / 8 >= n {
            HPos::Right
        } else {
            HPos::Center
        };
        let style = (FONT, px(h, 14.0))
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLUE)
            .pos(Pos::new(hpos, VPos::Bottom));
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (i as f64, p.administered as f64 + top * 0.015),
                style,
            )))
            .map_err(chart_error)?;
    }
    // Nothing drawn, nothing to name: plotters would draw an empty box.
    if !printed && drawn.anything() {
        super::style::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, h)?;
    }

    Ok(d.points
        .iter()
        .enumerate()
        .map(|(i, p)| BarBox {
            date: p.date.clone(),
            x0: chart.backend_coord(&(i as f64 - 0.5, 0.0)).0,
            x1: chart.backend_coord(&(i as f64 + 0.5, 0.0)).0,
        })
        .collect())
}

/// A legend swatch for bars.
pub fn legend_box(x: i32, y: i32, colour: RGBColor, h: u32) -> Rectangle<(i32, i32)> {
    let s = px(h, 6.0) as i32;
    Rectangle::new([(x, y - s), (x + 2 * s, y + s)], colour.filled())
}

/// A legend swatch for lines.
pub fn legend_line(x: i32, y: i32, colour: RGBColor, h: u32) -> PathElement<(i32, i32)> {
    let s = px(h, 6.0) as i32;
    PathElement::new(
        vec![(x, y), (x + 2 * s, y)],
        colour.stroke_width(px(h, 2.5)),
    )
}

/// A legend entry for a page that draws the chart's legend itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegendEntry {
    pub label: &'static str,
    pub colour: RGBColor,
    /// A bar (filled square) rather than a line.
    pub bar: bool,
}

/// Which of the daily chart's series have something to draw; `draw`
/// labels only those, and `legend` lists only those.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Drawn {
    /// A day with doses given that is neither flagged nor the record.
    pub administered: bool,
    pub flagged: bool,
    pub capacity: bool,
    pub booked: bool,
    pub avg7: bool,
    /// The record day falls in the range.
    pub record: bool,
}

impl Drawn {
    /// Whether the chart drew any series at all.
    pub fn anything(&self) -> bool {
        self.administered
            || self.flagged
            || self.capacity
            || self.booked
            || self.avg7
            || self.record
    }

    pub fn of(d: &Daily) -> Drawn {
        let record = d.record.as_ref().map(|r| r.date.as_str());
        let any = |f: &dyn Fn(&super::data::DailyPoint) -> bool| d.points.iter().any(f);
        Drawn {
            administered: any(&|p| {
                p.administered > 0 && !p.flagged && Some(p.date.as_str()) != record
            }),
            flagged: any(&|p| p.flagged),
            capacity: any(&|p| p.capacity > 0),
            booked: any(&|p| p.booked > 0),
            avg7: any(&|p| p.avg7.is_some()),
            record: any(&|p| Some(p.date.as_str()) == record),
        }
    }
}

/// The daily chart's legend, as `draw` labels its series.
pub fn legend(lang: Lang, drawn: Drawn) -> Vec<LegendEntry> {
    let w = words(lang);
    let entry = |label, colour, bar| LegendEntry { label, colour, bar };
    [
        (drawn.administered, entry(w.administered, SKY_BLUE, true)),
        (drawn.flagged, entry(w.flagged, GREY, true)),
        (drawn.capacity, entry(w.capacity, INK, false)),
        (drawn.booked, entry(w.booked, VERMILLION, false)),
        (drawn.avg7, entry(w.avg7, GREEN, false)),
        (drawn.record, entry(w.record, BLUE, true)),
    ]
    .into_iter()
    .filter_map(|(shown, e)| shown.then_some(e))
    .collect()
}
