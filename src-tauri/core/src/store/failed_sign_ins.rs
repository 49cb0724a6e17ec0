//! Wrong sign-ins to an encrypted store, kept beside it in
//! `<store>.sign-ins` (one JSON line each) until the next successful
//! sign-in writes them to the audit log: the store itself cannot be written
//! while it is locked. Being a file, the count is shared by every process,
//! so a script calling the CLI in a loop slows down as the sign-in screen
//! does, and what it tried is on the record.
//!
//! Only the name tried and the time are kept (never a passphrase), the
//! name cut to [`NAME_KEPT`] characters.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The longest user name a failure keeps (a passphrase typed into the
/// name field is not written out whole).
pub const NAME_KEPT: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedSignIn {
    /// RFC 3339, UTC.
    pub at: String,
    /// The user name given.
    pub user: String,
}

/// Where the wrong sign-ins to `store` wait.
pub fn path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".sign-ins");
    store.with_file_name(name)
}

/// Adds a wrong sign-in as `user`; returns how many there have been in a
/// row (this one included). A folder that cannot be written still counts
/// this one, so the pause never drops below the first.
pub fn note(store: &Path, user: &str) -> u32 {
    let failure = FailedSignIn {
        at: crate::store::now_timestamp(),
        user: user.chars().take(NAME_KEPT).collect(),
    };
    let file = path(store);
    let written = serde_json::to_string(&failure)
        .map_err(std::io::Error::other)
        .and_then(|line| append(&file, &format!("{line}\n")));
    if let Err(e) = written {
        eprintln!(
            "dosedesk: {}: a wrong sign-in was not noted: {e}",
            file.display()
        );
    }
    let in_a_row = read(&file).map(|f| f.len()).unwrap_or(0);
    u32::try_from(in_a_row).unwrap_or(u32::MAX).max(1)
}

/// Appends `text` in one write (O_APPEND: lines from two processes never
/// interleave), creating the file readable by its owner only.
fn append(file: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?.write_all(text.as_bytes())
}

fn read(file: &Path) -> std::io::Result<Vec<FailedSignIn>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // A line cut short by a crash is still a failure, of unknown name.
    Ok(text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| FailedSignIn {
                at: String::new(),
                user: format!(
                    "(unreadable: {})",
                    line.chars().take(NAME_KEPT).collect::<String>()
                ),
            })
        })
        .collect())
}

/// Hands the waiting wrong sign-ins of `store` to `log` (which writes them
/// to the audit log) and forgets them once it succeeded. They are moved
/// aside first, so a failure noted meanwhile starts a new file rather than
/// being lost; if `log` fails they are put back.
pub fn take(store: &Path, log: impl FnOnce(&[FailedSignIn]) -> Result<()>) -> Result<()> {
    let file = path(store);
    let mut aside = file.clone().into_os_string();
    aside.push(format!(".{}", std::process::id()));
    let aside = PathBuf::from(aside);
    match std::fs::rename(&file, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return log(&[]),
        Err(e) => return Err(Error::io(&file, &e)),
    }
    let failures = read(&aside).map_err(|e| Error::io(&aside, &e))?;
    match log(&failures) {
        Ok(()) => std::fs::remove_file(&aside).map_err(|e| Error::io(&aside, &e)),
        Err(e) => {
            if let Ok(text) = std::fs::read_to_string(&aside) {
                if append(&file, &text).is_ok() {
                    let _ = std::fs::remove_file(&aside);
                }
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_in_a_row_across_calls_and_are_handed_over_once() {
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("s.sqlite3");
        assert_eq!(note(&store, "manager"), 1);
        assert_eq!(note(&store, &"x".repeat(200)), 2);
        assert_eq!(note(&store, "stranger"), 3);
        let mut seen = Vec::new();
        take(&store, |failures| {
            seen = failures.to_vec();
            Ok(())
        })
        .expect("take");
        let names: Vec<&str> = seen.iter().map(|f| f.user.as_str()).collect();
        assert_eq!(names, ["manager", &"x".repeat(64), "stranger"]);
        assert!(
            seen.iter().all(|f| f.at.ends_with('Z') && f.at.len() == 20),
            "{seen:?}"
        );
        // Handed over: the count starts again, and nothing is left beside the store.
        take(&store, |failures| {
            assert!(failures.is_empty());
            Ok(())
        })
        .expect("take again");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        assert_eq!(note(&store, "manager"), 1);
    }

    #[test]
    fn failures_the_audit_log_could_not_take_are_kept_with_any_new_ones() {
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("s.sqlite3");
        note(&store, "first");
        let refused = take(&store, |_| {
            // Meanwhile another process notes a failure.
            note(&store, "meanwhile");
            Err(Error::Internal("the audit log is full".into()))
        });
        assert!(refused.is_err());
        let mut kept = Vec::new();
        take(&store, |failures| {
            kept = failures.iter().map(|f| f.user.clone()).collect();
            Ok(())
        })
        .expect("take");
        kept.sort();
        assert_eq!(kept, ["first", "meanwhile"]);
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_may_read_the_failures() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let store = dir.path().join("s.sqlite3");
        note(&store, "manager");
        let mode = std::fs::metadata(path(&store))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
