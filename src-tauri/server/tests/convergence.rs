//! Convergence, property-tested: 3–5 laptops (real SQLite files), the real
//! server process and a real PostgreSQL; random tallies, corrections,
//! withdrawals, bookings, cancellations, calls and schedule edits; random
//! partitions; pushes dropped before sending, replies lost after the
//! server applied them, batches sent twice, pulls cut short, and the
//! server killed mid-sync. After healing and two rounds of sync, every
//! laptop must equal the central copy restricted to what its role may see
//! (a dump written here, from PostgreSQL's rows and SQLite's tables, not
//! with the sync code), every day total must be the sum of the central
//! tallies, and no booking made anywhere may be missing.
//!
//! `DOSEDESK_SYNC_CASES` sets the number of cases (CI: 200; `make bench`
//! runs a longer soak); `DOSEDESK_SYNC_SEED` replays one case.

mod support;

use dosedesk_core::booking::{self, BookRequest, LinkedSecond};
use dosedesk_core::doses::entry;
use dosedesk_core::import::ImportKind;
use dosedesk_core::sync::wire::{Conflict, Keep, PullPage, PushBatch, PushReply, Role, Table};
use dosedesk_core::sync::{self, http, Transport};
use dosedesk_core::Error;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use support::laptop::{fixture, tally, Dump, Laptop};
use support::{Postgres, Server};

/// xorshift64*: small, seedable, and independent of the code under test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SITES: [&str; 3] = ["AAA", "BBB", "CCC"];
const TALLY_DAYS: [&str; 3] = ["2021-04-01", "2021-04-02", "2021-04-03"];

/// A fault the next sync of a laptop meets.
#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    /// The n-th push never reaches the server.
    DropPush(usize),
    /// The n-th push is applied, its reply lost.
    LoseReply(usize),
    /// Every push is sent twice (a retry racing the first).
    Duplicate,
    /// The pull fails after its first page.
    CutPull,
    /// The server is killed while the laptop syncs.
    KillServer,
}

struct Faulty {
    inner: http::Client,
    fault: Fault,
    pushes: usize,
    pulls: usize,
}

fn offline() -> Error {
    Error::Offline("test: the network failed".into())
}

impl Transport for Faulty {
    fn push(&mut self, batch: &PushBatch) -> dosedesk_core::Result<PushReply> {
        self.pushes += 1;
        match self.fault {
            Fault::DropPush(n) if n == self.pushes => Err(offline()),
            Fault::LoseReply(n) if n == self.pushes => {
                self.inner.push(batch)?;
                Err(offline())
            }
            Fault::Duplicate => {
                self.inner.push(batch)?;
                self.inner.push(batch)
            }
            _ => self.inner.push(batch),
        }
    }
    fn book(&mut self, batch: &PushBatch) -> dosedesk_core::Result<PushReply> {
        self.inner.book(batch)
    }
    fn forward(&mut self, d: &str, b: &str, s: &str) -> dosedesk_core::Result<PushReply> {
        self.inner.forward(d, b, s)
    }
    fn pull(
        &mut self,
        cursor: i64,
        _limit: usize,
        only: Option<Table>,
    ) -> dosedesk_core::Result<PullPage> {
        self.pulls += 1;
        if matches!(self.fault, Fault::CutPull) && self.pulls > 1 {
            return Err(offline());
        }
        // Small pages, so a pull has several.
        self.inner.pull(cursor, 7, only)
    }
    fn conflicts(&mut self) -> dosedesk_core::Result<Vec<Conflict>> {
        self.inner.conflicts()
    }
    fn resolve(
        &mut self,
        id: i64,
        keep: Keep,
        v: Option<serde_json::Value>,
    ) -> dosedesk_core::Result<()> {
        self.inner.resolve(id, keep, v)
    }
}

struct Device {
    laptop: Laptop,
    role: Role,
    sites: Vec<String>,
}

impl Device {
    fn writes_at(&self) -> Vec<&str> {
        match self.role {
            Role::Manager => SITES.to_vec(),
            Role::Clinic => self.sites.iter().map(String::as_str).collect(),
            Role::Official => Vec::new(),
        }
    }

