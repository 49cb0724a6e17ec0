//! Importers for the files of FORMATS.md. Each file is one IMMEDIATE
//! transaction: on any error nothing from it is kept.

mod areas;
mod bookings;
pub mod csv_source;
mod dose_counts;
mod products;
mod provincial;
pub(crate) use provincial::release_values as provincial_release_values;
mod shifts;
mod sites;
mod supply;

use crate::error::{Error, Result};
use rusqlite::{Connection, Statement, Transaction, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Receives progress of long work and may ask it to stop.
pub trait Progress: Sync {
    fn update(&self, _done: u64, _total: u64) {}
    /// The work moved on to another stage: once the rows are read, a bulk
    /// import still saves people, builds indexes and commits, for seconds.
    fn stage(&self, _stage: Stage) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// The stages of an import, in order; a small file passes some in no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading, checking and writing the file's rows.
    Rows,
    /// Merging people's birth dates and phones.
    People,
    /// Daily booked and attended totals.
    DailyTotals,
    /// Building the indexes of a bulk load.
    Indexes,
    /// Making the transaction durable.
    Commit,
    /// Copying the committed pages from the WAL into the database file.
    Checkpoint,
    /// Judging the bookings again for the Checks view (after a bulk load: all of them).
    Checks,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Rows => "reading rows",
            Stage::People => "saving people",
            Stage::DailyTotals => "daily totals",
            Stage::Indexes => "building indexes",
            Stage::Commit => "committing",
            Stage::Checkpoint => "writing the database file",
            Stage::Checks => "checking the bookings",
        }
    }
}

/// For callers that need neither progress nor cancellation.
pub struct Quiet;
impl Progress for Quiet {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    Sites,
    Shifts,
    Products,
    Supply,
    Bookings,
    DoseCounts,
    Provincial,
    Areas,
    Candidates,
}

