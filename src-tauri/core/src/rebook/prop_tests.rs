//! The rebooking plan's promises on random stores, with shrinking: from the
//! chosen day on, every excess booking gets one proposal; no proposal goes
//! into a slot without a free place for it; every move keeps the person's
//! doses inside the product's interval. Judged by FORMATS.md's rules
//! recomputed from the raw tables (`test_oracles`), not by the planner's code.

use super::*;
use crate::import::ImportKind;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The week of 22 March 2021: day 0 is Monday.
const WEEK: [&str; 7] = [
    "2021-03-22",
    "2021-03-23",
    "2021-03-24",
    "2021-03-25",
    "2021-03-26",
    "2021-03-27",
    "2021-03-28",
];

#[derive(Debug, Clone)]
enum Booking {
    /// A first dose, and its second `gap` days later at the same site.
    First { second_after: Option<u32> },
    /// A second dose whose first was `gap` days before, at the same site.
    Second { first_before: u32 },
}

#[derive(Debug, Clone)]
struct Instance {
    /// Sites at these (lat, lon) offsets from Ottawa, in 0.01 degrees.
    sites: Vec<(i32, i32)>,
    /// (site, day, opening hour, hours, vaccinators)
    shifts: Vec<(usize, usize, u32, u32, i64)>,
    /// (site, day, 5-minute slot from 08:00, what it is)
    bookings: Vec<(usize, usize, u32, Booking)>,
    /// The plan's first day.
    today: usize,
}

fn instance() -> impl Strategy<Value = Instance> {
    let booking = prop_oneof![
        3 => proptest::option::of(21..40u32).prop_map(|second_after| Booking::First { second_after }),
        1 => (21..40u32).prop_map(|first_before| Booking::Second { first_before }),
    ];
    (2..=4usize).prop_flat_map(move |n| {
        (
            prop::collection::vec((-20..20i32, -20..20i32), n),
            // Shifts from 08:00 or 09:00, bookings from 08:00 to 08:55 on
            // the first five days: most land in a shift, many in a full one.
            prop::collection::vec((0..n, 0..5usize, 8..10u32, 1..3u32, 1..3i64), 4..16),
            prop::collection::vec((0..n, 0..5usize, 0..12u32, booking.clone()), 40..300),
            0..4usize,
        )
            .prop_map(|(sites, shifts, bookings, today)| Instance {
                sites,
                shifts,
                bookings,
                today,
            })
    })
}

fn day_plus(day: &str, days: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day");
    (d + chrono::Duration::days(days)).to_string()
}

/// The store the instance describes, imported from CSV as a user would.
fn store(dir: &std::path::Path, inst: &Instance) -> Connection {
    let mut sites = String::from("site_code,name,kind,lat,lon\n");
    for (i, (dlat, dlon)) in inst.sites.iter().enumerate() {
        sites += &format!(
            "S{i},Site {i},mass_clinic,{},{}\n",
            45.40 + f64::from(*dlat) / 100.0,
            -75.70 + f64::from(*dlon) / 100.0
        );
    }
    let mut shifts = String::from("site_code,date,start,end,vaccinators\n");
    let mut opened = std::collections::BTreeSet::new();
    for (site, day, open, hours, vaccinators) in &inst.shifts {
        // One shift per site, day and opening time (FORMATS.md's key).
        if !opened.insert((site, day, open)) {
            continue;
        }
        shifts += &format!(
            "S{site},{},{open:02}:00,{:02}:00,{vaccinators}\n",
            WEEK[*day],
            open + hours
        );
    }
    let mut bookings =
        String::from("booking_id,person_id,site_code,slot_start,dose_number,product,status\n");
    for (n, (site, day, slot, kind)) in inst.bookings.iter().enumerate() {
        let at = format!("{:02}:{:02}", 8 + slot / 12, slot % 12 * 5);
        let row = |k: &str, date: &str, dose: u32| {
            format!("K{n}{k},P{n},S{site},{date}T{at},{dose},PFIZER,booked\n")
        };
        match kind {
            Booking::First { second_after } => {
                bookings += &row("a", WEEK[*day], 1);
                if let Some(gap) = second_after {
                    bookings += &row("b", &day_plus(WEEK[*day], i64::from(*gap)), 2);
                }
            }
            Booking::Second { first_before } => {
                bookings += &row("a", &day_plus(WEEK[*day], -i64::from(*first_before)), 1);
                bookings += &row("b", WEEK[*day], 2);
            }
        }
    }
    crate::test_fixtures::store_from_csv(
        dir,
        &[
            (ImportKind::Sites, &sites),
            (ImportKind::Shifts, &shifts),
            (ImportKind::Bookings, &bookings),
        ],
    )
}

