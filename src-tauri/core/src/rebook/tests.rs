use super::*;
use crate::import::{import_file, ImportKind, Quiet};

/// Site A (2 a slot, 08:00–09:00) holds a slot booked 5 times over 2 places;
/// B, 10 km away, has room; C, 50 km away, too.
fn setup(dir: &std::path::Path) -> Connection {
    setup_with(dir, "08:15")
}

fn setup_with(dir: &std::path::Path, a_closes: &str) -> Connection {
    let mut conn = crate::store::open(&dir.join("r.sqlite3")).expect("open");
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write");
        p
    };
    let sites = write(
        "sites.csv",
        "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.40,-75.70\nB,B,mass_clinic,45.49,-75.70\nC,C,temporary_clinic,45.85,-75.70\n",
    );
    let shifts = write(
        "shifts.csv",
        &format!("site_code,date,start,end,vaccinators\nA,2021-03-23,08:00,{a_closes},2\nB,2021-03-23,08:00,08:10,1\nC,2021-03-24,08:00,12:00,1\n"),
    );
    let bookings = write(
        "bookings.csv",
        "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status,booked_at\n\
         K1,P1,613-555-0101,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:00\n\
         K2,P2,613-555-0102,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:01\n\
         K3,P3,613-555-0103,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:00\n\
         K4,P4,,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:01\n\
         K5,P5,613-555-0105,A,2021-03-23T08:02,1,PFIZER,booked,2021-03-20T09:02\n\
         K6,P5,613-555-0105,A,2021-04-13T08:00,2,PFIZER,booked,2021-03-20T09:02\n\
         K7,P7,,A,2021-03-23T08:05,1,PFIZER,booked,2021-03-01T09:00\n",
    );
    for (k, p) in [
        (ImportKind::Sites, sites),
        (ImportKind::Shifts, shifts),
        (ImportKind::Bookings, bookings),
    ] {
        import_file(&mut conn, k, &p, &Quiet).expect("import");
    }
    conn
}

#[test]
fn proposes_same_site_then_nearest_sites_without_overbooking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let first = plan(&conn, &CheckQuery::default()).expect("plan");
    // 5 active in a 2-place slot: the 3 most recently booked move.
    let ids: Vec<&str> = first
        .proposals
        .iter()
        .filter_map(|p| p.booking_id.as_deref())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| ["K3", "K4", "K5"].contains(id)),
        "{ids:?}"
    );
    let to: Vec<(Option<&str>, Option<&str>)> = first
        .proposals
        .iter()
        .map(|p| (p.proposed_site.as_deref(), p.proposed_slot.as_deref()))
        .collect();
    // A has 1 free place at 08:05 and 2 at 08:10; B 2 places (10 km); C next day.
    assert_eq!(
        to,
        vec![
            (Some("A"), Some("2021-03-23T08:05")),
            (Some("A"), Some("2021-03-23T08:10")),
            (Some("A"), Some("2021-03-23T08:10")),
        ]
    );
    // The view's page: the first proposals, the figures of the whole plan.
    let page = plan_for_view(&conn, &CheckQuery::default(), 2).expect("page");
    assert_eq!(page.proposals[..], first.proposals[..2]);
    assert_eq!(page.excess, 3);
    assert_eq!(page.expected_arrivals, first.expected_arrivals);
    assert_eq!(
        counts(&conn, &CheckQuery::default(), None).expect("counts"),
        RebookCounts {
            total: 3,
            unplaced: first.unplaced
        }
    );
    assert_eq!(first.total, 3);
    assert_eq!(first.unplaced, 0);

    // Record the calls: one accepted (moves), one unreachable, one wrong number.
    let accepted = &first.proposals[0];
    record(
        &mut conn,
        &CallOutcome {
            appointment_id: accepted.appointment_id,
            outcome: "reached_accepted".into(),
            to_site: accepted.proposed_site.clone(),
            to_slot: accepted.proposed_slot.clone(),
            note: None,
            call_back_at: None,
        },
    )
    .expect("accept");
    for (p, outcome) in first.proposals[1..]
        .iter()
        .zip(["unreachable", "wrong_number"])
    {
        record(
            &mut conn,
            &CallOutcome {
                appointment_id: p.appointment_id,
                outcome: outcome.into(),
                to_site: None,
                to_slot: None,
                note: None,
                call_back_at: None,
            },
        )
        .expect("record");
    }
    let after = crate::checks::run(&conn, &CheckQuery::default()).expect("check");
    assert_eq!(after.excess_bookings, 2, "one moved; two still in the slot");
    let again = plan(&conn, &CheckQuery::default()).expect("plan again");
    assert_eq!(
        again.expected_arrivals,
        vec![SiteDayArrivals {
            site_code: "A".into(),
            date: "2021-03-23".into(),
            expected_unreachable: 2,
            declined: 0,
            to_call: 0,
            forecast_unreachable: 0,
            expected: 2,
        }]
    );

    // The call list names each person with their phone and both slots.
    let mut out = Vec::new();
    export_csv(&again, &mut out).expect("export");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.starts_with("appointment_id,booking_id,person_id,phone,dose_number,site_code,slot,proposed_site,proposed_slot,last_outcome,given_name,family_name,preferred_language\n"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn moves_keep_the_other_dose_in_its_window_and_accepting_rechecks_capacity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let plan = plan(&conn, &CheckQuery::default()).expect("plan");
    // P5's dose 2 is on 13 April: dose 1 may not move later than 23 March (21 days).
    let p5 = plan
        .proposals
        .iter()
        .find(|p| p.person_id == "P5")
        .expect("P5 moves");
    let slot = p5.proposed_slot.as_deref().expect("a place on the 23rd");
    assert!(
        slot.starts_with("2021-03-23"),
        "P5 keeps 21 days before dose 2: {slot}"
    );
    // Accepting into a full slot is refused and changes nothing.
    let err = record(
        &mut conn,
        &CallOutcome {
            appointment_id: p5.appointment_id,
            outcome: "reached_accepted".into(),
            to_site: Some("A".into()),
            to_slot: Some("2021-03-23T08:00".into()),
            note: None,
            call_back_at: None,
        },
    )
    .expect_err("full");
    assert_eq!(err.code(), "slot_full");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM contact_attempt", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0);
    let bad = record(
        &mut conn,
        &CallOutcome {
            appointment_id: p5.appointment_id,
            outcome: "maybe".into(),
            to_site: None,
            to_slot: None,
            note: None,
            call_back_at: None,
        },
    )
    .expect_err("bad outcome");
    assert_eq!(bad.code(), "invalid_input");
}

