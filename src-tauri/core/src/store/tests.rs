use super::*;
use std::fs;

fn schema_of(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, ifnull(sql, '') FROM sqlite_schema ORDER BY name")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

#[test]
fn new_database_is_migrated_and_marked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub/dir/new.sqlite3");
    let conn = open(&path).expect("open");
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("app id");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("fk");
    assert_eq!(
        (app, version, mode.as_str(), fk),
        (APPLICATION_ID, SCHEMA_VERSION, "wal", 1)
    );
    drop(conn);
    // Reopening is a no-op.
    open(&path).expect("reopen");
}

#[test]
fn every_upgrade_path_matches_a_fresh_schema() {
    let fresh = open_in_memory().expect("fresh");
    let want = schema_of(&fresh);
    // From version 1: "version 0" is no file at all, a new store, made by
    // `create_new` (an empty file is refused, tested below).
    for start in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.sqlite3");
        {
            let old = Connection::open(&path).expect("old");
            for sql in &MIGRATIONS[..start as usize] {
                old.execute_batch(sql).expect("old migration");
            }
            if start > 0 {
                old.pragma_update(None, "application_id", APPLICATION_ID)
                    .expect("id");
                old.pragma_update(None, "user_version", start).expect("v");
            }
        }
        let upgraded = open(&path).expect("upgrade");
        assert_eq!(schema_of(&upgraded), want, "upgrade from version {start}");
    }
}

/// Schema 16 rebuilt the tally table (its key now leads with the date):
/// every tally, its history, its hold or withdrawal and the daily totals
/// come through as they were, and the new key still refuses a second
/// tally under the same key.
#[test]
fn the_tally_table_rebuilt_at_schema_16_keeps_every_tally_and_its_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v15.sqlite3");
    let dump = |conn: &Connection, sql: &str| -> Vec<Vec<String>> {
        let mut stmt = conn.prepare(sql).expect("prepare");
        let width = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..width)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .expect("query");
        rows.collect::<rusqlite::Result<_>>().expect("rows")
    };
    let tallies = "SELECT * FROM dose_count ORDER BY id";
    let history = "SELECT * FROM dose_count_history ORDER BY id";
    let days = "SELECT * FROM site_day ORDER BY site_id, date";
    let before = {
        let old = Connection::open(&path).expect("old");
        for sql in &MIGRATIONS[..15] {
            old.execute_batch(sql).expect("old migration");
        }
        old.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("id");
        old.pragma_update(None, "user_version", 15).expect("v");
        old.execute_batch(
            "INSERT INTO site (id, uuid, code, name, kind, updated_at) VALUES
                 (1, x'01', 'A', 'Site A', 'mass_clinic', 't0'), (2, x'02', 'B', 'Site B', 'pharmacy', 't0');
             INSERT INTO dose_count (id, uuid, site_id, date, shift, dose_number, product, doses,
                                     source, updated_at, withdrawn_at, held_at) VALUES
                 (1, x'11', 2, '2021-05-02', 'am', 1, 'PFIZER', 40, 'import', 't1', NULL, NULL),
                 (2, x'12', 1, '2021-05-01', '', 2, '', 25, 'local', 't1', NULL, NULL),
                 (3, x'13', 1, '2021-05-02', 'pm', 1, 'MODERNA', 9000, 'import', 't1', NULL, 't2'),
                 (7, x'17', 2, '2021-05-01', 'am', 1, 'PFIZER', 12, 'import', 't1', 't3', NULL),
                 (8, x'18', 1, '2021-05-02', 'am', 1, 'PFIZER', 30, 'import', 't1', NULL, NULL);
             INSERT INTO dose_count_history (id, dose_count_id, doses, source, replaced_at) VALUES
                 (1, 8, 300, 'import', 't2'), (2, 8, 31, 'local', 't3'), (5, 2, 20, 'import', 't2');
             DELETE FROM sync_change;",
        )
        .expect("tallies at schema 15");
        [tallies, history, days].map(|sql| dump(&old, sql))
    };
    assert_eq!(before[0].len(), 5, "{:?}", before[0]);
    assert!(!before[2].is_empty(), "the triggers made no daily totals");

    let upgraded = open(&path).expect("upgrade");
    let after = [tallies, history, days].map(|sql| dump(&upgraded, sql));
    assert_eq!(after, before);
    let problems = dump(&upgraded, "PRAGMA foreign_key_check");
    assert!(problems.is_empty(), "{problems:?}");
    // Dose 1 of this key is tally 8; dose 2 is a key of its own.
    let tally_of_five = |dose_number: i64| {
        upgraded.execute(
            "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, updated_at)
             VALUES (x'99', 1, '2021-05-02', 'am', ?1, 'PFIZER', 5, 't4')",
            [dose_number],
        )
    };
    assert!(
        tally_of_five(1).is_err(),
        "a second tally under one key was taken"
    );
    // The triggers came back with the table: a new tally counts in its day.
    tally_of_five(2).expect("a new key");
    let day: i64 = upgraded
        .query_row(
            "SELECT administered FROM site_day WHERE site_id = 1 AND date = '2021-05-02'",
            [],
            |r| r.get(0),
        )
        .expect("day");
    assert_eq!(
        day,
        30 + 5,
        "the held 9000 counts nowhere; the new 5 counts"
    );
    let changes: i64 = upgraded
        .query_row(
            "SELECT count(*) FROM sync_change WHERE tbl = 'dose_count'",
            [],
            |r| r.get(0),
        )
        .expect("changes");
    assert_eq!(
        changes, 1,
        "only the new tally is recorded for sync, not the rebuilt ones"
    );
}

