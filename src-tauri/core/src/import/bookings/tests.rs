//! The bulk path (into an empty store) against the row-by-row path and an
//! independent count, on a real database file in WAL mode.

use crate::error::Error;
use crate::import::{import_file, ImportKind, Progress, Quiet, Stage};
use crate::rng::Rng;
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const SITES: &str = "site_code,name,kind,minutes_per_dose\n\
A,Clinic A,mass_clinic,5\nB,Pharmacy B,pharmacy,10\nC,Clinic C,mass_clinic,4\n";
const HEADER: &str =
    "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,booked_at\n";
/// With FORMATS' optional name and language columns.
const HEADER_NAMED: &str =
    "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,booked_at,given_name,family_name,preferred_language\n";

/// A store on disk with the sites and a week of shifts.
fn store(dir: &Path, name: &str) -> Connection {
    let mut conn = crate::store::open(&dir.join(name)).expect("open");
    let sites = write(dir, "sites.csv", SITES);
    import_file(&mut conn, ImportKind::Sites, &sites, &Quiet).expect("sites");
    let mut shifts = String::from("site_code,date,start,end,vaccinators,capacity\n");
    for day in 1..=9 {
        for site in ["A", "B", "C"] {
            shifts.push_str(&format!("{site},2021-04-0{day},08:00,12:00,3,\n"));
        }
    }
    let shifts = write(dir, "shifts.csv", &shifts);
    import_file(&mut conn, ImportKind::Shifts, &shifts, &Quiet).expect("shifts");
    conn
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write");
    path
}

/// person id → the last birth date, phone, given name, family name and
/// language (lowercase) given.
type Details = HashMap<String, [Option<String>; 5]>;

/// Bookings with people repeated across rows, details given on some rows
/// and not others, every status, products in any case.
fn random_bookings(seed: u64, rows: usize) -> (String, Details) {
    let mut rng = Rng::new(seed);
    let mut body = String::from(HEADER_NAMED);
    // What `person` must hold: the last birth date and phone given per person.
    let mut people = Details::new();
    for i in 0..rows {
        let person = format!("P{}", rng.below(rows as u64 / 3 + 1));
        let birth = rng.chance(0.4).then(|| {
            format!(
                "19{:02}-0{}-1{}",
                rng.below(100),
                1 + rng.below(9),
                rng.below(10)
            )
        });
        let phone = rng
            .chance(0.5)
            .then(|| format!("613-555-{:04}", rng.below(10_000)));
        let given = rng
            .chance(0.4)
            .then(|| ["Hélène", "Mark", "Zoë", "José María"][rng.below(4) as usize].to_string());
        let family = rng
            .chance(0.4)
            .then(|| ["Côté", "O'Brien", "Nguyen", "Gagné-Roy"][rng.below(4) as usize].to_string());
        let language = rng
            .chance(0.3)
            .then(|| ["en", "fr", "FR", "Pa"][rng.below(4) as usize].to_string());
        let given_now = [
            birth.clone(),
            phone.clone(),
            given.clone(),
            family.clone(),
            language.as_ref().map(|l| l.to_lowercase()),
        ];
        if given_now.iter().any(Option::is_some) {
            let entry = people.entry(person.clone()).or_default();
            for (kept, new) in entry.iter_mut().zip(given_now) {
                *kept = new.or(kept.take());
            }
        }
        let site = ["A", "B", "C"][rng.below(3) as usize];
        let status =
            ["booked", "Attended", "cancelled", "no_show", "rescheduled"][rng.below(5) as usize];
        let product = ["PFIZER", "moderna", "AstraZeneca"][rng.below(3) as usize];
        body.push_str(&format!(
            "K{i:05},{person},{},{},{site},2021-04-0{}T{:02}:{:02},{},{product},{status},{},{},{},{}\n",
            birth.unwrap_or_default(),
            phone.unwrap_or_default(),
            1 + rng.below(9),
            8 + rng.below(4),
            rng.below(60),
            1 + rng.below(2),
            if rng.chance(0.5) {
                "2021-03-01T10:00:00"
            } else {
                ""
            },
            given.unwrap_or_default(),
            family.unwrap_or_default(),
            language.unwrap_or_default(),
        ));
    }
    (body, people)
}

fn rows(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map(|v| v.join("|"))
    })
    .expect("query")
    .collect::<rusqlite::Result<_>>()
    .expect("rows")
}

