//! Accessibility in the real webview: axe-core's WCAG 2.0 and 2.1 level A
//! and AA rules run against every screen, in English and in French — the
//! sign-in screen (and its wrong-passphrase error), the empty store, every
//! view empty (a store with two sites and nothing else) and loaded (the
//! demo), the import dialog, and a view in its error state.
//!
//! axe-core is the file `make test` fetches and checks (`DOSEDESK_AXE_JS`).
//! It is injected through WebDriver's execute-script; its run is awaited with
//! the asynchronous form, whose callback WebKitWebDriver needs called
//! explicitly. The per-screen counts are printed.

use dosedesk_e2e::{encrypted_demo_db, App, TestResult, MENU};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "correct horse battery";
const TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

fn axe_source() -> TestResult<String> {
    let path = std::env::var("DOSEDESK_AXE_JS").map_err(|_| {
        "DOSEDESK_AXE_JS is not set: run the tests through `make test`, which fetches axe-core"
    })?;
    std::fs::read_to_string(&path)
        .map_err(|e| format!("axe-core at {path}: {e} (make axe-core fetches it)").into())
}

/// Runs axe on the whole page and returns one line per violation (rule,
/// impact, what it asks, and the first elements it found), after printing
/// the screen's count. With `DOSEDESK_SCREENSHOTS`, each screen audited is
/// saved as `a11y-SCREEN.png`, to be looked at.
async fn audit(app: &App, axe: &str, screen: &str) -> TestResult<Vec<String>> {
    let slug: String = screen
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            ' ' | '-' => Some('-'),
            _ => None,
        })
        .collect();
    app.screenshot(&format!("a11y-{slug}")).await?;
    let loaded = app
        .client
        .execute("return typeof window.axe === 'object';", vec![])
        .await?;
    if loaded != serde_json::json!(true) {
        app.client.execute(axe, vec![]).await?;
    }
    let report = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
               .then((r) => done({ passes: r.passes.length, violations: r.violations.map((v) => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
                   count: v.nodes.length })) }))
               .catch((e) => done({ error: String(e) }));",
            vec![serde_json::json!(TAGS)],
        )
        .await?;
    if let Some(error) = report.get("error") {
        return Err(format!("axe failed on {screen}: {error}").into());
    }
    let violations = report["violations"]
        .as_array()
        .ok_or_else(|| format!("axe gave no violations list on {screen}: {report}"))?;
    let passes = report["passes"].as_u64().unwrap_or(0);
    // axe with no passing rule did not look at a page.
    if passes == 0 {
        return Err(format!("axe checked nothing on {screen}: {report}").into());
    }
    let nodes: u64 = violations.iter().filter_map(|v| v["count"].as_u64()).sum();
    println!(
        "axe {screen:<22} {:>2} rules passed, {:>2} violated ({nodes} elements)",
        passes,
        violations.len()
    );
    let lines: Vec<String> = violations
        .iter()
        .map(|v| {
            format!(
                "{screen}: {} ({}, {} elements): {}\n      {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["count"],
                v["help"].as_str().unwrap_or(""),
                v["nodes"]
                    .as_array()
                    .map(|n| n
                        .iter()
                        .filter_map(|n| n.as_str())
                        .collect::<Vec<_>>()
                        .join("\n      "))
                    .unwrap_or_default()
            )
        })
        .collect();
    for line in &lines {
        println!("  {line}");
    }
    Ok(lines)
}

