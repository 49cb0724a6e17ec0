//! The one-page briefing as an SVG in PDF points (US Letter, 612 × 792):
//! text, the figures, the daily chart as vector, the plan and the sources.
//! `mod.rs` turns it into a PDF (svg2pdf) or a PNG (resvg).

use super::figures::{BriefFigures, AGE_COHORTS};
use super::suppress::{suppress, Cell};
use super::text::{fill, words, Words};
use crate::charts::style::FONT;
use crate::locale::Lang;
use chrono::NaiveDate;
use std::fmt::Write as _;

pub const WIDTH: f64 = 612.0;
pub const HEIGHT: f64 = 792.0;
const MARGIN: f64 = 36.0;
const INK: &str = "#1b1f24";
const MUTED: &str = "#5b6470";
const BLUE: &str = "#0072b2";
const VERMILLION: &str = "#d55e00";

/// How a line of text looks: size in points, weight, colour, anchor.
#[derive(Clone, Copy)]
struct Ts<'a> {
    size: f64,
    bold: bool,
    colour: &'a str,
    anchor: &'a str,
}

/// The page's text styles, by what they are for.
/// The page title.
const TITLE: Ts<'static> = Ts {
    size: 17.0,
    bold: true,
    colour: INK,
    anchor: "start",
};
/// The line under the title: as of when, how many sites.
const SUBTITLE: Ts<'static> = Ts {
    size: 9.5,
    bold: false,
    colour: MUTED,
    anchor: "start",
};
/// The DEMO DATA band.
const DEMO_BANNER: Ts<'static> = Ts {
    size: 8.5,
    bold: true,
    colour: "#000000",
    anchor: "middle",
};
/// A section heading (chart, plan).
const SECTION: Ts<'static> = Ts {
    size: 10.5,
    bold: true,
    colour: INK,
    anchor: "start",
};
/// What a headline figure counts.
const FIGURE_LABEL: Ts<'static> = Ts {
    size: 7.5,
    bold: false,
    colour: MUTED,
    anchor: "start",
};
/// A headline figure's note (a date, a percentage).
const FIGURE_NOTE: Ts<'static> = Ts {
    size: 7.5,
    bold: false,
    colour: MUTED,
    anchor: "end",
};
/// A table's title.
const TABLE_TITLE: Ts<'static> = Ts {
    size: 9.5,
    bold: true,
    colour: INK,
    anchor: "start",
};
/// A table's column heading (numbers, right-aligned).
const COLUMN_HEAD: Ts<'static> = Ts {
    size: 7.5,
    bold: true,
    colour: MUTED,
    anchor: "end",
};
/// A table cell of text.
const CELL: Ts<'static> = Ts {
    size: 8.0,
    bold: false,
    colour: INK,
    anchor: "start",
};
/// A table cell holding a number.
const CELL_NUMBER: Ts<'static> = Ts {
    size: 8.0,
    bold: false,
    colour: INK,
    anchor: "end",
};
/// A table's total row, its label.
const TOTAL: Ts<'static> = Ts {
    size: 8.0,
    bold: true,
    colour: INK,
    anchor: "start",
};
/// A table's total row, its number.
const TOTAL_NUMBER: Ts<'static> = Ts {
    size: 8.0,
    bold: true,
    colour: INK,
    anchor: "end",
};
/// The heading of the sources in the footer.
const SOURCES_TITLE: Ts<'static> = Ts {
    size: 7.0,
    bold: true,
    colour: MUTED,
    anchor: "start",
};
/// One imported file in the footer.
const SOURCE_LINE: Ts<'static> = Ts {
    size: 5.6,
    bold: false,
    colour: MUTED,
    anchor: "start",
};
/// A headline figure.
const FIGURE: Ts<'static> = Ts {
    size: 15.0,
    bold: true,
    colour: INK,
    anchor: "start",
};
/// A headline figure that needs attention (over capacity, excess bookings).
const FIGURE_ALERT: Ts<'static> = Ts {
    colour: VERMILLION,
    ..FIGURE
};

struct Page {
    svg: String,
}

