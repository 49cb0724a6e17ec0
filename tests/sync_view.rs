//! Sync in the real app: a new laptop enrols from its empty store through
//! the Sync view, the top bar shows its state, and a tally corrected on two
//! laptops is resolved in the Conflicts list. Real parts: the app in
//! WebKit, the dosedesk-server binary, a throwaway PostgreSQL.

#[path = "../src-tauri/server/tests/support/mod.rs"]
mod server;

use dosedesk_core::doses::entry::{self, Tally};
use dosedesk_e2e::{App, TestResult};
use server::laptop::{fixture, Laptop};
use server::{add_device, admin, Postgres, Server};

/// Books `person` at AAA in the Book view, as a person at the desk would.
async fn book_in_view(app: &App, person: &str, slot: &str) -> TestResult {
    app.click("#nav-book").await?;
    app.find("#book-person").await?.send_keys(person).await?;
    app.client
        .execute(
            "document.getElementById('book-slot').value = arguments[0];",
            vec![serde_json::json!(slot)],
        )
        .await?;
    app.select("#book-site[data-loaded]", "AAA").await?;
    // The store's products, the one added on another laptop among them.
    let products = app
        .attrs("#book-product[data-loaded] option", "value")
        .await?;
    assert!(products.iter().any(|p| p == "NOVAVAX"), "{products:?}");
    app.click("#book-submit").await?;
    Ok(())
}

fn tally(doses: i64) -> Tally {
    Tally {
        site_code: "AAA".into(),
        date: "2021-04-01".into(),
        shift: String::new(),
        dose_number: 1,
        product: "PFIZER".into(),
        doses,
    }
}

