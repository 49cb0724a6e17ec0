//! The installed package: `make test` builds the .deb (a debug build, with
//! the Tauri bundler), installs it with apt, runs this test against
//! `/usr/bin/dosedesk` and removes the package again (`tests/package.sh`).
//! Ignored in a plain `cargo test`, where no package is installed.

use dosedesk_e2e::{app_binary, cli_binary, App, TestResult};
use std::process::Command;

/// What `dpkg` says owns `path` (the package, not a file copied by hand).
fn owner(path: &std::path::Path) -> TestResult<String> {
    let out = Command::new("dpkg").arg("-S").arg(path).output()?;
    if !out.status.success() {
        return Err(format!(
            "no package owns {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the .deb installed: run by tests/package.sh (make test)"]
async fn the_installed_package_opens_an_empty_store_and_the_demo() -> TestResult {
    let app_path = app_binary();
    let cli = cli_binary()?;
    assert!(
        app_path.starts_with("/usr/bin"),
        "DOSEDESK_APP is the installed app, not {}",
        app_path.display()
    );
    for installed in [
        app_path.as_path(),
        cli.as_path(),
        std::path::Path::new("/usr/share/applications/DoseDesk.desktop"),
    ] {
        let who = owner(installed)?;
        assert!(who.starts_with("dose-desk:"), "{who}");
    }
    let entry = std::fs::read_to_string("/usr/share/applications/DoseDesk.desktop")?;
    assert!(entry.lines().any(|l| l == "Exec=dosedesk"), "{entry}");

    let dir = tempfile::tempdir()?;
    // A new laptop: an empty store offers Import… and Load demo data.
    let app = App::launch(&dir.path().join("new.sqlite3")).await?;
    let result = async {
        app.find("#empty-view").await?;
        app.find("#load-demo").await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result?;

    // The installed CLI makes the demo; the installed app shows its week.
    let demo = dir.path().join("demo.sqlite3");
    let made = Command::new(&cli)
        .arg("--db")
        .arg(&demo)
        .arg("demo")
        .output()?;
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let app = App::launch(&demo).await?;
    let result = async {
        app.find(".view-root[data-painted='schedule']").await?;
        app.wait_text("#schedule-title", "22 Mar 2021").await?;
        TestResult::Ok(())
    }
    .await;
    app.close().await?;
    result
}
