//! The benchmarks' `sqlite3`: one SQL statement on a DoseDesk store, which
//! the sqlite3 shell cannot open (every store is encrypted), signed in with
//! `DOSEDESK_USER` and `DOSEDESK_PASSPHRASE_FILE`. Rows are printed as
//! `sqlite3` prints them (columns joined by `|`, NULL as nothing). Read-only
//! unless `--write` comes first; `--time` prints, instead of the rows, the
//! milliseconds the statement took to run through every row (the open and
//! the sign-in left out).
//!
//!   store_sql [--write | --time] DB SQL

use dosedesk_core::store::{self, encryption};
use dosedesk_core::{Error, Result};
use rusqlite::types::ValueRef;
use std::path::Path;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("store_sql: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, db, sql) = match args.as_slice() {
        [mode, db, sql] if mode == "--write" || mode == "--time" => (mode.as_str(), db, sql),
        [db, sql] => ("", db, sql),
        _ => {
            return Err(Error::InvalidInput(
                "usage: store_sql [--write | --time] DB SQL".into(),
            ))
        }
    };
    let db = Path::new(db);
    encryption::unlock_from_environment(db)?;
    let conn = store::open(db)?;
    if mode != "--write" {
        conn.pragma_update(None, "query_only", true)?;
    }
    let started = Instant::now();
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query([])?;
    let mut out = String::new();
    while let Some(row) = rows.next()? {
        if mode == "--time" {
            continue;
        }
        let cells: Vec<String> = (0..columns)
            .map(|i| match row.get_ref(i) {
                Ok(ValueRef::Null) | Err(_) => String::new(),
                Ok(ValueRef::Integer(n)) => n.to_string(),
                Ok(ValueRef::Real(x)) => x.to_string(),
                Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                Ok(ValueRef::Blob(b)) => format!("<{} bytes>", b.len()),
            })
            .collect();
        out.push_str(&cells.join("|"));
        out.push('\n');
    }
    if mode == "--time" {
        println!("{}", started.elapsed().as_millis());
    } else {
        print!("{out}");
    }
    Ok(())
}
