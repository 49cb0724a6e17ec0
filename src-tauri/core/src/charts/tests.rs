use super::*;
use crate::doses::entry::{record, Tally};
use crate::store;

fn date(s: &str) -> NaiveDate {
    crate::time::parse_date(s).expect("date")
}

/// Site A: 2 vaccinators 09:00–17:00 at 5 minutes a dose (192 doses) each
/// day of April 2021, 100 + 5·d doses given, 150 booked on the 10th.
fn store_with_april() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = store::open(&dir.path().join("c.sqlite3")).expect("open");
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at)
         VALUES (x'01', 'A', 'Clinic A', 'mass_clinic', 'x'), (x'02', 'B', 'Pharmacy B', 'pharmacy', 'x')",
    )
    .expect("sites");
    for d in 1..=30 {
        let day = format!("2021-04-{d:02}");
        conn.execute(
            "INSERT INTO shift (uuid, site_id, date, start, end, vaccinators, updated_at)
             VALUES (randomblob(16), 1, ?1, '09:00', '17:00', 2, 'x')",
            [&day],
        )
        .expect("shift");
        for (site, doses) in [("A", 100 + 5 * d), ("B", 10)] {
            record(
                &mut conn,
                &Tally {
                    site_code: site.into(),
                    date: day.clone(),
                    shift: String::new(),
                    dose_number: 1,
                    product: String::new(),
                    doses,
                },
                true, // entered as confirmed: these tallies are the test's data
            )
            .expect("tally");
        }
    }
    let slot = crate::time::minute_of(
        crate::time::parse_local_datetime("2021-04-10T09:00").expect("slot"),
    );
    for i in 0..150 {
        conn.execute(
            "INSERT INTO appointment (uuid, person_id, site_id, slot_minute, dose_number, product, status, updated_at)
             VALUES (randomblob(16), ?1, 1, ?2, 1, 'PFIZER', 'booked', 'x')",
            rusqlite::params![format!("p{i}"), slot + 5 * (i % 96)],
        )
        .expect("appointment");
    }
    (dir, conn)
}

fn request(kind: ChartKind, from: &str, to: &str, site: Option<&str>, lang: Lang) -> ChartRequest {
    ChartRequest {
        kind,
        from: date(from),
        to: date(to),
        site: site.map(str::to_owned),
        lang,
    }
}

#[test]
fn daily_chart_draws_every_day_with_its_numbers_and_marks_the_record() {
    let (_dir, conn) = store_with_april();
    let chart = svg(
        &conn,
        &request(ChartKind::Daily, "2021-04-01", "2021-04-30", None, Lang::En),
    )
    .expect("chart");
    assert_eq!(chart.days.len(), 30);
    assert_eq!(chart.bars.len(), 30);
    assert!(chart
        .bars
        .windows(2)
        .all(|w| w[0].x1 <= w[1].x0 + 1 && w[0].x0 < w[1].x0));
    let tenth = &chart.days[9];
    assert_eq!(
        (tenth.administered, tenth.booked, tenth.capacity),
        (160, 150, 192)
    );
    // The 7-day average of the 7th: days 1..7 of A (105..135) and B (10 each).
    assert!((chart.days[6].avg7.expect("7 days") - (105.0 + 135.0) / 2.0 - 10.0).abs() < 1e-9);
    assert_eq!(chart.days[5].avg7, None, "the series is 6 days old");
    // Record: the last day, 250 + 10 at two sites.
    assert!(chart.svg.contains("Record 260 · Apr 30"), "record label");
    assert!(chart
        .svg
        .contains("Daily doses administered — all sites, April 1, 2021 – April 30, 2021"));
    assert!(chart.svg.contains("DejaVu Sans, Verdana, sans-serif"));
    assert!(chart.svg.starts_with("<svg"));
    let one_site = svg(
        &conn,
        &request(
            ChartKind::Daily,
            "2021-04-01",
            "2021-04-30",
            Some("B"),
            Lang::Fr,
        ),
    )
    .expect("chart");
    assert!(one_site
        .svg
        .contains("Doses administrées par jour — Pharmacy B, 1 avril 2021 – 30 avril 2021"));
    assert_eq!(one_site.days[0].administered, 10);
}

#[test]
fn cumulative_and_site_charts_draw() {
    let (_dir, conn) = store_with_april();
    let c = data::cumulative(&conn, date("2021-04-05"), date("2021-04-30"), None).expect("data");
    // Doses before the range count toward the cumulative total.
    let before: i64 = (1..=5).map(|d| 110 + 5 * d).sum();
    assert_eq!(c.points[0].1, before);
    assert!(!c.has_provincial);
    let chart = svg(
        &conn,
        &request(
            ChartKind::Cumulative,
            "2021-04-05",
            "2021-04-30",
            None,
            Lang::En,
        ),
    )
    .expect("chart");
    assert!(chart.svg.contains("No provincial series loaded"));
    let sites = svg(
        &conn,
        &request(ChartKind::Sites, "2021-04-01", "2021-04-30", None, Lang::En),
    )
    .expect("chart");
    assert!(
        sites.svg.contains("A · Clinic A · 5,325"),
        "site A's total in its panel title"
    );
    assert!(sites.svg.contains("B · Pharmacy B · 300"));
}

