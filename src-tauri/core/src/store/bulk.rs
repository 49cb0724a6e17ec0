//! Bulk writes: indexes and triggers set aside during a load, multi-row
//! INSERTs, and long statements that a cancelled job interrupts.

use crate::error::{Error, Result};
use crate::job::Progress;
use rusqlite::{Connection, Statement};

/// Drops a table's indexes and triggers and returns the SQL that recreates
/// them. The caller rebuilds what the triggers would have kept.
pub(crate) fn drop_indexes_and_triggers(conn: &Connection, table: &str) -> Result<Vec<String>> {
    drop_schema_objects(conn, table, "('index', 'trigger')")
}

/// [`drop_indexes_and_triggers`] for the indexes alone (the key's own
/// index stays): the triggers still run.
pub(crate) fn drop_indexes(conn: &Connection, table: &str) -> Result<Vec<String>> {
    drop_schema_objects(conn, table, "('index')")
}

/// [`drop_indexes_and_triggers`] for the triggers alone: the indexes are
/// kept current row by row (cheap when rows come in an index's order).
pub(crate) fn drop_triggers(conn: &Connection, table: &str) -> Result<Vec<String>> {
    drop_schema_objects(conn, table, "('trigger')")
}

/// [`drop_indexes_and_triggers`] sparing the objects named in `keep`.
pub(crate) fn drop_indexes_and_triggers_except(
    conn: &Connection,
    table: &str,
    keep: &[&str],
) -> Result<Vec<String>> {
    drop_schema_objects_except(conn, table, "('index', 'trigger')", keep)
}

fn drop_schema_objects(conn: &Connection, table: &str, types: &str) -> Result<Vec<String>> {
    drop_schema_objects_except(conn, table, types, &[])
}

fn drop_schema_objects_except(
    conn: &Connection,
    table: &str,
    types: &str,
    keep: &[&str],
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE type IN {types} AND tbl_name = ?1 AND sql IS NOT NULL"
    ))?;
    let objects: Vec<(String, String, String)> = stmt
        .query_map([table], |r| {
            Ok((r.get("type")?, r.get("name")?, r.get("sql")?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let objects: Vec<_> = objects
        .into_iter()
        .filter(|(_, name, _)| !keep.contains(&name.as_str()))
        .collect();
    for (kind, name, _) in &objects {
        conn.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
    }
    Ok(objects.into_iter().map(|(_, _, sql)| sql).collect())
}

/// Rows per INSERT statement in a bulk write: a statement's fixed cost is
/// paid once per this many rows.
const ROWS_PER_INSERT: usize = 32;

/// Inserts `rows`, `ROWS_PER_INSERT` to a statement and the rest one by one.
/// `sql(n)` is the INSERT of n rows; `bind(stmt, first, row)` binds one
/// row's parameters from index `first` (1-based) on.
pub(crate) fn insert_in_chunks<R>(
    conn: &Connection,
    sql: impl Fn(usize) -> String,
    rows: impl IntoIterator<Item = R>,
    mut bind: impl FnMut(&mut Statement<'_>, usize, &R) -> Result<()>,
) -> Result<()> {
    let mut many = conn.prepare_cached(&sql(ROWS_PER_INSERT))?;
    let mut one = conn.prepare_cached(&sql(1))?;
    let per_row = one.parameter_count();
    let mut rows = rows.into_iter();
    let mut chunk = Vec::with_capacity(ROWS_PER_INSERT);
    loop {
        chunk.clear();
        chunk.extend(rows.by_ref().take(ROWS_PER_INSERT));
        if chunk.len() < ROWS_PER_INSERT {
            for row in &chunk {
                bind(&mut one, 1, row)?;
                one.raw_execute()?;
            }
            return Ok(());
        }
        for (k, row) in chunk.iter().enumerate() {
            bind(&mut many, 1 + k * per_row, row)?;
        }
        many.raw_execute()?;
    }
}

/// `INSERT INTO {head} VALUES (?, …), …` for `rows` rows of `columns` values.
pub(crate) fn multi_row_insert(head: &str, columns: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    format!("INSERT INTO {head} VALUES {}", vec![one; rows].join(", "))
}

/// Recreates what `drop_*` set aside (index builds sort on disk: see
/// [`with_sorts_on_disk`]).
pub(crate) fn recreate(conn: &Connection, deferred: &[String]) -> Result<()> {
    with_sorts_on_disk(conn, || {
        for sql in deferred {
            conn.execute_batch(sql)?;
        }
        Ok(())
    })
}

/// Runs `work` (index builds: a sort of millions of keys each) with
/// SQLite's sorts spilling to temporary files, sealed by
/// `store::sealed_temp`, in chunks the size of the page cache and on two
/// threads. In memory, as the connection's temporary storage usually is,
/// a sort holds each key in an allocation of its own: 550 MB for one index
/// over 10 million bookings. Called inside a write transaction, which
/// began with temporary storage in memory and keeps its statement
/// journals there. SQLite refuses the switch on a connection that holds a
/// temporary table inside a transaction: the sorts then stay in memory.
pub(crate) fn with_sorts_on_disk<T>(
    conn: &Connection,
    work: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let on_disk = conn.pragma_update(None, "temp_store", "FILE").is_ok();
    let out = work();
    if on_disk {
        let back = conn.pragma_update(None, "temp_store", "MEMORY");
        if out.is_ok() {
            back?;
        }
    }
    out
}

/// Runs a long SQLite step (an index build, minutes at province scale)
/// so that cancelling the job interrupts it instead of waiting for it.
pub(crate) fn cancellable<T>(
    conn: &Connection,
    progress: &dyn Progress,
    work: impl FnOnce() -> Result<T>,
) -> Result<T> {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let interrupt = conn.get_interrupt_handle();
    let (done, finished) = channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) =
                finished.recv_timeout(std::time::Duration::from_millis(50))
            {
                if progress.is_cancelled() {
                    // Between statements this is a no-op: SQLite clears the
                    // flag when the next statement starts.
                    interrupt.interrupt();
                    return;
                }
            }
        });
        let out = work();
        drop(done); // wakes the watcher at once
        match out {
            Err(Error::Database(e))
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
            {
                Err(Error::Cancelled)
            }
            other => other,
        }
    })
}

