//! The command layer under Tauri's mock runtime: real commands, real
//! database file, no window.

use super::*;
use crate::file_picks::Purpose;
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

/// As if the person chose `path` in the dialog for `purpose`: its token.
fn chosen(
    app: &tauri::App<tauri::test::MockRuntime>,
    purpose: Purpose,
    path: &std::path::Path,
) -> String {
    use tauri::Manager;
    app.state::<AppState>()
        .picks
        .grant(purpose, path.to_path_buf())
        .token
}

fn app(
    db: PathBuf,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    // The settings beside the store: never the machine's own.
    let launch = LaunchOptions {
        settings_path: Some(db.with_extension("settings.json")),
        ..Default::default()
    };
    app_with(db, launch)
}

const MANAGER: &str = "manager";
const PASSPHRASE: &str = "correct horse battery";

/// A new encrypted store at `db`, as its first manager makes it, unlocked
/// in this process (the app under test runs in it).
fn new_store(db: &std::path::Path) -> dosedesk_core::Connection {
    dosedesk_core::store::encryption::create(db, MANAGER, PASSPHRASE).expect("create");
    dosedesk_core::store::open(db).expect("open")
}

/// The app on `db`, made first (encrypted) when there is no store there.
fn app_with(
    db: PathBuf,
    launch: LaunchOptions,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    if !db.exists() {
        drop(new_store(&db));
    }
    app_as_it_is(db, launch)
}

/// The app on `db` as it is, whatever is there (or not).
fn app_as_it_is(
    db: PathBuf,
    launch: LaunchOptions,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = builder(mock_builder(), db, launch)
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
            tour_views: Some(crate::Tour::Cold),
            now: None,
            lock_after_seconds: None,
            settings_path: None,
        }
    );
    assert_eq!(
        launch_from_args(args(&["--tour-views=prefetched"])).tour_views,
        Some(crate::Tour::Prefetched)
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
    assert_eq!(
        launch_from_args(args(&["--lock-after", "90"])).lock_after_seconds,
        Some(90)
    );
    assert_eq!(
        launch_from_args(args(&["--settings", "/tmp/s.json"])).settings_path,
        Some(PathBuf::from("/tmp/s.json"))
    );
}

#[test]
fn tallies_and_charts_cross_ipc_in_the_shapes_the_ui_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.sqlite3");
    let conn = new_store(&db);
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
    // No shift at A that day: 120 doses is more than it could give, so the
    // first entry is refused and nothing is written; confirmed, it is kept.
    let refused = call("record_tally", tally.clone()).expect_err("implausible");
    assert_eq!(refused["code"], "needs_confirmation");
    assert!(refused["message"]
        .as_str()
        .is_some_and(|m| m.contains("no shift")));
    let mut confirmed = tally.clone();
    confirmed["confirm"] = true.into();
    assert_eq!(
        call("record_tally", confirmed).expect("tally")["replaced"],
        serde_json::Value::Null
    );
    let mut fix = tally;
    fix["tally"]["doses"] = 125.into();
    fix["confirm"] = true.into();
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
    // Withdrawn: kept with its history, counted nowhere.
    let withdrawn = call(
        "withdraw_tally",
        serde_json::json!({"tally": {"site_code": "A", "date": "2021-04-02", "shift": "am",
            "dose_number": 1, "product": "", "doses": 0}}),
    )
    .expect("withdraw");
    assert_eq!(withdrawn, 125);
    let figures = call("dose_figures", serde_json::json!({})).expect("figures");
    assert_eq!(figures["doses_total"], 0);
    let rows = call(
        "site_day_tallies",
        serde_json::json!({"site": "A", "date": "2021-04-02"}),
    )
    .expect("rows");
    assert_eq!(rows[0]["withdrawn"], true);
    assert_eq!(rows[0]["history"], serde_json::json!([125, 120]));
    // The form's shift choices: no shift scheduled, the label a tally used.
    let choices = call(
        "tally_shift_choices",
        serde_json::json!({"site": "A", "date": "2021-04-02"}),
    )
    .expect("choices");
    assert_eq!(
        choices,
        serde_json::json!([{"label": "am", "start": null, "end": null}])
    );
    let err = call(
        "record_tally",
        serde_json::json!({"tally": {"site_code": "ZZ", "date": "2021-04-02", "dose_number": 1, "doses": 1}}),
    )
    .expect_err("unknown site");
    assert_eq!(err["code"], "not_found");
}

