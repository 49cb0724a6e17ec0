//! Sync end to end with real parts: SQLite laptops, the dosedesk-server
//! binary, a throwaway PostgreSQL.

mod support;

use dosedesk_core::booking::CentralCheck;
use dosedesk_core::doses::entry;
use dosedesk_core::sync::{
    self, bundle, http, wire,
    wire::{Keep, Role},
};
use dosedesk_core::Error;
use support::laptop::{fixture, tally, Laptop};
use support::{add_device, admin, Postgres, Server};

struct Unit {
    _pg: Postgres,
    db: String,
    server: Server,
    dir: tempfile::TempDir,
}

fn unit(pg: Postgres, name: &str) -> Unit {
    let db = pg.database(name);
    admin(&db, &["migrate"]);
    let server = Server::start(&db);
    Unit {
        _pg: pg,
        db,
        server,
        dir: tempfile::tempdir().expect("dir"),
    }
}

impl Unit {
    /// A manager's laptop holding the fixture's `bookings` (and its sites,
    /// shifts, tallies and supply), enrolled and pushed.
    fn manager_with_fixture(&self, bookings: usize) -> Laptop {
        let mut m1 = Laptop::new(self.dir.path(), "m1-data");
        for (kind, file) in fixture(self.dir.path(), bookings) {
            m1.import(kind, &file);
        }
        m1.enrol(
            &self.server.url(),
            &add_device(&self.db, "m1", "manager", &[]),
        );
        m1.sync().expect("first push");
        m1
    }

    /// [`Unit::manager_with_fixture`] of 6 bookings, then site AAA renamed
    /// and pushed: on the server, AAA now comes after everything at it.
    fn manager_with_aaa_renamed(&self) -> Laptop {
        let mut m1 = self.manager_with_fixture(6);
        let renamed = self.dir.path().join("renamed.csv");
        std::fs::write(
            &renamed,
            "site_code,name,kind,lat,lon,stations,minutes_per_dose\n\
             AAA,Arena A (renamed),mass_clinic,45.4215,-75.6972,10,5\n",
        )
        .expect("write");
        m1.import(dosedesk_core::import::ImportKind::Sites, &renamed);
        assert_eq!(m1.sync().expect("push the rename").pushed, 1);
        m1
    }

    fn laptop(&self, name: &str, role: &str, sites: &[&str]) -> Laptop {
        let token = add_device(&self.db, name, role, sites);
        let mut l = Laptop::new(self.dir.path(), name);
        l.enrol(&self.server.url(), &token);
        l
    }
}