pub(crate) fn count_rows(conn: &Connection, table: &str) -> Result<u64> {
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA temp_store", [], |r| r.get(0))
            .expect("temp_store")
    }

    const MEMORY: i64 = 2;
    const FILE: i64 = 1;

    /// Builds an index on `t` through `with_sorts_on_disk`; the
    /// temporary storage in force while it ran.
    fn temp_store_while_indexing(conn: &Connection) -> i64 {
        with_sorts_on_disk(conn, || {
            conn.execute_batch("CREATE INDEX t_by_k ON t (k)")?;
            Ok(temp_store(conn))
        })
        .expect("index")
    }

    /// A write transaction begins with temporary storage in memory (so its
    /// statement journals stay there); an index build inside it sorts on
    /// disk; afterwards the connection is back in memory.
    #[test]
    fn index_builds_sort_on_disk_inside_a_transaction_begun_in_memory() {
        let conn = crate::store::open_in_memory().expect("store");
        assert_eq!(temp_store(&conn), MEMORY);
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE t (k TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO t SELECT printf('K%06d', 500 - i) FROM n;",
        )
        .expect("rows");
        let during = temp_store_while_indexing(&conn);
        assert_eq!(during, FILE);
        assert_eq!(temp_store(&conn), MEMORY);
        conn.execute_batch("COMMIT").expect("commit");
    }

    /// SQLite refuses the switch while a temporary table is open inside a
    /// transaction: the build then runs with its sort in memory, as before.
    #[test]
    fn with_a_temporary_table_open_the_build_still_runs_in_memory() {
        let conn = crate::store::open_in_memory().expect("store");
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TEMP TABLE scratch (a);
             INSERT INTO scratch VALUES (1);
             CREATE TABLE t (k TEXT);
             INSERT INTO t VALUES ('b'), ('a');",
        )
        .expect("rows");
        let during = temp_store_while_indexing(&conn);
        assert_eq!(during, MEMORY);
        let first: String = conn
            .query_row(
                "SELECT k FROM t INDEXED BY t_by_k ORDER BY k LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("first");
        assert_eq!(first, "a");
        conn.execute_batch("COMMIT").expect("commit");
    }
}