impl Page {
    fn text(&mut self, (x, y): (f64, f64), style: Ts<'_>, content: &str) {
        let Ts {
            size,
            bold,
            colour,
            anchor,
        } = style;
        let _ = write!(
            self.svg,
            r#"<text x="{x:.1}" y="{y:.1}" font-family="{FONT}" font-size="{size}" font-weight="{}" fill="{colour}" text-anchor="{anchor}">{}</text>"#,
            if bold { "bold" } else { "normal" },
            escape(content)
        );
    }

    /// Left-aligned text wrapped to `width`; returns the y below it.
    fn paragraph(
        &mut self,
        x: f64,
        y: f64,
        width: f64,
        size: f64,
        colour: &str,
        content: &str,
    ) -> f64 {
        let mut y = y;
        for line in wrap(content, width, size) {
            let style = Ts {
                size,
                bold: false,
                colour,
                anchor: "start",
            };
            self.text((x, y), style, &line);
            y += size * 1.3;
        }
        y
    }

    fn rule(&mut self, y: f64) {
        let _ = write!(
            self.svg,
            r##"<line x1="{MARGIN}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#d7dce2" stroke-width="0.7"/>"##,
            WIDTH - MARGIN
        );
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Greedy word wrap on an average DejaVu Sans advance of 0.58 em.
/// A DejaVu Sans character's mean width, in ems (for wrapping and spacing).
const CHAR_WIDTH: f64 = 0.58;

/// About how wide `text` sets at `size` points.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * CHAR_WIDTH
}

fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let max = ((width / (size * CHAR_WIDTH)) as usize).max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn date(lang: Lang, iso: &str) -> String {
    crate::time::parse_date(iso).map_or_else(|| iso.to_owned(), |d| lang.date_long(d))
}

/// A count of people as the page may print it: 1 to 9 as `<10`.
fn people(lang: Lang, n: i64) -> String {
    if (1..=9).contains(&n) {
        "<10".into()
    } else {
        lang.group(n)
    }
}

/// A short date range: one day, or first – last.
fn day_span(lang: Lang, first: &str, last: &str) -> String {
    let short = |iso: &str| {
        crate::time::parse_date(iso).map_or_else(|| iso.to_owned(), |d| lang.date_short(d))
    };
    if first == last {
        short(first)
    } else {
        format!("{} – {}", short(first), short(last))
    }
}

fn cell_text(lang: Lang, cell: Cell) -> String {
    match cell {
        Cell::Shown(n) => lang.group(n),
        Cell::Small => "<10".into(),
        Cell::Hidden => "x".into(),
    }
}

/// The daily chart drawn for the page's box, and the legend the page draws.
pub struct PageChart {
    pub svg: String,
    /// Its canvas in pixels.
    pub canvas: (u32, u32),
    pub legend: Vec<crate::charts::daily::LegendEntry>,
}

/// Draws the chart for a box of (width, height) points.
pub type ChartFor<'a> = dyn Fn(f64, f64) -> crate::error::Result<PageChart> + 'a;

pub fn compose(
    f: &BriefFigures,
    (chart_from, chart_to): (NaiveDate, NaiveDate),
    chart: &ChartFor<'_>,
    lang: Lang,
) -> crate::error::Result<String> {
    let w = words(lang);
    let g = |n: i64| lang.group(n);
    let mut p = Page {
        svg: format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
        ),
    };
    let mut y = header(&mut p, f, w, lang);
    y = headline_grid(&mut p, f, w, lang, y + 4.0);
    if let Some(prov) = &f.doses.provincial {
        let line = fill(
            w.provincial,
            &[
                (
                    "total",
                    prov.total_doses.map(g).unwrap_or_else(|| "—".into()),
                ),
                ("date", date(lang, &prov.last_date)),
                (
                    "record",
                    prov.record_day
                        .as_ref()
                        .map(|r| g(r.doses))
                        .unwrap_or_else(|| "—".into()),
                ),
                (
                    "record_date",
                    prov.record_day
                        .as_ref()
                        .map(|r| date(lang, &r.date))
                        .unwrap_or_default(),
                ),
            ],
        );
        y = p.paragraph(MARGIN, y + 4.0, WIDTH - 2.0 * MARGIN, 8.0, MUTED, &line);
    }
    if f.doses.held_tallies > 0 {
        // Held imports count in no figure above: the page says so.
        let line = if f.doses.held_tallies == 1 {
            w.held_one.to_owned()
        } else {
            fill(w.held_many, &[("n", g(f.doses.held_tallies))])
        };
        y = p.paragraph(
            MARGIN,
            y + 4.0,
            WIDTH - 2.0 * MARGIN,
            8.0,
            VERMILLION,
            &line,
        );
    }
    let (shift, sites) = plan_lines(f, w, lang);
    // The daily chart, as vector, under a heading with its days and a
    // one-line legend (the chart itself carries neither on the page).
    let heading = format!(
        "{}, {}",
        w.chart,
        day_span(lang, &chart_from.to_string(), &chart_to.to_string())
    );
    p.text((MARGIN, y + 12.0), SECTION, &heading);
    y += LEGEND_HEIGHT;
    // The chart takes the room the rest of the page leaves (at most its own
    // proportions); it scales to fit, centred.
    let line_h =
        |text: &str, size: f64| wrap(text, WIDTH - 2.0 * MARGIN, size).len() as f64 * size * 1.3;
    let plan_h = 28.0 + line_h(&shift, 8.5) + line_h(&sites, 8.5);
    let ahead = ahead_lines(f, w, lang);
    let ahead_h = 27.0 + ahead.iter().map(|l| line_h(l, 8.5) + 1.0).sum::<f64>();
    let below = TABLES_HEIGHT + ahead_h + plan_h + footer_height(f, w, lang) + BOTTOM;
    let chart_h = (HEIGHT - below - (y + 25.0))
        .clamp(MIN_CHART_HEIGHT, (WIDTH - 2.0 * MARGIN) * 560.0 / 1200.0);
    let drawn = chart(WIDTH - 2.0 * MARGIN, chart_h)?;
    legend_row(&mut p, &drawn.legend, y + 13.0);
    embed_chart(
        &mut p,
        &drawn.svg,
        drawn.canvas,
        (MARGIN, y + 17.0),
        (WIDTH - 2.0 * MARGIN, chart_h),
    );
    y += 17.0 + chart_h + 8.0;
    p.rule(y);
    y = tables(&mut p, f, w, lang, y + 14.0);
    p.rule(y);
    // Who is over capacity, and where the calls stand.
    p.text((MARGIN, y + 14.0), SECTION, w.ahead);
    y += 27.0;
    for line in &ahead {
        y = p.paragraph(MARGIN, y, WIDTH - 2.0 * MARGIN, 8.5, INK, line) + 1.0;
    }
    p.rule(y);
    // The plan.
    p.text((MARGIN, y + 14.0), SECTION, w.plan);
    y = p.paragraph(MARGIN, y + 27.0, WIDTH - 2.0 * MARGIN, 8.5, INK, &shift);
    y = p.paragraph(MARGIN, y + 1.0, WIDTH - 2.0 * MARGIN, 8.5, INK, &sites);
    footer(&mut p, f, w, lang, y + 4.0);
    p.svg.push_str("</svg>");
    Ok(p.svg)
}