/// The progress channel a view passes to a planner's job, as the shell's
/// JavaScript serialises it (messages sent on it go nowhere in the mock).
const PROGRESS: &str = "__CHANNEL__:1";

#[test]
fn shift_planner_crosses_ipc_in_the_shapes_the_ui_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    let mut conn = new_store(&db);
    dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    drop(conn);
    let (app, webview) = app(db);
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
        serde_json::json!({"request": req, "lang": "fr", "onProgress": PROGRESS}),
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
    // Each day's figures add up by the planner's own definitions, read
    // from the JSON: demand is its three parts, unmet is what the planned
    // doses leave of it, and no day plans more than its capacity or stock.
    let int = |v: &serde_json::Value| v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"));
    let mut demand = 0;
    for d in plan["days"].as_array().expect("days") {
        let parts: i64 = ["booked", "second_doses_due", "new_bookings"]
            .iter()
            .map(|p| int(&d["demand"][*p]))
            .sum();
        assert_eq!(int(&d["demand_total"]), parts, "{d}");
        let planned = int(&d["doses_planned"]);
        assert_eq!(int(&d["unmet"]), (parts - planned).max(0), "{d}");
        assert!(
            planned <= int(&d["capacity_after"])
                && int(&d["capacity_after"]) >= int(&d["capacity_before"]),
            "{d}"
        );
        demand += parts;
    }
    assert_eq!(int(&plan["totals"]["demand"]), demand);
    let png = dir.path().join("plan.png");
    let file = chosen(&app, Purpose::SaveChart, &png);
    call(
        "export_plan_chart",
        serde_json::json!({"request": req, "file": file, "lang": null, "onProgress": PROGRESS}),
    )
    .expect("export");
    let bytes = std::fs::read(&png).expect("the chart was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let side =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert!(
        side(16) >= 800 && side(20) >= 400,
        "{}×{}",
        side(16),
        side(20)
    );
    // The choice is spent, and a path is no choice.
    for file in [file, png.display().to_string()] {
        let again = call(
            "export_plan_chart",
            serde_json::json!({"request": req, "file": file, "lang": null, "onProgress": PROGRESS}),
        )
        .expect_err("a second write");
        assert_eq!(again["code"], "invalid_input");
    }

    let id = call(
        "save_shift_scenario",
        serde_json::json!({"name": "first week", "request": req, "onProgress": PROGRESS}),
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
    let err = call(
        "plan_shifts",
        serde_json::json!({"request": backwards, "onProgress": PROGRESS}),
    )
    .expect_err("range");
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
    let mut conn = new_store(&db);
    let tx = conn.transaction().expect("tx");
    dosedesk_core::siting::demo_inputs::load_demo_siting(&tx).expect("areas and candidates");
    tx.commit().expect("commit");
    drop(conn);
    let (app, webview) = app(db);
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(&webview, request(cmd, body))
            .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
    };
    let candidates = call("siting_candidates", serde_json::json!({})).expect("candidates");
    let first = candidates[0]["code"].as_str().expect("code").to_owned();
    let options = serde_json::json!({"k": 2, "radius_km": 3.0, "objective": "coverage",
        "lock": [first], "exclude": [], "capacity_days": null});
    let run = call(
        "plan_siting",
        serde_json::json!({"options": options, "lang": "fr", "onProgress": PROGRESS}),
    )
    .expect("plan");
    assert!(run["svg"].as_str().is_some_and(|s| s.starts_with("<svg")));
    let report = &run["report"];
    assert_eq!(report["chosen"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["chosen"][0]["site_code"], first.as_str());
    assert_eq!(report["chosen"][0]["locked"], true);
    // The covered figure is the areas within 3 km of their nearest site,
    // eligible × weight, added up from the report's own areas.
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    let (mut covered, mut total) = (0.0, 0.0);
    for a in report["areas"].as_array().expect("areas") {
        let weight = num(&a["eligible"]) * num(&a["weight"]);
        let within = num(&a["distance_km"]) <= 3.0;
        assert_eq!(a["covered"], within, "{a}");
        assert!(a["nearest_site_code"].is_string(), "{a}");
        total += weight;
        covered += if within { weight } else { 0.0 };
    }
    assert!(
        (num(&report["covered_after"]) - covered).abs() < 1e-6 * total,
        "{covered}"
    );
    assert!(
        (num(&report["weighted_total"]) - total).abs() < 1e-6 * total,
        "{total}"
    );
    assert!(num(&report["covered_before"]) <= num(&report["covered_after"]));
    assert!(report["uncovered_hotspots"].is_array());

    let saved = call(
        "save_siting_scenario",
        serde_json::json!({"name": "two", "options": options, "onProgress": PROGRESS}),
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
    let listed = call("siting_scenarios", serde_json::json!({})).expect("list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let side = call(
        "compare_siting_scenarios",
        serde_json::json!({"ids": [saved["id"]]}),
    )
    .expect("compare");
    assert_eq!(side[0]["covered_after"], report["covered_after"]);
    let reopened = call(
        "open_siting_scenario",
        serde_json::json!({"id": saved["id"]}),
    )
    .expect("open");
    assert_eq!(reopened["report"]["chosen"], report["chosen"]);

    let png = dir.path().join("map.png");
    let file = chosen(&app, Purpose::SaveChart, &png);
    call(
        "export_siting_map",
        serde_json::json!({"options": options, "file": file, "onProgress": PROGRESS}),
    )
    .expect("export");
    assert!(std::fs::read(&png).expect("png").starts_with(b"\x89PNG"));
    let file = chosen(&app, Purpose::SaveChart, &dir.path().join("map.gif"));
    let err = call(
        "export_siting_map",
        serde_json::json!({"options": options, "file": file, "onProgress": PROGRESS}),
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
        | Stage::Checks
        | Stage::Plausibility
        | Stage::Solving => stage,
    };
    let stages = [
        Stage::Rows,
        Stage::People,
        Stage::DailyTotals,
        Stage::Indexes,
        Stage::Commit,
        Stage::Checkpoint,
        Stage::Checks,
        Stage::Plausibility,
        Stage::Solving,
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

fn call_with(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(webview, request(cmd, body))
        .map(|r| r.deserialize::<serde_json::Value>().expect("json"))
}

fn ui_file(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command names ui/src/api.js invokes: every `call('name'` (and
/// `write('name'`, a call that changes bookings or shifts).
fn api_js_commands() -> std::collections::BTreeSet<String> {
    ui_file("src/api.js")
        .replace("write('", "call('")
        .split("call('")
        .skip(1)
        .filter_map(|rest| rest.split_once('\'').map(|(name, _)| name.to_owned()))
        .collect()
}

/// One list of commands: what the UI calls is what the shell registers.
#[test]
fn api_js_calls_exactly_the_registered_commands() {
    let registered: std::collections::BTreeSet<String> =
        COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(registered.len(), COMMANDS.len(), "a command listed twice");
    let called = api_js_commands();
    let unregistered: Vec<&String> = called.difference(&registered).collect();
    let uncalled: Vec<&String> = registered.difference(&called).collect();
    assert!(
        unregistered.is_empty() && uncalled.is_empty(),
        "api.js calls commands the shell does not register: {unregistered:?}; \
         registered commands api.js never calls: {uncalled:?}"
    );
    // api.js is the only door: its `call` is the one invoke, and no other
    // module reaches the shell by itself.
    assert_eq!(ui_file("src/api.js").matches(".invoke(").count(), 1);
    let modules: Vec<String> = ui_modules()
        .into_iter()
        .filter(|(name, text)| !name.ends_with("/api.js") && text.contains("__TAURI__"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        modules.is_empty(),
        "modules besides api.js use the shell: {modules:?}"
    );
}

/// Every ES module under ui/src: (path, text).
fn ui_modules() -> Vec<(String, String)> {
    let mut modules = vec![];
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("ui/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).expect("module");
                modules.push((path.display().to_string().replace('\\', "/"), text));
            }
        }
    }
    assert!(modules.len() > 10, "{} modules", modules.len());
    modules
}

/// The UI takes "today" from the app (dates.js) only: no module reads the
/// computer's clock for a date, or turns a date into UTC text.
#[test]
fn the_ui_reads_no_date_from_the_clock() {
    for (name, text) in ui_modules() {
        for banned in ["toISOString", "new Date()", "Date.now()"] {
            assert!(!text.contains(banned), "{name} uses {banned}");
        }
    }
}

/// Each name in `COMMANDS` really reaches a command (none is misspelt or
/// renamed), and a name that is not registered is refused.
#[test]
fn every_listed_command_is_registered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_app, webview) = app(dir.path().join("c.sqlite3"));
    let not_found = |cmd: &str| format!("Command {cmd} not found");
    let err =
        call_with(&webview, "no_such_command", serde_json::json!({})).expect_err("unregistered");
    assert_eq!(err, serde_json::json!(not_found("no_such_command")));
    for cmd in COMMANDS {
        // No arguments: the commands that need some refuse before running;
        // the others only read the empty store.
        if let Err(err) = call_with(&webview, cmd, serde_json::json!({})) {
            assert_ne!(err, serde_json::json!(not_found(cmd)), "{cmd}");
        }
    }
}

#[test]
fn each_job_has_its_own_cancellation() {
    let jobs = Jobs::default();
    let first = jobs.start();
    let second = jobs.start();
    assert_ne!(first.id(), second.id());
    assert_eq!(jobs.running(), vec![first.id(), second.id()]);
    // Cancelling one job leaves the other running, and a third job started
    // afterwards does not un-cancel the first.
    assert!(jobs.cancel(first.id()));
    let third = jobs.start();
    assert!(first.is_cancelled());
    assert!(!second.is_cancelled());
    assert!(!third.is_cancelled());
    // A finished job leaves the table; cancelling it then does nothing.
    let (first_id, second_id) = (first.id(), second.id());
    drop(first);
    assert!(!jobs.cancel(first_id));
    assert_eq!(jobs.running(), vec![second_id, third.id()]);
    assert!(!jobs.cancel(9_999));
    assert!(!second.is_cancelled() && !third.is_cancelled());
}

#[test]
fn cancel_job_over_ipc_cancels_that_job_only() {
    use tauri::Manager;
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, webview) = app(dir.path().join("j.sqlite3"));
    let state = app.state::<AppState>();
    let import = state.jobs.start();
    let demo = state.jobs.start();
    assert_eq!(
        call_with(
            &webview,
            "cancel_job",
            serde_json::json!({"id": import.id()})
        ),
        Ok(serde_json::json!(true))
    );
    assert!(import.is_cancelled());
    assert!(!demo.is_cancelled(), "the other job runs on");
    let done = demo.id();
    drop(demo);
    assert_eq!(
        call_with(&webview, "cancel_job", serde_json::json!({"id": done})),
        Ok(serde_json::json!(false))
    );
}

/// A job waiting for the bulk connection, held by another job, stops waiting
/// when it is cancelled; the one that holds it is not disturbed.
#[test]
fn a_job_waiting_for_the_bulk_connection_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("b.sqlite3");
    drop(new_store(&db));
    let (store, opened) = Store::open(&db);
    opened.expect("open");
    let jobs = Jobs::default();
    let (running, waiting) = (jobs.start(), jobs.start());
    let held = store.bulk(running.token()).expect("bulk");
    let cache: i64 = held
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .expect("cache_size");
    assert_eq!(cache, dosedesk_core::store::BULK_CACHE_SIZE);
    std::thread::scope(|s| {
        let queued = s.spawn(|| store.bulk(waiting.token()).map(drop));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !queued.is_finished(),
            "one bulk connection: the second job waits"
        );
        jobs.cancel(waiting.id());
        let result = queued.join().expect("thread");
        assert!(
            matches!(result, Err(dosedesk_core::Error::Cancelled)),
            "{result:?}"
        );
    });
    assert!(!running.is_cancelled());
    drop(held);
    // Its turn comes once the first is done.
    let next = jobs.start();
    store.bulk(next.token()).expect("bulk again");
}

