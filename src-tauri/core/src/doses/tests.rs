use super::entry::{record, Tally};
use super::figures::{confirm_day, figures, Series};
use super::flags::{implausible, Day};
use crate::error::Error;
use crate::import::{import_file, ImportKind, Quiet};
use crate::store;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

fn real_provincial_file() -> PathBuf {
    // The real Ontario file (shared/data/on_vaccine_doses.csv), as the demo embeds it.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo/on_vaccine_doses.csv")
}

fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store::open(&dir.path().join("t.sqlite3")).expect("open");
    (dir, conn)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// Record, total and missing days computed here with plain string handling,
/// independently of the importer and the figures code.
fn independent(path: &Path) -> (String, i64, i64, i64) {
    let text = std::fs::read_to_string(path).expect("read");
    let mut days: Vec<(NaiveDate, Option<i64>, Option<i64>)> = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        let num = |i: usize| cells.get(i).and_then(|c| c.trim().parse::<i64>().ok());
        if num(1).is_none() && num(2).is_none() && num(3).is_none() && num(4).is_none() {
            continue;
        }
        let date = NaiveDate::parse_from_str(cells[0], "%Y-%m-%d").expect("date");
        days.push((date, num(1), num(2)));
    }
    let (record_report, record) = days
        .iter()
        .filter_map(|(d, daily, _)| Some((*d, (*daily)?)))
        .max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d)))
        .expect("a daily value");
    let total = days.iter().rev().find_map(|(_, _, t)| *t).expect("total");
    let span = (days[days.len() - 1].0 - days[0].0).num_days() + 1;
    let given = record_report.pred_opt().expect("date").to_string();
    (given, record, total, span - days.len() as i64)
}

#[test]
fn real_provincial_file_gives_the_independently_computed_figures() {
    let (_dir, mut conn) = db();
    let path = real_provincial_file();
    let report = import_file(&mut conn, ImportKind::Provincial, &path, &Quiet).expect("import");
    assert_eq!(report.inserted, 146, "{report:?}");
    let (record_date, record, total, missing) = independent(&path);
    let p = figures(&conn)
        .expect("figures")
        .provincial
        .expect("provincial");
    let rec = p.record_day.expect("record");
    assert_eq!(
        (rec.date.as_str(), rec.doses),
        (record_date.as_str(), record)
    );
    assert_eq!(p.total_doses, Some(total));
    assert_eq!(p.missing_dates, missing);
    assert_eq!(
        (p.first_date.as_str(), p.last_date.as_str()),
        ("2020-12-24", "2021-05-23")
    );
    // The figures as the province published them (checked by hand once).
    assert_eq!(
        (record_date.as_str(), record, total, missing),
        ("2021-05-21", 190_129, 8_065_607, 5)
    );
    // 2020-12-31's daily count disagrees with its cumulative change.
    assert!(
        p.flagged_days.iter().any(|f| f.date == "2020-12-30"),
        "{:?}",
        p.flagged_days
    );
}

#[test]
fn both_layouts_import_and_a_new_release_shows_its_revisions() {
    let (dir, mut conn) = db();
    let older = write(
        dir.path(),
        "old.csv",
        "report_date,previous_day_doses_administered,total_doses_administered,\
         total_doses_in_fully_vaccinated_individuals,total_individuals_fully_vaccinated\r\n\
         2021-03-01,100,1000,,\r\n2021-03-02,110,1110,,\r\n2021-03-04,120,1350,,\r\n,,,,\r\n2021-03-05,,,,\r\n",
    );
    import_file(&mut conn, ImportKind::Provincial, &older, &Quiet).expect("older");
    let p = figures(&conn).expect("f").provincial.expect("p");
    assert_eq!(p.missing_dates, 1);
    assert_eq!(p.last_date, "2021-03-04");
    assert_eq!(
        p.record_day.map(|r| (r.date, r.doses)),
        Some(("2021-03-03".into(), 120))
    );
    // The same file again is not a new release.
    let again = import_file(&mut conn, ImportKind::Provincial, &older, &Quiet).expect("again");
    assert_eq!((again.inserted, again.updated), (0, 0));
    let newer = write(
        dir.path(),
        "new.csv",
        "Report_Date,previous_day_total_doses_administered,previous_day_at_least_one,\
         previous_day_fully_vaccinated,total_doses_administered,total_individuals_at_least_one,\
         total_doses_in_fully_vaccinated_individuals,total_individuals_fully_vaccinated\n\
         2021-03-01,100,90,10,1000,900,20,10\n2021-03-02,115.0,100,15,1115,1000,50,25\n\
         2021-03-03,130,120,10,1245,1120,70,35\n2021-03-04,120,110,10,1365,1230,90,45\n",
    );
    let r = import_file(&mut conn, ImportKind::Provincial, &newer, &Quiet).expect("newer");
    assert_eq!((r.inserted, r.updated), (1, 3), "{r:?}");
    let revisions = super::provincial::revisions(&conn).expect("revisions");
    assert!(revisions.iter().any(|v| v.report_date == "2021-03-02"
        && v.field == "previous_day_doses"
        && v.before == Some(110)
        && v.after == Some(115)));
    let p = figures(&conn).expect("f").provincial.expect("p");
    assert_eq!(p.missing_dates, 0);
    assert_eq!(p.total_doses, Some(1365));
    assert_eq!(p.revised_report_dates, 3);
    assert_eq!(p.record_day.map(|r| r.doses), Some(130));
}

