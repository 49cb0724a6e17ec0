use super::*;
use crate::import::{import_file, ImportKind, Quiet};
use rusqlite::Connection;

/// A site `A` with one vaccinator (1 place a slot) 08:00–20:00 on 150 days
/// from 2021-03-01, and a pharmacy `RX` open 09:00–10:00 from 2021-04-01.
fn setup(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("book.sqlite3");
    let mut conn = crate::store::open(&db).expect("open");
    let sites = dir.join("sites.csv");
    std::fs::write(
        &sites,
        "site_code,name,kind\nA,Clinic A,mass_clinic\nRX,Pharmacy,pharmacy\n",
    )
    .expect("write");
    let mut shifts = String::from("site_code,date,start,end,vaccinators\n");
    let start = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).expect("date");
    for d in 0..150 {
        let day = start + chrono::Duration::days(d);
        shifts.push_str(&format!("A,{day},08:00,20:00,1\n"));
        if day >= chrono::NaiveDate::from_ymd_opt(2021, 4, 1).expect("date") {
            shifts.push_str(&format!("RX,{day},09:00,10:00,1\n"));
        }
    }
    let path = dir.join("shifts.csv");
    std::fs::write(&path, shifts).expect("write");
    import_file(&mut conn, ImportKind::Sites, &sites, &Quiet).expect("sites");
    import_file(&mut conn, ImportKind::Shifts, &path, &Quiet).expect("shifts");
    db
}

pub(super) fn request(person: &str, slot: &str) -> BookRequest {
    BookRequest {
        person_id: person.into(),
        birth_date: None,
        phone: None,
        site: "A".into(),
        slot: slot.into(),
        product: "PFIZER".into(),
        second_site: None,
        second_slot: None,
        given_name: None,
        family_name: None,
        preferred_language: None,
    }
}

fn appointments(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM appointment", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn reserves_the_second_dose_at_the_earliest_free_slot_in_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    let p0 = book_first_dose(&mut conn, &request("P0", "2021-03-02T08:00")).expect("P0");
    assert_eq!(
        (p0.first.slot.as_str(), p0.second.slot.as_str()),
        ("2021-03-02T08:00", "2021-03-23T08:00")
    );
    // 23 March 08:00 is now taken: P1's second dose goes to the next free slot.
    let p1 = book_first_dose(&mut conn, &request("P1", "2021-03-02T08:05")).expect("P1");
    assert_eq!(p1.second.slot, "2021-03-23T08:05");
    // The booked pair counts in the checks like any other booking.
    let report = crate::checks::run(&conn, &Default::default()).expect("checks");
    assert_eq!(
        (
            report.overbooked_slots,
            report.orphan_first_doses,
            report.second_dose_out_of_window
        ),
        (0, 0, 0)
    );
}

#[test]
fn refuses_without_writing_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    book_first_dose(&mut conn, &request("P0", "2021-03-02T08:00")).expect("P0");
    let before = appointments(&conn);
    let code = |conn: &mut Connection, req: BookRequest| {
        book_first_dose(conn, &req).expect_err("refused").code()
    };
    // 08:03 lies in the 08:00 slot, which holds its one place.
    assert_eq!(
        code(&mut conn, request("P2", "2021-03-02T08:03")),
        "slot_full"
    );
    assert_eq!(
        code(&mut conn, request("P0", "2021-03-03T08:00")),
        "conflict",
        "already has a first dose"
    );
    assert_eq!(
        code(&mut conn, request("P3", "2021-03-02T21:00")),
        "conflict",
        "no shift then"
    );
    assert_eq!(code(&mut conn, request("P3", "someday")), "invalid_input");
    let mut late = request("P3", "2021-03-04T08:00");
    late.second_slot = Some("2021-08-01T08:00".into());
    assert_eq!(
        code(&mut conn, late),
        "invalid_input",
        "outside the 21–112 day window"
    );
    let mut unknown = request("P3", "2021-03-04T08:00");
    unknown.product = "SPUTNIK".into();
    assert_eq!(code(&mut conn, unknown), "not_found");
    assert_eq!(appointments(&conn), before);
}

#[test]
fn the_second_dose_can_go_to_another_site_or_a_chosen_slot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    let mut req = request("P1", "2021-03-20T10:00");
    req.second_site = Some("RX".into());
    let booked = book_first_dose(&mut conn, &req).expect("book");
    assert_eq!(
        (
            booked.second.site_code.as_str(),
            booked.second.slot.as_str()
        ),
        ("RX", "2021-04-10T09:00")
    );
    let mut chosen = request("P2", "2021-03-20T10:05");
    chosen.second_slot = Some("2021-05-01T15:30".into());
    assert_eq!(
        book_first_dose(&mut conn, &chosen)
            .expect("chosen")
            .second
            .slot,
        "2021-05-01T15:30"
    );
}

#[test]
fn applies_the_eligibility_phases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    conn.execute_batch(
        "INSERT INTO eligibility_phase (min_age, from_date, site_kind, label) VALUES
           (80, '2021-03-01', NULL, '80+'), (60, '2021-04-01', 'pharmacy', '60+ at pharmacies')",
    )
    .expect("phases");
    let mut young = request("P1", "2021-03-10T09:00");
    young.birth_date = Some("1958-06-01".into());
    assert_eq!(
        book_first_dose(&mut conn, &young).expect_err("62").code(),
        "not_eligible"
    );
    let mut at_pharmacy = young.clone();
    at_pharmacy.site = "RX".into();
    at_pharmacy.slot = "2021-04-05T09:00".into();
    book_first_dose(&mut conn, &at_pharmacy).expect("60+ at a pharmacy from April");
    let mut old = request("P2", "2021-03-10T09:00");
    old.birth_date = Some("1935-01-01".into());
    book_first_dose(&mut conn, &old).expect("86");
}

