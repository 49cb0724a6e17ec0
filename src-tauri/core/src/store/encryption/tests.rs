use super::*;
use crate::import::{import_file, ImportKind};
use rusqlite::types::Value;
use rusqlite::Connection;

const PASSPHRASE: &str = "correct horse battery";
// Values found nowhere else: a byte search that finds them found
// personal health information.
const PERSON: &str = "QZPERSON7431";
const PHONE: &str = "613-555-0147";
const FAMILY_NAME: &str = "Qzandervilliers";

fn load_people(conn: &mut Connection, dir: &Path) {
    let sites = dir.join("sites.csv");
    std::fs::write(&sites, "site_code,name,kind\nAAA,Arena,mass_clinic\n").expect("write");
    let mut text = String::from(
        "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status,family_name\n",
    );
    text.push_str(&format!(
        "B0,{PERSON},{PHONE},AAA,2021-04-01T09:00,1,PFIZER,booked,{FAMILY_NAME}\n"
    ));
    for k in 1..300 {
        text.push_str(&format!(
            "B{k},P{k},613-555-{:04},AAA,2021-04-01T09:00,1,PFIZER,booked,Smith\n",
            k % 10_000
        ));
    }
    let bookings = dir.join("bookings.csv");
    std::fs::write(&bookings, text).expect("write");
    import_file(conn, ImportKind::Sites, &sites, &crate::job::Quiet).expect("sites");
    import_file(conn, ImportKind::Bookings, &bookings, &crate::job::Quiet).expect("bookings");
    // The CSVs hold the values in the clear; they are not the store's.
    std::fs::remove_file(sites).expect("rm");
    std::fs::remove_file(bookings).expect("rm");
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if std::fs::read(&path)
                .expect("read")
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

fn people(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM person", [], |r| r.get(0))
        .expect("count")
}

/// Every table's rows, each table's sorted, read by plain SQL.
fn dump(conn: &Connection) -> Vec<(String, Vec<String>)> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("q")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).expect("q");
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|c| r.get::<_, Value>(c))
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .expect("rows")
                .map(|r| format!("{:?}", r.expect("row")))
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

#[test]
fn an_encrypted_store_and_its_wal_hold_no_person_id_or_phone() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    create(&path, "manager", PASSPHRASE).expect("create");
    let mut conn = crate::store::open(&path).expect("open");
    load_people(&mut conn, dir.path());
    // The connection is still open: the import's pages are in the WAL.
    let wal = dir.path().join("s.sqlite3-wal");
    assert!(
        std::fs::metadata(&wal).expect("wal").len() > 0,
        "the WAL holds the import"
    );
    assert_eq!(kind(&path), StoreKind::Encrypted);
    assert_eq!(files_holding(dir.path(), PERSON), Vec::<PathBuf>::new());
    assert_eq!(files_holding(dir.path(), PHONE), Vec::<PathBuf>::new());
    assert_eq!(
        files_holding(dir.path(), FAMILY_NAME),
        Vec::<PathBuf>::new()
    );
    drop(conn);
    assert_eq!(files_holding(dir.path(), PERSON), Vec::<PathBuf>::new());

    // The same search finds them in a plain store: it can fail.
    let plain_dir = tempfile::tempdir().expect("dir");
    let mut plain = crate::store::open(&plain_dir.path().join("p.sqlite3")).expect("open");
    load_people(&mut plain, plain_dir.path());
    assert!(!files_holding(plain_dir.path(), PERSON).is_empty());
    assert!(!files_holding(plain_dir.path(), PHONE).is_empty());
    assert!(!files_holding(plain_dir.path(), FAMILY_NAME).is_empty());
}

#[test]
fn an_encrypted_store_opens_only_with_a_users_passphrase() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    create(&path, "manager", PASSPHRASE).expect("create");
    load_people(&mut crate::store::open(&path).expect("open"), dir.path());
    forget(&path); // a new process, as it were

    let locked = crate::store::open(&path).expect_err("locked");
    assert_eq!(locked.code(), "store_locked", "{locked}");
    assert!(locked.to_string().contains("--passphrase-file"), "{locked}");
    for (user, passphrase) in [("manager", "not the passphrase"), ("stranger", PASSPHRASE)] {
        let refused = unlock(&path, user, passphrase).expect_err("wrong");
        assert_eq!(refused.code(), "wrong_passphrase");
        assert_eq!(
            crate::store::open(&path).expect_err("still locked").code(),
            "store_locked"
        );
    }
    unlock(&path, "manager", PASSPHRASE).expect("unlock");
    let conn = crate::store::open(&path).expect("open");
    assert_eq!(people(&conn), 300);
    // SQLCipher's own check reads and authenticates every page.
    let check: String = conn
        .query_row("PRAGMA cipher_integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|_| "ok".into());
    assert_eq!(check, "ok");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");
}

