//! Extra-shifts planning (issue 6): how many more clinic shifts, where and
//! when, so capacity meets demand each day within supply, opening hours,
//! stations, a per-site daily shift limit and a daily staff pool.
//!
//! * `capacity_model`: doses per vaccinator-hour per site.
//! * `staffing`: staff by station and the bottleneck station.
//! * `demand`, `supply`: per-day demand parts and doses on hand.
//! * `model`: the problem's shape; `planner`: the greedy; `exact`: the
//!   optimum for small instances; `synthetic`: seeded random instances.
//! * `load`: the instance from the store; `scenario`: saved plans;
//!   `chart`: demand against capacity before and after, as a drawing.

pub mod capacity_model;
pub mod chart;
pub mod demand;
pub mod exact;
pub mod load;
pub mod model;
pub mod oracle;
pub mod planner;
pub mod scenario;
pub mod shift_mip;
pub mod site_bound;
pub mod staffing;
pub mod supply;
pub mod synthetic;

use crate::error::{Error, Result};
use crate::job::Progress;
use crate::time::{format_hhmm, parse_hhmm, require_date};
use chrono::Duration;
use demand::{DemandParams, DemandParts};
use planner::{PlanParams, PlannedShift};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use staffing::{bottleneck, Station, StationStaff};
use std::collections::HashMap;

/// What to plan: the date range and every editable assumption.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShiftPlanRequest {
    /// First and last day, `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub params: PlanParams,
    #[serde(default)]
    pub demand: DemandParams,
}

/// Longest range planned at once.
pub const MAX_DAYS: i64 = 366;

/// What a plan's line changes in the schedule.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShiftKind {
    /// A shift that is not in the schedule yet.
    #[default]
    NewShift,
    /// More vaccinators on the shift already scheduled at that start.
    MoreVaccinators,
}

/// Why a line is in the plan, in numbers the UI and CLI word themselves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShiftReason {
    /// People booked at this site beyond its places between `from` and `to`.
    Overbooked {
        from: String,
        to: String,
        booked_over_capacity: i64,
    },
    /// The day's demand over all sites beyond the capacity planned so far.
    DayDemand { demand: i64, capacity: i64 },
    /// Doses on hand that no forecast demand uses.
    IdleDoses { doses: i64 },
}

impl ShiftReason {
    /// The reason in English, for the CLI.
    pub fn describe(&self) -> String {
        match self {
            ShiftReason::Overbooked {
                from,
                to,
                booked_over_capacity,
            } => format!("{from}–{to}: {booked_over_capacity} booked over capacity"),
            ShiftReason::DayDemand { demand, capacity } => {
                format!("region's demand {demand} above capacity {capacity} that day")
            }
            ShiftReason::IdleDoses { doses } => format!("{doses} doses on hand with no demand"),
        }
    }
}

/// One line of the plan (an extra shift, or more vaccinators on a
/// scheduled one), as the CLI's JSON and a saved scenario show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExtraShift {
    #[serde(default)]
    pub kind: ShiftKind,
    pub site_code: String,
    pub date: String,
    pub start: String,
    pub end: String,
    /// Vaccinators of a new shift; those added, for `more_vaccinators`.
    pub vaccinators: u32,
    /// Doses the shift can give.
    pub capacity: i64,
    pub staff: StationStaff,
    /// The station that limits the shift as staffed (vaccination by design).
    pub bottleneck: Station,
    /// Saved plans from before reasons were kept have none.
    #[serde(default)]
    pub reason: Option<ShiftReason>,
}

/// People booked beyond a shift's places whom the site cannot serve: the
/// rebooking desk must move them, and `room` says where places are free.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MovesNeeded {
    pub site_code: String,
    pub date: String,
    /// The over-capacity hours.
    pub from: String,
    pub to: String,
    pub people: i64,
    /// Why the site cannot take them: `stations` (all in use) or `staff` (the pool).
    pub limit: String,
    /// Other open sites that day with free places after the plan, most first (at most 3).
    pub room: Vec<SiteRoom>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteRoom {
    pub site_code: String,
    pub places: i64,
}

