//! `check`: booking failures, and the scope a check or a rebooking plan covers.

use crate::output::print_json;
use dosedesk_core::{Connection, Error};

/// Which bookings a check or a rebooking plan looks at.
#[derive(clap::Args)]
pub struct Scope {
    /// First appointment date (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Last appointment date (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Only this site (code).
    #[arg(long)]
    site: Option<String>,
}

impl Scope {
    pub fn query(&self) -> dosedesk_core::checks::CheckQuery {
        dosedesk_core::checks::CheckQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            site: self.site.clone(),
        }
    }
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Print JSON (a stable contract) instead of text.
    #[arg(long)]
    json: bool,
    /// Report from the results the store keeps for the app's views,
    /// re-judging only what changed (the whole store; no scope).
    #[arg(long, conflicts_with_all = ["from", "to", "site"])]
    kept: bool,
    #[command(flatten)]
    scope: Scope,
}

pub fn run(conn: &Connection, args: &CheckArgs) -> Result<(), Error> {
    let report = if args.kept {
        dosedesk_core::checks::current(conn, usize::MAX)?
    } else {
        dosedesk_core::checks::run(conn, &args.scope.query())?
    };
    if args.json {
        print_json(&report);
    } else {
        print_check(&report);
    }
    Ok(())
}

fn print_check(r: &dosedesk_core::checks::CheckReport) {
    println!(
        "over-capacity slots        {:>9}  ({} excess bookings)",
        r.overbooked_slots, r.excess_bookings
    );
    println!("bookings outside shifts    {:>9}", r.outside_shift_bookings);
    println!(
        "people booked twice        {:>9}  (same dose number)",
        r.duplicate_people
    );
    println!("first doses with no second {:>9}", r.orphan_first_doses);
    println!(
        "second doses out of window {:>9}",
        r.second_dose_out_of_window
    );
    println!("not yet eligible           {:>9}", r.not_yet_eligible);
    if !r.by_site_day.is_empty() {
        println!("\nexcess bookings by site and day, worst first:");
        for d in r.by_site_day.iter().take(20) {
            println!("  {:<8} {}  {:>6}", d.site_code, d.date, d.excess_bookings);
        }
        if r.by_site_day.len() > 20 {
            println!(
                "  … {} more site-days (--json lists all)",
                r.by_site_day.len() - 20
            );
        }
    }
}