    fn sync_with(&mut self, fault: Fault, server: &Arc<Mutex<Server>>, rng: &mut Rng) -> bool {
        let e = sync::enrolment::require(&self.laptop.conn).expect("enrolled");
        let mut t = Faulty {
            inner: http::Client::new(&e).expect("client"),
            fault,
            pushes: 0,
            pulls: 0,
        };
        let killer = matches!(fault, Fault::KillServer).then(|| {
            let server = Arc::clone(server);
            let delay = std::time::Duration::from_millis(rng.below(40) as u64);
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                server.lock().expect("server").kill();
            })
        });
        let result = sync::sync(&mut self.laptop.conn, &mut t);
        if let Some(k) = killer {
            k.join().expect("killer");
            server.lock().expect("server").restart();
        }
        match result {
            Ok(_) => true,
            Err(Error::Offline(_)) => false,
            Err(e) if !matches!(fault, Fault::None) => {
                // A fault may surface as any failed request (a reply cut
                // by the kill); what matters is what healing leaves.
                let _ = e;
                false
            }
            Err(e) => panic!("{}: sync failed with no fault: {e}", self.laptop.name),
        }
    }
}

/// One random change on one laptop, as its user would make it; the
/// domain may refuse it (a full slot), which is fine.
fn random_change(
    d: &mut Device,
    rng: &mut Rng,
    made: &mut BTreeSet<String>,
    serial: &mut u64,
    dir: &std::path::Path,
) {
    let owned: Vec<String> = d.writes_at().into_iter().map(str::to_string).collect();
    let sites: Vec<&str> = owned.iter().map(String::as_str).collect();
    if sites.is_empty() {
        return; // an official changes no clinic data
    }
    let site = rng.pick(&sites).to_string();
    let conn = &mut d.laptop.conn;
    match rng.below(7) {
        0 | 1 => {
            let _ = entry::record(
                conn,
                &tally(
                    &site,
                    TALLY_DAYS[rng.below(TALLY_DAYS.len())],
                    rng.below(300) as i64,
                ),
                true,
            );
        }
        2 => {
            let _ = entry::withdraw(
                conn,
                &tally(&site, TALLY_DAYS[rng.below(TALLY_DAYS.len())], 0),
            );
        }
        3 => {
            *serial += 1;
            let day = 1 + rng.below(7);
            let minute = 8 * 60 + 5 * rng.below(48);
            let req = BookRequest {
                person_id: format!("N{}-{serial}", d.laptop.name),
                birth_date: Some("1970-05-05".into()),
                phone: Some(format!("613-555-{:04}", serial)),
                site: site.clone(),
                slot: format!("2021-04-{day:02}T{:02}:{:02}", minute / 60, minute % 60),
                product: "PFIZER".into(),
                second_site: None,
                second_slot: None,
                given_name: None,
                family_name: None,
                preferred_language: None,
            };
            // Half the bookings are made online, through the server's
            // capacity guard (refused when the central copy's slot is full,
            // kept here when the server is down); half offline.
            let booked = if rng.chance(50) {
                booking::book_first_dose(conn, &req)
            } else {
                booking::book_first_dose_via(conn, &req, None)
            };
            if let Ok(booked) = booked {
                for id in [booked.first.id, booked.second.id] {
                    let uuid: String = conn
                        .query_row(
                            "SELECT lower(hex(uuid)) FROM appointment WHERE id = ?1",
                            [id],
                            |r| r.get(0),
                        )
                        .expect("uuid");
                    made.insert(uuid);
                }
            }
        }
        4 => {
            if let Some(id) = some_booking(conn, &sites, rng) {
                let _ = booking::cancel(conn, id, Some(LinkedSecond::Cancel));
            }
        }
        5 => {
            if let Some(id) = some_booking(conn, &sites, rng) {
                let to = rng.pick(&sites).to_string();
                let day = 1 + rng.below(7);
                let minute = 8 * 60 + 5 * rng.below(48);
                let accepted = rng.chance(50);
                let _ = dosedesk_core::rebook::record(
                    conn,
                    &dosedesk_core::rebook::CallOutcome {
                        appointment_id: id,
                        outcome: if accepted {
                            "reached_accepted"
                        } else {
                            "unreachable"
                        }
                        .into(),
                        to_site: accepted.then(|| to.clone()),
                        to_slot: accepted.then(|| {
                            format!("2021-04-{day:02}T{:02}:{:02}", minute / 60, minute % 60)
                        }),
                        note: Some(format!("call {serial}")),
                        call_back_at: None,
                    },
                );
            }
        }
        _ => {
            if d.role == Role::Manager {
                // A schedule edit: the day's morning shift re-staffed.
                let file = dir.join(format!("edit-{}-{serial}.csv", d.laptop.name));
                *serial += 1;
                std::fs::write(
                    &file,
                    format!(
                        "site_code,date,start,end,vaccinators\n{site},2021-04-0{},08:00,12:00,{}\n",
                        1 + rng.below(7),
                        1 + rng.below(4)
                    ),
                )
                .expect("write");
                let _ = dosedesk_core::import::import_file(
                    conn,
                    ImportKind::Shifts,
                    &file,
                    &dosedesk_core::job::Quiet,
                );
            }
        }
    }
}

