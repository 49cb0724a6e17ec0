//! The trigger-kept totals must equal a recount from the raw rows, computed
//! here in Rust with the capacity rules of `capacity.rs`, after any mix of
//! inserts, updates and deletes.

use super::*;
use crate::capacity::{slot_capacity, slots_in_shift};
use crate::store;
use proptest::prelude::*;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

type Totals = BTreeMap<(i64, String), [i64; 4]>;

fn minutes(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap_or(("0", "0"));
    h.parse::<i64>().unwrap_or(0) * 60 + m.parse::<i64>().unwrap_or(0)
}

fn recount(conn: &Connection) -> Totals {
    let mut t = Totals::new();
    let mut add = |site: i64, date: String, i: usize, n: i64| {
        t.entry((site, date)).or_insert([0; 4])[i] += n;
    };
    let mut q = conn
        .prepare("SELECT site_id, date, doses FROM dose_count")
        .expect("prepare");
    for r in q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
    {
        let (s, d, n): (i64, String, i64) = r.expect("row");
        add(s, d, 0, n);
    }
    let mut q = conn
        .prepare("SELECT site_id, slot_minute, status FROM appointment")
        .expect("prepare");
    for r in q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
    {
        let (s, m, status): (i64, i64, String) = r.expect("row");
        let date = crate::time::format_minute(m)[..10].to_owned();
        if status == "booked" || status == "attended" {
            add(s, date.clone(), 1, 1);
        }
        if status == "attended" {
            add(s, date, 2, 1);
        }
    }
    let mut q = conn
        .prepare(
            "SELECT shift.site_id, date, start, end, vaccinators, capacity, minutes_per_dose
             FROM shift JOIN site ON site.id = shift.site_id",
        )
        .expect("prepare");
    for r in q
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("query")
    {
        let (s, d, start, end, vacc, cap, mpd): (
            i64,
            String,
            String,
            String,
            i64,
            Option<i64>,
            f64,
        ) = r.expect("row");
        let len = minutes(&end) - minutes(&start);
        add(
            s,
            d,
            3,
            slot_capacity(vacc, len, mpd, cap) * slots_in_shift(len),
        );
    }
    t.retain(|_, v| v.iter().any(|&n| n != 0));
    t
}

fn stored(conn: &Connection) -> (Totals, BTreeMap<String, [i64; 4]>) {
    let mut sites = Totals::new();
    let mut q = conn
        .prepare("SELECT site_id, date, administered, booked, attended, capacity FROM site_day")
        .expect("prepare");
    for r in q
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
            ))
        })
        .expect("query")
    {
        let (k, v) = r.expect("row");
        sites.insert(k, v);
    }
    sites.retain(|_, v: &mut [i64; 4]| v.iter().any(|&n| n != 0));
    let mut region = BTreeMap::new();
    let mut q = conn
        .prepare("SELECT date, administered, booked, attended, capacity FROM region_day")
        .expect("prepare");
    for r in q
        .query_map([], |r| {
            Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]))
        })
        .expect("query")
    {
        let (k, v): (String, [i64; 4]) = r.expect("row");
        if v.iter().any(|&n| n != 0) {
            region.insert(k, v);
        }
    }
    (sites, region)
}

fn region_of(sites: &Totals) -> BTreeMap<String, [i64; 4]> {
    let mut region: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for ((_, date), v) in sites {
        let e = region.entry(date.clone()).or_insert([0; 4]);
        for i in 0..4 {
            e[i] += v[i];
        }
    }
    region.retain(|_, v| v.iter().any(|&n| n != 0));
    region
}

const STATUSES: [&str; 5] = ["booked", "attended", "cancelled", "no_show", "rescheduled"];

