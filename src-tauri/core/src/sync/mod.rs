//! Sync with the unit's central copy (`dosedesk-server`): push what this
//! laptop changed, then pull what others changed, online or through a
//! bundle file. Transport-agnostic: [`Transport`] is the server as seen
//! from here ([`http::Client`] speaks to the real one).
//!
//! Rules (issue 16): a change is recorded in the same transaction as the
//! write (`store::sync_log`); rows travel whole, by a wire id every laptop
//! computes alike (`store::synced`); the server orders changes and reports
//! a change made on top of a stale version as a conflict, which this laptop
//! keeps (both values) until a manager chooses. Pulled rows replace local
//! ones, so every laptop ends equal to the central copy it may see.

pub mod bundle;
pub mod enrolment;
pub mod http;
mod pull;
mod push;
pub(crate) use push::guard_booking;
pub mod wire;

pub use crate::store::sync_log::ConflictRow;
pub use enrolment::Enrolment;

use crate::error::{Error, Result};
use crate::store::sync_log;
use rusqlite::Connection;
use serde::Serialize;
use wire::{Conflict, Keep, PullPage, PushBatch, PushReply, Table};

/// The server as a laptop sees it. `Send`: a push sends one batch while
/// the next is read from the store.
pub trait Transport: Send {
    fn push(&mut self, batch: &PushBatch) -> Result<PushReply>;
    /// Pushes a booking's rows through the server's capacity guard: taken
    /// whole, or refused with [`Error::SlotFull`] when a slot would hold
    /// more than its places on the central copy.
    fn book(&mut self, batch: &PushBatch) -> Result<PushReply>;
    /// Forwards a batch another laptop signed (from a bundle).
    fn forward(&mut self, device: &str, body: &str, signature: &str) -> Result<PushReply>;
    /// Rows past `cursor`, in the server's order: of every table, or of
    /// `only` that one (a first pull takes the sites before the rest).
    fn pull(&mut self, cursor: i64, limit: usize, only: Option<Table>) -> Result<PullPage>;
    /// The unresolved conflicts this laptop may see.
    fn conflicts(&mut self) -> Result<Vec<Conflict>>;
    fn resolve(
        &mut self,
        conflict_id: i64,
        keep: Keep,
        value: Option<serde_json::Value>,
    ) -> Result<()>;
}

/// Runs a booking's write with the server's capacity guard when this
/// laptop is enrolled (`None` otherwise): bookings and rebooking moves.
pub(crate) fn with_booking_guard<T>(
    conn: &mut Connection,
    write: impl FnOnce(&mut Connection, Option<&mut dyn Transport>) -> Result<T>,
) -> Result<T> {
    let mut server = enrolment::load(conn)?
        .map(|e| http::Client::for_booking(&e))
        .transpose()?;
    write(conn, server.as_mut().map(|c| c as &mut dyn Transport))
}

/// What one sync did (`sync --json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    /// Unresolved conflicts this laptop knows of after the sync.
    pub conflicts: u64,
    pub server_cursor: i64,
    /// Pulled rows that came before a row they refer to (a booking before
    /// its site) and waited for it.
    pub waited: u64,
    /// Bundled batches from other laptops forwarded to the server.
    pub forwarded: u64,
    /// Why bundled batches were refused by the server (and set aside).
    pub refused_bundles: Vec<String>,
}

/// Rows per pushed batch and per pulled page (the server's largest page).
/// Each batch pays fixed costs on the server (its transaction, analysing
/// the loaded rows, the stored reply, a round trip): at 5,000 rows they
/// were a sixth of a first push's time.
pub const BATCH_ROWS: usize = 20_000;

/// Pushes every pending change (and any carried-in bundle), then pulls
/// everything newer than this laptop's cursor, then refreshes the list of
/// conflicts.
pub fn sync(conn: &mut Connection, transport: &mut dyn Transport) -> Result<SyncReport> {
    let (forwarded, refused_bundles) = push::forward_outbox(conn, transport)?;
    let mut report = SyncReport {
        forwarded,
        refused_bundles,
        ..SyncReport::default()
    };
    // A change made while the pull waited for the server is pushed first:
    // the pull never writes over a change not yet sent.
    for _ in 0..3 {
        report.pushed += push::push_pending(conn, transport)?;
        match pull::pull(conn, transport)? {
            Some(pulled) => {
                report.pulled += pulled.rows;
                report.waited += pulled.waited;
                report.server_cursor = pulled.cursor;
                refresh_conflicts(conn, transport)?;
                report.conflicts = sync_log::conflicts(conn, false)?.len() as u64;
                enrolment::set_last_sync(conn, &crate::store::now_timestamp())?;
                return Ok(report);
            }
            None => continue,
        }
    }
    Err(Error::Conflict(
        "the store kept changing during the sync; try again".into(),
    ))
}