/// The title, the as-of line and the DEMO band; returns the y below them.
fn header(p: &mut Page, f: &BriefFigures, w: &Words, lang: Lang) -> f64 {
    p.text((MARGIN, 46.0), TITLE, w.title);
    let as_of = fill(
        w.as_of,
        &[
            ("date", date(lang, &f.date)),
            ("sites", lang.group(f.sites)),
        ],
    );
    p.text((MARGIN, 62.0), SUBTITLE, &as_of);
    let mut y = 72.0;
    if f.demo {
        let _ = write!(
            p.svg,
            r##"<rect x="{MARGIN}" y="{y}" width="{}" height="15" fill="#e69f00"/>"##,
            WIDTH - 2.0 * MARGIN
        );
        p.text((WIDTH / 2.0, y + 10.8), DEMO_BANNER, w.demo);
        y += 19.0;
    }
    y
}

/// Sites shown by name in the over-capacity lines; the rest are counted.
const SITES_NAMED: usize = 4;
/// Site-days shown in the walk-ins line.
const WALK_INS_SHOWN: usize = 4;

/// The over-capacity sites ahead with the people each must move, the
/// rebooking calls' progress and the walk-ins expected, each a line.
fn ahead_lines(f: &BriefFigures, w: &Words, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if f.over_capacity_sites.is_empty() {
        lines.push(w.no_over.to_owned());
    } else {
        let named: Vec<String> = f
            .over_capacity_sites
            .iter()
            .take(SITES_NAMED)
            .map(|s| {
                fill(
                    w.over_site,
                    &[
                        ("site", format!("{} {}", s.site_code, s.site_name)),
                        ("n", people(lang, s.people)),
                        ("dates", day_span(lang, &s.first_date, &s.last_date)),
                    ],
                )
            })
            .collect();
        let mut line = fill(w.over_sites, &[("list", named.join("; "))]);
        let more = f.over_capacity_sites.len().saturating_sub(SITES_NAMED);
        if more > 0 {
            line.push(' ');
            line.push_str(&fill(w.more_sites, &[("n", lang.group(more as i64))]));
        }
        lines.push(line);
    }
    let c = &f.calls;
    lines.push(fill(
        w.calls,
        &[
            ("moved", people(lang, c.moved)),
            ("declined", people(lang, c.declined)),
            ("unreachable", people(lang, c.unreachable)),
            ("to_call", people(lang, c.to_call)),
        ],
    ));
    if f.walk_ins.is_empty() {
        lines.push(w.no_walk_ins.to_owned());
    } else {
        let list: Vec<String> = f
            .walk_ins
            .iter()
            .take(WALK_INS_SHOWN)
            .map(|a| {
                format!(
                    "{} {} {}",
                    a.site_code,
                    day_span(lang, &a.date, &a.date),
                    people(lang, a.expected)
                )
            })
            .collect();
        lines.push(fill(w.walk_ins, &[("list", list.join(" · "))]));
    }
    lines
}

