use super::*;
use std::os::unix::fs::PermissionsExt;

fn store(dir: &Path) -> Connection {
    let conn = crate::store::open(&dir.join("unit.sqlite3")).expect("open");
    conn.execute_batch("INSERT INTO meta (key, value) VALUES ('export-test', 'kept')")
        .expect("write");
    conn
}

fn kept(conn: &Connection) -> String {
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'export-test'",
        [],
        |r| r.get(0),
    )
    .expect("the store still reads")
}

#[test]
fn the_store_and_its_companions_are_refused_whatever_the_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store(dir.path());
    let store_path = dir.path().join("unit.sqlite3");
    let link = dir.path().join("calls.csv");
    std::os::unix::fs::symlink(&store_path, &link).expect("symlink");
    let before = std::fs::read(&store_path).expect("store bytes");
    let relative_dir = dir.path().join("sub");
    std::fs::create_dir(&relative_dir).expect("sub");
    for out in [
        store_path.clone(),
        dir.path().join("unit.sqlite3-wal"),
        dir.path().join("unit.sqlite3-shm"),
        dir.path().join("unit.sqlite3-journal"),
        relative_dir.join("../unit.sqlite3"),
        link.clone(),
    ] {
        let err = write(&conn, &out, |w| {
            w.write_all(b"x,y\n").map_err(|e| Error::io(&out, &e))
        })
        .expect_err("the store's own file");
        assert!(
            err.to_string().contains("this store's own database file"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&store_path).expect("store bytes"), before);
    assert_eq!(kept(&conn), "kept");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
}

#[test]
fn a_file_in_a_missing_folder_is_refused_naming_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store(dir.path());
    let missing = dir.path().join("no-such-folder");
    let err = write(&conn, &missing.join("calls.csv"), |w| {
        w.write_all(b"a list").map_err(|e| Error::io("x", &e))
    })
    .expect_err("no folder");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("there is no folder {}", missing.display())),
        "{message}"
    );
    assert!(!message.contains(".partial"), "{message}");
    assert!(!missing.exists(), "no folder made");
}

#[test]
fn a_failed_export_leaves_the_old_file_and_no_partial_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store(dir.path());
    let out = dir.path().join("calls.csv");
    std::fs::write(&out, "old list\n").expect("old");
    let err = write(&conn, &out, |w| {
        w.write_all(b"half of a new list")
            .map_err(|e| Error::io("x", &e))?;
        Err(Error::InvalidInput("the disk filled".into()))
    })
    .expect_err("failed");
    assert!(err.to_string().contains("the disk filled"));
    assert_eq!(std::fs::read_to_string(&out).expect("old"), "old list\n");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".partial")),
        "no temporary file left: {names:?}"
    );
}

#[test]
fn an_export_is_its_owners_only_and_its_digest_is_of_its_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = store(dir.path());
    let out = dir.path().join("calls.csv");
    let written = write(&conn, &out, |w| {
        w.write_all(b"a,b\n1,2\n").map_err(|e| Error::io("x", &e))
    })
    .expect("written");
    let bytes = std::fs::read(&out).expect("read");
    assert_eq!(bytes, b"a,b\n1,2\n");
    assert_eq!(written.bytes, 8);
    // sha256("a,b\n1,2\n"), computed by `printf 'a,b\n1,2\n' | sha256sum`.
    assert_eq!(
        written.sha256,
        "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470"
    );
    let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

/// OWASP's rule, written out here: a cell a spreadsheet would evaluate
/// starts with = + - @ tab or CR and is not a plain number.
pub(crate) fn would_run(cell: &str) -> bool {
    let first = cell.chars().next();
    matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r'))
        && !cell
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || ".-+eE".contains(c))
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    for hostile in [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+1 613 555 0101",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "=",
    ] {
        let cell = csv_cell(hostile);
        assert!(!would_run(&cell), "{cell:?}");
        assert_eq!(&cell[1..], hostile, "the text itself is kept");
    }
    for plain in ["P1", "613-555-0101", "-75.70", "+3", "", "K'1", "a=b"] {
        assert_eq!(csv_cell(plain), plain);
    }
}

#[test]
fn charts_are_written_as_exports_too() {
    use crate::charts::{ChartKind, ChartRequest};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("unit.sqlite3");
    let mut conn = crate::store::open(&path).expect("open");
    crate::demo::load(&mut conn, &crate::job::Quiet).expect("demo");
    let chart = |out: &Path| {
        let request = ChartRequest {
            kind: ChartKind::Daily,
            from: chrono::NaiveDate::from_ymd_opt(2021, 4, 1).expect("date"),
            to: chrono::NaiveDate::from_ymd_opt(2021, 4, 30).expect("date"),
            site: None,
            lang: crate::locale::Lang::En,
        };
        crate::charts::export(&conn, &request, out)
    };
    // A chart "saved as" the store (a stray .png added, then removed in
    // the dialog, or a link) is refused and the store still opens.
    let before = std::fs::read(&path).expect("store bytes");
    let link = dir.path().join("chart.png");
    std::os::unix::fs::symlink(&path, &link).expect("symlink");
    let err = chart(&link).expect_err("a chart over the store");
    assert!(err.to_string().contains("store"), "{err}");
    assert_eq!(std::fs::read(&path).expect("store bytes"), before);
    std::fs::remove_file(&link).expect("unlink");

    for name in ["april.png", "april.svg"] {
        let out = dir.path().join(name);
        chart(&out).expect("chart export");
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
        let bytes = std::fs::read(&out).expect("read");
        if name.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        } else {
            assert!(String::from_utf8_lossy(&bytes).contains("<svg"), "{name}");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
