//! Doses per vaccinator-hour at a site: measured from its own busy days when
//! there are enough of them, else the nominal 60 ÷ minutes_per_dose.

use serde::Serialize;

/// A day of a site's history: doses tallied and vaccinator-hours scheduled.
#[derive(Debug, Clone, Copy)]
pub struct HistoryDay {
    pub doses: i64,
    pub vaccinator_hours: f64,
}

/// Days needed before the measured rate replaces the nominal one.
pub const MIN_HISTORY_DAYS: usize = 5;
/// A day counts only when the site gave at least this share of its nominal
/// capacity: a half-empty day measures demand, not how fast staff can vaccinate.
pub const BUSY_SHARE: f64 = 0.8;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteRate {
    pub doses_per_vaccinator_hour: f64,
    /// `history` or `minutes_per_dose`.
    pub source: &'static str,
    /// Busy days the measured rate came from (0 for the nominal rate).
    pub history_days: usize,
}

pub fn nominal_rate(minutes_per_dose: f64) -> f64 {
    60.0 / minutes_per_dose.max(0.1)
}

/// The site's rate from its history, falling back to the nominal rate.
pub fn site_rate(minutes_per_dose: f64, history: &[HistoryDay]) -> SiteRate {
    let nominal = nominal_rate(minutes_per_dose);
    let busy: Vec<&HistoryDay> = history
        .iter()
        .filter(|d| {
            d.vaccinator_hours > 0.0 && d.doses as f64 >= BUSY_SHARE * nominal * d.vaccinator_hours
        })
        .collect();
    if busy.len() < MIN_HISTORY_DAYS {
        return SiteRate {
            doses_per_vaccinator_hour: nominal,
            source: "minutes_per_dose",
            history_days: 0,
        };
    }
    let doses: i64 = busy.iter().map(|d| d.doses).sum();
    let hours: f64 = busy.iter().map(|d| d.vaccinator_hours).sum();
    SiteRate {
        doses_per_vaccinator_hour: doses as f64 / hours,
        source: "history",
        history_days: busy.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_busy_days_else_falls_back() {
        let day = |doses, h| HistoryDay {
            doses,
            vaccinator_hours: h,
        };
        // 5 minutes a dose: 12 an hour nominal.
        assert_eq!(site_rate(5.0, &[]).doses_per_vaccinator_hour, 12.0);
        // Half-empty days do not count.
        let quiet = vec![day(40, 8.0); 10];
        assert_eq!(site_rate(5.0, &quiet).source, "minutes_per_dose");
        let busy = vec![day(110, 8.0); 6];
        let r = site_rate(5.0, &busy);
        assert_eq!((r.source, r.history_days), ("history", 6));
        assert!((r.doses_per_vaccinator_hour - 13.75).abs() < 1e-9);
    }
}
