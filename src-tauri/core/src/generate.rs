//! Province-scale test data in FORMATS.md: sites, shifts, products,
//! bookings (first and second doses linked, never over a slot's capacity,
//! every booking inside a shift) and dose counts. Deterministic per seed.
//! Optionally with Ottawa's spring-2021 incident: a data error that booked
//! people a second time into slots that were already full, over three days.

use crate::error::{Error, Result};
use crate::import::{ImportKind, Progress};
use crate::rng::Rng;
use chrono::{Duration, NaiveDate};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct GenerateParams {
    pub sites: u32,
    pub bookings: u64,
    pub dose_counts: u64,
    pub seed: u64,
    /// Of `bookings`, how many repeat an earlier first-dose booking (same
    /// person, same slot, new booking id) over three days mid-schedule.
    pub incident: u64,
}

#[derive(Debug, serde::Serialize)]
pub struct Generated {
    pub files: Vec<PathBuf>,
    pub sites: u32,
    pub shifts: u64,
    pub bookings: u64,
    pub dose_counts: u64,
    pub first_day: String,
    pub days: u32,
}

const PRODUCTS: [(&str, u32); 2] = [("PFIZER", 21), ("MODERNA", 28)];
const STATUSES: [&str; 5] = ["booked", "attended", "cancelled", "no_show", "rescheduled"];
const SLOT: u32 = 5;

/// A site's daily pattern: shifts as (label, start minute, end minute, vaccinators).
struct SiteKind {
    kind: &'static str,
    shifts: &'static [(&'static str, u32, u32, u32)],
}

const MASS: SiteKind = SiteKind {
    kind: "mass_clinic",
    shifts: &[("am", 8 * 60, 14 * 60, 8), ("pm", 14 * 60, 20 * 60, 8)],
};
const PHARMACY: SiteKind = SiteKind {
    kind: "pharmacy",
    shifts: &[("day", 9 * 60, 17 * 60, 1)],
};

fn site_kind(i: u32) -> &'static SiteKind {
    if i.is_multiple_of(10) {
        &MASS
    } else {
        &PHARMACY
    }
}

fn create(dir: &Path, name: &str) -> Result<(PathBuf, BufWriter<File>)> {
    let path = dir.join(name);
    let file = File::create(&path).map_err(|e| Error::io(&path, &e))?;
    Ok((path.clone(), BufWriter::with_capacity(1 << 20, file)))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, &e)
}

