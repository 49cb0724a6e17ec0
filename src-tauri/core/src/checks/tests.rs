//! Planted failures, randomly placed, must be reported exactly.

use super::*;
use crate::import::{import_file, ImportKind, Quiet};
use std::fmt::Write as _;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[derive(Default, Debug)]
struct Planted {
    overbooked_slots: i64,
    excess: i64,
    outside_shift: i64,
    duplicates: i64,
    orphans: i64,
    out_of_window: i64,
    not_eligible: i64,
    /// excess per date at site A
    excess_by_day: std::collections::BTreeMap<String, i64>,
    /// Bookings planted outside any shift, per date (all at site A).
    outside_by_day: std::collections::BTreeMap<String, i64>,
    /// The person ids planted with each person finding, by figure name.
    people: HashMap<&'static str, Vec<String>>,
}

const DAYS: i64 = 150;

impl Planted {
    /// The excess planted on the days of `[from, to]`.
    fn excess_between(&self, from: &str, to: &str) -> i64 {
        self.excess_by_day
            .range(from.to_string()..=to.to_string())
            .map(|(_, n)| n)
            .sum()
    }
}

/// A check of the days `[from, to]`, every site.
fn days(from: &str, to: &str) -> CheckQuery {
    CheckQuery {
        from: Some(from.into()),
        to: Some(to.into()),
        site: None,
    }
}

fn day(d: i64) -> String {
    (NaiveDate::from_ymd_opt(2021, 3, 1).unwrap_or(NaiveDate::MIN) + chrono::Duration::days(d))
        .to_string()
}

/// A random mixed-case spelling of an active status.
fn active(rng: &mut Rng) -> &'static str {
    ["booked", "Booked", "BOOKED", "attended", "Attended"][rng.below(5) as usize]
}

fn inactive(rng: &mut Rng) -> &'static str {
    [
        "cancelled",
        "CANCELLED",
        "no_show",
        "rescheduled",
        "No_Show",
    ][rng.below(5) as usize]
}

