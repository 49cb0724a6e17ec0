//! The built-in demo: Ottawa, 15 March – 30 June 2021. Four mass clinics
//! running two shifts a day, five Walmart pharmacies (real locations from the
//! Vaccine Hunters Canada list), first and second doses linked, tallies and
//! supply. Daily volumes follow the shape of Ontario's real daily doses
//! (Ontario Data Catalogue `vaccine_doses.csv`) scaled to the clinics' capacity.
//!
//! The demo is written as FORMATS.md files and loaded through the real
//! importers, all in one transaction. Same seed, same database.

use crate::error::{Error, Result};
use crate::import::{import_into, ImportKind, Progress};
use crate::rng::Rng;
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

const PROVINCIAL_CSV: &str = include_str!("../../../assets/demo/on_vaccine_doses.csv");
const WALMART_CSV: &str = include_str!("../../../assets/demo/walmart_locations.csv");

/// The demo's "today", Monday 22 March 2021, the eve of the incident: bookings
/// before it are attended (or no-shows), after it booked.
pub const AS_OF: &str = "2021-03-22";
const FIRST_DAY: &str = "2021-03-15";
const LAST_DAY: &str = "2021-06-30";
/// Walmart locations (loc_id) inside the City of Ottawa used as pharmacies.
const PHARMACY_LOC_IDS: &[&str] = &["1082", "1114", "1159", "1161", "1176"];
/// The incident of spring 2021: a data error in the provincial booking system
/// double-booked about 3,100 appointments at two mass clinics over three days.
const INCIDENT_SITES: [&str; 2] = ["NSP", "EVJ"];
const INCIDENT_DAYS: [&str; 3] = ["2021-03-23", "2021-03-24", "2021-03-25"];
const INCIDENT_BOOKINGS: usize = 3_100;
/// Of the incident's people, how many also hold a booking elsewhere, and how
/// many could not book a second dose (the portal offered none).
const INCIDENT_DUPLICATES: usize = 25;
const INCIDENT_NO_SECOND: usize = 140;
/// Minutes from midnight of the two daily mass-clinic shifts.
const MASS_SHIFTS: [(&str, u32, u32); 2] = [("am", 9 * 60, 13 * 60), ("pm", 15 * 60, 19 * 60)];
const PHARMACY_SHIFT: (&str, u32, u32) = ("day", 9 * 60, 17 * 60);

#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub sites: usize,
    pub shifts: usize,
    pub appointments: usize,
    pub dose_counts: usize,
    pub supply: usize,
    pub as_of: &'static str,
}

