//! The trigger-kept totals must equal a recount from the raw rows, computed
//! here in Rust with the capacity rules of `capacity.rs`, after any mix of
//! inserts, updates and deletes.

use super::*;
use crate::capacity::{slot_capacity, slots_in_shift};
use crate::rng::Rng as SplitMix64;
use crate::store;
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

fn random_step(conn: &Connection, rng: &mut SplitMix64) {
    let site = 1 + rng.below(3) as i64;
    let day = format!("2021-04-{:02}", 1 + rng.below(5));
    let minute = crate::time::parse_local_datetime(&format!("{day}T09:00"))
        .map(crate::time::minute_of)
        .expect("date")
        + 5 * rng.below(100) as i64;
    let status = STATUSES[rng.below(5) as usize];
    let now = "2021-04-01T00:00:00Z";
    let sql = match rng.below(12) {
        0..=2 => conn.execute(
            "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
             VALUES (?1, 'p', ?2, ?3, 1, 'PFIZER', ?4, ?5)",
            params![store::new_uuid(), site, minute, status, now],
        ),
        3 => conn.execute(
            "UPDATE appointment SET status = ?1 WHERE id = (SELECT id FROM appointment ORDER BY random() LIMIT 1)",
            [status],
        ),
        4 => conn.execute(
            "UPDATE appointment SET site_id = ?1, slot_minute = ?2
             WHERE id = (SELECT id FROM appointment ORDER BY random() LIMIT 1)",
            params![site, minute],
        ),
        5 => conn.execute(
            "DELETE FROM appointment WHERE id = (SELECT id FROM appointment ORDER BY random() LIMIT 1)",
            [],
        ),
        6 => conn.execute(
            "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, '', ?5, ?6)
             ON CONFLICT DO UPDATE SET doses = excluded.doses",
            params![store::new_uuid(), site, day, rng.below(3).to_string(), rng.below(500) as i64, now],
        ),
        7 => conn.execute(
            "DELETE FROM dose_count WHERE id = (SELECT id FROM dose_count ORDER BY random() LIMIT 1)",
            [],
        ),
        8 => conn.execute(
            "INSERT OR IGNORE INTO shift (uuid, site_id, date, start, end, vaccinators, capacity, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                store::new_uuid(),
                site,
                day,
                format!("{:02}:00", 8 + rng.below(4)),
                format!("{:02}:{:02}", 13 + rng.below(4), 5 * rng.below(12)),
                rng.below(8) as i64,
                (rng.below(2) == 0).then(|| rng.below(300) as i64),
                now
            ],
        ),
        9 => conn.execute(
            "UPDATE OR IGNORE shift SET vaccinators = ?1, date = ?2
             WHERE id = (SELECT id FROM shift ORDER BY random() LIMIT 1)",
            params![rng.below(9) as i64, day],
        ),
        10 => conn.execute(
            "DELETE FROM shift WHERE id = (SELECT id FROM shift ORDER BY random() LIMIT 1)",
            [],
        ),
        _ => conn.execute(
            "UPDATE site SET minutes_per_dose = ?1 WHERE id = ?2",
            params![[2.5, 4.0, 5.0, 7.0][rng.below(4) as usize], site],
        ),
    };
    sql.expect("step");
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

#[test]
fn triggers_keep_totals_equal_to_a_recount() {
    for seed in 0..20 {
        let conn = three_sites();
        let mut rng = SplitMix64::new(seed);
        for step in 0..300 {
            random_step(&conn, &mut rng);
            if step % 50 == 49 {
                let expected = recount(&conn);
                let (sites, region) = stored(&conn);
                assert_eq!(sites, expected, "seed {seed} step {step}");
                assert_eq!(region, region_of(&expected), "seed {seed} step {step}");
            }
        }
    }
}

#[test]
fn rebuilds_match_the_triggers() {
    let mut conn = three_sites();
    let mut rng = SplitMix64::new(7);
    for _ in 0..400 {
        random_step(&conn, &mut rng);
    }
    let expected = recount(&conn);
    let tx = conn.transaction().expect("tx");
    tx.execute_batch("UPDATE site_day SET booked = 7, administered = 3")
        .expect("spoil");
    rebuild_bookings(&tx).expect("rebuild");
    rebuild_administered(&tx).expect("rebuild");
    tx.commit().expect("commit");
    let (sites, region) = stored(&conn);
    assert_eq!(sites, expected);
    assert_eq!(region, region_of(&expected));
}