#[test]
fn bad_provincial_files_name_line_and_column_and_change_nothing() {
    let (dir, mut conn) = db();
    let cases = [
        ("report_date,total_doses_administered\n2021-03-01,5\n", 1, "previous_day_total_doses_administered"),
        ("report_date,previous_day_doses_administered\n2021-03-01,5\n", 1, "total_doses_administered"),
        ("report_date,previous_day_doses_administered,total_doses_administered\n2021-03-01,5,5\n2021-13-01,5,10\n", 3, "report_date"),
        ("report_date,previous_day_doses_administered,total_doses_administered\n2021-03-01,5,5\n2021-03-01,6,11\n", 3, "report_date"),
        ("report_date,previous_day_doses_administered,total_doses_administered\n2021-03-01,many,5\n", 2, "previous_day_doses_administered"),
        ("report_date,previous_day_doses_administered,total_doses_administered\n,5,5\n", 2, "report_date"),
    ];
    for (text, line, column) in cases {
        let path = write(dir.path(), "bad.csv", text);
        match import_file(&mut conn, ImportKind::Provincial, &path, &Quiet) {
            Err(Error::Import {
                file,
                line: l,
                column: c,
                ..
            }) => {
                assert_eq!(
                    (file.as_str(), l, c.as_deref()),
                    ("bad.csv", line, Some(column)),
                    "{text}"
                );
            }
            other => panic!("{text}: {other:?}"),
        }
        let n: i64 = conn
            .query_row("SELECT count(*) FROM provincial_release", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0);
    }
}

fn day(d: u32, doses: i64, cumulative: Option<i64>) -> Day {
    Day {
        date: NaiveDate::from_ymd_opt(2021, 4, d).expect("date"),
        doses,
        cumulative,
    }
}

#[test]
fn a_backlog_day_is_flagged_and_kept_out_of_the_record_until_confirmed() {
    let mut days: Vec<Day> = (1..=14)
        .map(|d| day(d, 1000 + d as i64 * 10, None))
        .collect();
    days.push(day(15, 9000, None)); // a backlog counted in one day
    days.push(day(16, 1200, None));
    let flags = implausible(&days);
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].0, 14);
    assert!(flags[0].1.english().contains("median"), "{:?}", flags[0].1);

    // Through the store: tallies at one site, record then confirmation.
    let (_dir, mut conn) = db();
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'A', 'A', 'mass_clinic', 'x')",
    )
    .expect("site");
    for d in &days {
        record(
            &mut conn,
            &Tally {
                site_code: "A".into(),
                date: d.date.to_string(),
                shift: String::new(),
                dose_number: 1,
                product: String::new(),
                doses: d.doses,
            },
            true, // entered as confirmed: these tallies are the test's data
        )
        .expect("tally");
    }
    let f = figures(&conn).expect("figures");
    assert_eq!(f.record_day.as_ref().map(|r| r.doses), Some(1200));
    assert_eq!(f.flagged_days.len(), 1);
    assert_eq!(f.flagged_days[0].date, "2021-04-15");
    assert!(!f.flagged_days[0].confirmed);
    assert_eq!(f.doses_total, days.iter().map(|d| d.doses).sum::<i64>());
    assert_eq!(
        f.last_day.as_ref().map(|d| d.date.as_str()),
        Some("2021-04-16")
    );
    let last7: i64 = days[9..].iter().map(|d| d.doses).sum();
    assert_eq!(
        f.seven_day_avg,
        Some((last7 as f64 / 7.0 * 10.0).round() / 10.0)
    );

    // A mistyped day is refused, naming the one that is flagged.
    let typo = confirm_day(&conn, Series::Regional, "2021-04-14", true).expect_err("not flagged");
    assert_eq!(typo.code(), "invalid_input");
    assert!(typo.to_string().contains("(flagged: 2021-04-15)"), "{typo}");
    confirm_day(&conn, Series::Regional, "2021-04-15", true).expect("confirm");
    let f = figures(&conn).expect("figures");
    assert_eq!(
        f.record_day.map(|r| (r.date, r.doses)),
        Some(("2021-04-15".into(), 9000))
    );
    assert!(f.flagged_days[0].confirmed);
}