#[test]
fn laptops_converge_each_holding_what_its_role_may_see() {
    let u = unit(Postgres::start(), "roles");
    let mut m1 = Laptop::new(u.dir.path(), "m1-data");
    for (kind, file) in fixture(u.dir.path(), 90) {
        m1.import(kind, &file);
    }
    let before = m1.dump();
    let token = add_device(&u.db, "m1", "manager", &[]);
    m1.enrol(&u.server.url(), &token);
    let pushed = m1.sync().expect("first push");
    // 3 sites + 3 built-in products + 84 shifts + 90 bookings + 9 tallies
    // + 1 shipment.
    assert_eq!(pushed.pushed, 3 + 3 + 84 + 90 + 9 + 1);
    assert_eq!(pushed.conflicts, 0);
    // The token is spent.
    let again = http::enrol(&u.server.url(), &token, None).expect_err("token used twice");
    assert!(again.to_string().contains("already used"), "{again}");
    assert_eq!(
        m1.dump(),
        before,
        "a manager's own sync changes nothing it holds"
    );

    let mut m2 = u.laptop("m2", "manager", &[]);
    let mut clinic = u.laptop("clinic-a", "clinic", &["AAA"]);
    let mut official = u.laptop("official", "official", &[]);
    for l in [&mut m2, &mut clinic, &mut official] {
        l.sync().expect("first pull");
    }
    assert_eq!(m2.dump(), before);
    let a = vec!["AAA".to_string()];
    assert_eq!(clinic.dump(), before.restricted(Role::Clinic, &a));
    assert_eq!(clinic.count("SELECT count(*) FROM appointment"), 30);
    assert_eq!(clinic.count("SELECT count(*) FROM person"), 30);
    assert_eq!(official.dump(), before.restricted(Role::Official, &[]));
    assert_eq!(official.count("SELECT count(*) FROM appointment"), 0);
    assert_eq!(official.count("SELECT count(*) FROM person"), 0);
    // Every day total is there for the official (from the tallies).
    assert_eq!(
        official.count("SELECT sum(administered) FROM site_day"),
        m1.count("SELECT sum(administered) FROM site_day")
    );

    // A clinic may not write for another site: refused on the laptop...
    let refused = entry::record(&mut clinic.conn, &tally("BBB", "2021-04-04", 5), true)
        .expect_err("a tally for another site");
    assert!(matches!(refused, Error::InvalidInput(_)), "{refused}");
    assert!(
        refused
            .to_string()
            .contains("may not record tallies for BBB"),
        "{refused}"
    );
    // ...and, should a laptop send one anyway, by the server.
    let e = sync::enrolment::require(&clinic.conn).expect("enrolled");
    let mut client = http::Client::new(&e).expect("client");
    let forged = sync::wire::PushBatch {
        batch_id: "forged".into(),
        rows: vec![sync::wire::WireRow {
            table: sync::wire::Table::DoseCount,
            id: sync::wire::keyed_id(sync::wire::Table::DoseCount, &["BBB", "2021-04-04", "", "1", "PFIZER"]),
            base: None,
            site: Some("BBB".into()),
            parent: None,
            deleted: false,
            data: serde_json::value::RawValue::from_string(
                r#"{"site":"BBB","date":"2021-04-04","shift":"","dose_number":1,"product":"PFIZER","doses":5,"source":"local","withdrawn_at":null,"held_at":null,"updated_at":"2021-04-04T12:00:00Z"}"#.into(),
            )
            .expect("json"),
        }],
    };
    let err = sync::Transport::push(&mut client, &forged).expect_err("server refuses");
    assert!(
        err.to_string()
            .contains("may not write dose_count rows at BBB"),
        "{err}"
    );
    // Nor may it claim its own site for a value at another.
    let mut claimed = forged.clone();
    claimed.batch_id = "claimed".into();
    claimed.rows[0].site = Some("AAA".into());
    let err = sync::Transport::push(&mut client, &claimed).expect_err("server refuses");
    assert!(
        err.to_string().contains("its value is at Some(\"BBB\")"),
        "{err}"
    );
    // A call is where its booking is, whatever site the sender names.
    let call = sync::wire::PushBatch {
        batch_id: "call".into(),
        rows: vec![sync::wire::WireRow {
            table: sync::wire::Table::ContactAttempt,
            id: "0f0e0d0c0b0a09080706050403020100".into(),
            base: None,
            site: Some("AAA".into()),
            parent: Some(sync::wire::keyed_id(sync::wire::Table::Appointment, &["B00001"])),
            deleted: false,
            data: serde_json::value::RawValue::from_string(
                r#"{"booking_id":"B00001","appointment_uuid":null,"attempted_at":"2021-04-01T10:00:00Z","outcome":"unreachable","proposed_site":null,"proposed_slot_minute":null,"note":null,"updated_at":"2021-04-01T10:00:00Z"}"#.into(),
            )
            .expect("json"),
        }],
    };
    let err = sync::Transport::push(&mut client, &call).expect_err("server refuses");
    assert!(
        err.to_string()
            .contains("may not write contact_attempt rows at BBB"),
        "{err}"
    );
    // An official's push of a tally is refused the same way.
    assert!(entry::record(&mut official.conn, &tally("AAA", "2021-04-04", 5), true).is_err());

    // A clinic's own tally reaches everyone; a booking moved away from
    // the clinic's site leaves its laptop, with the person's details.
    entry::record(&mut clinic.conn, &tally("AAA", "2021-04-05", 44), true).expect("own tally");
    clinic.sync().expect("clinic push");
    let moved: i64 = m1.count("SELECT id FROM appointment WHERE booking_id = 'B00000'");
    dosedesk_core::rebook::record(
        &mut m1.conn,
        &dosedesk_core::rebook::CallOutcome {
            appointment_id: moved,
            outcome: "reached_accepted".into(),
            to_site: Some("BBB".into()),
            to_slot: Some("2021-04-02T09:00".into()),
            note: Some("moved by phone".into()),
            call_back_at: None,
        },
    )
    .expect("accepted move");
    for l in [&mut m1, &mut m2, &mut clinic, &mut official] {
        l.sync().expect("round 1");
    }
    for l in [&mut m1, &mut m2, &mut clinic, &mut official] {
        l.sync().expect("round 2");
    }
    let truth = m1.dump();
    assert!(truth
        .tallies
        .iter()
        .any(|t| t.starts_with("AAA|2021-04-05||1|PFIZER|44|")));
    assert!(truth
        .calls
        .iter()
        .any(|c| c.contains("|B00000|reached_accepted|moved by phone")));
    assert_eq!(m2.dump(), truth);
    assert_eq!(clinic.dump(), truth.restricted(Role::Clinic, &a));
    assert_eq!(
        clinic.count("SELECT count(*) FROM appointment WHERE booking_id = 'B00000'"),
        0
    );
    assert_eq!(
        clinic.count("SELECT count(*) FROM person WHERE person_id = 'P00000'"),
        0
    );
    assert_eq!(official.dump(), truth.restricted(Role::Official, &[]));
}

/// A laptop's first pull loads its bookings and people without their
/// tables' triggers and secondary indexes (core's `FirstPull`); what they
/// keep must come out as a row-by-row load leaves it. The oracles: the
/// daily totals recounted here from the bookings themselves, the pushing
/// laptop's totals (made by the import's bulk path), its schema, and its
/// check report.
#[test]
fn a_first_pull_leaves_totals_indexes_and_checks_as_the_sender_has_them() {
    let u = unit(Postgres::start(), "first_pull");
    let mut m1 = u.manager_with_fixture(90);
    let mut m2 = u.laptop("m2", "manager", &[]);
    m2.sync().expect("first pull");
    assert_eq!(m2.dump(), m1.dump());

    let totals = "SELECT s.code, d.date, d.booked, d.attended FROM site_day d
                  JOIN site s ON s.id = d.site_id WHERE d.booked > 0 OR d.attended > 0";
    let recount = "SELECT s.code, date(a.slot_minute * 60, 'unixepoch'),
                          sum(a.status IN ('booked', 'attended')), sum(a.status = 'attended')
                   FROM appointment a JOIN site s ON s.id = a.site_id
                   GROUP BY 1, 2 HAVING sum(a.status IN ('booked', 'attended')) > 0";
    let pulled = m2.lines(totals);
    assert!(pulled.len() > 10, "site-days with bookings: {pulled:?}");
    assert_eq!(pulled, m2.lines(recount));
    assert_eq!(pulled, m1.lines(totals));

    let schema = "SELECT type, name, sql FROM sqlite_schema
                  WHERE tbl_name IN ('appointment', 'person') AND type IN ('index', 'trigger')";
    let objects = m2.lines(schema);
    assert!(
        objects.len() >= 16,
        "the tables' indexes and triggers: {objects:?}"
    );
    assert_eq!(objects, m1.lines(schema));

    let everything = dosedesk_core::checks::CheckQuery::default();
    let fresh = dosedesk_core::checks::run(&m1.conn, &everything).expect("check m1");
    assert_eq!(
        dosedesk_core::checks::run(&m2.conn, &everything).expect("check m2"),
        fresh
    );
    assert_eq!(
        dosedesk_core::checks::current(&m2.conn, usize::MAX).expect("kept on m2"),
        dosedesk_core::checks::current(&m1.conn, usize::MAX).expect("kept on m1")
    );

    // The next bookings pulled (a first dose and its second) are kept row
    // by row, by the restored triggers.
    let before = m2.count("SELECT sum(booked) FROM site_day");
    m1.book(
        false,
        "P-FIRST-PULL",
        "AAA",
        "2021-04-02T14:00",
        "2021-04-23T13:00",
    )
    .expect("booked");
    m1.sync().expect("push the booking");
    m2.sync().expect("pull the booking");
    assert_eq!(m2.count("SELECT sum(booked) FROM site_day"), before + 2);
    assert_eq!(m2.lines(totals), m2.lines(recount));
}

