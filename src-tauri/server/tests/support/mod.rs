//! Real parts for the sync tests: a throwaway PostgreSQL cluster (initdb
//! into a temporary directory, as the `postgres` user when run as root,
//! on a free loopback port, stopped when dropped) and the real
//! `dosedesk-server` binary serving it.
#![allow(dead_code)]

pub mod laptop;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_root: bool,
}

fn pg_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (Debian package postgresql; `make test` installs it)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::Builder::new()
            .prefix("dosedesk-pg-")
            .tempdir()
            .expect("temp dir");
        let as_root = is_root();
        if as_root {
            // initdb refuses root: the cluster belongs to `postgres`.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()));
        }
        let pg = Postgres {
            bin: pg_bin(),
            port: free_port(),
            as_root,
            dir,
        };
        let data = pg.data();
        pg.run_pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // DOSEDESK_PG_OPTS adds server options (e.g. `-c log_min_duration_statement=50`
        // to see slow statements; DOSEDESK_PG_LOG=1 prints the log at the end).
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 {}",
            pg.port,
            pg.dir.path().display(),
            std::env::var("DOSEDESK_PG_OPTS").unwrap_or_default()
        );
        let log = pg.dir.path().join("server.log");
        pg.run_pg(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-o",
                &opts,
                "-l",
                &log.display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run_pg(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(self.dir.path());
        run(&mut cmd);
    }

    /// A new, empty database; returns its URL.
    pub fn database(&self, name: &str) -> String {
        let psql = self.bin.join("psql");
        run(Command::new(psql).args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-q",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ]));
        format!("postgresql://postgres@127.0.0.1:{}/{name}", self.port)
    }

    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([url, "-X", "-A", "-t", "-q", "-c", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if std::env::var_os("DOSEDESK_PG_LOG").is_some() {
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            eprintln!("{log}");
        }
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The server binary: Cargo's own for this package's tests and benches;
/// `DOSEDESK_SERVER`, else the workspace's debug build, for the app's
/// end-to-end tests (another package).
pub fn server_exe() -> PathBuf {
    if let Some(exe) = option_env!("CARGO_BIN_EXE_dosedesk-server") {
        return PathBuf::from(exe);
    }
    if let Some(exe) = std::env::var_os("DOSEDESK_SERVER") {
        return PathBuf::from(exe);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("debug")
        .join("dosedesk-server")
}

/// Runs `dosedesk-server --database-url URL ARGS…`; returns stdout.
pub fn admin(db_url: &str, args: &[&str]) -> String {
    let out = Command::new(server_exe())
        .arg("--database-url")
        .arg(db_url)
        .args(args)
        .output()
        .expect("dosedesk-server");
    assert!(
        out.status.success(),
        "dosedesk-server {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adds a device; returns its one-time token (the last line printed).
pub fn add_device(db_url: &str, name: &str, role: &str, sites: &[&str]) -> String {
    let mut args = vec!["device", "add", name, "--role", role];
    for s in sites {
        args.extend(["--site", s]);
    }
    admin(db_url, &args)
        .lines()
        .last()
        .expect("a token line")
        .trim()
        .to_string()
}

/// The real server process, on a loopback port.
pub struct Server {
    child: Option<Child>,
    db_url: String,
    pub port: u16,
    tls: Option<(PathBuf, PathBuf)>,
}

impl Server {
    pub fn start(db_url: &str) -> Server {
        Self::start_with(db_url, None)
    }

    pub fn start_with(db_url: &str, tls: Option<(PathBuf, PathBuf)>) -> Server {
        let mut s = Server {
            child: None,
            db_url: db_url.to_string(),
            port: free_port(),
            tls,
        };
        s.spawn();
        s
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let host = if self.tls.is_some() {
            "localhost"
        } else {
            "127.0.0.1"
        };
        format!("{scheme}://{host}:{}", self.port)
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(server_exe());
        cmd.arg("--database-url")
            .arg(&self.db_url)
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((cert, key)) = &self.tls {
            cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        self.child = Some(cmd.spawn().expect("dosedesk-server serve"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("dosedesk-server exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "dosedesk-server did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process (SIGKILL: no goodbye), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