#[test]
fn an_upgrade_is_announced_once_and_a_new_or_current_store_is_not() {
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    on_upgrade(|notice| SAID.lock().expect("said").push(notice.to_owned()));
    let said_of = |path: &Path| -> Vec<String> {
        let name = path.display().to_string();
        let said = SAID.lock().expect("said");
        said.iter().filter(|n| n.contains(&name)).cloned().collect()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let old_path = dir.path().join("old.sqlite3");
    {
        let old = Connection::open(&old_path).expect("old");
        let start = SCHEMA_VERSION - 1;
        for sql in &MIGRATIONS[..start as usize] {
            old.execute_batch(sql).expect("old migration");
        }
        old.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("id");
        old.pragma_update(None, "user_version", start).expect("v");
    }
    drop(open(&old_path).expect("upgrade"));
    drop(open(&old_path).expect("open again, current"));
    let said = said_of(&old_path);
    assert_eq!(said.len(), 1, "{said:?}");
    let want = format!("schema {} to {SCHEMA_VERSION}", SCHEMA_VERSION - 1);
    assert!(said[0].contains(&want), "{said:?}");

    let new_path = dir.path().join("new.sqlite3");
    drop(open(&new_path).expect("new"));
    assert!(said_of(&new_path).is_empty());
}

fn assert_refused_untouched(path: &Path, want_code: &str) {
    let before = fs::read(path).expect("read before");
    let err = open(path).expect_err("must refuse");
    assert_eq!(err.code(), want_code, "{err}");
    assert!(err.to_string().contains("not changed"), "{err}");
    assert_eq!(fs::read(path).expect("read after"), before, "file modified");
    let wal = path.with_extension("sqlite3-wal");
    assert!(
        !wal.exists(),
        "a WAL file was created beside a refused database"
    );
}

#[test]
fn refuses_a_newer_schema_without_touching_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("newer.sqlite3");
    {
        let conn = open(&path).expect("open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
        conn.pragma_update(None, "journal_mode", "DELETE")
            .expect("leave WAL so the file is self-contained");
    }
    assert_refused_untouched(&path, "schema_too_new");
}

#[test]
fn refuses_another_applications_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.sqlite3");
    Connection::open(&path)
        .expect("other")
        .execute_batch("CREATE TABLE recipes (name TEXT)")
        .expect("create");
    assert_refused_untouched(&path, "not_dosedesk");
}

#[test]
fn refuses_a_corrupt_file_and_keeps_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(&path, &garbage).expect("write");
    assert_refused_untouched(&path, "corrupt_database");
}

/// An empty file at a store's path is a store that lost its contents (or
/// not ours): it once silently became a new, empty store.
#[test]
fn an_empty_file_is_refused_not_made_a_new_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.sqlite3");
    fs::write(&path, b"").expect("write");
    assert_refused_untouched(&path, "corrupt_database");
    let err = open(&path).expect_err("empty");
    assert!(err.to_string().contains("it is empty"), "{err}");
}

#[test]
fn a_folder_is_refused_with_its_own_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = open(dir.path()).expect_err("a folder");
    assert!(
        err.to_string()
            .contains("is a folder, not a DoseDesk store"),
        "{err}"
    );
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing written in it"
    );
}

