//! `dosedesk-cli plan shifts`: the extra-shifts planner, headless.

use crate::progress::Bar;
use dosedesk_core::charts::export_drawing;
use dosedesk_core::locale::Lang;
use dosedesk_core::shift_plan::{
    self, chart::PlanChart, scenario, ShiftKind, ShiftPlan, ShiftPlanRequest,
};
use dosedesk_core::{Connection, Error};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct PlanShiftsArgs {
    /// First day to plan (YYYY-MM-DD).
    #[arg(long)]
    pub from: String,
    /// Last day to plan (YYYY-MM-DD), inclusive.
    #[arg(long)]
    pub to: String,
    /// Staff (all stations) available per day for extra shifts. Default: no limit.
    #[arg(long, value_name = "N")]
    pub staff_pool: Option<u32>,
    /// Shifts (existing and extra) a site may run per day.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_shifts_per_day: u32,
    /// Length of an extra shift in hours.
    #[arg(long, value_name = "H", default_value_t = 4.0)]
    pub shift_hours: f64,
    /// Share of each eligible cohort expected to book a first dose (0–1).
    #[arg(long, default_value_t = 0.8)]
    pub uptake: f64,
    /// Seconds the exact solver (HiGHS) may take; past it the best plan
    /// found is kept and the gap to the best possible is reported. Ctrl-C
    /// stops the search sooner, the same way.
    #[arg(long, value_name = "SECONDS", default_value_t = dosedesk_core::mip::DEFAULT_TIME_LIMIT_SECONDS)]
    pub time_limit: f64,
    /// Save the plan as a scenario under this name.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// Also draw demand against capacity to FILE.svg or FILE.png.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Language of the chart's labels and number formats.
    #[arg(long, default_value = "en", value_parser = ["en", "fr"])]
    pub lang: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl PlanShiftsArgs {
    fn request(&self) -> Result<ShiftPlanRequest, Error> {
        if !(0.5..=16.0).contains(&self.shift_hours) {
            return Err(Error::InvalidInput(
                "--shift-hours must be between 0.5 and 16".into(),
            ));
        }
        let mut req = ShiftPlanRequest {
            from: self.from.clone(),
            to: self.to.clone(),
            params: Default::default(),
            demand: Default::default(),
        };
        req.params.staff_pool = self.staff_pool;
        req.params.max_shifts_per_site_day = self.max_shifts_per_day;
        req.params.shift_minutes = (self.shift_hours * 60.0).round() as u32;
        req.params.time_limit_seconds = self.time_limit;
        req.demand.uptake = self.uptake;
        Ok(req)
    }
}

pub fn run(conn: &Connection, args: &PlanShiftsArgs) -> Result<(), Error> {
    let req = args.request()?;
    let bar = Bar::solving("plan shifts");
    let plan = shift_plan::plan_shifts(conn, &req, &bar);
    bar.finish();
    let plan = plan?;
    let saved = match &args.save {
        Some(name) => Some(scenario::save(conn, name, &req, &plan)?),
        None => None,
    };
    if let Some(path) = &args.chart {
        export_drawing(
            conn,
            &PlanChart(&plan),
            Lang::parse(&args.lang).unwrap_or_default(),
            path,
        )?;
        // Keeps stdout pure JSON under --json.
        eprintln!("wrote {}", path.display());
    }
    if args.json {
        let mut value = serde_json::to_value(&plan)
            .map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))?;
        if let Some(id) = saved {
            value["scenario_id"] = serde_json::json!(id);
        }
        match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("dosedesk-cli: cannot write JSON: {e}"),
        }
    } else {
        print_text(&plan);
        if let Some(id) = saved {
            println!("saved as scenario {id}");
        }
    }
    Ok(())
}

fn print_text(plan: &ShiftPlan) {
    let t = &plan.totals;
    println!("extra shifts {} – {}", plan.from, plan.to);
    println!(
        "demand {:>8} doses  (booked {}, second doses due {}, expected new bookings {})",
        t.demand, t.booked, t.second_doses_due, t.new_bookings
    );
    for c in plan.cohorts.iter().filter(|c| c.in_range > 0) {
        println!(
            "  cohort {:<6} eligible from {}: {} people, {} already booked, {} expected to book ({} in this range)",
            c.label,
            c.eligible_from.as_deref().unwrap_or("-"),
            c.population,
            c.already_booked,
            c.unbooked_expected,
            c.in_range
        );
    }
    println!("capacity before {:>8} doses", t.capacity_before);
    println!(
        "extra shifts    {:>8}  and {} scheduled shifts given more vaccinators: adding {} doses, {:.0} staff-hours ({:.0} vaccinator-hours)",
        t.shifts_added, t.shifts_reinforced, plan.added_capacity, t.staff_hours, t.vaccinator_hours
    );
    println!("doses planned   {:>8}", t.doses_planned);
    println!(
        "unmet demand    {:>8}  binding: {}",
        plan.unmet_demand,
        if plan.binding.is_empty() {
            "none".to_owned()
        } else {
            plan.binding.join(", ")
        }
    );
    println!("{}", quality(plan));
    if !plan.supply_known {
        println!("(no shipments recorded: supply was not a limit)");
    }
    for s in plan.extra_shifts.iter().take(30) {
        let what = match s.kind {
            ShiftKind::NewShift => "new shift   ",
            ShiftKind::MoreVaccinators => "add to shift",
        };
        println!(
            "  {} {:<8} {} {}–{} {:>3} vaccinators {:>5} doses  staff {} (check-in {}, screening {}, observation {} for {} chairs){}",
            s.date,
            s.site_code,
            what,
            s.start,
            s.end,
            s.vaccinators,
            s.capacity,
            s.staff.total(),
            s.staff.check_in,
            s.staff.screening,
            s.staff.observation,
            s.staff.observation_chairs,
            s.reason
                .as_ref()
                .map(|r| format!("  why: {}", r.describe()))
                .unwrap_or_default()
        );
    }
    if plan.extra_shifts.len() > 30 {
        println!(
            "  … {} more (--json lists all)",
            plan.extra_shifts.len() - 30
        );
    }
    if !plan.moves_needed.is_empty() {
        println!(
            "people to move   {:>8}  booked beyond places no line of the plan can serve: the rebooking desk must move them",
            t.people_to_move
        );
    }
    for m in &plan.moves_needed {
        let room: Vec<String> = m
            .room
            .iter()
            .map(|r| format!("{} {} places", r.site_code, r.places))
            .collect();
        println!(
            "  {} {:<8} {}–{} {:>5} {} (limit: {}); room that day: {}",
            m.date,
            m.site_code,
            m.from,
            m.to,
            m.people,
            if m.people == 1 { "person" } else { "people" },
            m.limit,
            if room.is_empty() {
                "none at the open sites".to_owned()
            } else {
                room.join(", ")
            }
        );
    }
    if !plan.surplus_shifts.is_empty() {
        println!(
            "{} more shifts would use {} doses still idle on hand",
            plan.surplus_shifts.len(),
            plan.surplus_doses
        );
    }
}

/// What is known of the plan's quality, in a manager's words.
fn quality(plan: &ShiftPlan) -> String {
    let optimal = "given the vaccinators added at overbooked shifts, no other choice of extra shifts gives more promised doses, then more doses, with fewer shifts";
    crate::output::plan_quality(
        plan.gap,
        plan.cancelled,
        plan.method.name(),
        optimal,
        "plan",
    )
}
