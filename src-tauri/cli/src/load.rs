//! `demo` and `import`: filling the store.

use crate::progress::Bar;
use dosedesk_core::import::{import_file, ImportKind};
use dosedesk_core::{Connection, Error};
use std::path::{Path, PathBuf};

/// Loads the built-in demo.
/// Makes a new encrypted demo store at `path`, unlocked, and says how to
/// sign in to it. Returns the user to sign in.
pub fn create_demo_store(path: &Path) -> Result<String, Error> {
    use dosedesk_core::store::encryption::{create_demo, DEMO_PASSPHRASE, DEMO_USER};
    create_demo(path)?;
    println!(
        "a new demo store (encrypted, as every store): sign in as {DEMO_USER} with the \
         passphrase {DEMO_PASSPHRASE}; the demo's account is public, so keep real people \
         out of this store"
    );
    Ok(DEMO_USER.to_string())
}

pub fn demo(path: &Path, conn: &mut Connection) -> Result<(), Error> {
    let bar = Bar::new("demo");
    let summary = dosedesk_core::demo::load(conn, &bar)?;
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
    Ok(())
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_parser = ["sites", "shifts", "products", "supply", "bookings", "dose-counts", "provincial", "areas", "candidates"])]
    kind: String,
    /// The CSV file.
    file: PathBuf,
    /// Print how long each stage took (rows, people, indexes, commit…) to stderr.
    #[arg(long)]
    timings: bool,
    /// Print the report as JSON (with every booking id missing from a
    /// bookings file, where the warning names the first ten).
    #[arg(long)]
    json: bool,
}

pub fn import(conn: &mut Connection, args: &ImportArgs) -> Result<(), Error> {
    let kind = ImportKind::parse(&args.kind)
        .ok_or_else(|| Error::InvalidInput(format!("unknown kind {}", args.kind)))?;
    let bar = Bar::new(kind.name()).timed(args.timings);
    let report = import_file(conn, kind, &args.file, &bar)?;
    bar.finish();
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(note) = dosedesk_core::import::missing_note(&report) {
        eprintln!("warning: {note}");
    }
    if args.json {
        crate::output::print_json(&report);
        return Ok(());
    }
    let missing = match report.missing.len() {
        0 => String::new(),
        n => format!(", {n} missing from the file (kept)"),
    };
    println!(
        "{}: {} rows: {} new, {} updated, {} unchanged{missing}",
        report.file, report.rows, report.inserted, report.updated, report.unchanged
    );
    Ok(())
}