#[test]
fn a_daily_value_that_disagrees_with_the_cumulative_change_is_flagged() {
    let days = [
        day(1, 100, Some(1000)),
        day(2, 100, Some(1100)),
        day(3, 500, Some(1200)),
    ];
    let flags = implausible(&days);
    assert_eq!(flags.iter().map(|f| f.0).collect::<Vec<_>>(), vec![2]);
    // Across a gap the cumulative change covers several days: not flagged.
    let days = [day(1, 100, Some(1000)), day(3, 100, Some(1300))];
    assert!(implausible(&days).is_empty());
    // Negative daily counts (corrections) are flagged.
    assert_eq!(implausible(&[day(1, -5, None)]).len(), 1);
}

#[test]
fn a_corrected_tally_keeps_its_history_and_the_totals_follow() {
    let (_dir, mut conn) = db();
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'A', 'A', 'mass_clinic', 'x');
         INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
         VALUES (x'01', 1, '2021-04-01', '08:00', '20:00', 3, 'x');",
    )
    .expect("site and its shift");
    let mut t = Tally {
        site_code: "A".into(),
        date: "2021-04-01".into(),
        shift: "am".into(),
        dose_number: 1,
        product: "pfizer".into(),
        doses: 300,
    };
    assert_eq!(record(&mut conn, &t, false).expect("first").replaced, None);
    t.doses = 320;
    assert_eq!(
        record(&mut conn, &t, false).expect("fix").replaced,
        Some(300)
    );
    t.doses = 310;
    assert_eq!(
        record(&mut conn, &t, false).expect("fix").replaced,
        Some(320)
    );
    let rows = super::entry::site_day(&conn, "A", "2021-04-01").expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].tally.product, "PFIZER");
    assert_eq!(rows[0].history, vec![320, 300]);
    assert_eq!(figures(&conn).expect("f").doses_total, 310);
    let gaps = super::reconcile::reconcile(&conn, "2021-04-01", "2021-04-30", 10).expect("gaps");
    assert_eq!(gaps.len(), 1);
    assert_eq!(
        (gaps[0].tallied, gaps[0].attended, gaps[0].difference),
        (310, 0, 310)
    );
    // Bad entries are refused with a reason.
    t.site_code = "NOPE".into();
    assert!(matches!(
        record(&mut conn, &t, false),
        Err(Error::NotFound(_))
    ));
    t.site_code = "A".into();
    t.dose_number = 4;
    assert!(matches!(
        record(&mut conn, &t, false),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn a_repeated_tally_names_its_first_line_whether_the_table_is_empty_or_not() {
    let (dir, mut conn) = db();
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'A', 'A', 'mass_clinic', 'x')",
    )
    .expect("site");
    let dup = write(
        dir.path(),
        "dup.csv",
        "date,site_code,shift,dose_number,doses\n2021-04-01,A,am,1,5\n2021-04-01,A,pm,1,6\n\
         2021-04-02,A,am,1,7\n2021-04-01,A,pm,1,8\n",
    );
    let expect_dup =
        |conn: &mut Connection| match import_file(conn, ImportKind::DoseCounts, &dup, &Quiet) {
            Err(Error::Import { line, message, .. }) => {
                assert_eq!(line, 5);
                assert!(message.contains("already on line 3"), "{message}");
            }
            other => panic!("{other:?}"),
        };
    expect_dup(&mut conn); // bulk path: empty table
    let n: i64 = conn
        .query_row("SELECT count(*) FROM dose_count", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 0, "nothing kept");
    // The secondary index and the triggers are back after the rollback.
    let objects: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'dose_count' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    // The key and held indexes, the three day-total triggers and the two
    // that record changes for sync.
    assert_eq!(objects, 7);
    let ok = write(
        dir.path(),
        "ok.csv",
        "date,site_code,dose_number,doses\n2021-03-01,A,1,3\n",
    );
    import_file(&mut conn, ImportKind::DoseCounts, &ok, &Quiet).expect("bulk");
    assert_eq!(
        figures(&conn).expect("f").doses_total,
        3,
        "totals rebuilt after a bulk load"
    );
    expect_dup(&mut conn); // row-by-row path
}

