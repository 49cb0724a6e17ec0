//! Hostile files, generated: for every format, valid seed files mutated at
//! random (truncated, bytes flipped, NULs, huge fields, Latin-1 bytes,
//! impossible dates and times, duplicate and missing headers, formulas,
//! stray quotes). Each is imported inside a transaction that is then rolled
//! back. No file may panic the importer (on its thread or the parser's),
//! and every refusal must be an import error naming the file and a line;
//! a sample through `import_file` proves a refusal leaves the store as it
//! was. `DOSEDESK_HOSTILE_FILES` sets the count per format (3,000 in
//! CI; `make bench` runs 30,000).

use super::*;
use crate::rng::Rng;

const SEEDS: &[(ImportKind, &str)] = &[
    (ImportKind::Sites, "site_code,name,kind,address,postal_code,lat,lon,stations,minutes_per_dose,capacity_per_day,opens,closes\nEVJ,Eva James,mass_clinic,\"65 Stonehaven Dr, Kanata\",K2M2K3,45.29,-75.88,12,5,,08:00,20:00\nRX9,Pharmacy Nine,pharmacy,,,45.3,-75.7,1,,96,09:00,17:00\n"),
    (ImportKind::Candidates, "site_code,name,kind,lat,lon,capacity_per_day\nC1,Candidate One,pharmacy,45.31,-75.71,120\nC2,Candidate Two,physician,45.25,-75.9,60\n"),
    (ImportKind::Shifts, "site_code,date,start,end,vaccinators,capacity\nEVJ,2021-03-23,09:00,13:00,4,\nEVJ,2021-03-23,15:00,19:00,4,150\n"),
    (ImportKind::Products, "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax Nuvaxovid,21,112\nPFIZER,Pfizer,21,84\n"),
    (ImportKind::Supply, "date,product,doses,status\n2021-03-20,PFIZER,1170,received\n2021-03-27,MODERNA,800,expected\n"),
    (ImportKind::Bookings, "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,booked_at\nB1,P1,1940-05-01,613-555-0101,EVJ,2021-03-23T09:00,1,PFIZER,booked,2021-03-10T10:00:00-05:00\nB2,P1,1940-05-01,613-555-0101,EVJ,2021-04-20T09:00,2,pfizer,Booked,\nB3,P2,,,EVJ,2021-03-23T09:05,1,MODERNA,attended,\n"),
    (ImportKind::DoseCounts, "date,site_code,shift,dose_number,product,doses\n2021-03-23,EVJ,am,1,PFIZER,120\n2021-03-23,EVJ,pm,1,,80\n"),
    (ImportKind::Provincial, "report_date,previous_day_doses_administered,total_doses_administered,total_doses_in_fully_vaccinated_individuals,total_individuals_fully_vaccinated\n2020-12-24,,10756,,\n2020-12-30,4595,18603,,\n2021-01-05,10000,60000,100,50\n"),
    (ImportKind::Areas, "area_id,name,lat,lon,population,eligible,weight\nA1,Kanata,45.30,-75.90,12000,10000,1\nA2,Vanier,45.44,-75.66,8000,,2\n"),
];

/// Values that have broken parsers before, or could.
const NASTY: &[&[u8]] = &[
    b"",
    b"\0",
    b"=HYPERLINK(\"http://x\")",
    b"+1",
    b"-1",
    b"@SUM(A1)",
    b"\t",
    b"\r",
    b"2021-02-30",
    b"2021-13-01",
    b"0000-01-01",
    b"9999-12-31",
    b"1899-12-31",
    b"25:61",
    b"24:00",
    b"-0",
    b"1e309",
    b"NaN",
    b"inf",
    b"99999999999999999999",
    b"2021-03-01T09:1\xc3\xa9",
    b"2021-03-01T09:1\xe9",
    b"\xff\xfe",
    b"\xe9t\xe9",
    b"\"",
    b"\"\"",
    b",",
    b"\n",
    b"\x1b[31m",
    b"\xe2\x80\xae",
    b"  ",
    b"2021-03-23T",
    b"T09:00",
    b"09:00:00",
    b"2021-03-23 09:00",
    b"-75.7",
    b"181",
    b"-91",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(bytes.len() as u64 + 1) as usize;
        match rng.below(10) {
            0 => bytes.truncate(at),
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.below(8);
            }
            2 => bytes.insert(at, 0),
            3 => {
                let huge = vec![b'x'; 1 + rng.below(50_000) as usize];
                bytes.splice(at..at, huge);
            }
            4 | 5 => {
                // Replace one cell of a data line with a nasty value.
                // Cell boundaries after the header line (found once).
                let header_end = bytes.iter().position(|c| *c == b'\n').unwrap_or(0);
                let cells: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(i, b)| (**b == b',' || **b == b'\n') && *i > header_end)
                    .map(|(i, _)| i)
                    .collect();
                if cells.len() >= 2 {
                    let k = rng.below(cells.len() as u64 - 1) as usize;
                    let (from, to) = (cells[k] + 1, cells[k + 1]);
                    let value = NASTY[rng.below(NASTY.len() as u64) as usize];
                    bytes.splice(from..to, value.iter().copied());
                }
            }
            6 => {
                // A header duplicated, or one removed.
                let header_end = bytes
                    .iter()
                    .position(|b| *b == b'\n')
                    .unwrap_or(bytes.len());
                let header = bytes[..header_end].to_vec();
                let names: Vec<&[u8]> = header.split(|b| *b == b',').collect();
                let pick = names[rng.below(names.len() as u64) as usize].to_vec();
                let mut new_header = header.clone();
                if rng.chance(0.5) {
                    new_header.push(b',');
                    new_header.extend(pick);
                } else {
                    let kept: Vec<&[u8]> = names
                        .into_iter()
                        .filter(|n| *n != pick.as_slice())
                        .collect();
                    new_header = kept.join(&b","[..]);
                }
                bytes.splice(..header_end, new_header);
            }
            7 => {
                let line = rng.below(5) as usize;
                let extra = b"a,b,c,d,e,f,g,h,i,j,k,l,m\n";
                let pos = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .nth(line)
                    .map_or(bytes.len(), |(i, _)| i + 1);
                bytes.splice(pos..pos, extra.iter().copied());
            }
            8 => bytes.insert(at, b'"'),
            _ => {
                let value = NASTY[rng.below(NASTY.len() as u64) as usize];
                bytes.splice(at..at, value.iter().copied());
            }
        }
    }
    bytes
}

