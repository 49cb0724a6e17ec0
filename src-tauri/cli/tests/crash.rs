//! `kill -9` in the middle of work: the command is killed at points spread
//! over its run (import, demo load, booking, tally, call outcome,
//! passphrase change, encryption of a plain store). After each kill the
//! store opens, SQLite's integrity check (through SQLCipher when
//! encrypted) is ok, the audit chain verifies, and the store is exactly as
//! before the command or as after it (every table's row count), never in
//! between. 220 points in all, one test per kind of operation so that
//! they run side by side.

use dosedesk_core::store::encryption;
use dosedesk_core::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

mod support;
use support::{PASSPHRASE, USER};

const NEW_PASSPHRASE: &str = "a different long passphrase";

/// The command, signed in as [`USER`] unless `args` name a user of their own.
fn cli(db: &Path, args: &[&str]) -> Command {
    let mut command = support::signed_in(db);
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .args(args);
    command
}

fn run_ok(db: &Path, args: &[&str]) {
    let out = cli(db, args).stderr(Stdio::piped()).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The store's files (the store, its WAL and key file) copied to `to`.
fn copy_store(from: &Path, to: &Path) {
    for suffix in ["", "-wal", ".keys"] {
        let source = PathBuf::from(format!("{}{suffix}", from.display()));
        let target = PathBuf::from(format!("{}{suffix}", to.display()));
        let _ = std::fs::remove_file(&target);
        if source.exists() {
            std::fs::copy(&source, &target).expect("copy");
        }
    }
    let _ = std::fs::remove_file(format!("{}-shm", to.display()));
}

/// Opens the store as the next command would, after a crash: every
/// table's row count, with the integrity and audit checks passed. `None`
/// for a plain store (the one a conversion starts from).
fn state(db: &Path, passphrase: Option<&str>) -> BTreeMap<String, i64> {
    if let Some(p) = passphrase {
        encryption::unlock(db, USER, p).expect("unlock");
    }
    let conn = dosedesk_core::store::open(db).expect("the store opens after the kill");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(integrity, "ok", "{}", db.display());
    let audit = dosedesk_core::audit::verify(&conn).expect("audit");
    assert_eq!(audit.first_broken, None, "{}", db.display());
    counts(&conn)
}

fn counts(conn: &Connection) -> BTreeMap<String, i64> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .expect("q")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            // Each command signs in first, in a transaction of its own: its
            // `sign_in` entry is there whether or not the work after it
            // landed, so the work's own entries are what is compared.
            let only_work = if t == "audit_log" {
                " WHERE action <> 'sign_in'"
            } else {
                ""
            };
            let n = conn
                .query_row(
                    &format!("SELECT count(*) FROM \"{t}\"{only_work}"),
                    [],
                    |r| r.get(0),
                )
                .expect("count");
            (t, n)
        })
        .collect()
}

/// Kills `args` on a copy of `base` at `points` moments spread over its
/// uninterrupted run time, and checks each outcome with `judge` (given
/// the copy, its state before, and the uninterrupted run's after).
fn kill_at_points(
    work: &Path,
    base: &Path,
    args: &[&str],
    points: usize,
    judge: impl Fn(&Path, &BTreeMap<String, i64>, &BTreeMap<String, i64>) -> bool,
    (passphrase_before, passphrase_after): (Option<&str>, Option<&str>),
) -> (usize, usize) {
    let before = state(base, passphrase_before);
    encryption::forget(base);
    // The uninterrupted run: how long it takes, and what it leaves.
    let reference = work.join("reference.sqlite3");
    encryption::forget(&reference);
    copy_store(base, &reference);
    let started = Instant::now();
    let out = cli(&reference, args)
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let took = started.elapsed();
    let after = state(&reference, passphrase_after);
    encryption::forget(&reference);
    let (mut as_before, mut as_after) = (0, 0);
    for point in 0..points {
        let copy = work.join(format!("crash{point}.sqlite3"));
        copy_store(base, &copy);
        // From the first instant to past the end of the run (a run here
        // may be slower than the reference one on a busy machine).
        let delay = took.mul_f64(1.6 * point as f64 / points as f64);
        let mut child = cli(&copy, args).spawn().expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL: no destructor, no rollback
        let _ = child.wait();
        encryption::forget(&copy);
        if judge(&copy, &before, &after) {
            as_after += 1;
        } else {
            as_before += 1;
        }
        for suffix in ["", "-wal", "-shm", ".keys"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
        }
    }
    (as_before, as_after)
}

