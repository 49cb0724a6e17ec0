//! `sync_change`, `sync_tombstone`, `sync_quiet`, `sync_row` and
//! `sync_conflict`: what this laptop changed since it last pushed, which
//! server version it last saw of each row, and the conflicts it was told of.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// Silences change capture until `loud` (in the same transaction): rows a
/// pull writes are the server's, not changes to send back; a bulk load
/// records one range for everything it wrote instead of a row each.
pub(crate) fn quiet(conn: &Connection) -> Result<()> {
    conn.execute("INSERT OR IGNORE INTO sync_quiet (one) VALUES (1)", [])?;
    Ok(())
}

pub(crate) fn loud(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM sync_quiet", [])?;
    Ok(())
}

/// Records that every row of `table` with an id in `lo..=hi` changed.
pub(crate) fn record_range(conn: &Connection, table: &str, lo: i64, hi: i64) -> Result<()> {
    if hi >= lo {
        conn.execute(
            "INSERT INTO sync_change (tbl, lo, hi) VALUES (?1, ?2, ?3)",
            params![table, lo, hi],
        )?;
    }
    Ok(())
}

/// Records every row of `table` as changed (a bulk load into an empty
/// table, or a laptop's first push of all it holds).
pub(crate) fn record_all(conn: &Connection, table: &str) -> Result<()> {
    // Products are keyed by code: their sync numbers live beside them.
    let ids = match table {
        "product" => "product_sync_id",
        other => other,
    };
    let (lo, hi): (Option<i64>, Option<i64>) =
        conn.query_row(&format!("SELECT min(id), max(id) FROM {ids}"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if let (Some(lo), Some(hi)) = (lo, hi) {
        record_range(conn, table, lo, hi)?;
    }
    Ok(())
}

/// The newest change and tombstone recorded: a push sends what is at or
/// below these and then forgets exactly that.
pub(crate) fn watermark(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT coalesce(max(seq), 0) FROM sync_change),
                (SELECT coalesce(max(seq), 0) FROM sync_tombstone)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The changed id ranges of `table` up to `upto`, merged into disjoint,
/// ascending ranges.
pub(crate) fn changed_ranges(conn: &Connection, table: &str, upto: i64) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT lo, hi FROM sync_change WHERE tbl = ?1 AND seq <= ?2 ORDER BY lo, hi",
    )?;
    let mut merged: Vec<(i64, i64)> = Vec::new();
    let mut rows = stmt.query(params![table, upto])?;
    while let Some(r) = rows.next()? {
        let (lo, hi): (i64, i64) = (r.get(0)?, r.get(1)?);
        match merged.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    Ok(merged)
}

/// Deleted rows of `table` up to `upto`: their keys (JSON).
pub(crate) fn tombstones(conn: &Connection, table: &str, upto: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key FROM sync_tombstone WHERE tbl = ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let keys = stmt.query_map(params![table, upto], |r| r.get(0))?;
    Ok(keys.collect::<rusqlite::Result<_>>()?)
}

/// Forgets the changes a completed push (or a first pull's reset) covered.
pub(crate) fn forget_changes(conn: &Connection, upto: (i64, i64)) -> Result<()> {
    conn.execute("DELETE FROM sync_change WHERE seq <= ?1", [upto.0])?;
    conn.execute("DELETE FROM sync_tombstone WHERE seq <= ?1", [upto.1])?;
    Ok(())
}

/// Changes and tombstones waiting to be pushed (rows, not ranges, are
/// counted: a bulk load's range counts every row in it).
pub(crate) fn pending_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce((SELECT sum(hi - lo + 1) FROM sync_change), 0)
              + (SELECT count(*) FROM sync_tombstone)",
        [],
        |r| r.get(0),
    )?)
}

/// The server version this laptop last saw of a row.
pub(crate) fn version_of(conn: &Connection, table: &str, wire_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT version FROM sync_row WHERE tbl = ?1 AND wire_id = ?2")?
        .query_row(params![table, wire_id], |r| r.get(0))
        .optional()?)
}

