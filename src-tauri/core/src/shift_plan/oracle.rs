//! The shift planner's rules written a second time, from the README's
//! words ("Staffing by station" and "Where extra shifts go"), in whole
//! numbers and without the planner's code: the exact optimum (`exact`) and
//! the tests' validator judge the planner by these, so a slip in the
//! planner's own `staff_for`, `shift_doses`, `candidates` or
//! `base_capacity` shows as a disagreement instead of passing on both sides.
//! Tests and the bench only.

use super::planner::PlanInstance;
use super::staffing::{StaffingRatios, StationStaff};

/// A vaccinator's doses per hour as a fraction `(numerator, denominator)`:
/// 60 ÷ whole minutes per dose (a site's `minutes_per_dose`), or a whole
/// rate. Panics on any other rate: the oracle judges only what it can do
/// exactly.
fn rate_fraction(doses_per_vaccinator_hour: f64) -> (u64, u64) {
    let minutes = 60.0 / doses_per_vaccinator_hour;
    if doses_per_vaccinator_hour > 0.0 && (minutes - minutes.round()).abs() < 1e-9 {
        (60, minutes.round() as u64)
    } else if (doses_per_vaccinator_hour - doses_per_vaccinator_hour.round()).abs() < 1e-9 {
        (doses_per_vaccinator_hour.round() as u64, 1)
    } else {
        panic!("oracle: {doses_per_vaccinator_hour} doses an hour is not exact")
    }
}

fn whole(x: f64, what: &str) -> u64 {
    assert!(
        x > 0.0 && (x - x.round()).abs() < 1e-9,
        "oracle: {what} {x} is not a whole number"
    );
    x.round() as u64
}

fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

/// Staff at each station: with the shift's vaccinators giving T doses an
/// hour, ⌈T ÷ check-ins an hour⌉ clerks, ⌈T ÷ screenings an hour⌉
/// screeners, the vaccinators, ⌈T × 15 ÷ 60⌉ observation chairs and
/// ⌈chairs ÷ chairs per observer⌉ observers; at least one at each station
/// when the shift has a vaccinator, nobody when it has none.
pub fn staff(
    vaccinators: u32,
    doses_per_vaccinator_hour: f64,
    ratios: &StaffingRatios,
) -> StationStaff {
    if vaccinators == 0 {
        return StationStaff::default();
    }
    let (num, den) = rate_fraction(doses_per_vaccinator_hour);
    // T = per_hour / den doses an hour.
    let per_hour = u64::from(vaccinators) * num;
    let at_least_one = |n: u64| n.max(1) as u32;
    let check_in = whole(ratios.check_in_per_hour, "check-ins an hour");
    let screenings = whole(ratios.screenings_per_hour, "screenings an hour");
    let per_observer = whole(ratios.chairs_per_observer, "chairs per observer");
    let chairs = ceil_div(per_hour * 15, den * 60);
    StationStaff {
        check_in: at_least_one(ceil_div(per_hour, den * check_in)),
        screening: at_least_one(ceil_div(per_hour, den * screenings)),
        vaccination: vaccinators,
        observation: at_least_one(ceil_div(chairs, per_observer)),
        observation_chairs: chairs as u32,
    }
}

/// Doses a shift gives: vaccinators × minutes ÷ 60 × doses an hour,
/// rounded down.
pub fn doses(vaccinators: u32, minutes: u32, doses_per_vaccinator_hour: f64) -> i64 {
    let (num, den) = rate_fraction(doses_per_vaccinator_hour);
    (u64::from(vaccinators) * u64::from(minutes) * num / (den * 60)) as i64
}

/// Each day's capacity before the plan: its shifts' capacities added up.
pub fn capacity_by_day(inst: &PlanInstance) -> Vec<i64> {
    (0..inst.days.len())
        .map(|d| {
            inst.existing
                .iter()
                .filter(|s| s.day == d)
                .map(|s| s.capacity)
                .sum()
        })
        .collect()
}

/// A window an extra shift may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub site: usize,
    pub start: u32,
    pub end: u32,
    /// Stations free all through the window.
    pub free_stations: u32,
}

/// Where extra shifts go on day `day`: back-to-back windows of
/// `shift_minutes` (15 at least) from the site's opening, as many as end
/// by its closing (the whole day as one window when none fits); not one
/// starting when one of the day's shifts there starts; and only with a
/// station free at every minute of it.
pub fn windows(inst: &PlanInstance, shift_minutes: u32, day: usize) -> Vec<Window> {
    let length = shift_minutes.max(15);
    let mut out = Vec::new();
    for (si, site) in inst.sites.iter().enumerate() {
        if site.closes <= site.opens {
            continue;
        }
        let today: Vec<_> = inst
            .existing
            .iter()
            .filter(|s| s.site == si && s.day == day)
            .collect();
        let fitting = (site.closes - site.opens) / length;
        let spans: Vec<(u32, u32)> = if fitting == 0 {
            vec![(site.opens, site.closes)]
        } else {
            (0..fitting)
                .map(|i| (site.opens + i * length, site.opens + (i + 1) * length))
                .collect()
        };
        for (start, end) in spans {
            if today.iter().any(|s| s.start == start) {
                continue;
            }
            let busiest = (start..end)
                .map(|minute| {
                    today
                        .iter()
                        .filter(|s| s.start <= minute && minute < s.end)
                        .map(|s| s.vaccinators)
                        .sum::<u32>()
                })
                .max()
                .unwrap_or(0);
            let free_stations = site.stations.saturating_sub(busiest);
            if free_stations > 0 {
                out.push(Window {
                    site: si,
                    start,
                    end,
                    free_stations,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from the rule's words: 4 vaccinators at 12 doses an
    /// hour give 48 an hour: 2 clerks (40 an hour), 2 screeners (30), 12
    /// chairs (48 × 15 ÷ 60), 2 observers (10 chairs each).
    #[test]
    fn known_answers() {
        let ratios = StaffingRatios::default();
        let s = staff(4, 12.0, &ratios);
        assert_eq!(
            (
                s.check_in,
                s.screening,
                s.vaccination,
                s.observation_chairs,
                s.observation
            ),
            (2, 2, 4, 12, 2)
        );
        // One vaccinator at 10 an hour: one at each station, 3 chairs (2.5 up).
        let s = staff(1, 10.0, &ratios);
        assert_eq!(
            (s.check_in, s.screening, s.observation_chairs, s.observation),
            (1, 1, 3, 1)
        );
        assert_eq!(staff(0, 12.0, &ratios), StationStaff::default());
        // 60 ÷ 7 doses an hour, exactly: 3 vaccinators × 4 h = 102.86 → 102.
        assert_eq!(doses(3, 240, 60.0 / 7.0), 102);
        assert_eq!(doses(5, 240, 15.0), 300);
    }
}
