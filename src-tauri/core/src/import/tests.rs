//! Importer behaviour on good and bad input. Every rejected file must leave
//! the database exactly as it was.

use super::*;
use crate::store::open_in_memory;
use std::path::PathBuf;

struct Fixture {
    dir: tempfile::TempDir,
    conn: Connection,
}

const SITES: &str = "site_code,name,kind,address,postal_code,lat,lon,stations,minutes_per_dose,capacity_per_day,opens,closes\n\
EVJ,Eva James,mass_clinic,\"65 Stonehaven Dr, Kanata\",k2m2k3,45.29,-75.88,12,5,,08:00,20:00\n\
RX1,Pharmacy One,pharmacy,,,,,1,,96,09:00,17:00\n";

const SHIFTS: &str = "site_code,date,start,end,vaccinators,capacity\n\
EVJ,2021-03-23,09:00,13:00,4,\n\
EVJ,2021-03-23,15:00,19:00,4,150\n";

const BOOKINGS: &str = "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status,booked_at\n\
B1,P1,1940-05-01,613-555-0101,EVJ,2021-03-23T09:00,1,PFIZER,booked,2021-03-10T10:00:00-05:00\n\
B2,P1,1940-05-01,613-555-0101,EVJ,2021-04-20T09:00,2,pfizer,Booked,\n\
B3,P2,,,EVJ,2021-03-23T09:05,1,MODERNA,attended,\n";

impl Fixture {
    fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
            conn: open_in_memory().expect("open"),
        }
    }

    fn with_base() -> Self {
        let mut f = Self::new();
        f.import(ImportKind::Sites, "sites.csv", SITES.as_bytes())
            .expect("sites");
        f.import(ImportKind::Shifts, "shifts.csv", SHIFTS.as_bytes())
            .expect("shifts");
        f
    }

    fn write(&self, name: &str, body: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path
    }

    fn import(&mut self, kind: ImportKind, name: &str, body: &[u8]) -> Result<ImportReport> {
        let path = self.write(name, body);
        import_file(&mut self.conn, kind, &path, &Quiet)
    }

    /// Every row of every table, to prove a failed import changed nothing.
    fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        for table in crate::stats::TABLES {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .expect("prepare");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let mut line = format!("{table}:");
                    for i in 0..n {
                        let v: rusqlite::types::Value = r.get(i)?;
                        line.push_str(&format!("{v:?}|"));
                    }
                    Ok(line)
                })
                .expect("query");
            for row in rows {
                out.push(row.expect("row"));
            }
        }
        out
    }

    /// Asserts the import fails with `FILE:LINE: column COL: …` containing
    /// `what`, and that nothing changed.
    fn rejects(
        &mut self,
        kind: ImportKind,
        body: &[u8],
        line: u64,
        column: Option<&str>,
        what: &str,
    ) {
        let before = self.snapshot();
        let name = format!("{}.csv", kind.name());
        let err = self.import(kind, &name, body).expect_err("must fail");
        let msg = err.to_string();
        assert_eq!(err.code(), "import_invalid", "{msg}");
        let want_prefix = match column {
            Some(c) => format!("{name}:{line}: column {c}: "),
            None => format!("{name}:{line}: "),
        };
        assert!(
            msg.starts_with(&want_prefix),
            "got {msg:?}, want prefix {want_prefix:?}"
        );
        assert!(
            msg.contains(what),
            "got {msg:?}, want it to mention {what:?}"
        );
        assert_eq!(
            self.snapshot(),
            before,
            "a failed import changed the database"
        );
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).expect("count")
    }
}

#[test]
fn imports_valid_files_and_reports_what_changed() {
    let mut f = Fixture::with_base();
    let report = f
        .import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("bookings");
    assert_eq!((report.rows, report.inserted, report.updated), (3, 3, 0));
    assert_eq!(report.sha256.len(), 64);
    // Only P1 came with contact details.
    assert_eq!(f.count("SELECT count(*) FROM person"), 1);
    assert_eq!(
        f.count("SELECT count(*) FROM site WHERE postal_code = 'K2M 2K3'"),
        1,
        "postal code normalised"
    );
    // P1's two doses are linked through the person: dose 2 follows dose 1.
    assert_eq!(
        f.count(
            "SELECT count(*) FROM appointment a JOIN appointment b
               ON b.person_id = a.person_id AND b.dose_number = a.dose_number + 1
             WHERE a.person_id = 'P1' AND b.slot_minute > a.slot_minute"
        ),
        1
    );
    assert_eq!(f.count("SELECT count(*) FROM import_log"), 3);
}

