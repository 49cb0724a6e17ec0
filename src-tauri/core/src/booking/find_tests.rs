use super::*;
use crate::import::{import_file, ImportKind, Quiet};

const GIVEN: &[&str] = &[
    "Marie",
    "Marc",
    "Jean-Pierre",
    "Émilie",
    "Zoë",
    "Amélie",
    "John",
    "Mary Ann",
    "Noël",
    "Chloé",
    "MARIELLE",
];
const FAMILY: &[&str] = &[
    "Gagné",
    "Gagnon",
    "Tremblay",
    "Côté",
    "Bouchard",
    "Smith",
    "Lévesque",
    "O'Brien",
    "de la Roche",
    "Bélanger",
    "GAGNÉ-CÔTÉ",
];

/// Sites A and B (A open on 12 March and 2 April); 400 people booked (one dose each), most named from the
/// lists above in every combination, one in seven with no name at all,
/// some with only one of the two.
fn store() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&dir.path().join("find.sqlite3")).expect("open");
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let sites = write(
        "sites.csv",
        "site_code,name,kind\nA,Clinic A,mass_clinic\nB,Clinic B,mass_clinic\n".into(),
    );
    let mut bookings = String::from(
        "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,given_name,family_name\n",
    );
    for i in 0..400 {
        let (given, family) = match i % 7 {
            0 => ("", ""),
            1 if i % 2 == 1 => (GIVEN[i % GIVEN.len()], ""),
            2 if i % 3 == 0 => ("", FAMILY[i % FAMILY.len()]),
            _ => (
                GIVEN[i % GIVEN.len()],
                FAMILY[(i / GIVEN.len()) % FAMILY.len()],
            ),
        };
        let site = if i % 2 == 0 { "A" } else { "B" };
        bookings.push_str(&format!(
            "BK{i},P{i:04},1950-01-01,613-555-{i:04},{site},2021-03-10T09:00,1,PFIZER,booked,{given},{family}\n"
        ));
    }
    let bookings = write("bookings.csv", bookings);
    let shifts = write(
        "shifts.csv",
        "site_code,date,start,end,vaccinators\nA,2021-03-12,09:00,17:00,1\nA,2021-04-02,09:00,17:00,1\n".into(),
    );
    import_file(&mut conn, ImportKind::Sites, &sites, &Quiet).expect("sites");
    import_file(&mut conn, ImportKind::Shifts, &shifts, &Quiet).expect("shifts");
    import_file(&mut conn, ImportKind::Bookings, &bookings, &Quiet).expect("bookings");
    (dir, conn)
}

/// The oracle's own folding, written from the rule in the doc comments
/// (lowercase, French accents dropped, spaces squeezed), not by calling
/// the store's.
fn plain(text: &str) -> String {
    const ACCENTED: &str = "àâäáéèêëîïíôöóùûüúçÿ";
    const BARE: &str = "aaaaeeeeiiiooouuuucy";
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| match ACCENTED.chars().position(|a| a == c) {
            Some(i) => BARE.chars().nth(i).unwrap_or(c),
            None => c,
        })
        .collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

type Person = (String, Option<String>, Option<String>);