/// The store is opened once at start-up: commands borrow its connections
/// and overlapping ones get at most `VIEW_CONNECTIONS`, each with the view's
/// small page cache.
#[test]
fn commands_borrow_the_connections_opened_at_start_up() {
    use tauri::Manager;
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, webview) = app(dir.path().join("p.sqlite3"));
    let store = app.state::<AppState>().store.clone();
    assert_eq!(store.opened(), 1, "opened and migrated at start-up");
    for _ in 0..20 {
        call_with(&webview, "app_info", serde_json::json!({})).expect("app_info");
        call_with(&webview, "site_list", serde_json::json!({})).expect("site_list");
    }
    assert_eq!(store.opened(), 1, "one command at a time: one connection");

    let views: Vec<_> = (0..state::VIEW_CONNECTIONS)
        .map(|_| store.view().expect("view"))
        .collect();
    assert_eq!(store.opened(), state::VIEW_CONNECTIONS);
    for conn in &views {
        let cache: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .expect("cache_size");
        assert_eq!(cache, dosedesk_core::store::VIEW_CACHE_SIZE);
    }
    std::thread::scope(|s| {
        let next = s.spawn(|| store.view().map(drop));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !next.is_finished(),
            "the pool is full: wait for a connection"
        );
        drop(views);
        next.join().expect("thread").expect("a returned connection");
    });
    assert_eq!(
        store.opened(),
        state::VIEW_CONNECTIONS,
        "no connection reopened"
    );
}