#[test]
fn reimporting_bookings_is_idempotent_and_updates_changes() {
    let mut f = Fixture::with_base();
    f.import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("first");
    let again = f
        .import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("again");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    let changed = BOOKINGS.replace(
        "B3,P2,,,EVJ,2021-03-23T09:05,1,MODERNA,attended",
        "B3,P2,,,EVJ,2021-03-23T09:05,1,MODERNA,no_show",
    );
    let report = f
        .import(ImportKind::Bookings, "bookings.csv", changed.as_bytes())
        .expect("changed");
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 2)
    );
    assert_eq!(f.count("SELECT count(*) FROM appointment"), 3);
    assert_eq!(
        f.count("SELECT count(*) FROM appointment WHERE booking_id = 'B3' AND status = 'no_show'"),
        1
    );
}

/// Re-imports change several rows of one site-day once the kept check
/// results are current: each change marks the site-day for the next check,
/// and a mark already there must not fail the import (it did, for every
/// upsert: SQLite applies the upsert's conflict handling to the triggers).
#[test]
fn reimports_that_touch_one_site_day_twice_after_a_check_are_accepted() {
    let mut f = Fixture::with_base();
    f.import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("first");
    crate::checks::refresh(&f.conn).expect("checks current");
    let both_moved = BOOKINGS
        .replace("EVJ,2021-03-23T09:00,1", "EVJ,2021-03-23T10:00,1")
        .replace("EVJ,2021-03-23T09:05,1", "EVJ,2021-03-23T10:05,1");
    let report = f
        .import(ImportKind::Bookings, "bookings.csv", both_moved.as_bytes())
        .expect("two bookings of one site-day moved");
    assert_eq!(report.updated, 2);
    let both_shifts = SHIFTS.replace(",4,\n", ",5,\n").replace(",4,150", ",5,150");
    let report = f
        .import(ImportKind::Shifts, "shifts.csv", both_shifts.as_bytes())
        .expect("two shifts of one site-day changed");
    assert_eq!(report.updated, 2);
    assert_eq!(
        f.count("SELECT count(*) FROM check_dirty_site_day WHERE date = '2021-03-23'"),
        1
    );
    let fresh = crate::checks::run(&f.conn, &Default::default()).expect("check");
    assert_eq!(
        crate::checks::current(&f.conn, usize::MAX).expect("kept"),
        fresh
    );
}

#[test]
fn accepts_bom_crlf_quoted_newlines_any_column_order_and_case() {
    let mut f = Fixture::new();
    let body = "\u{feff}NAME,Site_Code,kind,address,extra\r\n\"Clinic, with comma\",Q1,Mass_Clinic,\"line one\r\nline two\",x\r\n\r\n";
    let report = f
        .import(ImportKind::Sites, "sites.csv", body.as_bytes())
        .expect("valid file");
    assert_eq!(report.rows, 1);
    assert_eq!(
        report.warnings.len(),
        1,
        "unknown column reported: {:?}",
        report.warnings
    );
    assert!(report.warnings[0].contains("extra"));
    let address: String = f
        .conn
        .query_row("SELECT address FROM site WHERE code = 'Q1'", [], |r| {
            r.get(0)
        })
        .expect("address");
    assert_eq!(address, "line one\r\nline two");
}

#[test]
fn line_numbers_count_physical_lines_across_quoted_newlines() {
    let mut f = Fixture::new();
    let body = "site_code,name,kind,address\nA1,One,pharmacy,\"two\nlines\"\nA2,Two,hospital,\n";
    f.rejects(
        ImportKind::Sites,
        body.as_bytes(),
        4,
        Some("kind"),
        "\"hospital\" is not one of",
    );
}