#[test]
fn with_no_room_at_the_site_the_nearest_sites_come_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A runs only the 08:00 and 08:05 slots, both full after the move of one.
    let conn = setup_with(dir.path(), "08:10");
    let plan = plan(&conn, &CheckQuery::default()).expect("plan");
    let to: Vec<(Option<&str>, Option<f64>)> = plan
        .proposals
        .iter()
        .map(|p| (p.proposed_site.as_deref(), p.distance_km))
        .collect();
    assert_eq!(to[0].0, Some("A"), "08:05 at A has one place");
    assert_eq!(
        (to[1].0, to[2].0),
        (Some("B"), Some("B")),
        "then B, 10 km away: {to:?}"
    );
    assert!(to[1].1.is_some_and(|d| (9.0..11.0).contains(&d)), "{to:?}");
    // P5 (dose 2 fixed on 13 April) cannot go to C on the 24th; others could.
    assert_eq!(plan.unplaced, 0);
}

#[test]
fn distances_are_great_circle_km() {
    // Ottawa City Hall to Ray Friel, about 17 km.
    let d = crate::geo::haversine_km(45.4206, -75.6903, 45.4687, -75.4906);
    assert!((16.0..17.5).contains(&d), "{d}");
}

/// At scale (a generated incident: many over-capacity slots, several
/// starting at the same minute at different sites), the view's first screen
/// is exactly the start of the whole plan, with the same figures.
#[test]
fn the_first_screen_is_the_start_of_the_whole_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let params = crate::generate::GenerateParams {
        sites: 40,
        bookings: 30_000,
        dose_counts: 1,
        seed: 7,
        incident: 300,
    };
    crate::generate::generate(&dir.path().join("data"), &params, &Quiet).expect("generate");
    let mut conn = crate::store::open(&dir.path().join("g.sqlite3")).expect("open");
    for (kind, file) in [
        (ImportKind::Sites, "sites.csv"),
        (ImportKind::Shifts, "shifts.csv"),
        (ImportKind::Bookings, "bookings.csv"),
    ] {
        import_file(&mut conn, kind, &dir.path().join("data").join(file), &Quiet).expect(file);
    }
    let all = plan(&conn, &CheckQuery::default()).expect("plan");
    assert!(all.total > 150, "the incident is planted: {}", all.total);
    // Some calls made: their people are still expected.
    for p in all.proposals.iter().step_by(7).take(20) {
        record(
            &mut conn,
            &CallOutcome {
                appointment_id: p.appointment_id,
                outcome: "unreachable".into(),
                to_site: None,
                to_slot: None,
                note: None,
                call_back_at: None,
            },
        )
        .expect("record");
    }
    let all = plan(&conn, &CheckQuery::default()).expect("plan");
    assert!(!all.expected_arrivals.is_empty());
    for shown in [1, 37, 100, all.proposals.len() + 5] {
        let page = plan_for_view(&conn, &CheckQuery::default(), shown).expect("page");
        let n = shown.min(all.proposals.len());
        assert_eq!(page.proposals[..], all.proposals[..n], "shown {shown}");
        assert_eq!(page.expected_arrivals, all.expected_arrivals);
        // Every excess booking, as the Checks count them (attended ones too).
        let checked = crate::checks::current(&conn, 0).expect("checks");
        assert_eq!(page.excess, checked.excess_bookings);
    }
    // The desk's pages, first or not, carry the start of the same list and
    // its length.
    let arrivals = all.expected_arrivals.len();
    assert!(
        arrivals > ARRIVALS_SHOWN,
        "site-days expecting people: {arrivals}"
    );
    for filter in [
        DeskFilter::default(),
        DeskFilter {
            offset: 1,
            ..DeskFilter::default()
        },
    ] {
        let desk = page(&conn, &CheckQuery::default(), &filter).expect("desk");
        assert_eq!(
            desk.expected_arrivals[..],
            all.expected_arrivals[..ARRIVALS_SHOWN]
        );
        assert_eq!(desk.arrivals_total, arrivals);
    }
    assert!(
        all.total
            < crate::checks::current(&conn, 0)
                .expect("checks")
                .excess_bookings
    );
    assert_eq!(
        counts(&conn, &CheckQuery::default(), None).expect("counts"),
        RebookCounts {
            total: all.total,
            unplaced: all.unplaced
        }
    );
}

