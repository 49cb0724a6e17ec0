//! Pull: every row the server holds beyond this laptop's cursor, applied in
//! one transaction (a pull cut short leaves the store as it was).

use super::enrolment;
use super::wire::{PulledRow, Table};
use super::{Transport, BATCH_ROWS};
use crate::error::{Error, Result};
use crate::store::{sync_log, synced};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashSet;

pub(super) struct Pulled {
    pub rows: u64,
    pub cursor: i64,
    /// Rows that waited for a row they refer to.
    pub waited: u64,
}

/// Pulls and applies; `None` when a change was made here since the push
/// (it must be pushed first, never written over).
pub(super) fn pull(conn: &mut Connection, transport: &mut dyn Transport) -> Result<Option<Pulled>> {
    let pushed_upto = sync_log::watermark(conn)?;
    let now = crate::store::now_timestamp();
    // The write lock is held from here: no change can slip in unseen.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if sync_log::watermark(&tx)? != pushed_upto || sync_log::pending_count(&tx)? > 0 {
        return Ok(None);
    }
    sync_log::quiet(&tx)?;
    let first_pull = synced::FirstPull::begin(&tx)?;
    let mut cursor = enrolment::cursor(&tx)?;
    let mut rows = 0u64;
    let mut waiting = Waiting::default();
    if cursor == 0 {
        // Everything is to come, and most of it names a site: the sites
        // first, so no booking, shift or tally waits for its site (one
        // edited after them comes last in the server's order, and every
        // row at it was held in memory until then). They come again in
        // their turn below, at the same version.
        let mut sites_cursor = 0;
        loop {
            let page = transport.pull(sites_cursor, BATCH_ROWS, Some(Table::Site))?;
            sites_cursor = page.cursor;
            apply_page(&tx, page.rows, &mut waiting, &now)?;
            if !page.more {
                break;
            }
        }
    }
    let mut page = transport.pull(cursor, BATCH_ROWS, None)?;
    loop {
        if page.cursor < cursor {
            return Err(Error::Internal(format!(
                "the server's cursor went back from {cursor} to {}",
                page.cursor
            )));
        }
        rows += page.rows.len() as u64;
        cursor = page.cursor;
        let more = page.more;
        // The next page travels while this one is written (the two took
        // turns, each leaving a core idle).
        let (written, following) = std::thread::scope(|s| {
            let fetching = more.then(|| s.spawn(|| transport.pull(cursor, BATCH_ROWS, None)));
            let written = apply_page(&tx, page.rows, &mut waiting, &now);
            (written, fetching.map(|f| f.join()))
        });
        written?;
        match following {
            None => break,
            Some(fetched) => {
                page = fetched
                    .map_err(|_| Error::Internal("the pull's fetching thread failed".into()))??;
            }
        }
    }
    if let Some(row) = waiting.rows.first() {
        return Err(Error::Internal(format!(
            "pulled {} row {} refers to a row the server did not send ({} such rows)",
            row.table.name(),
            row.id,
            waiting.rows.len()
        )));
    }
    if let Some(first_pull) = first_pull {
        first_pull.finish(&tx)?;
    }
    enrolment::set_cursor(&tx, cursor)?;
    sync_log::loud(&tx)?;
    tx.commit()?;
    Ok(Some(Pulled {
        rows,
        cursor,
        waited: waiting.waited,
    }))
}

/// Rows whose site or booking came later in the order (their site was
/// edited after they were booked), in the order they came.
#[derive(Default)]
struct Waiting {
    rows: Vec<PulledRow>,
    keys: HashSet<(Table, String)>,
    /// Tables rows were applied to since the waiting rows were last tried.
    arrived: HashSet<Table>,
    /// Rows that ever waited in this pull.
    waited: u64,
}

/// The tables a row of `table` may wait for. It is tried again only once a
/// row of one of them has been applied: trying every waiting row after
/// every page made a first pull quadratic when a site had been edited after
/// its bookings (all of them wait until the site's row comes, near the end).
fn waits_for(table: Table) -> &'static [Table] {
    match table {
        Table::Appointment | Table::Shift | Table::DoseCount => &[Table::Site],
        Table::ContactAttempt => &[Table::Appointment, Table::Site],
        Table::Site | Table::Product | Table::Provincial | Table::Supply | Table::Plan => &[],
    }
}

impl Waiting {
    /// A row that cannot be applied yet: it waits.
    fn hold(&mut self, row: PulledRow) {
        self.waited += 1;
        self.push(row);
    }

    fn push(&mut self, row: PulledRow) {
        self.keys.insert((row.table, row.id.clone()));
        self.rows.push(row);
    }

    /// Forgets the waiting value of a row a newer value of which has come:
    /// applied later, it would land over the newer one (the row changed on
    /// the server while this pull ran).
    fn supersede(&mut self, row: &PulledRow) {
        if !self.keys.is_empty() && self.keys.remove(&(row.table, row.id.clone())) {
            self.rows
                .retain(|w| (w.table, &w.id) != (row.table, &row.id));
        }
    }
}

/// Applies a page's rows in order; a row whose site or booking is not here
/// yet waits, and is applied once that arrived.
fn apply_page(
    tx: &Connection,
    rows: Vec<PulledRow>,
    waiting: &mut Waiting,
    now: &str,
) -> Result<()> {
    for row in rows {
        waiting.supersede(&row);
        if !apply(tx, &row, now)? {
            waiting.hold(row);
        } else if !waiting.rows.is_empty() {
            waiting.arrived.insert(row.table);
        }
    }
    retry(tx, waiting, now)
}

/// Applies one row; false when a row it refers to is not here yet.
fn apply(conn: &Connection, row: &PulledRow, now: &str) -> Result<bool> {
    let gone = row.deleted || row.hidden;
    let applied = synced::apply(conn, row.table, &row.id, row.data.get(), gone, now)?;
    if applied == synced::Applied::MissingReference {
        return Ok(false);
    }
    if row.hidden {
        sync_log::forget_version(conn, row.table.name(), &row.id)?;
    } else {
        sync_log::set_version(conn, row.table.name(), &row.id, row.version)?;
    }
    Ok(true)
}

/// Tries again the waiting rows that what was applied since their last try
/// may have freed, round after round until a round frees none.
fn retry(conn: &Connection, waiting: &mut Waiting, now: &str) -> Result<()> {
    while !waiting.rows.is_empty() && !waiting.arrived.is_empty() {
        let arrived = std::mem::take(&mut waiting.arrived);
        let mut still = Waiting {
            waited: waiting.waited,
            ..Waiting::default()
        };
        for row in std::mem::take(&mut waiting.rows) {
            let freed = waits_for(row.table).iter().any(|t| arrived.contains(t));
            if freed && apply(conn, &row, now)? {
                still.arrived.insert(row.table);
            } else {
                still.push(row);
            }
        }
        *waiting = still;
    }
    waiting.arrived.clear();
    Ok(())
}
