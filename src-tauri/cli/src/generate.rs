//! `generate`: deterministic province-scale test files.

use crate::progress::Bar;
use dosedesk_core::Error;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Folder for sites.csv, shifts.csv, bookings.csv and dose_counts.csv.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Appointments to write (first and second doses).
    #[arg(long, default_value_t = 100_000)]
    bookings: u64,
    /// Dose-count rows to write.
    #[arg(long, default_value_t = 10_000)]
    dose_counts: u64,
    /// Sites (every tenth a mass clinic, the rest pharmacies).
    #[arg(long, default_value_t = 100)]
    sites: u32,
    /// Random seed: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Of the bookings, how many repeat an earlier first-dose booking in
    /// its already-full slot over three days (Ottawa 2021: 3,100).
    #[arg(long, default_value_t = 0)]
    incident: u64,
}

pub fn run(args: &GenerateArgs) -> Result<(), Error> {
    let params = dosedesk_core::generate::GenerateParams {
        sites: args.sites,
        bookings: args.bookings,
        dose_counts: args.dose_counts,
        seed: args.seed,
        incident: args.incident,
    };
    let bar = Bar::new("generate");
    let done = dosedesk_core::generate::generate(&args.out, &params, &bar)?;
    bar.finish();
    println!(
        "wrote {} sites, {} shifts, {} bookings, {} dose counts ({} days from {}) to {}",
        done.sites,
        done.shifts,
        done.bookings,
        done.dose_counts,
        done.days,
        done.first_day,
        args.out.display()
    );
    Ok(())
}
