//! `dosedesk-cli`: the core's behaviour, headless, for scripts and tests.
//! Exit status: 0 success, 1 a user error (one line on stderr), 2 a usage error.
//! One module per subcommand; this file only parses and dispatches.

/// Every module's `println!` goes through `print_line`: std's panics when
/// the reader of stdout has gone (`dosedesk-cli check --json | head`), and
/// neither std macro keeps a terminal from obeying what a name holds
/// (`output::terminal_safe`).
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::output::print_line(format_args!($($arg)*))
    };
}

macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::output::eprint_line(format_args!($($arg)*))
    };
}

mod audit;
mod book;
mod brief;
mod check;
mod doses;
mod generate;
mod load;
mod output;
mod plan_scenarios;
mod plan_shifts;
mod plan_siting;
mod progress;
mod rebook;
mod schedule;
mod signin;
mod stats;
mod store_file;
mod sync;
mod users;

use clap::{Parser, Subcommand};
use dosedesk_core::store::encryption::StoreKind;
use dosedesk_core::{store, Connection, Error};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dosedesk-cli",
    version,
    about = "DoseDesk from the command line: import clinic data, load the demo, report."
)]
struct Cli {
    /// The DoseDesk database, always encrypted (created when missing, with
    /// --user as its first manager). Default: the app's own database.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Who signs in (default: DOSEDESK_USER). A new store is created
    /// encrypted, this user its first manager holding its key.
    #[arg(long, global = true, value_name = "NAME")]
    user: Option<String>,
    /// A file holding the user's passphrase (default:
    /// DOSEDESK_PASSPHRASE_FILE; without either, asked on a terminal).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the built-in Ottawa spring 2021 demo into an empty database.
    Demo,
    /// Import a CSV file (FORMATS.md) as one transaction.
    Import(load::ImportArgs),
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
    Generate(generate::GenerateArgs),
    /// Find booking failures: over-capacity slots, bookings outside shifts,
    /// double bookings, first doses without a second, second doses outside
    /// the product's interval, bookings for people not yet eligible.
    Check(check::CheckArgs),
    /// Book a first dose and reserve its second dose, in one transaction.
    Book(book::BookArgs),
    /// Find people already in the store by the start of their id or name.
    People(book::PeopleArgs),
    /// The rebooking desk: proposals for excess bookings, the call list, call outcomes.
    Rebook {
        #[command(subcommand)]
        action: rebook::RebookAction,
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
    Schedule(schedule::ScheduleArgs),
    /// Sync with the unit's central copy: push, then pull (or enrol,
    /// export/import a bundle, status).
    Sync(sync::SyncArgs),
    /// Conflicts found by sync, and a manager's choice on each.
    Conflicts(sync::ConflictsArgs),
    /// The store's audit log (sign-ins, changes, refusals, exports, views
    /// of people's data), newest first; --verify checks its hash chain.
    Audit(audit::AuditArgs),
    /// A manager's list of who may sign in to this encrypted store.
    Users {
        #[command(subcommand)]
        action: users::UsersAction,
    },
    /// The store file: encryption status, encrypting a plain store, passphrases.
    Store {
        #[command(subcommand)]
        action: store_file::StoreAction,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Fewest extra shifts so capacity meets demand within supply, hours and staff.
    Shifts(plan_shifts::PlanShiftsArgs),
    /// Choose k new distribution points among the candidate sites.
    #[command(alias = "siting")]
    Sites(plan_siting::PlanSitingArgs),
    /// Saved shift plans, newest first.
    Scenarios(plan_scenarios::ListArgs),
    /// Saved shift plans side by side.
    Compare(plan_scenarios::CompareArgs),
    /// Create a saved plan's extra shifts (one transaction).
    Apply(plan_scenarios::IdArg),
    /// Remove the shifts an apply created.
    Undo(plan_scenarios::IdArg),
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits 2 on a usage error, 0 for --help
    progress::stop_on_ctrl_c();
    store::on_lock_wait(|notice| {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "dosedesk-cli: {notice}");
    });
    store::on_upgrade(|notice| {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "dosedesk-cli: {notice}");
    });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dosedesk-cli: {err}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    if let Command::Generate(args) = &cli.command {
        return generate::run(args); // the one command without a database
    }
    let path = match &cli.db {
        Some(path) => path.clone(),
        None => store::default_path()?,
    };
    let who = signin::given(cli.user.as_deref(), cli.passphrase_file.as_deref())?;
    if let Command::Store { action } = &cli.command {
        return store_file::run(&path, action, who.as_ref());
    }
    let signed_in = match (&cli.command, &who) {
        // The demo, into no store yet and with no user named: a demo store,
        // its account public.
        (Command::Demo, None) if store::encryption::kind(&path) == StoreKind::Missing => {
            Some(load::create_demo_store(&path)?)
        }
        _ => signin::unlock(&path, who.as_ref())?,
    };
    let mut conn: Connection = store::open_for_use(&path)?;
    if let Some(user) = signed_in {
        dosedesk_core::users::sign_in_logged(&conn, &path, &user, "command line")?;
    }
    let conn = &mut conn;
    match &cli.command {
        Command::Generate(_) | Command::Store { .. } => Ok(()),
        Command::Demo => load::demo(&path, conn),
        Command::Import(args) => load::import(conn, args),
        Command::Plan { what } => match what {
            PlanCommand::Sites(args) => plan_siting::run(conn, args),
            PlanCommand::Shifts(args) => plan_shifts::run(conn, args),
            PlanCommand::Scenarios(args) => plan_scenarios::list(conn, args),
            PlanCommand::Compare(args) => plan_scenarios::compare(conn, args),
            PlanCommand::Apply(args) => plan_scenarios::apply(conn, args),
            PlanCommand::Undo(args) => plan_scenarios::undo(conn, args),
        },
        Command::Stats { json } => stats::run(&path, conn, *json),
        Command::Brief(args) => brief::run(conn, args),
        Command::Chart(args) => doses::chart(conn, args),
        Command::Tally(args) => doses::tally(conn, args),
        Command::ConfirmDay(args) => doses::confirm(conn, args),
        Command::Revisions { json } => doses::revisions(conn, *json),
        Command::Check(args) => check::run(conn, args),
        Command::Book(args) => book::run(conn, args),
        Command::People(args) => book::people(conn, args),
        Command::Rebook { action } => rebook::run(conn, action),
        Command::Schedule(args) => schedule::run(conn, args),
        Command::Sync(args) => sync::run(conn, args),
        Command::Conflicts(args) => sync::conflicts(conn, args),
        Command::Audit(args) => audit::run(conn, args),
        Command::Users { action } => users::run(conn, &path, action),
    }
}