/// What an import must leave, whichever path it took (ids, uuids and
/// timestamps aside).
fn contents(conn: &Connection) -> Vec<Vec<String>> {
    [
        "SELECT booking_id, person_id, site_id, slot_minute, dose_number, product, status, source, booked_at
         FROM appointment ORDER BY booking_id",
        "SELECT person_id, birth_date, phone, given_name, family_name, preferred_language,
                length(uuid) FROM person ORDER BY person_id",
        "SELECT site_id, date, administered, booked, attended, capacity FROM site_day ORDER BY 1, 2",
        "SELECT * FROM region_day ORDER BY date",
    ]
    .iter()
    .map(|sql| rows(conn, sql))
    .collect()
}

#[test]
fn bulk_and_row_by_row_imports_leave_the_same_store() {
    for seed in 1..=4 {
        let dir = tempfile::tempdir().expect("tempdir");
        let (body, want_people) = random_bookings(seed, 1500);
        let file = write(dir.path(), "bookings.csv", &body);

        // Empty store: the bulk path.
        let mut bulk = store(dir.path(), "bulk.sqlite3");
        let report = import_file(&mut bulk, ImportKind::Bookings, &file, &Quiet).expect("bulk");
        assert_eq!(
            (report.rows, report.inserted, report.updated),
            (1500, 1500, 0)
        );

        // One booking already there: every row is an upsert with triggers.
        let mut merged = store(dir.path(), "merged.sqlite3");
        let first = write(
            dir.path(),
            "first.csv",
            &format!("{HEADER}Z0,ZZ,,,A,2021-04-01T08:00,1,PFIZER,booked,\n"),
        );
        import_file(&mut merged, ImportKind::Bookings, &first, &Quiet).expect("first");
        import_file(&mut merged, ImportKind::Bookings, &file, &Quiet).expect("merge");
        merged
            .execute("DELETE FROM appointment WHERE booking_id = 'Z0'", [])
            .expect("delete");

        assert_eq!(contents(&bulk), contents(&merged), "seed {seed}");

        // The totals counted while parsing equal a recount from the table.
        let before = rows(&bulk, "SELECT * FROM site_day ORDER BY 1, 2");
        let tx = bulk.transaction().expect("tx");
        crate::day_totals::rebuild_bookings(&tx).expect("rebuild");
        assert_eq!(rows(&tx, "SELECT * FROM site_day ORDER BY 1, 2"), before);
        drop(tx);

        // People: the last of each detail given, counted independently.
        let mut want: Vec<String> = want_people
            .into_iter()
            .map(|(id, details)| {
                let text = |v: Option<String>| v.map_or("Null".into(), |v| format!("Text({v:?})"));
                let details: Vec<String> = details.into_iter().map(text).collect();
                format!("Text({id:?})|{}|Integer(16)", details.join("|"))
            })
            .collect();
        want.sort();
        let mut got = contents(&bulk).swap_remove(1);
        got.sort();
        assert_eq!(got, want, "seed {seed}");
    }
}

#[derive(Default)]
struct Stages(Mutex<Vec<Stage>>);

impl Progress for Stages {
    fn stage(&self, stage: Stage) {
        if let Ok(mut stages) = self.0.lock() {
            stages.push(stage);
        }
    }
}

#[test]
fn a_bulk_load_reports_its_stages_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = store(dir.path(), "stages.sqlite3");
    let (body, _) = random_bookings(9, 200);
    let file = write(dir.path(), "bookings.csv", &body);
    let stages = Stages::default();
    import_file(&mut conn, ImportKind::Bookings, &file, &stages).expect("import");
    use Stage::*;
    assert_eq!(
        *stages.0.lock().expect("lock"),
        [Rows, People, DailyTotals, Indexes, Commit, Checkpoint]
    );
    // The app's import then judges the bookings for the Checks view.
    let mut app = store(dir.path(), "app.sqlite3");
    let stages = Stages::default();
    crate::import::import_file_then_check(&mut app, ImportKind::Bookings, &file, &stages)
        .expect("import");
    assert_eq!(
        *stages.0.lock().expect("lock"),
        [
            Rows,
            People,
            DailyTotals,
            Indexes,
            Commit,
            Checkpoint,
            Checks
        ]
    );
    // The checkpoint copied every page into the database file itself.
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("pages");
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("size");
    let file = std::fs::metadata(dir.path().join("stages.sqlite3")).expect("db file");
    assert_eq!(file.len(), (pages * page_size) as u64);
}