/// The saved shift plan and siting plan, each as one line (or what is missing).
fn plan_lines(f: &BriefFigures, w: &Words, lang: Lang) -> (String, String) {
    let g = |n: i64| lang.group(n);
    let shift = match &f.shift_plan {
        Some(s) => fill(
            w.shift_plan,
            &[
                ("name", s.name.clone()),
                ("date", date(lang, &s.saved)),
                (
                    "shifts",
                    if s.extra_shifts == 1 {
                        w.one_shift.to_owned()
                    } else {
                        fill(w.shifts, &[("n", g(s.extra_shifts as i64))])
                    },
                ),
                ("capacity", g(s.added_capacity)),
                ("unmet", g(s.unmet_demand)),
                ("binding", binding_words(lang, &s.binding)),
                ("quality", quality(s.gap, w, lang)),
            ],
        ),
        None => w.no_shift_plan.to_owned(),
    };
    let sites = match &f.site_plan {
        Some(s) => fill(
            w.site_plan,
            &[
                ("name", s.name.clone()),
                ("date", date(lang, &s.saved)),
                (
                    "codes",
                    if s.chosen.is_empty() {
                        "—".into()
                    } else {
                        s.chosen.join(", ")
                    },
                ),
                ("before", g(s.covered_before.round() as i64)),
                ("after", g(s.covered_after.round() as i64)),
                ("quality", quality(s.gap, w, lang)),
            ],
        ),
        None => w.no_site_plan.to_owned(),
    };
    (shift, sites)
}

/// What is known of a saved plan's quality, as the end of its line.
fn quality(gap: Option<f64>, w: &Words, lang: Lang) -> String {
    match gap {
        Some(gap) if gap <= 0.0 => format!(" {}", w.plan_optimal),
        Some(gap) => format!(" {}", fill(w.plan_gap, &[("gap", lang.percent2_up(gap))])),
        None => String::new(),
    }
}