/// Switches the language menu and waits until the page says it is in `lang`.
async fn choose_language(app: &App, lang: &str) -> TestResult {
    app.select("#lang-select", lang).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = app
            .client
            .execute("return document.documentElement.lang;", vec![])
            .await?;
        if now == serde_json::json!(lang) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("<html lang> stayed {now} after choosing {lang}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn open_view(app: &App, view: &str) -> TestResult {
    app.click(&format!("#nav-{view}")).await?;
    app.find(&format!(".view-root[data-painted='{view}']"))
        .await?;
    // Views that fill in a second part after painting (the ahead bar, a
    // chart) are given a moment to settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_passes_axe_wcag_a_and_aa_in_english_and_french() -> TestResult {
    let axe = axe_source()?;
    let dir = tempfile::tempdir()?;
    let mut found = Vec::new();

    // A store not made yet: first its set-up (the first manager), then the
    // empty store's first screen.
    let empty = dir.path().join("empty.sqlite3");
    let app = App::launch_at_the_door(&empty, &[], &[]).await?;
    let result = async {
        for lang in ["en", "fr"] {
            choose_language(&app, lang).await?;
            app.find("#setup-view").await?;
            found.extend(audit(&app, &axe, &format!("store set-up [{lang}]")).await?);
        }
        app.through_the_door(&empty).await?;
        for lang in ["en", "fr"] {
            choose_language(&app, lang).await?;
            app.find("#empty-view").await?;
            found.extend(audit(&app, &axe, &format!("empty store [{lang}]")).await?);
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    // Every view in its empty state: a store that knows two sites and
    // nothing else yet (no shifts, bookings, tallies or plans).
    let sites_only = dir.path().join("sites-only.sqlite3");
    let sites_csv = dir.path().join("sites.csv");
    std::fs::write(
        &sites_csv,
        "site_code,name,kind\nEVJ,Eva James Memorial Community Centre,mass_clinic\nPH1,Sobeys March Road pharmacy,pharmacy\n",
    )?;
    let mut conn = dosedesk_core::store::open(&sites_only)?;
    dosedesk_core::import::import_file(
        &mut conn,
        dosedesk_core::import::ImportKind::Sites,
        &sites_csv,
        &dosedesk_core::import::Quiet,
    )?;
    drop(conn);
    let app = App::launch(&sites_only).await?;
    let result = async {
        for lang in ["en", "fr"] {
            choose_language(&app, lang).await?;
            for view in MENU {
                open_view(&app, view).await?;
                if view == "dashboard" {
                    // An empty chart says so in words.
                    app.find("#chart-nothing:not([hidden])").await?;
                }
                found.extend(audit(&app, &axe, &format!("{view}, empty [{lang}]")).await?);
            }
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    let db = encrypted_demo_db(dir.path(), PASSPHRASE)?;
    let app = App::launch(&db).await?;
    let result = async {
        for lang in ["en", "fr"] {
            choose_language(&app, lang).await?;
            app.find("#signin-view").await?;
            found.extend(audit(&app, &axe, &format!("sign-in [{lang}]")).await?);
        }
        // A wrong passphrase: the error state of the sign-in screen.
        app.type_into("#signin-user", "manager").await?;
        app.type_into("#signin-passphrase", "not the passphrase")
            .await?;
        app.click("#signin-submit").await?;
        app.wait_text("#signin-message", "ouvrent pas").await?;
        found.extend(audit(&app, &axe, "sign-in, refused [fr]").await?);
        app.find("#signin-passphrase").await?.clear().await?;
        app.type_into("#signin-passphrase", PASSPHRASE).await?;
        app.click("#signin-submit").await?;
        app.find("#signed-in:not([hidden])").await?;

        // What a manager reaches from the menu: Users comes before
        // Settings, the last.
        let shown = app.attrs("#nav button:not([hidden])", "data-view").await?;
        assert_eq!(shown, MENU, "a manager's menu");
        for lang in ["fr", "en"] {
            choose_language(&app, lang).await?;
            for view in MENU {
                open_view(&app, view).await?;
                found.extend(audit(&app, &axe, &format!("{view} [{lang}]")).await?);
            }
        }

        // The import dialog, open over the view (modal: axe sees it alone).
        app.click("#import-button").await?;
        app.find("#import-dialog[open]").await?;
        found.extend(audit(&app, &axe, "import dialog [en]").await?);
        app.click("#import-dialog button[value=cancel]").await?;

        // An error state: a day that is no day, refused in the planner.
        for lang in ["en", "fr"] {
            choose_language(&app, lang).await?;
            open_view(&app, "planner").await?;
            app.find("#plan-from").await?.clear().await?;
            app.type_into("#plan-from", "31/04/2021").await?;
            app.click("#plan-submit").await?;
            app.find("#error:not([hidden])").await?;
            app.find("#plan-from[aria-invalid='true']").await?;
            found.extend(audit(&app, &axe, &format!("planner, refused [{lang}]")).await?);
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    assert!(
        found.is_empty(),
        "{} WCAG A/AA violations:\n{}",
        found.len(),
        found.join("\n")
    );
    Ok(())
}
