//! `stats`: what the store holds, and the dose figures.

use crate::output::print_json;
use dosedesk_core::{Connection, Error};
use std::path::Path;

pub fn run(path: &Path, conn: &Connection, json: bool) -> Result<(), Error> {
    let stats = dosedesk_core::stats::stats(conn)?;
    if json {
        print_json(&stats);
        return Ok(());
    }
    if stats.demo {
        println!("DEMO DATA (built-in Ottawa spring 2021 demo)");
    }
    println!("database: {}", path.display());
    for (table, n) in &stats.counts {
        println!("{table:<20} {n:>12}");
    }
    if let (Some(from), Some(to)) = (&stats.appointments_from, &stats.appointments_to) {
        println!("appointments from {from} to {to}");
    }
    print_dose_figures(&stats.doses);
    Ok(())
}

fn print_dose_figures(f: &dosedesk_core::doses::DoseFigures) {
    use dosedesk_core::doses::flags::group;
    println!(
        "doses administered (regional tallies): {}",
        group(f.doses_total)
    );
    if let Some(d) = &f.last_day {
        println!("last day {}: {}", d.date, group(d.doses));
    }
    if let Some(avg) = f.seven_day_avg {
        println!("7-day average: {avg:.1}");
    }
    if let Some(d) = &f.record_day {
        println!("record day {}: {}", d.date, group(d.doses));
    }
    let print_flags = |flags: &[dosedesk_core::doses::flags::FlaggedDay]| {
        for d in flags {
            let state = if d.confirmed {
                "confirmed"
            } else {
                "excluded from records"
            };
            println!(
                "  flagged {} ({}, {state}): {}",
                d.date,
                group(d.doses),
                d.reason
            );
        }
    };
    print_flags(&f.flagged_days);
    if let Some(p) = &f.provincial {
        println!(
            "provincial series {} to {} ({}, sha256 {}): {} doses, {} missing report dates",
            p.first_date,
            p.last_date,
            p.release.file_name,
            &p.release.sha256[..p.release.sha256.len().min(12)],
            p.total_doses.map(group).unwrap_or_else(|| "?".into()),
            p.missing_dates
        );
        if let Some(d) = &p.record_day {
            println!("  provincial record day {}: {}", d.date, group(d.doses));
        }
        if p.revised_report_dates > 0 {
            println!(
                "  {} report dates revised by the latest release",
                p.revised_report_dates
            );
        }
        print_flags(&p.flagged_days);
    }
}