fn headline_grid(p: &mut Page, f: &BriefFigures, w: &Words, lang: Lang, top: f64) -> f64 {
    let g = |n: i64| lang.group(n);
    let d = &f.doses;
    let booked: i64 = f.next7.iter().map(|x| x.booked).sum();
    let capacity: i64 = f.next7.iter().map(|x| x.capacity).sum();
    let days_over = f.next7.iter().filter(|x| x.booked > x.capacity).count() as i64;
    let (day_value, day_note) = match f.doses_on_date {
        Some(n) => (g(n), String::new()),
        None => ("—".to_owned(), w.none_yet.to_owned()),
    };
    let cells: [(String, String, String, bool); 9] = [
        (
            g(d.doses_total),
            w.doses_to_date.into(),
            String::new(),
            false,
        ),
        (
            day_value,
            fill(w.doses_on, &[("date", date(lang, &f.date))]),
            day_note,
            false,
        ),
        (
            d.seven_day_avg
                .map(|a| g(a.round() as i64))
                .unwrap_or_else(|| "—".into()),
            w.avg7.into(),
            String::new(),
            false,
        ),
        (
            d.record_day
                .as_ref()
                .map(|r| g(r.doses))
                .unwrap_or_else(|| "—".into()),
            w.record.into(),
            d.record_day
                .as_ref()
                .map(|r| date(lang, &r.date))
                .unwrap_or_default(),
            false,
        ),
        (
            format!("{} / {}", g(booked), g(capacity)),
            w.next7.into(),
            // The week's sum hides the days that are over: count those.
            match days_over {
                0 if capacity > 0 => lang.percent(booked * 100 / capacity),
                0 => String::new(),
                1 => w.day_over.to_owned(),
                n => fill(w.days_over, &[("n", g(n))]),
            },
            days_over > 0,
        ),
        (
            g(f.overbooked_slots),
            w.overbooked.into(),
            String::new(),
            f.overbooked_slots > 0,
        ),
        (
            people(lang, f.excess_bookings),
            w.excess.into(),
            String::new(),
            f.excess_bookings > 0,
        ),
        (
            people(lang, f.still_expected),
            w.still_expected.into(),
            String::new(),
            f.still_expected > 0,
        ),
        (
            people(lang, f.orphan_first_doses),
            w.orphans.into(),
            String::new(),
            f.orphan_first_doses > 0,
        ),
    ];
    let col_w = (WIDTH - 2.0 * MARGIN) / 3.0;
    let row_h = 44.0;
    for (i, (value, label, note, alert)) in cells.iter().enumerate() {
        let x = MARGIN + (i % 3) as f64 * col_w;
        let y = top + (i / 3) as f64 * row_h;
        let bar = if *alert { VERMILLION } else { BLUE };
        let _ = write!(
            p.svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="2.5" height="{:.1}" fill="{bar}"/>"#,
            row_h - 8.0
        );
        p.text(
            (x + 8.0, y + 15.0),
            if *alert { FIGURE_ALERT } else { FIGURE },
            value,
        );
        let mut ly = y + 26.0;
        for line in wrap(label, col_w - 14.0, 7.5) {
            p.text((x + 8.0, ly), FIGURE_LABEL, &line);
            ly += 9.0;
        }
        // Under the label: a long value cannot run into it.
        if !note.is_empty() {
            let style = Ts {
                anchor: "start",
                colour: if *alert { VERMILLION } else { MUTED },
                ..FIGURE_NOTE
            };
            p.text((x + 8.0, ly), style, note);
        }
    }
    top + 3.0 * row_h
}

/// The chart's least height on the page: its text is drawn larger the
/// smaller it gets (briefing::MIN_CHART_TEXT_PT), so a full page squeezes it.
const MIN_CHART_HEIGHT: f64 = 115.0;

/// The legend row under the chart's heading.
const LEGEND_HEIGHT: f64 = 14.0;