#[test]
fn rejects_bad_input_with_file_line_and_column() {
    use ImportKind::*;
    let mut f = Fixture::with_base();
    let bh = "booking_id,person_id,site_code,slot_start,dose_number,product,status\n";
    let cases: Vec<(ImportKind, String, u64, Option<&str>, &str)> = vec![
        // missing required column
        (Shifts, "site_code,date,start,vaccinators\nEVJ,2021-03-24,09:00,3\n".into(), 1, Some("end"), "required column is missing"),
        (Bookings, "booking_id,person_id,site_code,slot_start,dose_number,product\n".into(), 1, Some("status"), "missing"),
        // bad date
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-02-30,09:00,13:00,3\n".into(), 2, Some("date"), "is not a date"),
        (DoseCounts, "date,site_code,dose_number,doses\n23/03/2021,EVJ,1,10\n".into(), 2, Some("date"), "is not a date"),
        (Supply, "date,product,doses\n2021-13-01,PFIZER,100\n".into(), 2, Some("date"), "is not a date"),
        // bad time
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-03-24,9am,13:00,3\n".into(), 2, Some("start"), "is not a time"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T25:00,1,PFIZER,booked\n"), 2, Some("slot_start"), "is not a local date-time"),
        (Sites, "site_code,name,kind,opens\nX1,X,pharmacy,8:00\n".into(), 2, Some("opens"), "is not a time"),
        // end before start
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-03-24,13:00,09:00,3\n".into(), 2, Some("end"), "must be after start"),
        (Sites, "site_code,name,kind,opens,closes\nX1,X,pharmacy,18:00,09:00\n".into(), 2, Some("closes"), "must be after opens"),
        (Products, "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax,60,21\n".into(), 2, Some("max_interval_days"), "less than"),
        // bad integer
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-03-24,09:00,13:00,three\n".into(), 2, Some("vaccinators"), "is not a whole number"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T09:00,first,PFIZER,booked\n"), 2, Some("dose_number"), "is not a whole number"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T09:00,4,PFIZER,booked\n"), 2, Some("dose_number"), "out of range 1 to 3"),
        (Supply, "date,product,doses\n2021-03-22,PFIZER,1.5\n".into(), 2, Some("doses"), "is not a whole number"),
        // negative count
        (DoseCounts, "date,site_code,dose_number,doses\n2021-03-23,EVJ,1,-4\n".into(), 2, Some("doses"), "negative"),
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-03-24,09:00,13:00,-1\n".into(), 2, Some("vaccinators"), "negative"),
        (Supply, "date,product,doses\n2021-03-22,PFIZER,0\n".into(), 2, Some("doses"), "at least 1"),
        // unknown site / product / status
        (Shifts, "site_code,date,start,end,vaccinators\nZZZ,2021-03-24,09:00,13:00,3\n".into(), 2, Some("site_code"), "unknown site"),
        (Bookings, format!("{bh}B9,P9,NOPE,2021-03-24T09:00,1,PFIZER,booked\n"), 2, Some("site_code"), "unknown site"),
        (DoseCounts, "date,site_code,dose_number,doses\n2021-03-23,NOPE,1,4\n".into(), 2, Some("site_code"), "unknown site"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T09:00,1,SPUTNIK,booked\n"), 2, Some("product"), "unknown product"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T09:00,1,PFIZER,maybe\n"), 2, Some("status"), "is not one of"),
        // duplicate key within the file
        (Sites, "site_code,name,kind\nA,One,pharmacy\nB,Two,pharmacy\nA,Again,pharmacy\n".into(), 4, Some("site_code"), "already on line 2"),
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,2021-03-24,09:00,13:00,3\nEVJ,2021-03-24,09:00,12:00,2\n".into(), 3, Some("start"), "already on line 2"),
        (Bookings, format!("{bh}B9,P9,EVJ,2021-03-24T09:00,1,PFIZER,booked\nB10,P10,EVJ,2021-03-24T09:00,1,PFIZER,booked\nB9,P11,EVJ,2021-03-24T09:05,1,PFIZER,booked\n"), 4, Some("booking_id"), "already on line 2"),
        (DoseCounts, "date,site_code,shift,dose_number,doses\n2021-03-23,EVJ,am,1,4\n2021-03-23,EVJ,am,1,5\n".into(), 3, Some("doses"), "already on line 2"),
        (Supply, "date,product,doses\n2021-03-22,PFIZER,100\n2021-03-22,pfizer,50\n".into(), 3, Some("product"), "already on line 2"),
        (Products, "product,name,min_interval_days,max_interval_days\nX,A,1,2\nx,B,1,2\n".into(), 3, Some("product"), "already on line 2"),
        // empty file, header only
        (Sites, String::new(), 1, None, "empty"),
        (Bookings, bh.into(), 2, None, "no data rows"),
        // a row with the wrong number of fields
        (Supply, "date,product,doses\n2021-03-22,PFIZER\n".into(), 2, None, "has 2 fields but the header has 3"),
        // required value empty
        (Bookings, format!("{bh}B9,,EVJ,2021-03-24T09:00,1,PFIZER,booked\n"), 2, Some("person_id"), "is required but empty"),
        // lat without lon
        (Sites, "site_code,name,kind,lat,lon\nX1,X,pharmacy,45.3,\n".into(), 2, Some("lon"), "together"),
    ];
    for (kind, body, line, column, what) in cases {
        f.rejects(kind, body.as_bytes(), line, column, what);
    }
    // A failure on the last row of a long file keeps none of its earlier rows.
    let mut long = String::from(bh);
    for i in 0..5000 {
        long.push_str(&format!(
            "L{i},Q{i},EVJ,2021-03-23T09:00,1,PFIZER,cancelled\n"
        ));
    }
    long.push_str("L-last,Q,EVJ,2021-03-23T09:00,1,PFIZER,bogus\n");
    f.rejects(
        Bookings,
        long.as_bytes(),
        5002,
        Some("status"),
        "is not one of",
    );
}