/// A current store missing a table, an index or a trigger is refused before
/// anything writes to it (it was switched to WAL first, then failed).
#[test]
fn a_store_missing_part_of_its_schema_is_refused_untouched() {
    for (drop, missing) in [
        ("DROP TABLE contact_attempt", "table contact_attempt"),
        (
            "DROP INDEX appointment_by_site_slot",
            "index appointment_by_site_slot",
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("damaged.sqlite3");
        {
            let conn = open(&path).expect("open");
            conn.execute_batch(drop).expect(drop);
            conn.pragma_update(None, "journal_mode", "DELETE")
                .expect("leave WAL so the file is self-contained");
        }
        assert_refused_untouched(&path, "corrupt_database");
        let err = open(&path).expect_err("damaged");
        assert!(
            err.to_string()
                .contains(&format!("its {missing} is missing")),
            "{err}"
        );
    }
}

/// Many processes opening the same new store at once all get it, migrated
/// once, and no temporary file is left (36 of 1,200 first opens failed in a
/// probe; an empty file could also be seen half-made).
#[test]
fn simultaneous_first_opens_all_get_the_one_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.sqlite3");
    std::thread::scope(|s| {
        let opens: Vec<_> = (0..16)
            .map(|_| s.spawn(|| open(&path).map(|_| ())))
            .collect();
        for o in opens {
            o.join()
                .expect("thread")
                .expect("every first open succeeds");
        }
    });
    let left: Vec<String> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".new"))
        .collect();
    assert!(left.is_empty(), "temporary stores left: {left:?}");
    let conn = open(&path).expect("reopen");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM product", [], |r| r.get(0))
        .expect("products");
    assert_eq!(n, 3, "built-in products, once");
}

#[test]
fn meta_round_trips() {
    let conn = open_in_memory().expect("open");
    assert_eq!(meta_get(&conn, "demo").expect("get"), None);
    meta_set(&conn, "demo", "1").expect("set");
    meta_set(&conn, "demo", "2").expect("set again");
    assert_eq!(meta_get(&conn, "demo").expect("get").as_deref(), Some("2"));
}

#[test]
fn a_cached_statement_is_reused_as_prepared_whatever_it_was_bound_to() {
    // The shape of the rebooking desk's free-place count: planning its
    // `site_id = ?1` once marked it to be planned again at every new value.
    let conn = open_in_memory().expect("open");
    let sql = "SELECT (slot_minute - ?2) / 5, count(*) FROM appointment
               WHERE site_id = ?1 AND slot_minute >= ?2 AND slot_minute < ?3
                 AND (status = 'booked' OR status = 'attended') GROUP BY 1";
    for (site, day) in [(1, 0), (7, 1440), (0, 2880), (12, 1440)] {
        let mut stmt = conn.prepare_cached(sql).expect("prepare");
        let rows = stmt
            .query_map(rusqlite::params![site, day, day + 1440], |_| Ok(()))
            .expect("query")
            .count();
        assert_eq!(rows, 0, "an empty store");
    }
    let stmt = conn.prepare_cached(sql).expect("the cached statement");
    assert_eq!(stmt.get_status(rusqlite::StatementStatus::Run), 4);
    assert_eq!(
        stmt.get_status(rusqlite::StatementStatus::RePrepare),
        0,
        "re-planned on reuse"
    );
}

mod sync_capture {
    use crate::import::{import_file, ImportKind};
    use crate::store::sync_log;

    fn ranges(conn: &rusqlite::Connection, table: &str) -> Vec<(i64, i64)> {
        sync_log::changed_ranges(conn, table, i64::MAX).expect("ranges")
    }

    #[test]
    fn a_bulk_load_records_one_range_and_a_single_write_one_row() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = crate::store::open(&dir.path().join("s.sqlite3")).expect("open");
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        };
        let sites = write(
            "sites.csv",
            "site_code,name,kind\nAAA,A,mass_clinic\nBBB,B,pharmacy\n",
        );
        let mut bookings = String::from(
            "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status\n",
        );
        for k in 0..500 {
            bookings.push_str(&format!(
                "B{k},P{k},613-555-0000,AAA,2021-04-01T09:00,1,PFIZER,booked\n"
            ));
        }
        let bookings = write("bookings.csv", &bookings);
        import_file(&mut conn, ImportKind::Sites, &sites, &crate::job::Quiet).expect("sites");
        import_file(
            &mut conn,
            ImportKind::Bookings,
            &bookings,
            &crate::job::Quiet,
        )
        .expect("bookings");
        // The bulk load wrote 500 rows and recorded one range, not 500 rows
        // (nor, through the people it wrote, their bookings again).
        let rows: Vec<(String, i64, i64)> = {
            let mut stmt = conn
                .prepare("SELECT tbl, lo, hi FROM sync_change WHERE tbl = 'appointment'")
                .expect("q");
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("rows")
                .map(|r| r.expect("row"))
                .collect()
        };
        assert_eq!(rows, vec![("appointment".to_string(), 1, 500)]);
        assert_eq!(ranges(&conn, "site"), vec![(1, 2)]);
        // The triggers are back: a single change records its row.
        conn.execute(
            "UPDATE appointment SET status = 'cancelled' WHERE booking_id = 'B7'",
            [],
        )
        .expect("cancel");
        let before = sync_log::pending_count(&conn).expect("count");
        assert_eq!(
            ranges(&conn, "appointment"),
            vec![(1, 500)],
            "the merged ranges cover it"
        );
        conn.execute(
            "UPDATE person SET phone = '613-555-9999' WHERE person_id = 'P600'",
            [],
        )
        .expect("none");
        assert_eq!(
            sync_log::pending_count(&conn).expect("count"),
            before,
            "no such person, nothing recorded"
        );
        // A silenced write (a pull's) records nothing.
        let tx = conn.transaction().expect("tx");
        sync_log::quiet(&tx).expect("quiet");
        tx.execute("UPDATE site SET name = 'Arena' WHERE code = 'AAA'", [])
            .expect("rename");
        sync_log::loud(&tx).expect("loud");
        tx.commit().expect("commit");
        assert_eq!(sync_log::pending_count(&conn).expect("count"), before);
        // Forgetting up to a watermark keeps what came after it.
        let mark = sync_log::watermark(&conn).expect("mark");
        conn.execute("UPDATE site SET name = 'Hall' WHERE code = 'BBB'", [])
            .expect("rename");
        sync_log::forget_changes(&conn, mark).expect("forget");
        assert_eq!(ranges(&conn, "site"), vec![(2, 2)]);
        assert_eq!(ranges(&conn, "appointment"), Vec::<(i64, i64)>::new());
    }
}