/// A store the app may not open is not touched, and every command says why
/// (the app shows it), as before the store was opened once.
#[test]
fn a_store_that_cannot_be_opened_is_reported_by_each_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("other.sqlite3");
    let other = dosedesk_core::Connection::open(&db).expect("sqlite");
    other
        .execute_batch("CREATE TABLE notes (text TEXT)")
        .expect("table");
    drop(other);
    let before = std::fs::read(&db).expect("file");
    let (_app, webview) = app(db.clone());
    for cmd in ["app_info", "site_list", "app_info"] {
        let err = call_with(&webview, cmd, serde_json::json!({})).expect_err(cmd);
        assert_eq!(err["code"], "not_dosedesk", "{cmd}: {err}");
    }
    assert_eq!(std::fs::read(&db).expect("file"), before, "not changed");
}

/// No store yet, then a plain one: the app opens neither, says which
/// (the UI asks for the first manager), and `set_up_store` makes each
/// encrypted and signs that manager in; the plain one keeps its rows.
#[test]
fn the_app_sets_up_a_new_or_plain_store_encrypted_before_opening_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("new.sqlite3");
    let plain = dir.path().join("plain.sqlite3");
    {
        let mut conn = dosedesk_core::store::open(&plain).expect("plain");
        dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    }
    for (db, code, copied) in [
        (&new, "store_missing", false),
        (&plain, "store_unencrypted", true),
    ] {
        let (_app, webview) = app_as_it_is(db.clone(), LaunchOptions::default());
        let err = call_with(&webview, "app_info", serde_json::json!({})).expect_err("not open");
        assert_eq!(err["code"], code, "{err}");
        let short = call_with(
            &webview,
            "set_up_store",
            serde_json::json!({"user": "first", "passphrase": "short"}),
        )
        .expect_err("short passphrase");
        assert_eq!(short["code"], "invalid_input", "{short}");
        let done = call_with(
            &webview,
            "set_up_store",
            serde_json::json!({"user": " first ", "passphrase": PASSPHRASE}),
        )
        .expect("set up");
        assert_eq!(done.is_object(), copied, "{done}");
        let info = call_with(&webview, "app_info", serde_json::json!({})).expect("app_info");
        assert_eq!(info["encrypted"], true);
        assert_eq!(info["user"]["user"], "first");
        assert_eq!(info["user"]["role"], "manager");
        assert_eq!(info["empty"], !copied);
        assert_eq!(
            dosedesk_core::store::encryption::kind(db),
            dosedesk_core::store::encryption::StoreKind::Encrypted
        );
        dosedesk_core::users::sign_out();
    }
}

