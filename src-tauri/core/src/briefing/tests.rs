//! The briefing read back as officials would: text extracted from the PDF
//! (poppler's pdftotext) must carry the right figures in each language, the
//! page must be one Letter page, and no personal information may appear.

use super::*;
use crate::import::Quiet;
use std::process::Command;

fn demo() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = crate::store::open(&dir.path().join("demo.sqlite3")).expect("open");
    crate::demo::load(&mut conn, &Quiet).expect("demo");
    (dir, conn)
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} (Debian package poppler-utils; `make test` installs it): {e}")
    });
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Figures computed here from the raw rows, independently of the briefing code.
struct Expected {
    total: i64,
    record: (String, i64),
    booked_next7: i64,
}

fn expected(conn: &Connection, date: &str) -> Expected {
    let total = conn
        .query_row(
            "SELECT sum(doses) FROM dose_count WHERE date <= ?1",
            [date],
            |r| r.get(0),
        )
        .expect("total");
    let record = conn
        .query_row(
            "SELECT date, sum(doses) AS n FROM dose_count WHERE date <= ?1
             GROUP BY date ORDER BY n DESC, date LIMIT 1",
            [date],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("record");
    let day = crate::time::parse_date(date).expect("date");
    let from = crate::time::day_start_minute(day) + 24 * 60;
    let booked_next7 = conn
        .query_row(
            "SELECT count(*) FROM appointment WHERE slot_minute >= ?1 AND slot_minute < ?2
             AND status IN ('booked', 'attended')",
            [from, from + 7 * 24 * 60],
            |r| r.get(0),
        )
        .expect("booked");
    Expected {
        total,
        record,
        booked_next7,
    }
}

fn brief(conn: &Connection, dir: &std::path::Path, lang: Lang, ext: &str) -> std::path::PathBuf {
    let path = dir.join(format!("brief-{lang:?}.{ext}"));
    let req = BriefRequest {
        date: crate::time::parse_date("2021-03-22").expect("date"),
        lang,
    };
    write(conn, &req, &path).expect("briefing");
    path
}

/// pdftotext turns the no-break spaces of French numbers into spaces.
fn squash(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

#[test]
fn the_pdf_carries_the_figures_in_english_and_french_on_one_page() {
    let (dir, conn) = demo();
    let want = expected(&conn, "2021-03-22");
    let record_day = crate::time::parse_date(&want.record.0).expect("date");

    let en = brief(&conn, dir.path(), Lang::En, "pdf");
    let text = squash(&tool("pdftotext", &[en.to_str().expect("path"), "-"]));
    assert!(text.contains("Vaccination clinics — briefing"), "{text}");
    assert!(text.contains("DEMO DATA"), "the demo is labelled");
    assert!(
        text.contains(&Lang::En.group(want.total)),
        "total {} in {text}",
        want.total
    );
    assert!(
        text.contains(&Lang::En.group(want.record.1)),
        "record {:?}",
        want.record
    );
    assert!(
        text.contains(&Lang::En.date_long(record_day)),
        "record date"
    );
    assert!(
        text.contains(&format!("{} /", Lang::En.group(want.booked_next7))),
        "booked next 7 days"
    );
    assert!(text.contains("SHA-256"));
    let info = tool("pdfinfo", &[en.to_str().expect("path")]);
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    // The chart is vector: its labels are text in the PDF, not pixels.
    assert!(
        text.contains(&format!("Record {}", Lang::En.group(want.record.1))),
        "the chart's record label: {text}"
    );

    let fr = brief(&conn, dir.path(), Lang::Fr, "pdf");
    let text = squash(&tool("pdftotext", &[fr.to_str().expect("path"), "-"]));
    assert!(
        text.contains("Cliniques de vaccination — note d'information"),
        "{text}"
    );
    assert!(
        text.contains(&squash(&Lang::Fr.group(want.total))),
        "total {} in {text}",
        want.total
    );
    assert!(
        text.contains(&Lang::Fr.date_long(record_day)),
        "date in French: {text}"
    );
    assert!(text.contains("Moyenne sur 7 jours"));
    // One page when rendered, too.
    let prefix = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "30",
            "-png",
            fr.to_str().expect("path"),
            prefix.to_str().expect("path"),
        ],
    );
    let pages = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("page"))
        })
        .count();
    assert_eq!(pages, 1);
}

