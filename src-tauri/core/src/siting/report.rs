//! What a siting run reports, measured with exact great-circle distances on
//! the final network (not the solver's f32 tables).

use super::flow::{best_assignment, Lane};
use super::geo::haversine_km;
use super::instance::{Objective, SitingInput, SitingOptions};
use super::model::UNSERVED_KM;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SitingReport {
    pub objective: Objective,
    pub k: usize,
    pub radius_km: f64,
    pub capacity_days: Option<f64>,
    /// `highs` (the exact solver, see `gap`), `greedy+interchange`,
    /// `greedy` (capacity runs too large for interchange) or `exact`
    /// (every subset tried: small instances only).
    pub method: String,
    /// No choice of points can score better than this, in the objective's
    /// units (coverage: eligible × weight covered); `None` when unknown.
    #[serde(default)]
    pub bound: Option<f64>,
    /// How far the answer may be from the best possible, as a share of the
    /// bound: 0 means proven optimal; `None` when unknown.
    #[serde(default)]
    pub gap: Option<f64>,
    /// The person stopped the exact search before it finished: the answer
    /// is the best found by then, `gap` how far it may be from the best.
    #[serde(default)]
    pub cancelled: bool,
    /// Chosen candidates, each with its marginal gain, in order of choice.
    pub chosen: Vec<ChosenPoint>,
    /// Σ eligible × weight of covered areas (within the radius), before and
    /// after the chosen points open.
    pub covered_before: f64,
    pub covered_after: f64,
    /// Σ eligible × weight of all areas (the most coverage could reach).
    pub weighted_total: f64,
    /// Eligible-weighted mean distance to the nearest point (served people
    /// only when capacities apply); `None` with no point open.
    pub mean_distance_km_before: Option<f64>,
    pub mean_distance_km_after: Option<f64>,
    /// Eligible people no point has room for (capacity runs only).
    pub unserved_eligible_before: Option<f64>,
    pub unserved_eligible_after: Option<f64>,
    /// Interchange moves made after the greedy pass.
    pub swaps: usize,
    /// Hotspot areas (weight > 1) not fully covered after.
    pub uncovered_hotspots: Vec<UncoveredHotspot>,
    pub areas: Vec<AreaResult>,
    pub points: Vec<PointResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChosenPoint {
    pub site_code: String,
    pub name: String,
    /// Coverage: weighted people newly covered. Distance: km the mean
    /// distance falls by (`None` for the first point when none was open).
    pub gain: Option<f64>,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AreaResult {
    pub area_id: String,
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
    pub eligible: f64,
    pub weight: f64,
    /// Nearest open point after (open sites and chosen candidates).
    pub nearest_site_code: Option<String>,
    pub distance_km: Option<f64>,
    /// Share of the eligible people covered (0 or 1 without capacities).
    pub covered_share: f64,
    pub covered: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UncoveredHotspot {
    pub area_id: String,
    pub name: Option<String>,
    pub weight: f64,
    pub eligible: f64,
    pub covered_share: f64,
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointResult {
    pub site_code: String,
    pub name: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    /// `open` (an existing site) or `candidate`.
    pub status: String,
    pub chosen: bool,
    pub locked: bool,
    pub excluded: bool,
    pub capacity_per_day: Option<f64>,
    /// Eligible people assigned to it after (capacity runs only).
    pub assigned: Option<f64>,
}

/// Coverage and distance of one network.
pub(crate) struct Metrics {
    pub covered: f64,
    pub mean_km: Option<f64>,
    pub unserved: Option<f64>,
    /// Per area: eligible people covered.
    pub covered_eligible: Vec<f64>,
    /// Per point: eligible people assigned (capacity runs).
    pub assigned: Vec<f64>,
}

/// A growing network of open points with each area's nearest one.
pub(crate) struct Network<'a> {
    input: &'a SitingInput,
    radius_km: f64,
    objective: Objective,
    caps: Option<Vec<f64>>,
    pub open: Vec<usize>,
    /// Per area: (km, point) of the nearest open point.
    pub nearest: Vec<Option<(f64, usize)>>,
}

impl<'a> Network<'a> {
    pub fn new(input: &'a SitingInput, options: &SitingOptions) -> Self {
        let caps = input.capacities(options.capacity_days);
        Network {
            input,
            radius_km: options.radius_km,
            objective: options.objective,
            caps,
            open: Vec::new(),
            nearest: vec![None; input.areas.len()],
        }
    }

    pub fn add(&mut self, p: usize) {
        let point = &self.input.points[p];
        for (a, area) in self.input.areas.iter().enumerate() {
            let km = haversine_km(area.lat, area.lon, point.lat, point.lon);
            if self.nearest[a].is_none_or(|(d, _)| km < d) {
                self.nearest[a] = Some((km, p));
            }
        }
        self.open.push(p);
    }

    pub fn metrics(&self) -> Metrics {
        let areas = &self.input.areas;
        let eligible: Vec<f64> = areas.iter().map(|a| a.eligible.max(0.0)).collect();
        let mut assigned = vec![0.0; self.input.points.len()];
        let mut covered_eligible = vec![0.0; areas.len()];
        let Some(caps) = &self.caps else {
            let (mut people, mut person_km) = (0.0, 0.0);
            for (a, nearest) in self.nearest.iter().enumerate() {
                if let Some((km, _)) = nearest {
                    people += eligible[a];
                    person_km += eligible[a] * km;
                    if *km <= self.radius_km {
                        covered_eligible[a] = eligible[a];
                    }
                }
            }
            return Metrics {
                covered: weighted(areas, &covered_eligible),
                mean_km: (people > 0.0).then(|| person_km / people),
                unserved: None,
                covered_eligible,
                assigned,
            };
        };
        let mut left = eligible.clone();
        let mut room = caps.clone();
        let (mut people, mut person_km) = (0.0, 0.0);
        let mut send = |lanes: &[(Lane, f64)], left: &mut [f64], room: &mut [f64]| {
            let only: Vec<Lane> = lanes.iter().map(|(lane, _)| *lane).collect();
            let (_, sent) = best_assignment(left, room, &only);
            for ((lane, km), amount) in lanes.iter().zip(sent) {
                left[lane.area] -= amount;
                room[lane.point] -= amount;
                assigned[lane.point] += amount;
                people += amount;
                person_km += amount * km;
                if *km <= self.radius_km {
                    covered_eligible[lane.area] += amount;
                }
            }
        };
        // Every open point can take anyone, valued by the distance saved
        // over nobody taking them.
        let mut anywhere = Vec::with_capacity(areas.len() * self.open.len());
        for &p in &self.open {
            let point = &self.input.points[p];
            for (a, area) in areas.iter().enumerate() {
                let km = haversine_km(area.lat, area.lon, point.lat, point.lon);
                let value = UNSERVED_KM - km;
                anywhere.push((
                    Lane {
                        area: a,
                        point: p,
                        value,
                    },
                    km,
                ));
            }
        }
        if self.objective == Objective::Coverage {
            // First the most weighted people within the radius (what the
            // plan was chosen for), then everyone else as near as room allows.
            let within: Vec<(Lane, f64)> = anywhere
                .iter()
                .filter(|(_, km)| *km <= self.radius_km)
                .map(|&(lane, km)| {
                    let value = areas[lane.area].weight.max(0.0);
                    (Lane { value, ..lane }, km)
                })
                .collect();
            send(&within, &mut left, &mut room);
        }
        send(&anywhere, &mut left, &mut room);
        Metrics {
            covered: weighted(areas, &covered_eligible),
            mean_km: (people > 0.0).then(|| person_km / people),
            unserved: Some(left.iter().map(|l| l.max(0.0)).sum()),
            covered_eligible,
            assigned,
        }
    }
}

fn weighted(areas: &[super::instance::AreaInput], eligible: &[f64]) -> f64 {
    areas
        .iter()
        .zip(eligible)
        .map(|(a, e)| e * a.weight.max(0.0))
        .sum()
}

/// Everything but the choice itself, which the caller supplies in order.
pub(crate) struct Choice<'a> {
    pub order: &'a [usize],
    pub locked: &'a [usize],
    pub excluded: &'a [usize],
    pub swaps: usize,
    pub method: &'static str,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub cancelled: bool,
}

pub(crate) fn build(
    input: &SitingInput,
    options: &SitingOptions,
    choice: &Choice<'_>,
) -> SitingReport {
    let mut net = Network::new(input, options);
    for p in (0..input.points.len()).filter(|&p| input.points[p].open) {
        net.add(p);
    }
    let before = net.metrics();
    let mut chosen = Vec::with_capacity(choice.order.len());
    let mut last = before.covered;
    let mut last_km = before.mean_km;
    for &p in choice.order {
        net.add(p);
        let m = net.metrics();
        let gain = match options.objective {
            Objective::Coverage => Some(m.covered - last),
            Objective::Distance => last_km.zip(m.mean_km).map(|(b, a)| b - a),
        };
        (last, last_km) = (m.covered, m.mean_km);
        let point = &input.points[p];
        chosen.push(ChosenPoint {
            site_code: point.site_code.clone(),
            name: point.name.clone(),
            gain,
            locked: choice.locked.contains(&p),
        });
    }
    let after = net.metrics();
    let areas: Vec<AreaResult> = input
        .areas
        .iter()
        .enumerate()
        .map(|(a, area)| {
            let share = if area.eligible > 0.0 {
                after.covered_eligible[a] / area.eligible
            } else {
                // Nobody to cover: covered when a point is within reach.
                f64::from(u8::from(
                    net.nearest[a].is_some_and(|(km, _)| km <= options.radius_km),
                ))
            };
            AreaResult {
                area_id: area.area_id.clone(),
                name: area.name.clone(),
                lat: area.lat,
                lon: area.lon,
                population: area.population,
                eligible: area.eligible,
                weight: area.weight,
                nearest_site_code: net.nearest[a].map(|(_, p)| input.points[p].site_code.clone()),
                distance_km: net.nearest[a].map(|(km, _)| km),
                covered_share: share,
                covered: share >= 1.0 - 1e-9,
            }
        })
        .collect();
    let uncovered_hotspots = areas
        .iter()
        .filter(|a| a.weight > 1.0 && !a.covered)
        .map(|a| UncoveredHotspot {
            area_id: a.area_id.clone(),
            name: a.name.clone(),
            weight: a.weight,
            eligible: a.eligible,
            covered_share: a.covered_share,
            distance_km: a.distance_km,
        })
        .collect();
    let points = input
        .points
        .iter()
        .enumerate()
        .map(|(p, point)| PointResult {
            site_code: point.site_code.clone(),
            name: point.name.clone(),
            kind: point.kind.clone(),
            lat: point.lat,
            lon: point.lon,
            status: if point.open { "open" } else { "candidate" }.to_owned(),
            chosen: choice.order.contains(&p),
            locked: choice.locked.contains(&p),
            excluded: choice.excluded.contains(&p),
            capacity_per_day: point.capacity_per_day,
            assigned: options.capacity_days.map(|_| after.assigned[p]),
        })
        .collect();
    SitingReport {
        objective: options.objective,
        k: options.k,
        radius_km: options.radius_km,
        capacity_days: options.capacity_days,
        method: choice.method.to_owned(),
        bound: choice.bound,
        gap: choice.gap,
        cancelled: choice.cancelled,
        chosen,
        covered_before: before.covered,
        covered_after: after.covered,
        weighted_total: weighted(
            &input.areas,
            &input
                .areas
                .iter()
                .map(|a| a.eligible.max(0.0))
                .collect::<Vec<_>>(),
        ),
        mean_distance_km_before: before.mean_km,
        mean_distance_km_after: after.mean_km,
        unserved_eligible_before: before.unserved,
        unserved_eligible_after: after.unserved,
        swaps: choice.swaps,
        uncovered_hotspots,
        areas,
        points,
    }
}