fn everyone(conn: &Connection) -> Vec<Person> {
    let mut stmt = conn
        .prepare("SELECT person_id, given_name, family_name FROM person")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

/// Brute force over every person: the ids a search should find, in the
/// order it should list them (family name, given name, id; no family name
/// last).
fn expected(people: &[Person], text: &str) -> Vec<String> {
    let wanted = plain(text);
    let given_family = |(id, given, family): &Person| {
        let g = given.as_deref().map(plain);
        let f = family.as_deref().map(plain);
        let starts =
            |n: &Option<String>, part: &str| n.as_ref().is_some_and(|n| n.starts_with(part));
        let words: Vec<&str> = wanted.split(' ').collect();
        let split_matches = (1..words.len()).any(|k| {
            let (first, rest) = (words[..k].join(" "), words[k..].join(" "));
            (starts(&g, &first) && starts(&f, &rest)) || (starts(&f, &first) && starts(&g, &rest))
        });
        let found = id.starts_with(text.trim())
            || id.starts_with(&text.trim().to_uppercase())
            || starts(&g, &wanted)
            || starts(&f, &wanted)
            || split_matches;
        found.then(|| (f.is_none(), f.clone(), g.clone(), id.clone()))
    };
    let mut found: Vec<_> = people.iter().filter_map(given_family).collect();
    found.sort();
    found.into_iter().map(|(_, _, _, id)| id).collect()
}

fn ids(found: &PeopleFound) -> Vec<String> {
    found.people.iter().map(|p| p.person_id.clone()).collect()
}

#[test]
fn finds_the_same_people_as_a_scan_of_everyone_in_the_same_order() {
    let (_dir, conn) = store();
    let people = everyone(&conn);
    assert_eq!(people.len(), 400);
    let searches = [
        "gagn",
        "GAGNE",
        "gagné",
        "  Gagné  ",
        "cote",
        "Côté",
        "de la",
        "de la roche",
        "de  la r",
        "marie",
        "mari",
        "marie gagn",
        "gagne marie",
        "mar gag",
        "jean-p",
        "jean-pierre bou",
        "mary ann",
        "mary ann smi",
        "mary",
        "zoe",
        "noel",
        "o'b",
        "emilie",
        "Émi",
        "P01",
        "p01",
        "P0399",
        "bk",
        "zz",
        "smith john",
        "gagne-cote mar",
        "tremblay chl",
    ];
    let mut nonempty = 0;
    for text in searches {
        let want = expected(&people, text);
        let got = find_people(&conn, text, 1000).expect("find");
        assert_eq!(ids(&got), want, "search {text:?}");
        assert!(!got.more, "{text:?}: all fit in 1000");
        nonempty += usize::from(!want.is_empty());
    }
    // The searches are worth something: most find people, some do not.
    assert!(nonempty >= 28, "only {nonempty} searches found anyone");
}

#[test]
fn a_found_person_comes_with_their_details_and_bookings() {
    let (_dir, conn) = store();
    let found = find_people(&conn, "P0012", 10).expect("find");
    assert_eq!(found.people.len(), 1);
    let p = &found.people[0];
    assert_eq!(p.person_id, "P0012");
    assert_eq!(p.phone.as_deref(), Some("613-555-0012"));
    assert_eq!(p.birth_date.as_deref(), Some("1950-01-01"));
    assert_eq!(
        (p.name.given_name.as_deref(), p.name.family_name.as_deref()),
        (
            Some(GIVEN[12 % GIVEN.len()]),
            Some(FAMILY[(12 / GIVEN.len()) % FAMILY.len()])
        )
    );
    let booked: Vec<_> = p
        .appointments
        .iter()
        .map(|a| {
            (
                a.booking_id.as_deref(),
                a.site_code.as_str(),
                a.slot.as_str(),
                a.dose_number,
            )
        })
        .collect();
    assert_eq!(booked, [(Some("BK12"), "A", "2021-03-10T09:00", 1)]);
}

#[test]
fn a_broad_search_shows_a_few_in_order_and_says_there_are_more() {
    let (_dir, conn) = store();
    let people = everyone(&conn);
    let want = expected(&people, "ma");
    assert!(want.len() > 20, "{} people start with ma", want.len());
    let got = ids(&find_people(&conn, "ma", 20).expect("find"));
    assert_eq!(got.len(), 20);
    // Some of the matches, in the order of the whole list.
    let positions: Vec<usize> = got
        .iter()
        .map(|id| want.iter().position(|w| w == id).unwrap_or(usize::MAX))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]) && positions.iter().all(|&p| p < want.len()),
        "{got:?} is not an ordered part of {want:?}"
    );
    assert!(find_people(&conn, "ma", 20).expect("find").more);
    let exact = find_people(&conn, "ma", want.len()).expect("find");
    assert_eq!(ids(&exact), want);
    assert!(!exact.more, "exactly as many as asked for: nothing more");
}

