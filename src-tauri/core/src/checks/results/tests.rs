//! The kept results must always equal a check from scratch (`run`), after
//! any sequence of changes, and re-judge only what changed.

use super::*;
use crate::checks::{run, CheckQuery};
use crate::rng::Rng as SplitMix64;
use crate::store;

const STATUSES: [&str; 5] = ["booked", "attended", "cancelled", "no_show", "rescheduled"];

/// Three sites, a week of shifts, and bookings that overfill some slots and
/// leave people with one dose, two first doses or a late second dose.
fn store_with_bookings(seed: u64) -> Connection {
    let conn = store::open_in_memory().expect("open");
    let mut rng = SplitMix64::new(seed);
    for (code, kind) in [
        ("A", "mass_clinic"),
        ("B", "pharmacy"),
        ("C", "mass_clinic"),
    ] {
        conn.execute(
            "INSERT INTO site (uuid, code, name, kind, minutes_per_dose, updated_at)
             VALUES (?1, ?2, ?2, ?3, 20, 'x')",
            params![store::new_uuid(), code, kind],
        )
        .expect("site");
    }
    for site in 1..=3 {
        for day in 1..=7 {
            conn.execute(
                "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
                 VALUES (?1, ?2, ?3, '09:00', '10:00', 1, 'x')",
                params![store::new_uuid(), site, format!("2021-04-{day:02}")],
            )
            .expect("shift");
        }
    }
    for _ in 0..150 {
        insert_random_booking(&conn, &mut rng);
    }
    conn
}

fn random_minute(rng: &mut SplitMix64) -> i64 {
    let day = 1 + rng.below(9); // a few days have no shift at all
    crate::time::parse_local_datetime(&format!("2021-04-{day:02}T08:30"))
        .map(crate::time::minute_of)
        .expect("date")
        + 5 * rng.below(24) as i64 // 08:30–10:25: some slots outside the shift
}

fn insert_random_booking(conn: &Connection, rng: &mut SplitMix64) {
    conn.execute(
        "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'x')",
        params![
            store::new_uuid(),
            format!("P{}", rng.below(60)),
            1 + rng.below(3) as i64,
            random_minute(rng),
            1 + rng.below(2) as i64,
            ["PFIZER", "MODERNA"][rng.below(2) as usize],
            STATUSES[rng.below(5) as usize],
        ],
    )
    .expect("booking");
}

/// One random change that only touches a few site-days or people.
fn local_step(conn: &Connection, rng: &mut SplitMix64) {
    let pick = "(SELECT id FROM appointment ORDER BY random() LIMIT 1)";
    let done = match rng.below(10) {
        0..=1 => {
            insert_random_booking(conn, rng);
            Ok(1)
        }
        2 => conn.execute(
            &format!("UPDATE appointment SET status = ?1 WHERE id = {pick}"),
            [STATUSES[rng.below(5) as usize]],
        ),
        3 => conn.execute(
            &format!("UPDATE appointment SET site_id = ?1, slot_minute = ?2 WHERE id = {pick}"),
            params![1 + rng.below(3) as i64, random_minute(rng)],
        ),
        4 => conn.execute(
            &format!("UPDATE appointment SET person_id = ?1, dose_number = ?2 WHERE id = {pick}"),
            params![format!("P{}", rng.below(60)), 1 + rng.below(2) as i64],
        ),
        5 => conn.execute(&format!("DELETE FROM appointment WHERE id = {pick}"), []),
        6 => conn.execute(
            "UPDATE shift SET vaccinators = ?1 WHERE id = (SELECT id FROM shift ORDER BY random() LIMIT 1)",
            [rng.below(3) as i64],
        ),
        7 => conn.execute(
            "DELETE FROM shift WHERE id = (SELECT id FROM shift ORDER BY random() LIMIT 1)",
            [],
        ),
        8 => conn.execute(
            "INSERT OR IGNORE INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
             VALUES (?1, ?2, ?3, '10:00', '10:15', 1, 'x')",
            params![
                store::new_uuid(),
                1 + rng.below(3) as i64,
                format!("2021-04-{:02}", 1 + rng.below(9))
            ],
        ),
        _ => conn.execute(
            "UPDATE site SET minutes_per_dose = ?1 WHERE id = ?2",
            params![[10.0, 20.0, 30.0][rng.below(3) as usize], 1 + rng.below(3) as i64],
        ),
    };
    done.expect("step");
}

