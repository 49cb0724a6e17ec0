//! This laptop's place in the unit: the server it syncs with, its device
//! name, role and sites, and its credential (kept in the store's `meta`).

use super::wire::{Role, Table};
use crate::error::{Error, Result};
use crate::store::{meta_get, meta_set, sync_log};
use rusqlite::Connection;

#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The server's base URL, e.g. `https://sync.health.example:8443`.
    pub server: String,
    pub device: String,
    pub role: Role,
    pub sites: Vec<String>,
    /// The device credential (a bearer token).
    pub secret: String,
    /// A certificate authority to trust for the server (PEM), when the
    /// unit's server is not signed by a public one.
    pub ca_pem: Option<String>,
}

const SERVER: &str = "sync.server";
const DEVICE: &str = "sync.device";
const ROLE: &str = "sync.role";
const SITES: &str = "sync.sites";
const SECRET: &str = "sync.secret";
const CA: &str = "sync.ca_pem";
const CURSOR: &str = "sync.cursor";
const LAST_SYNC: &str = "sync.last_sync";

pub fn load(conn: &Connection) -> Result<Option<Enrolment>> {
    let Some(server) = meta_get(conn, SERVER)? else {
        return Ok(None);
    };
    let missing = |k: &str| Error::Internal(format!("enrolment: {k} missing from the store"));
    let role = meta_get(conn, ROLE)?.ok_or_else(|| missing(ROLE))?;
    let sites = meta_get(conn, SITES)?.unwrap_or_else(|| "[]".into());
    Ok(Some(Enrolment {
        server,
        device: meta_get(conn, DEVICE)?.ok_or_else(|| missing(DEVICE))?,
        role: Role::parse(&role).ok_or_else(|| missing(ROLE))?,
        sites: serde_json::from_str(&sites)
            .map_err(|e| Error::Internal(format!("{SITES}: {e}")))?,
        secret: meta_get(conn, SECRET)?.ok_or_else(|| missing(SECRET))?,
        ca_pem: meta_get(conn, CA)?,
    }))
}

pub fn require(conn: &Connection) -> Result<Enrolment> {
    load(conn)?.ok_or_else(|| {
        Error::InvalidInput(
            "this laptop is not enrolled: run `sync enrol --server URL --token TOKEN` first".into(),
        )
    })
}