/// Ids and phones from an imported file that a spreadsheet would run
/// (`=HYPERLINK(...)` was exported live once) open as text in the call
/// list; the file is read back cell by cell with a CSV reader.
#[test]
fn the_call_list_opens_in_a_spreadsheet_with_no_live_formula() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let hostile = dir.path().join("hostile.csv");
    std::fs::write(
        &hostile,
        "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status,booked_at\n\
         @K8,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",+1 613 555 0108,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-21T09:00\n\
         K9,-2+3,=1+1,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-21T09:01\n",
    )
    .expect("write");
    import_file(&mut conn, ImportKind::Bookings, &hostile, &Quiet).expect("import");
    let plan = plan(&conn, &CheckQuery::default()).expect("plan");
    let out = dir.path().join("calls.csv");
    crate::export::write(&conn, &out, |w| export_csv(&plan, w)).expect("export");
    let mut reader = csv::Reader::from_path(&out).expect("read back");
    let mut people = Vec::new();
    for record in reader.records() {
        let record = record.expect("a record");
        for cell in record.iter() {
            assert!(!crate::export::tests::would_run(cell), "{cell:?} would run");
        }
        people.push(record.get(2).expect("person_id").to_string());
    }
    assert!(
        people.contains(&"'=HYPERLINK(\"http://evil.example\",\"x\")".to_string()),
        "{people:?}"
    );
    assert!(people.contains(&"'-2+3".to_string()), "{people:?}");
}

fn call(
    id: i64,
    outcome: &str,
    to: Option<(&str, &str)>,
    note: Option<&str>,
    back: Option<&str>,
) -> CallOutcome {
    CallOutcome {
        appointment_id: id,
        outcome: outcome.into(),
        to_site: to.map(|t| t.0.into()),
        to_slot: to.map(|t| t.1.into()),
        note: note.map(Into::into),
        call_back_at: back.map(Into::into),
    }
}

/// Records an accepted call moving `id` to site A at `slot`.
fn accept(conn: &mut Connection, id: i64, slot: &str) {
    record(
        conn,
        &call(id, "reached_accepted", Some(("A", slot)), None, None),
    )
    .expect("accept");
}