/// Replaces the local list of unresolved conflicts with the server's.
fn refresh_conflicts(conn: &mut Connection, transport: &mut dyn Transport) -> Result<()> {
    let open = transport.conflicts()?;
    let now = crate::store::now_timestamp();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for c in &open {
        record_conflict(&tx, c, &now)?;
    }
    let open_ids: std::collections::HashSet<i64> = open.iter().map(|c| c.id).collect();
    for known in sync_log::conflicts(&tx, false)? {
        if !open_ids.contains(&known.server_id) {
            sync_log::mark_resolved(&tx, known.server_id, None, &now)?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn record_conflict(conn: &Connection, c: &Conflict, now: &str) -> Result<()> {
    let text = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    sync_log::add_conflict(
        conn,
        c.id,
        c.table.name(),
        &c.row_id,
        c.site.as_deref(),
        &c.kind,
        text(&c.local).as_deref(),
        text(&c.server).as_deref(),
        c.server_version,
        now,
    )
}

/// Over-capacity slots the Conflicts view lists below the conflicts.
pub const OVERBOOKED_SHOWN: usize = 100;

/// What the Conflicts view (and `conflicts --json`) shows: the changes a
/// manager must choose between, and the slots that ended over capacity
/// (offline bookings meet at the server; nothing is dropped).
#[derive(Debug, Clone, Serialize)]
pub struct ConflictsView {
    pub conflicts: Vec<sync_log::ConflictRow>,
    pub overbooked: crate::checks::OverbookedSlots,
}

pub fn conflicts_view(conn: &Connection, include_resolved: bool) -> Result<ConflictsView> {
    Ok(ConflictsView {
        conflicts: sync_log::conflicts(conn, include_resolved)?,
        overbooked: crate::checks::overbooked_slots(conn, OVERBOOKED_SHOWN)?,
    })
}

/// The conflicts this laptop knows of.
pub fn conflicts(conn: &Connection, include_resolved: bool) -> Result<Vec<sync_log::ConflictRow>> {
    sync_log::conflicts(conn, include_resolved)
}

/// A manager's choice on conflict `id` (this laptop's numbering): the
/// server records it, and the next pull brings the chosen value here.
pub fn resolve(
    conn: &mut Connection,
    transport: &mut dyn Transport,
    id: i64,
    keep: Keep,
) -> Result<()> {
    let enrolled = enrolment::require(conn)?;
    if enrolled.role != wire::Role::Manager {
        return Err(Error::InvalidInput(
            "only a manager's laptop may resolve conflicts".into(),
        ));
    }
    let c = sync_log::conflict(conn, id)?
        .ok_or_else(|| Error::NotFound(format!("no conflict {id}")))?;
    if c.resolved_at.is_some() {
        return Err(Error::Conflict(format!(
            "conflict {id} is already resolved"
        )));
    }
    let value = match keep {
        Keep::Local => Some(match &c.local_data {
            Some(text) => serde_json::from_str(text)
                .map_err(|e| Error::Internal(format!("conflict {id}: stored value: {e}")))?,
            None => serde_json::Value::Null,
        }),
        Keep::Server => None,
    };
    transport.resolve(c.server_id, keep, value)?;
    let side = match keep {
        Keep::Local => "local",
        Keep::Server => "server",
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    sync_log::mark_resolved(&tx, c.server_id, Some(side), &crate::store::now_timestamp())?;
    crate::audit::record(
        &tx,
        "conflict_resolved",
        &format!("conflict {id}"),
        serde_json::json!({ "table": c.table, "keep": side }),
    )?;
    tx.commit()?;
    Ok(())
}

/// What the top bar shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub enrolled: bool,
    pub server: Option<String>,
    pub device: Option<String>,
    pub role: Option<wire::Role>,
    pub last_sync: Option<String>,
    /// Rows changed here and not yet pushed.
    pub waiting: i64,
    pub open_conflicts: i64,
    pub bundles_waiting: i64,
}

pub fn status(conn: &Connection) -> Result<Status> {
    let enrolled = enrolment::load(conn)?;
    Ok(Status {
        enrolled: enrolled.is_some(),
        server: enrolled.as_ref().map(|e| e.server.clone()),
        device: enrolled.as_ref().map(|e| e.device.clone()),
        role: enrolled.as_ref().map(|e| e.role),
        last_sync: enrolment::last_sync(conn)?,
        waiting: sync_log::pending_count(conn)?,
        open_conflicts: sync_log::conflicts(conn, false)?.len() as i64,
        bundles_waiting: bundle::waiting(conn)?,
    })
}
