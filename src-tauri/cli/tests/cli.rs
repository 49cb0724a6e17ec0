//! Runs the built `dosedesk-cli` binary as a user or a script would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;

/// `dosedesk-cli --db DB ARGS…`, signed in (every store is encrypted).
fn cli(db: &Path, args: &[&str]) -> Output {
    support::signed_in(db)
        .args(args)
        .output()
        .expect("run dosedesk-cli")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write");
    path
}

#[test]
fn demo_then_stats_json_prints_counts_and_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    let out = cli(&db, &["demo"]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    assert!(stdout(&out).contains("demo loaded"));
    let out = cli(&db, &["stats", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let counts = &json["counts"];
    // 4 mass clinics and 5 pharmacies run clinics; 11 candidate pharmacies are for siting.
    assert_eq!(counts["site"], 20);
    assert!(
        counts["appointment"].as_i64().unwrap_or(0) > 20_000,
        "{counts}"
    );
    assert!(counts["shift"].as_i64().unwrap_or(0) > 800);
    assert!(counts["dose_count"].as_i64().unwrap_or(0) > 0);
    assert!(counts["supply"].as_i64().unwrap_or(0) > 0);
    assert_eq!(json["appointments_from"], "2021-03-15");
    assert_eq!(json["appointments_to"], "2021-06-30");
    assert_eq!(json["demo"], true);
    // Loading the demo twice is refused, and says why.
    let again = cli(&db, &["demo"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("empty database"),
        "{}",
        stderr(&again)
    );
}

/// `make run`'s first step: the demo into no store, with no user named,
/// makes an encrypted demo store and prints its public account, which
/// opens it; the store shows that account on its sign-in screen.
#[test]
fn the_demo_into_no_store_is_an_encrypted_store_with_its_account_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    let out = cli_env(&db, &[], &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let account = said
        .split_once("sign in as ")
        .and_then(|(_, rest)| rest.split_once(" with the passphrase "))
        .map(|(user, rest)| {
            (
                user.to_string(),
                rest.split(';').next().unwrap_or("").to_string(),
            )
        })
        .unwrap_or_else(|| panic!("no account printed: {said}"));
    assert!(!std::fs::read(&db)
        .expect("read")
        .starts_with(b"SQLite format 3"));
    let locked = cli_env(&db, &[], &["stats", "--json"]);
    assert_eq!(locked.status.code(), Some(1), "{}", stderr(&locked));

    let pass = write(dir.path(), "pass", &format!("{}\n", account.1));
    let user = PathBuf::from(&account.0);
    let out = cli_env(
        &db,
        &[
            ("DOSEDESK_USER", &user),
            ("DOSEDESK_PASSPHRASE_FILE", &pass),
        ],
        &["stats", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["counts"]["site"], 20);
    assert_eq!(
        dosedesk_core::store::encryption::demo_account(&db),
        Some((account.0.as_str(), account.1.as_str()))
    );
    // A store made by a named user is no demo store, even with the demo in it.
    let (_other_dir, other) = demo_store();
    assert_eq!(dosedesk_core::store::encryption::demo_account(&other), None);
}

#[test]
fn import_reports_counts_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("x.sqlite3");
    let sites = write(
        dir.path(),
        "sites.csv",
        "site_code,name,kind\nEVJ,Eva James,mass_clinic\n",
    );
    let bookings = write(
        dir.path(),
        "bookings.csv",
        "booking_id,person_id,site_code,slot_start,dose_number,product,status\nB1,P1,EVJ,2021-03-23T09:00,1,PFIZER,booked\n",
    );
    assert!(cli(
        &db,
        &["import", "sites", sites.to_str().unwrap_or_default()]
    )
    .status
    .success());
    let first = cli(
        &db,
        &["import", "bookings", bookings.to_str().unwrap_or_default()],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("1 rows: 1 new, 0 updated, 0 unchanged"),
        "{}",
        stdout(&first)
    );
    let second = cli(
        &db,
        &["import", "bookings", bookings.to_str().unwrap_or_default()],
    );
    assert!(
        stdout(&second).contains("0 new, 0 updated, 1 unchanged"),
        "{}",
        stdout(&second)
    );
    assert!(
        stderr(&second).is_empty(),
        "no progress bar when stderr is not a terminal"
    );
}

#[test]
fn a_bad_file_exits_1_with_one_line_naming_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("x.sqlite3");
    let sites = write(
        dir.path(),
        "sites.csv",
        "site_code,name,kind\nEVJ,Eva James,mass_clinic\nX,Bad,castle\n",
    );
    let out = cli(
        &db,
        &["import", "sites", sites.to_str().unwrap_or_default()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("sites.csv:3: column kind: \"castle\" is not one of"),
        "{err}"
    );
    let stats = cli(&db, &["stats", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("JSON");
    assert_eq!(
        json["counts"]["site"], 0,
        "nothing kept from a failed import"
    );
}

#[test]
fn usage_errors_exit_2_and_every_command_has_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("x.sqlite3");
    assert_eq!(cli(&db, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        cli(&db, &["import", "castles", "x.csv"]).status.code(),
        Some(2)
    );
    assert_eq!(cli(&db, &["import", "sites"]).status.code(), Some(2));
    for command in [
        &["--help"][..],
        &["demo", "--help"],
        &["import", "--help"],
        &["stats", "--help"],
        &["schedule", "--help"],
    ] {
        let out = cli(&db, command);
        assert!(out.status.success(), "{command:?}");
        assert!(
            stdout(&out).contains("Usage:"),
            "{command:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn refuses_a_foreign_database_without_touching_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = write(dir.path(), "notes.txt", "these are not clinic records\n");
    let out = cli(&db, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a readable SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&db).unwrap_or_default(),
        "these are not clinic records\n"
    );
}

#[test]
fn schedule_lists_the_demo_clinics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    let out = cli(&db, &["schedule", "--week", "2021-04-14", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["week_start"], "2021-04-12");
    let codes: Vec<&str> = json["sites"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["code"].as_str()).collect())
        .unwrap_or_default();
    for code in ["CHL", "NSP", "EVJ", "RFC"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let shifts = json["sites"][0]["shifts"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(shifts, 14, "two shifts a day for seven days");
}

#[test]
fn names_from_elsewhere_print_escaped_never_obeyed_by_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    // As a pull from the central copy writes it (no importer judged it):
    // a name that clears the screen, rings, and reverses the line.
    let hostile = "North \u{1b}[2J\u{7}Superstore\u{202e}lanigiro";
    support::open(&db)
        .execute("UPDATE site SET name = ?1 WHERE code = 'NSP'", [hostile])
        .expect("plant");
    let out = cli(&db, &["schedule", "--week", "2021-04-14"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !out.stdout.iter().any(|&b| b == 0x1b || b == 0x07),
        "raw control bytes printed"
    );
    assert!(
        !text.contains('\u{202e}'),
        "a direction override printed raw"
    );
    assert!(
        text.contains("North \\u001b[2J\\u0007Superstore\\u202elanigiro"),
        "{text}"
    );
    // JSON stays valid and carries the name exactly.
    let out = cli(&db, &["schedule", "--week", "2021-04-14", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stdout.iter().any(|&b| b == 0x1b || b == 0x07));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = json["sites"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&hostile), "{names:?}");
}

/// Someone new is booked by name alone under an id made for them, and found
/// again by name; with neither an id nor a name, the booking is refused.
#[test]
fn a_new_person_is_booked_by_name_and_found_again() {
    let (_dir, db) = demo_store();
    let book = |extra: &[&str]| {
        let mut args = vec![
            "book",
            "--site",
            "RFC",
            "--slot",
            "2021-03-26T09:00",
            "--json",
        ];
        args.extend_from_slice(extra);
        cli(&db, &args)
    };
    let nameless = book(&[]);
    assert_eq!(nameless.status.code(), Some(1));
    assert!(
        stderr(&nameless).contains("give the person's id, or their name"),
        "{}",
        stderr(&nameless)
    );
    let out = book(&[
        "--given-name",
        "Zoé",
        "--family-name",
        "Ouimet-Neuf",
        "--language",
        "FR",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let booked: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let id = booked["person_id"].as_str().unwrap_or_default().to_string();
    assert!(id.starts_with("DD-") && id.len() == 13, "{booked}");
    let out = cli(&db, &["people", "ouimet-neuf zo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("{id}\tOuimet-Neuf, Zoé\t"))
            && text.contains("dose 1 RFC 2021-03-26T09:00 booked"),
        "{text}"
    );
    let out = cli(&db, &["people", "zzzz"]);
    assert_eq!(stdout(&out), "no one matches \"zzzz\"\n");
}

/// Two `dosedesk-cli book` processes race for the one place in a slot, 300
/// times: exactly one wins each round; the loser is told the slot is full.
/// (Each process first signs in, Argon2id's ~0.15 s of both cores: 300
/// rounds keep the test near a minute. The race also covers the sign-in's
/// own audit entry: written by both at once, it found a write that read
/// first and was refused as busy without waiting.)
#[test]
fn two_processes_racing_for_the_last_place_never_overbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("race.sqlite3");
    let sites = write(
        dir.path(),
        "sites.csv",
        "site_code,name,kind\nA,Clinic A,mass_clinic\n",
    );
    let mut shifts = String::from("site_code,date,start,end,vaccinators\n");
    for day in 1..=31 {
        shifts.push_str(&format!("A,2021-03-{day:02},08:00,20:00,1\n"));
        shifts.push_str(&format!("A,2021-05-{day:02},08:00,20:00,1\n"));
    }
    let shifts = write(dir.path(), "shifts.csv", &shifts);
    assert!(cli(
        &db,
        &["import", "sites", sites.to_str().unwrap_or_default()]
    )
    .status
    .success());
    assert!(cli(
        &db,
        &["import", "shifts", shifts.to_str().unwrap_or_default()]
    )
    .status
    .success());
    let rounds = 300;
    let mut wins = 0;
    for round in 0..rounds {
        let minute = 8 * 60 + 5 * (round % 144);
        let slot = format!(
            "2021-03-{:02}T{:02}:{:02}",
            1 + round / 144,
            minute / 60,
            minute % 60
        );
        let spawn = |who: &str| {
            support::signed_in(&db)
                .args([
                    "book",
                    "--person",
                    &format!("{who}{round}"),
                    "--site",
                    "A",
                    "--slot",
                    &slot,
                ])
                .args([
                    "--second-slot",
                    &format!(
                        "2021-05-{:02}T{:02}:{:02}",
                        1 + round / 144,
                        minute / 60,
                        minute % 60
                    ),
                ])
                .output()
        };
        // Started together, so each process's open and transaction overlap the other's.
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| spawn("a"));
            let b = s.spawn(|| spawn("b"));
            (
                a.join().expect("a").expect("run a"),
                b.join().expect("b").expect("run b"),
            )
        });
        let ok = [&a, &b].iter().filter(|o| o.status.success()).count();
        assert_eq!(ok, 1, "round {round}: {} / {}", stderr(&a), stderr(&b));
        let loser = if a.status.success() { &b } else { &a };
        assert_eq!(loser.status.code(), Some(1));
        assert!(
            stderr(loser).contains("is full"),
            "round {round}: {}",
            stderr(loser)
        );
        wins += ok;
    }
    let out = cli(&db, &["check", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["overbooked_slots"], 0);
    let stats: serde_json::Value =
        serde_json::from_slice(&cli(&db, &["stats", "--json"]).stdout).expect("JSON");
    assert_eq!(
        stats["counts"]["appointment"],
        2 * wins as i64,
        "every win kept with its second dose"
    );
}

#[test]
fn plan_shifts_on_the_demo_for_april_2021() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    let args = [
        "plan",
        "shifts",
        "--from",
        "2021-04-01",
        "--to",
        "2021-04-30",
        "--staff-pool",
        "60",
        "--max-shifts-per-day",
        "3",
        "--json",
    ];
    let out = cli(&db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for key in [
        "extra_shifts",
        "added_capacity",
        "unmet_demand",
        "binding",
        "days",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let days = json["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    assert_eq!(days[0]["date"], "2021-04-01");
    for d in days {
        assert!(d["on_hand"].as_i64().unwrap_or(-1) >= 0, "{d}");
        for part in ["booked", "second_doses_due", "new_bookings"] {
            assert!(d["demand"][part].is_i64(), "{d}");
        }
    }
    // The demo's shipments cover its bookings and 10% more: supply binds.
    assert!(json["unmet_demand"].as_i64().unwrap_or(0) > 0);
    assert!(json["binding"]
        .as_array()
        .is_some_and(|b| b.iter().any(|c| c == "supply")));
    for s in json["extra_shifts"].as_array().expect("list") {
        for key in ["site_code", "date", "start", "end", "vaccinators"] {
            assert!(s.get(key).is_some(), "{s}");
        }
    }
    // The solver's verdict: worth recomputed from the days by the README's
    // rule (2 per promised dose, 1 per other, under one dose for all shifts).
    let mut worth = 0;
    for d in days {
        let planned = d["doses_planned"].as_i64().expect("planned");
        let promised = d["demand"]["booked"].as_i64().unwrap_or(0)
            + d["demand"]["second_doses_due"].as_i64().unwrap_or(0);
        worth += 2 * planned.min(promised) + (planned - planned.min(promised));
    }
    let reported = json["worth"].as_f64().expect("worth");
    assert!(
        reported <= worth as f64 && reported > worth as f64 - 1.0,
        "worth {reported} vs {worth}"
    );
    assert!(["highs", "greedy"].contains(&json["method"].as_str().unwrap_or("")));
    let (bound, gap) = (json["bound"].as_f64(), json["gap"].as_f64());
    assert!(bound.is_some_and(|b| b >= reported), "{bound:?}");
    assert!(gap.is_some_and(|g| (0.0..0.01).contains(&g)), "{gap:?}");
    let refused = cli(&db, &[&args[..10], &["--time-limit=-1"]].concat());
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("time limit"),
        "{}",
        stderr(&refused)
    );
    // Text output and a bad date.
    let text = cli(
        &db,
        &[
            "plan",
            "shifts",
            "--from",
            "2021-04-01",
            "--to",
            "2021-04-07",
        ],
    );
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).contains("unmet demand"));
    assert!(
        stdout(&text).contains("optimal: given the vaccinators added")
            || stdout(&text).contains("short of the best possible plan"),
        "{}",
        stdout(&text)
    );
    let bad = cli(
        &db,
        &["plan", "shifts", "--from", "April", "--to", "2021-04-07"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("not a date"), "{}", stderr(&bad));
}

/// The demo's March 2021 incident: `plan shifts --json` puts capacity at
/// each site-day `check --json` finds overbooked, or says whom to move,
/// and every line carries its reason.
#[test]
fn plan_shifts_puts_capacity_where_the_checks_find_overbooking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    let range = ["--from", "2021-03-23", "--to", "2021-03-25", "--json"];
    let check = cli(&db, &[&["check"][..], &range[..]].concat());
    assert!(check.status.success(), "{}", stderr(&check));
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    let overbooked = check["by_site_day"].as_array().expect("by_site_day");
    assert_eq!(overbooked.len(), 6, "NSP and EVJ on three days");
    let out = cli(&db, &[&["plan", "shifts"][..], &range[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lines = plan["extra_shifts"].as_array().expect("extra_shifts");
    let moves = plan["moves_needed"].as_array().expect("moves_needed");
    for day in overbooked {
        let (site, date) = (&day["site_code"], &day["date"]);
        let excess = day["excess_bookings"].as_i64().expect("excess");
        let here = |l: &&serde_json::Value| &l["site_code"] == site && &l["date"] == date;
        let stated: i64 = lines
            .iter()
            .filter(here)
            .filter(|l| l["reason"]["kind"] == "overbooked")
            .map(|l| l["reason"]["booked_over_capacity"].as_i64().unwrap_or(0))
            .sum();
        let to_move: i64 = moves
            .iter()
            .filter(here)
            .map(|m| m["people"].as_i64().unwrap_or(0))
            .sum();
        assert_eq!(
            stated, excess,
            "{site} {date}: the lines' reasons cover the excess"
        );
        assert!(
            lines
                .iter()
                .filter(here)
                .any(|l| l["kind"] == "more_vaccinators")
                || to_move == excess,
            "{site} {date}: no capacity added and no moves stated"
        );
    }
    for l in lines {
        assert!(
            l["reason"]["kind"].is_string(),
            "a line without a reason: {l}"
        );
    }
    let text = cli(
        &db,
        &[
            "plan",
            "shifts",
            "--from",
            "2021-03-23",
            "--to",
            "2021-03-25",
        ],
    );
    assert!(
        stdout(&text).contains("booked over capacity"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn plan_scenarios_compare_apply_undo_and_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    let april = [
        "plan",
        "shifts",
        "--from",
        "2021-04-01",
        "--to",
        "2021-04-30",
    ];
    let svg = dir.path().join("plan.svg");
    let svg_arg = svg.to_string_lossy().into_owned();
    let mut args = april.to_vec();
    args.extend(["--save", "demo supply", "--json", "--chart", &svg_arg]);
    let out = cli(&db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).expect("pure JSON");
    let chart = std::fs::read_to_string(&svg).expect("chart written");
    assert!(chart.contains("Capacity after the plan"), "legend");
    assert!(chart.contains("Expected new bookings"), "legend");

    // 20,000 more doses: the planner now adds shifts.
    let supply = write(
        dir.path(),
        "supply.csv",
        "date,product,doses,status\n2021-04-06,PFIZER,20000,expected\n",
    );
    let out = cli(&db, &["import", "supply", &supply.to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let png = dir.path().join("plan.png");
    let png_arg = png.to_string_lossy().into_owned();
    let mut args = april.to_vec();
    args.extend(["--save", "20k more", "--json", "--chart", &png_arg]);
    let out = cli(&db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let second: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(&std::fs::read(&png).expect("png")[1..4], b"PNG");
    let shifts = second["extra_shifts"].as_array().map_or(0, Vec::len);
    assert!(shifts > 0, "more supply adds shifts");
    let (a, b) = (
        first["scenario_id"].to_string(),
        second["scenario_id"].to_string(),
    );

    let out = cli(&db, &["plan", "scenarios", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(list[0]["name"], "20k more", "newest first");
    assert_eq!(list[1]["name"], "demo supply");
    let out = cli(&db, &["plan", "compare", &a, &b]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let row = |label: &str| {
        table
            .lines()
            .find(|l| l.starts_with(label))
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(row("extra shifts").last(), Some(&shifts.to_string()));
    assert_eq!(
        row("unmet demand")[2],
        first["unmet_demand"].to_string(),
        "{table}"
    );
    let out = cli(&db, &["plan", "compare", &b, "--json"]);
    let side: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(side[0]["shifts_added"], shifts);

    let count = || {
        let out = cli(&db, &["stats", "--json"]);
        let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        stats["counts"]["shift"].as_i64().unwrap_or(-1)
    };
    let before = count();
    let out = cli(&db, &["plan", "apply", &b]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("{shifts} shifts created")));
    assert_eq!(count(), before + shifts as i64);
    let again = cli(&db, &["plan", "apply", &b]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already applied"),
        "{}",
        stderr(&again)
    );
    let out = cli(&db, &["plan", "undo", &b]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(), before);
    let missing = cli(&db, &["plan", "apply", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no saved shift plan 999"));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // `dosedesk-cli stats --json | head -0`: the reader is gone before the
    // first line is written.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = support::signed_in(&dir.path().join("empty.sqlite3"))
        .args(["stats", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dosedesk-cli");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    assert_eq!(stderr(&out), "");
}

/// The review's typo: 99,999 doses for one shift of EVJ. Refused (exit 1,
/// nothing written) until confirmed; a withdrawn tally leaves the totals.
#[test]
fn an_implausible_tally_needs_confirm_and_a_tally_can_be_withdrawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    let total = |db: &Path| -> i64 {
        let out = cli(db, &["stats", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v["doses_total"].as_i64().expect("doses_total")
    };
    let before = total(&db);
    let args = [
        "tally",
        "--site",
        "EVJ",
        "--date",
        "2021-03-22",
        "--shift",
        "am",
        "--dose-number",
        "1",
    ];
    let typo = cli(&db, &[&args[..], &["--doses", "99999"]].concat());
    assert_eq!(typo.status.code(), Some(1), "{}", stderr(&typo));
    assert!(stderr(&typo).contains("--confirm"), "{}", stderr(&typo));
    assert!(stderr(&typo).contains("capacity"), "{}", stderr(&typo));
    assert_eq!(total(&db), before);
    let sure = cli(
        &db,
        &[&args[..], &["--doses", "99999", "--confirm"]].concat(),
    );
    assert!(sure.status.success(), "{}", stderr(&sure));
    assert_eq!(total(&db), before + 99_999);
    let gone = cli(&db, &[&args[..], &["--withdraw"]].concat());
    assert!(gone.status.success(), "{}", stderr(&gone));
    assert!(stdout(&gone).contains("99999"), "{}", stdout(&gone));
    assert_eq!(total(&db), before);
    // A plausible tally needs no confirmation.
    let fine = cli(&db, &[&args[..], &["--doses", "200"]].concat());
    assert!(fine.status.success(), "{}", stderr(&fine));
    assert_eq!(total(&db), before + 200);
}

/// Runs the CLI with a clean sign-in environment plus `env`.
fn cli_env(db: &Path, env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dosedesk-cli"));
    command
        .env_remove("DOSEDESK_USER")
        .env_remove("DOSEDESK_PASSPHRASE_FILE")
        .stdin(std::process::Stdio::null())
        .arg("--db")
        .arg(db)
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run dosedesk-cli")
}

fn site_count(out: &Output) -> i64 {
    assert!(out.status.success(), "{}", stderr(out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["counts"]["site"].as_i64().unwrap_or(-1)
}

#[test]
fn an_encrypted_store_opens_only_with_a_users_passphrase_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = write(dir.path(), "pass", "correct horse battery\n");
    let wrong = write(dir.path(), "wrong", "not the passphrase\n");
    let sites = write(
        dir.path(),
        "sites.csv",
        "site_code,name,kind\nAAA,Arena,mass_clinic\n",
    );
    let sites = sites.to_str().unwrap_or_default();
    let db = dir.path().join("enc.sqlite3");
    let user = Path::new("manager");
    let signed_in = [
        ("DOSEDESK_USER", user),
        ("DOSEDESK_PASSPHRASE_FILE", pass.as_path()),
    ];

    // No user named, no store made: a new store is an encrypted one.
    let refused = cli_env(&db, &[], &["import", "sites", sites]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("first manager"),
        "{}",
        stderr(&refused)
    );
    assert!(!db.exists(), "nothing was made");

    // The first command naming a user creates the store encrypted.
    let out = cli_env(&db, &signed_in, &["import", "sites", sites]);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = cli_env(&db, &[], &["store", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(status["encryption"], "encrypted");
    let header = std::fs::read(&db).expect("read");
    assert!(!header.starts_with(b"SQLite format 3"));

    let locked = cli_env(&db, &[], &["stats", "--json"]);
    assert_eq!(locked.status.code(), Some(1));
    assert!(
        stderr(&locked).contains("is encrypted: sign in"),
        "{}",
        stderr(&locked)
    );
    let wrong_file = wrong.to_str().unwrap_or_default();
    let refused = cli_env(
        &db,
        &[],
        &[
            "--user",
            "manager",
            "--passphrase-file",
            wrong_file,
            "stats",
            "--json",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("do not open this store"),
        "{}",
        stderr(&refused)
    );
    // No terminal to ask on: the way to give the passphrase is named.
    let no_passphrase = cli_env(&db, &[], &["--user", "manager", "stats", "--json"]);
    assert_eq!(no_passphrase.status.code(), Some(1));
    assert!(
        stderr(&no_passphrase).contains("--passphrase-file"),
        "{}",
        stderr(&no_passphrase)
    );
    // A second wrong try, by a name that is no user, in a new process: the
    // count is the store's, not the process's, so this refusal pauses 2 s.
    let started = std::time::Instant::now();
    let guessed = cli_env(
        &db,
        &[],
        &["--user", "admin", "--passphrase-file", wrong_file, "stats"],
    );
    assert_eq!(guessed.status.code(), Some(1));
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert_eq!(
        site_count(&cli_env(&db, &signed_in, &["stats", "--json"])),
        1
    );
    // The sign-in that followed wrote both wrong tries to the audit log,
    // before itself, and the count starts again.
    let audit = cli_env(&db, &signed_in, &["audit", "--json"]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&audit.stdout).expect("JSON");
    // Newest first: the last four, oldest first.
    let mut sign_ins: Vec<(String, String, String)> = entries
        .iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .unwrap_or_default()
                .starts_with("sign_in")
        })
        .take(4)
        .map(|e| {
            let field = |name: &str| e[name].as_str().unwrap_or_default().to_string();
            (field("action"), field("subject"), field("detail"))
        })
        .collect();
    sign_ins.reverse();
    let kinds: Vec<(&str, &str)> = sign_ins
        .iter()
        .map(|(a, s, _)| (a.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sign_in_failed", "manager"),
            ("sign_in_failed", "admin"),
            ("sign_in", "manager"),
            ("sign_in", "manager"),
        ],
        "{sign_ins:?}"
    );
    assert!(
        sign_ins[2].2.contains("\"failed_before\":2"),
        "{sign_ins:?}"
    );
    assert!(
        sign_ins[3].2.contains("\"failed_before\":0"),
        "{sign_ins:?}"
    );
    assert!(!db.with_file_name("enc.sqlite3.sign-ins").exists());
}

#[test]
fn a_plain_store_is_encrypted_in_place_and_its_passphrase_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = write(dir.path(), "pass", "correct horse battery\n");
    let new = write(dir.path(), "new", "another long passphrase\n");
    let sites = write(
        dir.path(),
        "sites.csv",
        "site_code,name,kind\nAAA,Arena,mass_clinic\n",
    );
    // A store from before DoseDesk encrypted its stores: plain SQLite.
    let db = dir.path().join("plain.sqlite3");
    {
        let mut conn = dosedesk_core::store::open(&db).expect("plain store");
        dosedesk_core::import::import_file(
            &mut conn,
            dosedesk_core::import::ImportKind::Sites,
            &sites,
            &dosedesk_core::import::Quiet,
        )
        .expect("sites");
    }
    let plain = std::fs::read(&db).expect("read");
    // Refused, signed in or not, with the way to encrypt it; untouched.
    for out in [
        cli_env(&db, &[], &["stats", "--json"]),
        cli(&db, &["stats", "--json"]),
    ] {
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("is not encrypted") && stderr(&out).contains("store encrypt"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read(&db).expect("read"), plain);
    let user = Path::new("manager");
    fn with<'a>(user: &'a Path, file: &'a Path) -> [(&'static str, &'a Path); 2] {
        [("DOSEDESK_USER", user), ("DOSEDESK_PASSPHRASE_FILE", file)]
    }

    let out = cli_env(&db, &with(user, &pass), &["store", "encrypt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("rows copied and compared"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        cli_env(&db, &[], &["stats", "--json"]).status.code(),
        Some(1)
    );
    assert_eq!(
        site_count(&cli_env(&db, &with(user, &pass), &["stats", "--json"])),
        1
    );

    let new_file = new.to_str().unwrap_or_default();
    let out = cli_env(
        &db,
        &with(user, &pass),
        &["store", "passphrase", "--new-passphrase-file", new_file],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        cli_env(&db, &with(user, &pass), &["stats", "--json"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        site_count(&cli_env(&db, &with(user, &new), &["stats", "--json"])),
        1
    );
}

/// Every change, refusal and sign-in lands in the audit log under the
/// signed-in user; `audit --verify` passes, then names the entry edited
/// behind DoseDesk's back.
#[test]
fn the_audit_log_records_who_did_what_and_verify_names_an_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = write(dir.path(), "pass", "correct horse battery\n");
    let db = dir.path().join("audited.sqlite3");
    let user = Path::new("manager");
    let signed_in = [
        ("DOSEDESK_USER", user),
        ("DOSEDESK_PASSPHRASE_FILE", pass.as_path()),
    ];
    assert!(cli_env(&db, &signed_in, &["demo"]).status.success());
    let tally = [
        "tally",
        "--site",
        "EVJ",
        "--date",
        "2021-03-22",
        "--shift",
        "am",
        "--dose-number",
        "1",
    ];
    let typo = cli_env(
        &db,
        &signed_in,
        &[&tally[..], &["--doses", "99999"]].concat(),
    );
    assert_eq!(typo.status.code(), Some(1), "{}", stderr(&typo));
    let fixed = cli_env(&db, &signed_in, &[&tally[..], &["--doses", "120"]].concat());
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    let calls = dir.path().join("calls.csv");
    let export = cli_env(
        &db,
        &signed_in,
        &[
            "rebook",
            "export",
            "--out",
            calls.to_str().unwrap_or_default(),
        ],
    );
    assert!(export.status.success(), "{}", stderr(&export));

    let out = cli_env(&db, &signed_in, &["audit", "--json", "--limit", "500"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let actions: Vec<&str> = entries
        .iter()
        .rev()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for want in [
        "sign_in",
        "import",
        "tally_refused",
        "tally",
        "export",
        "view_audit_log",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    assert!(
        entries.iter().all(|e| e["actor"] == "manager"),
        "{entries:?}"
    );
    let refused = entries
        .iter()
        .find(|e| e["action"] == "tally_refused")
        .expect("refusal");
    assert_eq!(refused["subject"], "EVJ 2021-03-22");
    assert!(refused["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("needs_confirmation"));
    // The export's entry holds the SHA-256 of the file as written.
    let exported = entries
        .iter()
        .find(|e| e["action"] == "export")
        .expect("export");
    let detail: serde_json::Value =
        serde_json::from_str(exported["detail"].as_str().unwrap_or_default()).expect("detail");
    let digest = Command::new("sha256sum")
        .arg(&calls)
        .output()
        .expect("sha256sum");
    let digest = String::from_utf8_lossy(&digest.stdout);
    assert_eq!(detail["sha256"].as_str(), digest.split_whitespace().next());

    let verify = cli_env(&db, &signed_in, &["audit", "--verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("the chain is intact"),
        "{}",
        stdout(&verify)
    );

    // Someone with the key edits the log with SQLite: the trigger that
    // refuses edits is dropped (a store without it is refused as damaged)…
    dosedesk_core::store::encryption::unlock(&db, "manager", "correct horse battery")
        .expect("unlock");
    let conn = dosedesk_core::store::open(&db).expect("open");
    let trigger: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'audit_log_append_only_u'",
            [],
            |r| r.get(0),
        )
        .expect("trigger");
    conn.execute_batch(
        "DROP TRIGGER audit_log_append_only_u;
         UPDATE audit_log SET actor = 'nobody' WHERE id = 3;",
    )
    .expect("tamper");
    let damaged = cli_env(&db, &signed_in, &["audit", "--verify"]);
    assert_eq!(damaged.status.code(), Some(1));
    assert!(
        stderr(&damaged).contains("audit_log_append_only_u is missing"),
        "{}",
        stderr(&damaged)
    );
    // … and put back to cover the tracks: the chain still tells.
    conn.execute_batch(&trigger).expect("trigger back");
    drop(conn);
    let verify = cli_env(&db, &signed_in, &["audit", "--verify"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    assert!(
        stderr(&verify).contains("broken at entry 3"),
        "{}",
        stderr(&verify)
    );
}

/// A manager adds a clinic user and an official: each sees and records
/// only what their role allows, whatever command asks; a disabled user's
/// passphrase no longer opens the store.
#[test]
fn users_see_and_record_only_what_their_role_allows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = |name: &str, text: &str| write(dir.path(), name, &format!("{text}\n"));
    let (manager, eva, olga) = (
        file("manager", "correct horse battery"),
        file("eva", "eva's own passphrase"),
        file("olga", "olga's own passphrase"),
    );
    let db = dir.path().join("unit.sqlite3");
    let as_user = |name: &'static str, pass: &Path, args: &[&str]| -> Output {
        cli_env(
            &db,
            &[
                ("DOSEDESK_USER", Path::new(name)),
                ("DOSEDESK_PASSPHRASE_FILE", pass),
            ],
            args,
        )
    };
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    let refused = |out: Output, says: &str| {
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stderr(&out).contains(says),
            "wanted {says:?}: {}",
            stderr(&out)
        );
    };
    ok(as_user("manager", &manager, &["demo"])); // the first user: its manager
    let eva_file = eva.to_str().unwrap_or_default();
    let olga_file = olga.to_str().unwrap_or_default();
    ok(as_user(
        "manager",
        &manager,
        &[
            "users",
            "add",
            "eva",
            "--role",
            "clinic",
            "--site",
            "EVJ",
            "--new-passphrase-file",
            eva_file,
        ],
    ));
    ok(as_user(
        "manager",
        &manager,
        &[
            "users",
            "add",
            "olga",
            "--role",
            "official",
            "--new-passphrase-file",
            olga_file,
        ],
    ));

    // The official: figures yes (the briefing quotes the rebooking counts),
    // people no, writes no.
    ok(as_user("olga", &olga, &["stats", "--json"]));
    let brief = dir.path().join("brief.pdf");
    let brief = brief.to_str().unwrap_or_default();
    ok(as_user(
        "olga",
        &olga,
        &["brief", "--date", "2021-03-24", "--out", brief],
    ));
    let calls = dir.path().join("calls.csv");
    let calls = calls.to_str().unwrap_or_default();
    refused(
        as_user("olga", &olga, &["rebook", "export", "--out", calls]),
        "signed in as an official",
    );
    assert!(!Path::new(calls).exists(), "no call list was written");
    refused(
        as_user("olga", &olga, &["rebook", "plan"]),
        "signed in as an official",
    );
    refused(
        as_user("olga", &olga, &["rebook", "plan", "--site", "EVJ"]),
        "signed in as an official",
    );
    let book = [
        "book",
        "--person",
        "ROLE1",
        "--site",
        "EVJ",
        "--slot",
        "2021-03-26T09:00",
    ];
    refused(as_user("olga", &olga, &book), "may not record this at EVJ");
    refused(
        as_user("olga", &olga, &["users", "list"]),
        "may not list users",
    );

    // The clinic user: its own site only.
    ok(as_user("eva", &eva, &["rebook", "plan", "--site", "EVJ"]));
    refused(
        as_user("eva", &eva, &["rebook", "plan"]),
        "only at EVJ: choose one of those sites",
    );
    refused(
        as_user("eva", &eva, &["rebook", "plan", "--site", "CHL"]),
        "not at CHL",
    );
    // Finding people: an official is refused; a clinic user finds only the
    // people booked at its sites, and sees only those bookings.
    refused(
        as_user("olga", &olga, &["people", "gagn"]),
        "signed in as an official",
    );
    let people = |out: Output| -> Vec<serde_json::Value> {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        json["people"].as_array().cloned().unwrap_or_default()
    };
    let search = ["people", "gagn", "--json", "--limit", "100000"];
    let everyone = people(ok(as_user("manager", &manager, &search)));
    let at_evj = people(ok(as_user("eva", &eva, &search)));
    let sites = |p: &serde_json::Value| -> Vec<String> {
        p["appointments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|a| a["site_code"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let want: Vec<&serde_json::Value> = everyone
        .iter()
        .filter(|p| sites(p).iter().any(|s| s == "EVJ"))
        .collect();
    assert!(
        !want.is_empty() && want.len() < everyone.len(),
        "{} of {} booked at EVJ",
        want.len(),
        everyone.len()
    );
    let ids = |v: &[&serde_json::Value]| -> Vec<String> {
        v.iter()
            .map(|p| p["person_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(ids(&at_evj.iter().collect::<Vec<_>>()), ids(&want));
    assert!(at_evj.iter().all(|p| sites(p).iter().all(|s| s == "EVJ")));

    let tally = |site: &'static str| {
        [
            "tally",
            "--site",
            site,
            "--date",
            "2021-03-22",
            "--shift",
            "am",
            "--dose-number",
            "1",
            "--doses",
            "120",
        ]
    };
    ok(as_user("eva", &eva, &tally("EVJ")));
    refused(
        as_user("eva", &eva, &tally("CHL")),
        "may not record this at CHL",
    );
    refused(
        as_user(
            "eva",
            &eva,
            &[
                "users",
                "add",
                "x",
                "--role",
                "manager",
                "--new-passphrase-file",
                eva_file,
            ],
        ),
        "may not add users",
    );

    // Disabled: the passphrase opens nothing; the row stays for the log.
    ok(as_user("manager", &manager, &["users", "disable", "eva"]));
    refused(
        as_user("eva", &eva, &["stats", "--json"]),
        "do not open this store",
    );
    let list = ok(as_user("manager", &manager, &["users", "list", "--json"]));
    let users: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).expect("JSON");
    let roles: Vec<(String, String, bool)> = users
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap_or_default().to_string(),
                u["role"].as_str().unwrap_or_default().to_string(),
                !u["disabled_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("eva".to_string(), "clinic".to_string(), true),
            ("manager".to_string(), "manager".to_string(), false),
            ("olga".to_string(), "official".to_string(), false),
        ]
    );
    let audit = ok(as_user(
        "manager",
        &manager,
        &["audit", "--json", "--limit", "1000"],
    ));
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&audit.stdout).expect("JSON");
    let count = |action: &str| entries.iter().filter(|e| e["action"] == action).count();
    assert_eq!(count("user_added"), 3);
    assert_eq!(count("user_disabled"), 1);
    assert!(count("tally_refused") >= 1 && count("book_refused") >= 1);
}

/// The README, its whitespace squeezed (its sentences wrap anywhere).
fn readme() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 240996 → "240,996", as the README writes numbers.
fn grouped(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// 2021-05-23 → "23 May 2021".
fn long_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let part = |range: std::ops::Range<usize>| -> usize {
        iso.get(range)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a date: {iso}"))
    };
    format!("{} {} {}", part(8..10), MONTHS[part(5..7) - 1], part(0..4))
}

/// A store holding the demo, in a folder of its own.
fn demo_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.sqlite3");
    assert!(cli(&db, &["demo"]).status.success());
    (dir, db)
}

fn json_of(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = cli(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Every figure the README quotes about the demo and the provincial file
/// is what the CLI prints today: a changed result fails here until the
/// README says the new one.
#[test]
fn the_readme_quotes_the_clis_own_figures() {
    let readme = readme();
    let says = |fragment: String| {
        assert!(
            readme.contains(&fragment),
            "the README does not say {fragment:?}"
        );
    };
    let (dir, db) = demo_store();
    let n = |v: &serde_json::Value| v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"));
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));

    // The incident, and the start-up banner's 7 days from the app's today.
    let incident = json_of(
        &db,
        &[
            "check",
            "--from",
            "2021-03-23",
            "--to",
            "2021-03-25",
            "--json",
        ],
    );
    says(format!(
        "{} of them beyond their slots' places",
        grouped(n(&incident["excess_bookings"]))
    ));
    says(format!(
        "after which the checks find none of the {} excess bookings left",
        grouped(n(&incident["excess_bookings"]))
    ));
    let week = json_of(
        &db,
        &[
            "check",
            "--from",
            "2021-03-22",
            "--to",
            "2021-03-28",
            "--json",
        ],
    );
    says(format!(
        "(\"{} over-capacity slots, {} bookings beyond their places\" on the demo)",
        grouped(n(&week["overbooked_slots"])),
        grouped(n(&week["excess_bookings"]))
    ));

    // Ontario's whole file (the demo carries it only to its today); the
    // repository keeps a copy of ../shared/data's.
    let ontario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/demo/on_vaccine_doses.csv"
    );
    let out = cli(&db, &["import", "provincial", ontario]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = json_of(&db, &["stats", "--json"]);
    let p = &stats["provincial"];
    let flagged = p["flagged_days"].as_array().expect("flagged days");
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    says(format!(
        "{} doses to {}, record {} doses given on {}, {} missing report dates, and {} flagged (its daily {} against a cumulative change of {})",
        grouped(n(&p["total_doses"])),
        long_date(p["last_date"].as_str().unwrap_or_default()),
        grouped(n(&p["record_day"]["doses"])),
        long_date(p["record_day"]["date"].as_str().unwrap_or_default()),
        n(&p["missing_dates"]),
        long_date(flagged[0]["date"].as_str().unwrap_or_default()),
        grouped(n(&flagged[0]["why"]["doses"])),
        grouped(n(&flagged[0]["why"]["change"])),
    ));

    // The April plan on the demo's shipments, then with 20,000 more doses.
    let april = [
        "plan",
        "shifts",
        "--from",
        "2021-04-01",
        "--to",
        "2021-04-30",
        "--json",
    ];
    let plan = json_of(&db, &april);
    let t = &plan["totals"];
    assert_eq!(plan["extra_shifts"].as_array().map(Vec::len), Some(0));
    says(format!(
        "On the demo, April 2021 is limited by supply: {} doses of demand ({} booked, {} second doses due, {} expected new bookings",
        grouped(n(&t["demand"])),
        grouped(n(&t["booked"])),
        grouped(n(&t["second_doses_due"])),
        grouped(n(&t["new_bookings"])),
    ));
    says(format!(
        "against {} doses of capacity and the shipments on hand, so no extra shift would serve anyone and {} doses of demand are unmet",
        grouped(n(&t["capacity_before"])),
        grouped(n(&plan["unmet_demand"])),
    ));
    let supply = write(
        dir.path(),
        "supply.csv",
        "date,product,doses,status\n2021-04-06,PFIZER,20000,expected\n",
    );
    assert!(cli(
        &db,
        &["import", "supply", supply.to_str().unwrap_or_default()]
    )
    .status
    .success());
    let more = json_of(&db, &april);
    says(format!(
        "With 20,000 more doses arriving on April 6 it adds {} shifts ({} doses of capacity, {} staff-hours) and unmet demand falls to {}.",
        more["extra_shifts"].as_array().map(Vec::len).unwrap_or_default(),
        grouped(n(&more["added_capacity"])),
        grouped(f(&more["totals"]["staff_hours"]).round() as i64),
        grouped(n(&more["unmet_demand"])),
    ));

    // Siting: k = 3 within 3 km.
    let sites = json_of(
        &db,
        &["plan", "sites", "--k", "3", "--radius-km", "3", "--json"],
    );
    let chosen: Vec<&str> = sites["chosen"]
        .as_array()
        .expect("chosen")
        .iter()
        .filter_map(|c| c["site_code"].as_str())
        .collect();
    assert_eq!(chosen.len(), 3, "{chosen:?}");
    says(format!(
        "this picks Walmart Barrhaven ({}), Walmart Gloucester ({}) and Sobeys March Road ({})",
        chosen[0], chosen[1], chosen[2]
    ));
    let total = f(&sites["weighted_total"]);
    let (before, after) = (f(&sites["covered_before"]), f(&sites["covered_after"]));
    says(format!(
        "weight {} ({:.1}%) → {} ({:.1}%), mean distance {:.2} → {:.2} km",
        grouped(before.round() as i64),
        100.0 * before / total,
        grouped(after.round() as i64),
        100.0 * after / total,
        f(&sites["mean_distance_km_before"]),
        f(&sites["mean_distance_km_after"]),
    ));
}

/// The commands no other test runs: `chart` (SVG and PNG, English and
/// French, and refusals), `confirm-day` (a flagged day only; undone),
/// `revisions` (what a new release of Ontario's file changed) and
/// `check --kept` (the kept results say what a fresh check says).
#[test]
fn charts_confirmations_revisions_and_kept_checks() {
    let (dir, db) = demo_store();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    // Charts.
    let daily = [
        "chart",
        "daily",
        "--from",
        "2021-03-08",
        "--to",
        "2021-04-18",
    ];
    let svg = path("daily.svg");
    let out = cli(&db, &[&daily[..], &["--out", &svg]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).expect("svg");
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    assert!(text.contains("DEMO DATA"), "the demo's band");
    assert!(
        text.contains("Daily doses administered — all sites, March 8, 2021 – April 18, 2021"),
        "the title names the range"
    );
    let png = path("daily_fr.png");
    let out = cli(
        &db,
        &[&daily[..], &["--lang", "fr", "--out", &png]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&png).expect("png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let dimension =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert!(
        dimension(16) >= 1200 && dimension(20) >= 560,
        "{}×{}",
        dimension(16),
        dimension(20)
    );
    let svg_fr = path("sites_fr.svg");
    let out = cli(
        &db,
        &[
            "chart",
            "sites",
            "--from",
            "2021-03-15",
            "--to",
            "2021-03-21",
            "--lang",
            "fr",
            "--out",
            &svg_fr,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg_fr).expect("svg");
    assert!(text.contains("DONNÉES DE DÉMONSTRATION"), "French band");
    let backwards = cli(
        &db,
        &[
            "chart",
            "daily",
            "--from",
            "2021-04-18",
            "--to",
            "2021-03-08",
            "--out",
            &svg,
        ],
    );
    assert_eq!(backwards.status.code(), Some(1));
    assert!(
        stderr(&backwards).contains("ends (2021-03-08) before it starts (2021-04-18)"),
        "{}",
        stderr(&backwards)
    );
    let unknown_site = cli(
        &db,
        &[&daily[..], &["--site", "ZZZ", "--out", &svg]].concat(),
    );
    assert_eq!(unknown_site.status.code(), Some(1));
    assert!(
        stderr(&unknown_site).contains("ZZZ"),
        "{}",
        stderr(&unknown_site)
    );
    let unknown_kind = cli(
        &db,
        &[
            "chart",
            "weekly",
            "--from",
            "2021-03-08",
            "--to",
            "2021-04-18",
            "--out",
            &svg,
        ],
    );
    assert_eq!(unknown_kind.status.code(), Some(2), "a usage error");

    // Ontario's whole file, then a revised release of it.
    let ontario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/demo/on_vaccine_doses.csv"
    );
    assert!(cli(&db, &["import", "provincial", ontario])
        .status
        .success());
    let flagged = |db: &Path| -> Vec<(String, bool)> {
        let stats: serde_json::Value =
            serde_json::from_slice(&cli(db, &["stats", "--json"]).stdout).expect("JSON");
        stats["provincial"]["flagged_days"]
            .as_array()
            .expect("flagged")
            .iter()
            .map(|d| {
                (
                    d["date"].as_str().unwrap_or_default().to_string(),
                    d["confirmed"].as_bool().unwrap_or_default(),
                )
            })
            .collect()
    };
    assert_eq!(flagged(&db), [("2020-12-30".to_string(), false)]);
    let typo = cli(
        &db,
        &["confirm-day", "--series", "provincial", "2020-12-31"],
    );
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        stderr(&typo).contains("2020-12-31 is not a flagged day of the provincial series")
            && stderr(&typo).contains("(flagged: 2020-12-30)"),
        "{}",
        stderr(&typo)
    );
    let out = cli(
        &db,
        &["confirm-day", "--series", "provincial", "2020-12-30"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flagged(&db), [("2020-12-30".to_string(), true)]);
    let out = cli(
        &db,
        &[
            "confirm-day",
            "--series",
            "provincial",
            "2020-12-30",
            "--undo",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(flagged(&db), [("2020-12-30".to_string(), false)]);

    let none: serde_json::Value =
        serde_json::from_slice(&cli(&db, &["revisions", "--json"]).stdout).expect("JSON");
    assert_eq!(none, serde_json::json!([]));
    let original = std::fs::read_to_string(ontario).expect("read");
    assert!(original.contains("\n2021-01-01,5415,28887,"));
    let revised = write(
        dir.path(),
        "on_revised.csv",
        &original.replace("\n2021-01-01,5415,28887,", "\n2021-01-01,5416,28888,"),
    );
    let out = cli(
        &db,
        &["import", "provincial", revised.to_str().unwrap_or_default()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the province revised 1 earlier report date"),
        "{}",
        stderr(&out)
    );
    let changes: serde_json::Value =
        serde_json::from_slice(&cli(&db, &["revisions", "--json"]).stdout).expect("JSON");
    assert_eq!(
        changes,
        serde_json::json!([
            {"report_date": "2021-01-01", "field": "previous_day_doses", "before": 5415, "after": 5416},
            {"report_date": "2021-01-01", "field": "total_doses", "before": 28887, "after": 28888},
        ])
    );

    // Kept check results, before and after a booking changes.
    let check = |args: &[&str]| json_of(&db, args);
    assert_eq!(
        check(&["check", "--kept", "--json"]),
        check(&["check", "--json"])
    );
    let out = cli(
        &db,
        &[
            "book",
            "--given-name",
            "Ann",
            "--family-name",
            "Kept",
            "--site",
            "RFC",
            "--slot",
            "2021-03-26T09:00",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let kept = check(&["check", "--kept", "--json"]);
    assert_eq!(kept, check(&["check", "--json"]));
    assert_eq!(
        kept["excess_bookings"], 2981,
        "a booking into a free place adds no excess"
    );
}

/// A wrong value for each command's arguments: exit 1 with one line naming
/// what was wrong (2 for what the argument parser itself refuses), and
/// nothing written.
#[test]
fn every_command_refuses_a_wrong_value_in_words() {
    let (dir, db) = demo_store();
    let out = dir.path().join("out.pdf").to_string_lossy().into_owned();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["check", "--from", "2021-02-30"],
            1,
            "from \"2021-02-30\" is not a date",
        ),
        (
            &["schedule", "--week", "tomorrow"],
            1,
            "\"tomorrow\" is not a date",
        ),
        (
            &["schedule", "--week", "2021-03-23", "--site", "ZZZ"],
            1,
            "no site with code \"ZZZ\"",
        ),
        (
            &[
                "book",
                "--person",
                "X1",
                "--site",
                "EVJ",
                "--slot",
                "2021-03-26",
            ],
            1,
            "is not a date-time",
        ),
        (
            &[
                "book",
                "--person",
                "X1",
                "--site",
                "ZZZ",
                "--slot",
                "2021-03-26T09:00",
            ],
            1,
            "\"ZZZ\"",
        ),
        (
            &[
                "tally",
                "--site",
                "ZZZ",
                "--date",
                "2021-03-22",
                "--shift",
                "am",
                "--dose-number",
                "1",
                "--doses",
                "5",
            ],
            1,
            "no site with code \"ZZZ\"",
        ),
        (
            &[
                "tally",
                "--site",
                "EVJ",
                "--date",
                "2021-03-22",
                "--shift",
                "am",
                "--dose-number",
                "4",
                "--doses",
                "5",
            ],
            1,
            "dose number must be 1, 2 or 3",
        ),
        (
            &[
                "plan",
                "shifts",
                "--from",
                "2021-04-01",
                "--to",
                "2021-03-01",
            ],
            1,
            "must run forward",
        ),
        (
            &["plan", "sites", "--k", "2", "--radius-km", "-1"],
            2,
            "unexpected argument '-1'",
        ),
        (&["plan", "apply", "9999"], 1, "no saved shift plan 9999"),
        (
            &["plan", "compare", "9998", "9999"],
            1,
            "no saved shift plan 9998",
        ),
        (
            &[
                "rebook",
                "record",
                "--appointment",
                "999999999",
                "--outcome",
                "unreachable",
            ],
            1,
            "no appointment 999999999",
        ),
        (
            &[
                "rebook",
                "record",
                "--appointment",
                "1",
                "--outcome",
                "maybe",
            ],
            2,
            "invalid value 'maybe'",
        ),
        (
            &["confirm-day", "--series", "regional", "2021-13-01"],
            1,
            "\"2021-13-01\" is not a date",
        ),
        (&["people", "a"], 1, "at least 2 characters"),
        (
            &["brief", "--date", "nope", "--out", &out],
            1,
            "\"nope\" is not a date",
        ),
        (
            &["brief", "--date", "2021-03-24", "--out", "x.doc"],
            1,
            "a briefing is saved as .pdf or .png",
        ),
        (
            &["import", "bookings", "/nonexistent/b.csv"],
            1,
            "/nonexistent/b.csv",
        ),
        (
            &["revisions", "--bogus"],
            2,
            "unexpected argument '--bogus'",
        ),
        (&["sync"], 1, "this laptop is not enrolled"),
        (
            &["sync", "enrol", "--server", "notaurl", "--token", "abc"],
            1,
            "server \"notaurl\" is not an address like https://",
        ),
        (
            &["sync", "import", "/nonexistent/bundle.ddsync"],
            1,
            "/nonexistent/bundle.ddsync",
        ),
        (
            &["conflicts", "resolve", "abc", "--keep", "local"],
            2,
            "invalid value 'abc'",
        ),
        (
            &["conflicts", "resolve", "1", "--keep", "both"],
            2,
            "invalid value 'both'",
        ),
        (
            &["users", "add", "bob", "--role", "boss"],
            2,
            "invalid value 'boss'",
        ),
        (&["users", "disable", "nobody"], 1, "no enabled user nobody"),
        (&["store", "encrypt"], 1, "is already encrypted"),
    ];
    for (args, code, says) in cases {
        let result = cli(&db, args);
        assert_eq!(
            result.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&result)
        );
        assert!(
            stderr(&result).contains(says),
            "{args:?}: {}",
            stderr(&result)
        );
        if *code == 1 {
            assert_eq!(stderr(&result).lines().count(), 1, "{args:?}: one line");
        }
    }
    assert!(!Path::new(&out).exists(), "no briefing written");
    // Refusals changed nothing but the audit log's record of them.
    let counts = |db: &Path| -> (i64, i64, i64) {
        support::open(db)
            .query_row(
                "SELECT (SELECT count(*) FROM appointment), (SELECT count(*) FROM dose_count),
                        (SELECT count(*) FROM shift)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("counts")
    };
    let (_fresh, again) = demo_store();
    assert_eq!(counts(&db), counts(&again));
}
