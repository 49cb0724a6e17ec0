//! The command layer under Tauri's mock runtime: real commands, real
//! database file, no window.

use super::*;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn request(cmd: &str, body: serde_json::Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // The app's own origin on Linux and macOS.
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn app(
    db: PathBuf,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = builder(mock_builder(), db, None)
        .build(mock_context(noop_assets()))
        .expect("build app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    (app, webview)
}

#[test]
fn errors_cross_ipc_as_code_and_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_app, webview) = app(dir.path().join("x.sqlite3"));
    let err = get_ipc_response(
        &webview,
        request(
            "week_schedule",
            serde_json::json!({"query": {"date": "soon"}}),
        ),
    )
    .expect_err("bad date");
    assert_eq!(
        err,
        serde_json::json!({"code": "invalid_input", "message": "\"soon\" is not a date (YYYY-MM-DD)"})
    );
}

#[test]
fn app_info_reports_an_empty_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.sqlite3");
    let (_app, webview) = app(db.clone());
    let info = get_ipc_response(&webview, request("app_info", serde_json::json!({})))
        .expect("app_info")
        .deserialize::<serde_json::Value>()
        .expect("json");
    assert_eq!(info["empty"], true);
    assert_eq!(info["demo"], serde_json::Value::Null);
    assert_eq!(info["db_path"], db.display().to_string());
}

#[test]
fn db_path_comes_from_the_command_line() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        db_path_from_args(args(&["--db", "/tmp/a.sqlite3"])).expect("path"),
        PathBuf::from("/tmp/a.sqlite3")
    );
    assert_eq!(
        db_path_from_args(args(&["--db=/tmp/b.sqlite3"])).expect("path"),
        PathBuf::from("/tmp/b.sqlite3")
    );
    assert!(db_path_from_args(args(&["--db"])).is_err());
    assert_eq!(
        week_from_args(args(&["--db", "x", "--week", "2021-03-22"])).as_deref(),
        Some("2021-03-22")
    );
    assert_eq!(week_from_args(args(&["--db", "x"])), None);
}
