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
pub fn set_bookings(tx: &Transaction<'_>, days: Vec<((i64, i64), (i64, i64))>) -> Result<()> {
    let mut days: Vec<_> = days.into_iter().map(|(k, (b, a))| (k, [b, a])).collect();
    days.sort_unstable();
    set_site_days(tx, ["booked", "attended"], days)
}

/// Sets the doses administered per site-day (and so per day) from sums a
/// bulk load of tallies took as it parsed, in key order: `((site_id, day
/// number), [doses])`. The same result as `rebuild_administered` when no
/// tally is withdrawn or held, without a pass over tens of millions of
/// tallies.
pub fn set_administered(
    tx: &Transaction<'_>,
    sorted_days: impl IntoIterator<Item = ((i64, i64), [i64; 1])>,
) -> Result<()> {
    set_site_days(tx, ["administered"], sorted_days)
}

/// Sets `columns` of every site-day to `sorted_days`' values (in key order;
/// day numbers count from 1970-01-01) and to 0 elsewhere, and region_day's
/// to their sums.
fn set_site_days<const N: usize>(
    tx: &Transaction<'_>,
    columns: [&str; N],
    sorted_days: impl IntoIterator<Item = ((i64, i64), [i64; N])>,
) -> Result<()> {
    let list = |f: &dyn Fn(&str) -> String| columns.map(f).join(", ");
    let zero = list(&|c| format!("{c} = 0"));
    let nonzero = columns.map(|c| format!("{c} <> 0")).join(" OR ");
    let names = list(&|c| c.to_owned());
    let params = list(&|_| "?".to_owned());
    let set = list(&|c| format!("{c} = excluded.{c}"));
    // Millions of site-days: one update of region_day each would cost
    // seconds, so the region's days are summed here (summing them back from
    // site_day would read it in date order: a random page a row). The date
    // index stays: rows in key order land at the end of their date's part
    // of it, one page a date, whereas a rebuild would sort every key again.
    let deferred = crate::store::bulk::drop_triggers(tx, "site_day")?;
    tx.execute(&format!("UPDATE site_day SET {zero} WHERE {nonzero}"), [])?;
    let mut upsert = tx.prepare(&format!(
        "INSERT INTO site_day (site_id, date, {names})
         VALUES (?, date(? * 86400, 'unixepoch'), {params})
         ON CONFLICT (site_id, date) DO UPDATE SET {set}"
    ))?;
    let mut region: std::collections::BTreeMap<i64, [i64; N]> = Default::default();
    for ((site_id, day), values) in sorted_days {
        upsert.raw_bind_parameter(1, site_id)?;
        upsert.raw_bind_parameter(2, day)?;
        for (at, value) in (3..).zip(values) {
            upsert.raw_bind_parameter(at, value)?;
        }
        upsert.raw_execute()?;
        let sums = region.entry(day).or_insert([0; N]);
        for (sum, v) in sums.iter_mut().zip(values) {
            *sum += v;
        }
    }
    drop(upsert);
    for sql in deferred {
        tx.execute_batch(&sql)?;
    }
    tx.execute(&format!("UPDATE region_day SET {zero} WHERE {nonzero}"), [])?;
    let mut upsert = tx.prepare(&format!(
        "INSERT INTO region_day (date, {names})
         VALUES (date(? * 86400, 'unixepoch'), {params})
         ON CONFLICT (date) DO UPDATE SET {set}"
    ))?;
    for (day, values) in region {
        upsert.raw_bind_parameter(1, day)?;
        for (at, value) in (2..).zip(values) {
            upsert.raw_bind_parameter(at, value)?;
        }
        upsert.raw_execute()?;
    }
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
