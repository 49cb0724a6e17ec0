//! Valid bookings files round-trip: whatever FORMATS.md allows (names with
//! commas, quotes and accents, any-case statuses and products, missing
//! optional values, one person on many rows), the store holds exactly what
//! the file says, whether it arrives in one import into an empty store or
//! in two, the second merging into what the first left. The oracle is the
//! generated rows themselves, read by FORMATS.md's rules.

use crate::import::{import_file, ImportKind, Quiet};
use proptest::prelude::*;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};

const STATUSES: [&str; 5] = ["booked", "cancelled", "attended", "no_show", "rescheduled"];

#[derive(Debug, Clone)]
struct Row {
    person: usize,
    birth: Option<u32>,
    phone: Option<u32>,
    site: &'static str,
    day: u32,
    slot: u32,
    dose: u32,
    product: &'static str,
    status: (usize, bool),
    given: Option<String>,
    family: Option<String>,
    language: Option<&'static str>,
}

fn name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-zéÉçë][A-Za-zéÉçë' ,\"-]{0,10}[A-Za-zéÉçë]")
}

fn row() -> impl Strategy<Value = Row> {
    (
        (
            0..30usize,
            proptest::option::of(0..5u32),
            proptest::option::of(0..100u32),
        ),
        (
            prop::sample::select(vec!["EVJ", "NSP"]),
            0..30u32,
            0..48u32,
            1..=3u32,
        ),
        (
            prop::sample::select(vec!["PFIZER", "pfizer", "Moderna"]),
            (0..5usize, any::<bool>()),
        ),
        (
            name(),
            name(),
            proptest::option::of(prop::sample::select(vec!["en", "fr", "FR"])),
        ),
    )
        .prop_map(
            |(
                (person, birth, phone),
                (site, day, slot, dose),
                (product, status),
                (given, family, language),
            )| Row {
                person,
                birth,
                phone,
                site,
                day,
                slot,
                dose,
                product,
                status,
                given,
                family,
                language,
            },
        )
}

/// A CSV field as a spreadsheet writes it: quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn slot_of(r: &Row) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 22).expect("day")
        + chrono::Duration::days(i64::from(r.day));
    let minute = 9 * 60 + 5 * r.slot;
    format!("{day}T{:02}:{:02}", minute / 60, minute % 60)
}

fn csv(rows: &[(usize, Row)]) -> String {
    let mut out = String::from(
        "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,given_name,family_name,preferred_language\n",
    );
    for (n, r) in rows {
        let status = STATUSES[r.status.0];
        out += &[
            format!("B{n}"),
            format!("P{}", r.person),
            r.birth
                .map(|b| format!("19{}-0{}-1{}", 40 + b, 1 + b, b))
                .unwrap_or_default(),
            r.phone
                .map(|p| format!("613-555-{p:04}"))
                .unwrap_or_default(),
            r.site.to_string(),
            slot_of(r),
            r.dose.to_string(),
            r.product.to_string(),
            if r.status.1 {
                status.to_uppercase()
            } else {
                status.to_string()
            },
            r.given.as_deref().map(field).unwrap_or_default(),
            r.family.as_deref().map(field).unwrap_or_default(),
            r.language.unwrap_or_default().to_string(),
        ]
        .join(",");
        out.push('\n');
    }
    out
}

type Booking = (String, String, String, String, i64, String, String);
type Person = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What the store should hold, by FORMATS.md: each booking as written
/// (product upper-case, status lower-case); each person's details the
/// latest given in file order, a missing value keeping the earlier one
/// (a person with no details at all has no row).
fn oracle(rows: &[(usize, Row)]) -> (Vec<Booking>, BTreeMap<String, Person>) {
    let mut bookings: Vec<Booking> = rows
        .iter()
        .map(|(n, r)| {
            (
                format!("B{n}"),
                format!("P{}", r.person),
                r.site.to_string(),
                slot_of(r),
                i64::from(r.dose),
                r.product.to_uppercase(),
                STATUSES[r.status.0].to_string(),
            )
        })
        .collect();
    bookings.sort();
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    for (_, r) in rows {
        let p = people.entry(format!("P{}", r.person)).or_default();
        let keep = |old: &mut Option<String>, new: Option<String>| {
            if new.is_some() {
                *old = new;
            }
        };
        keep(
            &mut p.0,
            r.birth.map(|b| format!("19{}-0{}-1{}", 40 + b, 1 + b, b)),
        );
        keep(&mut p.1, r.phone.map(|p| format!("613-555-{p:04}")));
        keep(&mut p.2, r.given.clone());
        keep(&mut p.3, r.family.clone());
        keep(&mut p.4, r.language.map(str::to_lowercase));
    }
    // Someone the file says nothing about beyond their id has no details to keep.
    people.retain(|_, p| {
        p.0.is_some() || p.1.is_some() || p.2.is_some() || p.3.is_some() || p.4.is_some()
    });
    (bookings, people)
}