/// The usual judge: the counts are those before or those after.
fn before_or_after(
    passphrase: Option<&'static str>,
) -> impl Fn(&Path, &BTreeMap<String, i64>, &BTreeMap<String, i64>) -> bool {
    move |copy, before, after| {
        let now = state(copy, passphrase);
        assert!(
            now == *before || now == *after,
            "{}: a state between before and after: {now:?}",
            copy.display()
        );
        now == *after && now != *before
    }
}

/// Reports one operation's kills, and checks they landed on both sides of
/// its commit.
fn landed_on_both_sides(what: &str, (before, after): (usize, usize)) {
    eprintln!(
        "kill -9 during {what}: {} points, {before} left as before, {after} as after",
        before + after
    );
    assert!(
        before > 0 && after > 0,
        "{what}: {before} before, {after} after: the points missed the work"
    );
}

/// A fresh demo store in `work`.
fn demo_store(work: &Path) -> PathBuf {
    let demo = work.join("demo.sqlite3");
    run_ok(&demo, &["demo"]);
    demo
}

#[test]
fn kill_nine_during_a_bulk_import_leaves_the_store_as_before_or_as_after() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path();
    // Bulk import into a store holding sites and shifts.
    let data = work.join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_dosedesk-cli"))
        .args(["generate", "--out"])
        .arg(&data)
        .args([
            "--bookings",
            "20000",
            "--dose-counts",
            "1",
            "--sites",
            "50",
            "--seed",
            "7",
        ])
        .output()
        .expect("generate");
    assert!(out.status.success());
    let schedule = work.join("schedule.sqlite3");
    for kind in ["sites", "shifts"] {
        run_ok(
            &schedule,
            &[
                "import",
                kind,
                data.join(format!("{kind}.csv"))
                    .to_str()
                    .unwrap_or_default(),
            ],
        );
    }
    let bookings = data.join("bookings.csv");
    let bookings = bookings.to_str().unwrap_or_default();
    landed_on_both_sides(
        "import bookings",
        kill_at_points(
            work,
            &schedule,
            &["import", "bookings", bookings],
            40,
            before_or_after(Some(PASSPHRASE)),
            (Some(PASSPHRASE), Some(PASSPHRASE)),
        ),
    );
}

#[test]
fn kill_nine_during_the_demo_load_leaves_the_store_empty_or_loaded() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path();
    let empty = work.join("empty.sqlite3");
    // A new store, its first manager already signed in once (that first
    // sign-in adds them: not the demo load's work).
    encryption::create(&empty, USER, PASSPHRASE).expect("new store");
    {
        let conn = dosedesk_core::store::open(&empty).expect("new store");
        dosedesk_core::users::sign_in(&conn, USER).expect("first manager");
        dosedesk_core::users::sign_out();
    }
    encryption::forget(&empty);
    landed_on_both_sides(
        "demo load",
        kill_at_points(
            work,
            &empty,
            &["demo"],
            25,
            before_or_after(Some(PASSPHRASE)),
            (Some(PASSPHRASE), Some(PASSPHRASE)),
        ),
    );
}

