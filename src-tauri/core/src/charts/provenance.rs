//! What an exported chart carries beside the drawing, as the briefing does:
//! the DEMO label on demo data, and a line saying where its numbers come
//! from. A PNG pasted into a slide deck travels without the app around it.

use super::style::{px, FONT, INK, ORANGE};
use super::{chart_error, BarBox, Drawing};
use crate::error::Result;
use crate::locale::Lang;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rusqlite::Connection;

/// Files named in the source line; more are counted.
const FILES_NAMED: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub demo: bool,
    /// The imported files behind the figures, latest import of each kind.
    pub files: Vec<String>,
    /// When the last of them was imported (`YYYY-MM-DD`), if any was.
    pub imported: Option<String>,
}

impl Provenance {
    pub fn of(conn: &Connection) -> Result<Self> {
        let mut stmt = conn.prepare(
            // The files behind a chart's numbers first.
            "SELECT file_name, max(imported_at) AS at FROM import_log GROUP BY kind
             ORDER BY CASE kind WHEN 'dose-counts' THEN 0 WHEN 'bookings' THEN 1
                                WHEN 'shifts' THEN 2 WHEN 'provincial' THEN 3
                                WHEN 'sites' THEN 4 ELSE 5 END, kind",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Provenance {
            demo: crate::stats::is_demo(conn)?,
            imported: rows
                .iter()
                .map(|(_, at)| at.chars().take(10).collect())
                .max(),
            files: rows.into_iter().map(|(f, _)| f).collect(),
        })
    }

    /// The source line in `lang`.
    pub fn line(&self, lang: Lang) -> String {
        let mut files: Vec<String> = self.files.iter().take(FILES_NAMED).cloned().collect();
        if self.files.len() > FILES_NAMED {
            files.push(format!("+{}", self.files.len() - FILES_NAMED));
        }
        let date = self
            .imported
            .as_deref()
            .and_then(crate::time::parse_date)
            .map(|d| lang.date_long(d));
        match (lang, files.is_empty(), date) {
            (Lang::En, true, _) => "Source: DoseDesk (no file imported)".to_owned(),
            (Lang::Fr, true, _) => "Source : DoseDesk (aucun fichier importé)".to_owned(),
            (Lang::En, false, d) => format!(
                "Source: DoseDesk, from {}{}",
                files.join(", "),
                d.map(|d| format!(" (last imported {d})"))
                    .unwrap_or_default()
            ),
            (Lang::Fr, false, d) => format!(
                "Source : DoseDesk, d'après {}{}",
                files.join(", "),
                d.map(|d| format!(" (dernière importation le {d})"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The DEMO label's words.
fn demo_words(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "DEMO DATA — not real figures",
        Lang::Fr => "DONNÉES DE DÉMONSTRATION — chiffres fictifs",
    }
}

/// A drawing with the source line under it and, on demo data, the label
/// in its top right corner.
pub struct Labelled<'a, D: Drawing> {
    pub drawing: &'a D,
    pub provenance: &'a Provenance,
}

impl<D: Drawing> Drawing for Labelled<'_, D> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        lang: Lang,
    ) -> Result<Vec<BarBox>> {
        let (_, h) = root.dim_in_pixel();
        let strip = px(h, 24.0);
        // On demo data, a band across the top, as on the briefing.
        let root = if self.provenance.demo {
            let (band, rest) = root.split_vertically(strip);
            band.fill(&ORANGE).map_err(chart_error)?;
            let (bw, _) = band.dim_in_pixel();
            let label = (FONT, px(h, 13.0))
                .into_font()
                .style(FontStyle::Bold)
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            band.draw_text(
                demo_words(lang),
                &label,
                ((bw / 2) as i32, (strip / 2) as i32),
            )
            .map_err(chart_error)?;
            rest
        } else {
            root.clone()
        };
        let (_, rest_h) = root.dim_in_pixel();
        let (main, foot) = root.split_vertically(rest_h.saturating_sub(strip));
        let bars = self.drawing.draw(&main, lang)?;
        let small = (FONT, px(h, 12.0)).into_font().color(&INK);
        foot.fill(&WHITE).map_err(chart_error)?;
        foot.draw_text(
            &self.provenance.line(lang),
            &small.pos(Pos::new(HPos::Left, VPos::Center)),
            (px(h, 12.0) as i32, (strip / 2) as i32),
        )
        .map_err(chart_error)?;
        Ok(bars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_line_names_the_files_and_the_date_in_each_language() {
        let p = Provenance {
            demo: true,
            files: vec!["a.csv".into(), "b.csv".into()],
            imported: Some("2021-03-22".into()),
        };
        assert_eq!(
            p.line(Lang::En),
            "Source: DoseDesk, from a.csv, b.csv (last imported March 22, 2021)"
        );
        assert!(p
            .line(Lang::Fr)
            .starts_with("Source : DoseDesk, d'après a.csv, b.csv"));
        let none = Provenance {
            demo: false,
            files: vec![],
            imported: None,
        };
        assert_eq!(none.line(Lang::En), "Source: DoseDesk (no file imported)");
    }
}