fn place_of(conn: &Connection, id: i64) -> (String, i64) {
    conn.query_row(
        "SELECT s.code, a.slot_minute FROM appointment a JOIN site s ON s.id = a.site_id WHERE a.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("place")
}

fn minute(text: &str) -> i64 {
    crate::time::minute_of(crate::time::parse_local_datetime(text).expect("a time"))
}

/// The desk's filters, against the fixture's people as written above:
/// K3, K4 and K5 are the excess (P3 613-555-0103, P4 no phone, P5).
#[test]
fn the_desk_finds_a_person_pages_and_narrows_by_how_the_calls_stand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let q = CheckQuery::default();
    let find = |conn: &Connection, f: DeskFilter| {
        let page = page(conn, &q, &f).expect("page");
        let ids: Vec<String> = page
            .proposals
            .iter()
            .filter_map(|p| p.booking_id.clone())
            .collect();
        (ids, page.matching)
    };
    let search = |s: &str| DeskFilter {
        search: Some(s.into()),
        ..DeskFilter::default()
    };
    assert_eq!(
        find(&conn, search("555 0103")),
        (vec!["K3".to_string()], Some(1)),
        "by phone, spaced"
    );
    assert_eq!(
        find(&conn, search("k4")),
        (vec!["K4".to_string()], Some(1)),
        "by booking id, any case"
    );
    assert_eq!(
        find(&conn, search("p5")),
        (vec!["K5".to_string()], Some(1)),
        "by person id"
    );
    assert_eq!(
        find(&conn, search("01")).1,
        Some(0),
        "two digits are not a phone search, and no id holds 01"
    );
    // Pages of one walk the whole list once, in order.
    let mut walked = Vec::new();
    for offset in 0..4 {
        walked.extend(
            find(
                &conn,
                DeskFilter {
                    offset,
                    limit: 1,
                    ..DeskFilter::default()
                },
            )
            .0,
        );
    }
    assert_eq!(walked, ["K3", "K4", "K5"]);
    let first = page(&conn, &q, &DeskFilter::default()).expect("first page");
    assert_eq!(
        first.matching, None,
        "the first page does not plan the rest"
    );
    assert_eq!(
        (first.excess, first.sites.clone(), first.dates.clone()),
        (3, vec!["A".to_string()], vec!["2021-03-23".to_string()])
    );
    let narrowed = page(
        &conn,
        &q,
        &DeskFilter {
            site: Some("A".into()),
            ..DeskFilter::default()
        },
    )
    .expect("site");
    assert_eq!(
        (
            narrowed.matching,
            narrowed.sites.clone(),
            narrowed.dates.clone()
        ),
        (
            Some(3),
            vec!["A".to_string()],
            vec!["2021-03-23".to_string()]
        )
    );
    assert_eq!(
        find(
            &conn,
            DeskFilter {
                site: Some("B".into()),
                ..DeskFilter::default()
            }
        )
        .1,
        Some(0)
    );
    assert_eq!(
        find(
            &conn,
            DeskFilter {
                date: Some("2021-03-24".into()),
                ..DeskFilter::default()
            }
        )
        .1,
        Some(0)
    );

    // K3 declines; K4 cannot be reached twice, with a note and a call-back; K5 not called.
    let ids: Vec<i64> = first.proposals.iter().map(|p| p.appointment_id).collect();
    record(
        &mut conn,
        &call(ids[0], "reached_declined", None, None, None),
    )
    .expect("declined");
    record(
        &mut conn,
        &call(ids[1], "unreachable", None, Some("no answer"), None),
    )
    .expect("first try");
    record(
        &mut conn,
        &call(
            ids[1],
            "unreachable",
            None,
            Some("  voicemail, call after supper "),
            Some("2021-03-22T18:30"),
        ),
    )
    .expect("second try");
    let status = |s: &str| DeskFilter {
        status: Some(s.into()),
        ..DeskFilter::default()
    };
    assert_eq!(find(&conn, status("declined")).0, ["K3"]);
    assert_eq!(find(&conn, status("unreachable")).0, ["K4"]);
    assert_eq!(find(&conn, status("call_back")).0, ["K4"]);
    assert_eq!(find(&conn, status("to_call")).0, ["K5"]);
    assert_eq!(find(&conn, status("unplaced")).1, Some(0));
    let k4 = page(&conn, &q, &search("K4"))
        .expect("K4")
        .proposals
        .remove(0);
    assert_eq!(k4.calls.attempts, 2);
    assert_eq!(
        k4.calls.last_note.as_deref(),
        Some("voicemail, call after supper")
    );
    assert_eq!(k4.calls.call_back_at.as_deref(), Some("2021-03-22T18:30"));
    assert_eq!(k4.calls.last_caller, Some(crate::audit::actor()));
    // A call-back time that is not one is refused and writes nothing.
    let before: i64 = conn
        .query_row("SELECT count(*) FROM contact_attempt", [], |r| r.get(0))
        .expect("n");
    let bad = record(
        &mut conn,
        &call(ids[2], "unreachable", None, None, Some("after supper")),
    )
    .expect_err("not a time");
    assert!(bad.to_string().contains("after supper"), "{bad}");
    let after: i64 = conn
        .query_row("SELECT count(*) FROM contact_attempt", [], |r| r.get(0))
        .expect("n");
    assert_eq!(before, after);
    let unknown = page(&conn, &q, &status("maybe")).expect_err("unknown status");
    assert_eq!(unknown.code(), "invalid_input");
}

