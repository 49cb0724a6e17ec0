use super::*;

fn folder() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn message(result: Result<Settings>) -> String {
    result.expect_err("should be refused").to_string()
}

#[test]
fn a_machine_with_no_settings_file_gets_the_defaults() {
    let dir = folder();
    let settings = load(&dir.path().join("settings.json")).expect("load");
    assert_eq!(settings.language, "en");
    assert_eq!(settings.time_zone, None);
    assert_eq!(settings.lock_after_minutes, 10);
    assert_eq!(settings.page_size, 100);
    assert_eq!(settings.text_size_percent, None);
    assert_eq!(settings.sync_server, None);
}

#[test]
fn saved_settings_are_loaded_back_trimmed_and_the_folder_is_made() {
    let dir = folder();
    let path = dir.path().join("new folder").join("settings.json");
    let kept = save(
        &path,
        Settings {
            language: " FR ".into(),
            time_zone: Some(" America/Vancouver ".into()),
            lock_after_minutes: 5,
            page_size: 25,
            text_size_percent: Some(150),
            sync_server: Some(" https://sync.unit.example:8443/ ".into()),
        },
    )
    .expect("save");
    assert_eq!(kept.language, "fr");
    assert_eq!(kept.time_zone.as_deref(), Some("America/Vancouver"));
    assert_eq!(
        kept.sync_server.as_deref(),
        Some("https://sync.unit.example:8443")
    );
    assert_eq!(load(&path).expect("load"), kept);
    assert_eq!(kept.zone(), Some(chrono_tz::America::Vancouver));
    // Whole or not at all: nothing but the file is left in its folder.
    let names: Vec<_> = std::fs::read_dir(path.parent().expect("folder"))
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("settings.json")]);
}

#[test]
fn blank_zone_and_server_mean_unset() {
    let checked = Settings {
        time_zone: Some("  ".into()),
        sync_server: Some(String::new()),
        ..Settings::default()
    }
    .checked()
    .expect("blank is unset");
    assert_eq!((checked.time_zone, checked.sync_server), (None, None));
}

#[test]
fn each_wrong_value_is_refused_naming_its_field_and_the_file_is_left_alone() {
    let dir = folder();
    let path = dir.path().join("settings.json");
    let good = save(&path, Settings::default()).expect("save");
    let before = std::fs::read(&path).expect("read");
    let cases: [(&str, Settings); 9] = [
        (
            "language",
            Settings {
                language: "de".into(),
                ..good.clone()
            },
        ),
        (
            "time_zone",
            Settings {
                time_zone: Some("Mars/Olympus_Mons".into()),
                ..good.clone()
            },
        ),
        (
            "lock_after_minutes",
            Settings {
                lock_after_minutes: 0,
                ..good.clone()
            },
        ),
        (
            "lock_after_minutes",
            Settings {
                lock_after_minutes: 241,
                ..good.clone()
            },
        ),
        (
            "page_size",
            Settings {
                page_size: 9,
                ..good.clone()
            },
        ),
        (
            "page_size",
            Settings {
                page_size: 501,
                ..good.clone()
            },
        ),
        (
            "text_size_percent",
            Settings {
                text_size_percent: Some(99),
                ..good.clone()
            },
        ),
        (
            "text_size_percent",
            Settings {
                text_size_percent: Some(201),
                ..good.clone()
            },
        ),
        (
            "sync_server",
            Settings {
                sync_server: Some("sync.unit.example".into()),
                ..good.clone()
            },
        ),
    ];
    for (field, wrong) in cases {
        let refused = message(save(&path, wrong));
        assert!(
            refused.starts_with(&format!("{field}: ")),
            "{field}: {refused}"
        );
        assert_eq!(std::fs::read(&path).expect("read"), before, "{field}");
    }
    // The edges of the rules are kept.
    for (minutes, rows, text) in [(1, 10, 100), (240, 500, 200)] {
        let edge = Settings {
            lock_after_minutes: minutes,
            page_size: rows,
            text_size_percent: Some(text),
            ..good.clone()
        };
        assert_eq!(save(&path, edge.clone()).expect("edge"), edge);
    }
}

#[test]
fn an_unreadable_file_is_reported_with_its_line_and_kept_as_it_is() {
    let dir = folder();
    let path = dir.path().join("settings.json");
    let broken = "{\n  \"language\": \"fr\",\n  \"page_size\": \"fifty\"\n}\n";
    std::fs::write(&path, broken).expect("write");
    let refused = message(load(&path));
    assert!(
        refused.starts_with(&format!("{}:3: ", path.display())),
        "{refused}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), broken);

    std::fs::write(&path, "{\"langauge\": \"fr\"}").expect("write");
    assert!(message(load(&path)).contains("langauge"));

    std::fs::write(&path, "{\"time_zone\": \"Ottawa\"}").expect("write");
    let refused = message(load(&path));
    assert!(
        refused.starts_with(&path.display().to_string()),
        "{refused}"
    );
    assert!(refused.contains("time_zone: \"Ottawa\""), "{refused}");
}

#[test]
fn a_file_from_an_older_dosedesk_keeps_defaults_for_what_it_lacks() {
    let dir = folder();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, "{\"language\": \"fr\"}").expect("write");
    let settings = load(&path).expect("load");
    assert_eq!(settings.language, "fr");
    assert_eq!(settings.lock_after_minutes, 10);
    assert_eq!(settings.page_size, 100);
}