/// Single writes on the demo: a booking, a tally, a call's outcome.
#[test]
fn kill_nine_during_a_single_write_leaves_it_undone_or_done() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path();
    let demo = demo_store(work);
    let book = [
        "book",
        "--person",
        "CRASH1",
        "--site",
        "EVJ",
        "--slot",
        "2021-03-26T09:00",
    ];
    let tally = [
        "tally",
        "--site",
        "EVJ",
        "--date",
        "2021-03-22",
        "--shift",
        "am",
        "--dose-number",
        "1",
        "--doses",
        "123",
    ];
    let call = [
        "rebook",
        "record",
        "--appointment",
        "1",
        "--outcome",
        "unreachable",
    ];
    for (what, args, points) in [
        ("booking", &book[..], 40),
        ("tally", &tally[..], 30),
        ("call outcome", &call[..], 30),
    ] {
        let kills = kill_at_points(
            work,
            &demo,
            args,
            points,
            before_or_after(Some(PASSPHRASE)),
            (Some(PASSPHRASE), Some(PASSPHRASE)),
        );
        landed_on_both_sides(what, kills);
    }
}

fn passphrase_file(work: &Path, name: &str, passphrase: &str) -> String {
    let path = work.join(name);
    std::fs::write(&path, format!("{passphrase}\n")).expect("passphrase file");
    path.to_str().unwrap_or_default().to_string()
}

fn encrypt_args(pass_arg: &str) -> [&str; 6] {
    [
        "--user",
        USER,
        "--passphrase-file",
        pass_arg,
        "store",
        "encrypt",
    ]
}

/// Encrypting a plain store (the demo, made plain as stores were before
/// DoseDesk encrypted them) in place: plain and whole, or encrypted and
/// whole, every row kept either way.
#[test]
fn kill_nine_during_encryption_leaves_the_store_plain_or_encrypted_and_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path();
    let demo = work.join("plain.sqlite3");
    {
        let mut conn = dosedesk_core::store::open(&demo).expect("plain store");
        dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    }
    let pass_arg = passphrase_file(work, "pass", PASSPHRASE);
    let plain_counts = state(&demo, None);
    let kills = kill_at_points(
        work,
        &demo,
        &encrypt_args(&pass_arg),
        30,
        |copy, _, _| {
            let encrypted = encryption::kind(copy) == encryption::StoreKind::Encrypted;
            let now = state(copy, encrypted.then_some(PASSPHRASE));
            assert_eq!(now, plain_counts, "{}: rows lost or added", copy.display());
            encrypted
        },
        (None, Some(PASSPHRASE)),
    );
    landed_on_both_sides("store encrypt", kills);
}

/// A passphrase change on an encrypted store: exactly one of the old and
/// the new passphrase opens it, and it holds what it held.
#[test]
fn kill_nine_during_a_passphrase_change_leaves_exactly_one_passphrase_working() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path();
    let encrypted = demo_store(work);
    let pass_arg = passphrase_file(work, "pass", PASSPHRASE);
    let new_arg = passphrase_file(work, "new", NEW_PASSPHRASE);
    let change = [
        "--user",
        USER,
        "--passphrase-file",
        &pass_arg,
        "store",
        "passphrase",
        "--new-passphrase-file",
        &new_arg,
    ];
    let held = state(&encrypted, Some(PASSPHRASE));
    encryption::forget(&encrypted);
    let kills = kill_at_points(
        work,
        &encrypted,
        &change,
        25,
        |copy, _, _| {
            let old_opens = encryption::unlock(copy, USER, PASSPHRASE).is_ok();
            encryption::forget(copy);
            let new_opens = encryption::unlock(copy, USER, NEW_PASSPHRASE).is_ok();
            encryption::forget(copy);
            assert!(
                old_opens != new_opens,
                "{}: old {old_opens}, new {new_opens}",
                copy.display()
            );
            let now = state(
                copy,
                Some(if new_opens {
                    NEW_PASSPHRASE
                } else {
                    PASSPHRASE
                }),
            );
            assert_eq!(now, held);
            new_opens
        },
        (Some(PASSPHRASE), Some(NEW_PASSPHRASE)),
    );
    landed_on_both_sides("passphrase change", kills);
}