/// Accepted by mistake: Undo puts the booking back and the call is kept,
/// marked undone; a chain of moves unwinds one at a time; a booking moved
/// since by someone else is left where it is.
#[test]
fn an_accepted_move_is_undone_in_one_step_and_only_while_it_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let q = CheckQuery::default();
    let first = plan(&conn, &q).expect("plan");
    let k3 = first.proposals[0].clone();
    assert_eq!(k3.booking_id.as_deref(), Some("K3"));
    let was = place_of(&conn, k3.appointment_id);
    assert_eq!(was, ("A".to_string(), minute("2021-03-23T08:00")));
    accept(&mut conn, k3.appointment_id, "2021-03-23T08:05");
    accept(&mut conn, k3.appointment_id, "2021-03-23T08:10");
    assert_eq!(
        place_of(&conn, k3.appointment_id),
        ("A".to_string(), minute("2021-03-23T08:10"))
    );

    let back = undo_accepted(&mut conn, k3.appointment_id).expect("undo the second");
    assert_eq!(
        (back.site_code.as_str(), back.slot.as_str()),
        ("A", "2021-03-23T08:05")
    );
    assert_eq!(
        place_of(&conn, k3.appointment_id).1,
        minute("2021-03-23T08:05")
    );
    let back = undo_accepted(&mut conn, k3.appointment_id).expect("undo the first");
    assert_eq!(back.slot, "2021-03-23T08:00");
    assert_eq!(place_of(&conn, k3.appointment_id), was);
    // Both calls stay on record, undone; the desk proposes K3 again as before.
    let undone: i64 = conn
        .query_row(
            "SELECT count(*) FROM contact_attempt WHERE undone_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("n");
    assert_eq!(undone, 2);
    let again = plan(&conn, &q).expect("plan again");
    assert_eq!(again.proposals, first.proposals);
    assert_eq!(
        undo_accepted(&mut conn, k3.appointment_id)
            .expect_err("nothing left")
            .code(),
        "invalid_input"
    );

    // Moved since (a sync brought another move): not moved back.
    accept(&mut conn, k3.appointment_id, "2021-03-23T08:05");
    let b = crate::store::site::id(&conn, "B").expect("B");
    crate::store::appointment::move_to(
        &conn,
        k3.appointment_id,
        b,
        minute("2021-03-23T08:00"),
        "2021-03-21T00:00:00Z",
    )
    .expect("move");
    let err = undo_accepted(&mut conn, k3.appointment_id).expect_err("moved since");
    assert_eq!(err.code(), "conflict");
    assert!(err.to_string().contains("B 2021-03-23T08:00"), "{err}");
    assert_eq!(
        place_of(&conn, k3.appointment_id),
        ("B".to_string(), minute("2021-03-23T08:00"))
    );
    // A declined call is not a move to undo.
    record(
        &mut conn,
        &call(
            first.proposals[1].appointment_id,
            "reached_declined",
            None,
            None,
            None,
        ),
    )
    .expect("declined");
    assert_eq!(
        undo_accepted(&mut conn, first.proposals[1].appointment_id)
            .expect_err("declined")
            .code(),
        "invalid_input"
    );
}

/// The desk finds people by name the way a caller types it: any case, with
/// or without accents, given name first or family name first; the call
/// list carries the names and the language to call in.
#[test]
fn the_desk_finds_people_by_name_and_the_call_list_names_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let names = dir.path().join("names.csv");
    std::fs::write(
        &names,
        "booking_id,person_id,site_code,slot_start,dose_number,product,status,booked_at,given_name,family_name,preferred_language\n\
         K3,P3,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:00,Hélène,Gagné,FR\n\
         K4,P4,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:01,Mark,Gagnon,en\n",
    )
    .expect("write");
    import_file(&mut conn, ImportKind::Bookings, &names, &Quiet).expect("names");
    let q = CheckQuery::default();
    let found = |text: &str| -> Vec<String> {
        page(
            &conn,
            &q,
            &DeskFilter {
                search: Some(text.into()),
                ..DeskFilter::default()
            },
        )
        .expect("page")
        .proposals
        .iter()
        .filter_map(|p| p.booking_id.clone())
        .collect()
    };
    assert_eq!(
        found("gagne"),
        ["K3"],
        "accents folded, a prefix of the family name"
    );
    assert_eq!(found("GAGN"), ["K3", "K4"]);
    assert_eq!(found("helene gag"), ["K3"], "given name first");
    assert_eq!(
        found("gagnon  mark"),
        ["K4"],
        "family name first, spaces squeezed"
    );
    assert!(found("lene").is_empty(), "names match from their start");
    let k3 = page(
        &conn,
        &q,
        &DeskFilter {
            search: Some("K3".into()),
            ..DeskFilter::default()
        },
    )
    .expect("K3")
    .proposals
    .remove(0);
    assert_eq!(
        (
            k3.name.given_name.as_deref(),
            k3.name.family_name.as_deref(),
            k3.name.preferred_language.as_deref()
        ),
        (Some("Hélène"), Some("Gagné"), Some("fr"))
    );
    let mut out = Vec::new();
    export_csv(&plan(&conn, &q).expect("plan"), &mut out).expect("export");
    let mut reader = csv::Reader::from_reader(&out[..]);
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    let k3_row = rows
        .iter()
        .find(|r| &r[1] == "K3")
        .expect("K3 in the call list");
    assert_eq!(
        (
            &k3_row[column("given_name")],
            &k3_row[column("family_name")],
            &k3_row[column("preferred_language")]
        ),
        ("Hélène", "Gagné", "fr")
    );
}

