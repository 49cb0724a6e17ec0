//! End-to-end: the Settings view in the real app — saved to this machine's
//! file, in force at once, there again at the next start, and a spoiled
//! file reported rather than trusted.

use dosedesk_e2e::{demo_db, App, TestResult};

/// How many rows the rebooking desk shows now, once it has drawn them all.
async fn desk_rows(app: &App) -> TestResult<usize> {
    app.find("#rebook-summary[data-total]").await?;
    Ok(app
        .desk_attrs("tbody tr[data-appointment]", "data-appointment")
        .await?
        .len())
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_saved_for_this_machine_and_in_force_at_once_and_at_the_next_start(
) -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let file = dir.path().join("machine").join("settings.json");
    let file_arg = file.display().to_string();
    let args = ["--settings", file_arg.as_str()];

    let app = App::launch_with(&db, &args, &[]).await?;
    let result = async {
        // No file yet: English, and the desk pages by a hundred.
        app.click("#nav-rebook").await?;
        assert_eq!(
            desk_rows(&app).await?,
            100,
            "the demo has more than 100 calls to make"
        );

        app.click("#nav-settings").await?;
        app.wait_text("#settings-where", &file_arg).await?;
        assert_eq!(app.value("#settings-language").await?, "en");
        assert_eq!(app.value("#settings-lock").await?, "10");
        assert_eq!(app.value("#settings-page-size").await?, "100");
        app.select("#settings-language", "fr").await?;
        app.select("#settings-zone", "America/Vancouver").await?;
        app.select("#settings-page-size", "25").await?;
        app.set_value("#settings-lock", "5").await?;
        app.type_into("#settings-server", "https://sync.unit.example:8443/")
            .await?;
        app.click("#settings-save").await?;
        app.wait_text("#notice", "Paramètres enregistrés.").await?;
        app.find("html[lang='fr']").await?;
        app.wait_text("#nav-settings", "Paramètres").await?;
        app.screenshot("settings-fr").await?;

        let kept: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
        assert_eq!(
            kept,
            serde_json::json!({
                "language": "fr", "time_zone": "America/Vancouver", "lock_after_minutes": 5,
                "page_size": 25, "text_size_percent": null,
                "sync_server": "https://sync.unit.example:8443",
            })
        );
        // In force at once: the desk pages by 25 (in French), and the Sync
        // panel offers the server to enrol with.
        app.click("#nav-rebook").await?;
        app.wait_text("#rebook-showing", "1 à 25 sur").await?;
        assert_eq!(desk_rows(&app).await?, 25);
        app.click("#nav-sync").await?;
        app.find("#sync-server").await?;
        assert_eq!(
            app.value("#sync-server").await?,
            "https://sync.unit.example:8443"
        );
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    // The next start: in French from the first screen, the settings as saved.
    let app = App::launch_with(&db, &args, &[]).await?;
    let result = async {
        app.find("html[lang='fr']").await?;
        app.wait_text("#nav-schedule", "Horaire").await?;
        assert_eq!(app.value("#lang-select").await?, "fr");
        app.click("#nav-settings").await?;
        assert_eq!(app.value("#settings-zone").await?, "America/Vancouver");
        assert_eq!(app.value("#settings-lock").await?, "5");
        assert_eq!(app.value("#settings-page-size").await?, "25");
        // The language menu in the top bar changes the setting too.
        app.select("#lang-select", "en").await?;
        app.wait_text("#nav-settings", "Settings").await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !std::fs::read_to_string(&file)?.contains("\"language\": \"en\"") {
            assert!(
                std::time::Instant::now() < deadline,
                "the language menu did not save the setting"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    // A file spoiled by hand: the defaults, the reason on screen, the file
    // left as it is.
    let spoiled = "{\n  \"language\": \"fr\",\n  \"page_size\": 0\n}\n";
    std::fs::write(&file, spoiled)?;
    let app = App::launch_with(&db, &args, &[]).await?;
    let result = async {
        let shown = app.wait_text("#error-message", "page_size: 0").await?;
        assert!(
            shown.contains(&file_arg),
            "the error names the file: {shown}"
        );
        app.find("html[lang='en']").await?;
        app.click("#nav-rebook").await?;
        assert_eq!(desk_rows(&app).await?, 100);
        assert_eq!(std::fs::read_to_string(&file)?, spoiled);
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}

/// The page's width in CSS pixels: the window's width over the zoom.
async fn page_width(app: &App) -> TestResult<f64> {
    let width = app
        .client
        .execute("return window.innerWidth;", vec![])
        .await?;
    width
        .as_f64()
        .ok_or_else(|| "innerWidth is not a number".into())
}

/// Waits until the page's width is `window / zoom`, as measured at 100 %.
async fn wait_zoom(app: &App, at_100: f64, zoom: f64) -> TestResult {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let width = page_width(app).await?;
        if (at_100 / width - zoom).abs() < 0.02 {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(
                format!("page {width} px wide, {at_100} at 100 %: not zoomed to {zoom}").into(),
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_text_size_follows_the_computers_and_the_setting_up_to_twice() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let file = dir.path().join("settings.json");
    let file_arg = file.display().to_string();
    // The computer's text size at 125 %, as GNOME's Large Text keeps it
    // (GSettings, here in its key-file store).
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("glib-2.0/settings"))?;
    std::fs::write(
        config.join("glib-2.0/settings/keyfile"),
        "[org/gnome/desktop/interface]\ntext-scaling-factor=1.25\n",
    )?;
    let config_arg = config.display().to_string();
    let env = [
        ("GSETTINGS_BACKEND", "keyfile"),
        ("XDG_CONFIG_HOME", config_arg.as_str()),
    ];
    let app = App::launch_with(&db, &["--settings", file_arg.as_str()], &env).await?;
    let result = async {
        let at_125 = page_width(&app).await?;
        app.click("#nav-settings").await?;
        assert_eq!(app.value("#settings-text-size").await?, "");
        app.wait_text("#settings-text-size option[value='']", "125%")
            .await?;
        app.select("#settings-text-size", "100").await?;
        app.click("#settings-save").await?;
        app.wait_text("#notice", "Settings saved.").await?;
        let at_100 = at_125 * 1.25;
        wait_zoom(&app, at_100, 1.0).await?;
        app.select("#settings-text-size", "200").await?;
        app.click("#settings-save").await?;
        wait_zoom(&app, at_100, 2.0).await?;
        app.screenshot("settings-text-200").await?;
        app.click("#nav-schedule").await?;
        app.find("table.schedule").await?;
        app.screenshot("schedule-text-200").await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;
    // Kept: the next start opens at twice the size.
    let app = App::launch_with(&db, &["--settings", file_arg.as_str()], &env).await?;
    let result = async {
        let width = page_width(&app).await?;
        app.click("#nav-settings").await?;
        assert_eq!(app.value("#settings-text-size").await?, "200");
        app.select("#settings-text-size", "").await?;
        app.click("#settings-save").await?;
        // Back to the computer's 125 %: the page is 2 / 1.25 times wider.
        wait_zoom(&app, width * 2.0, 1.25).await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}