fn build(seed: u64, dir: &std::path::Path) -> (Connection, Planted) {
    let mut rng = Rng(seed * 0x9E37_79B9 + 1);
    let mut p = Planted::default();
    let sites =
        "site_code,name,kind,minutes_per_dose\nA,Clinic A,mass_clinic,5\nB,Pharmacy B,pharmacy,5\n";
    let mut shifts = String::from("site_code,date,start,end,vaccinators,capacity\n");
    for d in 0..60 {
        // A: 2 a slot, 08:00–12:00, days 0..59.
        let _ = writeln!(shifts, "A,{},08:00,12:00,2,", day(d));
    }
    for d in 0..DAYS {
        // B: explicit 960 over 96 slots = 10 a slot, 09:00–17:00.
        let _ = writeln!(shifts, "B,{},09:00,17:00,1,960", day(d));
    }
    let mut b = String::from(
        "booking_id,person_id,birth_date,site_code,slot_start,dose_number,product,status\n",
    );
    let mut next_id = 0;
    let mut person = 0;
    let mut add = |b: &mut String,
                   person: i64,
                   birth: &str,
                   site: &str,
                   d: i64,
                   minute: i64,
                   dose: i64,
                   status: &str| {
        next_id += 1;
        let _ = writeln!(
            b,
            "X{next_id},Q{person},{birth},{site},{}T{:02}:{:02},{dose},PFIZER,{status}",
            day(d),
            minute / 60,
            minute % 60
        );
    };
    // B slots used, to stay within 10 a slot.
    let mut b_used: HashMap<(i64, i64), i64> = HashMap::new();
    let mut b_slot = |rng: &mut Rng, d: i64| -> i64 {
        loop {
            let m = 9 * 60 + 5 * rng.below(96) as i64 + rng.below(5) as i64; // off-mark minutes too
            let used = b_used.entry((d, m - m % 5)).or_default();
            if *used < 10 {
                *used += 1;
                return m;
            }
        }
    };
    let old = "1930-01-15"; // 91 in 2021: always eligible
                            // Clean people: two doses inside the window, plus noise that must not
                            // count. The first two sit exactly on the window's edges (21 and 112 days).
    for i in 0..200 + rng.below(100) {
        person += 1;
        let d1 = rng.below(30) as i64;
        let d2 = d1
            + [21, 112]
                .get(i as usize)
                .copied()
                .unwrap_or(21 + rng.below(60) as i64);
        let (m1, m2) = (b_slot(&mut rng, d1), b_slot(&mut rng, d2));
        add(&mut b, person, old, "B", d1, m1, 1, active(&mut rng));
        add(&mut b, person, old, "B", d2, m2, 2, active(&mut rng));
        if rng.below(4) == 0 {
            // A cancelled extra booking for the same dose: not a duplicate.
            let m = b_slot(&mut rng, d1 + 1);
            add(&mut b, person, old, "B", d1 + 1, m, 1, inactive(&mut rng));
        }
    }
    // Over-capacity slots at A: dose-2-only people (no person flags).
    let mut used_a = std::collections::HashSet::new();
    for _ in 0..5 + rng.below(10) {
        let (d, s) = loop {
            let pick = (rng.below(60) as i64, rng.below(48) as i64);
            if used_a.insert(pick) {
                break pick;
            }
        };
        let extra = 1 + rng.below(3) as i64;
        for _ in 0..2 + extra {
            person += 1;
            add(
                &mut b,
                person,
                "",
                "A",
                d,
                8 * 60 + 5 * s,
                2,
                active(&mut rng),
            );
        }
        // Cancelled bookings in the same slot change nothing.
        person += 1;
        add(
            &mut b,
            person,
            "",
            "A",
            d,
            8 * 60 + 5 * s + 2,
            2,
            inactive(&mut rng),
        );
        p.overbooked_slots += 1;
        p.excess += extra;
        *p.excess_by_day.entry(day(d)).or_default() += extra;
    }
    // Full but not over: exactly 2 in a slot.
    for _ in 0..3 {
        let (d, s) = loop {
            let pick = (rng.below(60) as i64, rng.below(48) as i64);
            if used_a.insert(pick) {
                break pick;
            }
        };
        for _ in 0..2 {
            person += 1;
            add(
                &mut b,
                person,
                "",
                "A",
                d,
                8 * 60 + 5 * s,
                2,
                active(&mut rng),
            );
        }
    }
    // Outside any shift: A after noon, or A on a day it has no shift.
    for _ in 0..1 + rng.below(8) {
        person += 1;
        let (d, m) = if rng.below(2) == 0 {
            (rng.below(60) as i64, 12 * 60 + 5 * rng.below(24) as i64)
        } else {
            (60 + rng.below(30) as i64, 9 * 60)
        };
        add(&mut b, person, "", "A", d, m, 2, active(&mut rng));
        p.outside_shift += 1;
        *p.outside_by_day.entry(day(d)).or_default() += 1;
    }
    // Duplicates: two active first doses (and a valid second).
    for _ in 0..1 + rng.below(6) {
        person += 1;
        let d1 = rng.below(50) as i64;
        for d in [d1, d1 + 1] {
            let m = b_slot(&mut rng, d);
            add(&mut b, person, old, "B", d, m, 1, active(&mut rng));
        }
        let m = b_slot(&mut rng, d1 + 30);
        add(&mut b, person, old, "B", d1 + 30, m, 2, active(&mut rng));
        p.duplicates += 1;
        p.people
            .entry("duplicate_people")
            .or_default()
            .push(format!("Q{person}"));
    }
    // Orphans: an active first dose, the second cancelled or never booked.
    for _ in 0..1 + rng.below(9) {
        person += 1;
        let d1 = rng.below(60) as i64;
        let m = b_slot(&mut rng, d1);
        add(&mut b, person, old, "B", d1, m, 1, active(&mut rng));
        if rng.below(2) == 0 {
            let m = b_slot(&mut rng, d1 + 25);
            add(&mut b, person, old, "B", d1 + 25, m, 2, inactive(&mut rng));
        }
        p.orphans += 1;
        p.people
            .entry("orphan_first_doses")
            .or_default()
            .push(format!("Q{person}"));
    }
    // Second dose too early (< 21 days) or too late (> 112 days); the first
    // two just outside the edges.
    for i in 0..2 + rng.below(7) {
        person += 1;
        let d1 = rng.below(30) as i64;
        let gap = match i {
            0 => 20,
            1 => 113,
            _ if rng.below(2) == 0 => 5 + rng.below(15) as i64,
            _ => 113 + rng.below(5) as i64,
        };
        let (m1, m2) = (b_slot(&mut rng, d1), b_slot(&mut rng, d1 + gap));
        add(&mut b, person, old, "B", d1, m1, 1, active(&mut rng));
        add(&mut b, person, old, "B", d1 + gap, m2, 2, active(&mut rng));
        p.out_of_window += 1;
        p.people
            .entry("second_dose_out_of_window")
            .or_default()
            .push(format!("Q{person}"));
    }
    // Not yet eligible: 70 years old, first dose before the 60+ phase (day 30).
    for _ in 0..1 + rng.below(6) {
        person += 1;
        let d1 = rng.below(30) as i64;
        let d2 = d1 + 28;
        let (m1, m2) = (b_slot(&mut rng, d1), b_slot(&mut rng, d2));
        add(
            &mut b,
            person,
            "1951-01-01",
            "B",
            d1,
            m1,
            1,
            active(&mut rng),
        );
        add(
            &mut b,
            person,
            "1951-01-01",
            "B",
            d2,
            m2,
            2,
            active(&mut rng),
        );
        p.not_eligible += 1;
        p.people
            .entry("not_yet_eligible")
            .or_default()
            .push(format!("Q{person}"));
    }
    let write = |name: &str, body: &str| {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("write");
        path
    };
    let mut conn = crate::store::open_in_memory().expect("open");
    for (kind, name, body) in [
        (ImportKind::Sites, "sites.csv", sites.to_owned()),
        (ImportKind::Shifts, "shifts.csv", shifts),
        (ImportKind::Bookings, "bookings.csv", b),
    ] {
        import_file(&mut conn, kind, &write(name, &body), &Quiet).expect(name);
    }
    conn.execute_batch(&format!(
        "INSERT INTO eligibility_phase (min_age, from_date, label) VALUES (80, '{}', '80+'), (60, '{}', '60+')",
        day(0),
        day(30)
    ))
    .expect("phases");
    (conn, p)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Any seed's planted store (the seed is all `build` takes, so a
    /// failure is kept and replayed, not shrunk).
    #[test]
    fn reports_exactly_the_planted_failures(seed in 1u64..1_000_000) {
        reports_exactly_what_was_planted(seed);
    }
}