/// A temporary clinic takes the people nearest it whose own clinic is full
/// that day, before anyone farther away, however early the others' slots.
/// A and C are full on the 23rd (one booking too many each, nothing else
/// free there that day; A has room on the 24th); T opens 2 km from A and
/// 8 km from C with one place; B, 30 km away, has room.
#[test]
fn a_temporary_clinic_takes_the_nearest_people_whose_clinic_is_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1 km of latitude is 1/111.2 degrees. C's excess booking sits in the
    // earlier slot (07:55), so slot order would reach it first.
    let mut conn = crate::test_fixtures::store_from_csv(
        dir.path(),
        &[
            (
                ImportKind::Sites,
                "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.4000,-75.7\nC,C,mass_clinic,45.4540,-75.7\nB,B,mass_clinic,45.1302,-75.7\n",
            ),
            (
                ImportKind::Shifts,
                "site_code,date,start,end,vaccinators\nA,2021-03-23,08:00,08:05,2\nC,2021-03-23,07:55,08:05,2\nB,2021-03-23,08:00,12:00,4\nA,2021-03-24,08:00,12:00,2\n",
            ),
            (
                ImportKind::Bookings,
                "booking_id,person_id,site_code,slot_start,dose_number,product,status,booked_at\n\
                 A1,PA1,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:00\n\
                 A2,PA2,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:01\n\
                 A3,PA3,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:00\n\
                 C1,PC1,C,2021-03-23T07:55,1,PFIZER,booked,2021-03-01T09:00\n\
                 C2,PC2,C,2021-03-23T07:55,1,PFIZER,booked,2021-03-01T09:01\n\
                 C3,PC3,C,2021-03-23T07:55,1,PFIZER,booked,2021-03-20T09:00\n\
                 C4,PC4,C,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:00\n\
                 C5,PC5,C,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:01\n",
            ),
        ],
    );
    let q = CheckQuery::default();
    let proposed = |conn: &Connection| -> Vec<(String, String, String)> {
        let mut all: Vec<(String, String, String)> = plan(conn, &q)
            .expect("plan")
            .proposals
            .iter()
            .map(|p| {
                (
                    p.booking_id.clone().unwrap_or_default(),
                    p.proposed_site.clone().unwrap_or_default(),
                    p.proposed_slot.clone().unwrap_or_default(),
                )
            })
            .collect();
        all.sort();
        all
    };
    // Before: both to A's next day (C3's nearest site with room).
    assert_eq!(
        proposed(&conn),
        [
            ("A3".into(), "A".into(), "2021-03-24T08:00".into()),
            ("C3".into(), "A".into(), "2021-03-24T08:00".into()),
        ]
    );
    crate::temporary_clinic::add(
        &mut conn,
        &crate::temporary_clinic::TemporaryShift {
            site_code: "T".into(),
            name: Some("Temporary T".into()),
            lat: Some(45.4180),
            lon: Some(-75.7),
            address: None,
            postal_code: None,
            date: "2021-03-23".into(),
            start: "08:00".into(),
            end: "08:05".into(),
            vaccinators: 1,
        },
    )
    .expect("temporary clinic");
    // After: T's one place goes to A3, 2 km away, not to C3 (8 km), though
    // C3's slot comes first; C3 keeps A's next day.
    let after = proposed(&conn);
    assert_eq!(
        after[0],
        ("A3".into(), "T".into(), "2021-03-23T08:00".into())
    );
    assert_eq!(
        after[1],
        ("C3".into(), "A".into(), "2021-03-24T08:00".into())
    );
    // The view's first page is the whole plan's start here too.
    let page = plan_for_view(&conn, &q, 1).expect("page");
    let whole = plan(&conn, &q).expect("plan");
    assert_eq!(page.proposals[..], whole.proposals[..1]);
}

