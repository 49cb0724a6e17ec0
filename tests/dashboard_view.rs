//! End-to-end: the Dashboard and tally entry in the real app.

use dosedesk_e2e::{demo_db, App, TestResult, MENU};

/// The demo's busiest day of tallies, summed here in SQL from the raw rows.
fn busiest_tally_day(db: &std::path::Path) -> (String, i64, i64) {
    let conn = dosedesk_core::store::open(db).expect("open");
    let (date, doses): (String, i64) = conn
        .query_row(
            "SELECT date, sum(doses) AS n FROM dose_count GROUP BY date ORDER BY n DESC, date LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("tallies");
    let total: i64 = conn
        .query_row("SELECT sum(doses) FROM dose_count", [], |r| r.get(0))
        .expect("total");
    (date, doses, total)
}

/// The chart's text (SVG elements have no innerText).
async fn svg_text(app: &App) -> TestResult<String> {
    let value = app
        .client
        .execute(
            "return document.querySelector('#chart svg')?.textContent ?? '';",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn number(app: &App, css: &str) -> TestResult<i64> {
    let text = app.find(css).await?.text().await?;
    Ok(text.replace([',', ' ', '\u{a0}'], "").parse()?)
}

/// Opens Tallies on a site-day, the date set as a picker would (WebDriver
/// cannot type into a date input reliably).
async fn open_tallies(app: &App, site: &str, date: &str) -> TestResult {
    app.click("#nav-tallies").await?;
    app.select("#tally-site", site).await?;
    app.client
        .execute(
            "const d = document.getElementById('tally-date'); d.value = arguments[0]; d.dispatchEvent(new Event('change'));",
            vec![serde_json::json!(date)],
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_the_record_day_and_the_chart_and_saves_a_png() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let (record_date, record_doses, total) = busiest_tally_day(&db);
    let app = App::launch(&db).await?;
    let result = async {
        app.click("#nav-dashboard").await?;
        app.find("#chart svg").await?;
        assert_eq!(number(&app, "#fig-record .figure-value").await?, record_doses);
        assert_eq!(app.attrs("#fig-record", "data-date").await?, vec![record_date.clone()]);
        assert_eq!(number(&app, "#fig-total .figure-value").await?, total);
        // The province's series as of the demo's day, with its own record.
        app.find("#prov-record").await?;
        // The chart is core's SVG, record labelled; the table under it has the day's numbers.
        let svg = svg_text(&app).await?;
        assert!(svg.contains("Record"), "record labelled in the chart: {svg}");
        let days = app.attrs("#chart-table tbody tr", "data-date").await?;
        assert!(days.contains(&record_date), "{record_date} in {days:?}");
        // A day after the app's today has no tallies yet, said so (not 0);
        // the table may be folded away, so its text is read as it is.
        let future = app
            .client
            .execute(
                "return document.querySelector(\"#chart-table tbody tr[data-date='2021-04-10'] td:nth-child(2)\").textContent;",
                vec![],
            )
            .await?;
        assert_eq!(future.as_str(), Some("no tallies yet"));
        // Hovering the record day's bar shows its numbers: sweep the chart
        // until the tooltip names that day.
        let shown = app
            .client
            .execute(
                "const box = document.getElementById('chart');
                 const r = box.querySelector('svg').getBoundingClientRect();
                 const tip = document.getElementById('chart-tip');
                 for (let x = r.left; x < r.right; x += 2) {
                   box.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: r.top + r.height / 2 }));
                   if (!tip.hidden && tip.dataset.date === arguments[0]) return tip.innerText;
                 }
                 return '';",
                vec![serde_json::json!(record_date)],
            )
            .await?;
        let shown = shown.as_str().unwrap_or_default().to_owned();
        assert!(shown.contains(&format!("{record_doses}")), "tooltip over the record day: {shown:?}");
        // Other charts draw too.
        app.select("#chart-kind", "cumulative").await?;
        app.click("#chart-draw").await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !svg_text(&app).await?.contains("Share of Ontario") {
            assert!(std::time::Instant::now() < deadline, "cumulative chart drawn");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // A site the region does not have is said on the field.
        app.type_into("#chart-site", "ZZZ9\u{E007}").await?;
        app.find("#chart-site:invalid").await?;
        // Said in words (WebKitGTK shows no bubble for a field).
        app.wait_text("#error-message", "No site “ZZZ9”").await?;
        app.screenshot("dashboard-site-not-listed").await?;
        // And in French.
        app.select("#lang-select", "fr").await?;
        app.wait_text("#chart-draw", "Tracer").await?;
        app.type_into("#chart-site", "ZZZ9\u{E007}").await?;
        app.wait_text("#error-message", "Aucun site « ZZZ9 »").await?;
        app.screenshot("dashboard-site-not-listed-fr").await?;
        app.select("#lang-select", "en").await?;
        app.wait_text("#chart-draw", "Draw").await?;
        app.set_value("#chart-site", "").await?;
        // One site's chart: its code typed in the site field (in any
        // case), then Enter; the field shows the code as listed.
        app.type_into("#chart-site", "evj\u{E007}").await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !svg_text(&app).await?.contains("Eva James") {
            assert!(std::time::Instant::now() < deadline, "Enter draws the site's chart");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(app.value("#chart-site").await?, "EVJ");
        // Saving a PNG writes a real PNG where the save dialog pointed.
        let png = dir.path().join("chart.png");
        app.save_file_next(&png).await?;
        app.click("#chart-png").await?;
        app.wait_text("#notice", "chart.png").await?;
        let bytes = std::fs::read(&png)?;
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn tallies_are_entered_from_the_keyboard_and_corrections_keep_history() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let (_, _, total) = busiest_tally_day(&db);
    let app = App::launch(&db).await?;
    let result = async {
        open_tallies(&app, "NSP", "2021-03-22").await?;
        // The shift is chosen from the site-day's shifts, labelled by their hours.
        app.wait_text("#tally-shift", "Shift 15:00–19:00").await?;
        app.select("#tally-shift", "15:00–19:00").await?;
        // Enter (WebDriver's U+E007) saves.
        app.type_into("#tally-doses", "123\u{E007}").await?;
        app.wait_text("#tally-table", "123").await?;
        // Entering the same tally again corrects it; the old value stays visible.
        app.type_into("#tally-doses", "130\u{E007}").await?;
        app.wait_text("#tally-table", "was 123").await?;
        app.wait_text("#notice", "corrected from 123 to 130")
            .await?;
        // The review's typo: 99,999 for a shift is refused until typed again.
        app.type_into("#tally-doses", "99999\u{E007}").await?;
        app.wait_text("#error-message", "not recorded").await?;
        app.wait_text("#tally-list h2", "130").await?;
        app.type_into("#tally-doses", "99999\u{E007}").await?;
        app.wait_text("#notice", "corrected from 130 to 99,999")
            .await?;
        // Withdrawn (two clicks): listed, struck out, out of the day's total.
        // The correction's notice comes with the list drawn again, so the
        // first click arms a button that stays.
        app.click("#tally-table button.withdraw").await?;
        app.wait_text("#tally-table button.withdraw[data-armed]", "Click again").await?;
        app.click("#tally-table button.withdraw[data-armed]").await?;
        app.wait_text("#notice", "withdrawn").await?;
        app.wait_text("#tally-list h2", ": 0 doses").await?;
        app.find("#tally-table tr.withdrawn").await?;
        // Entered again, it counts again (the last value before the typo).
        app.type_into("#tally-doses", "130\u{E007}").await?;
        app.wait_text("#tally-list h2", "130").await?;
        // The dashboard's total follows.
        app.click("#nav-dashboard").await?;
        app.find("#chart svg").await?;
        assert_eq!(number(&app, "#fig-total .figure-value").await?, total + 130);
        if let Ok(dir) = std::env::var("DOSEDESK_SCREENSHOTS") {
            app.click("#nav-tallies").await?;
            app.wait_text("#tally-list h2", "130").await?;
            std::fs::write(format!("{dir}/tallies-en.png"), app.client.screenshot().await?)?;
            app.client
                .execute("const s = document.getElementById('lang-select'); s.value = 'fr'; s.dispatchEvent(new Event('change'));", vec![])
                .await?;
            app.wait_text("#nav-tallies", "Décomptes").await?;
            app.click("#nav-tallies").await?;
            app.wait_text("#tally-list h2", "130").await?;
            std::fs::write(format!("{dir}/tallies-fr.png"), app.client.screenshot().await?)?;
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

/// An imported typo is held: the dashboard counts without it and says one
/// tally awaits confirmation; confirmed in Tallies, it counts.
#[tokio::test(flavor = "multi_thread")]
async fn an_imported_typo_is_held_until_confirmed_in_tallies() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let (_, _, total) = busiest_tally_day(&db);
    let file = dir.path().join("dose_counts.csv");
    std::fs::write(
        &file,
        "date,site_code,shift,dose_number,product,doses\n2021-03-22,NSP,typo,1,,99999\n",
    )?;
    {
        let mut conn = dosedesk_core::store::open(&db)?;
        let report = dosedesk_core::import::import_file(
            &mut conn,
            dosedesk_core::import::ImportKind::DoseCounts,
            &file,
            &dosedesk_core::import::Quiet,
        )?;
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.starts_with("1 tally held")),
            "{:?}",
            report.warnings
        );
    }
    let app = App::launch(&db).await?;
    let result = async {
        app.click("#nav-dashboard").await?;
        app.find("#chart svg").await?;
        assert_eq!(number(&app, "#fig-total .figure-value").await?, total);
        assert_eq!(
            app.attrs("#held-tallies", "data-value").await?,
            vec!["1".to_owned()]
        );
        app.wait_text("#held-tallies", "1 tally awaiting confirmation")
            .await?;
        open_tallies(&app, "NSP", "2021-03-22").await?;
        app.click("#tally-table tr[data-held=\"true\"] button.confirm-held")
            .await?;
        app.wait_text("#notice", "confirmed").await?;
        app.click("#nav-dashboard").await?;
        app.find("#chart svg").await?;
        assert_eq!(
            number(&app, "#fig-total .figure-value").await?,
            total + 99_999
        );
        assert!(app.attrs("#held-tallies", "data-value").await?.is_empty());
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn saves_the_briefing_as_a_pdf_in_french() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let app = App::launch(&db).await?;
    let result = async {
        app.click("#nav-dashboard").await?;
        app.select("#brief-lang", "fr").await?;
        let pdf = dir.path().join("note.pdf");
        app.save_file_next(&pdf).await?;
        app.click("#brief-pdf").await?;
        app.wait_text("#notice", "note.pdf").await?;
        let out = std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
        assert!(text.contains("note d'information"), "{text}");
        assert!(text.contains("22 mars 2021"), "{text}");
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_app_switches_to_french() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let (record_date, record_doses, _) = busiest_tally_day(&db);
    let names = place_names(&db)?;
    let app = App::launch(&db).await?;
    let result = async {
        app.select("#lang-select", "fr").await?;
        app.wait_text("#nav-dashboard", "Tableau de bord").await?;
        app.click("#nav-dashboard").await?;
        app.find("#chart svg").await?;
        // fr-CA: a space groups thousands, dates read "17 mars 2021".
        let record = app
            .find("#fig-record")
            .await?
            .text()
            .await?
            .replace(['\u{a0}', '\u{202f}'], " ");
        let grouped = dosedesk_core::locale::Lang::Fr
            .group(record_doses)
            .replace('\u{a0}', " ");
        assert!(record.contains(&grouped), "{record}");
        let day = dosedesk_core::time::parse_date(&record_date).ok_or("date")?;
        assert!(
            record.contains(&dosedesk_core::locale::Lang::Fr.date_long(day)),
            "{record}"
        );
        let svg = svg_text(&app).await?;
        assert!(
            svg.contains("Doses administrées par jour"),
            "the chart is drawn in French"
        );
        walk_every_view(&app, "fr", &names).await?;
        // Back to English.
        app.select("#lang-select", "en").await?;
        app.wait_text("#nav-dashboard", "Dashboard").await?;
        walk_every_view(&app, "en", &names).await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newer_provincial_release_shows_what_the_province_revised() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    // The province re-publishes with 11 March's daily count revised.
    let real = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/demo/on_vaccine_doses.csv"),
    )?;
    let release: String = real
        .lines()
        .take_while(|l| !l.starts_with("2021-03-23"))
        .map(|l| l.replace("2021-03-11,40610,", "2021-03-11,40710,") + "\n")
        .collect();
    let file = dir.path().join("vaccine_doses.csv");
    std::fs::write(&file, release)?;
    let mut conn = dosedesk_core::store::open(&db)?;
    let report = dosedesk_core::import::import_file(
        &mut conn,
        dosedesk_core::import::ImportKind::Provincial,
        &file,
        &dosedesk_core::import::Quiet,
    )?;
    assert_eq!(report.updated, 1);
    drop(conn);
    let app = App::launch(&db).await?;
    let result = async {
        app.click("#nav-dashboard").await?;
        assert_eq!(number(&app, "#prov-revised .figure-value").await?, 1);
        app.click("#revisions summary").await?;
        app.wait_text("#revisions tbody", "40,710").await?;
        assert_eq!(
            app.attrs("#revisions tbody tr", "data-date").await?,
            vec!["2021-03-11"]
        );
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

/// The codes FORMATS.md and the app's data use (site kinds, booking and
/// supply statuses, call outcomes and statuses, planner reasons), and the
/// English words that are nothing but a code: none belongs on a French screen.
const DATA_CODES: &[&str] = &[
    "mass_clinic",
    "temporary_clinic",
    "pharmacy",
    "physician",
    "booked",
    "cancelled",
    "attended",
    "no_show",
    "rescheduled",
    "expected",
    "received",
    "reached_accepted",
    "reached_declined",
    "unreachable",
    "wrong_number",
    "to_call",
    "call_back",
    "unplaced",
    "overbooked",
    "day_demand",
    "idle_doses",
    "disagrees_with_cumulative",
    "above_recent_range",
    "negative",
];

/// Every site's name in the store and every distribution-point
/// candidate's in the demo's candidates file, longest first (so no shorter
/// name eats part of a longer one).
fn place_names(db: &std::path::Path) -> TestResult<Vec<String>> {
    let conn = dosedesk_core::store::open(db)?;
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM site")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let candidates = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/demo/ottawa_candidates.csv"),
    )?;
    // The name is the second field; no name holds a comma or a quote.
    names.extend(
        candidates
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1))
            .map(str::to_string),
    );
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Ok(names)
}

/// The data codes in `text`, as whole words (`_` is part of a word).
fn english_data_codes(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| DATA_CODES.contains(w))
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn data_codes_are_found_as_whole_words_only() {
    assert_eq!(
        english_data_codes("Site NSP (mass_clinic), booked; Pharmacie Booked unreachable_x"),
        ["booked", "mass_clinic"]
    );
}

/// Opens every view in turn (a screenshot each, `view-NAME-LANG`, when
/// DOSEDESK_SCREENSHOTS is set); no view may show a value the UI failed to
/// format.
async fn walk_every_view(app: &App, lang: &str, names: &[String]) -> TestResult {
    for name in MENU {
        app.click(&format!("#nav-{name}")).await?;
        app.find("#view .view-root > *").await?;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        let text = app
            .client
            .execute("return document.getElementById('view').innerText;", vec![])
            .await?;
        let text = text.as_str().unwrap_or_default();
        for bad in ["undefined", "NaN", "Invalid Date", "[object Object]"] {
            assert!(!text.contains(bad), "{lang} {name} shows {bad:?}");
        }
        if lang == "fr" {
            // Everything in the view, hidden parts and chart labels too.
            let all = app
                .client
                .execute(
                    "return document.getElementById('view').textContent;",
                    vec![],
                )
                .await?;
            // Places are named as their owners name them ("Sobeys March
            // Road pharmacy"): a name is not a code.
            let mut all = all.as_str().unwrap_or_default().to_string();
            for name in names {
                all = all.replace(name.as_str(), " ");
            }
            let all = all.as_str();
            let codes = english_data_codes(all);
            let context: Vec<String> = codes
                .iter()
                .filter_map(|c| all.find(c.as_str()))
                .map(|at| {
                    let before: String = all[..at].chars().rev().take(60).collect();
                    let after: String = all[at..].chars().take(60).collect();
                    before.chars().rev().collect::<String>() + &after
                })
                .collect();
            assert!(
                codes.is_empty(),
                "fr {name} shows the data codes {codes:?} in {context:?}"
            );
        }
        app.screenshot(&format!("view-{name}-{lang}")).await?;
    }
    Ok(())
}