/// A first push larger than a batch: each batch is read while the one
/// before is on the server, and the versions the server gives are written
/// here in bulk. Every row must end at the version PostgreSQL holds, so a
/// booking later cancelled here (one from the first batch, one from the
/// last) travels on top of it, not as a conflict with itself.
#[test]
fn a_push_of_several_batches_leaves_every_row_at_the_servers_version() {
    use dosedesk_core::generate::{generate, GenerateParams};
    let u = unit(Postgres::start(), "batches");
    let files = u.dir.path().join("files");
    let params = GenerateParams {
        sites: 12,
        bookings: (2 * sync::BATCH_ROWS + 700) as u64,
        dose_counts: 400,
        seed: 11,
        incident: 0,
    };
    generate(&files, &params, &dosedesk_core::job::Quiet).expect("generate");
    let mut m1 = Laptop::new(u.dir.path(), "m1");
    m1.import_generated(&files);
    m1.enrol(&u.server.url(), &add_device(&u.db, "m1", "manager", &[]));
    let travelling = m1.count(
        "SELECT (SELECT count(*) FROM site) + (SELECT count(*) FROM shift)
              + (SELECT count(*) FROM appointment) + (SELECT count(*) FROM dose_count)
              + (SELECT count(*) FROM product)",
    );
    let first = m1.sync().expect("first push");
    assert_eq!(first.pushed as i64, travelling);
    assert!(first.pushed as usize > 2 * sync::BATCH_ROWS, "{first:?}");
    let central: std::collections::BTreeSet<String> = u
        ._pg
        .psql(
            &u.db,
            "SELECT tbl || '|' || id || '|' || version FROM row_state",
        )
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(central.len() as i64, travelling);
    let here = m1.lines("SELECT tbl, wire_id, version FROM sync_row");
    let unlike: Vec<_> = central.symmetric_difference(&here).take(4).collect();
    assert!(
        unlike.is_empty(),
        "{} versions here, {} on the server; some that differ: {unlike:?}",
        here.len(),
        central.len()
    );

    let (lowest, highest): (i64, i64) = m1
        .conn
        .query_row(
            "SELECT min(id), max(id) FROM appointment WHERE status = 'booked' AND dose_number = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("second doses");
    for id in [lowest, highest] {
        dosedesk_core::booking::cancel(&mut m1.conn, id, None).expect("cancel");
    }
    let second = m1.sync().expect("push the cancellations");
    assert_eq!((second.pushed, second.conflicts), (2, 0), "{second:?}");
    let ids = m1.lines(&format!(
        "SELECT booking_id FROM appointment WHERE id IN ({lowest}, {highest})"
    ));
    let quoted: Vec<String> = ids.iter().map(|b| format!("'{b}'")).collect();
    let statuses = u._pg.psql(
        &u.db,
        &format!(
            "SELECT data->>'status' FROM row_state
             WHERE tbl = 'appointment' AND data->>'booking_id' IN ({})",
            quoted.join(", ")
        ),
    );
    assert_eq!(
        statuses.lines().collect::<Vec<_>>(),
        ["cancelled", "cancelled"]
    );
}

#[test]
fn a_tally_travels_with_its_corrections_and_counts_once() {
    let u = unit(Postgres::start(), "history");
    let dir = u.dir.path();
    let mut m1 = Laptop::new(dir, "m1-data");
    for (kind, file) in fixture(dir, 9) {
        m1.import(kind, &file);
    }
    m1.enrol(&u.server.url(), &add_device(&u.db, "m1", "manager", &[]));
    m1.sync().expect("first push");
    let mut clinic = u.laptop("clinic-a", "clinic", &["AAA"]);
    clinic.sync().expect("clinic's first pull");
    // The clinic enters a tally, syncs (head office sees 10), then corrects
    // it twice.
    entry::record(&mut clinic.conn, &tally("AAA", "2021-04-05", 10), true).expect("10");
    clinic.sync().expect("clinic pushes 10");
    m1.sync().expect("head office pulls 10");
    entry::record(&mut clinic.conn, &tally("AAA", "2021-04-05", 12), true).expect("12");
    entry::record(&mut clinic.conn, &tally("AAA", "2021-04-05", 15), true).expect("15");
    clinic.sync().expect("clinic pushes the corrections");
    // A laptop enrolled afterwards never held 10 or 12, yet shows both.
    let mut m2 = u.laptop("m2", "manager", &[]);
    for l in [&mut m1, &mut m2] {
        l.sync().expect("pull the corrections");
        l.sync().expect("and again: nothing doubles");
    }
    let history = |l: &Laptop| -> Vec<String> {
        let mut stmt = l
            .conn
            .prepare(
                "SELECT h.doses || ' ' || h.source FROM dose_count_history h
                 JOIN dose_count c ON c.id = h.dose_count_id JOIN site s ON s.id = c.site_id
                 WHERE s.code = 'AAA' AND c.date = '2021-04-05' ORDER BY h.id",
            )
            .expect("history query");
        let rows = stmt.query_map([], |r| r.get(0)).expect("history");
        rows.collect::<Result<_, _>>().expect("rows")
    };
    let want = vec!["10 local".to_string(), "12 local".to_string()];
    assert_eq!(history(&clinic), want, "clinic");
    assert_eq!(history(&m1), want, "head office, which held 10");
    assert_eq!(history(&m2), want, "a laptop that never held 10 or 12");
    for l in [&clinic, &m1, &m2] {
        assert_eq!(
            l.count("SELECT administered FROM site_day d JOIN site s ON s.id = d.site_id WHERE s.code = 'AAA' AND d.date = '2021-04-05'"),
            15,
            "{}: the tally counts once, at its latest value",
            l.name
        );
    }
}

/// The province's file as published on an earlier day: its first `days`
/// report dates.
fn earlier_release(dir: &std::path::Path, days: usize) -> std::path::PathBuf {
    let real = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/demo/on_vaccine_doses.csv"),
    )
    .expect("the real provincial file");
    let text: Vec<&str> = real.lines().take(1 + days).collect();
    let path = dir.join(format!("on_vaccine_doses_{days}.csv"));
    std::fs::write(&path, text.join("\n") + "\n").expect("write release");
    path
}