#[test]
fn cancelling_interrupts_a_long_statement() {
    struct Cancelled;
    impl Progress for Cancelled {
        fn is_cancelled(&self) -> bool {
            true
        }
    }
    let conn = crate::store::open_in_memory().expect("open");
    let started = std::time::Instant::now();
    // Counting to ten billion would take minutes.
    let result = crate::store::bulk::cancellable(&conn, &Cancelled, || {
        Ok(conn.query_row(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1e10)
             SELECT count(*) FROM n",
            [],
            |r| r.get::<_, i64>(0),
        )?)
    });
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(started.elapsed().as_secs() < 10);
    // The connection works again afterwards.
    let one: i64 = conn.query_row("SELECT 1", [], |r| r.get(0)).expect("query");
    assert_eq!(one, 1);
}

#[test]
fn an_overlong_identifier_is_refused_with_its_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = store(dir.path(), "long.sqlite3");
    let long = "X".repeat(300);
    let file = write(
        dir.path(),
        "bookings.csv",
        &format!("{HEADER}K1,P1,,,A,2021-04-01T08:00,1,PFIZER,booked,\nK2,{long},,,A,2021-04-01T08:00,1,PFIZER,booked,\n"),
    );
    let err = import_file(&mut conn, ImportKind::Bookings, &file, &Quiet).expect_err("too long");
    assert_eq!(
        err.to_string(),
        "bookings.csv:3: column person_id: is 300 characters long; at most 200 expected"
    );
    let n: i64 = conn
        .query_row("SELECT count(*) FROM appointment", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0, "nothing of the file is kept");
}

/// A `booked_at` cut inside a multibyte character (found by a probe with
/// hostile files: a panic on a store with bookings, "the parser thread
/// stopped unexpectedly" on an empty one) is refused naming file, line and
/// column, on both import paths, and nothing of the file is kept.
#[test]
fn a_booked_at_cut_inside_a_character_is_refused_with_its_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        dir.path(),
        "bookings.csv",
        &format!("{HEADER}K1,P1,,,A,2021-04-01T08:00,1,PFIZER,booked,\nK2,P2,,,A,2021-04-01T08:05,1,PFIZER,booked,2021-03-01T09:1é\n"),
    );
    let good = write(
        dir.path(),
        "first.csv",
        &format!("{HEADER}K0,P0,,,B,2021-04-01T08:00,1,PFIZER,booked,\n"),
    );
    // Empty store: the bulk path. A store with bookings: row by row.
    for (name, first) in [("empty.sqlite3", None), ("booked.sqlite3", Some(&good))] {
        let mut conn = store(dir.path(), name);
        if let Some(first) = first {
            import_file(&mut conn, ImportKind::Bookings, first, &Quiet).expect("first bookings");
        }
        let before = contents(&conn);
        let err = import_file(&mut conn, ImportKind::Bookings, &bad, &Quiet)
            .expect_err("a booked_at that is no timestamp");
        let text = err.to_string();
        assert!(
            text.starts_with("bookings.csv:3: column booked_at:"),
            "{name}: {text}"
        );
        assert_eq!(
            contents(&conn),
            before,
            "{name}: nothing of the file is kept"
        );
    }
}

/// A preferred language that is not a two-letter code is refused with its
/// file, line and field, and nothing of the file is written.
#[test]
fn a_language_that_is_not_a_code_names_its_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = store(dir.path(), "lang.sqlite3");
    let file = write(
        dir.path(),
        "bookings.csv",
        &format!(
            "{HEADER_NAMED}K1,P1,,,A,2021-04-01T08:00,1,PFIZER,booked,,Marie,Côté,fr\n\
             K2,P2,,,A,2021-04-01T08:00,1,PFIZER,booked,,Mark,Smith,English\n"
        ),
    );
    let err = import_file(&mut conn, ImportKind::Bookings, &file, &Quiet).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("bookings.csv:3")
            && text.contains("preferred_language")
            && text.contains("English"),
        "{text}"
    );
    let n: i64 = conn
        .query_row("SELECT count(*) FROM appointment", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0);
}

