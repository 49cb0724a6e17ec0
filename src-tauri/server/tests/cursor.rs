//! A pull by cursor never skips a change that committed late: four
//! laptops push at once, in many small rounds, while a fifth pulls over
//! and over. Were versions drawn outside the lock that orders commits, a
//! push holding a lower version could commit after a pull had moved its
//! cursor past a higher one, and the puller would never see it.

mod support;

use dosedesk_core::doses::entry::{self, Tally};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::laptop::{fixture, Laptop};
use support::{add_device, admin, Postgres, Server};

#[test]
fn concurrent_pushes_never_hide_a_change_from_a_pull() {
    let pg = Postgres::start();
    let db = pg.database("cursor");
    admin(&db, &["migrate"]);
    let server = Server::start(&db);
    let dir = tempfile::tempdir().expect("dir");
    let mut seed = Laptop::new(dir.path(), "seed");
    for (kind, file) in fixture(dir.path(), 3) {
        seed.import(kind, &file);
    }
    seed.enrol(&server.url(), &add_device(&db, "seed", "manager", &[]));
    seed.sync().expect("seed");

    const PUSHERS: usize = 4;
    const ROUNDS: usize = 25;
    let mut pushers = Vec::new();
    for p in 0..PUSHERS {
        let mut l = Laptop::new(dir.path(), &format!("p{p}"));
        l.enrol(
            &server.url(),
            &add_device(&db, &format!("p{p}"), "manager", &[]),
        );
        l.sync().expect("first pull");
        pushers.push(l);
    }
    let mut reader = Laptop::new(dir.path(), "reader");
    reader.enrol(&server.url(), &add_device(&db, "reader", "official", &[]));
    reader.sync().expect("first pull");

    let done = Arc::new(AtomicBool::new(false));
    let reading = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut pulls = 0;
            while !done.load(Ordering::SeqCst) {
                reader.sync().expect("reader sync");
                pulls += 1;
            }
            (reader, pulls)
        })
    };
    let writing: Vec<_> = pushers
        .into_iter()
        .enumerate()
        .map(|(p, mut l)| {
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    // Each tally its own key: a site, a day of April, a shift label.
                    let t = Tally {
                        site_code: ["AAA", "BBB", "CCC"][round % 3].into(),
                        date: format!("2021-04-{:02}", 1 + round % 28),
                        shift: format!("p{p}-r{round}"),
                        dose_number: 1,
                        product: String::new(),
                        doses: (p * 100 + round) as i64,
                    };
                    entry::record(&mut l.conn, &t, true).expect("tally");
                    l.sync().expect("push");
                }
            })
        })
        .collect();
    for w in writing {
        w.join().expect("pusher");
    }
    done.store(true, Ordering::SeqCst);
    let (mut reader, pulls) = reading.join().expect("reader");
    // One more sync: whatever the cursor passed over is lost for good.
    reader.sync().expect("last pull");
    let mut stmt = reader
        .conn
        .prepare("SELECT shift FROM dose_count WHERE shift <> ''")
        .expect("query");
    let got: BTreeSet<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    let want: BTreeSet<String> = (0..PUSHERS)
        .flat_map(|p| (0..ROUNDS).map(move |r| format!("p{p}-r{r}")))
        .collect();
    assert!(
        pulls > 5,
        "the reader pulled only {pulls} times while others pushed"
    );
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "after {pulls} pulls the reader never saw {missing:?}"
    );
}