#[test]
fn no_personal_information_reaches_the_page() {
    let (dir, conn) = demo();
    let pdf = brief(&conn, dir.path(), Lang::En, "pdf");
    let text = tool("pdftotext", &[pdf.to_str().expect("path"), "-"]);
    let mut stmt = conn
        .prepare(
            "SELECT person_id, phone, birth_date FROM person WHERE phone IS NOT NULL LIMIT 200",
        )
        .expect("people");
    let people: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert!(!people.is_empty());
    for (id, phone, birth) in people {
        assert!(!text.contains(&id), "person id {id} printed");
        assert!(!text.contains(&phone), "phone {phone} printed");
        if let Some(b) = birth {
            assert!(!text.contains(&b), "birth date {b} printed");
        }
    }
}

#[test]
fn the_png_is_the_page_for_slides() {
    let (dir, conn) = demo();
    let png = brief(&conn, dir.path(), Lang::Fr, "png");
    let bytes = std::fs::read(png).expect("read");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!((width, height), (1224, 1584));
    let bad = write(
        &conn,
        &BriefRequest {
            date: crate::time::parse_date("2021-03-22").expect("date"),
            lang: Lang::En,
        },
        &dir.path().join("brief.docx"),
    );
    assert!(matches!(bad, Err(Error::InvalidInput(_))));
}

#[test]
fn everything_stays_on_the_page_with_plans_saved() {
    let (_dir, conn) = demo();
    // Long plan lines: a saved shift plan and a saved siting plan.
    let request: crate::shift_plan::ShiftPlanRequest = serde_json::from_value(serde_json::json!({
        "from": "2021-04-01", "to": "2021-04-30"
    }))
    .expect("request");
    let plan = crate::shift_plan::plan_shifts(&conn, &request, &crate::job::Quiet).expect("plan");
    assert_eq!(
        plan.gap,
        Some(0.0),
        "the demo's April plan is proven optimal"
    );
    crate::shift_plan::scenario::save(
        &conn,
        "April with a very long scenario name for the officials",
        &request,
        &plan,
    )
    .expect("save");
    let options = crate::siting::SitingOptions::new(3, 3.0, crate::siting::Objective::Coverage);
    let report = crate::siting::plan_from_db(&conn, &options, &crate::job::Quiet).expect("siting");
    crate::siting::scenario::save(&conn, "Three pharmacies", &options, &report).expect("save");
    for lang in [Lang::En, Lang::Fr] {
        let svg = page_svg(
            &conn,
            &BriefRequest {
                date: crate::time::parse_date("2021-03-22").expect("date"),
                lang,
            },
        )
        .expect("page");
        // Every line of text sits inside the page's bottom margin.
        let lowest = svg
            .split("<text ")
            .skip(1)
            .filter_map(|t| {
                t.split("y=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<f64>()
                    .ok()
            })
            .fold(0.0, f64::max);
        assert!(
            lowest > 700.0 && lowest < 792.0 - 12.0,
            "{lang:?}: lowest text at {lowest}"
        );
        assert!(svg.contains("Three pharmacies"));
        // Both plans were solved exactly, and the officials are told so on
        // each plan's line.
        let proven = if lang == Lang::En {
            "Proven"
        } else {
            "prouvé"
        };
        assert_eq!(
            svg.matches(proven).count(),
            2,
            "{lang:?}: the shift and site plans' proofs"
        );
    }
}

/// Booked and capacity per day, from the raw rows by FORMATS.md's rule
/// (an explicit shift capacity, else vaccinators × minutes ÷ minutes per dose).
fn load_by_day(conn: &Connection, date: &str) -> Vec<(i64, i64)> {
    let day = crate::time::parse_date(date).expect("date");
    (1..=7)
        .map(|i| {
            let d = day + chrono::Duration::days(i);
            let start = crate::time::day_start_minute(d);
            let booked: i64 = conn
                .query_row(
                    "SELECT count(*) FROM appointment WHERE slot_minute >= ?1 AND slot_minute < ?2
                     AND status IN ('booked', 'attended')",
                    [start, start + 24 * 60],
                    |r| r.get(0),
                )
                .expect("booked");
            let capacity: i64 = conn
                .query_row(
                    "SELECT coalesce(sum(coalesce(sh.capacity, CAST(sh.vaccinators *
                        ((CAST(substr(sh.end, 1, 2) AS INTEGER) * 60 + CAST(substr(sh.end, 4, 2) AS INTEGER))
                       - (CAST(substr(sh.start, 1, 2) AS INTEGER) * 60 + CAST(substr(sh.start, 4, 2) AS INTEGER)))
                        / s.minutes_per_dose + 1e-9 AS INTEGER))), 0)
                     FROM shift sh JOIN site s ON s.id = sh.site_id WHERE sh.date = ?1",
                    [d.to_string()],
                    |r| r.get(0),
                )
                .expect("capacity");
            (booked, capacity)
        })
        .collect()
}