/// One write to a table the totals follow. `pick` chooses an existing row
/// (by id, modulo how many there are), so a step means the same thing
/// whatever came before it and a failing sequence shrinks to a short one.
#[derive(Debug, Clone)]
enum Step {
    Book {
        site: i64,
        day: u32,
        slot: i64,
        status: usize,
    },
    SetStatus {
        pick: i64,
        status: usize,
    },
    Move {
        pick: i64,
        site: i64,
        day: u32,
        slot: i64,
    },
    DeleteAppointment {
        pick: i64,
    },
    Tally {
        site: i64,
        day: u32,
        shift: u8,
        doses: i64,
    },
    DeleteTally {
        pick: i64,
    },
    AddShift {
        site: i64,
        day: u32,
        start: u32,
        end: (u32, u32),
        vaccinators: i64,
        capacity: Option<i64>,
    },
    ChangeShift {
        pick: i64,
        vaccinators: i64,
        day: u32,
    },
    DeleteShift {
        pick: i64,
    },
    MinutesPerDose {
        site: i64,
        minutes: f64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let (site, day, slot, status, pick) = (1..=3i64, 1..=5u32, 0..100i64, 0..5usize, 0..1000i64);
    prop_oneof![
        3 => (site.clone(), day.clone(), slot.clone(), status.clone())
            .prop_map(|(site, day, slot, status)| Step::Book { site, day, slot, status }),
        1 => (pick.clone(), status).prop_map(|(pick, status)| Step::SetStatus { pick, status }),
        1 => (pick.clone(), site.clone(), day.clone(), slot)
            .prop_map(|(pick, site, day, slot)| Step::Move { pick, site, day, slot }),
        1 => pick.clone().prop_map(|pick| Step::DeleteAppointment { pick }),
        1 => (site.clone(), day.clone(), 0..3u8, 0..500i64)
            .prop_map(|(site, day, shift, doses)| Step::Tally { site, day, shift, doses }),
        1 => pick.clone().prop_map(|pick| Step::DeleteTally { pick }),
        1 => (site.clone(), day.clone(), 8..12u32, (13..17u32, 0..12u32), 0..8i64, proptest::option::of(0..300i64))
            .prop_map(|(site, day, start, end, vaccinators, capacity)| Step::AddShift {
                site, day, start, end, vaccinators, capacity,
            }),
        1 => (pick.clone(), 0..9i64, day.clone())
            .prop_map(|(pick, vaccinators, day)| Step::ChangeShift { pick, vaccinators, day }),
        1 => pick.prop_map(|pick| Step::DeleteShift { pick }),
        1 => (site, prop::sample::select(vec![2.5, 4.0, 5.0, 7.0]))
            .prop_map(|(site, minutes)| Step::MinutesPerDose { site, minutes }),
    ]
}

/// The id of the `pick`-th row of `table` (modulo its rows), or NULL.
fn nth(table: &str) -> String {
    format!(
        "(SELECT id FROM {table} ORDER BY id LIMIT 1
          OFFSET ?1 % max(1, (SELECT count(*) FROM {table})))"
    )
}

fn apply(conn: &Connection, step: &Step) {
    let now = "2021-04-01T00:00:00Z";
    let date = |day: u32| format!("2021-04-{day:02}");
    let minute = |day: u32, slot: i64| {
        crate::time::parse_local_datetime(&format!("{}T09:00", date(day)))
            .map(crate::time::minute_of)
            .expect("date")
            + 5 * slot
    };
    let done = match step {
        Step::Book { site, day, slot, status } => conn.execute(
            "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
             VALUES (?1, 'p', ?2, ?3, 1, 'PFIZER', ?4, ?5)",
            params![store::new_uuid(), site, minute(*day, *slot), STATUSES[*status], now],
        ),
        Step::SetStatus { pick, status } => conn.execute(
            &format!("UPDATE appointment SET status = ?2 WHERE id = {}", nth("appointment")),
            params![pick, STATUSES[*status]],
        ),
        Step::Move { pick, site, day, slot } => conn.execute(
            &format!(
                "UPDATE appointment SET site_id = ?2, slot_minute = ?3 WHERE id = {}",
                nth("appointment")
            ),
            params![pick, site, minute(*day, *slot)],
        ),
        Step::DeleteAppointment { pick } => conn.execute(
            &format!("DELETE FROM appointment WHERE id = {}", nth("appointment")),
            [pick],
        ),
        Step::Tally { site, day, shift, doses } => conn.execute(
            "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, '', ?5, ?6)
             ON CONFLICT DO UPDATE SET doses = excluded.doses",
            params![store::new_uuid(), site, date(*day), shift.to_string(), doses, now],
        ),
        Step::DeleteTally { pick } => conn.execute(
            &format!("DELETE FROM dose_count WHERE id = {}", nth("dose_count")),
            [pick],
        ),
        Step::AddShift { site, day, start, end, vaccinators, capacity } => conn.execute(
            "INSERT OR IGNORE INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                store::new_uuid(),
                site,
                date(*day),
                format!("{start:02}:00"),
                format!("{:02}:{:02}", end.0, 5 * end.1),
                vaccinators,
                capacity,
                now
            ],
        ),
        Step::ChangeShift { pick, vaccinators, day } => conn.execute(
            &format!(
                "UPDATE OR IGNORE shift SET vaccinators = ?2, date = ?3 WHERE id = {}",
                nth("shift")
            ),
            params![pick, vaccinators, date(*day)],
        ),
        Step::DeleteShift { pick } => conn.execute(
            &format!("DELETE FROM shift WHERE id = {}", nth("shift")),
            [pick],
        ),
        Step::MinutesPerDose { site, minutes } => conn.execute(
            "UPDATE site SET minutes_per_dose = ?1 WHERE id = ?2",
            params![minutes, site],
        ),
    };
    done.expect("step");
}