fn stored(conn: &Connection) -> (Vec<Booking>, BTreeMap<String, Person>) {
    let mut stmt = conn
        .prepare(
            "SELECT a.booking_id, a.person_id, s.code, a.slot_minute, a.dose_number, a.product, a.status
             FROM appointment a JOIN site s ON s.id = a.site_id ORDER BY a.booking_id",
        )
        .expect("prepare");
    let mut bookings: Vec<Booking> = stmt
        .query_map([], |r| {
            let minute: i64 = r.get(3)?;
            let at = chrono::DateTime::from_timestamp(minute * 60, 0)
                .expect("minute")
                .naive_utc()
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                at,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    bookings.sort();
    let mut stmt = conn
        .prepare(
            "SELECT person_id, birth_date, phone, given_name, family_name, preferred_language FROM person",
        )
        .expect("prepare");
    let people = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    (bookings, people)
}

fn import(conn: &mut Connection, dir: &std::path::Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    import_file(conn, ImportKind::Bookings, &path, &Quiet).expect("a valid file imports");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_valid_file_is_stored_exactly_in_one_import_or_two(
        rows in prop::collection::vec(row(), 1..80),
        split in 0.0..1.0f64,
    ) {
        let rows: Vec<(usize, Row)> = rows.into_iter().enumerate().collect();
        let want = oracle(&rows);
        let at = ((rows.len() as f64) * split) as usize;
        for parts in [vec![&rows[..]], vec![&rows[..at], &rows[at..]]] {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut conn = crate::store::open(&dir.path().join("s.sqlite3")).expect("open");
            let sites = dir.path().join("sites.csv");
            std::fs::write(&sites, "site_code,name,kind\nEVJ,Eva James,mass_clinic\nNSP,Nepean,mass_clinic\n")
                .expect("write");
            import_file(&mut conn, ImportKind::Sites, &sites, &Quiet).expect("sites");
            for (i, part) in parts.iter().enumerate().filter(|(_, p)| !p.is_empty()) {
                import(&mut conn, dir.path(), &format!("bookings{i}.csv"), &csv(part));
            }
            prop_assert_eq!(&stored(&conn), &want, "in {} import(s)", parts.len());
        }
    }
}

/// How the morning's file differs from yesterday's at one row.
#[derive(Debug, Clone)]
enum Edit {
    Keep,
    /// Only the status (a booking attended, cancelled…).
    Status(usize),
    /// Another row under the same booking id: any field, the person too.
    Replace(Row),
    Drop,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => Just(Edit::Keep),
        2 => (0..5usize).prop_map(Edit::Status),
        1 => row().prop_map(Edit::Replace),
        1 => Just(Edit::Drop),
    ]
}

/// The store's shifts: the first days at both sites, small enough that
/// the generated bookings overbook some slots.
fn shifts_csv() -> String {
    let mut out = String::from("site_code,date,start,end,vaccinators,capacity\n");
    for day in 22..=26 {
        for site in ["EVJ", "NSP"] {
            out += &format!("{site},2021-03-{day},09:00,11:00,1,\n");
        }
    }
    out
}

/// Active bookings and attended per (site, day), counted here from the
/// appointments by FORMATS.md's rule, beside the kept totals.
/// (site id and day, active bookings, attended), by site-day.
type DayCounts = Vec<(String, i64, i64)>;

fn day_totals(conn: &Connection) -> (DayCounts, DayCounts) {
    let read = |sql: &str| -> DayCounts {
        let mut stmt = conn.prepare(sql).expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    let recount = read(
        "SELECT site_id || ' ' || (slot_minute / 1440), count(*), sum(status = 'attended')
         FROM appointment WHERE status IN ('booked', 'attended')
         GROUP BY site_id, slot_minute / 1440 ORDER BY 1",
    );
    let kept = read(
        "SELECT site_id || ' ' || CAST(julianday(date) - 2440587.5 AS INTEGER), booked, attended FROM site_day
         WHERE booked > 0 ORDER BY 1",
    );
    (recount, kept)
}

/// The last change recorded for sync.
fn last_change(conn: &Connection) -> i64 {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM sync_change", [], |r| {
        r.get(0)
    })
    .expect("seq")
}