/// A bulk load writes thousands of rows to a batch: a repeat in a later
/// batch than its first copy, with blank lines before both, still names
/// the lines a reader of the file would count, and keeps nothing.
#[test]
fn a_repeat_far_into_a_large_file_names_the_lines_the_file_has() {
    let (dir, mut conn) = db();
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'A', 'A', 'mass_clinic', 'x')",
    )
    .expect("site");
    let key = |i: usize| {
        let date =
            NaiveDate::from_ymd_opt(2021, 1, 1).expect("date") + chrono::Days::new((i / 6) as u64);
        format!("{date},A,{},{}", ["am", "pm"][(i / 3) % 2], i % 3 + 1)
    };
    // The first copy in an earlier batch, then in the repeat's own batch.
    for (first, repeat) in [(5_000, 15_000), (9_000, 15_000)] {
        let mut text = String::from("date,site_code,shift,dose_number,doses\n");
        // Line numbers counted as the file is written, not from the importer.
        let (mut line, mut lines_of) = (1, std::collections::HashMap::new());
        for i in 0..20_000 {
            if i == 50 || i == 12_345 {
                text.push('\n');
                line += 1;
            }
            let k = if i == repeat { key(first) } else { key(i) };
            text.push_str(&format!("{k},1\n"));
            line += 1;
            lines_of.insert(i, line);
        }
        let path = write(dir.path(), "large.csv", &text);
        match import_file(&mut conn, ImportKind::DoseCounts, &path, &Quiet) {
            Err(Error::Import { line, message, .. }) => {
                assert_eq!(line, lines_of[&repeat]);
                let expected = format!("already on line {}", lines_of[&first]);
                assert!(message.contains(&expected), "{message}, not {expected}");
            }
            other => panic!("{other:?}"),
        }
        let n: i64 = conn
            .query_row("SELECT count(*) FROM dose_count", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0, "nothing kept");
    }
}

/// A site with one 09:00–13:00 shift of 2 vaccinators on 2021-04-10 and
/// 4 vaccinators on the 14 days before it, 5 minutes a dose.
fn guarded_site() -> (tempfile::TempDir, Connection) {
    let (dir, conn) = db();
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'A', 'A', 'mass_clinic', 'x');
         INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
         VALUES (x'01', 1, '2021-04-10', '09:00', '13:00', 2, 'x');",
    )
    .expect("site");
    for d in 1..=9 {
        conn.execute(
            "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
             VALUES (randomblob(16), 1, ?1, '09:00', '13:00', 4, 'x')",
            [format!("2021-04-{d:02}")],
        )
        .expect("shift");
    }
    (dir, conn)
}

fn tally(date: &str, shift: &str, doses: i64) -> Tally {
    Tally {
        site_code: "A".into(),
        date: date.into(),
        shift: shift.into(),
        dose_number: 1,
        product: String::new(),
        doses,
    }
}

/// The margin written out from the rule the module documents: the day's
/// shifts give vaccinators × minutes ÷ minutes per dose (FORMATS.md), and a
/// day may exceed that by 25 % and 10 doses before a person must confirm.
fn limit_by_hand(vaccinators: i64, minutes: i64) -> i64 {
    let capacity = vaccinators * minutes / 5;
    capacity + capacity / 4 + 10
}