fn three_sites() -> Connection {
    let conn = store::open_in_memory().expect("open");
    for code in ["A", "B", "C"] {
        conn.execute(
            "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (?1, ?2, ?2, 'mass_clinic', 'x')",
            params![store::new_uuid(), code],
        )
        .expect("site");
    }
    conn
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After any mix of up to 300 writes, checked every 50 and at the end.
    #[test]
    fn triggers_keep_totals_equal_to_a_recount(steps in prop::collection::vec(step(), 1..300)) {
        let conn = three_sites();
        for (i, s) in steps.iter().enumerate() {
            apply(&conn, s);
            if i % 50 == 49 || i + 1 == steps.len() {
                let expected = recount(&conn);
                let (sites, region) = stored(&conn);
                prop_assert_eq!(&sites, &expected, "after step {}", i);
                prop_assert_eq!(region, region_of(&expected), "after step {}", i);
            }
        }
    }

    #[test]
    fn rebuilds_match_the_triggers(steps in prop::collection::vec(step(), 1..400)) {
        let mut conn = three_sites();
        for s in &steps {
            apply(&conn, s);
        }
        let expected = recount(&conn);
        let tx = conn.transaction().expect("tx");
        tx.execute_batch("UPDATE site_day SET booked = 7, administered = 3")
            .expect("spoil");
        rebuild_bookings(&tx).expect("rebuild");
        rebuild_administered(&tx).expect("rebuild");
        tx.commit().expect("commit");
        let (sites, region) = stored(&conn);
        prop_assert_eq!(&sites, &expected);
        prop_assert_eq!(region, region_of(&expected));
    }

    /// What a bulk load sets from the sums it took while parsing.
    #[test]
    fn set_totals_match_a_recount(steps in prop::collection::vec(step(), 1..400)) {
        let mut conn = three_sites();
        for s in &steps {
            apply(&conn, s);
        }
        let expected = recount(&conn);
        let day_of = |date: &str| {
            let date = crate::time::parse_date(date).expect("a stored date");
            (date - chrono::NaiveDate::default()).num_days()
        };
        let (mut administered, mut booked) = (Vec::new(), Vec::new());
        for ((site, date), [doses, active, attended, _]) in &expected {
            administered.push(((*site, day_of(date)), [*doses]));
            booked.push(((*site, day_of(date)), (*active, *attended)));
        }
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(
            "UPDATE site_day SET booked = 7, attended = 2, administered = 3;
             UPDATE region_day SET booked = 5, attended = 1, administered = 9;",
        )
        .expect("spoil");
        set_administered(&tx, administered).expect("set");
        set_bookings(&tx, booked).expect("set");
        tx.commit().expect("commit");
        let (sites, region) = stored(&conn);
        prop_assert_eq!(&sites, &expected);
        prop_assert_eq!(region, region_of(&expected));
    }
}