#[test]
fn a_passphrase_change_rewraps_the_key_and_leaves_the_store_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    create(&path, "manager", PASSPHRASE).expect("create");
    load_people(&mut crate::store::open(&path).expect("open"), dir.path());
    let before = std::fs::read(&path).expect("read");
    let short = change_passphrase(&path, "manager", PASSPHRASE, "short").expect_err("short");
    assert_eq!(short.code(), "invalid_input");
    change_passphrase(&path, "manager", PASSPHRASE, "a new and longer one").expect("change");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "not re-encrypted"
    );
    forget(&path);
    assert_eq!(
        unlock(&path, "manager", PASSPHRASE)
            .expect_err("old")
            .code(),
        "wrong_passphrase"
    );
    unlock(&path, "manager", "a new and longer one").expect("new");
    assert_eq!(people(&crate::store::open(&path).expect("open")), 300);
}

#[test]
fn a_key_file_entry_renamed_to_another_user_does_not_unwrap() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    create(&path, "manager", PASSPHRASE).expect("create");
    drop(crate::store::open(&path).expect("open"));
    let keys = keyring_path(&path);
    let text = std::fs::read_to_string(&keys).expect("keys");
    assert!(text.contains("\"manager\""));
    std::fs::write(&keys, text.replace("\"manager\"", "\"mallory\"")).expect("edit");
    forget(&path);
    assert_eq!(
        unlock(&path, "mallory", PASSPHRASE)
            .expect_err("moved")
            .code(),
        "wrong_passphrase"
    );
}

#[test]
fn a_plain_store_is_encrypted_in_place_with_every_row_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    let original = {
        let mut conn = crate::store::open(&path).expect("open");
        load_people(&mut conn, dir.path());
        conn.execute_batch("ANALYZE").expect("analyze"); // statistics tables copy too
        dump(&conn)
    };
    assert!(
        !files_holding(dir.path(), PERSON).is_empty(),
        "plain to begin with"
    );

    let done = encrypt_in_place(&path, "manager", PASSPHRASE).expect("encrypt");
    assert!(done.tables >= 20, "{done:?}");
    let rows: usize = original.iter().map(|(_, rows)| rows.len()).sum();
    assert!(
        done.rows as usize >= 600 && done.rows as usize <= rows,
        "{done:?} of {rows}"
    );
    assert_eq!(kind(&path), StoreKind::Encrypted);
    assert_eq!(files_holding(dir.path(), PERSON), Vec::<PathBuf>::new());
    assert_eq!(files_holding(dir.path(), PHONE), Vec::<PathBuf>::new());
    assert_eq!(
        files_holding(dir.path(), FAMILY_NAME),
        Vec::<PathBuf>::new()
    );

    forget(&path);
    assert_eq!(
        crate::store::open(&path).expect_err("locked").code(),
        "store_locked"
    );
    unlock(&path, "manager", PASSPHRASE).expect("unlock");
    let conn = crate::store::open(&path).expect("open");
    assert_eq!(dump(&conn), original);
    // Converting again is refused, the store unchanged.
    drop(conn);
    let before = std::fs::read(&path).expect("read");
    let again = encrypt_in_place(&path, "manager", PASSPHRASE).expect_err("again");
    assert_eq!(again.code(), "invalid_input");
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn a_conversion_while_the_store_is_open_elsewhere_leaves_it_plain() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    let mut other = crate::store::open(&path).expect("open");
    load_people(&mut other, dir.path());
    let refused = encrypt_in_place(&path, "manager", PASSPHRASE).expect_err("open elsewhere");
    assert_eq!(refused.code(), "store_busy", "{refused}");
    assert_eq!(kind(&path), StoreKind::Plain);
    assert_eq!(people(&other), 300);
    drop(other);
    encrypt_in_place(&path, "manager", PASSPHRASE).expect("once closed");
    assert_eq!(people(&crate::store::open(&path).expect("open")), 300);
}