/// Two writers race for the one place in a slot, 1,000 times: exactly one
/// wins each time, and every success is in the store.
#[test]
fn two_threads_racing_for_the_last_place_never_overbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path());
    // 300 races, each lined up by a barrier.
    let rounds = 300;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let run = |who: &'static str| {
        let (db, barrier) = (db.clone(), barrier.clone());
        std::thread::spawn(move || {
            let mut conn = crate::store::open(&db).expect("open");
            let mut won = Vec::new();
            for round in 0..rounds {
                // Round r uses its own slot: day r / 144, slot r % 144 of 08:00–20:00.
                let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).expect("date")
                    + chrono::Duration::days(round / 144);
                let minute = 8 * 60 + 5 * (round % 144);
                let slot = format!("{day}T{:02}:{:02}", minute / 60, minute % 60);
                barrier.wait();
                match book_first_dose(&mut conn, &request(&format!("{who}-{round}"), &slot)) {
                    Ok(b) => won.push(b.first.id),
                    Err(e) if e.code() == "slot_full" => {}
                    Err(e) => panic!("round {round}: {e}"),
                }
            }
            won
        })
    };
    let (a, b) = (run("a"), run("b"));
    let (a, b) = (a.join().expect("a"), b.join().expect("b"));
    assert_eq!(
        a.len() + b.len(),
        rounds as usize,
        "exactly one winner a round"
    );
    let conn = crate::store::open(&db).expect("open");
    assert_eq!(
        appointments(&conn),
        2 * rounds,
        "every success kept, with its second dose"
    );
    let report = crate::checks::run(&conn, &Default::default()).expect("checks");
    assert_eq!(report.overbooked_slots, 0);
}

#[test]
fn cancelling_a_first_dose_asks_about_the_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    let a = book_first_dose(&mut conn, &request("P1", "2021-03-02T08:00")).expect("P1");
    let err = cancel(&mut conn, a.first.id, None).expect_err("must ask");
    assert_eq!(err.code(), "conflict");
    assert!(err.to_string().contains("2021-03-23 08:00"), "{err}");
    assert_eq!(
        cancel(&mut conn, a.first.id, Some(LinkedSecond::Keep)).expect("keep"),
        vec![a.first.id]
    );
    let b = book_first_dose(&mut conn, &request("P2", "2021-03-02T08:05")).expect("P2");
    assert_eq!(
        cancel(&mut conn, b.first.id, Some(LinkedSecond::Cancel)).expect("both"),
        vec![b.first.id, b.second.id]
    );
    // The freed places can be booked again; P1's kept second dose still holds its place.
    let report = crate::checks::run(&conn, &Default::default()).expect("checks");
    assert_eq!(report.orphan_first_doses, 0);
    let people = crate::booking::queries::person(&conn, "P1").expect("P1");
    let statuses: Vec<(i64, &str)> = people
        .appointments
        .iter()
        .map(|a| (a.dose_number, a.status.as_str()))
        .collect();
    assert_eq!(statuses, vec![(1, "cancelled"), (2, "booked")]);
    assert_eq!(
        cancel(&mut conn, a.first.id, None)
            .expect_err("twice")
            .code(),
        "conflict"
    );
    let day = crate::booking::queries::site_day(&conn, "A", "2021-03-02").expect("site-day");
    assert_eq!(day.len(), 144, "every slot of 08:00–20:00");
    assert_eq!(
        (day[0].capacity, day[0].active, day[0].appointments.len()),
        (Some(1), 0, 1)
    );
    assert_eq!(
        crate::booking::queries::person(&conn, "nobody")
            .expect_err("none")
            .code(),
        "not_found"
    );
}

/// Dates typed in the Book view or the CLI are held to the same years as
/// imported ones (issue 17): a slot in year 9999, a birth date before 1900
/// or in the future, and a tally dated 9999 are refused, nothing written.
#[test]
fn impossible_years_typed_in_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&setup(dir.path())).expect("open");
    let far = request("P1", "9999-03-01T09:00");
    let err = book_first_dose(&mut conn, &far).expect_err("year 9999");
    assert!(
        err.to_string()
            .contains("outside the years DoseDesk accepts"),
        "{err}"
    );
    for birth in ["1899-12-31", "2999-01-01"] {
        let mut req = request("P1", "2021-03-01T09:00");
        req.birth_date = Some(birth.into());
        let err = book_first_dose(&mut conn, &req).expect_err(birth);
        assert!(
            err.to_string()
                .contains("not a birth date DoseDesk accepts"),
            "{err}"
        );
    }
    let tally = crate::doses::entry::Tally {
        site_code: "A".into(),
        date: "9999-12-31".into(),
        shift: String::new(),
        dose_number: 1,
        product: "PFIZER".into(),
        doses: 95,
    };
    let err = crate::doses::entry::record(&mut conn, &tally, true).expect_err("tally in 9999");
    assert!(
        err.to_string()
            .contains("outside the years DoseDesk accepts"),
        "{err}"
    );
    assert_eq!(appointments(&conn), 0);
    let tallies: i64 = conn
        .query_row("SELECT count(*) FROM dose_count", [], |r| r.get(0))
        .expect("count");
    assert_eq!(tallies, 0);
}
