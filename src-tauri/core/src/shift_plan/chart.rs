//! The shift plan as a chart: each day's demand stacked by part (booked,
//! second doses due, expected new bookings), capacity before and after the
//! plan as lines, doses on hand, and the unmet part of each bar outlined.

use super::{PlanDaySeries, ShiftPlan};
use crate::charts::axes::{draw_day_mesh, draw_second_axis, DayAxes};
use crate::charts::daily::{legend_box, legend_line};
use crate::charts::style::{px, BLUE, FONT, GREEN, GREY, INK, SKY_BLUE, VERMILLION};
use crate::charts::{chart_error, BarBox, Drawing};
use crate::error::Result;
use crate::locale::Lang;
use crate::time::parse_date;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe–Ito's reddish purple: on hand must not read as any demand part.
const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// A demand part's span on a day's bar: (bottom, top).
type Span = fn(&PlanDaySeries) -> (i64, i64);

/// Draws a plan (`to_svg`, `to_file`).
pub struct PlanChart<'a>(pub &'a ShiftPlan);

struct Words {
    title: &'static str,
    booked: &'static str,
    second: &'static str,
    new_bookings: &'static str,
    before: &'static str,
    after: &'static str,
    on_hand: &'static str,
    unmet: &'static str,
    doses_per_day: &'static str,
    shifts: &'static str,
    added: &'static str,
    unmet_total: &'static str,
    binding: &'static str,
}

static EN: Words = Words {
    title: "Demand and capacity",
    booked: "Booked",
    second: "Second doses due",
    new_bookings: "Expected new bookings",
    before: "Capacity before the plan",
    after: "Capacity after the plan",
    on_hand: "Doses on hand",
    unmet: "Unmet demand (pale, outlined)",
    doses_per_day: "Doses per day",
    shifts: "extra shifts",
    added: "doses of added capacity",
    unmet_total: "doses unmet",
    binding: "limited by",
};