#[test]
fn rejects_binary_garbage_and_non_utf8_text() {
    let mut f = Fixture::with_base();
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    f.rejects(
        ImportKind::Bookings,
        &garbage,
        1,
        None,
        "is not UTF-8 text (is this a CSV file?)",
    );
    // Latin-1 "Orléans" in a data row: the column is named.
    let mut latin1 = b"site_code,name,kind\nRFC,Ray Friel Orl".to_vec();
    latin1.push(0xE9);
    latin1.extend_from_slice(b"ans,mass_clinic\n");
    f.rejects(ImportKind::Sites, &latin1, 2, Some("name"), "not UTF-8");
    // Latin-1 in the header.
    let mut header = b"site_code,nom_".to_vec();
    header.push(0xE9);
    header.extend_from_slice(b",name,kind\nA,x,y,pharmacy\n");
    f.rejects(ImportKind::Sites, &header, 1, None, "not UTF-8");
}

#[test]
fn dose_count_corrections_keep_history() {
    let mut f = Fixture::with_base();
    let body = "date,site_code,shift,dose_number,product,doses\n2021-03-23,EVJ,am,1,PFIZER,120\n2021-03-23,EVJ,pm,1,,80\n";
    f.import(ImportKind::DoseCounts, "dc.csv", body.as_bytes())
        .expect("first");
    let corrected = body.replace(",120", ",125");
    let report = f
        .import(ImportKind::DoseCounts, "dc.csv", corrected.as_bytes())
        .expect("corrected");
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 1)
    );
    assert_eq!(
        f.count("SELECT doses FROM dose_count WHERE shift = 'am'"),
        125
    );
    assert_eq!(f.count("SELECT doses FROM dose_count_history"), 120);
}

#[test]
fn products_and_supply_import_and_update() {
    let mut f = Fixture::new();
    let products = "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax Nuvaxovid,21,112\nPFIZER,Pfizer,21,84\n";
    let r = f
        .import(ImportKind::Products, "products.csv", products.as_bytes())
        .expect("products");
    assert_eq!((r.inserted, r.updated), (1, 1));
    let supply =
        "date,product,doses,status\n2021-03-22,NOVAVAX,500,expected\n2021-03-22,NOVAVAX,300,\n";
    let r = f
        .import(ImportKind::Supply, "supply.csv", supply.as_bytes())
        .expect("supply");
    assert_eq!(r.inserted, 2);
    assert_eq!(
        f.count("SELECT doses FROM supply WHERE status = 'received'"),
        300,
        "status defaults to received"
    );
}

