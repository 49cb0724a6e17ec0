//! `rebook`: the rebooking desk's proposals, call list and call outcomes.

use crate::check::Scope;
use crate::output::print_json;
use dosedesk_core::booking::CentralCheck;
use dosedesk_core::rebook::{self, CallOutcome};
use dosedesk_core::{Connection, Error};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum RebookAction {
    /// Propose a new slot for every excess booking (same site first, then by distance).
    Plan {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        scope: Scope,
        /// Propose no other site farther than this many km from the booking's own.
        #[arg(long)]
        max_km: Option<f64>,
    },
    /// Write the call list (person, phone, old slot, proposed slot) as CSV.
    Export {
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        scope: Scope,
        /// Propose no other site farther than this many km from the booking's own.
        #[arg(long)]
        max_km: Option<f64>,
    },
    /// Record a call's outcome; an accepted move updates the booking.
    Record {
        /// The appointment id from the call list.
        #[arg(long)]
        appointment: i64,
        #[arg(long, value_parser = ["reached_accepted", "reached_declined", "unreachable", "wrong_number"])]
        outcome: String,
        /// New site, for reached_accepted.
        #[arg(long)]
        to_site: Option<String>,
        /// New slot (YYYY-MM-DDTHH:MM), for reached_accepted.
        #[arg(long)]
        to_slot: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

pub fn run(conn: &mut Connection, action: &RebookAction) -> Result<(), Error> {
    match action {
        RebookAction::Plan {
            json,
            scope,
            max_km,
        } => {
            let plan = rebook::call_list(conn, &scope.query(), *max_km)?;
            if *json {
                print_json(&plan);
            } else {
                print_rebook(&plan);
            }
        }
        RebookAction::Export { out, scope, max_km } => {
            let plan = rebook::call_list(conn, &scope.query(), *max_km)?;
            dosedesk_core::export::write(conn, out, |w| rebook::export_csv(&plan, w))?;
            println!("wrote {} calls to {}", plan.proposals.len(), out.display());
        }
        RebookAction::Record {
            appointment,
            outcome,
            to_site,
            to_slot,
            note,
        } => {
            let central = rebook::record(
                conn,
                &CallOutcome {
                    appointment_id: *appointment,
                    outcome: outcome.clone(),
                    to_site: to_site.clone(),
                    to_slot: to_slot.clone(),
                    note: note.clone(),
                    call_back_at: None,
                },
            )?;
            println!("recorded {outcome} for appointment {appointment}");
            if let Some(CentralCheck::Unreachable(why)) = central {
                println!(
                    "the central copy could not confirm the new slot's places ({why}): the move is kept here and checked at the next sync"
                );
            }
        }
    }
    Ok(())
}

fn print_rebook(plan: &dosedesk_core::rebook::RebookPlan) {
    println!(
        "{} bookings to move, {} with no free place found",
        plan.proposals.len(),
        plan.unplaced
    );
    for p in plan.proposals.iter().take(20) {
        println!(
            "  #{:<8} {:<10} {:<14} {} {} -> {} {}",
            p.appointment_id,
            p.person_id,
            p.phone.as_deref().unwrap_or("(no phone)"),
            p.site_code,
            p.slot,
            p.proposed_site.as_deref().unwrap_or("-"),
            p.proposed_slot.as_deref().unwrap_or("none free"),
        );
    }
    if plan.proposals.len() > 20 {
        println!(
            "  … {} more (export writes them all)",
            plan.proposals.len() - 20
        );
    }
    let share = plan.walk_in_forecast.share * 100.0;
    for a in &plan.expected_arrivals {
        println!(
            "still expected: {} {}  {} not reached, {} declined, about {} of {} still to call ({share:.0}% not reached)",
            a.site_code, a.date, a.expected_unreachable, a.declined, a.forecast_unreachable, a.to_call
        );
    }
}