fn newest_report(l: &Laptop) -> Option<String> {
    dosedesk_core::doses::series::provincial(&l.conn)
        .expect("provincial series")
        .last()
        .map(|r| r.report_date.to_string())
}

#[test]
fn products_and_the_provinces_releases_travel_to_every_laptop() {
    use dosedesk_core::import::ImportKind;
    let u = unit(Postgres::start(), "products");
    let dir = u.dir.path();
    let mut m1 = Laptop::new(dir, "m1-data");
    for (kind, file) in fixture(dir, 9) {
        m1.import(kind, &file);
    }
    // A product the unit added, and two bookings at AAA that use it: a
    // clinic laptop that lacked it could not hold them (a booking names a
    // known product).
    let products = dir.join("products.csv");
    std::fs::write(
        &products,
        "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax Nuvaxovid,21,112\n",
    )
    .expect("write products");
    m1.import(ImportKind::Products, &products);
    let bookings = dir.join("novavax.csv");
    std::fs::write(
        &bookings,
        "booking_id,person_id,birth_date,phone,site_code,slot_start,dose_number,product,status\n\
         N1,PN1,1970-02-02,613-555-1001,AAA,2021-04-05T09:00,1,NOVAVAX,booked\n\
         N2,PN2,1971-03-03,613-555-1002,AAA,2021-04-05T09:05,1,NOVAVAX,booked\n",
    )
    .expect("write bookings");
    m1.import(ImportKind::Bookings, &bookings);
    let first_release = earlier_release(dir, 60);
    m1.import(ImportKind::Provincial, &first_release);
    m1.enrol(&u.server.url(), &add_device(&u.db, "m1", "manager", &[]));
    m1.sync().expect("first push");

    let mut clinic = u.laptop("clinic-a", "clinic", &["AAA"]);
    let mut official = u.laptop("official", "official", &[]);
    assert!(m1.count("SELECT count(*) FROM provincial_day") > 50);
    for l in [&mut clinic, &mut official] {
        l.sync().expect("first pull");
        assert_eq!(
            l.count("SELECT count(*) FROM product WHERE code = 'NOVAVAX' AND min_interval_days = 21 AND max_interval_days = 112"),
            1,
            "{}: the unit's product",
            l.name
        );
        assert_eq!(l.count("SELECT count(*) FROM product"), 4, "{}", l.name);
        assert_eq!(
            l.count("SELECT count(*) FROM provincial_release"),
            1,
            "{}",
            l.name
        );
        assert_eq!(
            l.count("SELECT count(*) FROM provincial_day"),
            m1.count("SELECT count(*) FROM provincial_day"),
            "{}",
            l.name
        );
        assert_eq!(newest_report(l), newest_report(&m1), "{}", l.name);
    }
    assert_eq!(
        clinic.count("SELECT count(*) FROM appointment WHERE product = 'NOVAVAX'"),
        2
    );
    assert_eq!(official.count("SELECT count(*) FROM appointment"), 0);

    // An official brings in the province's newer file for a briefing: the
    // manager's laptop charts it too.
    let newer = earlier_release(dir, 120);
    official.import(ImportKind::Provincial, &newer);
    official.sync().expect("official pushes the newer release");
    m1.sync().expect("manager pulls it");
    assert_eq!(m1.count("SELECT count(*) FROM provincial_release"), 2);
    assert_eq!(newest_report(&m1), newest_report(&official));
    assert_ne!(newest_report(&m1), newest_report(&clinic));
    clinic.sync().expect("clinic pulls it");
    assert_eq!(newest_report(&clinic), newest_report(&official));
    // The same release, synced back and forth, is one row everywhere.
    official.sync().expect("official again");
    assert_eq!(official.count("SELECT count(*) FROM provincial_release"), 2);

    // The manager changes the product's interval: it changes everywhere.
    std::fs::write(
        &products,
        "product,name,min_interval_days,max_interval_days\nNOVAVAX,Novavax Nuvaxovid,28,112\n",
    )
    .expect("rewrite products");
    m1.import(ImportKind::Products, &products);
    m1.sync().expect("manager pushes the change");
    clinic.sync().expect("clinic pulls the change");
    assert_eq!(
        clinic.count("SELECT min_interval_days FROM product WHERE code = 'NOVAVAX'"),
        28
    );

    // Products are the manager's: a clinic laptop may not import them.
    let refused = dosedesk_core::import::import_file(
        &mut clinic.conn,
        ImportKind::Products,
        &products,
        &dosedesk_core::job::Quiet,
    )
    .expect_err("a clinic imports products");
    assert!(
        refused.to_string().contains("may not import products"),
        "{refused}"
    );
    assert_eq!(clinic.count("SELECT count(*) FROM product"), 4);
}

/// Bookings for one AAA slot, as this test counts them in plain SQL.
fn booked_at(l: &Laptop, slot: &str) -> i64 {
    l.count(&format!(
        "SELECT count(*) FROM appointment a JOIN site s ON s.id = a.site_id
         WHERE s.code = 'AAA' AND a.status = 'booked'
           AND a.slot_minute = CAST(round((julianday('{slot}') - julianday('1970-01-01')) * 1440) AS INTEGER)"
    ))
}

