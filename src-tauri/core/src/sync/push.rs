//! Push: the changes recorded since the last push, in batches, each
//! naming the server version it was made on top of.

use super::wire::{PushBatch, PushReply, Table, WireRow};
use super::{record_conflict, Transport, BATCH_ROWS};
use crate::booking::CentralCheck;
use crate::error::{Error, Result};
use crate::store::{sync_log, synced};
use rusqlite::Connection;
use serde_json::value::RawValue;

/// Pushes every change recorded up to now; returns the rows sent. The
/// record is forgotten only once every batch was answered, so a push cut
/// short is sent again whole (the server applies a repeated value once).
pub(super) fn push_pending(conn: &mut Connection, transport: &mut dyn Transport) -> Result<u64> {
    let watermark = sync_log::watermark(conn)?;
    let mut outbox = Outbox::new(conn, watermark)?;
    let mut sent = 0;
    while let Some(batch) = outbox.next_batch(conn)? {
        let reply = transport.push(&batch)?;
        sent += batch.rows.len() as u64;
        take_reply(conn, &batch, &reply)?;
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    sync_log::forget_changes(&tx, watermark)?;
    tx.commit()?;
    Ok(sent)
}

/// Records what the server did with a batch: the versions it now holds,
/// and for each conflict its server value (kept here, as on every laptop)
/// with this laptop's value kept in the conflict.
pub(crate) fn take_reply(
    conn: &mut Connection,
    batch: &PushBatch,
    reply: &PushReply,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    take_reply_in(&tx, batch, reply)?;
    tx.commit()?;
    Ok(())
}

/// [`take_reply`] inside a transaction the caller holds.
fn take_reply_in(tx: &Connection, batch: &PushBatch, reply: &PushReply) -> Result<()> {
    let now = crate::store::now_timestamp();
    sync_log::quiet(tx)?;
    let mut versions = Vec::with_capacity(reply.accepted.len());
    for &(index, version) in &reply.accepted {
        let row = batch.rows.get(index as usize).ok_or_else(|| {
            Error::Internal(format!(
                "server acknowledged row {index} of a batch of {}",
                batch.rows.len()
            ))
        })?;
        versions.push((row.table.name(), row.id.as_str(), version));
    }
    sync_log::set_versions(tx, &versions)?;
    for c in &reply.conflicts {
        record_conflict(tx, c, &now)?;
        let (data, gone) = match &c.server {
            Some(v) => (v.to_string(), false),
            None => ("{}".to_string(), true),
        };
        synced::apply(tx, c.table, &c.row_id, &data, gone, &now)?;
        sync_log::set_version(tx, c.table.name(), &c.row_id, c.server_version)?;
    }
    sync_log::loud(tx)?;
    Ok(())
}

/// One table's recorded changes still to read.
struct TableChanges {
    table: Table,
    /// Merged, ascending local id ranges.
    ranges: Vec<(i64, i64)>,
    /// Deleted rows' keys (JSON).
    tombstones: Vec<String>,
}

/// Reads the recorded changes table by table, in batches.
pub(crate) struct Outbox {
    /// In reverse table order: the next table is popped from the back.
    pending: Vec<TableChanges>,
}

impl Outbox {
    pub(crate) fn new(conn: &Connection, watermark: (i64, i64)) -> Result<Outbox> {
        let mut pending = Vec::new();
        for table in Table::ALL {
            let ranges = sync_log::changed_ranges(conn, table.name(), watermark.0)?;
            let tombs = sync_log::tombstones(conn, table.name(), watermark.1)?;
            if !ranges.is_empty() || !tombs.is_empty() {
                pending.push(TableChanges {
                    table,
                    ranges,
                    tombstones: tombs,
                });
            }
        }
        pending.reverse(); // popped from the back, in table order
        Ok(Outbox { pending })
    }

    pub(crate) fn next_batch(&mut self, conn: &Connection) -> Result<Option<PushBatch>> {
        let mut rows = Vec::new();
        while rows.len() < BATCH_ROWS {
            let Some(TableChanges {
                table,
                ranges,
                tombstones: tombs,
            }) = self.pending.last_mut()
            else {
                break;
            };
            let table = *table;
            if let Some((lo, hi)) = ranges.first().copied() {
                let read = synced::read(conn, table, lo, hi, BATCH_ROWS - rows.len())?;
                match read.last() {
                    Some(last) if last.local_id < hi => ranges[0].0 = last.local_id + 1,
                    _ => {
                        ranges.remove(0);
                    }
                }
                rows.extend(wire_rows(conn, table, read)?);
            } else if let Some(key) = tombs.pop() {
                let parsed: serde_json::Value = serde_json::from_str(&key)
                    .map_err(|e| Error::Internal(format!("sync tombstone: {e}")))?;
                if let Some((id, site)) = synced::tombstone_id(table, &parsed) {
                    rows.push(WireRow {
                        table,
                        base: sync_log::version_of(conn, table.name(), &id)?,
                        id,
                        site,
                        parent: None,
                        deleted: true,
                        data: raw(key)?,
                    });
                }
            } else {
                self.pending.pop();
            }
        }
        Ok((!rows.is_empty()).then(|| PushBatch {
            batch_id: uuid::Uuid::new_v4().simple().to_string(),
            rows,
        }))
    }
}

/// Rows as pushed: their values, each on top of the version this laptop
/// holds (looked up for all of them at once).
fn wire_rows(conn: &Connection, table: Table, read: Vec<synced::ReadRow>) -> Result<Vec<WireRow>> {
    let ids: Vec<&str> = read.iter().map(|r| r.wire_id.as_str()).collect();
    let versions = sync_log::versions_of(conn, table.name(), &ids)?;
    read.into_iter()
        .map(|r| {
            Ok(WireRow {
                table,
                base: versions.get(&r.wire_id).copied(),
                id: r.wire_id,
                site: r.site,
                parent: r.parent,
                deleted: false,
                data: raw(r.data)?,
            })
        })
        .collect()
}

/// Sends a booking's appointments (local ids: new, or just moved) through the server's
/// capacity guard, inside the booking's own transaction: the booking is
/// kept here only if the server took it, or could not be asked.
pub(crate) fn guard_booking(
    conn: &Connection,
    transport: &mut dyn Transport,
    ids: &[i64],
) -> Result<CentralCheck> {
    let (Some(&lo), Some(&hi)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(CentralCheck::Passed);
    };
    let mut read = synced::read(conn, Table::Appointment, lo, hi, usize::MAX >> 1)?;
    read.retain(|r| ids.contains(&r.local_id));
    let rows = wire_rows(conn, Table::Appointment, read)?;
    let batch = PushBatch {
        batch_id: uuid::Uuid::new_v4().simple().to_string(),
        rows,
    };
    match transport.book(&batch) {
        Ok(reply) => {
            // A move made on top of a stale version is a conflict, as in
            // any push: kept, with the server's value shown here.
            take_reply_in(conn, &batch, &reply)?;
            Ok(CentralCheck::Passed)
        }
        // Offline first: a booking is never lost to the network. It
        // travels at the next sync, where an overbooking shows everywhere.
        Err(Error::Offline(why) | Error::Sync(why)) => Ok(CentralCheck::Unreachable(why)),
        Err(refused) => Err(refused),
    }
}

fn raw(json: String) -> Result<Box<RawValue>> {
    RawValue::from_string(json).map_err(|e| Error::Internal(format!("row value: {e}")))
}

/// Forwards the batches carried in from bundles; returns how many went
/// through, and why any were refused (an altered batch, a revoked laptop):
/// a refused batch is set aside, never retried forever.
pub(super) fn forward_outbox(
    conn: &mut Connection,
    transport: &mut dyn Transport,
) -> Result<(u64, Vec<String>)> {
    let waiting = super::bundle::outbox(conn)?;
    let mut forwarded = 0;
    let mut refused = Vec::new();
    for item in waiting {
        let reply = match transport.forward(&item.device, &item.body, &item.signature) {
            Ok(reply) => reply,
            Err(Error::InvalidInput(why)) => {
                refused.push(format!("a bundled batch from {}: {why}", item.device));
                super::bundle::forwarded(conn, &item.batch_id)?;
                continue;
            }
            Err(other) => return Err(other),
        };
        let batch: PushBatch = serde_json::from_str(&item.body)
            .map_err(|e| Error::Internal(format!("bundled batch {}: {e}", item.batch_id)))?;
        // The versions are the other laptop's business; the conflicts are
        // everyone's, and this laptop may hold the rows.
        let reply = PushReply {
            accepted: Vec::new(),
            conflicts: reply.conflicts,
        };
        take_reply(conn, &batch, &reply)?;
        super::bundle::forwarded(conn, &item.batch_id)?;
        forwarded += 1;
    }
    Ok((forwarded, refused))
}
