//! The solver's view of an instance: for every point, the areas it can serve
//! and at what distance, and the value of serving each area. Both objectives
//! become "maximise Σ over areas of the best value among open points":
//! coverage values an area at eligible × weight when a point is within the
//! radius (0 otherwise); distance values it at −eligible × km.

use super::coverage::rows_within_radius;
use super::flow::Lane;
use super::instance::{Objective, SitingInput};
use super::median::rows_all_pairs;

/// Distance charged for people no point serves (half the Earth's
/// circumference: more than any real distance, so serving anyone beats it).
pub(crate) const UNSERVED_KM: f64 = std::f64::consts::PI * super::geo::EARTH_RADIUS_KM;

/// For each point, the (area, km) pairs it may serve, stored back to back.
/// Dense rows list every area in order and omit the area indices.
pub(crate) struct Rows {
    pub dense: bool,
    pub starts: Vec<usize>,
    pub areas: Vec<u32>,
    pub km: Vec<f32>,
}

pub(crate) struct Model {
    pub eligible: Vec<f64>,
    /// Value per eligible person served: `per_person + per_person_km × km`.
    per_person: Vec<f64>,
    per_person_km: f64,
    /// Value per eligible person nobody serves.
    unserved_per_person: f64,
    rows: Rows,
    /// Points always open (existing sites).
    pub fixed: Vec<usize>,
    /// Per point, people it may serve; `None` when capacity is ignored.
    caps: Option<Vec<f64>>,
}

impl Model {
    pub fn new(
        input: &SitingInput,
        objective: Objective,
        radius_km: f64,
        capacity_days: Option<f64>,
    ) -> Self {
        let eligible: Vec<f64> = input.areas.iter().map(|a| a.eligible.max(0.0)).collect();
        let (per_person, per_person_km, unserved_per_person, rows) = match objective {
            Objective::Coverage => (
                input.areas.iter().map(|a| a.weight.max(0.0)).collect(),
                0.0,
                0.0,
                rows_within_radius(input, radius_km),
            ),
            Objective::Distance => (
                vec![0.0; input.areas.len()],
                -1.0,
                -UNSERVED_KM,
                rows_all_pairs(input),
            ),
        };
        let caps = input.capacities(capacity_days);
        Model {
            eligible,
            per_person,
            per_person_km,
            unserved_per_person,
            rows,
            fixed: (0..input.points.len())
                .filter(|&p| input.points[p].open)
                .collect(),
            caps,
        }
    }

    pub fn n_areas(&self) -> usize {
        self.eligible.len()
    }

    pub fn n_points(&self) -> usize {
        self.rows.starts.len() - 1
    }

    /// (point, area) pairs in the rows: the cost of one pass over them.
    pub fn pairs(&self) -> usize {
        self.rows.km.len()
    }

    pub fn capacitated(&self) -> bool {
        self.caps.is_some()
    }

    /// Value of area `a` when nobody serves it.
    pub fn base(&self, a: usize) -> f64 {
        self.eligible[a] * self.unserved_per_person
    }

    fn unit_value(&self, a: usize, km: f32) -> f64 {
        self.per_person[a] + self.per_person_km * f64::from(km)
    }

    /// Calls `f(area, value)` for every area point `p` may serve.
    pub fn for_each(&self, p: usize, mut f: impl FnMut(usize, f64)) {
        self.for_each_km(p, |a, km| f(a, self.eligible[a] * self.unit_value(a, km)));
    }

    /// Calls `f(area, km)` for every area point `p` may serve.
    fn for_each_km(&self, p: usize, mut f: impl FnMut(usize, f32)) {
        let (start, end) = (self.rows.starts[p], self.rows.starts[p + 1]);
        let km = &self.rows.km[start..end];
        if self.rows.dense {
            for (a, d) in km.iter().enumerate() {
                f(a, *d);
            }
        } else {
            for (a, d) in self.rows.areas[start..end].iter().zip(km) {
                f(*a as usize, *d);
            }
        }
    }

    /// Objective value with the fixed points and `chosen` open.
    pub fn score(&self, chosen: &[usize]) -> f64 {
        match &self.caps {
            None => self.score_uncapacitated(chosen),
            Some(caps) => self.score_capacitated(chosen, caps),
        }
    }

    fn score_uncapacitated(&self, chosen: &[usize]) -> f64 {
        let mut best: Vec<f64> = (0..self.n_areas()).map(|a| self.base(a)).collect();
        for &p in self.fixed.iter().chain(chosen) {
            self.for_each(p, |a, v| {
                if v > best[a] {
                    best[a] = v;
                }
            });
        }
        best.iter().sum()
    }

    /// Capacity-limited: the best assignment the open points' rooms allow
    /// (`flow`); whoever no point takes counts as unserved.
    fn score_capacitated(&self, chosen: &[usize], caps: &[f64]) -> f64 {
        let (_, value, _) = self.assignment(chosen, caps);
        value + self.eligible.iter().sum::<f64>() * self.unserved_per_person
    }

    /// The best assignment with the fixed points and `chosen` open: the
    /// lanes, their value over leaving everyone unserved, people per lane.
    pub fn assignment(&self, chosen: &[usize], caps: &[f64]) -> (Vec<Lane>, f64, Vec<f64>) {
        let lanes = self.lanes(self.fixed.iter().chain(chosen).copied());
        let (value, sent) = super::flow::best_assignment(&self.eligible, caps, &lanes);
        (lanes, value, sent)
    }

    /// The lanes from `points` to the areas they may serve, in row order,
    /// each valued per person over leaving the person unserved.
    pub fn lanes(&self, points: impl Iterator<Item = usize>) -> Vec<Lane> {
        let mut lanes = Vec::new();
        for p in points {
            self.for_each_km(p, |a, km| {
                let value = self.unit_value(a, km) - self.unserved_per_person;
                lanes.push(Lane {
                    area: a,
                    point: p,
                    value,
                });
            });
        }
        lanes
    }

    /// Per point, people it may serve; `None` when capacity is ignored.
    pub fn caps(&self) -> Option<&[f64]> {
        self.caps.as_deref()
    }

    /// Improvements smaller than this are rounding noise.
    pub fn tolerance(&self) -> f64 {
        let scale: f64 =
            self.eligible.iter().sum::<f64>() * self.unserved_per_person.abs().max(1.0);
        1e-9 * scale.max(1.0)
    }
}