/// People with an active first dose and no active second, counted here in SQL.
fn first_doses_without_second(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT count(DISTINCT a.person_id) FROM appointment a
         WHERE a.dose_number = 1 AND a.status IN ('booked', 'attended')
           AND NOT EXISTS (SELECT 1 FROM appointment b WHERE b.person_id = a.person_id
                           AND b.dose_number = 2 AND b.status IN ('booked', 'attended'))",
        [],
        |r| r.get(0),
    )
    .expect("orphans")
}

/// The review's list for the incident's eve: each day's share with the
/// days over capacity marked, the overbooked sites named with the people
/// each must move, the calls' progress, the same first-dose count as the
/// Checks view, small counts shown as <10 — in English and in French.
#[test]
fn the_briefing_shows_the_crisis_day_by_day_and_site_by_site() {
    let (dir, mut conn) = demo();
    let date = "2021-03-22";
    // Calls: 12 declined, 3 unreachable (a small count), among the excess.
    let query = crate::checks::CheckQuery {
        from: Some(date.into()),
        to: None,
        site: None,
    };
    let plan = crate::rebook::plan(&conn, &query).expect("rebook");
    let excess_total = plan.total;
    for (i, p) in plan.proposals.iter().take(15).enumerate() {
        let outcome = if i < 12 {
            "reached_declined"
        } else {
            "unreachable"
        };
        crate::rebook::record(
            &mut conn,
            &crate::rebook::CallOutcome {
                appointment_id: p.appointment_id,
                outcome: outcome.into(),
                to_site: None,
                to_slot: None,
                note: None,
                call_back_at: None,
            },
        )
        .expect("call");
    }
    let loads = load_by_day(&conn, date);
    let over: Vec<(String, i64)> = excess_by_site(&conn, date);
    assert_eq!(over.len(), 2, "NSP and EVJ: {over:?}");
    let orphans = first_doses_without_second(&conn);
    let checks_view =
        crate::checks::for_view(&conn, &crate::checks::CheckQuery::default()).expect("checks");
    assert_eq!(
        checks_view.orphan_first_doses, orphans,
        "the Checks view's count"
    );

    for lang in [Lang::En, Lang::Fr] {
        let pdf = brief(&conn, dir.path(), lang, "pdf");
        let text = squash(&tool("pdftotext", &[pdf.to_str().expect("path"), "-"]));
        let g = |n: i64| squash(&lang.group(n));
        let pct = |n: i64| squash(&lang.percent(n));
        // Each day's share; three days over capacity, marked as such.
        let mut days_over = 0;
        for (booked, capacity) in &loads {
            assert!(*capacity > 0);
            let share = pct(booked * 100 / capacity);
            assert!(text.contains(&share), "{lang:?}: {share} missing");
            days_over += i64::from(booked > capacity);
        }
        assert_eq!(days_over, 3);
        let marked = match lang {
            Lang::En => "3 days over capacity",
            Lang::Fr => "3 jours en surcapacité",
        };
        assert!(text.contains(marked), "{lang:?}: {marked}");
        // The overbooked sites by name, with the people each must move.
        for (code, people) in &over {
            let name: String = conn
                .query_row("SELECT name FROM site WHERE code = ?1", [code], |r| {
                    r.get(0)
                })
                .expect("name");
            let words = match lang {
                Lang::En => format!("{code} {name} {} people", g(*people)),
                Lang::Fr => format!("{code} {name} {} personnes", g(*people)),
            };
            assert!(
                squash(&text.replace('\n', " ")).contains(&words),
                "{lang:?}: {words}"
            );
        }
        // The calls: 12 declined shown, 3 unreachable shown as <10, the rest to call.
        let calls = match lang {
            Lang::En => format!(
                "0 reached and moved · 12 declined · <10 unreachable · {} still to call",
                g(excess_total - 15)
            ),
            Lang::Fr => format!(
                "0 joints et déplacés · 12 refus · <10 injoignables · {} à appeler",
                g(excess_total - 15)
            ),
        };
        assert!(
            squash(&text.replace('\n', " ")).contains(&calls),
            "{lang:?}: {calls}\n{text}"
        );
        // Same first-dose count as the Checks view and the SQL above.
        assert!(text.contains(&g(orphans)), "{lang:?}: orphans {orphans}");
        // The time the data last changed is labelled as such, in words.
        let changed = match lang {
            Lang::En => "the data last changed on",
            Lang::Fr => "dernière modification des données le",
        };
        assert!(
            squash(&text.replace('\n', " ")).contains(changed),
            "{lang:?}"
        );
        assert!(!text.contains("cut-off"), "{lang:?}");
    }
}

