//! Push: the changes recorded since the last push, in batches, each
//! naming the server version it was made on top of.

use super::wire::{PushBatch, PushReply, Table, WireRow};
use super::{record_conflict, Transport, BATCH_ROWS};
use crate::booking::CentralCheck;
use crate::error::{Error, Result};
use crate::store::{sync_log, synced};
use rusqlite::Connection;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Versions the server gives are written to the store in bulk, at most
/// this many rows apart. Written batch by batch, the version table (keyed
/// by wire ids, which are hashes) had nearly every page rewritten by each
/// batch of a first push: a quarter of a 2M-row push's time.
const VERSIONS_HELD: usize = 250_000;

/// Pushes every change recorded up to now; returns the rows sent. The
/// record is forgotten only once every batch was answered, so a push cut
/// short is sent again whole (the server applies a repeated value once).
pub(super) fn push_pending(conn: &mut Connection, transport: &mut dyn Transport) -> Result<u64> {
    let watermark = sync_log::watermark(conn)?;
    let mut outbox = Outbox::new(conn, watermark)?;
    let mut held = HeldVersions::default();
    let sent = match send_all(conn, transport, &mut outbox, &mut held) {
        Ok(sent) => sent,
        Err(cut_short) => {
            // What the server took is recorded even so: a row changed
            // again here is then sent on top of the version the server
            // holds, not taken for a conflict with itself. (Should this
            // write fail too, the push's own error is the one to tell.)
            let _ = held.write(conn);
            return Err(cut_short);
        }
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    held.write(&tx)?;
    sync_log::forget_changes(&tx, watermark)?;
    tx.commit()?;
    Ok(sent)
}

/// Sends the outbox batch by batch, reading the next batch from the store
/// while the server applies the current one (the two took turns, each
/// leaving a core idle).
fn send_all(
    conn: &mut Connection,
    transport: &mut dyn Transport,
    outbox: &mut Outbox,
    held: &mut HeldVersions,
) -> Result<u64> {
    let mut sent = 0;
    let mut next = outbox.next_batch(conn)?;
    while let Some(batch) = next {
        let (reply, following) = std::thread::scope(|s| {
            let sending = s.spawn(|| transport.push(&batch));
            let following = outbox.next_batch(conn);
            (sending.join(), following)
        });
        let reply =
            reply.map_err(|_| Error::Internal("the push's sending thread failed".into()))??;
        sent += batch.rows.len() as u64;
        // The write lock only when there is something to keep.
        if !reply.conflicts.is_empty() {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            take_conflicts_in(&tx, &reply)?;
            tx.commit()?;
        }
        held.take(&batch, &reply)?;
        next = following?;
        // Read before this reply was taken: its rows' bases are brought up
        // to what the server just gave, as if read after it.
        if let Some(following) = next.as_mut() {
            held.rebase(following);
        }
        if held.len() >= VERSIONS_HELD {
            held.write(conn)?;
        }
    }
    Ok(sent)
}

/// The versions a push's replies gave, not yet written to the store.
#[derive(Default)]
struct HeldVersions {
    by_table: HashMap<Table, HashMap<String, i64>>,
}

impl HeldVersions {
    fn take(&mut self, batch: &PushBatch, reply: &PushReply) -> Result<()> {
        for (table, id, version) in given_versions(batch, reply)? {
            self.by_table
                .entry(table)
                .or_default()
                .entry(id.to_string())
                .and_modify(|held| *held = (*held).max(version))
                .or_insert(version);
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.by_table.values().map(HashMap::len).sum()
    }

    /// Raises each row's base to the version held for it, if newer.
    fn rebase(&self, batch: &mut PushBatch) {
        for row in &mut batch.rows {
            let held = self
                .by_table
                .get(&row.table)
                .and_then(|ids| ids.get(&row.id));
            if let Some(&held) = held {
                row.base = Some(row.base.map_or(held, |base| base.max(held)));
            }
        }
    }

    /// Writes what is held (a version only ever rises: order does not
    /// matter) and forgets it.
    fn write(&mut self, conn: &Connection) -> Result<()> {
        let rows: Vec<(&str, &str, i64)> = self
            .by_table
            .iter()
            .flat_map(|(table, ids)| ids.iter().map(|(id, &v)| (table.name(), id.as_str(), v)))
            .collect();
        sync_log::set_versions(conn, &rows)?;
        self.by_table.clear();
        Ok(())
    }
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
    let versions: Vec<(&str, &str, i64)> = given_versions(batch, reply)?
        .into_iter()
        .map(|(table, id, version)| (table.name(), id, version))
        .collect();
    sync_log::set_versions(tx, &versions)?;
    take_conflicts_in(tx, reply)
}

/// Each row the server took or found in conflict, with the version it
/// holds of it.
fn given_versions<'a>(
    batch: &'a PushBatch,
    reply: &'a PushReply,
) -> Result<Vec<(Table, &'a str, i64)>> {
    let mut given = Vec::with_capacity(reply.accepted.len() + reply.conflicts.len());
    for &(index, version) in &reply.accepted {
        let row = batch.rows.get(index as usize).ok_or_else(|| {
            Error::Internal(format!(
                "server acknowledged row {index} of a batch of {}",
                batch.rows.len()
            ))
        })?;
        given.push((row.table, row.id.as_str(), version));
    }
    given.extend(
        reply
            .conflicts
            .iter()
            .map(|c| (c.table, c.row_id.as_str(), c.server_version)),
    );
    Ok(given)
}

/// Keeps each conflict the server reported, with the server's value
/// written here (this laptop's value stays in the conflict).
fn take_conflicts_in(tx: &Connection, reply: &PushReply) -> Result<()> {
    if reply.conflicts.is_empty() {
        return Ok(());
    }
    let now = crate::store::now_timestamp();
    sync_log::quiet(tx)?;
    for c in &reply.conflicts {
        record_conflict(tx, c, &now)?;
        let (data, gone) = match &c.server {
            Some(v) => (v.to_string(), false),
            None => ("{}".to_string(), true),
        };
        synced::apply(tx, c.table, &c.row_id, &data, gone, &now)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::wire::Conflict;

    fn row(table: Table, id: &str, base: Option<i64>) -> WireRow {
        WireRow {
            table,
            id: id.into(),
            base,
            site: None,
            parent: None,
            deleted: false,
            data: raw("{}".into()).expect("json"),
        }
    }

    fn batch(rows: Vec<WireRow>) -> PushBatch {
        PushBatch {
            batch_id: "b".into(),
            rows,
        }
    }

    /// A batch read before the last reply was taken ends with the bases it
    /// would have had if read after: each raised to the newest version
    /// given (taken or in conflict), never lowered, other rows untouched.
    #[test]
    fn held_versions_raise_the_bases_of_a_batch_read_before_the_reply() {
        let sent = batch(vec![
            row(Table::Shift, "a", Some(1)),
            row(Table::Shift, "b", None),
            row(Table::Appointment, "a", None),
        ]);
        let reply = PushReply {
            accepted: vec![(0, 5), (2, 6)],
            conflicts: vec![Conflict {
                id: 1,
                table: Table::Shift,
                row_id: "b".into(),
                site: None,
                kind: "changed_twice".into(),
                local: None,
                server: None,
                server_version: 9,
            }],
        };
        let mut held = HeldVersions::default();
        held.take(&sent, &reply).expect("take");
        assert_eq!(held.len(), 3);
        let mut next = batch(vec![
            row(Table::Shift, "a", Some(3)),
            row(Table::Shift, "b", Some(12)),
            row(Table::Appointment, "a", None),
            row(Table::Shift, "c", Some(2)),
            row(Table::DoseCount, "a", None),
        ]);
        held.rebase(&mut next);
        let bases: Vec<Option<i64>> = next.rows.iter().map(|r| r.base).collect();
        assert_eq!(bases, [Some(5), Some(12), Some(6), Some(2), None]);

        let late = PushReply {
            accepted: vec![(0, 4)],
            conflicts: Vec::new(),
        };
        held.take(&sent, &late).expect("take");
        assert_eq!(held.len(), 3, "a row given twice is held once");
        let mut again = batch(vec![row(Table::Shift, "a", None)]);
        held.rebase(&mut again);
        assert_eq!(
            again.rows[0].base,
            Some(5),
            "an older version never lowers one"
        );
    }

    #[test]
    fn a_reply_naming_a_row_the_batch_lacks_is_refused() {
        let sent = batch(vec![row(Table::Site, "a", None)]);
        let reply = PushReply {
            accepted: vec![(3, 5)],
            conflicts: Vec::new(),
        };
        let err = HeldVersions::default()
            .take(&sent, &reply)
            .expect_err("refused");
        assert!(err.to_string().contains("row 3 of a batch of 1"), "{err}");
    }
}