#[test]
fn png_export_writes_a_png_and_bad_requests_say_why() {
    let (dir, conn) = store_with_april();
    let req = request(ChartKind::Daily, "2021-04-01", "2021-04-30", None, Lang::En);
    let png = dir.path().join("daily.png");
    export(&conn, &req, &png).expect("png");
    let bytes = std::fs::read(&png).expect("read");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Width and height in the IHDR chunk.
    assert_eq!(
        u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]),
        SLIDE.0
    );
    let svg_path = dir.path().join("daily.svg");
    export(&conn, &req, &svg_path).expect("svg");
    assert!(std::fs::read_to_string(&svg_path)
        .expect("read")
        .contains("<svg"));
    assert!(matches!(
        export(&conn, &req, &dir.path().join("daily.gif")),
        Err(Error::InvalidInput(_))
    ));
    let missing = dir.path().join("no/such/dir/daily.png");
    assert!(matches!(
        export(&conn, &req, &missing),
        Err(Error::Io { .. })
    ));
    let backwards = request(ChartKind::Daily, "2021-04-30", "2021-04-01", None, Lang::En);
    assert!(matches!(
        svg(&conn, &backwards),
        Err(Error::InvalidInput(_))
    ));
    let unknown = request(
        ChartKind::Daily,
        "2021-04-01",
        "2021-04-30",
        Some("ZZZ"),
        Lang::En,
    );
    assert!(matches!(svg(&conn, &unknown), Err(Error::NotFound(_))));
}

/// Exported charts carry the DEMO band on demo data and a source line
/// naming the imported files; a real store's charts carry no DEMO band.
#[test]
fn exports_carry_the_demo_band_and_their_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut demo = store::open(&dir.path().join("demo.sqlite3")).expect("open");
    crate::demo::load(&mut demo, &crate::import::Quiet).expect("demo");
    let req = request(ChartKind::Daily, "2021-03-15", "2021-03-29", None, Lang::En);
    let svg = dir.path().join("demo.svg");
    export(&demo, &req, &svg).expect("svg");
    let text = std::fs::read_to_string(&svg).expect("read");
    assert!(
        text.contains("DEMO DATA — not real figures"),
        "the demo band"
    );
    assert!(
        text.contains("Source: DoseDesk, from demo_dose_counts.csv, demo_bookings.csv"),
        "the source line"
    );
    let png = dir.path().join("demo.png");
    export(&demo, &req, &png).expect("png");
    assert_eq!(&std::fs::read(&png).expect("png")[1..4], b"PNG");

    let (_real_dir, real) = store_with_april();
    let svg = dir.path().join("real.svg");
    export(
        &real,
        &request(ChartKind::Daily, "2021-04-01", "2021-04-30", None, Lang::Fr),
        &svg,
    )
    .expect("svg");
    let text = std::fs::read_to_string(&svg).expect("read");
    assert!(!text.contains("DÉMONSTRATION"), "no demo band on real data");
    assert!(
        text.contains("Source : DoseDesk"),
        "the source line in French"
    );
}

/// The legend names only the series drawn: April has every one; May, after
/// the last tally, booking and shift, has none; the briefing's legend is
/// the same list.
#[test]
fn the_legend_names_only_what_is_drawn() {
    let (_dir, conn) = store_with_april();
    let words = [
        "Doses administered",
        "Booked appointments",
        "7-day average",
        "Capacity",
    ];
    let april = svg(
        &conn,
        &request(ChartKind::Daily, "2021-04-01", "2021-04-30", None, Lang::En),
    )
    .expect("april");
    for w in words {
        assert!(april.svg.contains(w), "April's legend has {w}");
    }
    let labels = |c: &SvgChart| -> Vec<&str> {
        super::daily::legend(Lang::En, c.drawn.expect("a daily chart"))
            .iter()
            .map(|e| e.label)
            .collect()
    };
    assert_eq!(
        labels(&april),
        [
            "Doses administered",
            "Capacity",
            "Booked appointments",
            "7-day average",
            "Record"
        ]
    );
    let may = svg(
        &conn,
        &request(ChartKind::Daily, "2021-05-01", "2021-05-31", None, Lang::En),
    )
    .expect("may");
    for w in words {
        assert!(!may.svg.contains(w), "May draws no {w}");
    }
    assert!(labels(&may).is_empty());
}

/// A range with nothing in it draws no legend: plotters drew an empty box
/// over the axes (seen on a new store's Dashboard).
#[test]
fn an_empty_daily_chart_has_no_legend_box() {
    let (_dir, conn) = store_with_april();
    // The legend's background: white at 85 %.
    let legend = "opacity=\"0.85\"";
    let april = svg(
        &conn,
        &request(ChartKind::Daily, "2021-04-01", "2021-04-30", None, Lang::En),
    )
    .expect("chart");
    assert!(
        april.svg.contains(legend),
        "a chart with data has its legend"
    );
    let january = svg(
        &conn,
        &request(ChartKind::Daily, "2022-01-01", "2022-01-31", None, Lang::En),
    )
    .expect("chart");
    assert!(
        !january.svg.contains(legend),
        "an empty chart draws no legend box"
    );
}
