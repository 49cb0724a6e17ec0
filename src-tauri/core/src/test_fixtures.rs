//! Stores the tests build from CSV text, imported as a user imports files.

use crate::import::{import_file, ImportKind, Quiet};
use rusqlite::Connection;
use std::path::Path;

/// A store in `dir` with `files` (kind, CSV text) imported in order.
pub(crate) fn store_from_csv(dir: &Path, files: &[(ImportKind, &str)]) -> Connection {
    let mut conn = crate::store::open(&dir.join("fixture.sqlite3")).expect("open");
    for (i, (kind, body)) in files.iter().enumerate() {
        let path = dir.join(format!("{i}-{kind:?}.csv").to_lowercase());
        std::fs::write(&path, body).expect("write");
        import_file(&mut conn, *kind, &path, &Quiet).expect("import");
    }
    conn
}
