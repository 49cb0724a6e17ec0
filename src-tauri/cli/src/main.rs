//! `dosedesk-cli`: the core's behaviour, headless, for scripts and tests.
//! Exit status: 0 success, 1 a user error (one line on stderr), 2 a usage error.

/// Every module's `println!` goes through `print_line`: std's panics when
/// the reader of stdout has gone (`dosedesk-cli check --json | head`).
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

mod brief;
mod doses;
mod plan_sites;

use clap::{Parser, Subcommand};
use dosedesk_core::import::{import_file, ImportKind, Progress, Stage};
use dosedesk_core::{store, Error};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

mod plan_scenarios;
mod plan_shifts;

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
        #[arg(value_parser = ["sites", "shifts", "products", "supply", "bookings", "dose-counts", "provincial", "areas", "candidates"])]
        kind: String,
        /// The CSV file.
        file: PathBuf,
        /// Print how long each stage took (rows, people, indexes, commit…) to stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Planners: extra shifts, new distribution points.
    Plan {
        #[command(subcommand)]
        what: PlanCommand,
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
        /// Of the bookings, how many repeat an earlier first-dose booking in
        /// its already-full slot over three days (Ottawa 2021: 3,100).
        #[arg(long, default_value_t = 0)]
        incident: u64,
    },
    /// Find booking failures: over-capacity slots, bookings outside shifts,
    /// double bookings, first doses without a second, second doses outside
    /// the product's interval, bookings for people not yet eligible.
    Check {
        /// Print JSON (a stable contract) instead of text.
        #[arg(long)]
        json: bool,
        /// Report from the results the store keeps for the app's views,
        /// re-judging only what changed (the whole store; no scope).
        #[arg(long, conflicts_with_all = ["from", "to", "site"])]
        kept: bool,
        #[command(flatten)]
        scope: Scope,
    },
    /// Book a first dose and reserve its second dose, in one transaction.
    Book {
        /// The person's id (the booking system's, or a local one).
        #[arg(long)]
        person: String,
        /// Site code of the first dose.
        #[arg(long)]
        site: String,
        /// First-dose slot, YYYY-MM-DDTHH:MM.
        #[arg(long)]
        slot: String,
        /// Product code (PFIZER, MODERNA, ASTRAZENECA, …).
        #[arg(long, default_value = "PFIZER")]
        product: String,
        /// Birth date (YYYY-MM-DD), checked against the eligibility phases.
        #[arg(long)]
        birth_date: Option<String>,
        /// Phone number for rebooking calls.
        #[arg(long)]
        phone: Option<String>,
        /// Site of the second dose (default: the first dose's).
        #[arg(long)]
        second_site: Option<String>,
        /// Second-dose slot (default: the earliest free one in the product's interval).
        #[arg(long)]
        second_slot: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The rebooking desk: proposals for excess bookings, the call list, call outcomes.
    Rebook {
        #[command(subcommand)]
        action: RebookAction,
    },
    /// The one-page briefing for officials (PDF or PNG, English or French).
    Brief(brief::BriefArgs),
    /// Draw a chart of doses administered to an SVG or PNG file.
    Chart(doses::ChartArgs),
    /// Enter or correct a clinic's tally (the old value is kept).
    Tally(doses::TallyArgs),
    /// Confirm that a flagged day is real, so it may count as a record.
    ConfirmDay(doses::ConfirmArgs),
    /// Values the province revised in its latest release.
    Revisions {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
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

#[derive(Subcommand)]
enum PlanCommand {
    /// Fewest extra shifts so capacity meets demand within supply, hours and staff.
    Shifts(plan_shifts::PlanShiftsArgs),
    /// Choose k new distribution points among the candidate sites.
    Sites(plan_sites::PlanSitesArgs),
    /// Saved shift plans, newest first.
    Scenarios(plan_scenarios::ListArgs),
    /// Saved shift plans side by side.
    Compare(plan_scenarios::CompareArgs),
    /// Create a saved plan's extra shifts (one transaction).
    Apply(plan_scenarios::IdArg),
    /// Remove the shifts an apply created.
    Undo(plan_scenarios::IdArg),
}

/// Which bookings a check or a rebooking plan looks at.
#[derive(clap::Args)]
struct Scope {
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
    fn query(&self) -> dosedesk_core::checks::CheckQuery {
        dosedesk_core::checks::CheckQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            site: self.site.clone(),
        }
    }
}

#[derive(Subcommand)]
enum RebookAction {
    /// Propose a new slot for every excess booking (same site first, then by distance).
    Plan {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        scope: Scope,
    },
    /// Write the call list (person, phone, old slot, proposed slot) as CSV.
    Export {
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        scope: Scope,
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

/// Writes one line to stdout. When the reader has closed the pipe there is
/// nobody left to tell: stop quietly, as `head` expects of a writer.
fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("dosedesk-cli: cannot write to standard output: {e}");
        std::process::exit(1);
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
            incident,
        } => {
            let params = dosedesk_core::generate::GenerateParams {
                sites: *sites,
                bookings: *bookings,
                dose_counts: *dose_counts,
                seed: *seed,
                incident: *incident,
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
        Command::Import {
            kind,
            file,
            timings,
        } => {
            let (_, mut conn) = open()?;
            let kind = ImportKind::parse(kind)
                .ok_or_else(|| Error::InvalidInput(format!("unknown kind {kind}")))?;
            let bar = Bar::new(kind.name()).timed(*timings);
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
        Command::Plan { what } => {
            let (_, mut conn) = open()?;
            match what {
                PlanCommand::Sites(args) => plan_sites::run(&conn, args)?,
                PlanCommand::Shifts(args) => plan_shifts::run(&conn, args)?,
                PlanCommand::Scenarios(args) => plan_scenarios::list(&conn, args)?,
                PlanCommand::Compare(args) => plan_scenarios::compare(&conn, args)?,
                PlanCommand::Apply(args) => plan_scenarios::apply(&mut conn, args)?,
                PlanCommand::Undo(args) => plan_scenarios::undo(&mut conn, args)?,
            }
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
                print_dose_figures(&stats.doses);
            }
        }
        Command::Brief(args) => brief::run(&open()?.1, args)?,
        Command::Chart(args) => doses::chart(&open()?.1, args)?,
        Command::Tally(args) => doses::tally(&mut open()?.1, args)?,
        Command::ConfirmDay(args) => doses::confirm(&open()?.1, args)?,
        Command::Revisions { json } => doses::revisions(&open()?.1, *json)?,
        Command::Check { json, kept, scope } => {
            let (_, conn) = open()?;
            let report = if *kept {
                dosedesk_core::checks::current(&conn, usize::MAX)?
            } else {
                dosedesk_core::checks::run(&conn, &scope.query())?
            };
            if *json {
                print_json(&report);
            } else {
                print_check(&report);
            }
        }
        Command::Book {
            person,
            site,
            slot,
            product,
            birth_date,
            phone,
            second_site,
            second_slot,
            json,
        } => {
            let (_, mut conn) = open()?;
            let booked = dosedesk_core::booking::book_first_dose(
                &mut conn,
                &dosedesk_core::booking::BookRequest {
                    person_id: person.clone(),
                    birth_date: birth_date.clone(),
                    phone: phone.clone(),
                    site: site.clone(),
                    slot: slot.clone(),
                    product: product.clone(),
                    second_site: second_site.clone(),
                    second_slot: second_slot.clone(),
                },
            )?;
            if *json {
                print_json(&booked);
            } else {
                println!(
                    "booked {person}: dose 1 at {} {}, dose 2 reserved at {} {}",
                    booked.first.site_code,
                    booked.first.slot,
                    booked.second.site_code,
                    booked.second.slot
                );
            }
        }
        Command::Rebook { action } => {
            let (_, mut conn) = open()?;
            match action {
                RebookAction::Plan { json, scope } => {
                    let plan = dosedesk_core::rebook::plan(&conn, &scope.query())?;
                    if *json {
                        print_json(&plan);
                    } else {
                        print_rebook(&plan);
                    }
                }
                RebookAction::Export { out, scope } => {
                    let plan = dosedesk_core::rebook::plan(&conn, &scope.query())?;
                    let mut file = std::fs::File::create(out).map_err(|e| Error::io(out, &e))?;
                    dosedesk_core::rebook::export_csv(&plan, &mut file)?;
                    println!("wrote {} calls to {}", plan.proposals.len(), out.display());
                }
                RebookAction::Record {
                    appointment,
                    outcome,
                    to_site,
                    to_slot,
                    note,
                } => {
                    dosedesk_core::rebook::record(
                        &mut conn,
                        &dosedesk_core::rebook::CallOutcome {
                            appointment_id: *appointment,
                            outcome: outcome.clone(),
                            to_site: to_site.clone(),
                            to_slot: to_slot.clone(),
                            note: note.clone(),
                        },
                    )?;
                    println!("recorded {outcome} for appointment {appointment}");
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
    for a in &plan.expected_arrivals {
        println!(
            "still expected (unreachable): {} {}  {}",
            a.site_code, a.date, a.expected_unreachable
        );
    }
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

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("dosedesk-cli: cannot write JSON: {e}"),
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal; it names
/// the stage long work is in, and can time each stage.
struct Bar {
    bar: Option<ProgressBar>,
    label: String,
    /// With `--timings`: when each stage began.
    stages: Option<Mutex<Vec<(Stage, Instant)>>>,
}

impl Bar {
    fn new(label: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_owned());
            bar
        });
        Bar {
            bar,
            label: label.to_owned(),
            stages: None,
        }
    }

    fn timed(mut self, on: bool) -> Self {
        self.stages = on.then(|| Mutex::new(Vec::new()));
        self
    }

    /// Clears the bar; with `--timings`, prints each stage's seconds.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let Some(stages) = &self.stages else { return };
        let stages = stages.lock().map(|s| s.clone()).unwrap_or_default();
        let ends = stages.iter().skip(1).map(|s| s.1).chain([Instant::now()]);
        for ((stage, start), end) in stages.iter().zip(ends) {
            eprintln!(
                "{}: {:<26} {:8.2} s",
                self.label,
                stage.describe(),
                (end - *start).as_secs_f64()
            );
        }
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    fn stage(&self, stage: Stage) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("{}: {}", self.label, stage.describe()));
        }
        if let Some(Ok(mut stages)) = self.stages.as_ref().map(Mutex::lock) {
            stages.push((stage, Instant::now()));
        }
    }
}