#[test]
fn online_laptops_never_share_the_last_place_and_offline_overbooking_is_listed() {
    let u = unit(Postgres::start(), "guard");
    let mut m1 = u.manager_with_fixture(30);
    let mut m2 = u.laptop("m2", "manager", &[]);
    let mut clinic = u.laptop("clinic-a", "clinic", &["AAA"]);
    for l in [&mut m2, &mut clinic] {
        l.sync().expect("first pull");
    }
    // AAA's afternoon shifts: 2 vaccinators at 5 minutes a dose, so 2
    // places a slot, and none booked by the fixture. Second doses go to
    // slots of their own, so only the first-dose slot is contested.
    let slot = "2021-04-02T14:00";
    assert_eq!(booked_at(&m1, slot), 0);
    let first = m2
        .book(true, "X1", "AAA", slot, "2021-04-23T13:00")
        .expect("first place");
    assert_eq!(first.central, CentralCheck::Passed);
    clinic
        .book(true, "X2", "AAA", slot, "2021-04-23T13:05")
        .expect("second place");
    // m1 has not heard of either: its own count says 2 free places, the
    // central copy says none. Refused, and nothing of it kept here.
    assert_eq!(booked_at(&m1, slot), 0);
    let refused = m1
        .book(true, "X3", "AAA", slot, "2021-04-23T13:10")
        .expect_err("the slot is full on the central copy");
    assert!(
        matches!(&refused, Error::SlotFull(m) if m.contains("AAA 2021-04-02 14:00 is full") && m.contains("2 of its 2 places")),
        "{refused}"
    );
    assert_eq!(
        m1.count("SELECT count(*) FROM person WHERE person_id = 'X3'"),
        0
    );
    assert_eq!(
        m1.count("SELECT count(*) FROM appointment WHERE person_id = 'X3'"),
        0
    );
    // A rebooking call that moves a booking there is refused the same way:
    // neither the move nor the call is kept.
    let b0 = m1.count("SELECT id FROM appointment WHERE booking_id = 'B00000'");
    let before = m1.dump();
    let refused = dosedesk_core::rebook::record(
        &mut m1.conn,
        &dosedesk_core::rebook::CallOutcome {
            appointment_id: b0,
            outcome: "reached_accepted".into(),
            to_site: Some("AAA".into()),
            to_slot: Some(slot.into()),
            note: None,
            call_back_at: None,
        },
    )
    .expect_err("the slot is full on the central copy");
    assert!(matches!(refused, Error::SlotFull(_)), "{refused}");
    assert_eq!(m1.dump(), before, "nothing of the refused move is kept");

    // Two stale laptops race for one last place at once: one gets it.
    let slot = "2021-04-02T15:00";
    m1.book(true, "Y1", "AAA", slot, "2021-04-23T14:00")
        .expect("one of two places");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| m2.book(true, "Y2", "AAA", slot, "2021-04-23T14:05"));
        let b = s.spawn(|| clinic.book(true, "Y3", "AAA", slot, "2021-04-23T14:10"));
        (a.join().expect("m2"), b.join().expect("clinic"))
    });
    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one of the racing bookings wins: {a:?} / {b:?}"
    );
    for lost in [&a, &b].into_iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(lost, Error::SlotFull(_)), "{lost}");
    }

    // The server down: a booking is kept on the laptop, and says so.
    let mut server = u.server;
    server.kill();
    let kept = m2
        .book(true, "Z0", "AAA", "2021-04-02T16:30", "2021-04-23T15:30")
        .expect("booked offline");
    assert!(
        matches!(&kept.central, CentralCheck::Unreachable(_)),
        "{:?}",
        kept.central
    );
    server.restart();

    // Offline bookings from two laptops meet at the server: 3 bookings for
    // 2 places. Nothing is dropped; every laptop lists the slot.
    let slot = "2021-04-02T16:00";
    m2.book(false, "W1", "AAA", slot, "2021-04-23T15:00")
        .expect("offline");
    m2.book(false, "W2", "AAA", slot, "2021-04-23T15:05")
        .expect("offline");
    clinic
        .book(false, "W3", "AAA", slot, "2021-04-23T15:10")
        .expect("offline");
    for _ in 0..2 {
        for l in [&mut m1, &mut m2, &mut clinic] {
            l.sync().expect("sync");
        }
    }
    for l in [&m1, &m2, &clinic] {
        assert_eq!(booked_at(l, slot), 3, "{}: no booking dropped", l.name);
        assert_eq!(booked_at(l, "2021-04-02T14:00"), 2, "{}", l.name);
        assert_eq!(booked_at(l, "2021-04-02T15:00"), 2, "{}", l.name);
        let view = sync::conflicts_view(&l.conn, false).expect("conflicts view");
        let listed: Vec<_> = view
            .overbooked
            .slots
            .iter()
            .map(|s| (s.site_code.as_str(), s.slot.as_str(), s.booked, s.places))
            .collect();
        assert_eq!(
            listed,
            vec![("AAA", slot, 3, 2)],
            "{}: the overbooked slot, and only it",
            l.name
        );
    }
}

