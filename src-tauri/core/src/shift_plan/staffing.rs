//! Who a shift needs at each station, in the spirit of CDC Maxi-Vac and AHRQ
//! BERM: every station's staff follows the shift's dose rate through an
//! editable ratio, so the vaccinators are the intended bottleneck.

use serde::{Deserialize, Serialize};

/// Minutes a person sits in an observation chair after the dose.
pub const OBSERVATION_MINUTES: f64 = 15.0;

/// Editable staffing ratios. Defaults: a clerk checks in 40 people an hour
/// (90 s each), a screener 30 (2 min), an observer watches 10 chairs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
// Missing fields keep their defaults: the UI sends only what it edits.
#[serde(default)]
pub struct StaffingRatios {
    pub check_in_per_hour: f64,
    pub screenings_per_hour: f64,
    pub chairs_per_observer: f64,
}

impl Default for StaffingRatios {
    fn default() -> Self {
        StaffingRatios {
            check_in_per_hour: 40.0,
            screenings_per_hour: 30.0,
            chairs_per_observer: 10.0,
        }
    }
}

/// Staff of one shift by station.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StationStaff {
    pub check_in: u32,
    pub screening: u32,
    pub vaccination: u32,
    pub observation: u32,
    /// Observation chairs the shift needs (doses/hour × 15/60).
    pub observation_chairs: u32,
}

impl StationStaff {
    /// People on the shift (chairs are not people).
    pub fn total(&self) -> u32 {
        self.check_in + self.screening + self.vaccination + self.observation
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Station {
    CheckIn,
    Screening,
    Vaccination,
    Observation,
}

/// Staff that keeps every station up with `vaccinators` giving
/// `doses_per_vaccinator_hour` each.
pub fn staff_for(
    vaccinators: u32,
    doses_per_vaccinator_hour: f64,
    ratios: &StaffingRatios,
) -> StationStaff {
    if vaccinators == 0 {
        return StationStaff::default();
    }
    let rate = f64::from(vaccinators) * doses_per_vaccinator_hour;
    let chairs = (rate * OBSERVATION_MINUTES / 60.0 - 1e-9).ceil().max(0.0);
    let need = |x: f64| (x - 1e-9).ceil().max(1.0) as u32;
    StationStaff {
        check_in: need(rate / ratios.check_in_per_hour),
        screening: need(rate / ratios.screenings_per_hour),
        vaccination: vaccinators,
        observation: need(chairs / ratios.chairs_per_observer),
        observation_chairs: chairs as u32,
    }
}

/// The station that limits a shift staffed as `staff`, and the doses per hour
/// it lets through. Observation passes chairs × 60/15 people an hour, but
/// only as many chairs as its observers can watch.
pub fn bottleneck(
    staff: &StationStaff,
    doses_per_vaccinator_hour: f64,
    ratios: &StaffingRatios,
) -> (Station, f64) {
    let watched = f64::from(staff.observation) * ratios.chairs_per_observer;
    let chairs = watched.min(f64::from(staff.observation_chairs));
    let rates = [
        (
            Station::CheckIn,
            f64::from(staff.check_in) * ratios.check_in_per_hour,
        ),
        (
            Station::Screening,
            f64::from(staff.screening) * ratios.screenings_per_hour,
        ),
        (
            Station::Vaccination,
            f64::from(staff.vaccination) * doses_per_vaccinator_hour,
        ),
        (Station::Observation, chairs * 60.0 / OBSERVATION_MINUTES),
    ];
    // Ties go to the vaccinators: the station a manager staffs deliberately.
    let mut best = rates[2];
    for r in rates {
        if r.1 < best.1 - 1e-9 {
            best = r;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_follows_the_dose_rate() {
        // 10 vaccinators × 12 doses/h = 120/h: 3 clerks, 4 screeners,
        // 30 chairs and 3 observers.
        let s = staff_for(10, 12.0, &StaffingRatios::default());
        assert_eq!(
            (s.check_in, s.screening, s.vaccination, s.observation),
            (3, 4, 10, 3)
        );
        assert_eq!(s.observation_chairs, 30);
        assert_eq!(s.total(), 20);
        let (station, rate) = bottleneck(&s, 12.0, &StaffingRatios::default());
        assert_eq!(station, Station::Vaccination);
        assert!((rate - 120.0).abs() < 1e-9);
    }

    #[test]
    fn names_the_short_station() {
        let ratios = StaffingRatios::default();
        let mut s = staff_for(10, 12.0, &ratios);
        s.screening = 2; // 60 screenings an hour for 120 doses
        assert_eq!(bottleneck(&s, 12.0, &ratios), (Station::Screening, 60.0));
        s = staff_for(10, 12.0, &ratios);
        s.observation = 1; // 10 chairs watched: 40 people an hour
        assert_eq!(bottleneck(&s, 12.0, &ratios), (Station::Observation, 40.0));
    }
}
