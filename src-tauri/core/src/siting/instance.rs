//! What a siting run is given: population areas, points (open sites and
//! candidates) and the options.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AreaInput {
    pub area_id: String,
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
    /// Eligible population (people the campaign serves).
    pub eligible: f64,
    /// Hotspot weight (1 = ordinary).
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PointInput {
    pub site_code: String,
    pub name: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub capacity_per_day: Option<f64>,
    /// An open site is always part of the network; a candidate may be chosen.
    pub open: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SitingInput {
    pub areas: Vec<AreaInput>,
    pub points: Vec<PointInput>,
}

impl SitingInput {
    /// How many eligible people each point can serve over `days` days of
    /// its daily capacity (unlimited without one); `None` when capacities
    /// are not part of the run.
    pub(crate) fn capacities(&self, days: Option<f64>) -> Option<Vec<f64>> {
        days.map(|days| {
            self.points
                .iter()
                .map(|p| {
                    p.capacity_per_day
                        .map_or(f64::INFINITY, |c| c.max(0.0) * days)
                })
                .collect()
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Maximal covering: Σ eligible × weight of areas within the radius.
    Coverage,
    /// p-median: eligible-weighted mean distance to the nearest point.
    Distance,
}

impl Objective {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "coverage" => Some(Objective::Coverage),
            "distance" => Some(Objective::Distance),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SitingOptions {
    /// New points to choose (lock-ins included).
    pub k: usize,
    /// An area is covered when an open point is within this distance.
    pub radius_km: f64,
    pub objective: Objective,
    /// Candidate codes that must be chosen.
    pub lock: Vec<String>,
    /// Candidate codes that must not be chosen.
    pub exclude: Vec<String>,
    /// When set, a point serves at most capacity_per_day × this many days of
    /// eligible people (points without a capacity are unlimited).
    pub capacity_days: Option<f64>,
    /// How long the exact solver may look for the best answer, in seconds;
    /// past it, the best answer found is reported with its gap.
    #[serde(default = "default_time_limit")]
    pub time_limit_seconds: f64,
}

pub use crate::mip::DEFAULT_TIME_LIMIT_SECONDS;

fn default_time_limit() -> f64 {
    DEFAULT_TIME_LIMIT_SECONDS
}

impl SitingOptions {
    pub fn new(k: usize, radius_km: f64, objective: Objective) -> Self {
        SitingOptions {
            k,
            radius_km,
            objective,
            lock: Vec::new(),
            exclude: Vec::new(),
            capacity_days: None,
            time_limit_seconds: DEFAULT_TIME_LIMIT_SECONDS,
        }
    }
}
