//! A laptop for the sync tests: a real SQLite store file, with a dump of
//! what it holds written here in plain SQL (not with the sync code).
#![allow(dead_code)]

use dosedesk_core::booking;
use dosedesk_core::import::{self, ImportKind};
use dosedesk_core::sync::{self, http, wire::Role};
use dosedesk_core::{store, Connection};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub struct Laptop {
    pub name: String,
    pub path: PathBuf,
    pub conn: Connection,
}

impl Laptop {
    pub fn new(dir: &Path, name: &str) -> Laptop {
        let path = dir.join(format!("{name}.sqlite3"));
        let conn = store::open(&path).expect("open store");
        Laptop {
            name: name.into(),
            path,
            conn,
        }
    }

    pub fn import(&mut self, kind: ImportKind, file: &Path) {
        import::import_file(&mut self.conn, kind, file, &dosedesk_core::job::Quiet)
            .unwrap_or_else(|e| panic!("{}: import {}: {e}", self.name, file.display()));
    }

    /// Imports what `dosedesk_core::generate` wrote to `files`: its sites,
    /// shifts, bookings and tallies.
    pub fn import_generated(&mut self, files: &Path) {
        for (kind, name) in [
            (ImportKind::Sites, "sites.csv"),
            (ImportKind::Shifts, "shifts.csv"),
            (ImportKind::Bookings, "bookings.csv"),
            (ImportKind::DoseCounts, "dose_counts.csv"),
        ] {
            self.import(kind, &files.join(name));
        }
    }

    pub fn enrol(&mut self, server: &str, token: &str) {
        let e = http::enrol(server, token, None).expect("enrol");
        sync::enrolment::save(&mut self.conn, &e).expect("save enrolment");
    }

    pub fn sync(&mut self) -> dosedesk_core::Result<sync::SyncReport> {
        let e = sync::enrolment::require(&self.conn)?;
        let mut client = http::Client::new(&e)?;
        sync::sync(&mut self.conn, &mut client)
    }

    /// Books a Pfizer first dose for `person` at `site` `slot`, its second
    /// dose at `second` (same site): through the server's capacity guard
    /// when `online`, on this laptop alone otherwise.
    pub fn book(
        &mut self,
        online: bool,
        person: &str,
        site: &str,
        slot: &str,
        second: &str,
    ) -> dosedesk_core::Result<booking::Booked> {
        let req = booking::BookRequest {
            person_id: person.into(),
            birth_date: Some("1970-05-05".into()),
            phone: Some("613-555-0199".into()),
            site: site.into(),
            slot: slot.into(),
            product: "PFIZER".into(),
            second_site: None,
            second_slot: Some(second.into()),
            given_name: None,
            family_name: None,
            preferred_language: None,
        };
        if online {
            booking::book_first_dose(&mut self.conn, &req)
        } else {
            booking::book_first_dose_via(&mut self.conn, &req, None)
        }
    }

    pub fn role(&self) -> Option<(Role, Vec<String>)> {
        sync::enrolment::load(&self.conn)
            .ok()
            .flatten()
            .map(|e| (e.role, e.sites))
    }

    /// Everything that travels, one line per row, keyed as the domain keys
    /// it (site codes, booking ids), never by local ids.
    pub fn dump(&self) -> Dump {
        let q = |sql: &str| lines(&self.conn, sql);
        Dump {
            sites: q("SELECT code, name, kind, status, lat, lon, stations, minutes_per_dose, capacity_per_day, opens, closes FROM site"),
            shifts: q("SELECT s.code, h.date, h.start, h.end, h.vaccinators, h.capacity FROM shift h JOIN site s ON s.id = h.site_id"),
            supply: q("SELECT date, product, doses, status FROM supply"),
            appointments: q("SELECT coalesce(a.booking_id, lower(hex(a.uuid))), a.person_id, s.code, a.slot_minute, a.dose_number, a.product, a.status FROM appointment a JOIN site s ON s.id = a.site_id"),
            // A person row with no details says nothing: only details travel.
            people: q("SELECT person_id, birth_date, phone FROM person WHERE birth_date IS NOT NULL OR phone IS NOT NULL"),
            tallies: q("SELECT s.code, c.date, c.shift, c.dose_number, c.product, c.doses, c.withdrawn_at IS NULL, c.held_at IS NULL FROM dose_count c JOIN site s ON s.id = c.site_id"),
            calls: q("SELECT lower(hex(c.uuid)), coalesce(a.booking_id, lower(hex(a.uuid))), c.outcome, c.note FROM contact_attempt c JOIN appointment a ON a.id = c.appointment_id"),
            plans: q("SELECT lower(hex(uuid)), kind, name, applied_at FROM plan"),
            products: q("SELECT code, name, min_interval_days, max_interval_days FROM product"),
            releases: q("SELECT r.sha256, count(d.report_date), sum(d.total_doses) FROM provincial_release r
                         LEFT JOIN provincial_day d ON d.release_id = r.id GROUP BY r.id"),
        }
    }

    /// The rows of `sql`, each as its values joined by `|`.
    pub fn lines(&self, sql: &str) -> BTreeSet<String> {
        lines(&self.conn, sql)
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    }
}

fn lines(conn: &Connection, sql: &str) -> BTreeSet<String> {
    let mut stmt = conn.prepare(sql).expect(sql);
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            let mut parts = Vec::with_capacity(n);
            for k in 0..n {
                let v: rusqlite::types::Value = r.get(k)?;
                parts.push(match v {
                    rusqlite::types::Value::Null => "∅".to_string(),
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Real(f) => format!("{f}"),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(b) => format!("{b:?}"),
                });
            }
            Ok(parts.join("|"))
        })
        .expect(sql);
    rows.map(|r| r.expect("row")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    pub sites: BTreeSet<String>,
    pub shifts: BTreeSet<String>,
    pub supply: BTreeSet<String>,
    pub appointments: BTreeSet<String>,
    pub people: BTreeSet<String>,
    pub tallies: BTreeSet<String>,
    pub calls: BTreeSet<String>,
    pub plans: BTreeSet<String>,
    pub products: BTreeSet<String>,
    /// Each release of the province's file: its checksum and its days.
    pub releases: BTreeSet<String>,
}