#[test]
fn cancellation_rolls_back() {
    struct CancelNow;
    impl Progress for CancelNow {
        fn is_cancelled(&self) -> bool {
            true
        }
    }
    let mut f = Fixture::with_base();
    let mut body =
        String::from("booking_id,person_id,site_code,slot_start,dose_number,product,status\n");
    for i in 0..20_000 {
        body.push_str(&format!(
            "C{i},Q{i},EVJ,2021-03-23T09:00,1,PFIZER,cancelled\n"
        ));
    }
    let path = f.write("big.csv", body.as_bytes());
    let before = f.snapshot();
    let err =
        import_file(&mut f.conn, ImportKind::Bookings, &path, &CancelNow).expect_err("cancelled");
    assert_eq!(err.code(), "cancelled");
    assert_eq!(f.snapshot(), before);
}

/// The same bad and good shapes of file, for every importer.
#[test]
fn every_importer_handles_the_common_bad_and_good_files() {
    use ImportKind::*;
    let samples: [(ImportKind, &str, &str, &str); 8] = [
        (
            Sites,
            "site_code,name,kind,address",
            "Z9,\"Clinic, west\",pharmacy,\"1 Main St\nUnit 2\"",
            "name",
        ),
        (
            Shifts,
            "site_code,date,start,end,vaccinators",
            "EVJ,2021-04-01,09:00,13:00,3",
            "vaccinators",
        ),
        (
            Products,
            "product,name,min_interval_days,max_interval_days",
            "NOVAVAX,\"Novavax, protein\",21,112",
            "name",
        ),
        (
            Supply,
            "date,product,doses,status",
            "2021-04-05,PFIZER,1170,\"expected\"",
            "doses",
        ),
        (
            Bookings,
            "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status",
            "B77,P77,\"613-555-0100\",EVJ,2021-04-01T09:00,1,PFIZER,booked",
            "person_id",
        ),
        (
            DoseCounts,
            "date,site_code,shift,dose_number,product,doses",
            "2021-04-01,EVJ,\"am\",1,PFIZER,95",
            "doses",
        ),
        (
            Areas,
            "area_id,name,lat,lon,population,eligible,weight",
            "3001,\"Airport, north\",45.32,-75.67,1200,1000,2",
            "population",
        ),
        (
            Candidates,
            "site_code,name,kind,lat,lon,capacity_per_day",
            "C1,\"Pharmacy, east\",pharmacy,45.41,-75.65,150",
            "capacity_per_day",
        ),
    ];
    for (kind, header, row, required) in samples {
        let mut f = Fixture::with_base();
        // Missing required column.
        let without: Vec<&str> = header.split(',').filter(|c| *c != required).collect();
        f.rejects(
            kind,
            format!("{}\n", without.join(",")).as_bytes(),
            1,
            Some(required),
            "required column is missing",
        );
        // Empty file, header only.
        f.rejects(kind, b"", 1, None, "empty");
        f.rejects(
            kind,
            format!("{header}\n").as_bytes(),
            2,
            None,
            "no data rows",
        );
        // Binary garbage (not UTF-8 in the header).
        let garbage: Vec<u8> = (0..2048u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8 | 0x80)
            .collect();
        f.rejects(kind, &garbage, 1, None, "not UTF-8");
        // A Windows-1252 byte in the data row, even in a column we ignore.
        let mut latin1 = format!("{header},note\n{row},").into_bytes();
        latin1.extend_from_slice(b"caf\xE9\n");
        f.rejects(kind, &latin1, 2, Some("note"), "is not UTF-8 text");
        // Valid: BOM, CRLF line ends, quoted fields (with a newline for sites).
        let body = format!(
            "\u{feff}{}\r\n{}\r\n",
            header.to_uppercase(),
            row.replace('\n', "\r\n")
        );
        let report = f
            .import(kind, &format!("{}.csv", kind.name()), body.as_bytes())
            .unwrap_or_else(|e| panic!("{kind:?}: valid file rejected: {e}"));
        assert_eq!(report.rows, 1, "{kind:?}");
        assert_eq!(report.inserted + report.updated, 1, "{kind:?}");
    }
}

