//! Files DoseDesk writes for people to open (call lists, briefings, charts):
//! never onto the store or its companion files, never half-written (a
//! temporary file beside the target, renamed into place), readable by their
//! owner only, and, for CSV, no cell a spreadsheet would run.

use crate::error::{Error, Result};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an export wrote (the audit log records the name and digest).
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// Writes `out` through `body`: refused when `out` is the store `conn` has
/// open or one of its -wal, -shm or -journal files; otherwise written to a
/// temporary file in the same folder (mode 0600) and renamed over `out`
/// only once complete. On any failure `out` is untouched.
pub fn write(
    conn: &Connection,
    out: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Written> {
    refuse_store_files(conn, out)?;
    let written = write_file(out, body)?;
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    crate::audit::record(
        conn,
        "export",
        &name,
        serde_json::json!({ "path": out, "bytes": written.bytes, "sha256": written.sha256 }),
    )?;
    Ok(written)
}

/// Writes `out` whole or not at all: a temporary file beside it (0600),
/// synced, then renamed over it.
pub(crate) fn write_file(
    out: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Written> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", out.display())))?;
    if !dir.is_dir() {
        // tempfile's own words name the temporary file, which the user never chose.
        return Err(Error::Io {
            path: out.to_path_buf(),
            message: format!("there is no folder {}", dir.display()),
        });
    }
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".partial")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, &e))?;
    let mut hashing = Hashing {
        inner: std::io::BufWriter::new(temp.as_file_mut()),
        hash: Sha256::new(),
        bytes: 0,
    };
    body(&mut hashing)?;
    hashing.flush().map_err(|e| Error::io(out, &e))?;
    let (hash, bytes) = (hashing.hash.clone(), hashing.bytes);
    drop(hashing);
    temp.as_file().sync_all().map_err(|e| Error::io(out, &e))?;
    temp.persist(out).map_err(|e| Error::io(out, &e.error))?;
    Ok(Written {
        path: out.to_path_buf(),
        bytes,
        sha256: hex(&hash.finalize()),
    })
}

/// `out` may not be the open store, nor a file SQLite keeps beside it.
fn refuse_store_files(conn: &Connection, out: &Path) -> Result<()> {
    let Some(store) = conn.path().filter(|p| !p.is_empty()).map(Path::new) else {
        return Ok(()); // an in-memory store has no file to overwrite
    };
    let canonical = |p: &Path| -> Option<PathBuf> {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // A symbolic link to the store counts as the store.
        std::fs::canonicalize(p)
            .ok()
            .or_else(|| Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?)))
    };
    let (Some(target), Some(store)) = (canonical(out), canonical(store)) else {
        return Ok(());
    };
    let store_text = store.as_os_str().to_string_lossy().into_owned();
    let companions = ["", "-wal", "-shm", "-journal", ".keys"];
    if companions
        .iter()
        .any(|suffix| target == Path::new(&format!("{store_text}{suffix}")))
    {
        return Err(Error::InvalidInput(format!(
            "{} is this store's own database file: choose another name (nothing was written)",
            out.display()
        )));
    }
    Ok(())
}

struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A CSV cell as written for people to open: one a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// gets a leading `'`, as OWASP recommends. A plain number (`-75.7`) is
/// kept: a spreadsheet reads it as the number it is.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let risky = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && text.parse::<f64>().map_or(true, |n| !n.is_finite()) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
pub(crate) mod tests;