#[test]
fn a_tally_corrected_on_two_laptops_is_a_conflict_a_manager_resolves() {
    let u = unit(Postgres::start(), "conflicts");
    let mut m1 = u.manager_with_fixture(12);
    let mut m2 = u.laptop("m2", "manager", &[]);
    let mut clinic = u.laptop("clinic-a", "clinic", &["AAA"]);
    m2.sync().expect("pull");
    clinic.sync().expect("pull");
    let day_total = |l: &Laptop| {
        l.count("SELECT coalesce(sum(d.administered), 0) FROM site_day d JOIN site s ON s.id = d.site_id WHERE s.code = 'AAA' AND d.date = '2021-04-01'")
    };
    assert_eq!(day_total(&m2), 11);

    // Both correct AAA's 2021-04-01 tally (11) on top of the same version.
    entry::record(&mut m1.conn, &tally("AAA", "2021-04-01", 50), true).expect("m1");
    entry::record(&mut clinic.conn, &tally("AAA", "2021-04-01", 60), true).expect("clinic");
    assert_eq!(m1.sync().expect("m1 first").conflicts, 0);
    let report = clinic.sync().expect("clinic second");
    assert_eq!(report.conflicts, 1);
    // The clinic holds the central value now, its own kept in the tally's
    // history and in the conflict; the day counts the tally once.
    assert_eq!(day_total(&clinic), 50);
    assert_eq!(
        clinic.count("SELECT count(*) FROM dose_count_history WHERE doses = 60"),
        1
    );
    let listed = sync::conflicts(&clinic.conn, false).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, "tally_corrected_twice");
    assert!(listed[0]
        .local_data
        .as_deref()
        .is_some_and(|d| d.contains("\"doses\":60")));
    assert!(listed[0]
        .server_data
        .as_deref()
        .is_some_and(|d| d.contains("\"doses\":50")));

    // Every laptop that may see it lists it; a clinic may not resolve it.
    m2.sync().expect("m2");
    let on_m2 = sync::conflicts(&m2.conn, false).expect("list");
    assert_eq!(on_m2.len(), 1);
    let e = sync::enrolment::require(&clinic.conn).expect("enrolled");
    let mut client = http::Client::new(&e).expect("client");
    assert!(sync::resolve(&mut clinic.conn, &mut client, listed[0].id, Keep::Local).is_err());

    // The manager keeps the clinic's value: it becomes everyone's.
    let e = sync::enrolment::require(&m2.conn).expect("enrolled");
    let mut client = http::Client::new(&e).expect("client");
    sync::resolve(&mut m2.conn, &mut client, on_m2[0].id, Keep::Local).expect("resolve");
    for l in [&mut m1, &mut m2, &mut clinic] {
        let r = l.sync().expect("after resolving");
        assert_eq!(r.conflicts, 0, "{}", l.name);
        assert_eq!(day_total(l), 60, "{}", l.name);
    }
    assert_eq!(m1.dump(), m2.dump());
    let central = u._pg.psql(
        &u.db,
        "SELECT count(*) FROM row_history WHERE tbl = 'dose_count'",
    );
    assert!(
        central.trim().parse::<i64>().expect("count") >= 2,
        "both replaced values kept: {central}"
    );
}

#[test]
fn bundles_carry_changes_once_and_refuse_tampering() {
    let u = unit(Postgres::start(), "bundles");
    let mut m1 = u.manager_with_fixture(12);
    let mut offline = u.laptop("clinic-a", "clinic", &["AAA"]);
    offline.sync().expect("pull while at head office");

    // At the clinic, no network: tallies go on a USB stick.
    entry::record(&mut offline.conn, &tally("AAA", "2021-04-06", 77), true).expect("tally");
    entry::record(&mut offline.conn, &tally("AAA", "2021-04-07", 78), true).expect("tally");
    let stick = u.dir.path().join("stick.bundle");
    let written = bundle::export(&offline.conn, &stick).expect("export");
    assert_eq!(written.rows, 2);
    // It carries people's details: its owner's only, like the store.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&stick).expect("bundle").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    // Damaged copies are refused whole, naming the file.
    let text = std::fs::read_to_string(&stick).expect("bundle");
    let cut = u.dir.path().join("cut.bundle");
    std::fs::write(&cut, &text[..text.len() * 2 / 3]).expect("write");
    let err = bundle::import(&mut m1.conn, &cut).expect_err("truncated");
    assert!(err.to_string().contains("cut.bundle"), "{err}");
    let altered = u.dir.path().join("altered.bundle");
    std::fs::write(
        &altered,
        text.replacen("\\\"doses\\\":77", "\\\"doses\\\":7", 1),
    )
    .expect("write");
    let err = bundle::import(&mut m1.conn, &altered).expect_err("altered");
    assert!(err.to_string().contains("checksum does not match"), "{err}");
    assert_eq!(
        m1.count("SELECT count(*) FROM sync_outbox"),
        0,
        "nothing half-imported"
    );

    // Imported twice, forwarded once.
    let first = bundle::import(&mut m1.conn, &stick).expect("import");
    assert_eq!((first.batches, first.already_here), (1, 0));
    let second = bundle::import(&mut m1.conn, &stick).expect("import again");
    assert_eq!((second.batches, second.already_here), (1, 1));
    let r = m1.sync().expect("forward");
    assert_eq!(r.forwarded, 1);
    let day = |l: &Laptop, date: &str| {
        l.count(&format!("SELECT coalesce(sum(doses), 0) FROM dose_count c JOIN site s ON s.id = c.site_id WHERE s.code = 'AAA' AND c.date = '{date}'"))
    };
    assert_eq!(day(&m1, "2021-04-06"), 77);
    // The same stick carried in again changes nothing.
    bundle::import(&mut m1.conn, &stick).expect("third import");
    m1.sync().expect("forward again");
    let versions = u._pg.psql(
        &u.db,
        "SELECT count(*) FROM row_history WHERE tbl = 'dose_count'",
    );
    assert_eq!(versions.trim(), "0", "no tally was replaced by a replay");
    // When the clinic laptop later syncs online, its changes are already there.
    let r = offline.sync().expect("online at last");
    assert_eq!(r.conflicts, 0);
    assert_eq!(
        offline.dump(),
        m1.dump().restricted(Role::Clinic, &["AAA".to_string()])
    );

    // A batch altered, given a new id and a matching checksum by someone
    // without the laptop's credential: the laptop takes the file in, the
    // server refuses the batch (its signature), and nothing changes.
    let batch_id = text
        .split("\"batch_id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a batch id")
        .to_string();
    let forged = text
        .replacen("\\\"doses\\\":77", "\\\"doses\\\":99", 1)
        .replace(&batch_id, "forgedbatch0000000000000000000001");
    let body_end = forged.trim_end_matches('\n').rfind('\n').expect("trailer") + 1;
    let forged = format!(
        "{}{{\"sha256\":\"{}\"}}\n",
        &forged[..body_end],
        bundle_sha256(&forged[..body_end])
    );
    let forged_path = u.dir.path().join("forged.bundle");
    std::fs::write(&forged_path, forged).expect("write");
    let imported = bundle::import(&mut m1.conn, &forged_path).expect("checksum matches");
    assert_eq!((imported.batches, imported.already_here), (1, 0));
    let r = m1.sync().expect("sync goes on");
    assert_eq!(r.forwarded, 0);
    assert_eq!(r.refused_bundles.len(), 1, "{r:?}");
    assert!(
        r.refused_bundles[0].contains("does not match its signature"),
        "{r:?}"
    );
    assert_eq!(day(&m1, "2021-04-06"), 77);
    assert_eq!(
        m1.count("SELECT count(*) FROM sync_outbox"),
        0,
        "set aside, not retried forever"
    );
}

