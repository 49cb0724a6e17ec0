//! Valid bookings files round-trip: whatever FORMATS.md allows (names with
//! commas, quotes and accents, any-case statuses and products, missing
//! optional values, one person on many rows), the store holds exactly what
//! the file says, whether it arrives in one import into an empty store or
//! in two, the second merging into what the first left. The oracle is the
//! generated rows themselves, read by FORMATS.md's rules.

use crate::import::{import_file, ImportKind, Quiet};
use proptest::prelude::*;
use rusqlite::Connection;
use std::collections::BTreeMap;

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