fn files_per_format() -> usize {
    std::env::var("DOSEDESK_HOSTILE_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3_000)
}

#[test]
fn hostile_files_never_panic_and_every_refusal_names_file_and_line() {
    let dir = tempfile::tempdir().expect("dir");
    let mut conn = crate::store::open(&dir.path().join("h.sqlite3")).expect("open");
    // The sites and shifts the other formats refer to, so that valid
    // rows get past the lookups and the mutations reach deep checks.
    for (kind, text) in [SEEDS[0], SEEDS[2]] {
        let path = dir.path().join("seed.csv");
        std::fs::write(&path, text).expect("write");
        import_file(&mut conn, kind, &path, &Quiet).expect("seed");
    }

    let per_format = files_per_format();
    let mut tried = 0usize;
    let mut refused = 0usize;
    for (k, (kind, seed)) in SEEDS.iter().enumerate() {
        let mut rng = Rng::new(0x5EED_0000 + k as u64);
        let name = format!("{}.csv", kind.name());
        let path = dir.path().join(&name);
        for case in 0..per_format {
            let bytes = mutate(&mut rng, seed.as_bytes());
            std::fs::write(&path, &bytes).expect("write");
            let tx = conn.transaction().expect("tx");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                import_into(&tx, *kind, &path, &Quiet)
            }));
            drop(tx); // rolled back, accepted or not
            tried += 1;
            let shown = || {
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>()
            };
            match outcome {
                Err(_) => panic!("{name} case {case} panicked; the file: {:?}", shown()),
                Ok(Ok(_)) => {}
                Ok(Err(Error::Import { file, line, .. })) => {
                    refused += 1;
                    assert_eq!(file, name, "case {case}");
                    assert!(line >= 1, "case {case}");
                }
                Ok(Err(other)) => panic!(
                    "{name} case {case}: refused without file and line: {other} ({}); the file: {:?}",
                    other.code(),
                    shown()
                ),
            }
        }
    }
    eprintln!("hostile files: {tried} tried ({per_format} per format), {refused} refused with file and line, none panicked");
    assert_eq!(tried, per_format * SEEDS.len());
    assert!(
        refused > tried / 4,
        "the mutations must mostly break the files: {refused} of {tried}"
    );
}

/// Every site's code, name and kind, in code order.
fn site_rows(conn: &Connection) -> Vec<String> {
    conn.prepare("SELECT code || name || kind FROM site ORDER BY code")
        .expect("q")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

/// A refusal through the real entry point leaves every table as it was.
#[test]
fn a_refused_hostile_import_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    let mut conn = crate::store::open(&dir.path().join("h.sqlite3")).expect("open");
    let path = dir.path().join("sites.csv");
    std::fs::write(&path, SEEDS[0].1).expect("write");
    import_file(&mut conn, ImportKind::Sites, &path, &Quiet).expect("sites");
    let dump = |conn: &Connection| -> Vec<(String, i64)> {
        crate::stats::TABLES
            .iter()
            .map(|t| {
                let n = conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .expect("count");
                (t.to_string(), n)
            })
            .collect()
    };
    let mut rng = Rng::new(77);
    let mut refusals = 0;
    for (kind, seed) in SEEDS {
        for _ in 0..40 {
            let bytes = mutate(&mut rng, seed.as_bytes());
            let file = dir.path().join(format!("{}.csv", kind.name()));
            std::fs::write(&file, &bytes).expect("write");
            let before = dump(&conn);
            let sites_before = site_rows(&conn);
            if import_file(&mut conn, *kind, &file, &Quiet).is_err() {
                refusals += 1;
                assert_eq!(dump(&conn), before);
                assert_eq!(site_rows(&conn), sites_before);
            }
        }
    }
    assert!(refusals > 50, "{refusals}");
}