#[tokio::test]
async fn a_laptop_enrols_syncs_and_a_manager_resolves_a_conflict() -> TestResult {
    let pg = Postgres::start();
    let db = pg.database("app");
    admin(&db, &["migrate"]);
    let central = Server::start(&db);
    let dir = tempfile::tempdir()?;
    let mut m1 = Laptop::new(dir.path(), "m1");
    for (kind, file) in fixture(dir.path(), 30) {
        m1.import(kind, &file);
    }
    let products = dir.path().join("products.csv");
    std::fs::write(
        &products,
        "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax Nuvaxovid,21,112\n",
    )?;
    m1.import(dosedesk_core::import::ImportKind::Products, &products);
    m1.enrol(&central.url(), &add_device(&db, "m1", "manager", &[]));
    m1.sync()?;
    let token = add_device(&db, "desk-laptop", "manager", &[]);

    let store = dir.path().join("desk.sqlite3");
    // The laptop syncs when told to (enrolment, Sync now), not by itself:
    // a background sync between head office's push and this laptop's own
    // offline edits below would bring head office's bookings and tally
    // first, and the edits would no longer be concurrent (CI once found the
    // slot already full when booking here).
    let app = App::launch_with(
        &store,
        &["--week", "2021-04-01"],
        &[("DOSEDESK_SYNC_SECONDS", "3600")],
    )
    .await?;
    app.wait_inner_text("#sync-status", "Not connected").await?;
    app.click("#sync-status").await?;
    app.find("#sync-server")
        .await?
        .send_keys(&central.url())
        .await?;
    app.find("#sync-token").await?.send_keys(&token).await?;
    app.click("#sync-enrol").await?;
    // The first sync brings the unit's data; the schedule's views open.
    app.wait_inner_text("#sync-status", "Synced").await?;
    app.wait_inner_text("#sync-state", "Synced").await?;
    let nav_hidden = app.attrs("#nav", "hidden").await?;
    assert_eq!(
        nav_hidden,
        vec![String::new()],
        "the views open once data arrived"
    );
    let desk = Laptop::new(dir.path(), "desk");
    assert_eq!(desk.count("SELECT count(*) FROM appointment"), 30);
    drop(desk);

    // The same tally corrected at head office (50) and on this laptop (60);
    // and a slot with 2 places booked offline twice there, once here.
    let slot = "2021-04-02T14:00";
    entry::record(&mut m1.conn, &tally(50), true)?;
    m1.book(false, "W1", "AAA", slot, "2021-04-23T15:00")?;
    m1.book(false, "W2", "AAA", slot, "2021-04-23T15:05")?;
    m1.sync()?;
    {
        let mut here = Laptop {
            name: "desk".into(),
            path: store.clone(),
            conn: dosedesk_core::store::open(&store)?,
        };
        entry::record(&mut here.conn, &tally(60), true)?;
        here.book(false, "W3", "AAA", slot, "2021-04-23T15:10")?;
    }
    app.click("#sync-now").await?;
    app.wait_inner_text("#sync-status", "1 conflict").await?;
    app.wait_inner_text("#sync-conflicts", "Tally corrected")
        .await?;
    let rows = app
        .texts("#sync-conflicts > .table-scroll tbody tr")
        .await?;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("Tally corrected on two laptops"),
        "{rows:?}"
    );
    assert!(rows[0].contains("AAA · 2021-04-01"), "{rows:?}");
    assert!(rows[0].contains("doses: 60 ≠ 50"), "{rows:?}");
    // The tally's history travels in its value, but is no part of the conflict.
    assert!(!rows[0].contains("history"), "{rows:?}");
    // The offline bookings were all kept; their slot is listed.
    app.wait_inner_text("#sync-overbooked", "1 slot holds more bookings than places")
        .await?;
    let over = app.texts("#sync-overbooked tbody tr").await?;
    assert_eq!(over.len(), 1, "{over:?}");
    let cells: Vec<&str> = over[0].split_whitespace().collect();
    assert_eq!(
        cells,
        ["AAA", "Fri", "2", "Apr", "2021", "14:00", "3", "2"],
        "{over:?}"
    );
    app.screenshot("sync-conflict-en").await?;
    // The manager keeps this laptop's value: it becomes everyone's.
    app.click("#sync-conflicts button[data-keep='local']")
        .await?;
    app.wait_inner_text("#sync-conflicts", "No conflicts")
        .await?;
    m1.sync()?;
    assert_eq!(
        m1.count("SELECT doses FROM dose_count c JOIN site s ON s.id = c.site_id WHERE s.code = 'AAA' AND c.date = '2021-04-01'"),
        60
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let pill = app.texts("#sync-status").await?;
        if pill[0].starts_with("Synced") && !pill[0].contains("conflict") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the top bar still says {pill:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A booking made in the Book view passes the central copy's capacity
    // guard while the server answers, and the view says so.
    book_in_view(&app, "W4", "2021-04-03T09:00").await?;
    app.wait_inner_text("#book-result", "The central copy confirmed the places.")
        .await?;
    assert_eq!(app.attrs("#book-result", "data-central").await?, ["passed"]);

    // In French.
    app.client
        .execute("const s = document.getElementById('lang-select'); s.value = 'fr'; s.dispatchEvent(new Event('change'));", vec![])
        .await?;
    app.wait_inner_text("#sync-status", "Synchronisé").await?;
    app.click("#nav-sync").await?;
    app.wait_inner_text("#sync-conflicts", "Aucun conflit")
        .await?;
    app.wait_inner_text("#sync-overbooked", "ven. 2 avr. 2021 14:00")
        .await?;
    app.screenshot("sync-fr").await?;
    // The server goes away: the booking is still made here, and the view
    // says plainly that the central copy did not check it.
    drop(central);
    book_in_view(&app, "W5", "2021-04-03T09:05").await?;
    app.wait_inner_text(
        "#book-result",
        "La copie centrale n'a pas pu être jointe pour confirmer les places",
    )
    .await?;
    assert_eq!(
        app.attrs("#book-result", "data-central").await?,
        ["unreachable"]
    );
    app.screenshot("book-unreachable-fr").await?;
    app.close().await?;
    let desk = Laptop::new(dir.path(), "desk");
    assert_eq!(
        desk.count(
            "SELECT count(*) FROM appointment WHERE person_id IN ('W4', 'W5') AND dose_number = 1"
        ),
        2,
        "both bookings kept"
    );
    Ok(())
}