/// The store, its -wal and -shm, and a folder made for it are their
/// owner's only (they were 0644 and world-readable); a store found
/// world-readable is tightened when opened.
#[test]
fn the_store_and_its_companions_are_their_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("unit/site/store.sqlite3");
    let conn = open(&path).expect("open");
    conn.execute_batch("INSERT INTO meta (key, value) VALUES ('private', 'yes')")
        .expect("a write makes the WAL");
    for companion in ["store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"] {
        let p = path.with_file_name(companion);
        assert_eq!(mode(&p), 0o600, "{companion}: {:o}", mode(&p));
    }
    assert_eq!(mode(&dir.path().join("unit/site")), 0o700);
    assert_eq!(mode(&dir.path().join("unit")), 0o700);
    drop(conn);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    drop(open(&path).expect("reopen"));
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn many_processes_opening_a_new_store_at_once_all_get_it() {
    // Each thread stands for a process (the app and CLI commands started
    // together): every first open of the same new path must succeed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("together.sqlite3");
    let openers = 48;
    let start = std::sync::Barrier::new(openers);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..openers)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    open(&path).and_then(|c| {
                        meta_set(&c, "opened", "yes")?;
                        Ok(())
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join().expect("opener thread") {
                Ok(()) => None,
                Err(e) => Some(e.to_string()),
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
}

static LOCK_NOTICES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn a_write_waits_for_a_long_import_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("busy.sqlite3");
    drop(open(&path).expect("create"));
    on_lock_wait(|_| {
        LOCK_NOTICES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    // Another process's import holds the write lock longer than SQLite's
    // usual timeouts (this store's was ten seconds).
    let held = std::time::Duration::from_secs(11);
    let locked = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let import = open(&path).expect("importer");
            import.execute_batch("BEGIN IMMEDIATE").expect("lock");
            meta_set(&import, "import", "running").expect("write");
            locked.wait();
            std::thread::sleep(held);
            import.execute_batch("COMMIT").expect("commit");
        });
        locked.wait();
        let started = std::time::Instant::now();
        let desk = open(&path).expect("the desk opens while the import runs");
        meta_set(&desk, "booking", "made").expect("the desk's write waits, then lands");
        assert!(started.elapsed() >= held - std::time::Duration::from_secs(1));
    });
    assert_eq!(LOCK_NOTICES.load(std::sync::atomic::Ordering::SeqCst), 1);
    let conn = open(&path).expect("reopen");
    assert_eq!(
        meta_get(&conn, "booking").expect("read").as_deref(),
        Some("made")
    );
    assert_eq!(
        meta_get(&conn, "import").expect("read").as_deref(),
        Some("running")
    );
}

#[test]
fn a_lock_held_past_patience_is_a_clear_busy_error() {
    let e: Error =
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None)
            .into();
    assert_eq!(e.code(), "store_busy");
    assert!(
        e.to_string().contains("another DoseDesk window or command"),
        "{e}"
    );
    assert!(e.to_string().contains("15 minutes"), "{e}");
    // Refused at once (no wait would help): not said to have waited.
    let e: Error = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY_SNAPSHOT),
        None,
    )
    .into();
    assert_eq!(e.code(), "store_busy");
    assert!(e.to_string().contains("changed the store while"), "{e}");
    assert!(!e.to_string().contains("minutes"), "{e}");
}