fn some_booking(conn: &dosedesk_core::Connection, sites: &[&str], rng: &mut Rng) -> Option<i64> {
    let list = sites
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(",");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT a.id FROM appointment a JOIN site s ON s.id = a.site_id
             WHERE a.status = 'booked' AND s.code IN ({list}) ORDER BY a.id"
        ))
        .expect("query");
    let ids: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .expect("ids")
        .map(|r| r.expect("id"))
        .collect();
    (!ids.is_empty()).then(|| ids[rng.below(ids.len())])
}

/// The central copy, dumped in the laptops' dump format straight from
/// PostgreSQL's rows.
fn central(rt: &tokio::runtime::Runtime, db: &str) -> (Dump, BTreeMap<(String, String), i64>) {
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(db, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        let rows = client
            .query("SELECT tbl, id, data FROM row_state WHERE NOT deleted", &[])
            .await
            .expect("rows");
        let mut d = Dump {
            sites: BTreeSet::new(),
            shifts: BTreeSet::new(),
            supply: BTreeSet::new(),
            appointments: BTreeSet::new(),
            people: BTreeSet::new(),
            tallies: BTreeSet::new(),
            calls: BTreeSet::new(),
            plans: BTreeSet::new(),
            products: BTreeSet::new(),
            releases: BTreeSet::new(),
        };
        let mut totals = BTreeMap::new();
        for r in rows {
            let (tbl, id, v): (String, String, serde_json::Value) = (r.get(0), r.get(1), r.get(2));
            let f = |k: &str| match &v[k] {
                serde_json::Value::Null => "∅".to_string(),
                serde_json::Value::String(s) => s.clone(),
                // As SQLite's REAL prints in the laptops' dump.
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => i.to_string(),
                    None => format!("{}", n.as_f64().unwrap_or(f64::NAN)),
                },
                other => other.to_string(),
            };
            let line = |keys: &[&str]| keys.iter().map(|k| f(k)).collect::<Vec<_>>().join("|");
            match tbl.as_str() {
                "site" => {
                    d.sites.insert(line(&[
                        "code",
                        "name",
                        "kind",
                        "status",
                        "lat",
                        "lon",
                        "stations",
                        "minutes_per_dose",
                        "capacity_per_day",
                        "opens",
                        "closes",
                    ]));
                }
                "shift" => {
                    d.shifts.insert(line(&[
                        "site",
                        "date",
                        "start",
                        "end",
                        "vaccinators",
                        "capacity",
                    ]));
                }
                "supply" => {
                    d.supply
                        .insert(line(&["date", "product", "doses", "status"]));
                }
                "appointment" => {
                    let key = if v["booking_id"].is_null() {
                        id.clone()
                    } else {
                        f("booking_id")
                    };
                    d.appointments.insert(format!(
                        "{key}|{}",
                        line(&[
                            "person_id",
                            "site",
                            "slot_minute",
                            "dose_number",
                            "product",
                            "status"
                        ])
                    ));
                    if !v["birth_date"].is_null() || !v["phone"].is_null() {
                        d.people.insert(line(&["person_id", "birth_date", "phone"]));
                    }
                }
                "dose_count" => {
                    let counted = v["withdrawn_at"].is_null() && v["held_at"].is_null();
                    d.tallies.insert(format!(
                        "{}|{}|{}",
                        line(&["site", "date", "shift", "dose_number", "product", "doses"]),
                        if v["withdrawn_at"].is_null() { 1 } else { 0 },
                        if v["held_at"].is_null() { 1 } else { 0 }
                    ));
                    if counted {
                        *totals.entry((f("site"), f("date"))).or_insert(0) +=
                            v["doses"].as_i64().expect("doses");
                    }
                }
                "contact_attempt" => {
                    let booking = if v["booking_id"].is_null() {
                        f("appointment_uuid")
                    } else {
                        f("booking_id")
                    };
                    d.calls
                        .insert(format!("{id}|{booking}|{}", line(&["outcome", "note"])));
                }
                "plan" => {
                    d.plans
                        .insert(format!("{id}|{}", line(&["kind", "name", "applied_at"])));
                }
                "product" => {
                    d.products.insert(line(&[
                        "code",
                        "name",
                        "min_interval_days",
                        "max_interval_days",
                    ]));
                }
                "provincial_release" => {
                    let days = v["days"].as_array().expect("a release's days");
                    let total: i64 = days.iter().filter_map(|day| day[4].as_i64()).sum();
                    let total = if days.iter().all(|day| day[4].is_null()) {
                        "∅".to_string()
                    } else {
                        total.to_string()
                    };
                    d.releases
                        .insert(format!("{}|{}|{total}", f("sha256"), days.len()));
                }
                other => panic!("unknown table {other}"),
            }
        }
        (d, totals)
    })
}

