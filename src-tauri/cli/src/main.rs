//! `dosedesk-cli`: the core's behaviour, headless, for scripts and tests.
//! Exit status: 0 success, 1 a user error (one line on stderr), 2 a usage error.

use clap::{Parser, Subcommand};
use dosedesk_core::import::{import_file, ImportKind, Progress};
use dosedesk_core::{store, Error};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dosedesk-cli",
    version,
    about = "DoseDesk from the command line: import clinic data, load the demo, report."
)]
struct Cli {
    /// The DoseDesk database (created if missing). Default: the app's own database.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the built-in Ottawa spring 2021 demo into an empty database.
    Demo,
    /// Import a CSV file (FORMATS.md) as one transaction.
    Import {
        /// What the file holds.
        #[arg(value_parser = ["sites", "shifts", "products", "supply", "bookings", "dose-counts"])]
        kind: String,
        /// The CSV file.
        file: PathBuf,
    },
    /// Row counts per table and the span of the appointments.
    Stats {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write deterministic province-scale test files (FORMATS.md) into DIR.
    Generate {
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
    },
    /// The clinic schedule for the week containing DATE.
    Schedule {
        /// Any date in the week (YYYY-MM-DD).
        #[arg(long)]
        week: String,
        /// Only this site (code).
        #[arg(long)]
        site: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits 2 on a usage error, 0 for --help
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dosedesk-cli: {err}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    // Every command but `generate` works on the database.
    let open = || -> Result<(PathBuf, dosedesk_core::Connection), Error> {
        let path = match &cli.db {
            Some(path) => path.clone(),
            None => store::default_path()?,
        };
        let conn = store::open(&path)?;
        Ok((path, conn))
    };
    match &cli.command {
        Command::Generate {
            out,
            bookings,
            dose_counts,
            sites,
            seed,
        } => {
            let params = dosedesk_core::generate::GenerateParams {
                sites: *sites,
                bookings: *bookings,
                dose_counts: *dose_counts,
                seed: *seed,
            };
            let bar = Bar::new("generate");
            let done = dosedesk_core::generate::generate(out, &params, &bar)?;
            bar.finish();
            println!(
                "wrote {} sites, {} shifts, {} bookings, {} dose counts ({} days from {}) to {}",
                done.sites,
                done.shifts,
                done.bookings,
                done.dose_counts,
                done.days,
                done.first_day,
                out.display()
            );
        }
        Command::Demo => {
            let (path, mut conn) = open()?;
            let bar = Bar::new("demo");
            let summary = dosedesk_core::demo::load(&mut conn, &bar)?;
            bar.finish();
            println!(
                "demo loaded into {}: {} sites, {} shifts, {} appointments, {} dose tallies, {} shipments (as of {})",
                path.display(),
                summary.sites,
                summary.shifts,
                summary.appointments,
                summary.dose_counts,
                summary.supply,
                summary.as_of
            );
        }
        Command::Import { kind, file } => {
            let (_, mut conn) = open()?;
            let kind = ImportKind::parse(&kind)
                .ok_or_else(|| Error::InvalidInput(format!("unknown kind {kind}")))?;
            let bar = Bar::new(kind.name());
            let report = import_file(&mut conn, kind, file, &bar)?;
            bar.finish();
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "{}: {} rows: {} new, {} updated, {} unchanged",
                report.file, report.rows, report.inserted, report.updated, report.unchanged
            );
        }
        Command::Stats { json } => {
            let (path, conn) = open()?;
            let stats = dosedesk_core::stats::stats(&conn)?;
            if *json {
                print_json(&stats);
            } else {
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
            }
        }
        Command::Schedule { week, site, json } => {
            let (_, conn) = open()?;
            let schedule = dosedesk_core::schedule::week(
                &conn,
                &dosedesk_core::schedule::WeekQuery {
                    date: week.clone(),
                    site: site.clone(),
                    offset: None,
                    limit: Some(500),
                },
            )?;
            if *json {
                print_json(&schedule);
            } else {
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
            }
        }
    }
    Ok(())
}

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("dosedesk-cli: cannot write JSON: {e}"),
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(label: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        Bar(Some(bar))
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(total);
            bar.set_position(done);
        }
    }
}