/// Each person's active doses: person → dose number → date.
fn doses_of(conn: &Connection) -> BTreeMap<String, BTreeMap<i64, String>> {
    let mut stmt = conn
        .prepare(
            "SELECT person_id, dose_number, slot_minute FROM appointment
             WHERE status IN ('booked', 'attended')",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .expect("query");
    let mut out: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    for row in rows {
        let (person, dose, minute) = row.expect("row");
        let day = chrono::DateTime::from_timestamp(minute * 60, 0)
            .expect("minute")
            .naive_utc()
            .date()
            .to_string();
        out.entry(person).or_default().insert(dose, day);
    }
    out
}

fn days_between(a: &str, b: &str) -> i64 {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
    (day(b) - day(a)).num_days()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn proposals_cover_the_excess_from_today_into_free_places_inside_the_window(inst in instance()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = store(dir.path(), &inst);
        let today = WEEK[inst.today];
        let query = CheckQuery { from: Some(today.into()), ..Default::default() };
        let plan = plan(&conn, &query).expect("plan");

        // One proposal per excess booking from today on, none before.
        let excess: i64 = crate::test_oracles::excess_by_site_day(&conn, today, "2021-12-31")
            .values()
            .sum();
        prop_assert_eq!(plan.proposals.len() as i64, excess);
        prop_assert_eq!(plan.total as i64, excess);
        for p in &plan.proposals {
            prop_assert!(&p.slot[..10] >= today, "{} proposed, booked before today", p.slot);
        }

        // Never more moved into a slot than it has free places.
        let free = crate::test_oracles::free_by_slot(&conn, "2021-03-01", "2021-12-31");
        let mut into: BTreeMap<(String, String), i64> = BTreeMap::new();
        for p in &plan.proposals {
            if let (Some(site), Some(slot)) = (&p.proposed_site, &p.proposed_slot) {
                *into.entry((site.clone(), slot.clone())).or_default() += 1;
            }
        }
        for (slot, n) in &into {
            let places = free.get(slot).copied().unwrap_or(0);
            prop_assert!(*n <= places, "{} moved into {:?}, which has {} free", n, slot, places);
        }

        // Every move keeps the doses 21–84 days apart (Pfizer's interval
        // as the store holds it).
        let (min, max): (i64, i64) = conn
            .query_row(
                "SELECT min_interval_days, max_interval_days FROM product WHERE code = 'PFIZER'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("interval");
        let doses = doses_of(&conn);
        for p in &plan.proposals {
            let Some(slot) = &p.proposed_slot else { continue };
            let new_day = &slot[..10];
            let other = if p.dose_number == 1 { 2 } else { 1 };
            if let Some(other_day) = doses.get(&p.person_id).and_then(|d| d.get(&other)) {
                let gap = if p.dose_number == 1 {
                    days_between(new_day, other_day)
                } else {
                    days_between(other_day, new_day)
                };
                prop_assert!(
                    (min..=max).contains(&gap),
                    "{} dose {} moved to {}: {} days from the other dose",
                    p.person_id, p.dose_number, new_day, gap
                );
            }
        }
    }
}

/// The random stores are worth testing on: most have excess bookings
/// after their day, and their plans both place people (some at another
/// site) and leave some unplaced.
#[test]
fn the_random_stores_exercise_the_planner() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut with_excess, mut elsewhere, mut unplaced) = (0, 0, 0);
    for _ in 0..48 {
        let inst = instance()
            .new_tree(&mut runner)
            .expect("instance")
            .current();
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = store(dir.path(), &inst);
        let query = CheckQuery {
            from: Some(WEEK[inst.today].into()),
            ..Default::default()
        };
        let plan = plan(&conn, &query).expect("plan");
        with_excess += usize::from(!plan.proposals.is_empty());
        elsewhere += plan
            .proposals
            .iter()
            .filter(|p| p.proposed_site.as_ref().is_some_and(|s| *s != p.site_code))
            .count();
        unplaced += plan.unplaced;
    }
    assert!(with_excess >= 24, "{with_excess} of 48 stores have excess");
    assert!(
        elsewhere > 0 && unplaced > 0,
        "{elsewhere} moved elsewhere, {unplaced} unplaced"
    );
}