/// What the cases exercised, so a run that tested nothing shows it.
#[derive(Default, Debug)]
struct Exercised {
    faults: BTreeMap<String, u64>,
    bookings_made: u64,
    conflicts: u64,
    hidden_moves: u64,
}

fn one_case(seed: u64, pg: &Postgres, rt: &tokio::runtime::Runtime, seen: &mut Exercised) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let db = pg.database(&format!("case_{seed}"));
    let pool = dosedesk_server::db::pool(&db).expect("pool");
    rt.block_on(dosedesk_server::db::migrate(&pool))
        .expect("migrate");
    let server = Arc::new(Mutex::new(Server::start(&db)));
    let url = server.lock().expect("server").url();
    let dir = tempfile::tempdir().expect("dir");

    let n = 3 + rng.below(3);
    let mut devices = Vec::new();
    for k in 0..n {
        let (role, sites): (Role, Vec<String>) = if k == 0 {
            (Role::Manager, vec![])
        } else {
            match rng.below(3) {
                0 => (Role::Manager, vec![]),
                1 => {
                    let mut s = vec![rng.pick(&SITES).to_string()];
                    if rng.chance(30) {
                        s.push(rng.pick(&SITES).to_string());
                        s.sort();
                        s.dedup();
                    }
                    (Role::Clinic, s)
                }
                _ => (Role::Official, vec![]),
            }
        };
        let name = format!("l{k}");
        let token = rt
            .block_on(dosedesk_server::device::add(
                &pool,
                &name,
                role.name(),
                &sites,
            ))
            .expect("device");
        let mut laptop = Laptop::new(dir.path(), &name);
        if k == 0 {
            for (kind, file) in fixture(dir.path(), 24) {
                laptop.import(kind, &file);
            }
        }
        laptop.enrol(&url, &token);
        devices.push(Device {
            laptop,
            role,
            sites,
        });
    }
    for d in devices.iter_mut() {
        assert!(d.sync_with(Fault::None, &server, &mut rng), "first sync");
    }

    let mut made = BTreeSet::new();
    let mut serial = 0u64;
    // Some laptops are cut off for the whole run (until healing).
    let partitioned: Vec<bool> = (0..n).map(|_| rng.chance(25)).collect();
    for _ in 0..(15 + rng.below(20)) {
        let k = rng.below(n);
        if rng.chance(65) {
            random_change(
                &mut devices[k],
                &mut rng,
                &mut made,
                &mut serial,
                dir.path(),
            );
        } else if !partitioned[k] {
            let fault = match rng.below(10) {
                0 => Fault::DropPush(1 + rng.below(2)),
                1 => Fault::LoseReply(1 + rng.below(2)),
                2 => Fault::Duplicate,
                3 => Fault::CutPull,
                4 if rng.chance(30) => Fault::KillServer,
                _ => Fault::None,
            };
            let name = format!("{fault:?}");
            *seen
                .faults
                .entry(name.split('(').next().unwrap_or("?").to_string())
                .or_default() += 1;
            devices[k].sync_with(fault, &server, &mut rng);
        }
    }
    // Healing: the network is back; two rounds of sync for everyone.
    for _ in 0..2 {
        for d in devices.iter_mut() {
            assert!(
                d.sync_with(Fault::None, &server, &mut rng),
                "seed {seed}: {} heal",
                d.laptop.name
            );
        }
    }
    let (truth, totals) = central(rt, &db);
    for d in &devices {
        let held = d.laptop.dump();
        let want = truth.restricted(d.role, &d.sites);
        assert!(
            held == want,
            "seed {seed}: {} ({:?} {:?}) differs from the central copy:\n{}",
            d.laptop.name,
            d.role,
            d.sites,
            held.diff(&want)
        );
        // Day totals are the sum of the central tallies, each counted once.
        let mut stmt = d.laptop.conn
            .prepare("SELECT s.code, d.date, d.administered FROM site_day d JOIN site s ON s.id = d.site_id WHERE d.administered <> 0")
            .expect("site_day");
        let local: BTreeMap<(String, String), i64> = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .expect("rows")
            .map(|r| r.expect("row"))
            .collect();
        let nonzero: BTreeMap<_, _> = totals
            .iter()
            .filter(|(_, v)| **v != 0)
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        assert_eq!(local, nonzero, "seed {seed}: {} day totals", d.laptop.name);
    }
    // No booking made on any laptop is missing from the central copy.
    for uuid in &made {
        assert!(
            truth
                .appointments
                .iter()
                .any(|a| a.starts_with(&format!("{uuid}|"))),
            "seed {seed}: booking {uuid} lost"
        );
    }
    seen.bookings_made += made.len() as u64;
    let count = |sql: &str| -> u64 { pg.psql(&db, sql).trim().parse().unwrap_or(0) };
    seen.conflicts += count("SELECT count(*) FROM conflict");
    seen.hidden_moves += count("SELECT count(*) FROM row_state WHERE cardinality(seen_sites) > 1");
    drop(server);
}

#[test]
fn laptops_converge_under_partitions_lost_replies_and_crashes() {
    let pg = Postgres::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cases: u64 = std::env::var("DOSEDESK_SYNC_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seeds: Vec<u64> = match std::env::var("DOSEDESK_SYNC_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(seed) => vec![seed],
        None => (1..=cases).collect(),
    };
    let started = std::time::Instant::now();
    let mut seen = Exercised::default();
    for &seed in &seeds {
        one_case(seed, &pg, &rt, &mut seen);
    }
    eprintln!(
        "convergence: {} seeded cases passed in {:.1} s; exercised {seen:?}",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
    if seeds.len() >= 50 {
        // Enough cases must have met each fault, a conflict and a move.
        assert!(seen.faults.len() >= 6, "{seen:?}");
        assert!(
            seen.conflicts > 0 && seen.hidden_moves > 0 && seen.bookings_made > 0,
            "{seen:?}"
        );
    }
}
