//! Checks shared by the importers' row parsers: known sites and products,
//! keys seen earlier in the same file.

use super::csv_source::Row;
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};

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
