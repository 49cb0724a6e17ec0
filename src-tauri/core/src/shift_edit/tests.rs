use super::*;
use crate::import::ImportKind;

/// Site A runs 08:00–09:00 with 2 vaccinators (2 places a 5-minute slot at
/// 5 minutes a dose); 6 people are booked 08:00–08:25, none beyond capacity.
fn setup(dir: &std::path::Path) -> Connection {
    crate::test_fixtures::store_from_csv(
        dir,
        &[
            (ImportKind::Sites, "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.4,-75.7\nP,Pharmacy P,pharmacy,45.5,-75.7\n"),
            (ImportKind::Shifts, "site_code,date,start,end,vaccinators\nA,2021-03-23,08:00,09:00,2\n"),
            (
                ImportKind::Bookings,
                "booking_id,person_id,site_code,slot_start,dose_number,product,status\n\
                 K1,P1,A,2021-03-23T08:00,1,PFIZER,booked\nK2,P2,A,2021-03-23T08:00,1,PFIZER,booked\n\
                 K3,P3,A,2021-03-23T08:10,1,PFIZER,booked\nK4,P4,A,2021-03-23T08:20,1,PFIZER,booked\n\
                 K5,P5,A,2021-03-23T08:25,1,PFIZER,booked\nK6,P6,A,2021-03-23T08:25,1,PFIZER,cancelled\n",
            ),
        ],
    )
}

fn shift_id(conn: &Connection, site: &str, start: &str) -> i64 {
    conn.query_row(
        "SELECT h.id FROM shift h JOIN site s ON s.id = h.site_id WHERE s.code = ?1 AND h.start = ?2",
        [site, start],
        |r| r.get(0),
    )
    .expect("shift")
}

/// The excess bookings of A on the 23rd by FORMATS' slot rule, recomputed
/// from the raw tables by the shared oracle, not by the checks.
fn excess_by_rule(conn: &Connection) -> i64 {
    crate::test_oracles::excess_by_site_day(conn, "2021-03-23", "2021-03-23")
        .get(&("A".to_string(), "2021-03-23".to_string()))
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_shift_is_added_changed_and_cancelled_and_its_bookings_go_to_the_desk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let a = shift_id(&conn, "A", "08:00");
    assert_eq!(excess_by_rule(&conn), 0);

    // Down to one vaccinator: the 08:00 slot holds one too many.
    let changed = change(
        &mut conn,
        &ShiftChange {
            id: a,
            start: "08:00".into(),
            end: "09:00".into(),
            vaccinators: 1,
            capacity: None,
        },
    )
    .expect("change");
    assert_eq!((changed.excess_bookings, changed.excess_added), (1, 1));
    assert_eq!(excess_by_rule(&conn), 1);

    // Cancelling asks first, naming the bookings it holds (5 active).
    let ask = cancel(&mut conn, a, false).expect_err("asks");
    assert_eq!(ask.code(), "needs_confirmation");
    assert!(ask.to_string().contains("holds 5 bookings"), "{ask}");
    let cancelled = cancel(&mut conn, a, true).expect("cancel");
    assert_eq!((cancelled.excess_bookings, cancelled.excess_added), (5, 4));
    assert_eq!(excess_by_rule(&conn), 5);
    // The desk has every one of them to move.
    let plan = crate::rebook::plan(&conn, &CheckQuery::default()).expect("plan");
    let mut moving: Vec<String> = plan
        .proposals
        .iter()
        .filter_map(|p| p.booking_id.clone())
        .collect();
    moving.sort();
    assert_eq!(moving, ["K1", "K2", "K3", "K4", "K5"]);

    // A pharmacy shift added the same day; a second one at the same start is refused.
    let added = add(
        &mut conn,
        &NewShift {
            site_code: "P".into(),
            date: "2021-03-23".into(),
            start: "10:00".into(),
            end: "16:00".into(),
            vaccinators: 0,
            capacity: Some(72),
        },
    )
    .expect("add");
    assert_eq!((added.site_code.as_str(), added.excess_bookings), ("P", 0));
    let twice = add(
        &mut conn,
        &NewShift {
            site_code: "P".into(),
            date: "2021-03-23".into(),
            start: "10:00".into(),
            end: "12:00".into(),
            vaccinators: 2,
            capacity: None,
        },
    )
    .expect_err("taken");
    assert_eq!(twice.code(), "conflict");
    let plan = crate::rebook::plan(&conn, &CheckQuery::default()).expect("plan");
    assert!(
        plan.proposals
            .iter()
            .all(|p| p.proposed_site.as_deref() == Some("P")),
        "the pharmacy takes them"
    );

    // Restaffing the cancelled shift brings the bookings back.
    let back = change(
        &mut conn,
        &ShiftChange {
            id: a,
            start: "08:00".into(),
            end: "09:00".into(),
            vaccinators: 2,
            capacity: None,
        },
    )
    .expect("restaff");
    assert_eq!((back.excess_bookings, back.excess_added), (0, -5));
    assert_eq!(excess_by_rule(&conn), 0);
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = setup(dir.path());
    let a = shift_id(&conn, "A", "08:00");
    let shifts = |conn: &Connection| -> Vec<String> {
        conn.prepare(
            "SELECT start || end || vaccinators || coalesce(capacity, '-') FROM shift ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("collect")
    };
    let before = shifts(&conn);
    let refusals = [
        change(
            &mut conn,
            &ShiftChange {
                id: a,
                start: "09:00".into(),
                end: "08:00".into(),
                vaccinators: 2,
                capacity: None,
            },
        ),
        change(
            &mut conn,
            &ShiftChange {
                id: a,
                start: "8h".into(),
                end: "09:00".into(),
                vaccinators: 2,
                capacity: None,
            },
        ),
        change(
            &mut conn,
            &ShiftChange {
                id: a,
                start: "08:00".into(),
                end: "09:00".into(),
                vaccinators: 501,
                capacity: None,
            },
        ),
        change(
            &mut conn,
            &ShiftChange {
                id: a,
                start: "08:00".into(),
                end: "09:00".into(),
                vaccinators: 0,
                capacity: None,
            },
        ),
        change(
            &mut conn,
            &ShiftChange {
                id: 999,
                start: "08:00".into(),
                end: "09:00".into(),
                vaccinators: 2,
                capacity: None,
            },
        ),
        add(
            &mut conn,
            &NewShift {
                site_code: "ZZ".into(),
                date: "2021-03-23".into(),
                start: "08:00".into(),
                end: "09:00".into(),
                vaccinators: 1,
                capacity: None,
            },
        ),
        add(
            &mut conn,
            &NewShift {
                site_code: "A".into(),
                date: "2021-02-30".into(),
                start: "08:00".into(),
                end: "09:00".into(),
                vaccinators: 1,
                capacity: None,
            },
        ),
    ];
    let codes: Vec<&str> = refusals
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.code(), |_| "ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "invalid_input",
            "invalid_input",
            "invalid_input",
            "invalid_input",
            "not_found",
            "not_found",
            "invalid_input"
        ]
    );
    assert_eq!(shifts(&conn), before);
}