#[test]
fn a_store_without_its_key_file_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s.sqlite3");
    create(&path, "manager", PASSPHRASE).expect("create");
    drop(crate::store::open(&path).expect("open"));
    let keys = keyring_path(&path);
    std::fs::rename(&keys, dir.path().join("elsewhere")).expect("move");
    forget(&path);
    let before = std::fs::read(&path).expect("read");
    let refused = crate::store::open(&path).expect_err("no key file");
    assert_eq!(refused.code(), "corrupt_database");
    assert!(refused.to_string().contains("s.sqlite3.keys"), "{refused}");
    assert_eq!(std::fs::read(&path).expect("read"), before);

    // Another store's key file does not open it either, and says so.
    let other = dir.path().join("o.sqlite3");
    create(&other, "manager", PASSPHRASE).expect("create");
    drop(crate::store::open(&other).expect("open"));
    std::fs::copy(keyring_path(&other), &keys).expect("copy");
    unlock(&path, "manager", PASSPHRASE).expect("the passphrase fits that key file");
    let refused = crate::store::open(&path).expect_err("wrong key file");
    assert_eq!(refused.code(), "corrupt_database");
    assert!(
        refused.to_string().contains("belongs to another store"),
        "{refused}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

/// The key file's `page_cipher` is what opens the store: a store written
/// under SQLCipher 4's defaults by a key file that names no cipher (as
/// every key file did before it could) still opens, and naming the other
/// cipher for it makes every read fail instead of reading garbage.
#[test]
fn the_key_files_page_cipher_opens_stores_of_either_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("old.sqlite3");
    let mut key = DataKey::random().expect("key");
    key.cipher = PageCipher::Sqlcipher4;
    let keyring = Keyring {
        format: KEYRING_FORMAT.into(),
        users: vec![wrap_key(&key, "manager", PASSPHRASE).expect("wrap")],
        page_cipher: PageCipher::Sqlcipher4,
        demo: false,
    };
    write_keyring(&store, &keyring).expect("keyring");
    // The key file as one made before there was a choice: no cipher named.
    let keys = keyring_path(&store);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&keys).expect("read")).expect("json");
    json.as_object_mut().expect("object").remove("page_cipher");
    std::fs::write(&keys, json.to_string()).expect("write");
    remember(&store, key);
    {
        let mut conn = crate::store::open(&store).expect("create");
        load_people(&mut conn, dir.path());
    }
    forget(&store);

    unlock(&store, "manager", PASSPHRASE).expect("unlock");
    assert_eq!(people(&crate::store::open(&store).expect("open")), 300);
    // With the other cipher named, the same key reads nothing.
    forget(&store);
    json["page_cipher"] = "sqlcipher4-hmac-sha256-16k".into();
    std::fs::write(&keys, json.to_string()).expect("write");
    unlock(&store, "manager", PASSPHRASE).expect("unlock");
    assert!(crate::store::open(&store).is_err());

    // A new store names its cipher, and opens with it.
    let new = dir.path().join("new.sqlite3");
    create(&new, "manager", PASSPHRASE).expect("create");
    {
        let mut conn = crate::store::open(&new).expect("open new");
        load_people(&mut conn, dir.path());
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(keyring_path(&new)).expect("read"))
            .expect("json");
    assert_eq!(written["page_cipher"], "sqlcipher4-hmac-sha256-16k");
    forget(&new);
    unlock(&new, "manager", PASSPHRASE).expect("unlock new");
    let conn = crate::store::open(&new).expect("open new");
    assert_eq!(people(&conn), 300);
    // SQLCipher answers `page_size` itself, as text.
    let page: String = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    assert_eq!(page, "16384");
}

/// The app and the command line open stores through `open_for_use`: a
/// store not made yet, and a plain one, are refused with what to do, and
/// left as they were; an encrypted store opens once unlocked.
#[test]
fn only_encrypted_stores_are_opened_for_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.sqlite3");
    let err = crate::store::open_for_use(&missing).expect_err("no store yet");
    assert_eq!(err.code(), "store_missing", "{err}");
    assert!(err.to_string().contains("first manager"), "{err}");
    assert!(!missing.exists(), "nothing was made");

    let plain = dir.path().join("plain.sqlite3");
    {
        let mut conn = crate::store::open(&plain).expect("plain");
        load_people(&mut conn, dir.path());
    }
    let before = std::fs::read(&plain).expect("read");
    let err = crate::store::open_for_use(&plain).expect_err("plain");
    assert_eq!(err.code(), "store_unencrypted", "{err}");
    assert!(err.to_string().contains("store encrypt"), "{err}");
    assert_eq!(
        std::fs::read(&plain).expect("read"),
        before,
        "the plain file is untouched"
    );

    // Set up: the plain one is encrypted in place, the missing one made.
    let copied = set_up(&plain, "manager", PASSPHRASE).expect("encrypt");
    assert_eq!(copied.map(|c| c.rows > 300), Some(true));
    let conn = crate::store::open_for_use(&plain).expect("open");
    assert_eq!(people(&conn), 300);
    // SQLCipher answers `page_size` itself, as text.
    let page: String = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    assert_eq!(
        page, "16384",
        "the encrypted copy has the new stores' pages"
    );
    drop(conn);
    assert_eq!(
        set_up(&missing, "manager", PASSPHRASE).expect("create"),
        None
    );
    assert_eq!(
        people(&crate::store::open_for_use(&missing).expect("open")),
        0
    );
    assert_eq!(kind(&missing), StoreKind::Encrypted);
    let again = set_up(&missing, "other", PASSPHRASE).expect_err("already encrypted");
    assert_eq!(again.code(), "invalid_input", "{again}");
}

/// Only a store `create_demo` made shows an account on its sign-in screen.
#[test]
fn the_demo_account_is_shown_for_a_demo_store_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo.sqlite3");
    create_demo(&demo).expect("demo");
    drop(crate::store::open_for_use(&demo).expect("open"));
    assert_eq!(demo_account(&demo), Some((DEMO_USER, DEMO_PASSPHRASE)));
    forget(&demo);
    unlock(&demo, DEMO_USER, DEMO_PASSPHRASE).expect("the shown passphrase opens it");

    let real = dir.path().join("real.sqlite3");
    create(&real, "manager", PASSPHRASE).expect("create");
    drop(crate::store::open_for_use(&real).expect("open"));
    assert_eq!(demo_account(&real), None);
    assert_eq!(demo_account(&dir.path().join("none.sqlite3")), None);
}
