//! What the importers share: the context each is given, the simple
//! upsert-every-row importer, and the checks of their row parsers (known
//! sites and products, keys seen earlier in the same file).

use super::csv_source::{Column, CsvSource, Row};
use super::ImportKind;
use super::Progress;
use crate::error::{Error, Result};
use crate::store::upsert::{Counts, Keyed, Upsert};
use rusqlite::Transaction;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Counts of what an importer wrote; the rest of the report is filled here.
#[derive(Default)]
pub(crate) struct Written {
    pub inserted: u64,
    pub updated: u64,
    pub warnings: Vec<String>,
    /// Keys the store holds from earlier imports that the file lacks (kept,
    /// for review).
    pub missing: Vec<String>,
}

impl From<Counts> for Written {
    fn from(c: Counts) -> Self {
        Written {
            inserted: c.inserted,
            updated: c.updated,
            ..Written::default()
        }
    }
}

/// What every importer is given: the open transaction, the file, the time
/// its rows are stamped with, and the job's progress.
#[derive(Clone, Copy)]
pub(crate) struct Importing<'a> {
    pub tx: &'a Transaction<'a>,
    pub path: &'a Path,
    pub now: &'a str,
    pub progress: &'a dyn Progress,
}

impl Importing<'_> {
    /// The file, checked against the importer's columns.
    pub(crate) fn open(&self, columns: &'static [Column]) -> Result<CsvSource> {
        CsvSource::open(self.path, columns)
    }
}

/// What an importer hands back: the file it read (rows, hash, warnings)
/// and what it wrote.
pub(crate) type Imported = Result<(CsvSource, Written)>;

/// A simple importer: every row parsed into a table row and upserted by
/// its key.
pub(crate) fn upsert_rows<R: Keyed>(
    cx: Importing<'_>,
    columns: &'static [Column],
    mut parse: impl FnMut(&Row<'_>) -> Result<R>,
) -> Imported {
    let mut src = cx.open(columns)?;
    let mut upsert = Upsert::<R>::prepare(cx.tx, cx.now)?;
    while let Some(row) = src.next_row(cx.progress)? {
        upsert.put(&parse(&row)?)?;
    }
    let counts = upsert.finish()?;
    Ok((src, counts.into()))
}

impl ImportKind {
    /// The header line of this kind of file, as its importer reads it (the
    /// demo and the generator write their files with it).
    pub fn header(self) -> String {
        let columns = match self {
            ImportKind::Sites => super::sites::COLUMNS,
            ImportKind::Candidates => super::sites::CANDIDATE_COLUMNS,
            ImportKind::Shifts => super::shifts::COLUMNS,
            ImportKind::Products => super::products::COLUMNS,
            ImportKind::Supply => super::supply::COLUMNS,
            ImportKind::Bookings => super::bookings::COLUMNS,
            ImportKind::DoseCounts => super::dose_counts::COLUMNS,
            ImportKind::Provincial => super::provincial::COLUMNS,
            ImportKind::Areas => super::areas::COLUMNS,
        };
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        names.join(",") + "\n"
    }
}

/// Looks up a product column value; codes are matched case-insensitively.
pub(crate) fn known_product(
    row: &Row<'_>,
    col: usize,
    codes: &HashSet<String>,
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
    row: &Row<'_>,
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
    row: &Row<'_>,
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
    row: &Row<'_>,
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
