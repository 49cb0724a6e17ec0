//! The core half of "every view answers within 100 ms": each view's core
//! calls, timed on a real store (the IPC and DOM half is timed in the app by
//! `tests/bench/app.sh`, which tours every view). Median and first of 7 runs, with a
//! view command's connection settings (a fresh connection, `store::VIEW_CACHE_SIZE`).
//! With `BENCH_VIEWS_POOLED=1`, each view's runs share one connection opened
//! before the clock starts, as the app's pool keeps its connections.
//! `BENCH_VIEWS_ONLY=TEXT` times only the calls whose names contain it (to
//! profile one).
//!
//!   cargo run --release -p dosedesk-core --example bench_views -- DB_PATH DATE

use dosedesk_core::{booking, checks, doses, rebook, schedule, store, Connection, Result};
use std::time::Instant;

/// (first run, median of 7) in ms, and the size of the answer. The first
/// run may read pages the OS no longer holds in memory, as a view opened
/// after a while does.
fn median_ms(
    db: &std::path::Path,
    mut call: impl FnMut(&Connection) -> Result<usize>,
) -> Result<(f64, f64, usize)> {
    let view_connection = || -> Result<Connection> {
        let conn = store::open(db)?;
        conn.pragma_update(None, "cache_size", store::VIEW_CACHE_SIZE)?;
        Ok(conn)
    };
    let pooled = match std::env::var_os("BENCH_VIEWS_POOLED") {
        Some(_) => Some(view_connection()?),
        None => None,
    };
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let fresh;
        let conn = match &pooled {
            Some(conn) => conn,
            None => {
                fresh = view_connection()?;
                &fresh
            }
        };
        size = call(conn)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    Ok((first, times[times.len() / 2], size))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(db), Some(date)) = (args.first(), args.get(1)) else {
        eprintln!("usage: bench_views DB_PATH DATE");
        std::process::exit(2);
    };
    let db = std::path::Path::new(db);
    // An encrypted store: signed in as the CLI would be (DOSEDESK_USER, DOSEDESK_PASSPHRASE_FILE).
    store::encryption::unlock_from_environment(db)?;
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| dosedesk_core::Error::InvalidInput(format!("{date:?}: {e}")))?;
    let from = (day - chrono::Duration::days(14)).to_string();
    let to = (day + chrono::Duration::days(27)).to_string();
    let first_site: String = store::open(db)?.query_row(
        "SELECT code FROM site WHERE status = 'open' ORDER BY code LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let some_person: String = store::open(db)?.query_row(
        "SELECT person_id FROM person ORDER BY person_id LIMIT 1 OFFSET 1000",
        [],
        |r| r.get(0),
    )?;
    type Call<'a> = Box<dyn FnMut(&Connection) -> Result<usize> + 'a>;
    let calls: Vec<(&str, Call<'_>)> = vec![
        (
            "site list (filters)",
            Box::new(|c| Ok(schedule::site_list(c)?.len())),
        ),
        (
            "schedule week, first page",
            Box::new(|c| {
                let q = schedule::WeekQuery {
                    date: date.clone(),
                    ..Default::default()
                };
                Ok(schedule::week(c, &q)?.sites.len())
            }),
        ),
        (
            "dashboard figures",
            Box::new(|c| Ok(doses::figures(c)?.flagged_days.len())),
        ),
        (
            "dashboard daily chart",
            Box::new(|c| {
                let request: dosedesk_core::charts::ChartRequest = serde_json::from_value(
                    serde_json::json!({"kind": "daily", "from": from, "to": to}),
                )
                .map_err(|e| dosedesk_core::Error::InvalidInput(e.to_string()))?;
                Ok(dosedesk_core::charts::svg(c, &request)?.svg.len())
            }),
        ),
        (
            "dashboard reconciliation",
            // As the Dashboard asks: tallies exist up to today.
            Box::new(|c| {
                Ok(
                    doses::reconcile::reconcile(c, &from, date, doses::reconcile::GAPS_SHOWN)?
                        .len(),
                )
            }),
        ),
        (
            "tallies of a site-day",
            Box::new(|c| Ok(doses::entry::site_day(c, &first_site, date)?.len())),
        ),
        (
            "checks (kept results)",
            Box::new(|c| {
                Ok(checks::current(c, checks::SITE_DAYS_SHOWN)?
                    .by_site_day
                    .len())
            }),
        ),
        (
            "rebooking desk, first screen",
            Box::new(|c| {
                let from = checks::CheckQuery {
                    from: Some(date.clone()),
                    ..Default::default()
                };
                Ok(rebook::plan_for_view(c, &from, rebook::PROPOSALS_SHOWN)?
                    .proposals
                    .len())
            }),
        ),
        (
            "rebooking desk, first page (the app's)",
            Box::new(|c| {
                let from = checks::CheckQuery {
                    from: Some(date.clone()),
                    ..Default::default()
                };
                Ok(rebook::page(c, &from, &rebook::DeskFilter::default())?
                    .proposals
                    .len())
            }),
        ),
        (
            "rebooking, whole plan (counts)",
            Box::new(|c| Ok(rebook::plan(c, &Default::default())?.proposals.len())),
        ),
        (
            "rebooking desk, a search by name",
            Box::new(|c| {
                let filter = rebook::DeskFilter {
                    search: Some("tremblay".into()),
                    ..Default::default()
                };
                Ok(rebook::page(c, &Default::default(), &filter)?
                    .proposals
                    .len())
            }),
        ),
        (
            "rebooking desk, page 5",
            Box::new(|c| {
                let filter = rebook::DeskFilter {
                    offset: 4 * rebook::PROPOSALS_SHOWN,
                    ..Default::default()
                };
                Ok(rebook::page(c, &Default::default(), &filter)?
                    .proposals
                    .len())
            }),
        ),
        // The Book and Bookings views' person search (12 shown), from a
        // broad two letters to a name and the start of another.
        (
            "find people \"ma\" (broad)",
            Box::new(|c| Ok(booking::find_people(c, "ma", 12)?.people.len())),
        ),
        (
            "find people \"tremblay ma\"",
            Box::new(|c| Ok(booking::find_people(c, "tremblay ma", 12)?.people.len())),
        ),
        (
            "find a person by id",
            Box::new(|c| Ok(booking::find_people(c, &some_person, 12)?.people.len())),
        ),
        (
            "checks, people booked twice (kept)",
            Box::new(|c| {
                Ok(checks::people_with(
                    c,
                    &Default::default(),
                    checks::PersonFinding::DuplicatePeople,
                    checks::PEOPLE_SHOWN,
                )?
                .people
                .len())
            }),
        ),
    ];
    let only = std::env::var("BENCH_VIEWS_ONLY").unwrap_or_default();
    for (name, call) in calls.into_iter().filter(|(name, _)| name.contains(&only)) {
        let (first, median, size) = median_ms(db, call)?;
        println!("view    {name:<34} median {median:7.1} ms, first {first:7.1} ms  ({size} items)");
    }
    Ok(())
}
