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
    let app = builder(mock_builder(), db, LaunchOptions::default())
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
        launch_from_args(args(&["--db", "x", "--week", "2021-03-22", "--tour-views"])),
        LaunchOptions {
            start_date: Some("2021-03-22".into()),
            tour_views: true
        }
    );
    assert_eq!(
        launch_from_args(args(&["--week=2021-03-29"]))
            .start_date
            .as_deref(),
        Some("2021-03-29")
    );
    assert_eq!(
        launch_from_args(args(&["--db", "x"])),
        LaunchOptions::default()
    );
}

#[test]
fn tallies_and_charts_cross_ipc_in_the_shapes_the_ui_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.sqlite3");
    let conn = dosedesk_core::store::open(&db).expect("open");
    conn.execute_batch(
        "INSERT INTO site (uuid, code, name, kind, updated_at) VALUES (x'01', 'A', 'Clinic A', 'mass_clinic', 'x')",
    )
    .expect("site");
    drop(conn);
    let (_app, webview) = app(db);
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(&webview, request(cmd, body))
            .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
    };
    let tally = serde_json::json!({"tally": {"site_code": "A", "date": "2021-04-02", "shift": "am",
        "dose_number": 1, "product": "", "doses": 120}});
    assert_eq!(
        call("record_tally", tally.clone()).expect("tally")["replaced"],
        serde_json::Value::Null
    );
    let mut fix = tally;
    fix["tally"]["doses"] = 125.into();
    assert_eq!(call("record_tally", fix).expect("fix")["replaced"], 120);
    let rows = call(
        "site_day_tallies",
        serde_json::json!({"site": "A", "date": "2021-04-02"}),
    )
    .expect("rows");
    assert_eq!(rows[0]["doses"], 125);
    assert_eq!(rows[0]["history"], serde_json::json!([120]));
    let figures = call("dose_figures", serde_json::json!({})).expect("figures");
    assert_eq!(figures["doses_total"], 125);
    let chart = call(
        "chart_svg",
        serde_json::json!({"request": {"kind": "daily", "from": "2021-04-01", "to": "2021-04-07", "site": null, "lang": "fr"}}),
    )
    .expect("chart");
    assert!(chart["svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    assert_eq!(chart["bars"].as_array().map(Vec::len), Some(7));
    assert_eq!(chart["days"][1]["administered"], 125);
    let err = call(
        "record_tally",
        serde_json::json!({"tally": {"site_code": "ZZ", "date": "2021-04-02", "dose_number": 1, "doses": 1}}),
    )
    .expect_err("unknown site");
    assert_eq!(err["code"], "not_found");
}

#[test]
fn shift_planner_crosses_ipc_in_the_shapes_the_ui_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    let mut conn = dosedesk_core::store::open(&db).expect("open");
    dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    drop(conn);
    let (_app, webview) = app(db);
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(&webview, request(cmd, body))
            .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
    };
    let req = serde_json::json!({"from": "2021-04-01", "to": "2021-04-07",
        "params": {"shift_minutes": 240, "max_shifts_per_site_day": 4, "staff_pool": 40,
            "ratios": {"check_in_per_hour": 60.0}},
        "demand": {"uptake": 0.8}});
    let planned = call(
        "plan_shifts",
        serde_json::json!({"request": req, "lang": "fr"}),
    )
    .expect("plan");
    assert!(planned["svg"]
        .as_str()
        .is_some_and(|s| s.starts_with("<svg") && s.contains("Demande et capacité")));
    let plan = &planned["plan"];
    assert_eq!(plan["days"].as_array().map(Vec::len), Some(7));
    for key in [
        "extra_shifts",
        "added_capacity",
        "unmet_demand",
        "binding",
        "surplus_shifts",
    ] {
        assert!(plan.get(key).is_some(), "{key}");
    }
    for part in ["booked", "second_doses_due", "new_bookings"] {
        assert!(plan["days"][0]["demand"][part].is_i64(), "{part}");
    }
    let png = dir.path().join("plan.png");
    call(
        "export_plan_chart",
        serde_json::json!({"request": req, "path": png, "lang": null}),
    )
    .expect("export");
    assert!(png.exists());

    let id = call(
        "save_shift_scenario",
        serde_json::json!({"name": "first week", "request": req}),
    )
    .expect("save");
    let list = call("list_shift_scenarios", serde_json::json!({})).expect("list");
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["name"], "first week");
    assert_eq!(list[0]["unmet_demand"], plan["unmet_demand"]);
    let side = call(
        "compare_shift_scenarios",
        serde_json::json!({"ids": [id, id]}),
    )
    .expect("compare");
    assert_eq!(side.as_array().map(Vec::len), Some(2));
    let created = call("apply_shift_scenario", serde_json::json!({"id": id})).expect("apply");
    assert_eq!(
        created.as_array().map(Vec::len),
        plan["extra_shifts"].as_array().map(Vec::len)
    );
    let err = call("apply_shift_scenario", serde_json::json!({"id": id})).expect_err("twice");
    assert_eq!(err["code"], "conflict");
    assert!(call("undo_shift_scenario", serde_json::json!({"id": id}))
        .expect("undo")
        .is_u64());
    let mut backwards = req.clone();
    backwards["to"] = "2021-03-01".into();
    let err = call("plan_shifts", serde_json::json!({"request": backwards})).expect_err("range");
    assert_eq!(err["code"], "invalid_input");
}

