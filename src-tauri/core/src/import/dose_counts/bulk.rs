//! Tallies into an empty table, at province scale (tens of millions of
//! rows). A parser thread checks each row and sums the doses per site-day
//! while this thread writes the rows; the daily totals are then set once
//! from those sums instead of by a trigger per row or a pass over the
//! table. The table's indexes stay current as rows go in: tallies come in
//! date order and the key leads with the date, so each row lands at the
//! end of the key's index (schema 16; by site first, it landed in one of
//! thousands of places), whereas a rebuild would sort tens of millions of
//! keys again. The connection's usual page cache is enough: schema 15's
//! key needed 256 MiB at 30 million tallies, and still read pages back.

use super::{Dates, DATE, DOSES, DOSE_NUMBER, PRODUCT, SHIFT, SITE};
use crate::error::{Error, Result};
use crate::import::bulk_load::{
    hand_over, parse_beside_writing, Lines, SiteDaySums, Span, Text, BATCH_ROWS,
};
use crate::import::csv_source::CsvSource;
use crate::import::rows::{known_product, known_site};
use crate::import::{Progress, Stage, Written};
use crate::store::dose_count::{self, Key};
use crate::store::{bulk, sync_log};
use crate::time::MINUTES_PER_DAY;
use rusqlite::Transaction;
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, SyncSender};

pub(super) fn load(
    tx: &Transaction<'_>,
    src: CsvSource,
    sites: &HashMap<String, i64>,
    products: &HashSet<String>,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written, Dates)> {
    let deferred = bulk::drop_triggers(tx, "dose_count")?;
    // One range records every row for sync, instead of a trigger per row.
    sync_log::quiet(tx)?;
    let file = src.file_name().to_owned();
    let (inserted, parsed) = parse_beside_writing(
        "dose counts",
        |batches| parse_all(src, sites, products, progress, batches),
        |batches| write_batches(tx, batches, &file, now),
    )?;
    let Parsed { src, dates, days } = parsed;
    for sql in deferred {
        tx.execute_batch(&sql)?;
    }
    sync_log::record_all(tx, "dose_count")?;
    sync_log::loud(tx)?;
    progress.stage(Stage::DailyTotals);
    crate::day_totals::set_administered(tx, days.into_sorted())?;
    Ok((
        src,
        Written {
            inserted,
            ..Written::default()
        },
        dates,
    ))
}

/// Checked rows, their text back to back in one string.
struct Batch {
    text: Text,
    rows: Vec<Tally>,
}

struct Tally {
    line: u64,
    site_id: i64,
    date: Span,
    shift: Span,
    dose_number: i64,
    product: Span,
    doses: i64,
}

impl Batch {
    fn new() -> Self {
        Batch {
            text: Text::with_capacity(BATCH_ROWS * 24),
            rows: Vec::with_capacity(BATCH_ROWS),
        }
    }

    fn key(&self, t: &Tally) -> Key<'_> {
        Key {
            site_id: t.site_id,
            date: self.text.get(t.date),
            shift: self.text.get(t.shift),
            dose_number: t.dose_number,
            product: self.text.get(t.product),
        }
    }
}

/// What the parser gathered besides the rows.
struct Parsed {
    src: CsvSource,
    dates: Dates,
    /// Doses per site-day.
    days: SiteDaySums<1>,
}

fn parse_all(
    mut src: CsvSource,
    sites: &HashMap<String, i64>,
    products: &HashSet<String>,
    progress: &dyn Progress,
    batches: SyncSender<Batch>,
) -> Result<Parsed> {
    let mut dates = Dates::default();
    let mut days = SiteDaySums::new();
    let mut batch = Batch::new();
    while let Some(row) = src.next_row(progress)? {
        let date = row.req_date(DATE)?;
        let date_text = date.to_string();
        dates.see(&date_text);
        let site_id = known_site(&row, SITE, sites, row.req(SITE)?)?;
        let shift = row.opt(SHIFT)?.unwrap_or("");
        let dose_number = row.req_int(DOSE_NUMBER, 1, 3)?;
        let product = match row.opt(PRODUCT)? {
            Some(code) => known_product(&row, PRODUCT, products, code)?,
            None => String::new(),
        };
        let doses = row.req_int(DOSES, 0, 10_000_000)?;
        let day = crate::time::day_start_minute(date) / MINUTES_PER_DAY;
        days.add(site_id, day, [doses]);
        let tally = Tally {
            line: row.line,
            site_id,
            date: batch.text.span(&date_text),
            shift: batch.text.span(shift),
            dose_number,
            product: batch.text.span(&product),
            doses,
        };
        batch.rows.push(tally);
        if batch.rows.len() == BATCH_ROWS {
            hand_over(&batches, std::mem::replace(&mut batch, Batch::new()))?;
        }
    }
    if !batch.rows.is_empty() {
        hand_over(&batches, batch)?;
    }
    Ok(Parsed { src, dates, days })
}

/// Writes every batch until the parser is done; returns the rows written.
/// One row to a statement: a statement of many rows would have SQLite
/// journal every page it touches to undo it alone should one row break the
/// site's foreign key, which cost more than the statements saved.
fn write_batches(
    tx: &Transaction<'_>,
    batches: Receiver<Batch>,
    file: &str,
    now: &str,
) -> Result<u64> {
    let mut insert = tx.prepare(dose_count::IMPORT_INSERT_SQL)?;
    // Tally ids follow the file's order from 1 (the table was empty).
    let mut lines = Lines::default();
    let mut written = 0u64;
    for batch in batches {
        for t in &batch.rows {
            let key = batch.key(t);
            insert.raw_bind_parameter(1, &crate::store::new_uuid()[..])?;
            insert.raw_bind_parameter(2, key.site_id)?;
            insert.raw_bind_parameter(3, key.date)?;
            insert.raw_bind_parameter(4, key.shift)?;
            insert.raw_bind_parameter(5, key.dose_number)?;
            insert.raw_bind_parameter(6, key.product)?;
            insert.raw_bind_parameter(7, t.doses)?;
            insert.raw_bind_parameter(8, now)?;
            match insert.raw_execute() {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    let first = dose_count::find(tx, &key)?;
                    let first_line = first.and_then(|old| lines.line_of(old.id as u64));
                    return Err(Error::Import {
                        file: file.to_owned(),
                        line: t.line,
                        column: Some("doses".into()),
                        message: format!(
                            "duplicate tally (same date, site, shift, dose number and product): \
                             already on line {}",
                            first_line.unwrap_or(0)
                        ),
                    });
                }
                Err(e) => return Err(e.into()),
            }
            written += 1;
            lines.note(written, t.line);
        }
    }
    Ok(written)
}