#[test]
fn a_search_needs_two_characters() {
    let (_dir, conn) = store();
    for text in ["", " ", "g", " é "] {
        let err = find_people(&conn, text, 10).expect_err("too short");
        assert_eq!(err.code(), "invalid_input", "{text:?}");
        assert!(err.to_string().contains("at least 2 characters"), "{err}");
    }
}

/// Each way of matching reads one index's range in that index's order and
/// stops: no scan of the people, no sort of everything matched.
#[test]
fn every_search_reads_an_index_in_order_never_every_person() {
    let (_dir, conn) = store();
    for text in ["gagn", "marie gagn", "jean pierre tremblay", "P01", "p01"] {
        for (sql, mut values) in search_sql(text) {
            values.push(rusqlite::types::Value::Integer(13));
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("explain");
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(values.iter()), |r| r.get(3))
                .expect("plan")
                .collect::<rusqlite::Result<_>>()
                .expect("rows");
            assert!(
                plan.iter()
                    .all(|s| !s.starts_with("SCAN") && !s.contains("TEMP B-TREE")),
                "{text:?}: {sql}: {plan:#?}"
            );
            assert!(
                plan.iter().any(|s| s.starts_with("SEARCH person USING")),
                "{plan:#?}"
            );
        }
    }
}

/// Every way a name reaches the store keeps its search key with it: the
/// bulk import into an empty store, a later import merging into it, a
/// booking made here, a booking arriving by sync, and a store made before
/// the keys existed (its migration fills them).
#[test]
fn every_name_written_keeps_its_search_key() {
    let (dir, mut conn) = store();
    let assert_keys = |conn: &Connection, when: &str| {
        let mut stmt = conn
            .prepare("SELECT person_id, given_name, family_name, given_key, family_key FROM person")
            .expect("prepare");
        type Names = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Names> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        for (id, given, family, given_key, family_key) in rows {
            assert_eq!(given_key, given.as_deref().map(plain), "{when}: {id} given");
            assert_eq!(
                family_key,
                family.as_deref().map(plain),
                "{when}: {id} family"
            );
        }
    };
    assert_keys(&conn, "bulk import");
    let later = dir.path().join("later.csv");
    std::fs::write(
        &later,
        "booking_id,person_id,site_code,slot_start,dose_number,product,status,given_name,family_name\n\
         BK0,P0000,A,2021-03-10T09:00,1,PFIZER,booked,Éloïse,Ouellet\n\
         BK900,P0900,B,2021-03-11T09:00,1,PFIZER,booked,René,Saint-Amour\n",
    )
    .expect("write");
    import_file(&mut conn, ImportKind::Bookings, &later, &Quiet).expect("later");
    assert_keys(&conn, "a merging import");
    assert_eq!(
        ids(&find_people(&conn, "eloise ouel", 5).expect("find")),
        ["P0000"]
    );
    assert_eq!(
        ids(&find_people(&conn, "saint-a", 5).expect("find")),
        ["P0900"]
    );

    let mut walk_in = crate::booking::tests::request("", "2021-03-12T09:00");
    walk_in.given_name = Some("Gaétan".into());
    walk_in.family_name = Some("  Dubé ".into());
    let booked = crate::booking::book_first_dose(&mut conn, &walk_in).expect("book");
    assert_keys(&conn, "a booking made here");
    assert_eq!(
        ids(&find_people(&conn, "dube gae", 5).expect("find")),
        [booked.person_id]
    );

    let slot: i64 = conn
        .query_row("SELECT slot_minute FROM appointment LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("slot");
    let pulled = serde_json::json!({
        "booking_id": "BK950", "person_id": "P0950", "site": "A", "slot_minute": slot,
        "dose_number": 1, "product": "PFIZER", "status": "booked", "source": "import",
        "booked_at": null, "updated_at": "2021-03-01T00:00:00Z",
        "given_name": "Anaïs", "family_name": "Lefèbvre",
    });
    crate::store::synced::apply(
        &conn,
        crate::sync::wire::Table::Appointment,
        "BK950",
        &pulled.to_string(),
        false,
        "2021-03-01T00:00:00Z",
    )
    .expect("apply");
    assert_keys(&conn, "a booking pulled by sync");
    assert_eq!(
        ids(&find_people(&conn, "lefeb", 5).expect("find")),
        ["P0950"]
    );
}

#[test]
fn a_store_from_before_the_keys_gets_them_when_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v11.sqlite3");
    {
        let old = Connection::open(&path).expect("old");
        for sql in &crate::store::MIGRATIONS[..11] {
            old.execute_batch(sql).expect("old migration");
        }
        old.pragma_update(None, "application_id", crate::store::APPLICATION_ID)
            .expect("id");
        old.pragma_update(None, "user_version", 11)
            .expect("version");
        old.execute_batch(
            "INSERT INTO person (person_id, uuid, given_name, family_name, updated_at)
             VALUES ('OLD1', randomblob(16), 'Hélène', 'Bélanger', 'x'),
                    ('OLD2', randomblob(16), NULL, NULL, 'x')",
        )
        .expect("people");
    }
    let conn = crate::store::open(&path).expect("upgrade");
    let keys: Vec<(Option<String>, Option<String>)> = conn
        .prepare("SELECT given_key, family_key FROM person ORDER BY person_id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(
        keys,
        [
            (Some("helene".into()), Some("belanger".into())),
            (None, None)
        ]
    );
    let found = find_people(&conn, "belanger hel", 5).expect("find");
    assert_eq!(ids(&found), ["OLD1"]);
    assert!(found.people[0].appointments.is_empty());
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Names from a small alphabet (so searches often hit), with capitals,
    /// accents, hyphens, apostrophes and inner spaces.
    fn name() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[aAéÉeèçCoôlL][aeéiou'çn -]{0,6}[aeéiounr]")
    }

    /// A search: the start of someone's name (in either order, any case,
    /// accents kept or not), of their id, or anything at all.
    fn search(people: &[(Option<String>, Option<String>)]) -> impl Strategy<Value = String> {
        let names: Vec<String> = people
            .iter()
            .flat_map(|(g, f)| {
                let g = g.clone().unwrap_or_default();
                let f = f.clone().unwrap_or_default();
                [g.clone(), f.clone(), format!("{g} {f}"), format!("{f} {g}")]
            })
            .filter(|n| n.trim().chars().count() >= 2)
            .collect();
        let from_names = if names.is_empty() {
            Just("ab".to_string()).boxed()
        } else {
            (
                prop::sample::select(names),
                2..12usize,
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(n, len, upper, bare)| {
                    let mut s: String = n.chars().take(len).collect();
                    if upper {
                        s = s.to_uppercase();
                    }
                    if bare {
                        s = plain(&s);
                    }
                    s
                })
                .boxed()
        };
        prop_oneof![
            4 => from_names,
            1 => (0..people.len().max(1)).prop_map(|i| format!("Q{i:03}")[..3].to_string()),
            1 => "[a-zé ]{2,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn finds_what_a_scan_of_everyone_finds(
            (people, texts) in prop::collection::vec((name(), name()), 1..60)
                .prop_flat_map(|people| {
                    let texts = prop::collection::vec(search(&people), 1..8);
                    (Just(people), texts)
                })
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let conn = crate::store::open(&dir.path().join("p.sqlite3")).expect("open");
            for (i, (given, family)) in people.iter().enumerate() {
                crate::store::person::upsert(
                    &conn,
                    &format!("Q{i:03}"),
                    &crate::store::person::Details {
                        given_name: given.as_deref(),
                        family_name: family.as_deref(),
                        ..Default::default()
                    },
                    "2021-03-01T00:00:00Z",
                )
                .expect("person");
            }
            let everyone = everyone(&conn);
            for text in texts {
                if text.trim().chars().count() < MIN_SEARCH {
                    continue;
                }
                let got = find_people(&conn, &text, 1000).expect("find");
                prop_assert_eq!(ids(&got), expected(&everyone, &text), "search {:?}", text);
            }
        }
    }
}