/// Keeps a new enrolment. Everything the store holds is then this laptop's
/// to push (the first push sends it all; the server keeps what it already
/// has, as the values are the same), and the pull starts from the beginning.
pub fn save(conn: &mut Connection, e: &Enrolment) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    meta_set(&tx, SERVER, &e.server)?;
    meta_set(&tx, DEVICE, &e.device)?;
    meta_set(&tx, ROLE, e.role.name())?;
    meta_set(
        &tx,
        SITES,
        &serde_json::to_string(&e.sites).unwrap_or_else(|_| "[]".into()),
    )?;
    meta_set(&tx, SECRET, &e.secret)?;
    match &e.ca_pem {
        Some(pem) => meta_set(&tx, CA, pem)?,
        None => {
            tx.execute("DELETE FROM meta WHERE key = ?1", [CA])?;
        }
    }
    meta_set(&tx, CURSOR, "0")?;
    tx.execute_batch("DELETE FROM sync_change; DELETE FROM sync_tombstone; DELETE FROM sync_row;")?;
    for table in Table::ALL {
        // Only what this role may write is this laptop's to send (a
        // clinic's own tallies and bookings come from the server).
        if e.role.may_write(&e.sites, table, None) {
            sync_log::record_all(&tx, table.name())?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn cursor(conn: &Connection) -> Result<i64> {
    Ok(meta_get(conn, CURSOR)?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

pub(crate) fn set_cursor(conn: &Connection, cursor: i64) -> Result<()> {
    meta_set(conn, CURSOR, &cursor.to_string())
}

pub fn last_sync(conn: &Connection) -> Result<Option<String>> {
    meta_get(conn, LAST_SYNC)
}

pub(crate) fn set_last_sync(conn: &Connection, at: &str) -> Result<()> {
    meta_set(conn, LAST_SYNC, at)
}

/// Refuses, on the laptop, a write its role may not make: a clinic's
/// tally, booking or call for another clinic's site; an official's write
/// of clinic data. Judged for the signed-in user (`crate::users`) and for
/// the laptop's enrolment; an unenrolled laptop with no one signed in
/// writes anything (it is nobody's copy).
pub fn guard_write(conn: &Connection, table: Table, site_id: i64) -> Result<()> {
    let enrolled = load(conn)?;
    let session = crate::users::session();
    if enrolled.is_none() && session.is_none() {
        return Ok(());
    }
    let code: String = conn
        .prepare_cached("SELECT code FROM site WHERE id = ?1")?
        .query_row([site_id], |r| r.get(0))?;
    crate::users::require_write(table, &code)?;
    let Some(e) = enrolled else { return Ok(()) };
    if e.role.may_write(&e.sites, table, Some(&code)) {
        return Ok(());
    }
    let what = match table {
        Table::DoseCount => "tallies",
        Table::Appointment => "bookings",
        Table::ContactAttempt => "call outcomes",
        _ => "changes",
    };
    Err(Error::InvalidInput(match e.role {
        Role::Clinic => format!(
            "this laptop is enrolled for {} and may not record {what} for {code}",
            e.sites.join(", ")
        ),
        _ => format!(
            "this laptop is enrolled as {} and may not record {what}",
            e.role.name()
        ),
    }))
}

/// Refuses, on the laptop, an import its role may not make. A clinic
/// imports only tallies, and only for its own sites (checked on the rows
/// this import wrote, all stamped with its time); an official imports only
/// the province's releases; areas stay on the laptop and anyone imports
/// them. Judged for the signed-in user and for the laptop's enrolment. The
/// caller rolls the import back.
pub fn guard_import(conn: &Connection, kind: crate::import::ImportKind, now: &str) -> Result<()> {
    if let Some(s) = crate::users::session() {
        let who = format!("{} is signed in as {}", s.user, s.role.name());
        judge_import(conn, s.role, &s.sites, kind, now, &who).map_err(Error::Forbidden)?;
    }
    if let Some(e) = load(conn)? {
        let who = match e.role {
            Role::Clinic => format!("this laptop is enrolled for {}", e.sites.join(", ")),
            _ => format!("this laptop is enrolled as {}", e.role.name()),
        };
        judge_import(conn, e.role, &e.sites, kind, now, &who).map_err(Error::InvalidInput)?;
    }
    Ok(())
}

/// One holder's (a user's, a laptop's) right to an import; `Err` is the
/// refusal's message.
fn judge_import(
    conn: &Connection,
    role: Role,
    sites: &[String],
    kind: crate::import::ImportKind,
    now: &str,
    who: &str,
) -> std::result::Result<(), String> {
    use crate::import::ImportKind;
    let table = match kind {
        ImportKind::Sites | ImportKind::Candidates => Table::Site,
        ImportKind::Shifts => Table::Shift,
        ImportKind::Products => Table::Product,
        ImportKind::Supply => Table::Supply,
        ImportKind::Bookings => Table::Appointment,
        ImportKind::DoseCounts => Table::DoseCount,
        ImportKind::Provincial => Table::Provincial,
        ImportKind::Areas => return Ok(()),
    };
    // Site-less write rights (a clinic's tallies are judged per site below).
    if role.may_write(sites, table, None) {
        return Ok(());
    }
    if role == Role::Clinic && kind == ImportKind::DoseCounts {
        let foreign = (|| -> rusqlite::Result<Vec<String>> {
            let mut stmt = conn.prepare(
                "SELECT DISTINCT s.code FROM dose_count c JOIN site s ON s.id = c.site_id
                 WHERE c.updated_at = ?1 ORDER BY s.code",
            )?;
            let codes = stmt.query_map([now], |r| r.get::<_, String>(0))?;
            codes
                .filter(|c| c.as_ref().map_or(true, |c| !sites.contains(c)))
                .collect()
        })()
        .map_err(|e| format!("checking the tallies' sites failed: {e}"))?;
        if foreign.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "{who} and may not record tallies for {}; nothing was imported",
            foreign.join(", ")
        ));
    }
    Err(format!(
        "{who} and may not import {}; nothing was imported",
        kind.name()
    ))
}