/// "Today": the health unit's date (America/Toronto unless the store says
/// otherwise) on real data; the demo's day on demo data; `--week` above both.
#[test]
fn app_info_today_is_the_health_units_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let info = |db: &std::path::Path, launch: LaunchOptions| {
        let (_app, webview) = app_with(db.to_path_buf(), launch);
        call_with(&webview, "app_info", serde_json::json!({}))
    };
    let no_settings = Some(dir.path().join("none.json"));
    let at_2330_in_ottawa = |week: Option<&str>| LaunchOptions {
        now: Some("2021-03-23T03:30:00Z".into()),
        start_date: week.map(str::to_owned),
        settings_path: no_settings.clone(),
        ..Default::default()
    };
    let db = dir.path().join("real.sqlite3");
    let today = |launch| info(&db, launch).expect("app_info")["today"].clone();
    assert_eq!(today(at_2330_in_ottawa(None)), "2021-03-22");
    assert_eq!(today(at_2330_in_ottawa(Some("2021-05-03"))), "2021-05-03");
    let conn = dosedesk_core::store::open(&db).expect("open");
    dosedesk_core::store::meta_set(&conn, dosedesk_core::clock::TIME_ZONE_KEY, "UTC")
        .expect("zone");
    drop(conn);
    assert_eq!(today(at_2330_in_ottawa(None)), "2021-03-23");

    let demo = dir.path().join("demo.sqlite3");
    let mut conn = new_store(&demo);
    dosedesk_core::demo::load(&mut conn, &dosedesk_core::import::Quiet).expect("demo");
    drop(conn);
    let launch = LaunchOptions {
        now: Some("2025-01-01T12:00:00Z".into()),
        settings_path: no_settings.clone(),
        ..Default::default()
    };
    assert_eq!(
        info(&demo, launch).expect("app_info")["today"],
        dosedesk_core::demo::AS_OF
    );
    let err = info(
        &db,
        LaunchOptions {
            now: Some("tonight".into()),
            ..Default::default()
        },
    )
    .expect_err("bad --now");
    assert_eq!(err["code"], "invalid_input");
}

