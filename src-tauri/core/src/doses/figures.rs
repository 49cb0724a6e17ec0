//! The headline figures: regional total, record day, last day, 7-day
//! average, and the provincial series' own, with implausible days flagged
//! and kept out of records unless confirmed.

use super::flags::{implausible, Day, FlaggedDay};
use super::series;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayDoses {
    pub date: String,
    pub doses: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DoseFigures {
    /// Doses in the regional tallies, all days.
    pub doses_total: i64,
    /// The highest regional daily total among plausible or confirmed days.
    pub record_day: Option<DayDoses>,
    /// The last day with tallies.
    pub last_day: Option<DayDoses>,
    /// Mean daily doses over the 7 calendar days ending on the last day.
    pub seven_day_avg: Option<f64>,
    pub flagged_days: Vec<FlaggedDay>,
    /// Tallies held out of every figure until a person confirms them.
    pub held_tallies: i64,
    pub provincial: Option<ProvincialFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvincialFigures {
    /// First and last report dates with any value.
    pub first_date: String,
    pub last_date: String,
    /// The last cumulative total reported.
    pub total_doses: Option<i64>,
    /// Dated by the day the doses were given (report date − 1).
    pub record_day: Option<DayDoses>,
    /// Calendar days between the first and last report date with no report.
    pub missing_dates: i64,
    pub flagged_days: Vec<FlaggedDay>,
    pub release: Release,
    /// Report dates whose values changed since the release before.
    pub revised_report_dates: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub file_name: String,
    pub sha256: String,
    pub imported_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Series {
    Regional,
    Provincial,
}

impl Series {
    fn name(self) -> &'static str {
        match self {
            Series::Regional => "regional",
            Series::Provincial => "provincial",
        }
    }
}

pub fn figures(conn: &Connection) -> Result<DoseFigures> {
    figures_until(conn, None)
}

/// The figures as they stood at the end of `until` (all data when `None`):
/// briefings for a past date count only what was known by then.
pub fn figures_until(conn: &Connection, until: Option<NaiveDate>) -> Result<DoseFigures> {
    let keep = |d: &NaiveDate| until.is_none_or(|u| *d <= u);
    let mut days = series::regional(conn, None)?;
    days.retain(|d| keep(&d.date));
    let confirmed = confirmed_days(conn, Series::Regional)?;
    let (record_day, flagged_days) = record_and_flags(&days, &confirmed);
    let doses_total: i64 = days.iter().map(|d| d.doses).sum();
    let last = days.last().copied();
    let seven_day_avg = last.map(|last| {
        let from = last.date - chrono::Duration::days(6);
        let sum: i64 = days
            .iter()
            .filter(|d| d.date >= from)
            .map(|d| d.doses)
            .sum();
        (sum as f64 / 7.0 * 10.0).round() / 10.0
    });
    Ok(DoseFigures {
        doses_total,
        record_day,
        last_day: last.map(day_doses),
        seven_day_avg,
        flagged_days,
        held_tallies: crate::store::dose_count::held_count(
            conn,
            until.map(|u| u.to_string()).as_deref(),
        )?,
        provincial: provincial_figures(conn, until)?,
    })
}

fn provincial_figures(
    conn: &Connection,
    until: Option<NaiveDate>,
) -> Result<Option<ProvincialFigures>> {
    let mut reports = series::provincial(conn)?;
    // The report on D + 1 covers day D.
    reports.retain(|r| until.is_none_or(|u| r.report_date.pred_opt().is_some_and(|d| d <= u)));
    let (Some(first), Some(last)) = (reports.first(), reports.last()) else {
        return Ok(None);
    };
    let newest = crate::store::provincial::newest_ids(conn, 1)?;
    let release = conn.query_row(
        "SELECT id, file_name, sha256, imported_at FROM provincial_release WHERE id = ?1",
        [newest.first()],
        |r| {
            Ok((
                r.get::<_, i64>("id")?,
                Release {
                    file_name: r.get("file_name")?,
                    sha256: r.get("sha256")?,
                    imported_at: r.get("imported_at")?,
                },
            ))
        },
    )?;
    let span = (last.report_date - first.report_date).num_days() + 1;
    let days = series::provincial_days(&reports);
    let confirmed = confirmed_days(conn, Series::Provincial)?;
    let (record_day, flagged_days) = record_and_flags(&days, &confirmed);
    Ok(Some(ProvincialFigures {
        first_date: first.report_date.to_string(),
        last_date: last.report_date.to_string(),
        total_doses: reports.iter().rev().find_map(|r| r.total_doses),
        record_day,
        missing_dates: span - reports.len() as i64,
        flagged_days,
        release: release.1,
        revised_report_dates: super::provincial::revisions(conn)?
            .iter()
            .map(|r| &r.report_date)
            .collect::<HashSet<_>>()
            .len(),
    }))
}

/// The record among days that are plausible or confirmed (the earliest of
/// equal days), and every implausible day with its reason.
pub fn record_and_flags(
    days: &[Day],
    confirmed: &HashSet<NaiveDate>,
) -> (Option<DayDoses>, Vec<FlaggedDay>) {
    let flags = implausible(days);
    let excluded: HashSet<usize> = flags
        .iter()
        .filter(|(i, _)| !confirmed.contains(&days[*i].date))
        .map(|(i, _)| *i)
        .collect();
    let record = days
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(i))
        .map(|(_, d)| *d)
        .fold(None::<Day>, |best, d| match best {
            Some(b) if b.doses >= d.doses => Some(b),
            _ => Some(d),
        });
    let flagged = flags
        .into_iter()
        .map(|(i, why)| FlaggedDay {
            date: days[i].date.to_string(),
            doses: days[i].doses,
            reason: why.english(),
            why,
            confirmed: confirmed.contains(&days[i].date),
        })
        .collect();
    (record.map(day_doses), flagged)
}

fn day_doses(d: Day) -> DayDoses {
    DayDoses {
        date: d.date.to_string(),
        doses: d.doses,
    }
}

pub fn confirmed_days(conn: &Connection, series: Series) -> Result<HashSet<NaiveDate>> {
    let mut stmt = conn.prepare_cached("SELECT date FROM confirmed_day WHERE series = ?1")?;
    let rows = stmt.query_map([series.name()], |r| r.get::<_, String>("date"))?;
    let mut out = HashSet::new();
    for row in rows {
        if let Some(d) = crate::time::parse_date(&row?) {
            out.insert(d);
        }
    }
    Ok(out)
}

/// Marks a flagged day as real (it may then be a record), or withdraws that.
/// Confirming a day the series does not flag is refused: a mistyped date
/// would otherwise be "confirmed" silently and the flagged one left as it
/// was. Withdrawing is always allowed.
pub fn confirm_day(conn: &Connection, series: Series, date: &str, confirmed: bool) -> Result<()> {
    let date = crate::time::require_date("", date)?.to_string();
    let all = figures(conn)?;
    let flagged = match series {
        Series::Regional => &all.flagged_days,
        Series::Provincial => match &all.provincial {
            Some(p) => &p.flagged_days,
            None => &Vec::new(),
        },
    };
    if confirmed && !flagged.iter().any(|d| d.date == date) {
        let dates: Vec<&str> = flagged.iter().map(|d| d.date.as_str()).collect();
        return Err(crate::error::Error::InvalidInput(format!(
            "{date} is not a flagged day of the {} series, so there is nothing to confirm (flagged: {})",
            series.name(),
            if dates.is_empty() { "none".to_string() } else { dates.join(", ") }
        )));
    }
    let now = crate::store::now_timestamp();
    crate::store::confirmed_day::set(conn, series.name(), &date, confirmed, &now)?;
    Ok(())
}
