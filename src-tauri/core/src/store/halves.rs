//! Long reads split over the machine's two cores. A read of many keys
//! spread over a large encrypted store spends most of its time decrypting
//! and authenticating pages one by one (the briefing's birth dates at 10
//! million bookings: every page of the person table, about 1.5 s), and
//! SQLite gives one connection one thread. The second half of the keys is
//! read on a second, read-only connection to the same file.
//!
//! The halves each see the store as committed when they began: only for
//! reads where a write committed between the two starts changes nothing a
//! reader relies on (a figure a moment newer). Reads that must agree with
//! each other (the checks' two passes) use [`read_beside_at_one_moment`].

use super::{configure_shared, encryption};
use crate::error::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Below this many keys a second connection (opened, keyed, its cache
/// empty) costs more than the half it saves. Under test it is 2, so each
/// caller's own tests (the briefing's age table against its oracle) read
/// in halves too.
const SPLIT_FROM: usize = if cfg!(test) { 2 } else { 20_000 };

/// `read` over `keys` (sorted, so each half reads its own part of an
/// index), the first half on `conn` and the second on another connection
/// at once; the two results in key order. One pass on `conn` when the keys
/// are few or the store has no file (in memory).
pub(crate) fn read_in_halves<K: Sync, R: Send>(
    conn: &Connection,
    keys: &[K],
    read: impl Fn(&Connection, &[K]) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let Some(path) = file_of(conn).filter(|_| keys.len() >= SPLIT_FROM) else {
        return Ok(vec![read(conn, keys)?]);
    };
    let cache_size = cache_size_of(conn)?;
    let (first, second) = keys.split_at(keys.len() / 2);
    let (second, first) = at_once(
        || read(&open_reader(path, cache_size)?, second),
        || read(conn, first),
    )?;
    Ok(vec![first, second])
}

/// `aside` on another connection to the store, at the same time as `here`
/// on `conn`: their two results. One after the other on `conn` when the
/// store has no file (in memory). The same caution as the halves: for
/// figures that may be a moment apart.
pub(crate) fn read_beside<A: Send, H>(
    conn: &Connection,
    aside: impl FnOnce(&Connection) -> Result<A> + Send,
    here: impl FnOnce(&Connection) -> Result<H>,
) -> Result<(A, H)> {
    let Some(path) = file_of(conn) else {
        return Ok((aside(conn)?, here(conn)?));
    };
    let cache_size = cache_size_of(conn)?;
    at_once(|| aside(&open_reader(path, cache_size)?), || here(conn))
}

/// `aside` on a thread of its own while `here` runs on this one; both
/// results, or the first error (a panic aside is raised here).
fn at_once<A: Send, H>(
    aside: impl FnOnce() -> Result<A> + Send,
    here: impl FnOnce() -> Result<H>,
) -> Result<(A, H)> {
    std::thread::scope(|scope| {
        let aside = scope.spawn(aside);
        let here = here();
        let aside = aside
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((aside?, here?))
    })
}

/// [`read_beside`] for results that must agree with each other (the
/// checks' capacity and people passes): both connections read the store
/// as it stood at one moment. For the instant the two reads begin, a third
/// connection holds the write lock, so no write can commit between their
/// starts. When another process holds that lock (an import holds it for
/// minutes), when `conn` is inside a transaction already, or when the
/// store has no file, the two run one after the other on `conn`, in one
/// read transaction.
pub(crate) fn read_beside_at_one_moment<A: Send, H>(
    conn: &Connection,
    aside: impl FnOnce(&Connection) -> Result<A> + Send,
    here: impl FnOnce(&Connection) -> Result<H>,
) -> Result<(A, H)> {
    let moment = match file_of(conn).filter(|_| conn.is_autocommit()) {
        Some(path) => hold_writes(path)?.map(|holder| (path, holder)),
        None => None,
    };
    let Some((path, holder)) = moment else {
        return super::read_snapshot(conn, || Ok((aside(conn)?, here(conn)?)));
    };
    let other = open_reader(path, cache_size_of(conn)?)?;
    let began = begin_reading(conn).and_then(|()| begin_reading(&other));
    // The moment is fixed: writers may go on.
    drop(holder);
    let out = began.and_then(|()| at_once(move || aside(&other), || here(conn)));
    // A read transaction has nothing to keep: ending it either way is the same.
    if !conn.is_autocommit() {
        conn.execute_batch("COMMIT")?;
    }
    out
}

/// The store's write lock, held by a connection of its own until dropped
/// (rolled back: it writes nothing); `None` at once when another
/// connection holds it.
fn hold_writes(path: &Path) -> Result<Option<Connection>> {
    let conn = open_keyed(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(std::time::Duration::ZERO)?;
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => Ok(Some(conn)),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Begins a read transaction and takes its snapshot now (SQLite takes it
/// at the first read, not at BEGIN).
fn begin_reading(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN DEFERRED")?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(())
}

fn file_of(conn: &Connection) -> Option<&Path> {
    conn.path().filter(|p| !p.is_empty()).map(Path::new)
}

fn cache_size_of(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?)
}

/// A read-only connection to the store at `path`, which this process has
/// open already (checked, migrated, unlocked), with `cache_size`.
fn open_reader(path: &Path, cache_size: i64) -> Result<Connection> {
    let mut conn = open_keyed(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    configure_shared(&mut conn, cache_size)?;
    Ok(conn)
}

/// Another connection to the store at `path`, which this process has
/// unlocked already, with the store's key applied.
fn open_keyed(path: &Path, mode: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    if let Some(key) = encryption::unlocked_key(path) {
        encryption::apply_key(&conn, &key)?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An encrypted store (the second connection must be keyed too) holding
    /// `numbers`: v = 3k for k in 1..=n.
    fn store_with_numbers(dir: &Path, n: i64) -> Connection {
        let path = dir.join("halves.sqlite3");
        encryption::create(&path, "manager", "correct horse battery").expect("create");
        let conn = crate::store::open(&path).expect("open");
        conn.execute_batch("CREATE TABLE numbers (k INTEGER PRIMARY KEY, v INTEGER)")
            .expect("table");
        conn.execute(
            "WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < ?1)
             INSERT INTO numbers SELECT k, k * 3 FROM s",
            [n],
        )
        .expect("fill");
        conn
    }

    fn sum_of(conn: &Connection, keys: &[i64]) -> Result<i64> {
        let mut stmt = conn.prepare_cached("SELECT v FROM numbers WHERE k = ?1")?;
        let mut sum = 0;
        for k in keys {
            sum += stmt.query_row([k], |r| r.get::<_, i64>(0))?;
        }
        Ok(sum)
    }

    #[test]
    fn many_keys_are_read_on_two_connections_and_every_key_counts_once() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 50_000);
        let keys: Vec<i64> = (1..=50_000).collect();
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let parts = read_in_halves(&conn, &keys, |c, part| {
            threads
                .lock()
                .expect("lock")
                .insert(std::thread::current().id());
            sum_of(c, part)
        })
        .expect("read");
        assert_eq!(parts.len(), 2);
        assert_eq!(threads.into_inner().expect("lock").len(), 2);
        // v = 3k: the sum over 1..=n is 3 n (n + 1) / 2.
        assert_eq!(parts.iter().sum::<i64>(), 3 * 50_000 * 50_001 / 2);
        // The first half is the lower keys.
        assert_eq!(parts[0], 3 * 25_000 * 25_001 / 2);
    }

    #[test]
    fn few_keys_or_an_in_memory_store_read_on_the_one_connection() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 100);
        let parts = read_in_halves(&conn, &[100], sum_of).expect("read");
        assert_eq!(parts, vec![300]);

        let memory = crate::store::open_in_memory().expect("memory");
        memory
            .execute_batch("CREATE TABLE numbers (k INTEGER PRIMARY KEY, v INTEGER)")
            .expect("table");
        memory
            .execute(
                "WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < 30000)
                 INSERT INTO numbers SELECT k, k * 3 FROM s",
                [],
            )
            .expect("fill");
        let keys: Vec<i64> = (1..=30_000).collect();
        let parts = read_in_halves(&memory, &keys, sum_of).expect("read");
        assert_eq!(parts, vec![3 * 30_000 * 30_001 / 2]);
    }

    #[test]
    fn a_read_beside_runs_on_its_own_connection_and_thread() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 100);
        let here_thread = std::thread::current().id();
        let (aside, here) = read_beside(
            &conn,
            |other| {
                assert_ne!(std::thread::current().id(), here_thread);
                // Read-only: the figures' connection never writes.
                assert!(other.execute("DELETE FROM numbers", []).is_err());
                sum_of(other, &[1, 2, 3])
            },
            |conn| sum_of(conn, &[100]),
        )
        .expect("read");
        assert_eq!((aside, here), (18, 300));

        let memory = crate::store::open_in_memory().expect("memory");
        let (a, h) = read_beside(&memory, one, one).expect("in memory");
        assert_eq!((a, h), (1, 1));
    }

    fn one(conn: &Connection) -> Result<i64> {
        Ok(conn.query_row("SELECT 1", [], |r| r.get(0))?)
    }

    #[test]
    fn a_failing_half_fails_the_read() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 30_000);
        // Key 29,999 is in the second half and has no row.
        conn.execute("DELETE FROM numbers WHERE k = 29999", [])
            .expect("delete");
        let keys: Vec<i64> = (1..=30_000).collect();
        assert!(read_in_halves(&conn, &keys, sum_of).is_err());
    }

    fn total(conn: &Connection) -> Result<i64> {
        Ok(conn.query_row("SELECT sum(v) FROM numbers", [], |r| r.get(0))?)
    }

    /// Both sides read the moment they began at: a write committed once
    /// they have begun is seen by neither, however late a side reads. (That
    /// no write commits between their two starts rests on the write lock
    /// held meanwhile, an instant no test can widen.)
    #[test]
    fn both_sides_read_the_store_as_it_was_when_they_began() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 10);
        let writer = crate::store::open(&dir.path().join("halves.sqlite3")).expect("writer");
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let note_thread = || {
            threads
                .lock()
                .expect("lock")
                .insert(std::thread::current().id())
        };
        let (aside, here) = read_beside_at_one_moment(
            &conn,
            |other| {
                note_thread();
                // Reads well after `here` has committed its write.
                std::thread::sleep(std::time::Duration::from_millis(300));
                total(other)
            },
            |conn| {
                note_thread();
                writer.execute("UPDATE numbers SET v = v + 1", [])?;
                total(conn)
            },
        )
        .expect("read");
        // v = 3k over k in 1..=10: 165 before the write, 175 after it.
        assert_eq!((aside, here), (165, 165));
        assert_eq!(threads.lock().expect("lock").len(), 2);
        assert_eq!(
            total(&conn).expect("after"),
            175,
            "the write is there after"
        );
        assert!(conn.is_autocommit(), "the read transaction was left open");
    }

    /// While another connection writes (an import holds the lock for
    /// minutes), the two sides do not wait: they run one after the other on
    /// the caller's connection, in one read transaction.
    #[test]
    fn with_a_writer_at_work_both_sides_run_on_the_one_connection() {
        let dir = tempfile::tempdir().expect("dir");
        let conn = store_with_numbers(dir.path(), 10);
        let writer = crate::store::open(&dir.path().join("halves.sqlite3")).expect("writer");
        writer.execute_batch("BEGIN IMMEDIATE").expect("lock");
        writer
            .execute("UPDATE numbers SET v = v + 1", [])
            .expect("uncommitted write");
        let here_thread = std::thread::current().id();
        let (aside, here) = read_beside_at_one_moment(
            &conn,
            |c| {
                assert_eq!(std::thread::current().id(), here_thread);
                total(c)
            },
            total,
        )
        .expect("read");
        assert_eq!((aside, here), (165, 165));
        assert!(conn.is_autocommit());
        writer.execute_batch("COMMIT").expect("commit");

        let memory = crate::store::open_in_memory().expect("memory");
        let (a, h) = read_beside_at_one_moment(&memory, one, one).expect("in memory");
        assert_eq!((a, h), (1, 1));
    }
}