/// Every UI string exists in English and French with the same placeholders.
#[test]
fn french_ui_strings_match_the_english_ones() {
    fn table(file: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ui/i18n")
            .join(file);
        let text = std::fs::read_to_string(&path).expect("strings file");
        text.lines()
            .filter_map(|line| {
                let line = line.trim();
                let rest = line.strip_prefix('\'')?;
                let (key, value) = rest.split_once("':")?;
                let mut holes: Vec<String> = value
                    .split('{')
                    .skip(1)
                    .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
                    .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .collect();
                holes.sort();
                Some((key.to_owned(), holes))
            })
            .collect()
    }
    let en = table("en.js");
    let fr = table("fr.js");
    assert!(en.len() > 250, "{} English strings", en.len());
    let missing: Vec<&String> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    let extra: Vec<&String> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing in fr: {missing:?}; only in fr: {extra:?}"
    );
    for (key, holes) in &en {
        assert_eq!(Some(holes), fr.get(key), "placeholders of {key}");
    }
}

#[test]
fn siting_commands_cross_ipc_in_the_shapes_the_ui_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite3");
    let mut conn = dosedesk_core::store::open(&db).expect("open");
    let tx = conn.transaction().expect("tx");
    dosedesk_core::siting::demo_inputs::load_demo_siting(&tx).expect("areas and candidates");
    tx.commit().expect("commit");
    drop(conn);
    let (_app, webview) = app(db);
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(&webview, request(cmd, body))
            .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
    };
    let candidates = call("site_candidates", serde_json::json!({})).expect("candidates");
    let first = candidates[0]["code"].as_str().expect("code").to_owned();
    let options = serde_json::json!({"k": 2, "radius_km": 3.0, "objective": "coverage",
        "lock": [first], "exclude": [], "capacity_days": null});
    let run = call(
        "plan_sites",
        serde_json::json!({"options": options, "lang": "fr"}),
    )
    .expect("plan");
    assert!(run["svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    let report = &run["report"];
    assert_eq!(report["chosen"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["chosen"][0]["site_code"], first.as_str());
    assert_eq!(report["chosen"][0]["locked"], true);
    for key in ["covered_before", "covered_after", "weighted_total"] {
        assert!(report[key].is_f64(), "{key}");
    }
    assert!(report["areas"][0]["distance_km"].is_f64());
    assert!(report["areas"][0]["nearest_site_code"].is_string());
    assert!(report["uncovered_hotspots"].is_array());

    let saved = call(
        "save_site_scenario",
        serde_json::json!({"name": "two", "options": options}),
    )
    .expect("save");
    assert_eq!(saved["name"], "two");
    assert_eq!(
        saved["chosen"],
        serde_json::json!([
            report["chosen"][0]["site_code"],
            report["chosen"][1]["site_code"]
        ])
    );
    let listed = call("site_scenarios", serde_json::json!({})).expect("list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let side = call(
        "compare_site_scenarios",
        serde_json::json!({"ids": [saved["id"]]}),
    )
    .expect("compare");
    assert_eq!(side[0]["covered_after"], report["covered_after"]);
    let reopened =
        call("open_site_scenario", serde_json::json!({"id": saved["id"]})).expect("open");
    assert_eq!(reopened["report"]["chosen"], report["chosen"]);

    let png = dir.path().join("map.png");
    call(
        "export_site_map",
        serde_json::json!({"options": options, "path": png}),
    )
    .expect("export");
    assert!(std::fs::read(&png).expect("png").starts_with(b"\x89PNG"));
    let err = call(
        "export_site_map",
        serde_json::json!({"options": options, "path": dir.path().join("map.gif")}),
    )
    .expect_err("gif");
    assert_eq!(err["code"], "invalid_input");
}

/// A job's stage crosses IPC by name, and the UI has a string for each.
#[test]
fn job_stages_cross_ipc_with_a_ui_string_each() {
    use dosedesk_core::import::Stage;
    let english = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/i18n/en.js"),
    )
    .expect("strings file");
    // A new stage fails to compile here until it is added to the list below.
    let listed = |stage: Stage| match stage {
        Stage::Rows
        | Stage::People
        | Stage::DailyTotals
        | Stage::Indexes
        | Stage::Commit
        | Stage::Checkpoint
        | Stage::Checks => stage,
    };
    let stages = [
        Stage::Rows,
        Stage::People,
        Stage::DailyTotals,
        Stage::Indexes,
        Stage::Commit,
        Stage::Checkpoint,
        Stage::Checks,
    ];
    for stage in stages.map(listed) {
        let message =
            serde_json::to_value(commands::JobProgress::stage_message(stage)).expect("json");
        let name = message["stage"].as_str().expect("stage name").to_owned();
        assert_eq!(
            message,
            serde_json::json!({"done": 0, "total": 0, "stage": name})
        );
        assert!(
            english.contains(&format!("'job.stage_{name}':")),
            "no UI string for stage {name}"
        );
    }
}