/// Booking ids recorded for sync after change `since`.
fn recorded_since(conn: &Connection, since: i64) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare(
            "SELECT DISTINCT a.booking_id FROM sync_change c JOIN appointment a ON a.id = c.lo
             WHERE c.tbl = 'appointment' AND c.seq > ?1",
        )
        .expect("prepare");
    stmt.query_map([since], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The morning refresh against FORMATS.md read by the test: yesterday's
    /// file, a booking changed in the app, then today's file (rows kept,
    /// their status changed, rewritten whole, dropped, new ones after).
    /// The store holds today's rows and yesterday's missing ones (listed,
    /// never deleted); each person's details are every row's in turn, both
    /// files in order; the daily totals and kept check results are those of
    /// the rows held; and exactly the bookings that changed are written and
    /// recorded for sync.
    #[test]
    fn a_refresh_stores_what_two_imports_in_full_would(
        rows in prop::collection::vec(row(), 1..60),
        edits in prop::collection::vec(edit(), 60),
        added in prop::collection::vec(row(), 0..8),
        cancelled_in_app in proptest::option::of(0..60usize),
    ) {
        let yesterday: Vec<(usize, Row)> = rows.into_iter().enumerate().collect();
        let mut today: Vec<(usize, Row)> = Vec::new();
        for ((n, r), e) in yesterday.iter().zip(&edits) {
            match e {
                Edit::Keep => today.push((*n, r.clone())),
                Edit::Status(s) => today.push((*n, Row { status: (*s, false), ..r.clone() })),
                Edit::Replace(other) => today.push((*n, other.clone())),
                Edit::Drop => {}
            }
        }
        let first_new = yesterday.len();
        today.extend(added.into_iter().enumerate().map(|(i, r)| (first_new + i, r)));
        if today.is_empty() {
            // A file with no rows is refused; today keeps one of yesterday's.
            today.push(yesterday[0].clone());
        }

        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = crate::store::open(&dir.path().join("s.sqlite3")).expect("open");
        for (kind, name, text) in [
            (ImportKind::Sites, "sites.csv", "site_code,name,kind\nEVJ,Eva James,mass_clinic\nNSP,Nepean,mass_clinic\n".to_string()),
            (ImportKind::Shifts, "shifts.csv", shifts_csv()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            import_file(&mut conn, kind, &path, &Quiet).expect("set-up");
        }
        import(&mut conn, dir.path(), "yesterday.csv", &csv(&yesterday));
        // A booking cancelled on the desk since: today's file decides it.
        if let Some(i) = cancelled_in_app.filter(|i| *i < yesterday.len()) {
            let id: i64 = conn
                .query_row("SELECT id FROM appointment WHERE booking_id = ?1", [format!("B{i}")], |r| r.get(0))
                .expect("booking");
            crate::store::appointment::cancel(&conn, id, "2021-03-21T12:00:00Z").expect("cancel");
        }
        let (held_before, stored_people_before) = stored(&conn);
        let since = last_change(&conn);

        let path = dir.path().join("today.csv");
        std::fs::write(&path, csv(&today)).expect("write");
        let report = crate::import::import_file_then_check(&mut conn, ImportKind::Bookings, &path, &Quiet)
            .expect("today's file imports");

        // Bookings: today's rows, and those today lacks as the store held
        // them (a cancellation in the app included).
        let today_ids: BTreeSet<String> = today.iter().map(|(n, _)| format!("B{n}")).collect();
        let mut bookings = oracle(&today).0;
        bookings.extend(held_before.iter().filter(|b| !today_ids.contains(&b.0)).cloned());
        bookings.sort();
        // People: every row of both files in order, as two full imports.
        let both: Vec<(usize, Row)> = yesterday.iter().chain(&today).cloned().collect();
        let want = (bookings, oracle(&both).1);
        let now = stored(&conn);
        prop_assert_eq!(&now, &want);

        let mut missing: Vec<String> = yesterday
            .iter()
            .map(|(n, _)| format!("B{n}"))
            .filter(|id| !today_ids.contains(id))
            .collect();
        missing.sort();
        prop_assert_eq!(&report.missing, &missing);

        let before: BTreeMap<&String, &Booking> = held_before.iter().map(|b| (&b.0, b)).collect();
        let inserted = now.0.iter().filter(|b| !before.contains_key(&b.0)).count() as u64;
        let updated = now.0.iter().filter(|b| before.get(&b.0).is_some_and(|old| *old != *b)).count() as u64;
        prop_assert_eq!((report.inserted, report.updated), (inserted, updated));
        // A booking travels with its person's details: it is recorded when
        // either changed, and only then.
        let people_before = &stored_people_before;
        let written: BTreeSet<String> = now
            .0
            .iter()
            .filter(|b| {
                before.get(&b.0).is_none_or(|old| *old != *b)
                    || people_before.get(&b.1) != now.1.get(&b.1)
            })
            .map(|b| b.0.clone())
            .collect();
        prop_assert_eq!(recorded_since(&conn, since), written, "recorded for sync");

        let (recount, kept) = day_totals(&conn);
        prop_assert_eq!(recount, kept, "kept daily totals against a recount");
        let fresh = crate::checks::run(&conn, &Default::default()).expect("check");
        let kept = crate::checks::current(&conn, usize::MAX).expect("kept checks");
        prop_assert_eq!(fresh, kept, "kept check results against a fresh check");
    }
}