#[test]
fn a_tally_beyond_the_days_capacity_needs_confirmation_and_is_not_written() {
    let (_dir, mut conn) = guarded_site();
    let limit = limit_by_hand(2, 240); // 96 places: 130
    assert_eq!(limit, 130);
    // Two shift tallies that together reach the limit are fine.
    record(&mut conn, &tally("2021-04-10", "am", 100), false).expect("am");
    record(&mut conn, &tally("2021-04-10", "pm", limit - 100), false).expect("pm");
    // One dose more, even as a correction of one of them, is refused.
    let err = record(&mut conn, &tally("2021-04-10", "pm", limit - 99), false)
        .expect_err("over the limit");
    assert_eq!(err.code(), "needs_confirmation");
    assert!(err.to_string().contains("capacity of 96"), "{err}");
    assert_eq!(figures(&conn).expect("f").doses_total, limit);
    // The typo of the review: 99,999 for a shift of 96 places.
    let typo = record(&mut conn, &tally("2021-04-10", "am", 99_999), false);
    assert_eq!(typo.expect_err("typo").code(), "needs_confirmation");
    assert_eq!(figures(&conn).expect("f").doses_total, limit);
    let rows = super::entry::site_day(&conn, "A", "2021-04-10").expect("rows");
    assert_eq!(rows.iter().map(|r| r.tally.doses).sum::<i64>(), limit);
    // Confirmed, it counts.
    record(&mut conn, &tally("2021-04-10", "pm", limit - 99), true).expect("confirmed");
    assert_eq!(figures(&conn).expect("f").doses_total, limit + 1);
    // Lowering a count never needs confirmation.
    record(&mut conn, &tally("2021-04-10", "pm", 1), false).expect("lower");
}

#[test]
fn a_day_far_above_the_sites_recent_days_needs_confirmation() {
    let (_dir, mut conn) = guarded_site();
    // Nine days of about 50 doses (capacity 192 each).
    for d in 1..=9 {
        record(
            &mut conn,
            &tally(&format!("2021-04-{d:02}"), "", 45 + d),
            false,
        )
        .expect("day");
    }
    // Median of the nine: 50. A day of 3 × 50 + 1 with at least 100 more
    // is out of range even where capacity would allow it (2021-04-09 has
    // 192 places: 151 fits).
    let err = record(&mut conn, &tally("2021-04-09", "pm", 151 - 54), false)
        .expect_err("far above the recent days");
    assert_eq!(err.code(), "needs_confirmation");
    assert!(err.to_string().contains("median"), "{err}");
    // 150 (exactly 3×) is not.
    let fine = record(&mut conn, &tally("2021-04-09", "pm", 150 - 54), false);
    assert!(fine.is_ok(), "{fine:?}");
}

#[test]
fn a_withdrawn_tally_is_kept_counts_nowhere_and_can_come_back() {
    let (_dir, mut conn) = guarded_site();
    record(&mut conn, &tally("2021-04-10", "am", 80), false).expect("am");
    record(&mut conn, &tally("2021-04-10", "pm", 20), false).expect("pm");
    assert_eq!(figures(&conn).expect("f").doses_total, 100);
    assert_eq!(
        super::entry::withdraw(&mut conn, &tally("2021-04-10", "am", 0)).expect("withdraw"),
        80
    );
    // Out of every total: figures, the per-day series behind charts and
    // reconciliation, and a recount of the raw table by hand.
    assert_eq!(figures(&conn).expect("f").doses_total, 20);
    assert_eq!(administered_on(&conn, "2021-04-10"), 20);
    let rows = super::entry::site_day(&conn, "A", "2021-04-10").expect("rows");
    let am = rows.iter().find(|r| r.tally.shift == "am").expect("kept");
    assert!(am.withdrawn);
    assert_eq!(am.history, vec![80]);
    // Withdrawing it twice is an error; entering it again brings it back.
    let again = super::entry::withdraw(&mut conn, &tally("2021-04-10", "am", 0));
    assert_eq!(again.expect_err("twice").code(), "not_found");
    record(&mut conn, &tally("2021-04-10", "am", 80), false).expect("back");
    assert_eq!(figures(&conn).expect("f").doses_total, 100);
    // A bulk recount agrees with the triggers.
    let tx = conn.transaction().expect("tx");
    crate::day_totals::rebuild_administered(&tx).expect("rebuild");
    tx.commit().expect("commit");
    assert_eq!(figures(&conn).expect("f").doses_total, 100);
}

/// The day total of one date at site A, read from the kept daily totals.
fn administered_on(conn: &Connection, date: &str) -> i64 {
    conn.query_row(
        "SELECT administered FROM site_day WHERE date = ?1",
        [date],
        |r| r.get(0),
    )
    .expect("site_day")
}