/// The Settings view's round trip: saved settings are checked, kept in the
/// file, and in force at once (today's zone, the idle lock); a broken file
/// at start-up is reported and left alone, and the defaults are used.
#[test]
fn settings_are_checked_kept_and_in_force_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("real.sqlite3");
    let file = dir.path().join("machine").join("settings.json");
    let launch = LaunchOptions {
        // 03:30 UTC: 23:30 on the 22nd in Toronto, 00:30 on the 23rd in Halifax.
        now: Some("2021-03-23T03:30:00Z".into()),
        settings_path: Some(file.clone()),
        ..Default::default()
    };
    let (app, webview) = app_with(db.clone(), launch.clone());
    let shown = call_with(&webview, "get_settings", serde_json::json!({})).expect("get");
    assert_eq!(shown["settings"]["language"], "en");
    assert_eq!(shown["problem"], serde_json::Value::Null);
    assert_eq!(shown["path"], file.display().to_string());
    let info = call_with(&webview, "app_info", serde_json::json!({})).expect("info");
    assert_eq!(
        (info["today"].clone(), info["lock_after_seconds"].clone()),
        ("2021-03-22".into(), 600.into())
    );

    let wanted = serde_json::json!({"settings": {
        "language": "fr", "time_zone": "America/Halifax", "lock_after_minutes": 3,
        "page_size": 25, "text_size_percent": 150, "sync_server": "https://sync.unit.example:8443/",
    }});
    let kept = call_with(&webview, "save_settings", wanted).expect("save");
    assert_eq!(kept["sync_server"], "https://sync.unit.example:8443");
    assert_eq!(kept["text_size_percent"], 150);
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("json");
    assert_eq!(on_disk, kept);
    let info = call_with(&webview, "app_info", serde_json::json!({})).expect("info");
    assert_eq!(
        (info["today"].clone(), info["lock_after_seconds"].clone()),
        ("2021-03-23".into(), 180.into())
    );

    let wrong = serde_json::json!({"settings": {
        "language": "fr", "time_zone": "Halifax", "lock_after_minutes": 3, "page_size": 25,
    }});
    let err = call_with(&webview, "save_settings", wrong).expect_err("not a zone");
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("time_zone: \"Halifax\""),
        "{err}"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&file).expect("file"))
            .expect("json"),
        kept
    );
    drop(webview);
    drop(app);

    // A file spoiled by hand: the app starts on the defaults and says why.
    std::fs::write(&file, "{\"language\": \"fr\",\n \"page_size\": 0}\n").expect("spoil");
    let (_app, webview) = app_with(db, launch);
    let shown = call_with(&webview, "get_settings", serde_json::json!({})).expect("get");
    assert_eq!(shown["settings"]["language"], "en");
    let problem = shown["problem"].as_str().unwrap_or_default();
    assert!(
        problem.starts_with(&file.display().to_string()) && problem.contains("page_size: 0"),
        "{problem}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        "{\"language\": \"fr\",\n \"page_size\": 0}\n"
    );
}

