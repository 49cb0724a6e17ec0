//! dose_counts.csv: tallies of doses administered. A tally that changes keeps
//! its earlier value in `dose_count_history`.

use super::csv_source::{opt, req, Column, CsvSource};
use super::{known_product, known_site, product_codes, site_ids, Progress, Written};
use crate::error::Result;
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;

const COLUMNS: &[Column] = &[
    req("date"),
    req("site_code"),
    opt("shift"),
    req("dose_number"),
    opt("product"),
    req("doses"),
];
const DATE: usize = 0;
const SITE: usize = 1;
const SHIFT: usize = 2;
const DOSE_NUMBER: usize = 3;
const PRODUCT: usize = 4;
const DOSES: usize = 5;

pub(crate) fn import(
    tx: &Transaction<'_>,
    path: &Path,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let mut src = CsvSource::open(path, COLUMNS)?;
    let sites = site_ids(tx)?;
    let products = product_codes(tx)?;
    if super::count_rows(tx, "dose_count")? == 0 {
        return bulk_load(tx, src, &sites, &products, now, progress);
    }
    let mut find = tx.prepare(
        "SELECT id, doses, source, updated_at FROM dose_count
         WHERE site_id = ?1 AND date = ?2 AND shift = ?3 AND dose_number = ?4 AND product = ?5",
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8)",
    )?;
    let mut keep_history = tx.prepare(
        "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut update = tx.prepare(
        "UPDATE dose_count SET doses = ?2, source = 'import', updated_at = ?3 WHERE id = ?1",
    )?;
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
        let site_id = known_site(&row, SITE, &sites, row.req(SITE)?)?;
        let shift = row.opt(SHIFT)?.unwrap_or("").to_owned();
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = match row.opt(PRODUCT)? {
            Some(code) => known_product(&row, PRODUCT, &products, code)?,
            None => String::new(),
        };
        let doses = row.req_int(DOSES, 0, 10_000_000)?;
        let existing: Option<(i64, i64, String, String)> = find
            .query_row(params![site_id, date, shift, dose_number, product], |r| {
                Ok((
                    r.get("id")?,
                    r.get("doses")?,
                    r.get("source")?,
                    r.get("updated_at")?,
                ))
            })
            .optional()?;
        let key = hasher.hash_one((&date, site_id, &shift, dose_number, &product));
        let line = row.line.min(u64::from(u32::MAX)) as u32;
        if let Some(&first) = seen.get(&key) {
            if let Some((id, _, _, updated_at)) = &existing {
                let ours = updated_at == now || was_matched.exists([id])?;
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
            seen.insert(key, line);
        }
        match existing.map(|(id, doses, source, _)| (id, doses, source)) {
            None => {
                insert.execute(params![
                    crate::store::new_uuid(),
                    site_id,
                    date,
                    shift,
                    dose_number,
                    product,
                    doses,
                    now
                ])?;
                written.inserted += 1;
            }
            Some((id, old, old_source)) if old != doses => {
                keep_history.execute(params![id, old, old_source, now])?;
                update.execute(params![id, doses, now])?;
                written.updated += 1;
            }
            Some((id, _, _)) => {
                matched.execute([id])?;
            }
        }
    }
    Ok((src, written))
}

/// Into an empty table: plain inserts with the secondary index and the
/// daily-total triggers set aside (rebuilt once at the end); a repeated key
/// fails on the table's unique constraint, and the line of its first copy
/// comes from the row id, which follows file order.
fn bulk_load(
    tx: &Transaction<'_>,
    mut src: CsvSource,
    sites: &HashMap<String, i64>,
    products: &std::collections::HashSet<String>,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    let deferred = super::drop_indexes_and_triggers(tx, "dose_count")?;
    let mut insert = tx.prepare(
        "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'import', ?8)",
    )?;
    let mut find = tx.prepare(
        "SELECT id FROM dose_count
         WHERE site_id = ?1 AND date = ?2 AND shift = ?3 AND dose_number = ?4 AND product = ?5",
    )?;
    let mut lines: Vec<u32> = Vec::with_capacity((src.total_bytes() / 40) as usize);
    while let Some(row) = src.next_row(progress)? {
        let date = row.req_date(DATE)?.to_string();
        let site_id = known_site(&row, SITE, sites, row.req(SITE)?)?;
        let shift = row.opt(SHIFT)?.unwrap_or("");
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = match row.opt(PRODUCT)? {
            Some(code) => known_product(&row, PRODUCT, products, code)?,
            None => String::new(),
        };
        let doses = row.req_int(DOSES, 0, 10_000_000)?;
        let key = params![site_id, date, shift, dose_number, product];
        let inserted = insert.execute(params![
            crate::store::new_uuid(),
            site_id,
            date,
            shift,
            dose_number,
            product,
            doses,
            now
        ]);
        match inserted {
            Ok(_) => lines.push(row.line.min(u64::from(u32::MAX)) as u32),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                let first: i64 = find.query_row(key, |r| r.get("id"))?;
                let first_line = lines.get(first as usize - 1).copied().unwrap_or(0);
                return Err(row.error(
                    DOSES,
                    format!(
                        "duplicate tally (same date, site, shift, dose number and product): \
                         already on line {first_line}"
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    drop((insert, find));
    for sql in deferred {
        tx.execute_batch(&sql)?;
    }
    crate::day_totals::rebuild_administered(tx)?;
    Ok((
        src,
        Written {
            inserted: lines.len() as u64,
            ..Written::default()
        },
    ))
}