struct Site {
    code: String,
    kind: &'static str,
    /// (label, start, end) in minutes from midnight.
    shifts: Vec<(&'static str, u32, u32)>,
}

fn date(s: &str) -> NaiveDate {
    crate::time::parse_date(s).unwrap_or(NaiveDate::MIN)
}

/// Creates the demo in an empty database.
pub fn load(conn: &mut Connection, progress: &dyn Progress) -> Result<DemoSummary> {
    if !crate::stats::is_empty(conn)? {
        return Err(Error::InvalidInput(
            "this database already holds sites or bookings; the demo needs an empty database (open a new database file)".into(),
        ));
    }
    let dir = tempdir()?;
    let result = write_and_import(conn, &dir, progress);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "dosedesk-demo-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, &e))?;
    Ok(dir)
}

fn write_and_import(
    conn: &mut Connection,
    dir: &Path,
    progress: &dyn Progress,
) -> Result<DemoSummary> {
    let files = generate();
    let provincial = provincial_release_as_of(AS_OF);
    let mut paths = Vec::new();
    for (kind, name, body) in [
        (ImportKind::Sites, "demo_sites.csv", &files.sites),
        (ImportKind::Shifts, "demo_shifts.csv", &files.shifts),
        (ImportKind::Supply, "demo_supply.csv", &files.supply),
        (ImportKind::Bookings, "demo_bookings.csv", &files.bookings),
        (
            ImportKind::DoseCounts,
            "demo_dose_counts.csv",
            &files.dose_counts,
        ),
        (
            ImportKind::Provincial,
            "on_vaccine_doses_to_2021-03-22.csv",
            &provincial,
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body).map_err(|e| Error::io(&path, &e))?;
        paths.push((kind, path));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (kind, path) in &paths {
        import_into(&tx, *kind, path, progress)?;
    }
    // Ottawa's neighbourhoods and candidate pharmacies, for the siting planner.
    crate::siting::demo_inputs::load_demo_siting(&tx)?;
    for (min_age, from, kind, label) in ELIGIBILITY {
        crate::store::eligibility::insert_phase(&tx, *min_age, from, *kind, label)?;
    }
    crate::store::meta_set(&tx, "demo", "Ottawa spring 2021 (built-in demo data)")?;
    crate::store::meta_set(&tx, "as_of", AS_OF)?;
    tx.commit()?;
    Ok(DemoSummary {
        sites: files.counts[0],
        shifts: files.counts[1],
        appointments: files.counts[2],
        dose_counts: files.counts[3],
        supply: files.counts[4],
        as_of: AS_OF,
    })
}

/// The province's file as a release published on `as_of` would hold it:
/// the real rows up to that report date.
fn provincial_release_as_of(as_of: &str) -> String {
    let mut lines = PROVINCIAL_CSV.lines();
    let mut out = String::new();
    for line in lines.by_ref().take(1) {
        out.push_str(line);
        out.push('\n');
    }
    for line in lines.filter(|l| l.get(..10).is_some_and(|d| d <= as_of)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Ontario's 2021 eligibility phases, simplified: (min age, from, site kind, label).
const ELIGIBILITY: &[(i64, &str, Option<&str>, &str)] = &[
    (80, "2021-03-15", None, "80+"),
    (75, "2021-03-22", None, "75+"),
    (70, "2021-03-29", None, "70+"),
    (60, "2021-04-07", None, "60+"),
    (
        40,
        "2021-04-20",
        Some("pharmacy"),
        "40+ at pharmacies (AstraZeneca)",
    ),
    (50, "2021-04-22", None, "50+"),
    (40, "2021-05-10", None, "40+"),
    (30, "2021-05-13", None, "30+"),
    (18, "2021-05-18", None, "18+"),
];

/// Youngest age allowed to book at a kind of site on a date.
fn min_age_on(day: NaiveDate, kind: &str) -> i64 {
    ELIGIBILITY
        .iter()
        .filter(|(_, from, k, _)| date(from) <= day && k.is_none_or(|k| k == kind))
        .map(|(age, ..)| *age)
        .min()
        .unwrap_or(80)
}

struct Files {
    sites: String,
    shifts: String,
    supply: String,
    bookings: String,
    dose_counts: String,
    /// sites, shifts, appointments, dose counts, supply
    counts: [usize; 5],
}

/// Ontario's daily doses by the day they were given (report date − 1).
fn provincial_daily() -> HashMap<NaiveDate, f64> {
    let mut out = HashMap::new();
    for line in PROVINCIAL_CSV.lines().skip(1) {
        let cols: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        if let (Some(d), Some(v)) = (
            cols.first().and_then(|s| crate::time::parse_date(s)),
            cols.get(1).and_then(|s| s.parse::<f64>().ok()),
        ) {
            out.insert(d - Duration::days(1), v);
        }
    }
    out
}

/// Walmart pharmacies in Ottawa: (loc_id, name, address, postal, lat, lon).
fn ottawa_pharmacies() -> Vec<[String; 6]> {
    let mut reader = csv::Reader::from_reader(WALMART_CSV.as_bytes());
    let mut out = Vec::new();
    for record in reader.records().flatten() {
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        if !PHARMACY_LOC_IDS.contains(&field(0).as_str()) {
            continue;
        }
        // "Orleans (Moderna Vaccine - Eligible for …)" → "Orleans"
        let name = field(1);
        let place = name
            .find(" (Moderna")
            .or_else(|| name.find(" (Pfizer"))
            .map_or(name.as_str(), |i| &name[..i])
            .to_owned();
        out.push([
            field(0),
            // The kind says "pharmacy" in the app's language; the name is the store's.
            format!("Walmart {place}"),
            format!("{}, {}", field(2), field(3)),
            field(5),
            field(6),
            field(7),
        ]);
    }
    out
}

fn generate() -> Files {
    let mut rng = Rng::new(20210315);
    let (first_day, last_day, as_of) = (date(FIRST_DAY), date(LAST_DAY), date(AS_OF));
    let days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|d| *d <= last_day)
        .collect();
    let (sites_csv, sites) = demo_sites();
    let (shifts_csv, shift_count, mut free) = demo_shifts(&sites, &days);
    let mut book = Bookings::new(as_of);
    book_demand(&mut rng, &mut book, &sites, &mut free, &days);
    plant_incident(&mut rng, &mut book, &sites, &mut free, &days);
    let Bookings {
        csv: bookings,
        count: appointments,
        attended,
        used,
        ..
    } = book;
    let (dose_counts, count_rows) = demo_tallies(&mut rng, &attended, &sites, &days, as_of);
    let (supply, supply_rows) = demo_supply(&used, &days, as_of);
    Files {
        sites: sites_csv,
        shifts: shifts_csv,
        supply,
        bookings,
        dose_counts,
        counts: [
            sites.len(),
            shift_count,
            appointments,
            count_rows,
            supply_rows,
        ],
    }
}

/// Places left per site, day, shift and slot.
type Free = Vec<Vec<Vec<Vec<u32>>>>;

/// Sites.
fn demo_sites() -> (String, Vec<Site>) {
    let mut sites_csv = ImportKind::Sites.header();
    let mass = [
        (
            "CHL",
            "Ottawa City Hall (Jean Pigott Place)",
            "110 Laurier Ave W, Ottawa",
            "K1P 1J1",
            45.4206,
            -75.6903,
        ),
        (
            "NSP",
            "Nepean Sportsplex",
            "1701 Woodroffe Ave, Nepean",
            "K2G 1W2",
            45.3470,
            -75.7454,
        ),
        (
            "EVJ",
            "Eva James Memorial Community Centre",
            "65 Stonehaven Dr, Kanata",
            "K2M 2K3",
            45.2985,
            -75.8867,
        ),
        (
            "RFC",
            "Ray Friel Recreation Complex",
            "1585 Tenth Line Rd, Orléans",
            "K1E 3E8",
            45.4687,
            -75.4906,
        ),
    ];
    let mut sites = Vec::new();
    for (code, name, address, postal, lat, lon) in mass {
        let _ = writeln!(
            sites_csv,
            "{code},{name},mass_clinic,\"{address}\",{postal},{lat},{lon},12,5,,08:00,20:00"
        );
        sites.push(Site {
            code: code.into(),
            kind: "mass_clinic",
            shifts: MASS_SHIFTS.to_vec(),
        });
    }
    for [loc, name, address, postal, lat, lon] in ottawa_pharmacies() {
        let code = format!("WM{loc}");
        let _ = writeln!(
            sites_csv,
            "{code},{name},pharmacy,\"{address}\",{postal},{lat},{lon},1,5,96,09:00,17:00"
        );
        sites.push(Site {
            code,
            kind: "pharmacy",
            shifts: vec![PHARMACY_SHIFT],
        });
    }

    (sites_csv, sites)
}

/// Shifts and per-slot capacity (slots are 5 minutes; capacity per slot =
/// vaccinators, since minutes_per_dose is 5 everywhere in the demo).
fn demo_shifts(sites: &[Site], days: &[NaiveDate]) -> (String, usize, Free) {
    let mut shifts_csv = ImportKind::Shifts.header();
    let mut shift_count = 0;
    let vaccinators_on = |site: &Site, d: NaiveDate| -> u32 {
        match (site.kind, d.month()) {
            ("pharmacy", _) if d < date("2021-04-20") => 0,
            ("pharmacy", _) => 1,
            // The two incident clinics ran extra stations that week.
            _ if INCIDENT_SITES.contains(&site.code.as_str())
                && (date("2021-03-22")..=date("2021-03-28")).contains(&d) =>
            {
                6
            }
            (_, 6) => 3,
            _ => 2,
        }
    };
    // free[site][day][shift][slot] = places left.
    let mut free: Free = Vec::new();
    for site in sites {
        let mut per_day = Vec::new();
        for &d in days {
            let v = vaccinators_on(site, d);
            let mut per_shift = Vec::new();
            for &(_, start, end) in &site.shifts {
                if v > 0 {
                    let _ = writeln!(
                        shifts_csv,
                        "{},{d},{},{},{v},",
                        site.code,
                        crate::time::format_hhmm(start),
                        crate::time::format_hhmm(end)
                    );
                    shift_count += 1;
                }
                per_shift.push(vec![v; ((end - start) / 5) as usize]);
            }
            per_day.push(per_shift);
        }
        free.push(per_day);
    }

    (shifts_csv, shift_count, free)
}

/// Demand: Ontario's daily doses, relative to their mean over the demo
/// period, set how full the clinics are each day (missing days: the last known).
fn book_demand(
    rng: &mut Rng,
    book: &mut Bookings,
    sites: &[Site],
    free: &mut Free,
    days: &[NaiveDate],
) {
    let last_day = date(LAST_DAY);
    let provincial = provincial_daily();
    let mut last = 60_000.0;
    let shape: Vec<f64> = days
        .iter()
        .map(|d| {
            if let Some(v) = provincial.get(d) {
                last = *v;
            }
            last
        })
        .collect();
    let peak = shape.iter().cloned().fold(1.0, f64::max);

    for (di, &d) in days.iter().enumerate() {
        let incident_day = INCIDENT_DAYS.contains(&d.to_string().as_str());
        let fill = (0.45 + 0.45 * shape[di] / peak).min(0.95);
        for (si, site) in sites.iter().enumerate() {
            let Some(product) = first_dose_product(site, d, rng) else {
                continue;
            };
            let (min_days, max_days) = interval(product);
            // Latest first-dose day that still leaves a valid second dose in the demo.
            if (last_day - d).num_days() < min_days {
                continue;
            }
            // The incident's clinics were fully booked before the error struck.
            let fill = if incident_day && INCIDENT_SITES.contains(&site.code.as_str()) {
                1.0
            } else {
                fill
            };
            for shi in 0..site.shifts.len() {
                for slot in 0..free[si][di][shi].len() {
                    let places = free[si][di][shi][slot];
                    let take = (0..places).filter(|_| rng.chance(fill)).count() as u32;
                    for _ in 0..take {
                        // A second-dose place inside the interval, at the same site, or no booking.
                        let latest = max_days.min((last_day - d).num_days());
                        let gap = min_days + rng.below((latest - min_days + 1) as u64) as i64;
                        let Some(second) = find_place(&free[si], di + gap as usize, slot) else {
                            continue;
                        };
                        let person = Person::new(rng, &mut book.people, d, site.kind);
                        free[si][di][shi][slot] -= 1;
                        free[si][second.0][second.1][second.2] -= 1;
                        let status =
                            book.first(rng, &person, site, si, (di, d), (shi, slot), product);
                        let d2 = days[second.0];
                        book.second(
                            rng,
                            &person,
                            site,
                            si,
                            (second.0, d2),
                            (second.1, second.2),
                            product,
                            status,
                        );
                    }
                }
            }
        }
    }
}

/// Tallies before the as-of date: attended doses, give or take a walk-in
/// or a late cancellation, so reconciliation has something to show.
fn demo_tallies(
    rng: &mut Rng,
    attended: &Tally,
    sites: &[Site],
    days: &[NaiveDate],
    as_of: NaiveDate,
) -> (String, usize) {
    let mut keys: Vec<_> = attended.keys().cloned().collect();
    keys.sort();
    let mut dose_counts = ImportKind::DoseCounts.header();
    let mut count_rows = 0;
    for key in keys {
        let (si, di, label, dose, product) = key;
        if days[di] >= as_of {
            continue;
        }
        let n = attended[&key] as i64;
        let adjust = match rng.below(20) {
            0 => 1,
            1 => -1,
            2 => 2,
            _ => 0,
        };
        let _ = writeln!(
            dose_counts,
            "{},{},{label},{dose},{product},{}",
            days[di],
            sites[si].code,
            (n + adjust).max(0)
        );
        count_rows += 1;
    }

    (dose_counts, count_rows)
}

/// Supply: a Monday delivery per product covering the coming week's use and 10% more.
fn demo_supply(
    used: &HashMap<(usize, &'static str), u32>,
    days: &[NaiveDate],
    as_of: NaiveDate,
) -> (String, usize) {
    let mut supply = ImportKind::Supply.header();
    let mut supply_rows = 0;
    for (di, &d) in days.iter().enumerate() {
        if d.weekday() != chrono::Weekday::Mon {
            continue;
        }
        for product in ["PFIZER", "MODERNA", "ASTRAZENECA"] {
            let week: u32 = (di..(di + 7).min(days.len()))
                .map(|i| used.get(&(i, product)).copied().unwrap_or(0))
                .sum();
            if week == 0 {
                continue;
            }
            let doses = (f64::from(week) * 1.1 / 10.0).ceil() as u32 * 10;
            let status = if d < as_of { "received" } else { "expected" };
            let _ = writeln!(supply, "{d},{product},{doses},{status}");
            supply_rows += 1;
        }
    }

    (supply, supply_rows)
}

fn interval(product: &str) -> (i64, i64) {
    match product {
        "PFIZER" => (21, 112),
        "MODERNA" => (28, 112),
        _ => (56, 112),
    }
}

/// A booking person: generated id, birth date by the eligibility of the
/// day, a phone, a synthetic name and the language to call them in.
struct Person {
    id: String,
    birth: NaiveDate,
    phone: String,
    name: (&'static str, &'static str, &'static str),
}

impl Person {
    fn new(rng: &mut Rng, seq: &mut u32, day: NaiveDate, site_kind: &str) -> Self {
        *seq += 1;
        let age = min_age_on(day, site_kind) + rng.below(18) as i64;
        let phone = match rng.below(10) {
            0 => String::new(), // no number on file: these cannot be called
            1 | 2 => format!("343-555-01{:02}", rng.below(100)),
            _ => format!("613-555-01{:02}", rng.below(100)),
        };
        Person {
            id: format!("P{:07}", *seq),
            birth: day - Duration::days(age * 365 + 30 + rng.below(300) as i64),
            phone,
            name: crate::names::synthetic(u64::from(*seq)),
        }
    }
}

type Tally = HashMap<(usize, usize, &'static str, u8, &'static str), u32>;

/// bookings.csv being written, with the tallies and doses used it implies.
struct Bookings {
    csv: String,
    count: usize,
    people: u32,
    as_of: NaiveDate,
    /// Attended doses per (site, day, shift label, dose, product).
    attended: Tally,
    /// Doses used per (day, product), for supply.
    used: HashMap<(usize, &'static str), u32>,
}

impl Bookings {
    fn new(as_of: NaiveDate) -> Self {
        Bookings {
            csv: ImportKind::Bookings.header(),
            count: 0,
            people: 0,
            as_of,
            attended: HashMap::new(),
            used: HashMap::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn write(
        &mut self,
        rng: &mut Rng,
        person: &Person,
        site: &Site,
        si: usize,
        (di, day): (usize, NaiveDate),
        (shi, slot): (usize, usize),
        dose: u8,
        product: &'static str,
        status: &'static str,
    ) {
        let (label, start, _) = site.shifts[shi];
        let booked_at = day.min(self.as_of) - Duration::days(1 + rng.below(6) as i64);
        self.count += 1;
        let _ = writeln!(
            self.csv,
            "B{:08},{},{},{},{},{day}T{},{dose},{product},{status},{booked_at}T{:02}:{:02}:00,{},{},{}",
            self.count,
            person.id,
            person.birth,
            person.phone,
            site.code,
            crate::time::format_hhmm(start + 5 * slot as u32),
            8 + rng.below(12),
            rng.below(60),
            person.name.0,
            person.name.1,
            person.name.2
        );
        if status == "attended" || status == "booked" {
            *self.used.entry((di, product)).or_default() += 1;
        }
        if status == "attended" {
            *self
                .attended
                .entry((si, di, label, dose, product))
                .or_default() += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn first(
        &mut self,
        rng: &mut Rng,
        person: &Person,
        site: &Site,
        si: usize,
        day: (usize, NaiveDate),
        place: (usize, usize),
        product: &'static str,
    ) -> &'static str {
        let status = status_for(day.1, self.as_of, rng);
        self.write(rng, person, site, si, day, place, 1, product, status);
        status
    }

    /// The linked second dose; cancelled when the first was missed.
    #[allow(clippy::too_many_arguments)]
    fn second(
        &mut self,
        rng: &mut Rng,
        person: &Person,
        site: &Site,
        si: usize,
        day: (usize, NaiveDate),
        place: (usize, usize),
        product: &'static str,
        first_status: &str,
    ) {
        let status = if first_status == "cancelled" || first_status == "no_show" {
            "cancelled"
        } else {
            status_for(day.1, self.as_of, rng)
        };
        self.write(rng, person, site, si, day, place, 2, product, status);
    }
}

/// The March incident: INCIDENT_BOOKINGS extra first doses spread over the
/// two clinics' full slots on the three days; most also got a second dose,
/// some could not; a few people also kept a booking at another clinic.
fn plant_incident(
    rng: &mut Rng,
    book: &mut Bookings,
    sites: &[Site],
    free: &mut [Vec<Vec<Vec<u32>>>],
    days: &[NaiveDate],
) {
    let mut places = Vec::new();
    for (si, site) in sites.iter().enumerate() {
        if !INCIDENT_SITES.contains(&site.code.as_str()) {
            continue;
        }
        for (di, d) in days.iter().enumerate() {
            if !INCIDENT_DAYS.contains(&d.to_string().as_str()) {
                continue;
            }
            for (shi, slots) in free[si][di].iter().enumerate() {
                for slot in 0..slots.len() {
                    places.push((si, di, shi, slot));
                }
            }
        }
    }
    let other = sites.iter().position(|s| s.code == "RFC");
    for n in 0..INCIDENT_BOOKINGS {
        let (si, di, shi, slot) = places[n % places.len()];
        let (site, day) = (&sites[si], days[di]);
        let person = Person::new(rng, &mut book.people, day, site.kind);
        book.first(rng, &person, site, si, (di, day), (shi, slot), "PFIZER");
        if n < INCIDENT_DUPLICATES {
            if let Some(oi) = other {
                if let Some((d2, s2, p2)) = find_place(&free[oi], di + 1, slot) {
                    free[oi][d2][s2][p2] -= 1;
                    book.first(
                        rng,
                        &person,
                        &sites[oi],
                        oi,
                        (d2, days[d2]),
                        (s2, p2),
                        "PFIZER",
                    );
                }
            }
        }
        if n >= INCIDENT_NO_SECOND {
            let gap = 21 + rng.below(60) as usize;
            if let Some((d2, s2, p2)) = find_place(&free[si], di + gap, slot) {
                free[si][d2][s2][p2] -= 1;
                book.second(
                    rng,
                    &person,
                    site,
                    si,
                    (d2, days[d2]),
                    (s2, p2),
                    "PFIZER",
                    "booked",
                );
            }
        }
    }
}

/// What a site gives as first doses on a day, if it vaccinates then.
fn first_dose_product(site: &Site, d: NaiveDate, rng: &mut Rng) -> Option<&'static str> {
    if site.kind == "pharmacy" {
        return match d {
            d if d < date("2021-04-20") => None,
            d if d <= date("2021-05-05") => Some("ASTRAZENECA"),
            _ => Some("MODERNA"),
        };
    }
    // Mass clinics: mostly Pfizer; Moderna weeks when its shipments came in.
    let moderna_week = d.iso_week().week().is_multiple_of(3);
    Some(if moderna_week || rng.chance(0.05) {
        "MODERNA"
    } else {
        "PFIZER"
    })
}

fn status_for(day: NaiveDate, as_of: NaiveDate, rng: &mut Rng) -> &'static str {
    let roll = rng.below(1000);
    if day < as_of {
        match roll {
            0..=24 => "no_show",
            25..=39 => "cancelled",
            _ => "attended",
        }
    } else if roll < 20 {
        "cancelled"
    } else {
        "booked"
    }
}

/// The first free place on or after `day` (up to a week later) in the same
/// slot position, else any slot that day.
fn find_place(free: &[Vec<Vec<u32>>], day: usize, slot: usize) -> Option<(usize, usize, usize)> {
    for (d, shifts) in free.iter().enumerate().skip(day).take(7) {
        for (shi, slots) in shifts.iter().enumerate() {
            let s = slot.min(slots.len().saturating_sub(1));
            if slots.get(s).is_some_and(|&n| n > 0) {
                return Some((d, shi, s));
            }
            if let Some(s) = slots.iter().position(|&n| n > 0) {
                return Some((d, shi, s));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Quiet;

    #[test]
    fn demo_is_deterministic_and_plausible() {
        let a = generate();
        let b = generate();
        assert_eq!(a.bookings, b.bookings, "same seed, same bookings");
        let [sites, shifts, appointments, counts, supply] = a.counts;
        assert_eq!(sites, 9, "four mass clinics and five pharmacies");
        assert!(
            shifts > 4 * 2 * 100,
            "two shifts a day at four clinics: {shifts}"
        );
        assert!(
            (20_000..100_000).contains(&appointments),
            "tens of thousands: {appointments}"
        );
        assert!(
            counts > 40 && supply > 10,
            "{counts} tallies, {supply} shipments"
        );
    }

    #[test]
    fn loads_into_an_empty_database_only() {
        let mut conn = crate::store::open_in_memory().expect("open");
        let summary = load(&mut conn, &Quiet).expect("demo");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM appointment", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n as usize, summary.appointments);
        // No shift is over capacity in the generated data.
        let week = crate::schedule::week(
            &conn,
            &crate::schedule::WeekQuery {
                date: "2021-04-12".into(),
                ..Default::default()
            },
        )
        .expect("week");
        let cells: Vec<_> = week.sites.iter().flat_map(|s| &s.shifts).collect();
        assert!(cells.iter().all(|c| c.booked <= c.capacity));
        assert!(cells.iter().any(|c| c.booked > 0));
        assert!(crate::stats::is_demo(&conn).expect("demo flag"));
        let again = load(&mut conn, &Quiet).expect_err("not empty");
        assert_eq!(again.code(), "invalid_input");
    }
}