pub fn generate(out: &Path, p: &GenerateParams, progress: &dyn Progress) -> Result<Generated> {
    if p.sites == 0 {
        return Err(Error::InvalidInput(
            "the network needs at least 1 site".into(),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, &e))?;
    let mut rng = Rng::new(p.seed);
    let first_day = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap_or(NaiveDate::MIN);

    // Daily capacity of the whole network sets how many days the bookings
    // need; keep fill near 60% so most random picks find a free place, and
    // at least 120 days so second doses fall inside the schedule.
    let slots_per_day: u64 = (0..p.sites)
        .map(|i| {
            site_kind(i)
                .shifts
                .iter()
                .map(|&(_, s, e, v)| u64::from((e - s) / SLOT * v))
                .sum::<u64>()
        })
        .sum();
    let days = ((p.bookings as f64 / (slots_per_day as f64 * 0.6)).ceil() as u32).max(120);
    let first_dose_days = days - 60; // leaves room for the 21–56-day second dose

    let net = Network {
        sites: p.sites,
        days,
        first_day,
    };
    let sites_csv = write_sites(out, &net, &mut rng)?;
    let (shifts_csv, shifts) = write_shifts(out, &net)?;
    let (bookings_csv, written) =
        write_bookings(out, p, &net, first_dose_days, &mut rng, progress)?;
    let (counts_csv, counts) = write_dose_counts(out, p, &net, &mut rng, progress)?;
    let files = vec![sites_csv, shifts_csv, bookings_csv, counts_csv];
    Ok(Generated {
        files,
        sites: p.sites,
        shifts,
        bookings: written,
        dose_counts: counts,
        first_day: first_day.to_string(),
        days,
    })
}

/// The network the files describe: its sites and the days it runs.
struct Network {
    sites: u32,
    days: u32,
    first_day: NaiveDate,
}

/// sites.csv: every tenth site a mass clinic, the rest pharmacies.
fn write_sites(out: &Path, net: &Network, rng: &mut Rng) -> Result<PathBuf> {
    let p = net;
    let (path, mut w) = create(out, "sites.csv")?;
    w.write_all(ImportKind::Sites.header().as_bytes())
        .map_err(io(&path))?;
    for i in 0..p.sites {
        let k = site_kind(i);
        let lat = 42.0 + rng.below(4_000_000) as f64 / 1e6;
        let lon = -83.0 + rng.below(8_000_000) as f64 / 1e6;
        let cap: u32 = k
            .shifts
            .iter()
            .map(|&(_, s, e, v)| (e - s) / SLOT * v)
            .sum();
        writeln!(
            w,
            "S{i:05},Site {i} ({}),{},,K{}A {}B{},{lat:.6},{lon:.6},{},5,{cap},08:00,20:00",
            k.kind,
            k.kind,
            i % 10,
            i % 10,
            (i / 10) % 10,
            k.shifts[0].3
        )
        .map_err(io(&path))?;
    }
    w.flush().map_err(io(&path))?;

    Ok(path)
}

/// shifts.csv: each site's shifts on every day.
fn write_shifts(out: &Path, net: &Network) -> Result<(PathBuf, u64)> {
    let (p, days, first_day) = (net, net.days, net.first_day);
    let (path, mut w) = create(out, "shifts.csv")?;
    w.write_all(ImportKind::Shifts.header().as_bytes())
        .map_err(io(&path))?;
    let mut shifts = 0u64;
    for i in 0..p.sites {
        for d in 0..days {
            let date = first_day + Duration::days(i64::from(d));
            for &(_, s, e, v) in site_kind(i).shifts {
                writeln!(w, "S{i:05},{date},{},{},{v},", hhmm(s), hhmm(e)).map_err(io(&path))?;
                shifts += 1;
            }
        }
    }
    w.flush().map_err(io(&path))?;

    Ok((path, shifts))
}

/// bookings.csv: people book a first dose at a random free place and a
/// second dose at the same site 21–56 days later.
fn write_bookings(
    out: &Path,
    p: &GenerateParams,
    net: &Network,
    first_dose_days: u32,
    rng: &mut Rng,
    progress: &dyn Progress,
) -> Result<(PathBuf, u64)> {
    let (days, first_day) = (net.days, net.first_day);
    let site_slots: Vec<u32> = (0..p.sites)
        .map(|i| {
            site_kind(i)
                .shifts
                .iter()
                .map(|&(_, s, e, _)| (e - s) / SLOT)
                .sum()
        })
        .collect();
    let max_slots = site_slots.iter().copied().max().unwrap_or(1) as usize;
    // Places taken per (site, day, slot): one byte each.
    let mut taken = vec![0u8; p.sites as usize * days as usize * max_slots];
    let place = |site: u32, day: u32, slot: u32| {
        (site as usize * days as usize + day as usize) * max_slots + slot as usize
    };
    let capacity_of = |site: u32, slot: u32| -> (u32, u32) {
        // (minute of day, vaccinators) of a site's slot index
        let mut rest = slot;
        for &(_, s, e, v) in site_kind(site).shifts {
            let n = (e - s) / SLOT;
            if rest < n {
                return (s + rest * SLOT, v);
            }
            rest -= n;
        }
        (0, 0)
    };
    let (path, mut w) = create(out, "bookings.csv")?;
    w.write_all(ImportKind::Bookings.header().as_bytes())
        .map_err(io(&path))?;
    let mut written = 0u64;
    let mut person = 0u64;
    let mut misses = 0u64;
    let incident = p.incident.min(p.bookings);
    let incident_days = first_dose_days / 2..first_dose_days / 2 + 3;
    // Active first doses on the incident days: (person, line after the
    // person id, place, vaccinators).
    let mut repeatable: Vec<(u64, String, usize, u8)> = Vec::new();
    while written < p.bookings - incident {
        let site = rng.below(u64::from(p.sites)) as u32;
        let day = rng.below(u64::from(first_dose_days)) as u32;
        let slot = rng.below(u64::from(site_slots[site as usize])) as u32;
        let (minute, vaccinators) = capacity_of(site, slot);
        let cell = place(site, day, slot);
        if u32::from(taken[cell]) >= vaccinators {
            misses += 1;
            if misses > p.bookings * 20 + 1000 {
                return Err(Error::InvalidInput(
                    "the generated network is too small for that many bookings".into(),
                ));
            }
            continue;
        }
        taken[cell] += 1;
        person += 1;
        let (product, min_gap) = PRODUCTS[(person % 2) as usize];
        let birth_year = 1925 + rng.below(80);
        let status = STATUSES[match rng.below(100) {
            0..=59 => 0,
            60..=89 => 1,
            90..=94 => 2,
            95..=97 => 3,
            _ => 4,
        }];
        let date = first_day + Duration::days(i64::from(day));
        let booked = date - Duration::days(1 + rng.below(20) as i64);
        written += 1;
        let (given, family, language) = crate::names::synthetic(person);
        let tail = format!(
            "{birth_year}-0{}-1{},613-555-01{:02},S{site:05},{date}T{},1,{product},{status},{booked}T10:00:00,{given},{family},{language}",
            1 + rng.below(9),
            rng.below(10),
            person % 100,
            hhmm(minute)
        );
        writeln!(w, "B{written:09},P{person:09},{tail}").map_err(io(&path))?;
        if incident > 0 && incident_days.contains(&day) && matches!(status, "booked" | "attended") {
            repeatable.push((person, tail, cell, vaccinators as u8));
        }
        if written < p.bookings - incident {
            let day2 = day + min_gap + rng.below(28) as u32;
            let cell2 = place(site, day2, slot);
            if u32::from(taken[cell2]) < vaccinators {
                taken[cell2] += 1;
                let status2 = if status == "attended" {
                    "booked"
                } else {
                    status
                };
                let date2 = first_day + Duration::days(i64::from(day2));
                written += 1;
                writeln!(
                    w,
                    "B{written:09},P{person:09},,,S{site:05},{date2}T{},2,{product},{status2},{booked}T10:00:30,,,",
                    hhmm(minute)
                )
                .map_err(io(&path))?;
            }
        }
        if written % 65_536 < 2 {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            progress.update(written, p.bookings + p.dose_counts);
        }
    }
    // The incident: first doses in slots already full booked again, so each
    // repeat is one excess booking and one person booked twice.
    repeatable.retain(|&(.., cell, vaccinators)| taken[cell] >= vaccinators);
    for _ in 0..incident {
        if repeatable.is_empty() {
            return Err(Error::InvalidInput(
                "too few full slots on the incident days for that many repeats".into(),
            ));
        }
        let i = rng.below(repeatable.len() as u64) as usize;
        let (person, tail, ..) = repeatable.swap_remove(i);
        written += 1;
        writeln!(w, "B{written:09},P{person:09},{tail}").map_err(io(&path))?;
    }
    w.flush().map_err(io(&path))?;

    Ok((path, written))
}

/// dose_counts.csv: one row per (date, site, shift, dose, product), day by day.
fn write_dose_counts(
    out: &Path,
    p: &GenerateParams,
    net: &Network,
    rng: &mut Rng,
    progress: &dyn Progress,
) -> Result<(PathBuf, u64)> {
    let first_day = net.first_day;
    let (path, mut w) = create(out, "dose_counts.csv")?;
    w.write_all(ImportKind::DoseCounts.header().as_bytes())
        .map_err(io(&path))?;
    let mut counts = 0u64;
    let mut day = 0i64;
    'days: while counts < p.dose_counts {
        let date = first_day + Duration::days(day);
        for i in 0..p.sites {
            for &(label, s, e, v) in site_kind(i).shifts {
                let max = u64::from((e - s) / SLOT * v);
                for dose in 1..=2 {
                    for (product, _) in PRODUCTS {
                        if counts == p.dose_counts {
                            break 'days;
                        }
                        writeln!(
                            w,
                            "{date},S{i:05},{label},{dose},{product},{}",
                            rng.below(max / 2 + 1)
                        )
                        .map_err(io(&path))?;
                        counts += 1;
                    }
                }
            }
        }
        day += 1;
        progress.update(p.bookings + counts, p.bookings + p.dose_counts);
    }
    w.flush().map_err(io(&path))?;

    Ok((path, counts))
}

