//! Importers for the files of FORMATS.md. Each file is one IMMEDIATE
//! transaction: on any error nothing from it is kept. An importer is its
//! column table and a row parser; what it writes goes through `store`.

/// The columns an importer reads, in the file format's order, each with a
/// named index for the row parser: `columns! { SITE = req("site_code"), … }`
/// defines `COLUMNS` and `const SITE: usize = 0`, so no index is kept by hand.
macro_rules! columns {
    ($($name:ident = $column:expr),+ $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        enum ColumnIndex { $($name),+ }
        $(#[allow(dead_code)] const $name: usize = ColumnIndex::$name as usize;)+
        pub(super) const COLUMNS: &[Column] = &[$($column),+];
    };
}

mod areas;
mod bookings;
mod bulk_load;
pub mod csv_source;
mod dose_counts;
mod products;
mod provincial;
pub(crate) use provincial::release_values as provincial_release_values;
mod rows;
mod shifts;
mod sites;
mod supply;

pub use crate::job::{Progress, Quiet, Stage};

use crate::error::{Error, Result};
pub(crate) use rows::{upsert_rows, Imported, Importing, Written};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::Path;

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
    /// Bookings the store holds from earlier imports that this file does
    /// not have, by booking id: kept as they were, for someone to review
    /// (an export that drops rows must not delete clinic records).
    pub missing: Vec<String>,
}

/// How many missing booking ids the note names; the report lists all.
const MISSING_NAMED: usize = 10;

/// The line that tells of bookings a file lacks (`ImportReport::missing`),
/// for the command line; `None` when there are none.
pub fn missing_note(report: &ImportReport) -> Option<String> {
    let (file, missing) = (&report.file, &report.missing);
    if missing.is_empty() {
        return None;
    }
    let named: Vec<&str> = missing
        .iter()
        .take(MISSING_NAMED)
        .map(String::as_str)
        .collect();
    let more = missing.len().saturating_sub(MISSING_NAMED);
    Some(format!(
        "{file}: {} imported booking{} in the store {} not in this file and {} kept as {} \
         for review: {}{}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        if missing.len() == 1 { "is" } else { "are" },
        if missing.len() == 1 { "is" } else { "are" },
        if missing.len() == 1 {
            "it was"
        } else {
            "they were"
        },
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

/// Imports one file as one transaction.
pub fn import_file(
    conn: &mut Connection,
    kind: ImportKind,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let result = import_file_unaudited(conn, kind, path, progress);
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    crate::audit::noting_refusal(conn, "import", &file, result)
}

fn import_file_unaudited(
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
    let cx = Importing {
        tx,
        path,
        now: &now,
        progress,
    };
    let (mut source, written) = match kind {
        ImportKind::Sites => sites::import(cx, "open")?,
        ImportKind::Candidates => sites::import(cx, "candidate")?,
        ImportKind::Shifts => shifts::import(cx)?,
        ImportKind::Products => products::import(cx)?,
        ImportKind::Supply => supply::import(cx)?,
        ImportKind::Bookings => bookings::import(cx)?,
        ImportKind::DoseCounts => dose_counts::import(cx)?,
        ImportKind::Provincial => provincial::import(cx)?,
        ImportKind::Areas => areas::import(cx)?,
    };
    if progress.is_cancelled() {
        return Err(Error::Cancelled);
    }
    crate::sync::enrolment::guard_import(tx, kind, &now)?;
    let rows = source.rows();
    let file = source.file_name().to_owned();
    let mut warnings = std::mem::take(&mut source.warnings);
    warnings.extend(written.warnings);
    let sha256 = source.finish();
    crate::store::import_log::insert(tx, kind.name(), &file, &sha256, rows, &now)?;
    crate::audit::record(
        tx,
        "import",
        &file,
        serde_json::json!({
            "kind": kind.name(), "rows": rows, "sha256": sha256,
            "inserted": written.inserted, "updated": written.updated,
            "missing": written.missing.len(),
        }),
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
        missing: written.missing,
    })
}

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod tests;
