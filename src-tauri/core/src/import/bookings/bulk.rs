//! Bookings into an empty store, at province scale. A parser thread checks
//! each row and hands rows over in batches while this thread writes them,
//! so parsing runs beside the writing instead of before it. The indexes
//! are built once at the end (one sort of all keys is far cheaper than a
//! random B-tree insert per row); the daily totals and people's details,
//! gathered by the parser, are written in one pass each instead of by
//! triggers row by row.

use super::digest::Digester;
use super::people::People;
use super::{parse, Booking, Known, BOOKING_ID, STATUSES};
use crate::error::{Error, Result};
use crate::import::bulk_load::{hand_over, parse_beside_writing, Lines, Span, Text, BATCH_ROWS};
use crate::import::csv_source::CsvSource;
use crate::import::{Progress, Stage, Written};
use crate::store::booking_digest::{self, Kept};
use crate::store::{appointment, bulk};
use crate::time::MINUTES_PER_DAY;
use rusqlite::{OptionalExtension, Statement, Transaction};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender};

pub(super) fn load(
    tx: &Transaction<'_>,
    src: CsvSource,
    known: &Known,
    now: &str,
    progress: &dyn Progress,
) -> Result<(CsvSource, Written)> {
    // Nothing is judged row by row while loading: the next refresh judges all.
    crate::checks::invalidate(tx)?;
    let deferred = bulk::drop_indexes_and_triggers(tx, "appointment")?;
    booking_digest::clear(tx)?;
    // One range records every booking (and, with it, its person's details)
    // for sync, instead of a trigger per row.
    crate::store::sync_log::quiet(tx)?;
    let (inserted, parsed) = parse_beside_writing(
        "bookings",
        |batches| parse_all(src, known, progress, batches),
        |batches| write_batches(tx, batches, known, now),
    )?;
    let Parsed {
        src,
        lines,
        people,
        days,
    } = parsed;

    progress.stage(Stage::People);
    people.write(tx, now)?;
    progress.stage(Stage::DailyTotals);
    crate::day_totals::set_bookings(tx, days.into_iter().collect())?;
    progress.stage(Stage::Indexes);
    bulk::cancellable(tx, progress, || {
        bulk::with_sorts_on_disk(tx, || build_indexes(tx, &deferred, src.file_name(), &lines))
    })?;
    crate::store::sync_log::record_all(tx, "appointment")?;
    crate::store::sync_log::loud(tx)?;
    Ok((
        src,
        Written {
            inserted,
            ..Written::default()
        },
    ))
}

/// Checked rows, their text back to back in one string.
struct Batch {
    text: Text,
    rows: Vec<BatchRow>,
}

struct BatchRow {
    /// The row's digest, kept for the next import's refresh.
    kept: Kept,
    booking_id: Span,
    person_id: Span,
    booked_at: Option<Span>,
    site_id: i64,
    slot_minute: i64,
    dose_number: u8,
    product: u8,
    status: u8,
}

impl Batch {
    fn new() -> Self {
        Batch {
            text: Text::with_capacity(BATCH_ROWS * 40),
            rows: Vec::with_capacity(BATCH_ROWS),
        }
    }

    fn push(&mut self, b: &Booking<'_>, kept: Kept) {
        let row = BatchRow {
            kept,
            booking_id: self.text.span(b.booking_id),
            person_id: self.text.span(b.person_id),
            booked_at: b.booked_at.map(|s| self.text.span(s)),
            site_id: b.site_id,
            slot_minute: b.slot_minute,
            dose_number: b.dose_number,
            product: b.product,
            status: b.status,
        };
        self.rows.push(row);
    }

    fn text(&self, span: Span) -> &str {
        self.text.get(span)
    }
}

/// What the parser gathered besides the rows.
struct Parsed {
    src: CsvSource,
    /// The file line of each row, by appointment id.
    lines: Lines,
    people: People,
    /// (site id, day number) → (active bookings, attended).
    days: HashMap<(i64, i64), (i64, i64)>,
}