/// A generated export (sites, shifts, bookings with people's details and an
/// overbooking incident) and the morning's version of it: every 50th
/// booking's status changed, every 70th moved an hour later, ten bookings
/// new. Returns the folder, the store holding yesterday's file, and the
/// two bookings files.
fn generated_morning() -> (tempfile::TempDir, Connection, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let params = crate::generate::GenerateParams {
        sites: 6,
        bookings: 4000,
        dose_counts: 0,
        seed: 7,
        incident: 40,
    };
    crate::generate::generate(&dir.path().join("data"), &params, &Quiet).expect("generate");
    let data = dir.path().join("data");
    let mut conn = generated_network(dir.path(), "refreshed.sqlite3");
    let yesterday = data.join("bookings.csv");
    let mut reader = csv::Reader::from_path(&yesterday).expect("read");
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, status, slot) = (col("booking_id"), col("status"), col("slot_start"));
    let today = dir.path().join("today.csv");
    let mut writer = csv::Writer::from_path(&today).expect("write");
    writer.write_record(&header).expect("header");
    let mut records: Vec<csv::StringRecord> =
        reader.records().map(|r| r.expect("record")).collect();
    let extra: Vec<csv::StringRecord> = records[..10]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut fields: Vec<String> = r.iter().map(str::to_owned).collect();
            fields[id] = format!("NEW-{i}");
            csv::StringRecord::from(fields)
        })
        .collect();
    for (i, r) in records.iter_mut().enumerate() {
        let mut fields: Vec<String> = r.iter().map(str::to_owned).collect();
        if i % 50 == 0 {
            fields[status] = if fields[status] == "cancelled" {
                "booked"
            } else {
                "cancelled"
            }
            .into();
        }
        if i % 70 == 0 {
            let at = chrono::NaiveDateTime::parse_from_str(&fields[slot], "%Y-%m-%dT%H:%M")
                .expect("slot");
            fields[slot] = (at + chrono::Duration::hours(1))
                .format("%Y-%m-%dT%H:%M")
                .to_string();
        }
        *r = csv::StringRecord::from(fields);
    }
    for r in records.iter().chain(&extra) {
        writer.write_record(r).expect("row");
    }
    writer.flush().expect("flush");
    import_file(&mut conn, ImportKind::Bookings, &yesterday, &Quiet).expect("yesterday");
    (dir, conn, yesterday, today)
}

/// A new store `name` in `dir` holding the sites and shifts that
/// `generated_morning` generated into `dir/data`.
fn generated_network(dir: &Path, name: &str) -> Connection {
    let mut conn = crate::store::open(&dir.join(name)).expect("open");
    for (kind, name) in [
        (ImportKind::Sites, "sites.csv"),
        (ImportKind::Shifts, "shifts.csv"),
    ] {
        import_file(&mut conn, kind, &dir.join("data").join(name), &Quiet).expect("set-up");
    }
    conn
}

/// `contents` and the kept check results.
fn contents_and_checks(conn: &Connection) -> (Vec<Vec<String>>, String) {
    let checks = crate::checks::current(conn, usize::MAX).expect("checks");
    (contents(conn), format!("{checks:?}"))
}

#[test]
fn a_refresh_leaves_the_store_a_fresh_import_of_the_same_file_would() {
    let (dir, mut refreshed, _, today) = generated_morning();
    crate::checks::refresh(&refreshed).expect("checks");
    let report = import_file(&mut refreshed, ImportKind::Bookings, &today, &Quiet).expect("today");
    // 80 of every 3,500 rows changed (2 % of 4,000 for the status, 1/70 for
    // the slot, both on every 350th), 10 new: counted from the rule above.
    let (status, slot, both) = (4000 / 50, 4000usize.div_ceil(70), 4000usize.div_ceil(350));
    assert_eq!(report.inserted, 10);
    assert_eq!(report.updated as usize, status + slot - both);
    assert_eq!(report.unchanged as usize, 4000 - (status + slot - both));
    assert!(report.missing.is_empty(), "{:?}", report.missing);

    let mut fresh = generated_network(dir.path(), "fresh.sqlite3");
    import_file(&mut fresh, ImportKind::Bookings, &today, &Quiet).expect("fresh");
    let (got, want) = (contents_and_checks(&refreshed), contents_and_checks(&fresh));
    assert_eq!(got.0, want.0, "appointments, people, daily totals");
    assert_eq!(got.1, want.1, "kept check results");
    assert!(
        want.1.contains("excess_bookings: ") && !want.1.contains("excess_bookings: 0,"),
        "the incident is there to be checked: {}",
        want.1
    );
}

