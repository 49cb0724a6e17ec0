//! Rows that travel, as the store reads and writes them for sync: each
//! table's file holds its SQL. Values cross as JSON built and taken apart
//! by SQLite itself (`json_object`, `->>`), so a column is named once per
//! direction and no row is copied field by field in Rust. References
//! travel by natural key (a site's code, a booking's id), never by a
//! local row id.

mod appointment;
mod contact_attempt;
mod dose_count;
mod plan;
mod product;
mod provincial;
mod shift;
mod site;
mod supply;

use crate::error::Result;
use crate::sync::wire::Table;
use rusqlite::Connection;

/// One row read for a push.
#[derive(Debug)]
pub(crate) struct ReadRow {
    pub local_id: i64,
    pub wire_id: String,
    pub site: Option<String>,
    /// The wire id of the row this one follows (a call's appointment).
    pub parent: Option<String>,
    /// JSON text of the row's value.
    pub data: String,
}

/// What applying a pulled row did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    Written,
    /// A row it refers to (a site, an appointment) is not here yet: try
    /// again after the rest of the pull.
    MissingReference,
}

/// Up to `limit` changed rows of `table` with local ids in `lo..=hi`, in id order.
pub(crate) fn read(
    conn: &Connection,
    table: Table,
    lo: i64,
    hi: i64,
    limit: usize,
) -> Result<Vec<ReadRow>> {
    let (sql, wire_id): (&str, fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>) = match table {
        Table::Site => (site::READ, site::wire_id),
        Table::Product => (product::READ, product::wire_id),
        Table::Provincial => (provincial::READ, provincial::wire_id),
        Table::Shift => (shift::READ, shift::wire_id),
        Table::Supply => (supply::READ, supply::wire_id),
        Table::Plan => (plan::READ, plan::wire_id),
        Table::Appointment => (appointment::READ, appointment::wire_id),
        Table::DoseCount => (dose_count::READ, dose_count::wire_id),
        Table::ContactAttempt => (contact_attempt::READ, contact_attempt::wire_id),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params![lo, hi, limit as i64], |r| {
        Ok(ReadRow {
            local_id: r.get("id")?,
            wire_id: wire_id(r)?,
            site: r.get("site")?,
            parent: match table {
                Table::ContactAttempt => Some(contact_attempt::parent_id(r)?),
                _ => None,
            },
            data: r.get("data")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The wire id and site of a deleted row, from the key its tombstone kept.
pub(crate) fn tombstone_id(
    table: Table,
    key: &serde_json::Value,
) -> Option<(String, Option<String>)> {
    let text = |k: &str| key.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match table {
        Table::Shift => {
            let (site, date, start) = (text("site")?, text("date")?, text("start")?);
            Some((
                crate::sync::wire::keyed_id(table, &[&site, &date, &start]),
                Some(site),
            ))
        }
        _ => None,
    }
}

/// Writes a pulled row's value (or removes the row when `gone`: deleted
/// on the server, or moved out of what this laptop may see). The caller
/// holds the pull's transaction with capture silenced.
pub(crate) fn apply(
    conn: &Connection,
    table: Table,
    wire_id: &str,
    data: &str,
    gone: bool,
    now: &str,
) -> Result<Applied> {
    let written = match (table, gone) {
        (Table::Site, false) => site::upsert(conn, data)?,
        (Table::Product, false) => product::upsert(conn, data)?,
        (Table::Provincial, false) => provincial::upsert(conn, data)?,
        (Table::Shift, false) => shift::upsert(conn, data)?,
        (Table::Shift, true) => {
            shift::delete(conn, data)?;
            true
        }
        (Table::Supply, false) => supply::upsert(conn, data)?,
        (Table::Plan, false) => plan::upsert(conn, wire_id, data)?,
        (Table::Appointment, false) => appointment::upsert(conn, wire_id, data, now)?,
        (Table::Appointment, true) => {
            appointment::remove(conn, wire_id, data)?;
            true
        }
        (Table::DoseCount, false) => dose_count::upsert(conn, data, now)?,
        (Table::ContactAttempt, false) => contact_attempt::upsert(conn, wire_id, data)?,
        (Table::ContactAttempt, true) => {
            contact_attempt::remove(conn, wire_id)?;
            true
        }
        // Sites, products, supply, plans, releases and tallies are never
        // deleted; one no longer seen stays as it was.
        (
            Table::Site
            | Table::Product
            | Table::Supply
            | Table::Plan
            | Table::Provincial
            | Table::DoseCount,
            true,
        ) => true,
    };
    Ok(if written {
        Applied::Written
    } else {
        Applied::MissingReference
    })
}

/// A pull into a store that holds no bookings yet (a laptop's first
/// pull): its bookings and their people load without the appointment and
/// person tables' triggers and secondary indexes, which cost about a third
/// of the pull row by row, and [`FirstPull::finish`] rebuilds what they
/// keep, as a bulk import does. The keys a pulled row is found by stay: a
/// booking's id, an app booking's uuid, a person's id (the table's key).
pub(crate) struct FirstPull {
    deferred: Vec<String>,
}

impl FirstPull {
    /// `None` when the store holds bookings or people (each is kept row by row).
    pub(crate) fn begin(tx: &Connection) -> Result<Option<FirstPull>> {
        if !(crate::store::appointment::is_empty(tx)? && crate::store::person::is_empty(tx)?) {
            return Ok(None);
        }
        // Nothing is kept to keep: the next refresh judges everything.
        crate::checks::invalidate(tx)?;
        let mut deferred = crate::store::bulk::drop_indexes_and_triggers_except(
            tx,
            "appointment",
            &["appointment_by_booking_id", "appointment_local_by_uuid"],
        )?;
        // People's triggers mark them for checks (all are judged anyway) and
        // for sync (quiet during a pull); their indexes are the name search's.
        deferred.extend(crate::store::bulk::drop_indexes_and_triggers(tx, "person")?);
        Ok(Some(FirstPull { deferred }))
    }

    /// Recreates the indexes and triggers and recounts the daily totals,
    /// in the pull's transaction.
    pub(crate) fn finish(self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        crate::store::bulk::recreate(tx, &self.deferred)?;
        crate::day_totals::rebuild_bookings(tx)
    }
}

/// Keys a row's wire id from text columns of the read query.
fn keyed(r: &rusqlite::Row<'_>, table: Table, columns: &[&str]) -> rusqlite::Result<String> {
    let mut parts = Vec::with_capacity(columns.len());
    for c in columns {
        let v: rusqlite::types::Value = r.get(*c)?;
        parts.push(match v {
            rusqlite::types::Value::Text(s) => s,
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Null => String::new(),
            other => format!("{other:?}"),
        });
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Ok(crate::sync::wire::keyed_id(table, &parts))
}

/// The wire id of a row known by its own uuid column.
fn by_uuid(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    let uuid: Vec<u8> = r.get("uuid")?;
    Ok(crate::sync::wire::uuid_id(&uuid))
}