fn parse_all(
    mut src: CsvSource,
    known: &Known,
    progress: &dyn Progress,
    batches: SyncSender<Batch>,
) -> Result<Parsed> {
    // A generous guess at the row count (generated rows are ~97 bytes):
    // reserved, not touched, so unused room costs no memory.
    let rows_guess = (src.total_bytes() / 64) as usize;
    let mut lines = Lines::default();
    let mut people = People::with_capacity(rows_guess);
    let mut days: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    let mut batch = Batch::new();
    let digester = Digester::new(known);
    let mut rows = 0u64;
    while let Some(row) = src.next_row(progress)? {
        let b = parse(&row, known)?;
        let kept = digester.kept(&row, row.req(BOOKING_ID)?);
        // Appointment ids follow the file's order from 1 (the table was empty).
        lines.note(rows + 1, row.line);
        rows += 1;
        people.add(b.person_id, &b.details);
        if b.is_active() {
            // Integer division as in SQL's `slot_minute / 1440`.
            let day = days
                .entry((b.site_id, b.slot_minute / MINUTES_PER_DAY))
                .or_default();
            day.0 += 1;
            day.1 += i64::from(STATUSES[usize::from(b.status)] == "attended");
        }
        batch.push(&b, kept);
        if batch.rows.len() == BATCH_ROWS {
            hand_over(&batches, std::mem::replace(&mut batch, Batch::new()))?;
        }
    }
    if !batch.rows.is_empty() {
        hand_over(&batches, batch)?;
    }
    Ok(Parsed {
        src,
        lines,
        people,
        days,
    })
}

/// Writes every batch until the parser is done; returns the rows written.
fn write_batches(
    tx: &Transaction<'_>,
    batches: Receiver<Batch>,
    known: &Known,
    now: &str,
) -> Result<u64> {
    let mut written = 0u64;
    for batch in batches {
        bulk::insert_in_chunks(
            tx,
            appointment::import_insert_sql,
            &batch.rows,
            |stmt, at, row| bind(stmt, at, &batch, row, known, now),
        )?;
        // Appointment ids follow the file's order from 1 (the table was
        // empty), as `Parsed::lines` relies on too.
        bulk::insert_in_chunks(
            tx,
            booking_digest::insert_sql,
            batch.rows.iter().zip(written as i64 + 1..),
            |stmt, at, (row, id)| {
                stmt.raw_bind_parameter(at, *id)?;
                stmt.raw_bind_parameter(at + 1, row.kept.key_hash as i64)?;
                stmt.raw_bind_parameter(at + 2, row.kept.digest as i64)?;
                stmt.raw_bind_parameter(at + 3, row.kept.details as i64)?;
                Ok(())
            },
        )?;
        written += batch.rows.len() as u64;
    }
    Ok(written)
}

/// Binds one row's ten parameters from index `at` on.
fn bind(
    stmt: &mut Statement<'_>,
    at: usize,
    batch: &Batch,
    row: &BatchRow,
    known: &Known,
    now: &str,
) -> Result<()> {
    stmt.raw_bind_parameter(at, &crate::store::new_uuid()[..])?;
    stmt.raw_bind_parameter(at + 1, batch.text(row.booking_id))?;
    stmt.raw_bind_parameter(at + 2, batch.text(row.person_id))?;
    stmt.raw_bind_parameter(at + 3, row.site_id)?;
    stmt.raw_bind_parameter(at + 4, row.slot_minute)?;
    stmt.raw_bind_parameter(at + 5, row.dose_number)?;
    stmt.raw_bind_parameter(at + 6, known.products[usize::from(row.product)].as_str())?;
    stmt.raw_bind_parameter(at + 7, STATUSES[usize::from(row.status)])?;
    stmt.raw_bind_parameter(at + 8, row.booked_at.map(|s| batch.text(s)))?;
    stmt.raw_bind_parameter(at + 9, now)?;
    Ok(())
}

/// Recreates the indexes and triggers; a repeated booking id fails the
/// unique index, and is then reported with both of its lines.
fn build_indexes(
    tx: &Transaction<'_>,
    deferred: &[String],
    file: &str,
    lines: &Lines,
) -> Result<()> {
    for sql in deferred {
        if let Err(err) = tx.execute_batch(sql) {
            if err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                if let Some(repeat) = first_repeated_booking(tx, file, lines)? {
                    return Err(repeat);
                }
            }
            return Err(err.into());
        }
    }
    Ok(())
}

/// After the unique index failed: the first row that repeats an earlier
/// booking id, as an import error naming both lines.
fn first_repeated_booking(
    tx: &Transaction<'_>,
    file: &str,
    lines: &Lines,
) -> Result<Option<Error>> {
    let repeat: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT booking_id, id, first FROM (
               SELECT booking_id, id, min(id) OVER (PARTITION BY booking_id) AS first FROM appointment)
             WHERE id > first ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get("booking_id")?, r.get("id")?, r.get("first")?)),
        )
        .optional()?;
    let line_of = |id: i64| lines.line_of(id as u64).unwrap_or(0);
    Ok(repeat.map(|(booking_id, id, first)| Error::Import {
        file: file.to_owned(),
        line: line_of(id),
        column: Some("booking_id".into()),
        message: format!(
            "duplicate booking_id {booking_id:?}: already on line {}",
            line_of(first)
        ),
    }))
}