/// A 2-a-slot site with its 08:00 slot booked 3 times, a site 5.6 km away
/// and one 30 km away: what a caller may offer instead, and what a cap on
/// the distance leaves.
fn store_for_alternatives(dir: &std::path::Path) -> Connection {
    crate::test_fixtures::store_from_csv(
        dir,
        &[
            (ImportKind::Sites, "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.40,-75.70\nB,B,mass_clinic,45.45,-75.70\nC,C,mass_clinic,45.67,-75.70\n"),
            (
                ImportKind::Shifts,
                "site_code,date,start,end,vaccinators\n\
                 A,2021-03-23,08:00,08:20,2\nA,2021-03-24,08:00,08:10,2\nA,2021-03-26,09:00,09:10,2\n\
                 B,2021-03-23,08:00,09:00,1\nC,2021-03-24,08:00,09:00,4\n",
            ),
            (
                ImportKind::Bookings,
                "booking_id,person_id,site_code,slot_start,dose_number,product,status,booked_at\n\
                 K1,P1,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:00\n\
                 K2,P2,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:01\n\
                 K3,P3,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-20T09:00\n\
                 K4,P3,A,2021-04-13T08:00,2,PFIZER,booked,2021-03-20T09:00\n\
                 K5,P5,A,2021-03-23T08:05,1,PFIZER,booked,2021-03-01T09:00\n\
                 K6,P6,A,2021-03-23T08:05,1,PFIZER,booked,2021-03-01T09:00\n\
                 K7,P7,A,2021-03-23T08:10,1,PFIZER,booked,2021-03-01T09:00\n\
                 K8,P8,A,2021-03-24T08:05,1,PFIZER,attended,2021-03-01T09:00\n\
                 K9,P9,A,2021-03-23T08:00,1,MODERNA,cancelled,2021-03-01T09:00\n",
            ),
        ],
    )
}

fn appointment_of(conn: &Connection, booking: &str) -> i64 {
    conn.query_row(
        "SELECT id FROM appointment WHERE booking_id = ?1",
        [booking],
        |r| r.get(0),
    )
    .expect("appointment")
}

#[test]
fn alternatives_are_free_inside_the_dose_window_and_the_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store_for_alternatives(dir.path());
    let free = crate::test_oracles::free_by_slot(&conn, "2021-03-20", "2021-04-30");
    let list = |booking: &str, cap: Option<f64>, limit: usize| -> Vec<(String, String)> {
        let found =
            alternatives(&conn, appointment_of(&conn, booking), cap, limit).expect("alternatives");
        for f in &found {
            // Each one free by the FORMATS slot rule, recounted from the tables.
            let left = free.get(&(f.site_code.clone(), f.slot.clone())).copied();
            assert_eq!(left, Some(f.free), "{f:?}");
            assert!(f.free > 0, "{f:?}");
        }
        found.into_iter().map(|f| (f.site_code, f.slot)).collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // P3's second dose on 13 April: Pfizer's 21 days keep the first on the 23rd.
    assert_eq!(
        list("K3", None, 8),
        pairs(&[("A", "2021-03-23T08:10"), ("B", "2021-03-23T08:00")])
    );
    // P2 has no second dose: A's earliest free slot each day, then B, then C.
    assert_eq!(
        list("K2", None, 8),
        pairs(&[
            ("A", "2021-03-23T08:10"),
            ("A", "2021-03-24T08:00"),
            ("A", "2021-03-26T09:00"),
            ("B", "2021-03-23T08:00"),
            ("C", "2021-03-24T08:00"),
        ])
    );
    // A 10 km cap drops C, 30 km away; a short list keeps the earliest.
    assert!(!list("K2", Some(10.0), 8).iter().any(|(s, _)| s == "C"));
    assert_eq!(
        list("K2", None, 2),
        pairs(&[("A", "2021-03-23T08:10"), ("A", "2021-03-24T08:00")])
    );
    // Only a booked appointment moves; a cap is a positive distance.
    let attended = alternatives(&conn, appointment_of(&conn, "K8"), None, 8).expect_err("attended");
    assert_eq!(attended.code(), "invalid_input");
    assert_eq!(
        alternatives(&conn, 999_999, None, 8)
            .expect_err("none")
            .code(),
        "not_found"
    );
    for bad in [0.0, -3.0, f64::NAN] {
        let e = alternatives(&conn, appointment_of(&conn, "K2"), Some(bad), 8).expect_err("cap");
        assert_eq!(e.code(), "invalid_input", "{bad}");
    }
}

