//! `schedule`: a week of shifts, site by site.

use crate::output::print_json;
use dosedesk_core::schedule::{week, WeekQuery};
use dosedesk_core::{Connection, Error};

#[derive(clap::Args)]
pub struct ScheduleArgs {
    /// Any date in the week (YYYY-MM-DD).
    #[arg(long)]
    week: String,
    /// Only this site (code).
    #[arg(long)]
    site: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(conn: &Connection, args: &ScheduleArgs) -> Result<(), Error> {
    let schedule = week(
        conn,
        &WeekQuery {
            date: args.week.clone(),
            site: args.site.clone(),
            offset: None,
            limit: Some(500),
        },
    )?;
    if args.json {
        print_json(&schedule);
        return Ok(());
    }
    println!("week of {}", schedule.week_start);
    for site in &schedule.sites {
        println!("{} — {} ({})", site.code, site.name, site.kind);
        for s in &site.shifts {
            println!(
                "  {} {}–{}  {:>3} vaccinators  {:>5} / {:<5} booked",
                s.date, s.start, s.end, s.vaccinators, s.booked, s.capacity
            );
        }
    }
    Ok(())
}
