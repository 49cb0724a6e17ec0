//! Sync at scale, printed (not asserted): a manager's first push of N
//! bookings (`DOSEDESK_BENCH_SYNC_BOOKINGS`, default 2,000,000), a second
//! manager's first pull of everything, a clinic laptop's first pull of its
//! site, a sync round with nothing to do, and a first pull after every
//! site was edited (their rows then come after everything that refers to
//! them, which waits). Real parts: the release server binary, a throwaway
//! PostgreSQL, SQLite store files.

#[path = "../tests/support/mod.rs"]
mod support;

use dosedesk_core::generate::{generate, GenerateParams};
use std::time::Instant;
use support::laptop::Laptop;
use support::{add_device, admin, Postgres, Server};

fn main() {
    let bookings: u64 = std::env::var("DOSEDESK_BENCH_SYNC_BOOKINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let pg = Postgres::start();
    let db = pg.database("bench");
    admin(&db, &["migrate"]);
    let server = Server::start(&db);
    let dir = tempfile::tempdir().expect("dir");
    let files = dir.path().join("files");
    let params = GenerateParams {
        sites: 300,
        bookings,
        dose_counts: 50_000,
        seed: 7,
        incident: 0,
    };
    generate(&files, &params, &dosedesk_core::job::Quiet).expect("generate");
    let mut m1 = Laptop::new(dir.path(), "m1");
    m1.import_generated(&files);
    let rows = m1.count("SELECT (SELECT count(*) FROM site) + (SELECT count(*) FROM shift) + (SELECT count(*) FROM appointment) + (SELECT count(*) FROM dose_count)");
    println!(
        "sync bench: {bookings} bookings, {rows} rows that travel, PostgreSQL {}",
        pg.psql(&db, "SHOW server_version").trim()
    );

    m1.enrol(&server.url(), &add_device(&db, "m1", "manager", &[]));
    let (pushed, s) = timed_sync(&mut m1, "first push");
    print_rate("first push (manager):   ", pushed.pushed, s);

    let mut m2 = Laptop::new(dir.path(), "m2");
    m2.enrol(&server.url(), &add_device(&db, "m2", "manager", &[]));
    let (pulled, s) = timed_sync(&mut m2, "first pull");
    print_rate("first pull (manager):   ", pulled.pulled, s);

    let site: String = m1
        .conn
        .query_row("SELECT s.code FROM site s JOIN appointment a ON a.site_id = s.id GROUP BY s.code ORDER BY count(*) DESC LIMIT 1", [], |r| r.get(0))
        .expect("busiest site");
    let mut clinic = Laptop::new(dir.path(), "clinic");
    clinic.enrol(
        &server.url(),
        &add_device(&db, "clinic", "clinic", &[&site]),
    );
    let (pulled, s) = timed_sync(&mut clinic, "clinic pull");
    print_rate(&format!("first pull (clinic {site}):"), pulled.pulled, s);
    println!(
        "    ({} of its bookings)",
        clinic.count("SELECT count(*) FROM appointment")
    );

    let mut idle = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let r = m2.sync().expect("idle sync");
        assert_eq!((r.pushed, r.pulled), (0, 0));
        idle.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    idle.sort_by(f64::total_cmp);
    println!(
        "  idle sync round:         median {:.1} ms, worst {:.1} ms (21 rounds)",
        idle[10], idle[20]
    );
    // Every site renamed after its bookings were pushed: a new laptop's
    // first pull meets every booking, shift and tally before its site.
    let sites = std::fs::read_to_string(files.join("sites.csv")).expect("sites.csv");
    let mut lines = sites.lines();
    let header = lines.next().expect("a header");
    let name = header
        .split(',')
        .position(|c| c == "name")
        .expect("a name column");
    let mut renamed = format!("{header}\n");
    for line in lines {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        fields[name].push_str(" (renamed)");
        renamed.push_str(&fields.join(","));
        renamed.push('\n');
    }
    let renamed_file = dir.path().join("renamed-sites.csv");
    std::fs::write(&renamed_file, renamed).expect("write");
    m1.import(dosedesk_core::import::ImportKind::Sites, &renamed_file);
    let edits = m1.sync().expect("push the renamed sites").pushed;
    let mut m3 = Laptop::new(dir.path(), "m3");
    m3.enrol(&server.url(), &add_device(&db, "m3", "manager", &[]));
    let (pulled, s) = timed_sync(&mut m3, "first pull after the sites were edited");
    print_rate(
        &format!("first pull, every site edited after its bookings ({edits} edits):"),
        pulled.pulled,
        s,
    );
    println!(
        "    ({} rows waited for a row they refer to)",
        pulled.waited
    );

    let size = pg.psql(
        &db,
        "SELECT pg_size_pretty(pg_database_size(current_database()))",
    );
    println!("  central copy on disk:    {}", size.trim());
    drop(server);
}

/// One sync of `laptop`, timed: its report, the seconds it took and the
/// laptop side's peak memory (this process's, reset before the sync; the
/// server and PostgreSQL are processes of their own).
fn timed_sync(laptop: &mut Laptop, what: &str) -> (dosedesk_core::sync::SyncReport, Timed) {
    // Linux: writing 5 resets the peak resident set size (VmHWM).
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak memory");
    let t = Instant::now();
    let report = laptop.sync().unwrap_or_else(|e| panic!("{what}: {e}"));
    let seconds = t.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    (
        report,
        Timed {
            seconds,
            peak_mb: peak_kb / 1024,
        },
    )
}

struct Timed {
    seconds: f64,
    peak_mb: u64,
}

/// One figure line: `label` N rows in S s = R rows/s, and the peak memory.
fn print_rate(label: &str, rows: u64, t: Timed) {
    println!(
        "  {label} {rows:>9} rows in {:6.1} s = {:>7.0} rows/s, laptop side peak {} MB",
        t.seconds,
        rows as f64 / t.seconds,
        t.peak_mb
    );
}
