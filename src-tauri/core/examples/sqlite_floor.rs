//! The floor under the bookings import: SQLite alone appending N rows shaped
//! like generated bookings (built in memory: no file, no parsing, no
//! checks) to the store's `appointment` table with its indexes and triggers
//! dropped, through the same 32-row prepared INSERTs, one transaction, WAL,
//! synchronous=FULL; then the commit and the checkpoint. Whatever the
//! importer does, it cannot beat this on the same machine.
//!
//!   cargo run --release -p dosedesk-core --example sqlite_floor -- ROWS [DB_PATH]

use dosedesk_core::{store, Error, Result};
use std::fmt::Write;
use std::time::Instant;

const ROWS_PER_INSERT: usize = 32;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = match args.first().map(|n| n.parse()) {
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("usage: sqlite_floor ROWS [DB_PATH]");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), &e))?;
    let db = args
        .get(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("floor.sqlite3"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut conn = store::open(&db)?;
    conn.execute(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (randomblob(16), 'S1', 'Site', 'pharmacy', 'now')",
        [],
    )?;

    let started = Instant::now();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let objects: Vec<(String, String)> = tx
        .prepare(
            "SELECT type, name FROM sqlite_schema
             WHERE tbl_name = 'appointment' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name) in objects {
        tx.execute_batch(&format!("DROP {kind} \"{name}\""))?;
    }
    let one = "(?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)";
    let sql = format!(
        "INSERT INTO appointment (uuid, booking_id, person_id, site_id, slot_minute, dose_number,
                                  product, status, source, booked_at, updated_at) VALUES {}",
        vec![one; ROWS_PER_INSERT].join(", ")
    );
    let mut insert = tx.prepare(&sql)?;
    let now = store::now_timestamp();
    let (mut booking, mut person) = (String::new(), String::new());
    let statuses = ["booked", "attended", "cancelled"];
    let mut written = 0;
    while written + ROWS_PER_INSERT <= rows {
        for r in 0..ROWS_PER_INSERT {
            let k = written + r;
            booking.clear();
            person.clear();
            let _ = write!(booking, "B{k:09}");
            let _ = write!(person, "P{:09}", k / 2);
            let at = r * 10;
            insert.raw_bind_parameter(at + 1, &store::new_uuid()[..])?;
            insert.raw_bind_parameter(at + 2, booking.as_str())?;
            insert.raw_bind_parameter(at + 3, person.as_str())?;
            insert.raw_bind_parameter(at + 4, 1i64)?;
            insert.raw_bind_parameter(at + 5, 26_000_000 + (k as i64 % 100_000) * 5)?;
            insert.raw_bind_parameter(at + 6, 1 + (k as i64 % 2))?;
            insert.raw_bind_parameter(at + 7, "PFIZER")?;
            insert.raw_bind_parameter(at + 8, statuses[k % 3])?;
            insert.raw_bind_parameter(at + 9, "2021-02-03T10:00:00")?;
            insert.raw_bind_parameter(at + 10, now.as_str())?;
        }
        insert.raw_execute()?;
        written += ROWS_PER_INSERT;
    }
    drop(insert);
    let inserted = started.elapsed();
    tx.pragma_update(None, "wal_autocheckpoint", 0)?;
    tx.commit()?;
    let committed = started.elapsed();
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
    let checkpointed = started.elapsed();
    let size = std::fs::metadata(&db).map_or(0, |m| m.len());
    println!(
        "floor   SQLite alone, {written} rows appended, no indexes, no parsing: insert {:.2} s, commit {:.2} s, checkpoint {:.2} s, total {:.2} s ({:.0} rows/s; {} MB)",
        inserted.as_secs_f64(),
        (committed - inserted).as_secs_f64(),
        (checkpointed - committed).as_secs_f64(),
        checkpointed.as_secs_f64(),
        written as f64 / checkpointed.as_secs_f64().max(1e-9),
        size / 1_000_000
    );
    Ok(())
}
