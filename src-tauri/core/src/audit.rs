//! The audit log: sign-ins, every change, every refusal, every export
//! (file name and SHA-256 of what was written) and every view of
//! person-level data, each entry hash-chained to the one before it.
//!
//! An entry's hash is the SHA-256 (hex) of the JSON array
//! `[id, at, actor, action, subject, detail, prev_hash]` (serde_json's
//! compact form), where `prev_hash` is the previous entry's hash, or 64
//! zeros for the first. [`verify`] recomputes the chain and names the first
//! entry that does not fit: edited (its hash no longer matches its
//! fields), removed or reordered (its `prev_hash` or id no longer follows).
//!
//! A change's entry is written in the change's own transaction; a refusal's
//! after the refused work rolled back.

use crate::error::Result;
use crate::store::audit_log;
pub use crate::store::audit_log::Row as Entry;
use crate::store::audit_log::Row;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

static ACTOR: Mutex<Option<String>> = Mutex::new(None);

/// Who this process acts for (the signed-in user). Until set, entries name
/// the system account that runs DoseDesk.
pub fn set_actor(user: &str) {
    *ACTOR.lock().unwrap_or_else(|p| p.into_inner()) = Some(user.to_string());
}

/// Who this process acts for, as entries and calls name them.
pub fn actor() -> String {
    if let Some(user) = ACTOR.lock().unwrap_or_else(|p| p.into_inner()).clone() {
        return user;
    }
    format!("system account {}", system_account())
}

/// The account running DoseDesk: from the environment, else (an app
/// started without one) the owner of this process looked up in
/// /etc/passwd, else its uid.
fn system_account() -> String {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Ok(name) = std::env::var(var) {
            if !name.is_empty() {
                return name;
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            let name = passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid.to_string()).then(|| name.to_string())
            });
            return name.unwrap_or_else(|| format!("uid {uid}"));
        }
    }
    "unknown".into()
}

/// The hash of an entry (see the module's documentation).
fn entry_hash(row: &Row) -> String {
    let fields = serde_json::json!([
        row.id,
        row.at,
        row.actor,
        row.action,
        row.subject,
        row.detail,
        row.prev_hash
    ]);
    crate::export::hex(&Sha256::digest(fields.to_string().as_bytes()))
}

/// Appends an entry. Called inside the transaction of the change it
/// records, so the two are written together or not at all.
pub fn record(
    conn: &Connection,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<()> {
    // Outside a transaction (a view of a person, an export): the last entry
    // is read and the next written under one write lock, so two processes
    // logging at once chain their entries one after the other.
    if conn.is_autocommit() {
        let tx = crate::store::write_transaction(conn)?;
        append(&tx, action, subject, detail)?;
        return Ok(tx.commit()?);
    }
    append(conn, action, subject, detail)
}

/// Appends the entry after the last one, on a connection holding the write lock.
fn append(conn: &Connection, action: &str, subject: &str, detail: serde_json::Value) -> Result<()> {
    let (id, prev_hash) = match audit_log::last(conn)? {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let mut row = Row {
        id,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        actor: actor(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    audit_log::insert(conn, &row)
}

/// Records that `action` on `subject` was refused, and why. Written on its
/// own after the refused work rolled back; a store too busy or damaged to
/// take it does not hide the refusal itself, which the caller still returns.
pub fn record_refusal(conn: &Connection, action: &str, subject: &str, err: &crate::Error) {
    let detail = serde_json::json!({ "code": err.code(), "message": err.to_string() });
    let _ = record(conn, &format!("{action}_refused"), subject, detail);
}

/// Passes `result` through; a failure other than a cancellation is recorded
/// as a refusal of `action` on `subject`.
pub fn noting_refusal<T>(
    conn: &Connection,
    action: &str,
    subject: &str,
    result: Result<T>,
) -> Result<T> {
    if let Err(err) = &result {
        if !matches!(err, crate::Error::Cancelled) {
            record_refusal(conn, action, subject, err);
        }
    }
    result
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub entries: u64,
    /// The first entry that breaks the chain, and how.
    pub first_broken: Option<Broken>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

/// Walks the whole log, recomputing every hash.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let mut entries = 0u64;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    let mut first_broken = None;
    audit_log::for_each(conn, |row| {
        entries += 1;
        if first_broken.is_some() {
            return Ok(());
        }
        let reason = if row.id != expected_id {
            Some(format!(
                "entry {} follows entry {}: entries between were removed or reordered",
                row.id,
                expected_id - 1
            ))
        } else if row.prev_hash != expected_prev {
            Some(format!(
                "entry {} does not follow the entry before it: it was reordered, or the one before was removed or edited",
                row.id
            ))
        } else if entry_hash(&row) != row.hash {
            Some(format!(
                "entry {} was changed after it was written (its hash no longer matches its fields)",
                row.id
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            first_broken = Some(Broken { id: row.id, reason });
        }
        expected_prev = row.hash;
        expected_id = row.id + 1;
        Ok(())
    })?;
    Ok(Verification {
        entries,
        first_broken,
    })
}

/// The newest `limit` entries, newest first. The log names people (who
/// was looked up): on an encrypted store only a manager reads it, and the
/// reading is itself recorded.
pub fn newest(conn: &Connection, limit: i64) -> Result<Vec<Row>> {
    require_reader()?;
    record(
        conn,
        "view_audit_log",
        "audit log",
        serde_json::json!({ "limit": limit }),
    )?;
    audit_log::newest(conn, limit)
}

fn require_reader() -> Result<()> {
    match crate::users::session() {
        Some(s) if s.role != crate::sync::wire::Role::Manager => {
            Err(crate::Error::Forbidden(format!(
                "{} is signed in as {}: the audit log is for managers",
                s.user,
                s.role.name()
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
