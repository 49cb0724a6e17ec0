//! Managers edit the schedule in the real app: a shift changed, a shift
//! cancelled (asked once more with its bookings counted; its bookings then
//! on the rebooking desk) and a shift added.

use dosedesk_e2e::{demo_db, App, TestResult};
use rusqlite::Connection;

/// A shift and what it holds.
struct Picked {
    id: i64,
    site: String,
    date: String,
    /// Its bookings booked and not yet attended (the desk's to move).
    booked: Vec<i64>,
    /// Its active bookings (booked or attended).
    active: i64,
}

/// The demo week's shift (from the app's today, 22 March 2021) with the
/// fewest bookings, at least one booked and not yet attended.
fn smallest_booked_shift(conn: &Connection) -> TestResult<Picked> {
    let (id, site, date, start, end): (i64, String, String, String, String) = conn.query_row(
        "SELECT h.id, s.code, h.date, h.start, h.end FROM shift h JOIN site s ON s.id = h.site_id
         WHERE h.date BETWEEN '2021-03-22' AND '2021-03-28'
           AND (SELECT count(*) FROM appointment a WHERE a.site_id = h.site_id AND a.status = 'booked'
                AND strftime('%Y-%m-%d', a.slot_minute * 60, 'unixepoch') = h.date
                AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') >= h.start
                AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') < h.end) > 0
         ORDER BY (SELECT count(*) FROM appointment a WHERE a.site_id = h.site_id
                AND strftime('%Y-%m-%d', a.slot_minute * 60, 'unixepoch') = h.date
                AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') >= h.start
                AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') < h.end), h.id
         LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let in_hours = "FROM appointment a JOIN site s ON s.id = a.site_id WHERE s.code = ?1
         AND strftime('%Y-%m-%d', a.slot_minute * 60, 'unixepoch') = ?2
         AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') >= ?3
         AND strftime('%H:%M', a.slot_minute * 60, 'unixepoch') < ?4";
    let booked: Vec<i64> = conn
        .prepare(&format!(
            "SELECT a.id {in_hours} AND a.status = 'booked' ORDER BY a.id"
        ))?
        .query_map([&site, &date, &start, &end], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let active: i64 = conn.query_row(
        &format!("SELECT count(*) {in_hours} AND a.status IN ('booked', 'attended')"),
        [&site, &date, &start, &end],
        |r| r.get(0),
    )?;
    Ok(Picked {
        id,
        site,
        date,
        booked,
        active,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shift_is_changed_cancelled_to_the_desk_and_added() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let Picked {
        id,
        site,
        date,
        booked,
        active,
    } = smallest_booked_shift(&dosedesk_core::store::open(&db)?)?;
    let app = App::launch(&db).await?;
    let result = async {
        app.find("table.schedule").await?;
        app.find(&format!("#site-filter option[value='{site}']"))
            .await?;
        app.select("#site-filter", &site).await?;
        let shift = format!(".shift[data-id='{id}']");
        app.find(&shift).await?;

        // A shift opens its site-day's bookings, slot by slot.
        app.click(&format!("{shift} .shift-bookings")).await?;
        app.find("#day-result tr[data-slot]").await?;
        let slots = app.attrs("#day-result tr[data-slot]", "data-slot").await?;
        assert!(slots.iter().all(|s| s.starts_with(&date)), "{slots:?}");
        app.click("#nav-schedule").await?;
        app.find(&format!("#site-filter option[value='{site}']"))
            .await?;
        app.select("#site-filter", &site).await?;
        app.find(&shift).await?;

        // Change: 2 vaccinators more.
        app.click(&format!("{shift} .edit-shift")).await?;
        let vaccinators: i64 = app
            .value(&format!("{shift} .shift-vaccinators"))
            .await?
            .parse()?;
        app.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![
                    serde_json::json!(format!("{shift} .shift-vaccinators")),
                    serde_json::json!((vaccinators + 2).to_string()),
                ],
            )
            .await?;
        app.click(&format!("{shift} .save-shift")).await?;
        app.wait_text("#notice", "Shift changed").await?;
        let staffed: i64 = dosedesk_core::store::open(&db)?.query_row(
            "SELECT vaccinators FROM shift WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        assert_eq!(staffed, vaccinators + 2);

        // Cancel: asked once more, with its bookings counted.
        app.click(&format!("{shift} .edit-shift")).await?;
        app.click(&format!("{shift} .cancel-shift")).await?;
        let ask = app.wait_text(&format!("{shift} .ask"), "holds").await?;
        assert!(ask.contains(&format!("holds {active} bookings")), "{ask}");
        app.screenshot("schedule-cancel-ask").await?;
        app.click(&format!("{shift} .confirm-cancel")).await?;
        app.find(&format!(".shift[data-id='{id}'][data-cancelled='true']"))
            .await?;
        app.wait_text("#notice", "Shift cancelled").await?;
        app.screenshot("schedule-cancelled").await?;
        // Its bookings are the desk's now.
        app.click("#schedule-to-desk").await?;
        app.find("#rebook-table").await?;
        // A code the desk does not list is said, not searched for.
        app.type_into("#rebook-site", "ZZZ9\u{E007}").await?;
        app.find("#rebook-site:invalid").await?;
        // Said in words (WebKitGTK shows no bubble for a field).
        app.wait_text("#error-message", "Nobody to move at “ZZZ9”")
            .await?;
        app.screenshot("rebook-site-not-listed").await?;
        // And in French.
        app.select("#lang-select", "fr").await?;
        app.wait_text("h1", "Réaffectation des rendez-vous").await?;
        app.type_into("#rebook-site", "ZZZ9\u{E007}").await?;
        app.wait_text("#error-message", "Personne à déplacer à « ZZZ9 »")
            .await?;
        app.screenshot("rebook-site-not-listed-fr").await?;
        app.select("#lang-select", "en").await?;
        app.wait_text("h1", "Rebooking desk").await?;
        app.set_value("#rebook-site", "").await?;
        // The site is typed, in any case (suggested among the desk's
        // sites), then Enter.
        app.type_into("#rebook-site", &site.to_lowercase()).await?;
        app.find(&format!("#rebook-site-choices option[value='{site}']"))
            .await?;
        app.type_into("#rebook-site", "\u{E007}").await?;
        assert_eq!(app.value("#rebook-site").await?, site);
        app.find(&format!("#rebook-date option[value='{date}']"))
            .await?;
        app.select("#rebook-date", &date).await?;
        // Once the page is the filtered one: every row at that site and day.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let total: usize = loop {
            let sites = app
                .attrs("#rebook-table tbody tr[data-appointment]", "data-site")
                .await?;
            let dates = app
                .attrs("#rebook-table tbody tr[data-appointment]", "data-date")
                .await?;
            let total = app.attrs("#rebook-showing", "data-total").await?;
            if !sites.is_empty()
                && sites.iter().all(|s| *s == site)
                && dates.iter().all(|d| *d == date)
            {
                if let Some(n) = total.first().and_then(|v| v.parse().ok()) {
                    break n;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the desk never showed {site} on {date}: {sites:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert!(
            total >= booked.len(),
            "{total} on the desk, {} booked",
            booked.len()
        );
        if total <= 100 {
            // Every booking on the one page, once the desk has drawn it whole.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let listed = app.desk_attrs("tbody tr", "data-appointment").await?;
                let missing: Vec<_> = booked
                    .iter()
                    .filter(|b| !listed.contains(&b.to_string()))
                    .collect();
                if missing.is_empty() {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "bookings {missing:?} are not on the desk: {listed:?}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }

        // Add: an evening shift the day after.
        app.click("#nav-schedule").await?;
        app.find(&format!("#site-filter option[value='{site}']"))
            .await?;
        app.select("#site-filter", &site).await?;
        let next_day = dosedesk_core::time::parse_date(&date)
            .ok_or("date")?
            .succ_opt()
            .ok_or("day")?
            .to_string();
        let cell = format!("tr.site[data-site='{site}'] td[data-date='{next_day}']");
        if next_day.as_str() <= "2021-03-28" {
            app.click(&format!("{cell} .add-shift")).await?;
            let editor = format!("{cell} .shift-editor");
            app.client
                .execute(
                    "const f = document.querySelector(arguments[0]).querySelectorAll('input');
                     f[0].value = '18:00'; f[1].value = '20:30'; f[2].value = '3';",
                    vec![serde_json::json!(editor)],
                )
                .await?;
            app.click(&format!("{editor} .save-shift")).await?;
            app.find(&format!("{cell} .shift[data-start='18:00']"))
                .await?;
        }
        TestResult::Ok(next_day)
    }
    .await;
    app.close().await?;
    let next_day = result?;
    let conn = dosedesk_core::store::open(&db)?;
    let (vaccinators, capacity): (i64, Option<i64>) = conn.query_row(
        "SELECT vaccinators, capacity FROM shift WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(
        (vaccinators, capacity),
        (0, Some(0)),
        "cancelled: no capacity"
    );
    if next_day.as_str() <= "2021-03-28" {
        let added: (String, i64, String) = conn.query_row(
            "SELECT h.end, h.vaccinators, h.source FROM shift h JOIN site s ON s.id = h.site_id
             WHERE s.code = ?1 AND h.date = ?2 AND h.start = '18:00'",
            [&site, &next_day],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        assert_eq!(added, ("20:30".to_string(), 3, "local".to_string()));
    }
    // Every edit is in the audit log.
    let actions: Vec<String> = conn
        .prepare("SELECT action FROM audit_log WHERE action LIKE 'shift_%' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // The unconfirmed cancel is logged as a refusal.
    let mut want = vec!["shift_change", "shift_cancel_refused", "shift_cancel"];
    if next_day.as_str() <= "2021-03-28" {
        want.push("shift_add");
    }
    assert_eq!(actions, want);
    Ok(())
}