fn hhmm(minute: u32) -> String {
    crate::time::format_hhmm(minute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_file, ImportKind, Quiet};

    #[test]
    fn generated_files_import_and_respect_capacity() {
        let dir = tempfile::tempdir().expect("tempdir");
        let params = GenerateParams {
            sites: 12,
            bookings: 5_000,
            dose_counts: 2_000,
            seed: 7,
            incident: 0,
        };
        let g = generate(dir.path(), &params, &Quiet).expect("generate");
        assert_eq!((g.bookings, g.dose_counts), (5_000, 2_000));
        let again = tempfile::tempdir().expect("tempdir");
        generate(again.path(), &params, &Quiet).expect("again");
        assert_eq!(
            std::fs::read(dir.path().join("bookings.csv")).expect("read"),
            std::fs::read(again.path().join("bookings.csv")).expect("read"),
            "deterministic per seed"
        );
        let mut conn = crate::store::open_in_memory().expect("open");
        for (kind, name) in [
            (ImportKind::Sites, "sites.csv"),
            (ImportKind::Shifts, "shifts.csv"),
            (ImportKind::Bookings, "bookings.csv"),
            (ImportKind::DoseCounts, "dose_counts.csv"),
        ] {
            import_file(&mut conn, kind, &dir.path().join(name), &Quiet).expect(name);
        }
        let n: i64 = conn
            .query_row("SELECT count(*) FROM appointment", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 5_000);
        // No slot holds more bookings (of any status) than its vaccinators.
        let worst: i64 = conn
            .query_row(
                "SELECT max(c - v) FROM (
                   SELECT count(*) AS c, max(sh.vaccinators) AS v FROM appointment a
                   JOIN site s ON s.id = a.site_id
                   JOIN shift sh ON sh.site_id = a.site_id
                    AND sh.date = date(a.slot_minute * 60, 'unixepoch')
                    AND a.slot_minute % 1440 >= (substr(sh.start, 1, 2) * 60 + substr(sh.start, 4, 2))
                    AND a.slot_minute % 1440 < (substr(sh.end, 1, 2) * 60 + substr(sh.end, 4, 2))
                   GROUP BY a.site_id, a.slot_minute)",
                [],
                |r| r.get(0),
            )
            .expect("worst");
        assert!(worst <= 0, "a slot over capacity by {worst}");
        let covered: i64 = conn
            .query_row(
                "SELECT count(*) FROM appointment a WHERE EXISTS (
                   SELECT 1 FROM shift sh WHERE sh.site_id = a.site_id
                    AND sh.date = date(a.slot_minute * 60, 'unixepoch')
                    AND a.slot_minute % 1440 >= (substr(sh.start, 1, 2) * 60 + substr(sh.start, 4, 2))
                    AND a.slot_minute % 1440 < (substr(sh.end, 1, 2) * 60 + substr(sh.end, 4, 2)))",
                [],
                |r| r.get(0),
            )
            .expect("covered");
        assert_eq!(covered, 5_000, "every booking inside a shift");
    }

    #[test]
    fn the_incident_repeats_people_into_full_slots() {
        let dir = tempfile::tempdir().expect("tempdir");
        let params = GenerateParams {
            sites: 12,
            bookings: 20_000,
            dose_counts: 1,
            seed: 3,
            incident: 40,
        };
        let g = generate(dir.path(), &params, &Quiet).expect("generate");
        assert_eq!(g.bookings, 20_000);
        let mut conn = crate::store::open_in_memory().expect("open");
        for (kind, name) in [
            (ImportKind::Sites, "sites.csv"),
            (ImportKind::Shifts, "shifts.csv"),
            (ImportKind::Bookings, "bookings.csv"),
        ] {
            import_file(&mut conn, kind, &dir.path().join(name), &Quiet).expect(name);
        }
        let report = crate::checks::run(&conn, &Default::default()).expect("check");
        assert_eq!(report.excess_bookings, 40, "{report:?}");
        assert_eq!(report.duplicate_people, 40, "{report:?}");
        let days: std::collections::BTreeSet<&str> =
            report.by_site_day.iter().map(|d| d.date.as_str()).collect();
        assert!(days.len() <= 3, "three days: {days:?}");
    }
}