#[test]
fn the_report_carries_the_files_sha256() {
    use sha2::Digest;
    let mut f = Fixture::with_base();
    let report = f
        .import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("import");
    let want: String = sha2::Sha256::digest(BOOKINGS.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(report.sha256, want);
    let logged: String = f
        .conn
        .query_row(
            "SELECT sha256 FROM import_log WHERE kind = 'bookings'",
            [],
            |r| r.get(0),
        )
        .expect("logged");
    assert_eq!(logged, want);
}

#[test]
fn a_later_row_updates_a_persons_details() {
    let mut f = Fixture::with_base();
    f.import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("first");
    let body = "booking_id,person_id,phone,site_code,slot_start,dose_number,product,status\n\
                B4,P1,613-555-0199,EVJ,2021-03-23T09:10,1,PFIZER,cancelled\n\
                B5,P1,613-555-0142,EVJ,2021-03-23T09:15,1,PFIZER,cancelled\n\
                B6,P1,,EVJ,2021-03-23T09:20,1,PFIZER,cancelled\n";
    f.import(ImportKind::Bookings, "more.csv", body.as_bytes())
        .expect("second");
    let (phone, birth): (String, String) = f
        .conn
        .query_row(
            "SELECT phone, birth_date FROM person WHERE person_id = 'P1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("person");
    assert_eq!(
        phone, "613-555-0142",
        "the last phone given wins; an empty one changes nothing"
    );
    assert_eq!(birth, "1940-05-01", "kept from the first file");
}

#[test]
fn duplicates_are_caught_when_adding_to_existing_bookings_too() {
    let mut f = Fixture::with_base();
    f.import(ImportKind::Bookings, "bookings.csv", BOOKINGS.as_bytes())
        .expect("first");
    let body = "booking_id,person_id,site_code,slot_start,dose_number,product,status\n\
                B1,P1,EVJ,2021-03-23T09:00,1,PFIZER,cancelled\n\
                N1,P8,EVJ,2021-03-23T09:10,1,PFIZER,booked\n\
                N1,P9,EVJ,2021-03-23T09:15,1,PFIZER,booked\n";
    f.rejects(
        ImportKind::Bookings,
        body.as_bytes(),
        4,
        Some("booking_id"),
        "duplicate booking_id \"N1\": already on line 3",
    );
}

const AREAS: &str = "area_id,name,lat,lon,population,eligible,weight\n\
3001,Airport,45.320214,-75.666675,1200,1000,\n\
3002,Alta Vista,45.388913,-75.660909,7765,,2\n";

const CANDIDATES: &str = "site_code,name,kind,lat,lon,capacity_per_day\n\
C1,Pharmacy East,pharmacy,45.41,-75.65,150\n\
C2,Doctor West,physician,45.35,-75.80,40\n";

#[test]
fn areas_import_with_defaults_and_update_by_area_id() {
    let mut f = Fixture::new();
    let report = f
        .import(ImportKind::Areas, "areas.csv", AREAS.as_bytes())
        .expect("areas");
    assert_eq!((report.rows, report.inserted, report.updated), (2, 2, 0));
    assert_eq!(
        f.count(
            "SELECT count(*) FROM area WHERE area_id = '3001' AND weight = 1 AND eligible = 1000"
        ),
        1
    );
    assert_eq!(
        f.count(
            "SELECT count(*) FROM area WHERE area_id = '3002' AND weight = 2 AND eligible IS NULL"
        ),
        1
    );
    let changed = AREAS.replace("7765,,2", "7800,,2");
    let report = f
        .import(ImportKind::Areas, "areas.csv", changed.as_bytes())
        .expect("again");
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 1)
    );
    assert_eq!(
        f.count("SELECT population FROM area WHERE area_id = '3002'"),
        7800
    );
}

