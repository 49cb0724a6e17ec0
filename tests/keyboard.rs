//! Keyboard only: the journeys staff make, with Tab, Shift+Tab, arrows,
//! Enter and Escape alone — every view reached from the menu, a first dose
//! booked, the import dialog opened, tabbed through and closed. Focus is
//! checked after every key: on something, and visibly so.
//!
//! Keys travel as WebDriver key actions, so they go where focus is, as a
//! keyboard's do (no element is clicked or given keys directly).

use dosedesk_e2e::{demo_db, slot_use, App, TestResult, MENU};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use std::time::{Duration, Instant};

const TAB: char = '\u{E004}';
const SHIFT: char = '\u{E008}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';
const DOWN: char = '\u{E015}';

/// Presses `key` (with Shift held when `shift`), then waits a moment for
/// the page to act on it.
async fn press(app: &App, key: char, shift: bool) -> TestResult {
    let mut keys = KeyActions::new("keyboard".into());
    if shift {
        keys = keys.then(KeyAction::Down { value: SHIFT });
    }
    keys = keys
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    if shift {
        keys = keys.then(KeyAction::Up { value: SHIFT });
    }
    app.client.perform_actions(keys).await?;
    tokio::time::sleep(Duration::from_millis(40)).await;
    Ok(())
}

/// Types `text` where focus is, one key at a time.
async fn type_text(app: &App, text: &str) -> TestResult {
    let mut keys = KeyActions::new("keyboard".into());
    for c in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    app.client.perform_actions(keys).await?;
    Ok(())
}

/// What has focus, and whether it shows: "" when focus is on an element
/// that draws a focus ring, else why not.
async fn focus_problem(app: &App) -> TestResult<String> {
    let said = app
        .client
        .execute(
            "const a = document.activeElement;
             if (!a || a === document.body || a === document.documentElement) return 'focus is on nothing';
             const s = getComputedStyle(a);
             const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
             const r = a.getBoundingClientRect();
             const name = a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + (a.className ? '.' + String(a.className).split(' ').join('.') : '');
             if (!ring) return name + ' has focus but no visible focus indicator';
             if (r.width === 0 || r.height === 0) return name + ' has focus but is not shown';
             return '';",
            vec![],
        )
        .await?;
    Ok(said.as_str().unwrap_or_default().to_owned())
}

/// Moves focus with Tab (or Shift+Tab when the target comes earlier in
/// the page) until `css` has it; every stop on the way must show focus.
async fn tab_to(app: &App, css: &str) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut presses = 0;
    loop {
        let whereabouts = app
            .client
            .execute(
                "const t = document.querySelector(arguments[0]);
                 const a = document.activeElement;
                 if (!t) return 'missing';
                 if (t === a) return 'here';
                 if (!a || a === document.body) return 'forward';
                 return (a.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) ? 'forward' : 'back';",
                vec![serde_json::json!(css)],
            )
            .await?;
        match whereabouts.as_str() {
            Some("here") => return Ok(()),
            Some("missing") => tokio::time::sleep(Duration::from_millis(100)).await,
            Some(way) => {
                press(app, TAB, way == "back").await?;
                presses += 1;
                let problem = focus_problem(app).await?;
                if !problem.is_empty() {
                    return Err(format!("tabbing to {css}: {problem}").into());
                }
            }
            None => return Err(format!("tabbing to {css}: {whereabouts}").into()),
        }
        if presses > 120 || Instant::now() > deadline {
            return Err(format!("{css} never took focus after {presses} Tab presses").into());
        }
    }
}

/// Chooses `value` in the focused select with the Down arrow.
async fn arrow_to(app: &App, css: &str, value: &str) -> TestResult {
    tab_to(app, css).await?;
    for _ in 0..50 {
        if app.value(css).await? == value {
            return Ok(());
        }
        press(app, DOWN, false).await?;
    }
    Err(format!("the Down arrow never chose {value} in {css}").into())
}

async fn active_id(app: &App) -> TestResult<String> {
    let id = app
        .client
        .execute("return document.activeElement?.id ?? '';", vec![])
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

/// Opens a view from the menu with the keyboard.
async fn open_view(app: &App, view: &str) -> TestResult {
    tab_to(app, &format!("#nav-{view}")).await?;
    press(app, ENTER, false).await?;
    app.find(&format!(".view-root[data-painted='{view}']"))
        .await?;
    Ok(())
}

/// After a failure: a screenshot (with `DOSEDESK_SCREENSHOTS`), and what
/// the page said, where focus was and what each field of the view held.
async fn explain_failure(app: &App, name: &str) {
    app.screenshot(name).await.ok();
    if let Ok(page) = app
        .client
        .execute(
            "return [document.getElementById('error-message')?.innerText,
                     document.activeElement?.outerHTML?.slice(0, 200),
                     ...[...document.querySelectorAll('#view input, #view select')].map((e) => e.id + '=' + e.value)];",
            vec![],
        )
        .await
    {
        eprintln!("the page when the test failed: {page}");
    }
}

/// A slot the demo has filled.
const FULL: &str = "2021-03-26T09:05";

