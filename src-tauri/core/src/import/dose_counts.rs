//! dose_counts.csv: tallies of doses administered. A tally that changes keeps
//! its earlier value in `dose_count_history`.

use super::csv_source::{opt, req, Column, CsvSource};
use super::rows::{known_product, known_site};
use super::{Imported, Importing, Progress, Stage, Written};
use crate::doses::guard;
use crate::error::Result;
use crate::store::dose_count::{self, Key, Source};
use crate::store::{product, site};
use rusqlite::Transaction;
use std::collections::HashMap;
use std::hash::BuildHasher;

columns! {
    DATE = req("date"),
    SITE = req("site_code"),
    SHIFT = opt("shift"),
    DOSE_NUMBER = req("dose_number"),
    PRODUCT = opt("product"),
    DOSES = req("doses"),
}

mod bulk;

/// The first and last date a file's tallies name.
#[derive(Default)]
struct Dates {
    first: Option<String>,
    last: Option<String>,
}

impl Dates {
    fn see(&mut self, date: &str) {
        if self.first.as_deref().is_none_or(|f| date < f) {
            self.first = Some(date.to_owned());
        }
        if self.last.as_deref().is_none_or(|l| date > l) {
            self.last = Some(date.to_owned());
        }
    }
}

/// Writes the file's tallies, then holds those that made their site-day
/// implausible (`doses::guard`): they count nowhere until confirmed, and
/// the report says how many wait.
pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let (tx, now, progress) = (cx.tx, cx.now, cx.progress);
    let mut src = cx.open(COLUMNS)?;
    let sites = site::ids_by_code(tx)?;
    let products = product::codes(tx)?;
    let (src, mut written, dates) = if dose_count::is_empty(tx)? {
        bulk::load(tx, src, &sites, &products, now, progress)?
    } else {
        let mut dates = Dates::default();
        let written = upsert_load(tx, &mut src, &sites, &products, now, progress, &mut dates)?;
        (src, written, dates)
    };
    progress.stage(Stage::Plausibility);
    if let (Some(first), Some(last)) = (&dates.first, &dates.last) {
        let held = guard::hold_implausible_import(tx, first, last, now)?;
        if held > 0 {
            written.warnings.push(format!(
                "{held} {} held out of every total: each would take its site-day above what its shifts \
                 could give or far above the site's recent days. Confirm the value in Tallies (or \
                 dosedesk-cli tally … --confirm) if it is real.",
                if held == 1 { "tally" } else { "tallies" }
            ));
        }
    }
    Ok((src, written))
}

/// Into a table that already holds tallies: each row inserted, corrected
/// (keeping history) or matched unchanged.
fn upsert_load(
    tx: &Transaction<'_>,
    src: &mut CsvSource,
    sites: &HashMap<String, i64>,
    products: &std::collections::HashSet<String>,
    now: &str,
    progress: &dyn Progress,
    dates: &mut Dates,
) -> Result<Written> {
    // Repeats within the file are caught by a 64-bit hash of each key (an
    // exact key set would not fit in memory at 30 million rows); a hash hit
    // is confirmed against the row this import wrote or matched.
    let mut seen: HashMap<u64, u32> = HashMap::new();
    let hasher = std::collections::hash_map::RandomState::new();
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS dose_count_matched (id INTEGER PRIMARY KEY);
         DELETE FROM temp.dose_count_matched;",
    )?;
    let mut matched =
        tx.prepare("INSERT OR IGNORE INTO temp.dose_count_matched (id) VALUES (?1)")?;
    let mut was_matched = tx.prepare("SELECT 1 FROM temp.dose_count_matched WHERE id = ?1")?;
    let mut written = Written::default();
    while let Some(row) = src.next_row(progress)? {
        let date = row.req_date(DATE)?.to_string();
        dates.see(&date);
        let site_id = known_site(&row, SITE, sites, row.req(SITE)?)?;
        let shift = row.opt(SHIFT)?.unwrap_or("").to_owned();
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = match row.opt(PRODUCT)? {
            Some(code) => known_product(&row, PRODUCT, products, code)?,
            None => String::new(),
        };
        let doses = row.req_int(DOSES, 0, 10_000_000)?;
        let key = Key {
            site_id,
            date: &date,
            shift: &shift,
            dose_number,
            product: &product,
        };
        let existing = dose_count::find(tx, &key)?;
        let hash = hasher.hash_one((&date, site_id, &shift, dose_number, &product));
        let line = row.line.min(u64::from(u32::MAX)) as u32;
        if let Some(&first) = seen.get(&hash) {
            if let Some(old) = &existing {
                let ours = old.updated_at == now || was_matched.exists([old.id])?;
                if ours {
                    return Err(row.error(
                        DOSES,
                        format!(
                            "duplicate tally (same date, site, shift, dose number and product): \
                             already on line {first}"
                        ),
                    ));
                }
            }
        } else {
            seen.insert(hash, line);
        }
        match existing {
            None => {
                dose_count::insert(tx, &key, doses, Source::Import, now)?;
                written.inserted += 1;
            }
            Some(old) if old.doses != doses => {
                dose_count::correct(tx, &old, doses, Source::Import, now)?;
                written.updated += 1;
            }
            Some(old) => {
                matched.execute([old.id])?;
            }
        }
    }
    Ok(written)
}