/// The chart's legend in one row: a swatch (square for bars, stroke for
/// lines) and its label, each after the other.
fn legend_row(p: &mut Page, entries: &[crate::charts::daily::LegendEntry], y: f64) {
    let size = 8.0;
    let mut x = MARGIN;
    for e in entries {
        let c = e.colour;
        let colour = format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
        if e.bar {
            let _ = write!(
                p.svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="7" height="7" fill="{colour}"/>"#,
                y - 6.5
            );
        } else {
            let _ = write!(
                p.svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="10" height="2.2" fill="{colour}"/>"#,
                y - 4.0
            );
        }
        let style = Ts {
            size,
            bold: false,
            colour: INK,
            anchor: "start",
        };
        p.text((x + 13.0, y), style, e.label);
        x += 13.0 + text_width(e.label, size) + 12.0;
    }
}

fn embed_chart(
    p: &mut Page,
    chart: &str,
    (cw, ch): (u32, u32),
    (x, y): (f64, f64),
    (width, height): (f64, f64),
) {
    // The chart is a complete SVG of cw × ch: keep its content, nest it.
    let inner = chart
        .find('>')
        .map(|start| &chart[start + 1..])
        .unwrap_or_default()
        .trim_end()
        .trim_end_matches("</svg>");
    let _ = write!(
        p.svg,
        r#"<svg x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" viewBox="0 0 {cw} {ch}">{inner}</svg>"#
    );
}

fn tables(p: &mut Page, f: &BriefFigures, w: &Words, lang: Lang, top: f64) -> f64 {
    let g = |n: i64| lang.group(n);
    let half = (WIDTH - 2.0 * MARGIN) / 2.0;
    // Left: the next 7 days.
    p.text((MARGIN, top), TABLE_TITLE, w.next7_table);
    let row = 10.5;
    let mut y = top + 13.0;
    p.text((MARGIN + 125.0, y), COLUMN_HEAD, w.booked);
    p.text((MARGIN + 185.0, y), COLUMN_HEAD, w.capacity);
    p.text((MARGIN + 245.0, y), COLUMN_HEAD, w.load);
    for d in &f.next7 {
        y += row;
        let day = crate::time::parse_date(&d.date)
            .map(|x| short_day(lang, x))
            .unwrap_or_default();
        let over = d.booked > d.capacity;
        p.text((MARGIN, y), CELL, &day);
        let marked = Ts {
            size: 8.0,
            bold: over,
            colour: if over { VERMILLION } else { INK },
            anchor: "end",
        };
        p.text((MARGIN + 125.0, y), marked, &g(d.booked));
        p.text((MARGIN + 185.0, y), CELL_NUMBER, &g(d.capacity));
        let load = if d.capacity > 0 {
            lang.percent(d.booked * 100 / d.capacity)
        } else if d.booked > 0 {
            w.no_capacity.to_owned()
        } else {
            "—".to_owned()
        };
        p.text((MARGIN + 245.0, y), marked, &load);
    }
    let left_bottom = y;
    // Right: bookings by age, suppressed.
    let x = MARGIN + half;
    p.text((x, top), TABLE_TITLE, w.by_age);
    let Some((cells, total)) = suppress(&f.bookings_by_age) else {
        // Too few bookings to break down without revealing a small count.
        let mut y = top + 2.5 + row;
        for line in wrap(w.age_withheld, half - 10.0, CELL.size) {
            p.text((x, y), CELL, &line);
            y += row;
        }
        return left_bottom.max(y) + 8.0;
    };
    let mut labels: Vec<String> = AGE_COHORTS
        .iter()
        .enumerate()
        .map(|(i, &min)| match i {
            0 => format!("{min}+"),
            _ => format!("{min}–{}", AGE_COHORTS[i - 1] - 1),
        })
        .collect();
    labels.push(w.age_unknown.into());
    let mut y = top + 2.5;
    for (label, cell) in labels.iter().zip(cells) {
        y += row;
        p.text((x, y), CELL, label);
        p.text((x + 150.0, y), CELL_NUMBER, &cell_text(lang, cell));
    }
    y += row;
    p.text((x, y), TOTAL, w.age_total);
    p.text((x + 150.0, y), TOTAL_NUMBER, &cell_text(lang, total));
    left_bottom.max(y) + 8.0
}