#[test]
fn candidates_are_sites_with_status_candidate_updated_by_code() {
    let mut f = Fixture::with_base();
    let report = f
        .import(
            ImportKind::Candidates,
            "candidates.csv",
            CANDIDATES.as_bytes(),
        )
        .expect("candidates");
    assert_eq!((report.inserted, report.updated), (2, 0));
    assert_eq!(
        f.count("SELECT count(*) FROM site WHERE status = 'candidate'"),
        2
    );
    assert_eq!(
        f.count("SELECT count(*) FROM site WHERE status = 'open'"),
        2
    );
    let changed = CANDIDATES.replace(",40\n", ",60\n");
    let report = f
        .import(ImportKind::Candidates, "candidates.csv", changed.as_bytes())
        .expect("again");
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 1)
    );
    assert_eq!(
        f.count("SELECT capacity_per_day FROM site WHERE code = 'C2' AND status = 'candidate'"),
        60
    );
}

#[test]
fn areas_and_candidates_reject_bad_input_and_change_nothing() {
    use ImportKind::*;
    let mut f = Fixture::with_base();
    f.import(Areas, "areas.csv", AREAS.as_bytes())
        .expect("areas");
    f.import(Candidates, "candidates.csv", CANDIDATES.as_bytes())
        .expect("candidates");
    let ah = "area_id,name,lat,lon,population,eligible,weight\n";
    let ch = "site_code,name,kind,lat,lon,capacity_per_day\n";
    let cases: Vec<(ImportKind, String, u64, Option<&str>, &str)> = vec![
        (
            Areas,
            "area_id,lat,lon\nA,45,-75\n".into(),
            1,
            Some("population"),
            "required column is missing",
        ),
        (
            Areas,
            format!("{ah}A,,95,-75,10,,\n"),
            2,
            Some("lat"),
            "out of range",
        ),
        (
            Areas,
            format!("{ah}A,,45,,10,,\n"),
            2,
            Some("lon"),
            "is required but empty",
        ),
        (
            Areas,
            format!("{ah}A,,45,-75,-3,,\n"),
            2,
            Some("population"),
            "negative",
        ),
        (
            Areas,
            format!("{ah}A,,45,-75,ten,,\n"),
            2,
            Some("population"),
            "is not a whole number",
        ),
        (
            Areas,
            format!("{ah}A,,45,-75,10,11,\n"),
            2,
            Some("eligible"),
            "more than the population",
        ),
        (
            Areas,
            format!("{ah}A,,45,-75,10,,-1\n"),
            2,
            Some("weight"),
            "out of range",
        ),
        (
            Areas,
            format!("{ah}A,,45,-75,10,,\nB,,45,-75,1,,\nA,,45,-75,1,,\n"),
            4,
            Some("area_id"),
            "duplicate area_id: already on line 2",
        ),
        (
            Candidates,
            "site_code,name,kind,lat,lon\nC9,X,pharmacy,45,-75\n".into(),
            1,
            Some("capacity_per_day"),
            "required column is missing",
        ),
        (
            Candidates,
            format!("{ch}C9,X,pharmacy,,-75,10\n"),
            2,
            Some("lat"),
            "is required but empty",
        ),
        (
            Candidates,
            format!("{ch}C9,X,pharmacy,45,-75,\n"),
            2,
            Some("capacity_per_day"),
            "is required but empty",
        ),
        (
            Candidates,
            format!("{ch}C9,X,store,45,-75,10\n"),
            2,
            Some("kind"),
            "is not one of",
        ),
        // A candidate may not reuse the code of an open site: the open site
        // would silently become a proposal.
        (
            Candidates,
            format!("{ch}C9,X,pharmacy,45,-75,10\nEVJ,Eva James,mass_clinic,45.29,-75.88,500\n"),
            3,
            Some("site_code"),
            "already an open site",
        ),
    ];
    for (kind, body, line, column, what) in cases {
        f.rejects(kind, body.as_bytes(), line, column, what);
    }
}