fn bundle_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_server_speaks_tls_and_will_not_serve_the_network_in_clear() {
    let pg = Postgres::start();
    let db = pg.database("tls");
    admin(&db, &["migrate"]);
    // Refused: a non-loopback address without TLS.
    let out = std::process::Command::new(support::server_exe())
        .args(["--database-url", &db, "serve", "--listen", "0.0.0.0:0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("refusing to serve 0.0.0.0:0 without TLS"),
        "{said}"
    );

    // HTTPS with the unit's own certificate authority.
    let dir = tempfile::tempdir().expect("dir");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    std::fs::write(&cert, made.cert.pem()).expect("cert");
    std::fs::write(&key, made.key_pair.serialize_pem()).expect("key");
    let server = Server::start_with(&db, Some((cert.clone(), key)));
    assert!(server.url().starts_with("https://localhost:"));
    let token = add_device(&db, "m1", "manager", &[]);
    // Without the unit's authority the laptop does not trust the server.
    let untrusted = http::enrol(&server.url(), &token, None).expect_err("unknown authority");
    assert!(matches!(untrusted, Error::Sync(_)), "{untrusted}");
    assert!(untrusted.to_string().contains("--ca-cert"), "{untrusted}");
    let ca = std::fs::read_to_string(&cert).expect("pem");
    let e = http::enrol(&server.url(), &token, Some(&ca)).expect("enrol over TLS");
    let mut m1 = Laptop::new(dir.path(), "m1");
    for (kind, file) in fixture(dir.path(), 6) {
        m1.import(kind, &file);
    }
    sync::enrolment::save(&mut m1.conn, &e).expect("save");
    let r = m1.sync().expect("sync over TLS");
    assert_eq!(r.pushed, 3 + 3 + 84 + 6 + 9 + 1);
}

/// Pulls one row a page until the booking it watches for has come, then
/// lets `meanwhile` change things on the server, then pulls the rest in one
/// page. It sends no sites ahead of a first pull (as an older server): a
/// row at a site edited after it then waits for the site.
struct Midway<F: FnMut() + Send> {
    inner: http::Client,
    watched: String,
    meanwhile: Option<F>,
}

impl<F: FnMut() + Send> sync::Transport for Midway<F> {
    fn push(&mut self, b: &wire::PushBatch) -> dosedesk_core::Result<wire::PushReply> {
        self.inner.push(b)
    }
    fn book(&mut self, b: &wire::PushBatch) -> dosedesk_core::Result<wire::PushReply> {
        self.inner.book(b)
    }
    fn forward(&mut self, d: &str, b: &str, s: &str) -> dosedesk_core::Result<wire::PushReply> {
        self.inner.forward(d, b, s)
    }
    fn pull(
        &mut self,
        cursor: i64,
        limit: usize,
        only: Option<wire::Table>,
    ) -> dosedesk_core::Result<wire::PullPage> {
        if only.is_some() {
            return Ok(wire::PullPage {
                rows: Vec::new(),
                cursor,
                more: false,
            });
        }
        let Some(meanwhile) = self.meanwhile.as_mut() else {
            return self.inner.pull(cursor, limit, only);
        };
        let page = self.inner.pull(cursor, 1, only)?;
        let watched = page
            .rows
            .iter()
            .any(|r| r.table == wire::Table::Appointment && r.data.get().contains(&self.watched));
        if watched {
            meanwhile();
            self.meanwhile = None;
        }
        Ok(page)
    }
    fn conflicts(&mut self) -> dosedesk_core::Result<Vec<wire::Conflict>> {
        self.inner.conflicts()
    }
    fn resolve(
        &mut self,
        id: i64,
        keep: Keep,
        v: Option<serde_json::Value>,
    ) -> dosedesk_core::Result<()> {
        self.inner.resolve(id, keep, v)
    }
}

/// A booking pulled before its site (the site was renamed after it was
/// booked) waits for the site; if the booking is cancelled while the pull
/// runs, the cancellation comes in a later page, and the booking as it was
/// must not be applied over it when the site arrives.
#[test]
fn a_row_that_waited_for_its_site_never_lands_over_its_newer_value() {
    let u = unit(Postgres::start(), "waiting");
    let mut m1 = u.manager_with_aaa_renamed();
    // B00000 is booked at AAA (the fixture's first booking).
    let cancel_it = || {
        let id = m1.count("SELECT id FROM appointment WHERE booking_id = 'B00000'");
        dosedesk_core::booking::cancel(&mut m1.conn, id, None).expect("cancel");
        assert_eq!(m1.sync().expect("push the cancellation").pushed, 1);
    };
    let mut m2 = u.laptop("m2", "manager", &[]);
    let e = sync::enrolment::require(&m2.conn).expect("enrolled");
    let mut midway = Midway {
        inner: http::Client::new(&e).expect("client"),
        watched: "B00000".into(),
        meanwhile: Some(cancel_it),
    };
    let report = sync::sync(&mut m2.conn, &mut midway).expect("m2's first sync");
    assert!(midway.meanwhile.is_none(), "the booking was never pulled");
    assert!(report.waited > 0, "nothing waited for its site: {report:?}");
    drop(midway);
    let status = |l: &Laptop| l.lines("SELECT status FROM appointment WHERE booking_id = 'B00000'");
    assert_eq!(status(&m1), ["cancelled".to_string()].into());
    assert_eq!(status(&m2), status(&m1));
    let (here, there) = (m2.dump(), m1.dump());
    assert!(here == there, "{}", here.diff(&there));
    // Nothing is left for a later sync to mend: it pulls nothing.
    assert_eq!(m2.sync().expect("second sync").pulled, 0);
    assert_eq!(status(&m2), status(&m1));
}

/// A call recorded before its booking last changed comes before the
/// booking in the server's order: a new laptop's first pull must hold the
/// call until the booking has come, and then apply it.
#[test]
fn a_call_pulled_before_its_booking_waits_for_it() {
    let u = unit(Postgres::start(), "call_first");
    let mut m1 = u.manager_with_fixture(6);
    let booking = m1.count("SELECT id FROM appointment WHERE booking_id = 'B00001'");
    dosedesk_core::rebook::record(
        &mut m1.conn,
        &dosedesk_core::rebook::CallOutcome {
            appointment_id: booking,
            outcome: "unreachable".into(),
            to_site: None,
            to_slot: None,
            note: Some("no answer".into()),
            call_back_at: None,
        },
    )
    .expect("call");
    assert_eq!(m1.sync().expect("push the call").pushed, 1);
    dosedesk_core::booking::cancel(&mut m1.conn, booking, None).expect("cancel");
    assert_eq!(m1.sync().expect("push the cancellation").pushed, 1);
    // The precondition: on the server, the call is older than its booking
    // and no site changed after the call.
    let order = u._pg.psql(
        &u.db,
        "SELECT string_agg(tbl, ',' ORDER BY version) FROM row_state
         WHERE version >= (SELECT version FROM row_state WHERE tbl = 'contact_attempt')",
    );
    assert_eq!(order.trim(), "contact_attempt,appointment");

    let mut m2 = u.laptop("m2", "manager", &[]);
    let report = m2
        .sync()
        .expect("m2's first pull applies the call after its booking");
    assert_eq!(report.waited, 1, "the call waits for its booking");
    let calls = |l: &Laptop| l.dump().calls;
    assert!(
        calls(&m2)
            .iter()
            .any(|c| c.contains("|B00001|unreachable|no answer")),
        "{:?}",
        calls(&m2)
    );
    let (here, there) = (m2.dump(), m1.dump());
    assert!(here == there, "{}", here.diff(&there));
}

/// A first pull takes the sites ahead of everything else: a site edited
/// after its bookings, shifts and tallies comes last in the server's order,
/// and without that every row at it waited (in memory) until it came.
#[test]
fn a_first_pull_takes_the_sites_first_so_no_row_waits_for_its_site() {
    let u = unit(Postgres::start(), "sites_first");
    let m1 = u.manager_with_aaa_renamed();
    let at_aaa = m1.count(
        "SELECT (SELECT count(*) FROM appointment a JOIN site s ON s.id = a.site_id WHERE s.code = 'AAA')
              + (SELECT count(*) FROM shift h JOIN site s ON s.id = h.site_id WHERE s.code = 'AAA')",
    );
    assert!(at_aaa > 0, "the fixture has rows at AAA");

    let mut m2 = u.laptop("m2", "manager", &[]);
    let report = m2.sync().expect("m2's first pull");
    assert_eq!(report.waited, 0, "{report:?}");
    let (here, there) = (m2.dump(), m1.dump());
    assert!(here == there, "{}", here.diff(&there));
    assert_eq!(m2.sync().expect("second sync").pulled, 0);

    // The same pull from a server that sends no sites ahead: every row at
    // AAA waits, and the store ends the same.
    let mut m3 = u.laptop("m3", "manager", &[]);
    let e = sync::enrolment::require(&m3.conn).expect("enrolled");
    let mut no_sites_first = Midway::<fn()> {
        inner: http::Client::new(&e).expect("client"),
        watched: String::new(),
        meanwhile: None,
    };
    let report = sync::sync(&mut m3.conn, &mut no_sites_first).expect("m3's first pull");
    assert!(
        report.waited as i64 >= at_aaa,
        "{report:?}, {at_aaa} rows at AAA"
    );
    assert!(m3.dump() == there, "{}", m3.dump().diff(&there));
}

#[test]
fn a_pull_of_one_table_sends_its_rows_alone_and_an_unknown_table_is_refused() {
    use dosedesk_core::sync::Transport;
    let u = unit(Postgres::start(), "one_table");
    let m1 = u.manager_with_fixture(6);
    let sites = m1.count("SELECT count(*) FROM site");
    assert!(sites > 1, "the fixture has sites");

    let m2 = u.laptop("m2", "manager", &[]);
    let e = sync::enrolment::require(&m2.conn).expect("enrolled");
    let page = http::Client::new(&e)
        .expect("client")
        .pull(0, 10_000, Some(wire::Table::Site))
        .expect("pull the sites");
    assert!(!page.more, "one page holds them");
    let not_sites: Vec<_> = page
        .rows
        .iter()
        .filter(|r| r.table != wire::Table::Site)
        .collect();
    assert!(not_sites.is_empty(), "{not_sites:?}");
    assert_eq!(page.rows.len() as i64, sites);

    // A name the server does not know, as a client of another version
    // might send: refused in words, not answered with every table.
    let (status, body) = raw_get(
        &u.server.url(),
        "/v1/pull?cursor=0&limit=10&table=sitez",
        &e.secret,
    );
    assert_eq!(status, 400, "{body}");
    let error: wire::WireError = serde_json::from_str(&body).expect("a {code, message} reply");
    assert!(error.message.contains("\"sitez\""), "{body}");
}

/// One plain-HTTP GET on the loopback, by hand: its status and body.
fn raw_get(base: &str, path: &str, secret: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {secret}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read");
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}