/// People booked beyond places per site from `date` on, from the oracle.
fn excess_by_site(conn: &Connection, date: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for ((code, _), n) in crate::test_oracles::excess_by_site_day(conn, date, "9999-12-31") {
        match out.iter_mut().find(|(c, _)| *c == code) {
            Some((_, total)) => *total += n,
            None => out.push((code, n)),
        }
    }
    out
}

/// The chart starts at the first day with data, not weeks of empty axis.
#[test]
fn the_chart_covers_the_days_with_data() {
    let (_dir, conn) = demo();
    let first_data: String = conn
        .query_row(
            "SELECT min(date) FROM (SELECT date FROM dose_count UNION SELECT date FROM shift)",
            [],
            |r| r.get(0),
        )
        .expect("first");
    let date = crate::time::parse_date("2021-03-22").expect("date");
    let (from, to) = chart_range(&conn, date).expect("range");
    assert_eq!(to.to_string(), "2021-03-29");
    let earliest = (date - chrono::Duration::days(27)).to_string();
    assert_eq!(from.to_string(), first_data.max(earliest));
}

/// The chart nested in the page: every text of it, shrunk to its box,
/// prints at 8 pt or more (read from the page's own SVG).
#[test]
fn the_charts_text_prints_at_8_pt_or_more() {
    let (_dir, conn) = demo();
    for lang in [Lang::En, Lang::Fr] {
        let req = BriefRequest {
            date: crate::time::parse_date("2021-03-22").expect("date"),
            lang,
        };
        let page = page_svg(&conn, &req).expect("page");
        let start = page.find("<svg x=").expect("the nested chart");
        let end = page[start..].find("</svg>").expect("its end") + start;
        let nested = &page[start..end];
        let attr = |name: &str| -> f64 {
            let at = nested.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
            let end = nested[at..].find('"').expect("quote") + at;
            nested[at..end]
                .split(' ')
                .next_back()
                .expect("value")
                .parse()
                .expect("number")
        };
        // viewBox="0 0 cw ch": its last number is the canvas height.
        let scale = attr("height") / attr("viewBox");
        let sizes: Vec<f64> = nested
            .split("font-size=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect();
        assert!(sizes.len() > 10, "{lang:?}: the chart's texts");
        let smallest = sizes.iter().copied().fold(f64::MAX, f64::min) * scale;
        assert!(
            smallest >= 8.0,
            "{lang:?}: the smallest chart text prints at {smallest:.1} pt"
        );
    }
}

/// Bookings by age that no hidden cell can protect (all five of the week's
/// bookings in one age group, whose count the page's bookings total gives
/// away) are not broken down: the page says so in each language instead of
/// printing `<10` beside a total of 5.
#[test]
fn an_age_breakdown_that_would_reveal_a_small_count_is_not_shown() {
    let (_dir, conn) = demo();
    let date = crate::time::parse_date("2021-03-22").expect("date");
    let mut figures = figures::gather(&conn, date).expect("figures");
    let chart = |_: f64, _: f64| {
        Ok(page::PageChart {
            svg: r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#.into(),
            canvas: (10, 10),
            legend: Vec::new(),
        })
    };
    for (lang, withheld) in [
        (Lang::En, "Not shown: too few bookings"),
        (Lang::Fr, "Non présenté : trop peu de rendez-vous"),
    ] {
        figures.bookings_by_age = vec![0, 5, 0, 0, 0, 0, 0];
        let svg = page::compose(&figures, (date, date), &chart, lang).expect("page");
        assert!(svg.contains(withheld), "{lang:?}: no withheld line");
        // The demo's own breakdown is shown, with its total.
        figures.bookings_by_age = figures::gather(&conn, date)
            .expect("figures")
            .bookings_by_age;
        let total: i64 = figures.bookings_by_age.iter().sum();
        assert!(total >= 10);
        let svg = page::compose(&figures, (date, date), &chart, lang).expect("page");
        assert!(
            !svg.contains(withheld),
            "{lang:?}: the demo's breakdown withheld"
        );
        assert!(
            svg.contains(&lang.group(total)),
            "{lang:?}: total {total} missing"
        );
    }
}

/// The age table against a count made here from every booking and person:
/// active bookings of the 7 days after the date, by the person's age on
/// the date (oldest cohort first, then no known birth date).
#[test]
fn the_age_table_counts_the_weeks_active_bookings_by_age() {
    let (_dir, conn) = demo();
    let date = crate::time::parse_date("2021-03-22").expect("date");
    let mut births = std::collections::HashMap::new();
    let mut stmt = conn
        .prepare("SELECT person_id, birth_date FROM person")
        .expect("people");
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .expect("people");
    for row in rows {
        let (id, birth) = row.expect("person");
        births.insert(id, birth);
    }
    let week = (
        date.succ_opt()
            .expect("day")
            .and_hms_opt(0, 0, 0)
            .expect("t"),
        (date + chrono::Days::new(8))
            .and_hms_opt(0, 0, 0)
            .expect("t"),
    );
    let mut expected = vec![0i64; figures::AGE_COHORTS.len() + 1];
    let mut stmt = conn
        .prepare("SELECT person_id, slot_minute, status FROM appointment")
        .expect("bookings");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .expect("bookings");
    for row in rows {
        let (person, minute, status) = row.expect("booking");
        let slot = chrono::DateTime::from_timestamp(minute * 60, 0)
            .expect("slot")
            .naive_utc();
        if slot < week.0 || slot >= week.1 || !(status == "booked" || status == "attended") {
            continue;
        }
        let birth = births
            .get(&person)
            .cloned()
            .flatten()
            .map(|b| chrono::NaiveDate::parse_from_str(&b, "%Y-%m-%d").expect("birth"));
        let cohort = match birth {
            None => figures::AGE_COHORTS.len(),
            Some(b) => {
                use chrono::Datelike;
                // Whole years lived: one fewer before this year's birthday.
                let mut age = date.year() - b.year();
                if (date.month(), date.day()) < (b.month(), b.day()) {
                    age -= 1;
                }
                figures::AGE_COHORTS
                    .iter()
                    .position(|&min| age >= min as i32)
                    .expect("a cohort from 0 up")
            }
        };
        expected[cohort] += 1;
    }
    assert!(
        expected.iter().sum::<i64>() >= 10,
        "the demo's week has bookings"
    );
    let gathered = figures::gather(&conn, date)
        .expect("figures")
        .bookings_by_age;
    assert_eq!(gathered, expected);
}