impl ImportKind {
    pub const ALL: [ImportKind; 9] = [
        ImportKind::Sites,
        ImportKind::Shifts,
        ImportKind::Products,
        ImportKind::Supply,
        ImportKind::Bookings,
        ImportKind::DoseCounts,
        ImportKind::Provincial,
        ImportKind::Areas,
        ImportKind::Candidates,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ImportKind::Sites => "sites",
            ImportKind::Shifts => "shifts",
            ImportKind::Products => "products",
            ImportKind::Supply => "supply",
            ImportKind::Bookings => "bookings",
            ImportKind::DoseCounts => "dose-counts",
            ImportKind::Provincial => "provincial",
            ImportKind::Areas => "areas",
            ImportKind::Candidates => "candidates",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub file: String,
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Rows identical to what the store already held.
    pub unchanged: u64,
    pub warnings: Vec<String>,
}

/// Counts of what an importer wrote; the rest of the report is filled here.
#[derive(Default)]
pub(crate) struct Written {
    pub inserted: u64,
    pub updated: u64,
    pub warnings: Vec<String>,
}

/// Imports one file as one transaction.
pub fn import_file(
    conn: &mut Connection,
    kind: ImportKind,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    progress.stage(Stage::Rows);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let report = import_into(&tx, kind, path, progress)?;
    progress.stage(Stage::Commit);
    // The checkpoint (the WAL copied into the database file: seconds after a
    // bulk load) runs as a stage of its own rather than inside the commit.
    let auto: i64 = tx.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
    tx.pragma_update(None, "wal_autocheckpoint", 0)?;
    let committed = tx.commit();
    conn.pragma_update(None, "wal_autocheckpoint", auto)?;
    committed?;
    progress.stage(Stage::Checkpoint);
    // PASSIVE, as the automatic one: it never waits for the app's readers.
    // Its counts are of no use here; a failure leaves the WAL for later.
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    Ok(report)
}

/// Imports one file, then brings the kept check results up to date, so the
/// app's Checks view opens at once after a bulk load.
pub fn import_file_then_check(
    conn: &mut Connection,
    kind: ImportKind,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let report = import_file(conn, kind, path, progress)?;
    progress.stage(Stage::Checks);
    crate::checks::refresh(conn)?;
    Ok(report)
}

/// Imports one file inside the caller's transaction (the demo loads several
/// files as one). Nothing is written if this returns an error and the caller
/// rolls back.
pub fn import_into(
    tx: &Transaction<'_>,
    kind: ImportKind,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let now = crate::store::now_timestamp();
    let (mut source, written) = match kind {
        ImportKind::Sites => sites::import(tx, path, &now, progress)?,
        ImportKind::Shifts => shifts::import(tx, path, &now, progress)?,
        ImportKind::Products => products::import(tx, path, &now, progress)?,
        ImportKind::Supply => supply::import(tx, path, &now, progress)?,
        ImportKind::Bookings => bookings::import(tx, path, &now, progress)?,
        ImportKind::DoseCounts => dose_counts::import(tx, path, &now, progress)?,
        ImportKind::Provincial => provincial::import(tx, path, &now, progress)?,
        ImportKind::Areas => areas::import(tx, path, &now, progress)?,
        ImportKind::Candidates => sites::import_candidates(tx, path, &now, progress)?,
    };
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let rows = source.rows();
    let file = source.file_name().to_owned();
    let mut warnings = std::mem::take(&mut source.warnings);
    warnings.extend(written.warnings);
    let sha256 = source.finish();
    tx.execute(
        "INSERT INTO import_log (kind, file_name, sha256, rows, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![kind.name(), file, sha256, rows as i64, now],
    )?;
    Ok(ImportReport {
        kind,
        file,
        sha256,
        rows,
        inserted: written.inserted,
        updated: written.updated,
        unchanged: rows - written.inserted - written.updated,
        warnings,
    })
}

/// `site_code → id` for every site, loaded once per import.
pub(crate) fn site_ids(tx: &Transaction<'_>) -> Result<HashMap<String, i64>> {
    let mut stmt = tx.prepare("SELECT code, id FROM site")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>("code")?, r.get("id")?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Product codes known to the store (upper case).
pub(crate) fn product_codes(tx: &Transaction<'_>) -> Result<std::collections::HashSet<String>> {
    let mut stmt = tx.prepare("SELECT code FROM product")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>("code"))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Looks up a product column value; codes are matched case-insensitively.
pub(crate) fn known_product(
    row: &csv_source::Row<'_>,
    col: usize,
    codes: &std::collections::HashSet<String>,
    code: &str,
) -> Result<String> {
    let upper = code.to_ascii_uppercase();
    if codes.contains(&upper) {
        Ok(upper)
    } else {
        Err(unknown_product(row, col, code, codes.iter()))
    }
}

/// The error for a product code the store does not know, listing those it does.
pub(crate) fn unknown_product<'c>(
    row: &csv_source::Row<'_>,
    col: usize,
    code: &str,
    known: impl Iterator<Item = &'c String>,
) -> Error {
    let mut known: Vec<&str> = known.map(String::as_str).collect();
    known.sort_unstable();
    row.error(
        col,
        format!(
            "unknown product {code:?} (known: {}; import products.csv first)",
            known.join(", ")
        ),
    )
}

pub(crate) fn known_site(
    row: &csv_source::Row<'_>,
    col: usize,
    sites: &HashMap<String, i64>,
    code: &str,
) -> Result<i64> {
    sites.get(code).copied().ok_or_else(|| {
        row.error(
            col,
            format!("unknown site {code:?} (import sites.csv first)"),
        )
    })
}

/// Rejects a key seen earlier in the same file, naming the earlier line.
pub(crate) fn first_occurrence<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, u64>,
    key: K,
    row: &csv_source::Row<'_>,
    col: usize,
    what: &str,
) -> Result<()> {
    match seen.entry(key) {
        std::collections::hash_map::Entry::Occupied(first) => Err(row.error(
            col,
            format!("duplicate {what}: already on line {}", first.get()),
        )),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(row.line);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;

/// Drops a table's indexes and triggers and returns the SQL that recreates
/// them. The caller rebuilds what the triggers would have kept.
pub(crate) fn drop_indexes_and_triggers(tx: &Transaction<'_>, table: &str) -> Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE type IN ('index', 'trigger') AND tbl_name = ?1 AND sql IS NOT NULL",
    )?;
    let objects: Vec<(String, String, String)> = stmt
        .query_map([table], |r| {
            Ok((r.get("type")?, r.get("name")?, r.get("sql")?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name, _) in &objects {
        tx.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
    }
    Ok(objects.into_iter().map(|(_, _, sql)| sql).collect())
}

/// Rows per INSERT statement in a bulk write: a statement's fixed cost is
/// paid once per this many rows.
const ROWS_PER_INSERT: usize = 32;

/// Inserts `rows`, `ROWS_PER_INSERT` to a statement and the rest one by one.
/// `sql(n)` is the INSERT of n rows; `bind(stmt, first, row)` binds one
/// row's parameters from index `first` (1-based) on.
pub(crate) fn insert_in_chunks<R>(
    conn: &Connection,
    sql: impl Fn(usize) -> String,
    rows: impl IntoIterator<Item = R>,
    mut bind: impl FnMut(&mut Statement<'_>, usize, &R) -> Result<()>,
) -> Result<()> {
    let mut many = conn.prepare_cached(&sql(ROWS_PER_INSERT))?;
    let mut one = conn.prepare_cached(&sql(1))?;
    let per_row = one.parameter_count();
    let mut rows = rows.into_iter();
    let mut chunk = Vec::with_capacity(ROWS_PER_INSERT);
    loop {
        chunk.clear();
        chunk.extend(rows.by_ref().take(ROWS_PER_INSERT));
        if chunk.len() < ROWS_PER_INSERT {
            for row in &chunk {
                bind(&mut one, 1, row)?;
                one.raw_execute()?;
            }
            return Ok(());
        }
        for (k, row) in chunk.iter().enumerate() {
            bind(&mut many, 1 + k * per_row, row)?;
        }
        many.raw_execute()?;
    }
}

/// Runs a long SQLite step (an index build, minutes at province scale)
/// so that cancelling the import interrupts it instead of waiting for it.
pub(crate) fn cancellable<T>(
    conn: &Connection,
    progress: &dyn Progress,
    work: impl FnOnce() -> Result<T>,
) -> Result<T> {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let interrupt = conn.get_interrupt_handle();
    let (done, finished) = channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) =
                finished.recv_timeout(std::time::Duration::from_millis(50))
            {
                if progress.is_cancelled() {
                    // Between statements this is a no-op: SQLite clears the
                    // flag when the next statement starts.
                    interrupt.interrupt();
                    return;
                }
            }
        });
        let out = work();
        drop(done); // wakes the watcher at once
        match out {
            Err(Error::Database(e))
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
            {
                Err(Error::Cancelled)
            }
            other => other,
        }
    })
}

pub(crate) fn count_rows(tx: &Transaction<'_>, table: &str) -> Result<u64> {
    let n: i64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(n as u64)
}