/// One day, for charting demand against capacity before and after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanDaySeries {
    pub date: String,
    pub demand: DemandParts,
    pub demand_total: i64,
    pub capacity_before: i64,
    pub capacity_after: i64,
    pub doses_planned: i64,
    pub unmet: i64,
    pub supply_arriving: i64,
    /// Doses on hand at the end of the day after planned use.
    pub on_hand: i64,
    pub binding: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteRateReport {
    pub site_code: String,
    pub doses_per_vaccinator_hour: f64,
    /// `history` or `minutes_per_dose`.
    pub source: String,
    pub history_days: usize,
    pub stations: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PlanTotals {
    pub demand: i64,
    pub booked: i64,
    pub second_doses_due: i64,
    pub new_bookings: i64,
    pub capacity_before: i64,
    pub doses_planned: i64,
    pub shifts_added: usize,
    /// Scheduled shifts given more vaccinators.
    #[serde(default)]
    pub shifts_reinforced: usize,
    /// People booked beyond places whom calls must move.
    #[serde(default)]
    pub people_to_move: i64,
    pub staff_hours: f64,
    pub vaccinator_hours: f64,
}

/// The plan. `extra_shifts`, `added_capacity`, `unmet_demand` and `binding`
/// are the CLI's stable JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ShiftPlan {
    pub from: String,
    pub to: String,
    /// More vaccinators at overbooked shifts first, then new shifts.
    pub extra_shifts: Vec<ExtraShift>,
    /// Over-capacity people no line of the plan serves.
    #[serde(default)]
    pub moves_needed: Vec<MovesNeeded>,
    /// Doses the extra shifts add.
    pub added_capacity: i64,
    /// Doses wanted but not planned, over the range.
    pub unmet_demand: i64,
    /// Constraints that left demand unmet on some day, most days first.
    pub binding: Vec<String>,
    /// Optional shifts that would use doses still idle after the plan.
    pub surplus_shifts: Vec<ExtraShift>,
    pub surplus_doses: i64,
    /// False when the store holds no shipments (supply then not a limit).
    pub supply_known: bool,
    pub opening_on_hand: i64,
    pub totals: PlanTotals,
    pub sites: Vec<SiteRateReport>,
    /// Where the expected new bookings come from.
    pub cohorts: Vec<demand::CohortDemand>,
    pub days: Vec<PlanDaySeries>,
    /// `highs` (the exact plan beat the greedy's) or `greedy`.
    #[serde(default)]
    pub method: planner::PlanMethod,
    /// No plan is worth more than this, where `worth` counts 2 per promised
    /// dose and 1 per other dose given, less a fraction of a dose per extra
    /// shift. Saved plans from before the solver have none.
    #[serde(default)]
    pub bound: Option<f64>,
    /// (bound − worth) / bound: 0 when the plan is proven the best possible,
    /// None when not known.
    #[serde(default)]
    pub gap: Option<f64>,
    #[serde(default)]
    pub worth: f64,
    /// The person stopped the solver before it finished: the plan is the
    /// best found by then, `gap` how far it may be from the best.
    #[serde(default)]
    pub cancelled: bool,
}

