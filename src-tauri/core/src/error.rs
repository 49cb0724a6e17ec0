//! The one error type of DoseDesk. It crosses IPC as `{code, message}`: the
//! UI branches on `code` (stable, snake_case) and shows `message` verbatim.

use serde::ser::SerializeStruct;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input in an imported file. Displays as `FILE:LINE: column NAME: what`.
    #[error("{file}:{line}: {}{message}", column.as_ref().map(|c| format!("column {c}: ")).unwrap_or_default())]
    Import {
        file: String,
        line: u64,
        column: Option<String>,
        message: String,
    },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}: this database was written by a newer DoseDesk (schema version {1}, this build knows {2}); it was not changed — update DoseDesk to open it")]
    SchemaTooNew(PathBuf, i64, i64),
    #[error("{0}: not a DoseDesk database (it is an SQLite file of another application); it was not changed")]
    NotDoseDesk(PathBuf),
    #[error(
        "{0}: the file is not a readable SQLite database ({1}); it was not changed or deleted"
    )]
    Corrupt(PathBuf, String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    /// The slot has no free place left.
    #[error("{0}")]
    SlotFull(String),
    /// The person may not book this yet (eligibility phases).
    #[error("{0}")]
    NotEligible(String),
    /// The value is implausible and was not recorded; entering it again
    /// with confirmation records it.
    #[error("{0}")]
    NeedsConfirmation(String),
    /// The change contradicts what the store holds (e.g. already booked).
    #[error("{0}")]
    Conflict(String),
    /// The sync server cannot be reached (no network, server down).
    #[error("offline: {0}")]
    Offline(String),
    /// The sync server failed or answered something unreadable.
    #[error("sync failed: {0}")]
    Sync(String),
    #[error("cancelled")]
    Cancelled,
    /// Drawing or encoding a chart, map or briefing page failed.
    #[error("drawing failed: {0}")]
    Render(String),
    /// A failure of DoseDesk itself, not of what the user gave it.
    #[error("internal error: {0}")]
    Internal(String),
    /// Another process held the store's write lock for longer than
    /// [`crate::store::LOCK_PATIENCE`].
    #[error("{0}")]
    Busy(String),
    /// The signed-in user's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The audit log's hash chain does not hold: an entry was edited,
    /// removed or reordered outside DoseDesk.
    #[error("{0}")]
    AuditBroken(String),
    /// The store is encrypted and this process has not unlocked it.
    #[error("{0}")]
    Locked(String),
    /// No store yet: one is made, encrypted, by naming its first manager.
    #[error("{0}")]
    NoStore(String),
    /// A plain (unencrypted) store: DoseDesk opens it only to encrypt it.
    #[error("{0}")]
    Unencrypted(String),
    /// A sign-in with a wrong user name or passphrase.
    #[error("{0}")]
    WrongPassphrase(String),
    /// No room left on the disk for the store or its temporary files.
    #[error("{0}")]
    DiskFull(String),
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, DiskFull};
        // A read that turned into a write after another process wrote is
        // refused at once (no wait would help): say that, not "15 minutes".
        let changed_meanwhile = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_BUSY_SNAPSHOT);
        match e.sqlite_error_code() {
            Some(DatabaseBusy) if changed_meanwhile => Error::Busy(
                "another DoseDesk window or command changed the store while this step was \
                 reading it; this was not done, and nothing was changed by it. Try again"
                    .into(),
            ),
            Some(DatabaseBusy | DatabaseLocked) => Error::Busy(format!(
                "the store is busy: another DoseDesk window or command has been writing to it \
                 for over {} minutes (an import or a sync?); this was not done, and nothing \
                 was changed by it. Try again once that work has finished",
                crate::store::LOCK_PATIENCE.as_secs() / 60
            )),
            // SQLite says "database or disk is full": say which disks, and
            // where the temporary files (sorts of millions of rows, hundreds
            // of MB) go, since that is often another, smaller disk.
            Some(DiskFull) => Error::DiskFull(format!(
                "the disk is full: there was no room to write the store or its temporary files \
                 (those go to {}; set SQLITE_TMPDIR to a folder on a disk with room to move \
                 them). Nothing was changed by this step; free some space and try again",
                crate::store::sealed_temp::folder().display()
            )),
            _ => Error::Database(e),
        }
    }
}

impl Error {
    /// Stable machine-readable code for the UI and for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Import { .. } => "import_invalid",
            Error::Io { .. } => "io",
            Error::SchemaTooNew(..) => "schema_too_new",
            Error::NotDoseDesk(_) => "not_dosedesk",
            Error::Corrupt(..) => "corrupt_database",
            Error::InvalidInput(_) => "invalid_input",
            Error::NotFound(_) => "not_found",
            Error::SlotFull(_) => "slot_full",
            Error::NotEligible(_) => "not_eligible",
            Error::NeedsConfirmation(_) => "needs_confirmation",
            Error::Conflict(_) => "conflict",
            Error::Offline(_) => "offline",
            Error::Sync(_) => "sync_failed",
            Error::Cancelled => "cancelled",
            Error::Render(_) => "render",
            Error::Internal(_) => "internal",
            Error::Busy(_) => "store_busy",
            Error::Locked(_) => "store_locked",
            Error::NoStore(_) => "store_missing",
            Error::Unencrypted(_) => "store_unencrypted",
            Error::AuditBroken(_) => "audit_broken",
            Error::Forbidden(_) => "forbidden",
            Error::WrongPassphrase(_) => "wrong_passphrase",
            Error::DiskFull(_) => "disk_full",
            Error::Database(_) => "database",
        }
    }

    pub fn io(path: impl Into<PathBuf>, err: &std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            message: err.to_string(),
        }
    }
}

impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 2)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let err = Error::Import {
            file: "shifts.csv".into(),
            line: 7,
            column: Some("end".into()),
            message: "must be after start (09:00)".into(),
        };
        let json = serde_json::to_value(&err).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "import_invalid",
                "message": "shifts.csv:7: column end: must be after start (09:00)"
            })
        );
    }

    #[test]
    fn a_full_disk_is_said_with_where_temporary_files_go() {
        // SQLite's own "database or disk is full", from a store not allowed
        // to grow: the same error a full disk gives.
        let dir = tempfile::tempdir().expect("dir");
        let conn = crate::store::open(&dir.path().join("full.sqlite3")).expect("open");
        conn.execute_batch("CREATE TABLE filler (b BLOB)")
            .expect("table");
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("pages");
        conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("cap");
        let failed = conn
            .execute("INSERT INTO filler VALUES (zeroblob(1000000))", [])
            .expect_err("no room");
        let err = Error::from(failed);
        assert_eq!(err.code(), "disk_full");
        let folder = crate::store::sealed_temp::folder();
        assert!(folder.is_dir(), "{}", folder.display());
        let message = err.to_string();
        assert!(message.contains(&folder.display().to_string()), "{message}");
        assert!(message.contains("Nothing was changed"), "{message}");
    }

    #[test]
    fn import_error_without_column_omits_it() {
        let err = Error::Import {
            file: "a.csv".into(),
            line: 1,
            column: None,
            message: "file is empty".into(),
        };
        assert_eq!(err.to_string(), "a.csv:1: file is empty");
    }
}
