//! What every command-line test shares: the user its stores are made by.
//! DoseDesk keeps every store encrypted, so a command runs signed in, as a
//! person at a terminal would be; the first command on a new store makes it,
//! encrypted, with this user as its first manager.

#![allow(dead_code)] // each test binary uses its own part

use dosedesk_core::store::encryption;
use dosedesk_core::Connection;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const USER: &str = "manager";
pub const PASSPHRASE: &str = "correct horse battery";

/// A file holding [`PASSPHRASE`], written once per test binary.
pub fn passphrase_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cli-test-passphrase-{}", std::process::id()));
        std::fs::write(&path, format!("{PASSPHRASE}\n")).expect("passphrase file");
        path
    })
}

/// `dosedesk-cli --db DB`, signed in as [`USER`] (the environment a
/// script sets), reading nothing from the terminal.
pub fn signed_in(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dosedesk-cli"));
    command
        .env("DOSEDESK_USER", USER)
        .env("DOSEDESK_PASSPHRASE_FILE", passphrase_file())
        .stdin(std::process::Stdio::null())
        .arg("--db")
        .arg(db);
    command
}

/// Opens the encrypted store `db` in the test's own process, as [`USER`]:
/// what the tests read back is read from the store itself.
pub fn open(db: &Path) -> Connection {
    encryption::unlock(db, USER, PASSPHRASE).expect("unlock");
    dosedesk_core::store::open(db).expect("open")
}