fn reports_exactly_what_was_planted(seed: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (conn, p) = build(seed, dir.path());
    let r = run(&conn, &CheckQuery::default()).expect("check");
    let got = (
        r.overbooked_slots,
        r.excess_bookings,
        r.outside_shift_bookings,
        r.duplicate_people,
        r.orphan_first_doses,
        r.second_dose_out_of_window,
        r.not_yet_eligible,
    );
    let want = (
        p.overbooked_slots,
        p.excess,
        p.outside_shift,
        p.duplicates,
        p.orphans,
        p.out_of_window,
        p.not_eligible,
    );
    assert_eq!(got, want, "seed {seed}: {p:?}");
    // by_site_day: only site A, worst first, matching the plants.
    let want_days: Vec<(String, i64)> = p
        .excess_by_day
        .iter()
        .map(|(d, e)| (d.clone(), *e))
        .collect();
    let mut got_days: Vec<(String, i64)> = r
        .by_site_day
        .iter()
        .map(|s| (s.date.clone(), s.excess_bookings))
        .collect();
    assert!(r.by_site_day.iter().all(|s| s.site_code == "A"));
    assert!(
        r.by_site_day
            .windows(2)
            .all(|w| w[0].excess_bookings >= w[1].excess_bookings),
        "worst first"
    );
    got_days.sort();
    assert_eq!(got_days, want_days, "seed {seed}");
}