#[tokio::test(flavor = "multi_thread")]
async fn staff_reach_every_view_and_book_with_the_keyboard_alone() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let (capacity, booked) = slot_use(&db, "RFC", FULL)?;
    assert!(
        booked >= capacity,
        "RFC {FULL} is full: {booked} of {capacity}"
    );
    let app = App::launch(&db).await?;
    let result = async {
        app.find(".view-root[data-painted='schedule']").await?;

        // Every view, from the menu (the schedule last: it is open first).
        for view in MENU.iter().skip(1).chain(&MENU[..1]) {
            open_view(&app, view).await?;
        }

        // The import dialog: Enter opens it with focus inside; Tab stays
        // inside; Escape closes it and gives focus back to the button.
        tab_to(&app, "#import-button").await?;
        press(&app, ENTER, false).await?;
        app.find("#import-dialog[open]").await?;
        for _ in 0..6 {
            let inside = app
                .client
                .execute(
                    "return document.getElementById('import-dialog').contains(document.activeElement);",
                    vec![],
                )
                .await?;
            assert_eq!(inside, serde_json::json!(true), "focus left the open dialog");
            assert_eq!(focus_problem(&app).await?, "");
            press(&app, TAB, false).await?;
        }
        press(&app, ESCAPE, false).await?;
        app.find("#import-dialog:not([open])").await?;
        assert_eq!(active_id(&app).await?, "import-button", "focus came back");

        // A first dose, asked for at a full slot, booked at the nearest free one.
        open_view(&app, "book").await?;
        app.find("#book-site[data-loaded]").await?;
        tab_to(&app, "#book-person").await?;
        type_text(&app, "KB-0001").await?;
        tab_to(&app, "#book-birth").await?;
        type_text(&app, "1941-06-30").await?;
        tab_to(&app, "#book-given").await?;
        type_text(&app, "Keyboard").await?;
        tab_to(&app, "#book-family").await?;
        type_text(&app, "Only").await?;
        arrow_to(&app, "#book-site", "RFC").await?;
        tab_to(&app, "#book-slot-date").await?;
        // Tabbing into a text field selects its text: typing replaces it.
        type_text(&app, &FULL[..10]).await?;
        tab_to(&app, "#book-slot-time").await?;
        type_text(&app, &FULL[11..]).await?;
        tab_to(&app, "#book-submit").await?;
        app.screenshot("keyboard-focus-on-book").await?;
        press(&app, ENTER, false).await?;
        // The slot is full: the nearest free ones are offered; the first is
        // taken with Enter, which leaves focus on Book for the next Enter.
        app.wait_text("#error-message", "is full").await?;
        tab_to(&app, "#book-nearest .nearest-slot").await?;
        let offered = app.attrs("#book-nearest .nearest-slot", "data-slot").await?;
        press(&app, ENTER, false).await?;
        assert_eq!(active_id(&app).await?, "book-submit");
        press(&app, ENTER, false).await?;
        let booked = app.wait_text("#book-result", "dose 2 reserved").await?;
        assert!(booked.contains("KB-0001"), "{booked}");
        assert_eq!(app.attrs("#book-result", "data-first").await?, offered[..1]);
        TestResult::Ok(())
    }
    .await;
    if result.is_err() {
        explain_failure(&app, "keyboard-view-book-failed").await;
    }
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tally_a_call_and_a_briefing_with_the_keyboard_alone() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = demo_db(dir.path());
    let app = App::launch(&db).await?;
    let result = async {
        app.find(".view-root[data-painted='schedule']").await?;

        // A tally: Nepean Sportsplex, Monday 22 March, the evening shift.
        open_view(&app, "tallies").await?;
        app.find("#tally-site option[value='NSP']").await?;
        arrow_to(&app, "#tally-site", "NSP").await?;
        tab_to(&app, "#tally-date").await?;
        type_text(&app, "2021-03-22").await?;
        press(&app, TAB, false).await?;
        app.wait_text("#tally-shift", "15:00–19:00").await?;
        arrow_to(&app, "#tally-shift", "15:00–19:00").await?;
        tab_to(&app, "#tally-doses").await?;
        type_text(&app, "123").await?;
        press(&app, ENTER, false).await?;
        app.wait_text("#tally-table", "123").await?;

        // A call: the first person on the rebooking desk could not be reached.
        open_view(&app, "rebook").await?;
        let row = "#rebook-table tbody tr:first-child";
        app.find(&format!("{row}[data-appointment]")).await?;
        let attempts = app
            .attrs(&format!("{row} td.calls"), "data-attempts")
            .await?;
        assert_eq!(attempts, [""], "no call recorded yet");
        tab_to(&app, &format!("{row} button[data-outcome='unreachable']")).await?;
        press(&app, ENTER, false).await?;
        app.wait_attrs(
            &format!("{row} td.calls"),
            "data-attempts",
            &["1".to_string()],
        )
        .await?;
        assert_eq!(
            app.attrs(
                &format!("{row} button[aria-pressed='true']"),
                "data-outcome"
            )
            .await?,
            ["unreachable"]
        );

        // A briefing in French, saved as PDF (the save dialog is answered
        // for the test: WebDriver cannot reach a native dialog).
        open_view(&app, "dashboard").await?;
        arrow_to(&app, "#brief-lang", "fr").await?;
        let pdf = dir.path().join("note.pdf");
        app.save_file_next(&pdf).await?;
        tab_to(&app, "#brief-pdf").await?;
        press(&app, ENTER, false).await?;
        app.wait_text("#notice", "note.pdf").await?;
        assert_eq!(&std::fs::read(&pdf)?[..5], b"%PDF-");
        TestResult::Ok(())
    }
    .await;
    if result.is_err() {
        explain_failure(&app, "keyboard-tally-call-briefing-failed").await;
    }
    app.close().await?;
    result
}
