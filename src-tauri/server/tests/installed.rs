//! The installed server package: `tests/package.sh` (run by `make test`)
//! installs the .deb, then runs this test against `/usr/bin/dosedesk-server`
//! as the package's own system user; ignored in a plain `cargo test`.

mod support;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::laptop::{fixture, Laptop};
use support::{free_port, Postgres};

const INSTALLED: &str = "/usr/bin/dosedesk-server";

/// The installed server run as the service runs it: as `dosedesk`, its
/// settings from the environment.
fn as_service(db_url: &str, env: &[(&str, &str)], args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        Command::new("runuser")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("-n");
        sudo
    };
    cmd.args(["-u", "dosedesk", "--", "env"])
        .arg(format!("DOSEDESK_DATABASE_URL={db_url}"));
    for (k, v) in env {
        cmd.arg(format!("{k}={v}"));
    }
    cmd.arg(INSTALLED).args(args);
    cmd
}

fn stat(path: &str) -> String {
    let out = Command::new("stat")
        .args(["-c", "%U:%G %a", path])
        .output()
        .expect("stat");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The server, stopped when dropped (a failed assert included). It runs in
/// a process group of its own: runuser stays as its parent, and stopping
/// runuser alone would leave the server running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs the server .deb installed: run by tests/package.sh (make test)"]
fn the_installed_server_runs_as_its_own_user_and_a_laptop_syncs_with_it() {
    // As the package left them: a system user, settings only it can read.
    let user = Command::new("getent")
        .args(["passwd", "dosedesk"])
        .output()
        .expect("getent");
    assert!(user.status.success(), "the package made no dosedesk user");
    assert_eq!(stat("/etc/dosedesk/server.env"), "root:dosedesk 640");
    assert_eq!(stat("/etc/dosedesk"), "root:dosedesk 750");
    let unit = std::fs::read_to_string("/lib/systemd/system/dosedesk-server.service")
        .expect("the systemd unit");
    for line in [
        "User=dosedesk",
        "EnvironmentFile=/etc/dosedesk/server.env",
        "ExecStartPre=/usr/bin/dosedesk-server migrate",
        "ExecStart=/usr/bin/dosedesk-server serve",
    ] {
        assert!(
            unit.lines().any(|l| l == line),
            "{line} missing from the unit"
        );
    }

    // The unit's commands, as its user: migrate, enrol a device, serve.
    let pg = Postgres::start();
    let url = pg.database("installed");
    let migrated = as_service(&url, &[], &["migrate"])
        .output()
        .expect("migrate");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let added = as_service(
        &url,
        &[],
        &["device", "add", "head-office", "--role", "manager"],
    )
    .output()
    .expect("device add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let token = String::from_utf8_lossy(&added.stdout)
        .lines()
        .last()
        .expect("a token")
        .trim()
        .to_owned();

    // Listening on anything but loopback without TLS is refused, in words.
    let clear = as_service(&url, &[("DOSEDESK_LISTEN", "0.0.0.0:0")], &["serve"])
        .output()
        .expect("serve");
    assert!(!clear.status.success());
    assert!(
        String::from_utf8_lossy(&clear.stderr).contains("without TLS"),
        "{}",
        String::from_utf8_lossy(&clear.stderr)
    );

    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Running(
        as_service(&url, &[("DOSEDESK_LISTEN", &listen)], &["serve"])
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("serve"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            server.0.try_wait().expect("wait").is_none(),
            "the server exited"
        );
        assert!(Instant::now() < deadline, "the server never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    let owner = Command::new("ps")
        .args(["-o", "user=", "-C", "dosedesk-server"])
        .output()
        .expect("ps");
    let owners = String::from_utf8_lossy(&owner.stdout);
    assert!(
        !owners.trim().is_empty() && owners.lines().all(|u| u.trim() == "dosedesk"),
        "the server runs as {owners:?}"
    );

    // A laptop enrols with the token and pushes its store; the central
    // copy holds every row it sent.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut laptop = Laptop::new(dir.path(), "head-office");
    for (kind, file) in fixture(dir.path(), 40) {
        laptop.import(kind, &file);
    }
    laptop.enrol(&format!("http://{listen}"), &token);
    let report = laptop.sync();
    drop(server);
    let report = report.expect("sync with the installed server");
    assert!(report.pushed > 0, "{report:?}");
    let central: u64 = pg
        .psql(&url, "SELECT count(*) FROM row_state")
        .trim()
        .parse()
        .expect("a count");
    assert_eq!(central, report.pushed);
}