/// Plans extra shifts over the request's range from the store's data; the
/// solver's progress goes to `progress`, which may stop it early.
pub fn plan_shifts(
    conn: &Connection,
    req: &ShiftPlanRequest,
    progress: &dyn Progress,
) -> Result<ShiftPlan> {
    let from = require_date("from", &req.from)?;
    let to = require_date("to", &req.to)?;
    let days = (to - from).num_days() + 1;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::InvalidInput(format!(
            "the range {from} – {to} must run forward and span at most {MAX_DAYS} days"
        )));
    }
    validate_params(req)?;
    let loaded = load::load(conn, from, to, &req.demand)?;
    let mut outcome = planner::plan_watched(&loaded.instance, &req.params, progress);
    if !loaded.supply.known {
        // "Unlimited" supply would list every free window as surplus.
        outcome.surplus_shifts.clear();
        outcome.surplus_doses = 0;
    }
    let inst = &loaded.instance;
    let date_of = |day: usize| (from + Duration::days(day as i64)).to_string();
    let base = planner::base_capacity(inst);
    let extra = |s: &PlannedShift, surplus: bool| {
        let rate = inst.sites[s.site].doses_per_vaccinator_hour;
        ExtraShift {
            kind: ShiftKind::NewShift,
            site_code: inst.sites[s.site].code.clone(),
            date: date_of(s.day),
            start: format_hhmm(s.start),
            end: format_hhmm(s.end),
            vaccinators: s.vaccinators,
            capacity: s.capacity,
            staff: s.staff,
            bottleneck: bottleneck(&s.staff, rate, &req.params.ratios).0,
            reason: Some(if surplus {
                ShiftReason::IdleDoses {
                    doses: outcome.surplus_doses,
                }
            } else {
                ShiftReason::DayDemand {
                    demand: loaded.demand[s.day].total(),
                    capacity: base[s.day] + reinforced_on(&outcome, inst, s.day),
                }
            }),
        }
    };
    let reinforcement = |r: &planner::Reinforcement| {
        let ob = &inst.overbooked[r.overbooked];
        let shift = &inst.existing[ob.shift];
        let rate = inst.sites[ob.site].doses_per_vaccinator_hour;
        let (from, to) = ob.hours();
        ExtraShift {
            kind: ShiftKind::MoreVaccinators,
            site_code: inst.sites[ob.site].code.clone(),
            date: date_of(ob.day),
            start: format_hhmm(shift.start),
            end: format_hhmm(shift.end),
            vaccinators: r.added,
            capacity: r.capacity,
            staff: r.staff,
            // The shift's limiting station once the vaccinators join it.
            bottleneck: bottleneck(
                &staffing::staff_for(shift.vaccinators + r.added, rate, &req.params.ratios),
                rate,
                &req.params.ratios,
            )
            .0,
            reason: Some(ShiftReason::Overbooked {
                from: format_hhmm(from),
                to: format_hhmm(to),
                booked_over_capacity: ob.excess(),
            }),
        }
    };
    let mut totals = PlanTotals::default();
    let mut binding_days: Vec<(planner::Constraint, usize)> = Vec::new();
    let mut series = Vec::new();
    for (d, day) in outcome.days.iter().enumerate() {
        let parts = loaded.demand[d];
        totals.demand += parts.total();
        totals.booked += parts.booked;
        totals.second_doses_due += parts.second_doses_due;
        totals.new_bookings += parts.new_bookings;
        totals.capacity_before += day.capacity_before;
        totals.doses_planned += day.planned;
        for c in &day.binding {
            match binding_days.iter_mut().find(|(k, _)| k == c) {
                Some((_, n)) => *n += 1,
                None => binding_days.push((*c, 1)),
            }
        }
        series.push(PlanDaySeries {
            date: date_of(d),
            demand: parts,
            demand_total: parts.total(),
            capacity_before: day.capacity_before,
            capacity_after: day.capacity_after,
            doses_planned: day.planned,
            unmet: day.unmet,
            supply_arriving: inst.days[d].arrivals,
            on_hand: day.on_hand,
            binding: day.binding.iter().map(|c| c.name().to_owned()).collect(),
        });
    }
    binding_days.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    totals.shifts_added = outcome.shifts.len();
    totals.shifts_reinforced = outcome.reinforcements.len();
    totals.people_to_move = outcome.moves.iter().map(|m| m.people).sum();
    // Reinforcements read as a schedule: by date, site and start.
    let mut extra_shifts: Vec<ExtraShift> =
        outcome.reinforcements.iter().map(reinforcement).collect();
    extra_shifts
        .sort_by(|a, b| (&a.date, &a.site_code, &a.start).cmp(&(&b.date, &b.site_code, &b.start)));
    extra_shifts.extend(outcome.shifts.iter().map(|s| extra(s, false)));
    for s in &extra_shifts {
        let minutes = match (parse_hhmm(&s.start), parse_hhmm(&s.end)) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => 0,
        };
        let hours = f64::from(minutes) / 60.0;
        totals.staff_hours += f64::from(s.staff.total()) * hours;
        totals.vaccinator_hours += f64::from(s.vaccinators) * hours;
    }
    let moves_needed = moves_needed(&loaded, &outcome, &date_of);
    Ok(ShiftPlan {
        from: from.to_string(),
        to: to.to_string(),
        added_capacity: extra_shifts.iter().map(|s| s.capacity).sum(),
        extra_shifts,
        moves_needed,
        unmet_demand: outcome.days.iter().map(|d| d.unmet).sum(),
        binding: binding_days
            .iter()
            .map(|(c, _)| c.name().to_owned())
            .collect(),
        surplus_shifts: outcome
            .surplus_shifts
            .iter()
            .map(|s| extra(s, true))
            .collect(),
        surplus_doses: outcome.surplus_doses,
        supply_known: loaded.supply.known,
        opening_on_hand: loaded.supply.opening_on_hand,
        totals,
        sites: inst
            .sites
            .iter()
            .zip(&loaded.rates)
            .map(|(s, r)| SiteRateReport {
                site_code: s.code.clone(),
                doses_per_vaccinator_hour: r.doses_per_vaccinator_hour,
                source: r.source.to_owned(),
                history_days: r.history_days,
                stations: s.stations,
            })
            .collect(),
        cohorts: loaded.cohorts,
        days: series,
        method: outcome.solve.method,
        bound: outcome.solve.bound,
        gap: outcome.solve.gap,
        worth: outcome.solve.score,
        cancelled: outcome.solve.cancelled,
    })
}