#[test]
fn the_same_file_again_writes_nothing_and_records_nothing_for_sync() {
    let (_dir, mut conn, yesterday, _) = generated_morning();
    let log = |conn: &Connection| {
        rows(
            conn,
            "SELECT count(*), coalesce(max(seq), 0) FROM sync_change",
        )
    };
    let before = (contents(&conn), log(&conn));
    for _ in 0..3 {
        let changes = conn.total_changes();
        let report =
            import_file(&mut conn, ImportKind::Bookings, &yesterday, &Quiet).expect("again");
        let counts = (
            report.rows,
            report.inserted,
            report.updated,
            report.unchanged,
        );
        assert_eq!(counts, (4000, 0, 0, 4000));
        assert_eq!((contents(&conn), log(&conn)), before);
        // No row was read in full (each would keep its digest again): the
        // import's log line and audit entry are all it wrote.
        let written = conn.total_changes() - changes;
        assert!(written <= 4, "{written} rows written");
    }
}

#[test]
fn bookings_missing_from_the_file_are_kept_and_listed_and_a_desk_change_is_read_again() {
    let (dir, mut conn, yesterday, _) = generated_morning();
    let text = std::fs::read_to_string(&yesterday).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    let id_of = |line: &str| line.split(',').next().expect("id").to_owned();
    let (gone_a, gone_b) = (id_of(lines[5]), id_of(lines[900]));
    let cancelled_on_desk = id_of(lines[7]);
    lines.remove(900);
    lines.remove(5);
    let today = write(dir.path(), "today.csv", &(lines.join("\n") + "\n"));
    let id: i64 = conn
        .query_row(
            "SELECT id FROM appointment WHERE booking_id = ?1",
            [&cancelled_on_desk],
            |r| r.get(0),
        )
        .expect("id");
    let file_status: String = conn
        .query_row("SELECT status FROM appointment WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("status");
    let desk_status = if file_status == "cancelled" {
        "booked"
    } else {
        "cancelled"
    };
    conn.execute(
        "UPDATE appointment SET status = ?2 WHERE id = ?1",
        rusqlite::params![id, desk_status],
    )
    .expect("desk change");

    let held = |conn: &Connection| rows(conn, "SELECT count(*) FROM appointment");
    let report = import_file(&mut conn, ImportKind::Bookings, &today, &Quiet).expect("today");
    let mut want = vec![gone_a.clone(), gone_b.clone()];
    want.sort();
    assert_eq!(report.missing, want);
    assert_eq!(
        held(&conn),
        vec!["Integer(4000)".to_string()],
        "nothing deleted"
    );
    let warning = crate::import::missing_note(&report).expect("a note");
    assert!(
        warning.contains(&gone_a) && warning.contains(&gone_b),
        "{warning}"
    );
    // The row the desk changed is read in full again: the file's word holds.
    let now: String = conn
        .query_row("SELECT status FROM appointment WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("status");
    assert_eq!(now, file_status);
    assert_eq!((report.updated, report.unchanged), (1, 3997));
}

#[test]
fn a_refresh_refuses_a_repeated_booking_naming_both_lines() {
    let (dir, mut conn, yesterday, _) = generated_morning();
    let text = std::fs::read_to_string(&yesterday).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    // Repeated as it was (found among the kept digests), and repeated
    // written otherwise (a space after the id: the same booking, read in
    // full).
    let id = lines[3].split(',').next().expect("id");
    for (name, extra_line) in [
        ("same", lines[3].to_string()),
        ("rewritten", lines[3].replacen(',', " ,", 1)),
    ] {
        let mut body = lines.join("\n");
        body.push('\n');
        body.push_str(&extra_line);
        body.push('\n');
        let file = write(dir.path(), &format!("{name}.csv"), &body);
        let before = contents(&conn);
        let err = import_file(&mut conn, ImportKind::Bookings, &file, &Quiet).expect_err(name);
        assert_eq!(
            err.to_string(),
            format!("{name}.csv:4002: column booking_id: duplicate booking_id {id:?}: already on line 4"),
            "{name}"
        );
        assert_eq!(contents(&conn), before, "{name}: nothing written");
    }
}