#[test]
fn a_distance_cap_keeps_proposals_near_or_leaves_them_unplaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = crate::test_fixtures::store_from_csv(
        dir.path(),
        &[
            (ImportKind::Sites, "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.40,-75.70\nB,B,mass_clinic,45.45,-75.70\nC,C,mass_clinic,45.67,-75.70\n"),
            (
                ImportKind::Shifts,
                "site_code,date,start,end,vaccinators\nA,2021-03-23,08:00,08:05,1\nB,2021-03-23,08:00,08:05,1\nC,2021-03-23,08:00,08:30,4\n",
            ),
            (
                ImportKind::Bookings,
                "booking_id,person_id,site_code,slot_start,dose_number,product,status,booked_at\n\
                 K1,P1,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-01T09:00\n\
                 K2,P2,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-02T09:00\n\
                 K3,P3,A,2021-03-23T08:00,1,PFIZER,booked,2021-03-03T09:00\n",
            ),
        ],
    );
    let placed = |cap: Option<f64>| -> Vec<(Option<String>, Option<f64>)> {
        plan_within(&conn, &CheckQuery::default(), cap)
            .expect("plan")
            .proposals
            .into_iter()
            .map(|p| (p.proposed_site, p.distance_km))
            .collect()
    };
    // K2 and K3 move, in id order: K2 to B (5.6 km), K3 to C (30 km).
    let uncapped = placed(None);
    let sites: Vec<_> = uncapped.iter().map(|p| p.0.as_deref()).collect();
    assert_eq!(sites, [Some("B"), Some("C")]);
    // Capped at 10 km: B still, and nobody is sent 30 km: unplaced instead.
    let capped = placed(Some(10.0));
    assert_eq!(
        capped
            .iter()
            .filter(|p| p.0.as_deref() == Some("B"))
            .count(),
        1
    );
    assert_eq!(capped.iter().filter(|p| p.0.is_none()).count(), 1);
    assert!(
        capped.iter().all(|p| p.1.is_none_or(|d| d <= 10.0)),
        "{capped:?}"
    );
    let counted = counts(&conn, &CheckQuery::default(), Some(10.0)).expect("counts");
    assert_eq!((counted.total, counted.unplaced), (2, 1));
    let page = page(
        &conn,
        &CheckQuery::default(),
        &DeskFilter {
            max_km: Some(10.0),
            status: Some("unplaced".into()),
            ..Default::default()
        },
    )
    .expect("page");
    assert_eq!(page.matching, Some(1));
}

/// The walk-in forecast by its rule, with the figures worked by hand: A's
/// 08:00 slot holds 3 excess bookings (K3, K4, K5). Before any call the
/// share not reached is Ottawa's 1,400 of 3,100; each call then weighs
/// against 20 calls at that share.
#[test]
fn walk_ins_are_forecast_before_any_call_and_follow_the_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let ottawa = 1400.0 / 3100.0;
    let arrivals = |conn: &Connection| {
        let p = plan(conn, &CheckQuery::default()).expect("plan");
        let a = p.expected_arrivals.first().expect("A on the 23rd").clone();
        assert_eq!(p.expected_arrivals.len(), 1);
        assert_eq!(
            a.expected,
            a.expected_unreachable + a.declined + a.forecast_unreachable
        );
        (
            (
                a.expected_unreachable,
                a.declined,
                a.to_call,
                a.forecast_unreachable,
            ),
            p.walk_in_forecast,
        )
    };
    let (counts, forecast) = arrivals(&conn);
    // 3 × 0.4516 = 1.35: one person expected before anyone is called.
    assert_eq!(counts, (0, 0, 3, 1));
    assert_eq!((forecast.calls, forecast.unreached), (0, 0));
    assert!((forecast.share - ottawa).abs() < 1e-12);
    let id = |booking: &str| appointment_of(&conn, booking);
    let (k3, k4) = (id("K3"), id("K4"));
    let call = |conn: &mut Connection, appointment_id: i64, outcome: &str| {
        record(
            conn,
            &CallOutcome {
                appointment_id,
                outcome: outcome.into(),
                to_site: None,
                to_slot: None,
                note: None,
                call_back_at: None,
            },
        )
        .expect("record");
    };
    call(&mut conn, k3, "unreachable");
    // (1 + 20 × 0.4516) / 21 = 0.4777; 2 still to call → 0.96 → 1.
    let (counts, forecast) = arrivals(&conn);
    assert_eq!(counts, (1, 0, 2, 1));
    assert!((forecast.share - (1.0 + 20.0 * ottawa) / 21.0).abs() < 1e-12);
    call(&mut conn, k4, "reached_declined");
    // (1 + 9.03) / 22 = 0.456; 1 still to call → 0.46 → 0.
    let (counts, forecast) = arrivals(&conn);
    assert_eq!(counts, (1, 1, 1, 0));
    assert_eq!((forecast.calls, forecast.unreached), (2, 1));
}