/// [`version_of`] for many rows of one table at once: one statement
/// instead of one per row (a push reads thousands per batch). Rows this
/// laptop never had from the server are absent from the map.
pub(crate) fn versions_of(
    conn: &Connection,
    table: &str,
    wire_ids: &[&str],
) -> Result<std::collections::HashMap<String, i64>> {
    let ids = serde_json::to_string(wire_ids)
        .map_err(|e| crate::error::Error::Internal(format!("sync ids: {e}")))?;
    // CROSS JOIN keeps the ids as the outer loop: one key lookup each,
    // never a scan of every version this laptop holds.
    let mut stmt = conn.prepare_cached(
        "SELECT s.wire_id, s.version FROM json_each(?2) j
         CROSS JOIN sync_row s ON s.tbl = ?1 AND s.wire_id = j.value",
    )?;
    let rows = stmt.query_map(params![table, ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// [`set_version`] for many rows at once: `(table, wire id, version)`.
pub(crate) fn set_versions(conn: &Connection, rows: &[(&str, &str, i64)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // In key order: one pass along the B-tree rather than a jump per row.
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    let json = serde_json::to_string(&rows)
        .map_err(|e| crate::error::Error::Internal(format!("sync versions: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO sync_row (tbl, wire_id, version)
         SELECT value->>0, value->>1, value->>2 FROM json_each(?1) WHERE true
         ON CONFLICT (tbl, wire_id) DO UPDATE SET version = max(version, excluded.version)",
    )?
    .execute([json])?;
    Ok(())
}

pub(crate) fn set_version(
    conn: &Connection,
    table: &str,
    wire_id: &str,
    version: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_row (tbl, wire_id, version) VALUES (?1, ?2, ?3)
         ON CONFLICT (tbl, wire_id) DO UPDATE SET version = max(version, excluded.version)",
    )?
    .execute(params![table, wire_id, version])?;
    Ok(())
}

pub(crate) fn forget_version(conn: &Connection, table: &str, wire_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_row WHERE tbl = ?1 AND wire_id = ?2")?
        .execute(params![table, wire_id])?;
    Ok(())
}

/// A conflict as this laptop keeps it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConflictRow {
    pub id: i64,
    pub server_id: i64,
    pub table: String,
    pub row_id: String,
    pub site: Option<String>,
    pub kind: String,
    pub local_data: Option<String>,
    pub server_data: Option<String>,
    pub server_version: i64,
    pub detected_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

/// Records a conflict the server reported, once however often it is told.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_conflict(
    conn: &Connection,
    server_id: i64,
    table: &str,
    wire_id: &str,
    site: Option<&str>,
    kind: &str,
    local_data: Option<&str>,
    server_data: Option<&str>,
    server_version: i64,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_conflict (server_id, tbl, wire_id, site, kind, local_data, server_data,
                                    server_version, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (server_id) DO NOTHING",
    )?
    .execute(params![
        server_id,
        table,
        wire_id,
        site,
        kind,
        local_data,
        server_data,
        server_version,
        now
    ])?;
    Ok(())
}

pub(crate) fn mark_resolved(
    conn: &Connection,
    server_id: i64,
    resolution: Option<&str>,
    now: &str,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_conflict SET resolved_at = ?2, resolution = coalesce(?3, resolution)
         WHERE server_id = ?1 AND resolved_at IS NULL",
    )?
    .execute(params![server_id, now, resolution])?;
    Ok(())
}

const CONFLICT_COLUMNS: &str =
    "SELECT id, server_id, tbl, wire_id, site, kind, local_data, server_data, server_version,
            detected_at, resolved_at, resolution FROM sync_conflict";

fn conflict_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConflictRow> {
    Ok(ConflictRow {
        id: r.get(0)?,
        server_id: r.get(1)?,
        table: r.get(2)?,
        row_id: r.get(3)?,
        site: r.get(4)?,
        kind: r.get(5)?,
        local_data: r.get(6)?,
        server_data: r.get(7)?,
        server_version: r.get(8)?,
        detected_at: r.get(9)?,
        resolved_at: r.get(10)?,
        resolution: r.get(11)?,
    })
}

pub(crate) fn conflicts(conn: &Connection, include_resolved: bool) -> Result<Vec<ConflictRow>> {
    let mut stmt = conn.prepare(&format!(
        "{CONFLICT_COLUMNS} WHERE ?1 OR resolved_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt.query_map([include_resolved], conflict_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn conflict(conn: &Connection, id: i64) -> Result<Option<ConflictRow>> {
    Ok(conn
        .prepare(&format!("{CONFLICT_COLUMNS} WHERE id = ?1"))?
        .query_row([id], conflict_row)
        .optional()?)
}