#[test]
fn an_implausible_imported_tally_is_held_out_of_every_total_until_confirmed() {
    let (dir, mut conn) = guarded_site();
    // Into an empty table (the bulk path): the review's typo, 99,999 for a
    // 96-place shift, beside plausible tallies.
    let first = write(
        dir.path(),
        "dose_counts.csv",
        "date,site_code,shift,dose_number,product,doses\n\
         2021-04-09,A,am,1,,150\n\
         2021-04-10,A,am,1,,99999\n\
         2021-04-10,A,pm,1,,20\n",
    );
    let report = import_file(&mut conn, ImportKind::DoseCounts, &first, &Quiet).expect("import");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("1 tally held")),
        "{:?}",
        report.warnings
    );
    // What counts is what this test wrote as plausible: 150 + 20.
    let f = figures(&conn).expect("figures");
    assert_eq!(f.doses_total, 170);
    assert_eq!(f.held_tallies, 1);
    assert_eq!(administered_on(&conn, "2021-04-10"), 20);
    let rows = super::entry::site_day(&conn, "A", "2021-04-10").expect("rows");
    let am = rows.iter().find(|r| r.tally.shift == "am").expect("kept");
    assert!(am.held && !am.withdrawn, "{am:?}");
    // Entered again without confirmation it is still refused and still held.
    let again = record(&mut conn, &tally("2021-04-10", "am", 99_999), false);
    assert_eq!(again.expect_err("held").code(), "needs_confirmation");
    assert_eq!(figures(&conn).expect("figures").held_tallies, 1);
    // Confirmed as it stands, it counts everywhere.
    record(&mut conn, &tally("2021-04-10", "am", 99_999), true).expect("confirm");
    let f = figures(&conn).expect("figures");
    assert_eq!((f.doses_total, f.held_tallies), (170 + 99_999, 0));
    assert_eq!(administered_on(&conn, "2021-04-10"), 99_999 + 20);

    // Into a table that holds tallies (the upsert path): a later file
    // corrects pm to 5,000. It is held; the confirmed am is left alone.
    let second = write(
        dir.path(),
        "dose_counts_2.csv",
        "date,site_code,shift,dose_number,product,doses\n2021-04-10,A,pm,1,,5000\n",
    );
    let report = import_file(&mut conn, ImportKind::DoseCounts, &second, &Quiet).expect("import");
    assert!(report
        .warnings
        .iter()
        .any(|w| w.starts_with("1 tally held")));
    let f = figures(&conn).expect("figures");
    assert_eq!((f.doses_total, f.held_tallies), (150 + 99_999, 1));
    // A recount from the raw table agrees with the triggers.
    let tx = conn.transaction().expect("tx");
    crate::day_totals::rebuild_administered(&tx).expect("rebuild");
    tx.commit().expect("commit");
    assert_eq!(figures(&conn).expect("figures").doses_total, 150 + 99_999);
    // Withdrawn, a held tally leaves the count of those awaiting confirmation.
    super::entry::withdraw(&mut conn, &tally("2021-04-10", "pm", 0)).expect("withdraw");
    assert_eq!(figures(&conn).expect("figures").held_tallies, 0);
}

#[test]
fn history_without_shifts_imports_without_holds() {
    // Tallies of days whose shifts were never loaded are not judged against
    // zero places: the chart benchmark and old exports import whole.
    let (dir, mut conn) = db();
    conn.execute(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'00', 'B', 'B', 'mass_clinic', 'x')",
        [],
    )
    .expect("site");
    let mut csv = String::from("date,site_code,shift,dose_number,product,doses\n");
    for d in 1..=20 {
        csv.push_str(&format!("2021-05-{d:02},B,,1,,{}\n", 900 + d));
    }
    let file = write(dir.path(), "dose_counts.csv", &csv);
    let report = import_file(&mut conn, ImportKind::DoseCounts, &file, &Quiet).expect("import");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let expected: i64 = (1..=20).map(|d| 900 + d).sum();
    let f = figures(&conn).expect("figures");
    assert_eq!((f.doses_total, f.held_tallies), (expected, 0));
}

#[test]
fn the_form_offers_the_site_days_shifts_then_the_labels_its_tallies_use() {
    let (_dir, mut conn) = guarded_site();
    conn.execute(
        "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
         VALUES (randomblob(16), 1, '2021-04-10', '14:00', '18:00', 2, 'x')",
        [],
    )
    .expect("shift");
    record(&mut conn, &tally("2021-04-10", "am", 10), false).expect("am");
    record(&mut conn, &tally("2021-04-10", "09:00–13:00", 10), false).expect("hours");
    let labels: Vec<String> = super::entry::shift_choices(&conn, "A", "2021-04-10")
        .expect("choices")
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(labels, ["09:00–13:00", "14:00–18:00", "am"]);
    let none = super::entry::shift_choices(&conn, "A", "2021-05-01").expect("none");
    assert!(none.is_empty());
}
