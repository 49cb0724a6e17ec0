//! One step of the encryption benchmark (`tests/bench/encryption.sh`) on a
//! plain or an encrypted store, through the same core calls either way, so
//! the two sides differ by the encryption only. The app and the command line
//! open encrypted stores only; this example is the benchmark's way to build
//! the plain side it is measured against.
//!
//!   bench_store plain|encrypted STORE import KIND FILE
//!   bench_store plain|encrypted STORE check
//!
//! The encrypted side is created or unlocked with the passphrase in
//! `$DOSEDESK_PASSPHRASE_FILE` for user `bench`; that sign-in (Argon2id) is
//! timed apart, and the step's own time is printed as `SECONDS` alone on
//! the last line.

use dosedesk_core::import::{import_file, ImportKind};
use dosedesk_core::store::encryption::{self, StoreKind};
use dosedesk_core::{checks, store, Error, Result};
use std::path::Path;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_store: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        Error::InvalidInput(
            "usage: bench_store plain|encrypted STORE (import KIND FILE | check)".into(),
        )
    };
    let (side, db, step) = match args.as_slice() {
        [side, db, step, ..] => (side.as_str(), Path::new(db), step.as_str()),
        _ => return Err(usage()),
    };
    if side == "encrypted" {
        let file = std::env::var("DOSEDESK_PASSPHRASE_FILE")
            .map_err(|_| Error::InvalidInput("set DOSEDESK_PASSPHRASE_FILE".into()))?;
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, &e))?;
        let passphrase = text.trim_end_matches(['\n', '\r']);
        let started = Instant::now();
        match encryption::kind(db) {
            StoreKind::Missing => encryption::create(db, "bench", passphrase)?,
            _ => encryption::unlock(db, "bench", passphrase)?,
        }
        eprintln!("sign-in {:.2} s", started.elapsed().as_secs_f64());
    } else if side != "plain" {
        return Err(usage());
    }
    let new = encryption::kind(db) == StoreKind::Missing;
    let mut conn = store::open(db)?;
    if side == "plain" && new {
        // The encrypted side's page size (16 KiB), so that the two differ
        // by the encryption alone.
        conn.execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; \
             PRAGMA journal_mode = WAL;",
        )?;
    }
    if side == "encrypted" && encryption::kind(db) != StoreKind::Encrypted {
        return Err(Error::Internal(format!(
            "{} is not encrypted",
            db.display()
        )));
    }
    let started = Instant::now();
    match (step, &args[3..]) {
        ("import", [kind, file]) => {
            let kind = ImportKind::ALL
                .into_iter()
                .find(|k| k.name() == kind)
                .ok_or_else(usage)?;
            import_file(
                &mut conn,
                kind,
                Path::new(file),
                &dosedesk_core::import::Quiet,
            )?;
        }
        ("check", []) => {
            checks::run(&conn, &checks::CheckQuery::default())?;
        }
        _ => return Err(usage()),
    }
    println!("{:.3}", started.elapsed().as_secs_f64());
    Ok(())
}
