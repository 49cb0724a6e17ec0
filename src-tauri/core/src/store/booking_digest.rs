//! `booking_digest`: each imported booking's row as the file last gave it,
//! as a digest (migration 0013). Only the bookings import writes it; any
//! other change to a booking drops its digest through a trigger.
//!
//! Hashes are 64-bit unsigned in Rust and stored as SQLite's signed
//! integers with the same bits.

use crate::error::Result;
use rusqlite::{params, Connection};

/// One kept digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kept {
    pub key_hash: u64,
    pub digest: u64,
    /// The digest of the row's person id and details alone.
    pub details: u64,
}

/// Every kept digest, in no particular order.
pub(crate) fn all(conn: &Connection) -> Result<Vec<Kept>> {
    let count: i64 = conn.query_row("SELECT count(*) FROM booking_digest", [], |r| r.get(0))?;
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut stmt = conn.prepare("SELECT key_hash, digest, details FROM booking_digest")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        out.push(Kept {
            key_hash: row.get::<_, i64>(0)? as u64,
            digest: row.get::<_, i64>(1)? as u64,
            details: row.get::<_, i64>(2)? as u64,
        });
    }
    Ok(out)
}

/// Forgets every digest (a bulk load into an empty table starts afresh).
pub(crate) fn clear(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM booking_digest", [])?;
    Ok(())
}

/// A bulk load's plain inserts of `rows` digests: appointment id, key hash,
/// digest, details each.
pub(crate) fn insert_sql(rows: usize) -> String {
    super::bulk::multi_row_insert(
        "booking_digest (appointment_id, key_hash, digest, details)",
        4,
        rows,
    )
}

/// Keeps the digest of the row just written for `booking_id` (after its
/// upsert, whose update dropped the old one).
pub(crate) fn put(conn: &Connection, booking_id: &str, kept: Kept) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO booking_digest (appointment_id, key_hash, digest, details)
         SELECT id, ?2, ?3, ?4 FROM appointment WHERE booking_id = ?1",
    )?
    .execute(params![
        booking_id,
        kept.key_hash as i64,
        kept.digest as i64,
        kept.details as i64
    ])?;
    Ok(())
}

/// The kept digest of the booking `booking_id`, if it has one.
pub(crate) fn of_booking(conn: &Connection, booking_id: &str) -> Result<Option<u64>> {
    use rusqlite::OptionalExtension;
    let digest: Option<i64> = conn
        .prepare_cached(
            "SELECT d.digest FROM appointment a JOIN booking_digest d ON d.appointment_id = a.id
             WHERE a.booking_id = ?1",
        )?
        .query_row([booking_id], |r| r.get(0))
        .optional()?;
    Ok(digest.map(|d| d as u64))
}

/// Booking ids of imported bookings the last pass did not meet: those
/// whose digest's key is among `unmet_keys`, and, when `without_digest`,
/// every booking that has no digest at all (read in full: only asked for
/// when the counts show such a booking is missing from the file). Sorted.
pub(crate) fn booking_ids_unmet(
    conn: &Connection,
    unmet_keys: &[u64],
    without_digest: bool,
) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    if !unmet_keys.is_empty() {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS unmet_key (key_hash INTEGER PRIMARY KEY);
             DELETE FROM unmet_key;",
        )?;
        let mut insert = conn.prepare_cached("INSERT OR IGNORE INTO unmet_key VALUES (?1)")?;
        for key in unmet_keys {
            insert.execute([*key as i64])?;
        }
        let mut stmt = conn.prepare(
            "SELECT a.booking_id FROM booking_digest d
             JOIN unmet_key u ON u.key_hash = d.key_hash
             JOIN appointment a ON a.id = d.appointment_id",
        )?;
        let found = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for id in found {
            ids.push(id?);
        }
        conn.execute_batch("DROP TABLE temp.unmet_key")?;
    }
    if without_digest {
        let mut stmt = conn.prepare(
            "SELECT booking_id FROM appointment a
             WHERE booking_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM booking_digest d WHERE d.appointment_id = a.id)",
        )?;
        let found = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for id in found {
            ids.push(id?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Imported bookings in the store (those with a booking_id).
pub(crate) fn imported_bookings(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM appointment WHERE booking_id IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