fn short_day(lang: Lang, d: NaiveDate) -> String {
    use chrono::Datelike;
    let names_en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let names_fr = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::En => format!("{} {}", names_en[i], lang.date_short(d)),
        Lang::Fr => format!("{} {}", names_fr[i], lang.date_short(d)),
    }
}

/// Space below the last line of text.
const BOTTOM: f64 = 16.0;
/// The two tables under the chart, rules included.
const TABLES_HEIGHT: f64 = 14.0 + 2.5 + 8.0 * 10.5 + 8.0;
const SOURCES_SHOWN: usize = 9;

/// When the data last changed, in words, beside the date the figures are as of.
fn cut_off_line(f: &BriefFigures, w: &Words, lang: Lang) -> String {
    let time = chrono::DateTime::parse_from_rfc3339(&f.cut_off)
        .map(|t| {
            let utc = t.naive_utc();
            format!("{} {} UTC", lang.date_long(utc.date()), utc.format("%H:%M"))
        })
        .unwrap_or_else(|_| f.cut_off.clone());
    fill(w.cut_off, &[("time", time), ("date", date(lang, &f.date))])
}

fn footer_height(f: &BriefFigures, w: &Words, lang: Lang) -> f64 {
    let lines =
        |text: &str, size: f64| wrap(text, WIDTH - 2.0 * MARGIN, size).len() as f64 * size * 1.3;
    let sources = f.sources.len().min(SOURCES_SHOWN) + usize::from(f.sources.len() > SOURCES_SHOWN);
    let cut = cut_off_line(f, w, lang);
    4.0 + 10.0 + 8.0 * sources as f64 + 11.0 + lines(&cut, 7.0) + lines(w.aggregate, 6.5)
}

fn footer(p: &mut Page, f: &BriefFigures, w: &Words, lang: Lang, top: f64) {
    // Bottom-aligned when the page has room to spare.
    let mut y = top.max(HEIGHT - BOTTOM - footer_height(f, w, lang) + 4.0);
    p.rule(y);
    y += 10.0;
    p.text((MARGIN, y), SOURCES_TITLE, w.sources);
    for s in f.sources.iter().take(SOURCES_SHOWN) {
        y += 8.0;
        let line = format!(
            "{} · {} · {} · {}",
            s.kind, s.file_name, s.sha256, s.imported_at
        );
        p.text((MARGIN, y), SOURCE_LINE, &line);
    }
    if f.sources.len() > SOURCES_SHOWN {
        y += 8.0;
        p.text(
            (MARGIN, y),
            SOURCE_LINE,
            &format!("+{}", f.sources.len() - SOURCES_SHOWN),
        );
    }
    y += 11.0;
    let cut = cut_off_line(f, w, lang);
    y = p.paragraph(MARGIN, y, WIDTH - 2.0 * MARGIN, 7.0, INK, &cut);
    p.paragraph(MARGIN, y, WIDTH - 2.0 * MARGIN, 6.5, MUTED, w.aggregate);
}

/// The planner's constraint names in the briefing's language.
fn binding_words(lang: Lang, binding: &[String]) -> String {
    if binding.is_empty() {
        return "—".into();
    }
    binding
        .iter()
        .map(|b| match (lang, b.as_str()) {
            (Lang::En, "supply") => "vaccine supply".to_owned(),
            (Lang::En, "hours") => "opening hours".to_owned(),
            (Lang::En, "max_shifts_per_day") => "shifts per site per day".to_owned(),
            (Lang::Fr, "supply") => "approvisionnement en vaccins".to_owned(),
            (Lang::Fr, "staff") => "personnel".to_owned(),
            (Lang::Fr, "hours") => "heures d'ouverture".to_owned(),
            (Lang::Fr, "max_shifts_per_day") => "quarts par site et par jour".to_owned(),
            (_, other) => other.replace('_', " "),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
