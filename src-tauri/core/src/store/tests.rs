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
    for start in 0..SCHEMA_VERSION {
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

#[test]
fn an_empty_file_becomes_a_new_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.sqlite3");
    fs::write(&path, b"").expect("write");
    let conn = open(&path).expect("open empty");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM product", [], |r| r.get(0))
        .expect("products");
    assert_eq!(n, 3, "built-in products");
}

#[test]
fn meta_round_trips() {
    let conn = open_in_memory().expect("open");
    assert_eq!(meta_get(&conn, "demo").expect("get"), None);
    meta_set(&conn, "demo", "1").expect("set");
    meta_set(&conn, "demo", "2").expect("set again");
    assert_eq!(meta_get(&conn, "demo").expect("get").as_deref(), Some("2"));
}
