//! A record must never be an artifact: days whose daily value is implausible
//! are flagged with a reason, and record days skip them unless a user has
//! confirmed them.

use chrono::NaiveDate;
use serde::Serialize;

/// One day of a daily series: doses given that day and, where the source
/// has it, the cumulative total at the end of the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    pub doses: i64,
    pub cumulative: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlaggedDay {
    pub date: String,
    pub doses: i64,
    /// Why, in English (the CLI's words).
    pub reason: String,
    /// Why, with its figures, for the UI to say in its language.
    pub why: FlagWhy,
    /// A user has confirmed the value as real; it may then be a record.
    pub confirmed: bool,
}

/// How many earlier days make "the recent range", and how many are needed
/// before a day can be judged at all.
const RECENT_DAYS: usize = 14;
const MIN_RECENT: usize = 7;
/// A day above this multiple of the recent median is out of range...
const OUTLIER_FACTOR: f64 = 3.0;
/// ...when it is also this many doses above it (small series are noisy).
const OUTLIER_MIN_EXCESS: i64 = 100;
/// Daily value and cumulative change may differ by this share, or this many doses.
const CUMULATIVE_TOLERANCE: f64 = 0.10;
const CUMULATIVE_MIN_GAP: i64 = 100;

/// Why a day is implausible.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlagWhy {
    Negative {
        doses: i64,
    },
    DisagreesWithCumulative {
        doses: i64,
        change: i64,
    },
    AboveRecentRange {
        doses: i64,
        factor: f64,
        days: usize,
        median: i64,
    },
}

impl FlagWhy {
    pub fn english(&self) -> String {
        match *self {
            FlagWhy::Negative { doses } => format!("negative daily count ({doses})"),
            FlagWhy::DisagreesWithCumulative { doses, change } => format!(
                "daily count {} differs from the change in the cumulative total ({})",
                group(doses),
                group(change)
            ),
            FlagWhy::AboveRecentRange {
                doses,
                factor,
                days,
                median,
            } => format!(
                "{} is more than {factor}× the median of the previous {days} days ({}): \
                 a backlog or a change in what is counted?",
                group(doses),
                group(median)
            ),
        }
    }
}

/// Indexes of implausible days in a date-ordered series, with the reason.
pub fn implausible(series: &[Day]) -> Vec<(usize, FlagWhy)> {
    let mut flagged = Vec::new();
    for (i, day) in series.iter().enumerate() {
        if day.doses < 0 {
            flagged.push((i, FlagWhy::Negative { doses: day.doses }));
            continue;
        }
        if let Some(reason) = disagrees_with_cumulative(series, i) {
            flagged.push((i, reason));
            continue;
        }
        if let Some(reason) = outside_recent_range(series, i) {
            flagged.push((i, reason));
        }
    }
    flagged
}

fn disagrees_with_cumulative(series: &[Day], i: usize) -> Option<FlagWhy> {
    let day = series[i];
    let prev = series.get(i.checked_sub(1)?)?;
    // Only a consecutive day's totals say what one day added.
    if prev.date.succ_opt()? != day.date {
        return None;
    }
    let change = day.cumulative? - prev.cumulative?;
    let gap = (day.doses - change).abs();
    let scale = day.doses.max(change).max(1) as f64;
    (gap > CUMULATIVE_MIN_GAP && gap as f64 > CUMULATIVE_TOLERANCE * scale).then_some(
        FlagWhy::DisagreesWithCumulative {
            doses: day.doses,
            change,
        },
    )
}

fn outside_recent_range(series: &[Day], i: usize) -> Option<FlagWhy> {
    let start = i.saturating_sub(RECENT_DAYS);
    let recent: Vec<i64> = series[start..i].iter().map(|d| d.doses).collect();
    let doses = series[i].doses;
    above_recent_range(&recent, doses).map(|median| FlagWhy::AboveRecentRange {
        doses,
        factor: OUTLIER_FACTOR,
        days: recent.len(),
        median,
    })
}

/// The median of the `recent` days' values (the last `RECENT_DAYS` at most)
/// when `value` lies far above their range: more than `OUTLIER_FACTOR` times
/// it and at least `OUTLIER_MIN_EXCESS` above it, once `MIN_RECENT` days exist.
pub(crate) fn above_recent_range(recent: &[i64], value: i64) -> Option<i64> {
    let mut recent: Vec<i64> = recent[recent.len().saturating_sub(RECENT_DAYS)..].to_vec();
    if recent.len() < MIN_RECENT {
        return None;
    }
    recent.sort_unstable();
    let median = recent[recent.len() / 2];
    (value as f64 > OUTLIER_FACTOR * median as f64 && value - median >= OUTLIER_MIN_EXCESS)
        .then_some(median)
}

/// Reasons are stored in English; the UI shows them as they are.
pub fn group(n: i64) -> String {
    crate::locale::Lang::En.group(n)
}