impl Dump {
    /// The rows only one side holds, table by table.
    pub fn diff(&self, other: &Dump) -> String {
        let mut out = String::new();
        let mut side = |name: &str, a: &BTreeSet<String>, b: &BTreeSet<String>| {
            for x in a.difference(b) {
                out.push_str(&format!("  {name} only here:    {x}\n"));
            }
            for x in b.difference(a) {
                out.push_str(&format!("  {name} only central: {x}\n"));
            }
        };
        side("site", &self.sites, &other.sites);
        side("shift", &self.shifts, &other.shifts);
        side("supply", &self.supply, &other.supply);
        side("appointment", &self.appointments, &other.appointments);
        side("person", &self.people, &other.people);
        side("tally", &self.tallies, &other.tallies);
        side("call", &self.calls, &other.calls);
        side("plan", &self.plans, &other.plans);
        side("product", &self.products, &other.products);
        side("release", &self.releases, &other.releases);
        out
    }

    /// What a device of this role and these sites may hold of `self`.
    /// Written from the rule, not from `Role::may_see`.
    pub fn restricted(&self, role: Role, sites: &[String]) -> Dump {
        let mut d = self.clone();
        match role {
            Role::Manager => {}
            Role::Official => {
                d.appointments.clear();
                d.people.clear();
                d.calls.clear();
            }
            Role::Clinic => {
                d.appointments
                    .retain(|a| sites.iter().any(|s| a.split('|').nth(2) == Some(s)));
                let kept: BTreeSet<String> = d
                    .appointments
                    .iter()
                    .filter_map(|a| a.split('|').nth(1).map(str::to_string))
                    .collect();
                d.people
                    .retain(|p| p.split('|').next().is_some_and(|id| kept.contains(id)));
                let bookings: BTreeSet<String> = d
                    .appointments
                    .iter()
                    .filter_map(|a| a.split('|').next().map(str::to_string))
                    .collect();
                d.calls
                    .retain(|c| c.split('|').nth(1).is_some_and(|b| bookings.contains(b)));
            }
        }
        d
    }
}

/// Small CSV files per FORMATS.md: sites AAA, BBB, CCC; two weeks of shifts;
/// bookings at each; tallies; supply.
pub fn fixture(dir: &Path, bookings: usize) -> Vec<(ImportKind, PathBuf)> {
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write fixture");
        p
    };
    let sites = write(
        "sites.csv",
        "site_code,name,kind,lat,lon,stations,minutes_per_dose\n\
         AAA,Arena A,mass_clinic,45.4215,-75.6972,10,5\n\
         BBB,Hall B,mass_clinic,45.3500,-75.7500,8,5\n\
         CCC,Pharmacy C,pharmacy,45.4000,-75.6000,2,6\n"
            .into(),
    );
    let mut shifts = String::from("site_code,date,start,end,vaccinators\n");
    // The first week, and a week inside Pfizer's interval for second doses.
    for day in (1..=7).chain(22..=28) {
        for site in ["AAA", "BBB", "CCC"] {
            shifts.push_str(&format!("{site},2021-04-{day:02},08:00,12:00,2\n"));
            shifts.push_str(&format!("{site},2021-04-{day:02},13:00,17:00,2\n"));
        }
    }
    let shifts = write("shifts.csv", shifts);
    let mut b = String::from(
        "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status\n",
    );
    for k in 0..bookings {
        let site = ["AAA", "BBB", "CCC"][k % 3];
        let day = 1 + (k / 3) % 7;
        let minute = 8 * 60 + (k * 5) % 240;
        b.push_str(&format!(
            "B{k:05},P{k:05},1960-01-{:02},613-555-{:04},{site},2021-04-0{day}T{:02}:{:02},1,PFIZER,booked\n",
            1 + k % 28,
            k % 10_000,
            minute / 60,
            minute % 60
        ));
    }
    let bookings = write("bookings.csv", b);
    let mut t = String::from("date,site_code,shift,dose_number,product,doses\n");
    for day in 1..=3 {
        for site in ["AAA", "BBB", "CCC"] {
            t.push_str(&format!("2021-04-0{day},{site},,1,PFIZER,{}\n", 10 + day));
        }
    }
    let tallies = write("dose_counts.csv", t);
    let supply = write(
        "supply.csv",
        "date,product,doses\n2021-03-30,PFIZER,5000\n".into(),
    );
    vec![
        (ImportKind::Sites, sites),
        (ImportKind::Shifts, shifts),
        (ImportKind::Bookings, bookings),
        (ImportKind::DoseCounts, tallies),
        (ImportKind::Supply, supply),
    ]
}

/// A whole-day first-dose Pfizer tally.
pub fn tally(site: &str, date: &str, doses: i64) -> dosedesk_core::doses::entry::Tally {
    dosedesk_core::doses::entry::Tally {
        site_code: site.into(),
        date: date.into(),
        shift: String::new(),
        dose_number: 1,
        product: "PFIZER".into(),
        doses,
    }
}