/// Doses the reinforcements add on one day.
fn reinforced_on(outcome: &planner::PlanOutcome, inst: &planner::PlanInstance, day: usize) -> i64 {
    outcome
        .reinforcements
        .iter()
        .filter(|r| inst.overbooked[r.overbooked].day == day)
        .map(|r| r.capacity)
        .sum()
}

/// Each site-day's people to move, with the other sites' free places that
/// day after the plan (capacity with the plan's lines − active bookings).
fn moves_needed(
    loaded: &load::Loaded,
    outcome: &planner::PlanOutcome,
    date_of: &dyn Fn(usize) -> String,
) -> Vec<MovesNeeded> {
    let inst = &loaded.instance;
    // Capacity per (site, day) after the plan, summed once: at province
    // scale each move looks at every site.
    let mut capacity: HashMap<(usize, usize), i64> = HashMap::new();
    for e in &inst.existing {
        *capacity.entry((e.site, e.day)).or_default() += e.capacity;
    }
    for r in &outcome.reinforcements {
        let ob = &inst.overbooked[r.overbooked];
        *capacity.entry((ob.site, ob.day)).or_default() += r.capacity;
    }
    for s in &outcome.shifts {
        *capacity.entry((s.site, s.day)).or_default() += s.capacity;
    }
    let capacity_at = |site: usize, day: usize| capacity.get(&(site, day)).copied().unwrap_or(0);
    let mut out: Vec<MovesNeeded> = outcome
        .moves
        .iter()
        .map(|m| {
            let ob = &inst.overbooked[m.overbooked];
            let (from, to) = ob.hours();
            let mut room: Vec<SiteRoom> = (0..inst.sites.len())
                .filter(|&s| s != ob.site)
                .filter_map(|s| {
                    let booked = loaded.site_booked.get(&(s, ob.day)).copied().unwrap_or(0);
                    let places = capacity_at(s, ob.day) - booked;
                    (places > 0).then(|| SiteRoom {
                        site_code: inst.sites[s].code.clone(),
                        places,
                    })
                })
                .collect();
            room.sort_by(|a, b| b.places.cmp(&a.places).then(a.site_code.cmp(&b.site_code)));
            room.truncate(3);
            MovesNeeded {
                site_code: inst.sites[ob.site].code.clone(),
                date: date_of(ob.day),
                from: format_hhmm(from),
                to: format_hhmm(to),
                people: m.people,
                limit: m.limit.name().to_owned(),
                room,
            }
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then(b.people.cmp(&a.people)));
    out
}

fn validate_params(req: &ShiftPlanRequest) -> Result<()> {
    let p = &req.params;
    let bad = |m: &str| Err(Error::InvalidInput(m.to_owned()));
    if p.shift_minutes < 30 || p.shift_minutes > 16 * 60 {
        return bad("shift length must be between 30 minutes and 16 hours");
    }
    if !(p.time_limit_seconds.is_finite() && p.time_limit_seconds >= 0.0) {
        return bad("the solver's time limit must be zero or more seconds");
    }
    let r = &p.ratios;
    if !(r.check_in_per_hour > 0.0 && r.screenings_per_hour > 0.0 && r.chairs_per_observer > 0.0) {
        return bad("staffing ratios must be positive");
    }
    let d = &req.demand;
    if !(0.0..=1.0).contains(&d.uptake) {
        return bad("uptake must be between 0 and 1");
    }
    if d.spread_days == 0 {
        return bad("spread_days must be at least 1");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
