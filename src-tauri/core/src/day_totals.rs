//! Daily totals per site and region (`site_day`, `region_day`), kept by the
//! triggers of migration 0002. Bulk loads that drop those triggers rebuild
//! the totals here, in the same transaction.

use crate::error::Result;
use crate::store::appointment::active;
use rusqlite::Transaction;

/// Recounts booked and attended appointments per site-day from the
/// appointment table: the reference the triggers and `set_bookings` are
/// tested against (the bulk load counts while it parses instead), and how
/// a first pull, loaded without the triggers, counts them.
pub fn rebuild_bookings(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(concat!(
        "UPDATE site_day SET booked = 0, attended = 0 WHERE booked <> 0 OR attended <> 0;
         INSERT INTO site_day (site_id, date, booked, attended)
         SELECT site_id, date(slot_minute / 1440 * 86400, 'unixepoch'), count(*),
                sum(status = 'attended')
         FROM appointment WHERE ",
        active!(),
        "
         GROUP BY site_id, slot_minute / 1440
         ON CONFLICT (site_id, date) DO UPDATE SET
             booked = excluded.booked, attended = excluded.attended;"
    ))?;
    Ok(())
}

/// Sets booked and attended per site-day (and so per day) from counts a bulk
/// load took as it parsed: `((site_id, day number), (active, attended))`.
/// The same result as `rebuild_bookings`, without a pass over the bookings.
pub fn set_bookings(tx: &Transaction<'_>, mut days: Vec<((i64, i64), (i64, i64))>) -> Result<()> {
    // Hundreds of thousands of site-days: one update each of the date index
    // and of region_day would cost seconds, so both are rebuilt once instead.
    let deferred = crate::store::bulk::drop_indexes_and_triggers(tx, "site_day")?;
    tx.execute(
        "UPDATE site_day SET booked = 0, attended = 0 WHERE booked <> 0 OR attended <> 0",
        [],
    )?;
    days.sort_unstable(); // key order: one pass along site_day's B-tree
    let mut upsert = tx.prepare(
        "INSERT INTO site_day (site_id, date, booked, attended)
         VALUES (?1, date(?2 * 86400, 'unixepoch'), ?3, ?4)
         ON CONFLICT (site_id, date) DO UPDATE SET
             booked = excluded.booked, attended = excluded.attended",
    )?;
    for ((site_id, day), (booked, attended)) in days {
        upsert.execute(rusqlite::params![site_id, day, booked, attended])?;
    }
    drop(upsert);
    for sql in deferred {
        tx.execute_batch(&sql)?;
    }
    tx.execute_batch(
        "UPDATE region_day SET booked = 0, attended = 0 WHERE booked <> 0 OR attended <> 0;
         INSERT INTO region_day (date, booked, attended)
         SELECT date, sum(booked), sum(attended) FROM site_day WHERE true GROUP BY date
         ON CONFLICT (date) DO UPDATE SET booked = excluded.booked, attended = excluded.attended;",
    )?;
    Ok(())
}

/// Recounts administered doses per site-day from the tallies.
pub fn rebuild_administered(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "UPDATE site_day SET administered = 0 WHERE administered <> 0;
         INSERT INTO site_day (site_id, date, administered)
         SELECT site_id, date, sum(doses) FROM counted_dose_count
         GROUP BY site_id, date
         ON CONFLICT (site_id, date) DO UPDATE SET administered = excluded.administered;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