static FR: Words = Words {
    title: "Demande et capacité",
    booked: "Rendez-vous pris",
    second: "Deuxièmes doses dues",
    new_bookings: "Nouveaux rendez-vous attendus",
    before: "Capacité avant le plan",
    after: "Capacité après le plan",
    on_hand: "Doses en stock",
    unmet: "Demande non satisfaite (pâle, contour)",
    doses_per_day: "Doses par jour",
    shifts: "quarts supplémentaires",
    added: "doses de capacité ajoutée",
    unmet_total: "doses non satisfaites",
    binding: "limité par",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

fn constraint_word(name: &str, lang: Lang) -> &str {
    match (name, lang) {
        ("supply", Lang::En) => "supply",
        ("supply", Lang::Fr) => "l'approvisionnement",
        ("staff", Lang::En) => "staff",
        ("staff", Lang::Fr) => "le personnel",
        ("hours", Lang::En) => "opening hours",
        ("hours", Lang::Fr) => "les heures d'ouverture",
        ("max_shifts_per_day", Lang::En) => "shifts per day",
        ("max_shifts_per_day", Lang::Fr) => "les quarts par jour",
        (other, _) => other,
    }
}

/// `3 extra shifts · 1,200 doses of added capacity · 0 doses unmet`.
fn headline(plan: &ShiftPlan, lang: Lang) -> String {
    let w = words(lang);
    let mut line = format!(
        "{} {} · {} {} · {} {}",
        lang.group(plan.extra_shifts.len() as i64),
        w.shifts,
        lang.group(plan.added_capacity),
        w.added,
        lang.group(plan.unmet_demand),
        w.unmet_total
    );
    if !plan.binding.is_empty() {
        let names: Vec<&str> = plan
            .binding
            .iter()
            .map(|b| constraint_word(b, lang))
            .collect();
        line.push_str(&format!(" ({} {})", w.binding, names.join(", ")));
    }
    line
}

/// On hand gets its own axis when its peak is more than three times, or
/// less than a third of, the daily figures' peak: else it would be a flat
/// line or would squash the bars.
fn on_hand_axis(day_top: f64, on_hand_top: f64) -> bool {
    on_hand_top > 3.0 * day_top || on_hand_top * 3.0 < day_top
}

impl Drawing for PlanChart<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        lang: Lang,
    ) -> Result<Vec<BarBox>> {
        draw(root, self.0, lang)
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plan: &ShiftPlan,
    lang: Lang,
) -> Result<Vec<BarBox>> {
    let w = words(lang);
    let (width, h) = root.dim_in_pixel();
    root.fill(&WHITE).map_err(chart_error)?;
    let days = &plan.days;
    let n = days.len();

    let (head, body) = root.split_vertically(px(h, 64.0));
    let date = |s: &str| parse_date(s).map(|d| lang.date_long(d)).unwrap_or_default();
    let title = format!("{} — {} – {}", w.title, date(&plan.from), date(&plan.to));
    let centre = |size: f64, bold: bool| {
        let f = (FONT, px(h, size)).into_font();
        let f = if bold { f.style(FontStyle::Bold) } else { f };
        f.color(&INK).pos(Pos::new(HPos::Center, VPos::Top))
    };
    let mid = width as i32 / 2;
    head.draw_text(&title, &centre(22.0, true), (mid, px(h, 10.0) as i32))
        .map_err(chart_error)?;
    head.draw_text(
        &headline(plan, lang),
        &centre(15.0, false),
        (mid, px(h, 40.0) as i32),
    )
    .map_err(chart_error)?;

    let day_top = days
        .iter()
        .map(|d| d.demand_total.max(d.capacity_before).max(d.capacity_after))
        .max()
        .unwrap_or(0)
        .max(10) as f64
        * 1.3;
    let on_hand_peak = days.iter().map(|d| d.on_hand).max().unwrap_or(0).max(10) as f64;
    let own_axis = on_hand_axis(day_top, on_hand_peak);
    let hand_top = if own_axis {
        on_hand_peak * 1.3
    } else {
        day_top.max(on_hand_peak * 1.3)
    };
    let top = if own_axis { day_top } else { hand_top };
    let x_range = -0.5f64..(n.max(1) as f64 - 0.5);
    let mut chart = ChartBuilder::on(&body)
        .margin(px(h, 14.0))
        .margin_top(px(h, 4.0))
        .x_label_area_size(px(h, 40.0))
        .y_label_area_size(px(h, 78.0))
        .right_y_label_area_size(if own_axis { px(h, 78.0) } else { 0 })
        .build_cartesian_2d(x_range.clone(), 0f64..top)
        .map_err(chart_error)?
        .set_secondary_coord(x_range, 0f64..hand_top);

    let date_at = |i: usize| days.get(i).and_then(|d| parse_date(&d.date));
    let axes = DayAxes {
        days: n,
        date_at: &date_at,
        y_desc: w.doses_per_day,
        y_labels: 8,
    };
    draw_day_mesh(&mut chart, h, lang, &axes)?;
    if own_axis {
        let grouped = |y: f64| lang.group(y.round() as i64);
        draw_second_axis(&mut chart, h, w.on_hand, 8, &grouped)?;
    }

    // Stacked demand parts, bottom to top: the promised parts first.
    let half = 0.38;
    let parts: [(&str, RGBColor, Span); 3] = [
        (w.booked, BLUE, |d| (0, d.demand.booked)),
        (w.second, SKY_BLUE, |d| {
            (d.demand.booked, d.demand.booked + d.demand.second_doses_due)
        }),
        (w.new_bookings, GREEN, |d| {
            (d.demand.booked + d.demand.second_doses_due, d.demand_total)
        }),
    ];
    for (name, colour, span) in parts {
        chart
            .draw_series(days.iter().enumerate().map(|(i, d)| {
                let (lo, hi) = span(d);
                Rectangle::new(
                    [(i as f64 - half, lo as f64), (i as f64 + half, hi as f64)],
                    colour.mix(0.85).filled(),
                )
            }))
            .map_err(chart_error)?
            .label(name)
            .legend(move |(x, y)| legend_box(x, y, colour, h));
    }
    // The unmet part of each day, from the doses planned up to the demand:
    // paled and outlined, so the solid part of a bar is what gets served.
    let unmet_box = |i: usize, d: &PlanDaySeries| {
        [
            (i as f64 - half, (d.demand_total - d.unmet) as f64),
            (i as f64 + half, d.demand_total as f64),
        ]
    };
    let unmet_days = || days.iter().enumerate().filter(|(_, d)| d.unmet > 0);
    chart
        .draw_series(
            unmet_days().map(|(i, d)| Rectangle::new(unmet_box(i, d), WHITE.mix(0.6).filled())),
        )
        .map_err(chart_error)?;
    chart
        .draw_series(
            unmet_days()
                .map(|(i, d)| Rectangle::new(unmet_box(i, d), VERMILLION.stroke_width(px(h, 2.0)))),
        )
        .map_err(chart_error)?
        .label(w.unmet)
        .legend(move |(x, y)| {
            let s = px(h, 6.0) as i32;
            Rectangle::new(
                [(x, y - s), (x + 2 * s, y + s)],
                VERMILLION.stroke_width(px(h, 2.0)),
            )
        });

    let line = |colour: RGBColor, width: f64| colour.stroke_width(px(h, width));
    let series = |f: fn(&PlanDaySeries) -> i64| {
        days.iter()
            .enumerate()
            .map(move |(i, d)| (i as f64, f(d) as f64))
    };
    chart
        .draw_series(LineSeries::new(
            series(|d| d.capacity_before),
            line(GREY, 4.0),
        ))
        .map_err(chart_error)?
        .label(w.before)
        .legend(move |(x, y)| legend_line(x, y, GREY, h));
    chart
        .draw_series(LineSeries::new(
            series(|d| d.capacity_after),
            line(INK, 1.8),
        ))
        .map_err(chart_error)?
        .label(w.after)
        .legend(move |(x, y)| legend_line(x, y, INK, h));
    chart
        .draw_secondary_series(LineSeries::new(series(|d| d.on_hand), line(PURPLE, 2.4)))
        .map_err(chart_error)?
        .label(w.on_hand)
        .legend(move |(x, y)| legend_line(x, y, PURPLE, h));

    // The legend goes over the end of the range where the drawing is lower
    // (on hand counts when it shares the axis).
    let third = (n / 3).max(1);
    let height = |d: &PlanDaySeries| {
        let hand = if own_axis { 0 } else { d.on_hand };
        d.demand_total.max(d.capacity_after).max(hand)
    };
    let peak = |ds: &[PlanDaySeries]| ds.iter().map(height).max().unwrap_or(0);
    let position = if peak(&days[..third.min(n)]) <= peak(&days[n.saturating_sub(third)..]) {
        SeriesLabelPosition::UpperLeft
    } else {
        SeriesLabelPosition::UpperRight
    };
    crate::charts::style::draw_legend(&mut chart, position, h)?;

    Ok(days
        .iter()
        .enumerate()
        .map(|(i, d)| BarBox {
            date: d.date.clone(),
            x0: chart.backend_coord(&(i as f64 - 0.5, 0.0)).0,
            x1: chart.backend_coord(&(i as f64 + 0.5, 0.0)).0,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{to_file, to_svg};
    use crate::shift_plan::demand::DemandParts;
    use crate::shift_plan::PlanTotals;

    fn plan(days: usize, on_hand: i64) -> ShiftPlan {
        let series = (0..days)
            .map(|i| {
                let demand = DemandParts {
                    booked: 400 + 10 * i as i64,
                    second_doses_due: 50,
                    new_bookings: 1_200,
                };
                let total = demand.booked + demand.second_doses_due + demand.new_bookings;
                PlanDaySeries {
                    date: format!("2021-04-{:02}", i + 1),
                    demand,
                    demand_total: total,
                    capacity_before: 900,
                    capacity_after: 1_500,
                    doses_planned: 1_500,
                    unmet: total - 1_500,
                    supply_arriving: 0,
                    on_hand,
                    binding: vec!["staff".into()],
                }
            })
            .collect();
        ShiftPlan {
            from: "2021-04-01".into(),
            to: format!("2021-04-{days:02}"),
            extra_shifts: Vec::new(),
            moves_needed: Vec::new(),
            added_capacity: 12_600,
            unmet_demand: 2_345,
            binding: vec!["staff".into()],
            surplus_shifts: Vec::new(),
            surplus_doses: 0,
            supply_known: true,
            opening_on_hand: on_hand,
            totals: PlanTotals::default(),
            sites: Vec::new(),
            cohorts: Vec::new(),
            days: series,
            method: Default::default(),
            bound: None,
            gap: None,
            worth: 0.0,
            cancelled: false,
        }
    }

    #[test]
    fn svg_has_the_legend_title_headline_and_a_bar_per_day() {
        let p = plan(21, 2_000);
        let (svg, bars) = to_svg(&PlanChart(&p), Lang::En).expect("svg");
        for text in [
            "Booked",
            "Second doses due",
            "Expected new bookings",
            "Capacity before the plan",
            "Capacity after the plan",
            "Doses on hand",
            "Unmet demand",
            "April 1, 2021 – April 21, 2021",
            "12,600 doses of added capacity",
            "2,345 doses unmet (limited by staff)",
            "Apr 1",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert_eq!(bars.len(), 21);
        assert!(bars.windows(2).all(|w| w[0].x0 < w[1].x0));
    }

    #[test]
    fn french_wording_and_a_second_axis_for_a_large_stock() {
        let p = plan(7, 90_000);
        let (svg, _) = to_svg(&PlanChart(&p), Lang::Fr).expect("svg");
        for text in [
            "Demande et capacité",
            "Deuxièmes doses dues",
            "Doses en stock",
            "2\u{a0}345 doses non satisfaites",
            "1 avr.",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        // The right axis is labelled with the stock's own scale.
        assert!(svg.matches("Doses en stock").count() >= 2, "no second axis");
        assert!(on_hand_axis(2_000.0, 90_000.0));
        assert!(!on_hand_axis(2_000.0, 3_000.0));
    }

    #[test]
    fn exports_png_and_svg_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = plan(30, 2_000);
        let png = dir.path().join("plan.png");
        to_file(&PlanChart(&p), Lang::En, &png).expect("png");
        let bytes = std::fs::read(&png).expect("read");
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.path().join("plan.svg");
        to_file(&PlanChart(&p), Lang::En, &svg).expect("svg");
        assert!(std::fs::read_to_string(&svg)
            .expect("read")
            .starts_with("<svg"));
    }
}