#[test]
fn filters_by_site_and_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (conn, p) = build(3, dir.path());
    let only_b = run(
        &conn,
        &CheckQuery {
            site: Some("B".into()),
            ..Default::default()
        },
    )
    .expect("B");
    assert_eq!(
        (only_b.overbooked_slots, only_b.outside_shift_bookings),
        (0, 0),
        "all capacity plants are at A"
    );
    assert_eq!(only_b.duplicate_people, p.duplicates);
    // A range with data: each week's excess is what was planted on its days.
    let mut weeks_with_excess = 0;
    for first in (0..DAYS).step_by(7) {
        let (from, to) = (day(first), day(first + 6));
        let want = p.excess_between(&from, &to);
        let week = run(&conn, &days(&from, &to)).expect("week");
        assert_eq!(week.excess_bookings, want, "week of {from}");
        weeks_with_excess += usize::from(want > 0);
    }
    assert!(
        weeks_with_excess > 0,
        "the planted excess falls in some week"
    );
    // A date range holding none of the data finds nothing.
    let later = run(
        &conn,
        &CheckQuery {
            from: Some("2022-01-01".into()),
            ..Default::default()
        },
    )
    .expect("later");
    assert_eq!(later, CheckReport::default());
    let bad = run(
        &conn,
        &CheckQuery {
            to: Some("soon".into()),
            ..Default::default()
        },
    )
    .expect_err("bad date");
    assert_eq!(bad.code(), "invalid_input");
    let unknown = run(
        &conn,
        &CheckQuery {
            site: Some("ZZ".into()),
            ..Default::default()
        },
    )
    .expect_err("unknown site");
    assert_eq!(unknown.code(), "not_found");
}

/// The banner's figures for a week are the planted excess of that week's
/// days (all at site A), and over the whole range the planted slots.
#[test]
fn slot_figures_of_a_week_are_its_planted_excess() {
    for seed in [2, 5] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, p) = build(seed, dir.path());
        let whole = slot_figures(&conn, &CheckQuery::default()).expect("whole");
        assert_eq!(
            (whole.overbooked_slots, whole.excess_bookings),
            (p.overbooked_slots, p.excess),
            "seed {seed}"
        );
        assert!(p.excess > 0, "seed {seed} plants overbooking");
        for first in (0..DAYS).step_by(11) {
            let (from, to) = (day(first), day(first + 6));
            let want = p.excess_between(&from, &to);
            let week = days(&from, &to);
            let got = slot_figures(&conn, &week).expect("week");
            assert_eq!(got.excess_bookings, want, "seed {seed}, week of {from}");
            assert_eq!(
                got.overbooked_slots > 0,
                want > 0,
                "seed {seed}, week of {from}"
            );
        }
    }
}

/// The briefing's capacity report, from the kept results: the planted
/// excess per site-day, over the whole store and from any day on, and
/// nothing of the people's checks.
#[test]
fn kept_capacity_from_a_day_on_is_the_planted_excess_by_site_day() {
    for seed in [2, 5] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, p) = build(seed, dir.path());
        for first in [0, 40, 90, DAYS] {
            let from = day(first);
            let q = CheckQuery {
                from: Some(from.clone()),
                ..Default::default()
            };
            let got = capacity(&conn, &q).expect("capacity");
            let mut want: Vec<(String, i64)> = p
                .excess_by_day
                .range(from.clone()..)
                .filter(|(_, n)| **n > 0)
                .map(|(d, n)| (d.clone(), *n))
                .collect();
            want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let listed: Vec<(String, i64)> = got
                .by_site_day
                .iter()
                .map(|d| {
                    assert_eq!(d.site_code, "A", "all capacity plants are at A");
                    (d.date.clone(), d.excess_bookings)
                })
                .collect();
            assert_eq!(listed, want, "seed {seed}, from {from}");
            assert_eq!(got.excess_bookings, want.iter().map(|w| w.1).sum::<i64>());
            assert_eq!(got.site_days_with_excess, want.len() as i64);
            assert_eq!(
                got.overbooked_slots > 0,
                !want.is_empty(),
                "seed {seed}, from {from}"
            );
            if first == 0 {
                assert_eq!(
                    (got.overbooked_slots, got.excess_bookings),
                    (p.overbooked_slots, p.excess),
                    "seed {seed}: the whole store"
                );
                assert!(p.excess > 0, "seed {seed} plants overbooking");
            }
            assert_eq!(
                (
                    got.duplicate_people,
                    got.orphan_first_doses,
                    got.outside_shift_bookings
                ),
                (0, 0, 0),
                "only capacity is judged"
            );
        }
    }
}