/// Runs the UI test script `tests/ui/NAME` under node with `env`; fails
/// with its output when the script does.
fn run_ui_script(name: &str, env: &[(&str, &str)]) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/ui")
        .join(name);
    let out = std::process::Command::new("node")
        .arg(&script)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install nodejs (make deps-test does)"));
    assert!(
        out.status.success(),
        "{name} {env:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The UI's date logic (ui/src/dates.js) under node, on a computer whose
/// clock says 23:30 in Ottawa (03:30 UTC the next day), and in zones far
/// east and west of UTC: no day moves.
#[test]
fn ui_dates_hold_at_2330_local_time() {
    for (zone, instant) in [
        ("America/Toronto", "2021-03-23T03:30:00Z"),
        ("Pacific/Kiritimati", "2021-03-22T09:30:00Z"),
        ("Pacific/Pago_Pago", "2021-03-23T10:30:00Z"),
    ] {
        run_ui_script("dates.test.mjs", &[("TZ", zone), ("FAKE_NOW", instant)]);
    }
}

/// What people type into the UI's date and time fields
/// (ui/src/date_text.js) under node, in zones east and west of UTC: 58,000
/// typed dates from 2020 to 2031 read back as their day in English and
/// French, and every minute of the day as its time; ambiguous, impossible
/// and unreadable ones are refused with their reason.
/// On a French page the error bar says what happened in French, core's own
/// English words following as the detail (tests/ui/error_text.test.mjs).
#[test]
fn ui_errors_are_worded_in_the_page_language() {
    run_ui_script("error_text.test.mjs", &[]);
}

#[test]
fn ui_date_fields_read_what_people_type() {
    for zone in ["America/Toronto", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        run_ui_script("date_text.test.mjs", &[("TZ", zone)]);
    }
}

/// The webview's reach, declared here: a new permission, a remote source in
/// the CSP or a command that takes a file path from the page fails this
/// test until it is added to the lists below on purpose.
#[test]
fn the_webview_may_do_only_what_is_declared() {
    const PERMISSIONS: &[&str] = &["core:default"];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut granted = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root.join("capabilities")).expect("capabilities") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("capability");
        let json: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
        for p in json["permissions"].as_array().expect("permissions") {
            let id = p
                .as_str()
                .or_else(|| p["identifier"].as_str())
                .expect("a permission names itself");
            granted.insert(id.to_string());
        }
    }
    let declared: std::collections::BTreeSet<String> =
        PERMISSIONS.iter().map(|p| p.to_string()).collect();
    assert_eq!(granted, declared, "the window's permissions");

    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tauri.conf.json")).expect("tauri.conf.json"),
    )
    .expect("conf JSON");
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP");
    for source in csp.split([';', ' ']).filter(|s| !s.is_empty()) {
        let remote = source.contains("://") && source != "http://ipc.localhost";
        assert!(
            !remote && !source.contains('*') && source != "https:" && source != "http:",
            "the CSP lets the page load {source:?}"
        );
    }

    // Commands read and write files through tokens from file_picks, never
    // a path from the page.
    for entry in std::fs::read_dir(root.join("src")).expect("src") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        for command in text.split("#[tauri::command]").skip(1) {
            let signature = command.split_once('{').map_or(command, |(s, _)| s);
            for banned in ["path: String", "PathBuf", "&Path", "path: &str"] {
                assert!(
                    !signature.contains(banned),
                    "{}: a command takes a path from the page: {signature}",
                    path.display()
                );
            }
        }
    }
}