/// At the demo's scale (97,109 appointments, its incident of 2,981 excess
/// bookings): the whole plan from the demo's today covers every excess
/// booking once, never overfills a slot, and keeps every window.
#[test]
fn the_demo_plan_never_overfills_a_slot_and_keeps_every_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&dir.path().join("demo.sqlite3")).expect("open");
    crate::demo::load(&mut conn, &crate::job::Quiet).expect("demo");
    let today = crate::demo::AS_OF;
    let query = CheckQuery {
        from: Some(today.into()),
        ..Default::default()
    };
    let plan = plan(&conn, &query).expect("plan");
    let excess: i64 = crate::test_oracles::excess_by_site_day(&conn, today, "2021-12-31")
        .values()
        .sum();
    assert_eq!(plan.proposals.len() as i64, excess);
    assert!(excess > 2_500, "the incident: {excess}");
    let free = crate::test_oracles::free_by_slot(&conn, "2021-01-01", "2021-12-31");
    let mut into: BTreeMap<(String, String), i64> = BTreeMap::new();
    for p in &plan.proposals {
        if let (Some(site), Some(slot)) = (&p.proposed_site, &p.proposed_slot) {
            *into.entry((site.clone(), slot.clone())).or_default() += 1;
        }
    }
    assert!(into.values().sum::<i64>() > excess / 2, "most are placed");
    for (slot, n) in &into {
        let places = free.get(slot).copied().unwrap_or(0);
        assert!(
            *n <= places,
            "{n} moved into {slot:?}, which has {places} free"
        );
    }
    let intervals: BTreeMap<String, (i64, i64)> = conn
        .prepare("SELECT code, min_interval_days, max_interval_days FROM product")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let products: BTreeMap<(String, i64), String> = conn
        .prepare(
            "SELECT person_id, dose_number, product FROM appointment
             WHERE status IN ('booked', 'attended')",
        )
        .expect("prepare")
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let doses = doses_of(&conn);
    for p in &plan.proposals {
        let Some(slot) = &p.proposed_slot else {
            continue;
        };
        let other = if p.dose_number == 1 { 2 } else { 1 };
        let Some(other_day) = doses.get(&p.person_id).and_then(|d| d.get(&other)) else {
            continue;
        };
        let first_product = products
            .get(&(p.person_id.clone(), 1))
            .expect("a first dose's product");
        let (min, max) = intervals[first_product];
        let gap = if p.dose_number == 1 {
            days_between(&slot[..10], other_day)
        } else {
            days_between(other_day, &slot[..10])
        };
        assert!(
            (min..=max).contains(&gap),
            "{} dose {} to {slot}: {gap} days from the other dose",
            p.person_id,
            p.dose_number
        );
    }
}