/// Each person figure's list is exactly the people planted with it, from
/// the kept results and from a fresh scan of a scope holding everything.
#[test]
fn each_person_figure_lists_the_planted_people() {
    use super::people::PersonFinding::*;
    for seed in 1..=4 {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, p) = build(seed, dir.path());
        let everything = CheckQuery {
            from: Some(day(-400)),
            to: Some(day(400)),
            site: None,
        };
        for (finding, key) in [
            (DuplicatePeople, "duplicate_people"),
            (OrphanFirstDoses, "orphan_first_doses"),
            (SecondDoseOutOfWindow, "second_dose_out_of_window"),
            (NotYetEligible, "not_yet_eligible"),
        ] {
            let mut want = p.people.get(key).cloned().unwrap_or_default();
            want.sort();
            assert!(!want.is_empty(), "seed {seed}: {key} is planted");
            let kept = people_with(&conn, &CheckQuery::default(), finding, 1000).expect("kept");
            let ids: Vec<String> = kept.people.iter().map(|f| f.person_id.clone()).collect();
            assert_eq!(
                (ids, kept.total),
                (want.clone(), want.len() as i64),
                "seed {seed} {key}"
            );
            let fresh = people_with(&conn, &everything, finding, 1000).expect("scanned");
            assert_eq!(fresh, kept, "seed {seed} {key}");
            let first = people_with(&conn, &CheckQuery::default(), finding, 1).expect("one");
            assert_eq!((first.people.len(), first.total), (1, want.len() as i64));
            assert_eq!(first.people[0].person_id, want[0]);
        }
    }
}

/// The outside-shift figure's list is the planted site-days, most first,
/// from the kept results and from a fresh scan alike.
#[test]
fn the_outside_shift_figure_lists_the_planted_site_days() {
    for seed in 1..=4 {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, p) = build(seed, dir.path());
        let mut want: Vec<(String, String, i64)> = p
            .outside_by_day
            .iter()
            .map(|(d, n)| ("A".to_string(), d.clone(), *n))
            .collect();
        want.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
        let as_tuples = |days: Vec<SiteDayExcess>| -> Vec<(String, String, i64)> {
            days.into_iter()
                .map(|d| (d.site_code, d.date, d.excess_bookings))
                .collect()
        };
        let kept = outside_shift_site_days(&conn, &CheckQuery::default(), 1000).expect("kept");
        assert_eq!(as_tuples(kept), want, "seed {seed}");
        let everything = CheckQuery {
            from: Some(day(-400)),
            to: Some(day(400)),
            site: None,
        };
        let fresh = outside_shift_site_days(&conn, &everything, 1000).expect("fresh");
        assert_eq!(as_tuples(fresh), want, "seed {seed}");
        let first = outside_shift_site_days(&conn, &CheckQuery::default(), 1).expect("one");
        assert_eq!(as_tuples(first), want[..1]);
    }
}

/// The people's pass reads the person index alone, in its order: no look-up
/// into the bookings table and no sort (at 10 million bookings, either
/// costs seconds and hundreds of megabytes).
#[test]
fn the_people_pass_reads_the_person_index_alone_in_its_order() {
    let conn = crate::store::open_in_memory().expect("store");
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", super::DOSES_BY_PERSON))
        .expect("plan");
    let plan: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(
        plan,
        ["SCAN appointment USING COVERING INDEX appointment_by_person"],
        "{plan:?}"
    );
}