/// Values a person could not have typed, or dates no clinic event has,
/// found by a probe with hostile files: each is refused naming file, line
/// and column, for every importer that reads such a cell, and nothing of
/// the file is kept (a tally dated 9999-12-31 once made the chart's last
/// day 9999; a site name's escape sequence reached the terminal raw).
#[test]
fn control_characters_huge_cells_and_impossible_years_are_refused() {
    use ImportKind::*;
    let long = "x".repeat(600);
    let cases: Vec<(ImportKind, String, &str, &str)> = vec![
        (Sites, "site_code,name,kind\nQ1,\"\u{1b}[31mRed\u{1b}[0m\",mass_clinic\n".into(), "name", "control character (U+001B)"),
        (Sites, "site_code,name,kind\nQ1,Nul\u{0}Hall,mass_clinic\n".into(), "name", "control character (U+0000)"),
        (Sites, "site_code,name,kind\nQ1,C1\u{9b}Hall,mass_clinic\n".into(), "name", "control character (U+009B)"),
        (Sites, format!("site_code,name,kind,address\nQ1,Hall,mass_clinic,{long}\n"), "address", "is 600 characters long; at most 500 expected"),
        (DoseCounts, "date,site_code,shift,dose_number,product,doses\n9999-12-31,EVJ,,1,PFIZER,95\n".into(), "date", "outside the years DoseDesk accepts for clinic events (2020–2100)"),
        (Shifts, "site_code,date,start,end,vaccinators\nEVJ,0000-01-01,08:00,12:00,2\n".into(), "date", "outside the years"),
        (Supply, "date,product,doses\n2019-12-31,PFIZER,100\n".into(), "date", "outside the years"),
        (Bookings, "booking_id,person_id,birth_date,site_code,slot_start,dose_number,product,status\nB9,P9,,EVJ,9999-01-01T09:00,1,PFIZER,booked\n".into(), "slot_start", "outside the years"),
        (Bookings, "booking_id,person_id,birth_date,site_code,slot_start,dose_number,product,status\nB9,P9,1899-12-31,EVJ,2021-04-01T09:00,1,PFIZER,booked\n".into(), "birth_date", "not a birth date DoseDesk accepts"),
        (Bookings, "booking_id,person_id,birth_date,site_code,slot_start,dose_number,product,status\nB9,P9,2999-01-01,EVJ,2021-04-01T09:00,1,PFIZER,booked\n".into(), "birth_date", "not a birth date DoseDesk accepts"),
        (Bookings, "booking_id,person_id,site_code,slot_start,dose_number,product,status,booked_at\nB9,P9,EVJ,2021-04-01T09:00,1,PFIZER,booked,0001-01-01T00:00\n".into(), "booked_at", "outside the years"),
        (Bookings, "booking_id,person_id,site_code,slot_start,dose_number,product,status\nB9,\"P\u{7}9\",EVJ,2021-04-01T09:00,1,PFIZER,booked\n".into(), "person_id", "control character (U+0007)"),
    ];
    for (kind, body, column, what) in cases {
        let mut f = Fixture::with_base();
        f.rejects(kind, body.as_bytes(), 2, Some(column), what);
    }
    // Line breaks and tabs inside a quoted cell are text (FORMATS.md).
    let mut f = Fixture::with_base();
    f.import(
        Sites,
        "sites.csv",
        "site_code,name,kind,address\nQ2,\"Hall\tB\",pharmacy,\"1 Main St\nUnit 2\"\n".as_bytes(),
    )
    .expect("line breaks and tabs are accepted");
}

#[test]
fn the_missing_note_names_the_first_ten_and_counts_the_rest() {
    let report = |missing: Vec<String>| ImportReport {
        kind: ImportKind::Bookings,
        file: "b.csv".into(),
        sha256: String::new(),
        rows: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        warnings: Vec::new(),
        missing,
    };
    assert_eq!(missing_note(&report(Vec::new())), None);
    let one = missing_note(&report(vec!["B1".into()])).expect("one");
    assert_eq!(
        one,
        "b.csv: 1 imported booking in the store is not in this file and is kept as it was \
             for review: B1"
    );
    let many: Vec<String> = (1..=12).map(|i| format!("B{i:02}")).collect();
    let text = missing_note(&report(many)).expect("many");
    assert!(
        text.starts_with("b.csv: 12 imported bookings in the store are not"),
        "{text}"
    );
    assert!(text.ends_with("B09, B10 and 2 more"), "{text}");
}