fn assert_kept_equals_fresh(conn: &Connection, context: &str) {
    let kept = current(conn, usize::MAX).expect("current");
    let fresh = run(conn, &CheckQuery::default()).expect("run");
    assert_eq!(kept, fresh, "{context}");
    // The kept over-capacity slots, which the rebooking desk reads.
    let kept_slots = over_capacity_slots(conn, i64::MIN, i64::MAX, None).expect("slots");
    let mut fresh_slots: Vec<(i64, i64, i64)> = site_day_findings(conn, &Scope::EVERYTHING)
        .expect("findings")
        .into_iter()
        .flat_map(|((site, _), f)| f.slots.into_iter().map(move |(slot, n)| (site, slot, n)))
        .collect();
    fresh_slots.sort_unstable();
    assert_eq!(kept_slots, fresh_slots, "{context}");
    assert_eq!(
        kept_slots.iter().map(|s| s.2).sum::<i64>(),
        fresh.excess_bookings,
        "{context}"
    );
    // And both say what FORMATS.md's slot rule says of the raw tables.
    let oracle = crate::test_oracles::excess_by_site_day(conn, "2021-01-01", "2021-12-31");
    let kept_days: std::collections::BTreeMap<(String, String), i64> = kept
        .by_site_day
        .iter()
        .map(|d| ((d.site_code.clone(), d.date.clone()), d.excess_bookings))
        .collect();
    assert_eq!(kept_days, oracle, "{context}: kept excess per site-day");
}

fn valid(conn: &Connection) -> (bool, bool) {
    conn.query_row(
        "SELECT site_days_valid, people_valid FROM check_state",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("state")
}

#[test]
fn kept_results_equal_a_fresh_check_after_random_changes() {
    let mut any_findings = CheckReport::default();
    for seed in 0..15 {
        let conn = store_with_bookings(seed);
        assert_eq!(
            valid(&conn),
            (false, false),
            "a new store has no results yet"
        );
        assert_kept_equals_fresh(&conn, &format!("seed {seed}, first pass"));
        assert_eq!(valid(&conn), (true, true));
        let mut rng = SplitMix64::new(seed + 100);
        for step in 0..120 {
            local_step(&conn, &mut rng);
            if step % 10 == 9 {
                // Local changes leave the results valid: only dirty rows are re-judged.
                assert_eq!(valid(&conn), (true, true), "seed {seed} step {step}");
                assert_kept_equals_fresh(&conn, &format!("seed {seed} step {step}"));
                let dirty: i64 = conn
                    .query_row(
                        "SELECT (SELECT count(*) FROM check_dirty_site_day) + (SELECT count(*) FROM check_dirty_person)",
                        [],
                        |r| r.get(0),
                    )
                    .expect("dirty");
                assert_eq!(dirty, 0, "a refresh clears what it re-judged");
            }
        }
        let last = run(&conn, &CheckQuery::default()).expect("run");
        any_findings.overbooked_slots += last.overbooked_slots;
        any_findings.outside_shift_bookings += last.outside_shift_bookings;
        any_findings.duplicate_people += last.duplicate_people;
        any_findings.orphan_first_doses += last.orphan_first_doses;
        any_findings.second_dose_out_of_window += last.second_dose_out_of_window;
    }
    // The comparison means something only if every kind of finding occurred.
    assert!(any_findings.overbooked_slots > 0, "{any_findings:?}");
    assert!(any_findings.outside_shift_bookings > 0, "{any_findings:?}");
    assert!(any_findings.duplicate_people > 0, "{any_findings:?}");
    assert!(any_findings.orphan_first_doses > 0, "{any_findings:?}");
    assert!(
        any_findings.second_dose_out_of_window > 0,
        "{any_findings:?}"
    );
}

#[test]
fn rules_that_bear_on_everyone_invalidate_and_recompute() {
    let conn = store_with_bookings(3);
    assert_kept_equals_fresh(&conn, "first pass");
    // A shorter maximum interval puts second doses out of their window.
    conn.execute(
        "UPDATE product SET min_interval_days = 0, max_interval_days = 1 WHERE code = 'PFIZER'",
        [],
    )
    .expect("product");
    assert_eq!(valid(&conn), (true, false));
    assert_kept_equals_fresh(&conn, "after an interval change");
    // An eligibility phase with birth dates makes people not yet eligible.
    conn.execute_batch(
        "INSERT INTO person (person_id, uuid, birth_date, updated_at)
         SELECT person_id, randomblob(16), '2010-01-01', 'x' FROM (SELECT DISTINCT person_id FROM appointment);
         INSERT INTO eligibility_phase (min_age, from_date, label) VALUES (80, '2021-01-01', '80+');",
    )
    .expect("eligibility");
    assert_eq!(valid(&conn), (true, false));
    let kept = current(&conn, usize::MAX).expect("current");
    assert!(kept.not_yet_eligible > 0, "{kept:?}");
    assert_kept_equals_fresh(&conn, "after an eligibility phase");
    // A birth date corrected for one person is re-judged alone.
    conn.execute(
        "UPDATE person SET birth_date = '1930-01-01' WHERE person_id = (SELECT person_id FROM appointment WHERE dose_number = 1 AND status = 'booked' LIMIT 1)",
        [],
    )
    .expect("birth date");
    assert_eq!(valid(&conn), (true, true));
    assert_kept_equals_fresh(&conn, "after a birth date");
}

#[test]
fn a_bulk_import_bypasses_the_triggers_and_invalidates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = store::open_in_memory().expect("open");
    let write = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path
    };
    let import = |conn: &mut Connection, kind, path: &std::path::Path| {
        crate::import::import_file(conn, kind, path, &crate::import::Quiet).expect("import");
    };
    import(
        &mut conn,
        crate::import::ImportKind::Sites,
        &write(
            "sites.csv",
            "site_code,name,kind,minutes_per_dose\nA,Clinic A,mass_clinic,5\n",
        ),
    );
    import(
        &mut conn,
        crate::import::ImportKind::Shifts,
        &write(
            "shifts.csv",
            "site_code,date,start,end,vaccinators,capacity\nA,2021-04-01,09:00,10:00,1,\n",
        ),
    );
    assert_kept_equals_fresh(&conn, "empty");
    assert_eq!(valid(&conn), (true, true));
    // Three people in a one-place slot, one with no second dose.
    import(
        &mut conn,
        crate::import::ImportKind::Bookings,
        &write(
            "bookings.csv",
            "booking_id,person_id,site_code,slot_start,dose_number,product,status\n\
         b1,P1,A,2021-04-01T09:00,1,PFIZER,booked\n\
         b2,P2,A,2021-04-01T09:00,2,PFIZER,booked\n\
         b3,P3,A,2021-04-01T09:00,2,PFIZER,booked\n",
        ),
    );
    assert_eq!(
        valid(&conn),
        (false, false),
        "the bulk path skipped the triggers"
    );
    let kept = current(&conn, usize::MAX).expect("current");
    assert_eq!(
        (
            kept.overbooked_slots,
            kept.excess_bookings,
            kept.orphan_first_doses
        ),
        (1, 2, 1)
    );
    assert_kept_equals_fresh(&conn, "after a bulk import");
}

