//! End-to-end: the Distribution points view on the demo database, checked
//! against `dosedesk-cli plan sites` on the same file.

use dosedesk_e2e::{cli_on, demo_db, App, TestResult};
use std::path::Path;
use std::time::{Duration, Instant};

/// `dosedesk-cli plan sites --k 3 --radius-km 3 --json` and `extra` on
/// `db`: the CLI built beside the app (`cargo test --workspace` builds it).
fn cli_plan(db: &Path, extra: &[&str]) -> TestResult<serde_json::Value> {
    let out = cli_on(db)?
        .args(["plan", "sites", "--k", "3", "--radius-km", "3", "--json"])
        .args(extra)
        .output()?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

async fn set_value(app: &App, css: &str, value: &str) -> TestResult {
    let input = app.find(css).await?;
    input.clear().await?;
    if !value.is_empty() {
        input.send_keys(value).await?;
    }
    Ok(())
}

/// Waits until `css` matches `n` elements; returns the count seen last.
async fn wait_count(app: &App, css: &str, n: usize) -> TestResult<usize> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Attributes, not texts: SVG elements have no innerText.
        let seen = app.attrs(css, "class").await?.len();
        if seen == n || Instant::now() > deadline {
            return Ok(seen);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn distribution_points_match_the_cli_and_save_and_export() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let want = cli_plan(&db, &[])?;
    let codes_of = |plan: &serde_json::Value| -> Vec<String> {
        plan["chosen"]
            .as_array()
            .map(|chosen| {
                chosen
                    .iter()
                    .filter_map(|c| c["site_code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let want_codes = codes_of(&want);
    // With each point taking at most 30 days of its daily capacity, the
    // plan differs; HiGHS proves it too (points and who goes where).
    let with_capacity = cli_plan(&db, &["--capacity-days", "30"])?;
    assert_eq!(with_capacity["gap"], 0.0, "{with_capacity}");
    let capacity_codes = codes_of(&with_capacity);
    assert_eq!(capacity_codes.len(), 3, "{with_capacity}");
    assert_eq!(want_codes.len(), 3, "{want}");
    let areas = want["areas"].as_array().ok_or("areas")?.len();
    assert_eq!(areas, 110, "the demo's Ottawa neighbourhoods");
    let covered_after = want["covered_after"].as_f64().ok_or("covered_after")?;
    let png = dir.path().join("map.png");

    let app = App::launch(&db).await?;
    let result = async {
        app.find("table.schedule").await?;
        app.click("#nav-siting").await?;
        set_value(&app, "#siting-k", "3").await?;
        set_value(&app, "#siting-radius", "3").await?;
        app.select("#siting-objective", "coverage").await?;
        app.click("#siting-run").await?;
        app.find("#siting-chosen tbody tr").await?;

        let codes = app.attrs("#siting-chosen tbody tr", "data-site").await?;
        assert_eq!(codes, want_codes, "same points, same order as the CLI");
        let circles = wait_count(&app, "#siting-map svg circle", areas).await?;
        assert_eq!(circles, areas, "one circle per area on the map");
        let shown = app.texts("#siting-covered-after .figure-value").await?;
        assert_eq!(
            shown,
            vec![dosedesk_core::locale::Lang::En.group(covered_after.round() as i64)]
        );
        let rows = app.attrs("#siting-areas tbody tr", "data-key").await?;
        assert_eq!(rows.len(), areas, "every area's nearest point is listed");
        // The CLI's run was solved to proven optimality; the view says so.
        assert_eq!(want["gap"], 0.0, "{want}");
        app.wait_inner_text("#siting-quality", "Proven the best possible choice of 3 new points")
            .await?;
        assert_eq!(app.attrs("#siting-quality", "data-gap").await?, vec!["0"]);
        app.screenshot("siting-en").await?;

        // Save the run, then compare it with itself side by side.
        set_value(&app, "#siting-scenario-name", "three at 3 km").await?;
        app.click("#siting-save").await?;
        app.wait_text("#notice", "three at 3 km").await?;
        app.click("#siting-scenario-list tbody tr input").await?;
        app.click("#siting-compare-button").await?;
        let compared = app.wait_text("#siting-compare", "three at 3 km").await?;
        assert!(compared.contains(&want_codes.join(", ")), "{compared}");

        // Export: the native save dialog "picks" a path; the PNG is the app's.
        app.save_file_next(&png).await?;
        app.click("#siting-export").await?;
        app.wait_text("#notice", "Map saved to").await?;

        // A capacity run: the CLI's points, proven the best.
        set_value(&app, "#siting-capacity", "30").await?;
        app.click("#siting-run").await?;
        app.wait_inner_text("#siting-quality", "Proven the best possible choice of 3 new points")
            .await?;
        let codes = app.attrs("#siting-chosen tbody tr", "data-site").await?;
        let (mut got, mut want) = (codes.clone(), capacity_codes.clone());
        got.sort();
        want.sort();
        assert_eq!(got, want, "same points as the CLI with --capacity-days 30");
        app.screenshot("siting-capacity-en").await?;
        set_value(&app, "#siting-capacity", "").await?;

        // In French, the same run says the same.
        app.client
            .execute("const s = document.getElementById('lang-select'); s.value = 'fr'; s.dispatchEvent(new Event('change'));", vec![])
            .await?;
        app.wait_inner_text("#nav-siting", "Points").await?;
        // The English "Map saved to …" does not linger over a French page.
        let hidden = app
            .client
            .execute("return document.getElementById('notice').hidden", vec![])
            .await?;
        assert_eq!(hidden, serde_json::Value::Bool(true), "the notice stays up after a language change");
        app.click("#nav-siting").await?;
        set_value(&app, "#siting-k", "3").await?;
        set_value(&app, "#siting-radius", "3").await?;
        app.click("#siting-run").await?;
        app.wait_inner_text("#siting-quality", "Meilleur choix possible de 3 nouveaux points, prouvé")
            .await?;
        app.screenshot("siting-fr").await?;
        set_value(&app, "#siting-capacity", "30").await?;
        app.click("#siting-run").await?;
        app.wait_inner_text("#siting-quality", "Meilleur choix possible de 3 nouveaux points, prouvé")
            .await?;
        app.wait_inner_text("#siting-chosen", &capacity_codes[0]).await?;
        app.screenshot("siting-capacity-fr").await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;
    assert!(
        std::fs::read(&png)?.starts_with(b"\x89PNG"),
        "a PNG was written"
    );
    let conn = dosedesk_core::store::open(&db)?;
    let saved: i64 = conn.query_row(
        "SELECT count(*) FROM plan WHERE kind = 'sites' AND name = 'three at 3 km'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(saved, 1);
    Ok(())
}

/// A CSV field, quoted (names hold commas).
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A store holding the national instance (1,643 postal areas, 463
/// pharmacies): its p-median for 25 points takes HiGHS minutes to prove.
fn national_db(dir: &Path) -> TestResult<std::path::PathBuf> {
    use dosedesk_core::import::{import_file, ImportKind, Quiet};
    let input = dosedesk_core::siting::national::canada_pharmacies(
        include_str!("../assets/national/fsa_centroids_canada.json"),
        include_str!("../assets/demo/walmart_locations.csv"),
        include_str!("../assets/national/sobeys_locations.csv"),
    )?;
    let mut areas = String::from("area_id,name,lat,lon,population,eligible,weight\n");
    for a in &input.areas {
        areas += &format!(
            "{},{},{},{},1000,1000,1\n",
            a.area_id, a.area_id, a.lat, a.lon
        );
    }
    let mut candidates = String::from("site_code,name,kind,lat,lon,capacity_per_day\n");
    for p in &input.points {
        let name = quoted(&p.name);
        candidates += &format!("{},{name},pharmacy,{},{},150\n", p.site_code, p.lat, p.lon);
    }
    let db = dir.join("national.sqlite3");
    let mut conn = dosedesk_core::store::open(&db)?;
    for (kind, file, text) in [
        (ImportKind::Areas, "areas.csv", areas),
        (ImportKind::Candidates, "candidates.csv", candidates),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text)?;
        import_file(&mut conn, kind, &path, &Quiet)?;
    }
    Ok(db)
}

/// A long solve shows its progress in the job strip; Cancel there stops it
/// and the view shows the best choice found, saying the search was stopped.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_solve_can_be_cancelled_and_keeps_the_best_choice() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = national_db(dir.path())?;
    let app = App::launch(&db).await?;
    let result = async {
        app.click("#nav-siting").await?;
        app.find("#siting-form").await?;
        for (lang, stage, stopped) in [
            ("en", "searching for the best plan", "stopped the search"),
            ("fr", "recherche du meilleur plan", "arrêté la recherche"),
        ] {
            app.select("#lang-select", lang).await?;
            app.find("#siting-form").await?;
            set_value(&app, "#siting-k", "25").await?;
            set_value(&app, "#siting-radius", "30").await?;
            set_value(&app, "#siting-time-limit", "600").await?;
            app.select("#siting-objective", "distance").await?;
            let started = Instant::now();
            app.click("#siting-run").await?;
            app.wait_inner_text("#job-label", stage).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            app.screenshot(&format!("siting-solving-{lang}")).await?;
            app.click("#job-cancel").await?;
            app.wait_inner_text("#siting-quality", stopped).await?;
            let took = started.elapsed();
            eprintln!("{lang}: run and cancel took {took:?} (Cancel pressed 2 s into the search)");
            assert_eq!(
                app.attrs("#siting-quality", "data-cancelled").await?,
                vec!["true"]
            );
            // HiGHS needs minutes to prove this one; a Cancel honoured at its
            // next check ends the run long before the 600 s limit.
            assert!(
                took < Duration::from_secs(120),
                "{lang}: cancelled run took {took:?}"
            );
            assert_eq!(app.texts("#siting-chosen tbody tr").await?.len(), 25);
            app.screenshot(&format!("siting-cancelled-{lang}")).await?;
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}
