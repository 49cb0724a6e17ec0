//! `import_log`: every imported file, so numbers can name their sources.

use crate::error::Result;
use rusqlite::{params, Connection};

pub(crate) fn insert(
    conn: &Connection,
    kind: &str,
    file_name: &str,
    sha256: &str,
    rows: u64,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO import_log (kind, file_name, sha256, rows, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, file_name, sha256, rows as i64, now],
    )?;
    Ok(())
}