#[test]
fn a_view_list_keeps_the_worst_first_and_counts_all() {
    let conn = store_with_bookings(5);
    let all = current(&conn, usize::MAX).expect("all");
    assert!(all.by_site_day.len() > 2, "{all:?}");
    let two = current(&conn, 2).expect("two");
    assert_eq!(two.by_site_day[..], all.by_site_day[..2]);
    assert_eq!(two.site_days_with_excess, all.by_site_day.len() as i64);
}

#[test]
fn refresh_joins_the_callers_transaction_and_rolls_back_with_it() {
    let mut conn = store_with_bookings(9);
    let tx = conn.transaction().expect("tx");
    refresh(&tx).expect("refresh inside a transaction");
    drop(tx); // rolled back: the results are not kept
    assert_eq!(valid(&conn), (false, false));
    refresh(&conn).expect("refresh");
    assert_eq!(valid(&conn), (true, true));
}

#[test]
fn an_up_to_date_refresh_takes_no_write_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.sqlite3");
    let conn = store::open(&path).expect("open");
    refresh(&conn).expect("first pass");
    // Another connection holds the write lock; a refresh with nothing to do
    // must still answer (the rebooking plan calls it inside a read snapshot).
    let writer = store::open(&path).expect("writer");
    writer.execute_batch("BEGIN IMMEDIATE").expect("lock");
    conn.busy_timeout(std::time::Duration::from_millis(50))
        .expect("timeout");
    refresh(&conn).expect("no write needed");
    writer.execute_batch("ROLLBACK").expect("unlock");
}
