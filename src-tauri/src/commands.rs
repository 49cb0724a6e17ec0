//! IPC commands. Each borrows a connection of the app's store off the main
//! thread and calls core.

use crate::file_picks::Purpose;
use crate::{AppState, Job};
use dosedesk_core::import::{ImportKind, ImportReport, Progress, Stage};
use dosedesk_core::schedule::{WeekQuery, WeekSchedule};
use dosedesk_core::{clock, store, Connection, Error, Result};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

fn background_failed(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("background task failed: {e}"))
}

/// Runs `job` on a blocking thread with one of the store's view connections
/// (the small page cache), checked out there and returned when it is done.
pub(crate) async fn with_db<T, F>(state: &AppState, job: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
{
    let store = state.store.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut conn = store.view()?;
        job(&mut conn)
    })
    .await
    .map_err(background_failed)?
}

/// `with_db` for a job the person watches and may cancel: a planner's
/// solve. The job is registered (its id sent first) before it starts.
pub(crate) async fn with_db_job<T, F>(
    state: &AppState,
    channel: Channel<JobProgress>,
    job: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection, &dyn Progress) -> Result<T> + Send + 'static,
{
    let progress = start_job(state, channel);
    with_db(state, move |conn| job(conn, &progress)).await
}

/// Runs a long job on a blocking thread with the store's bulk connection
/// (the large page cache), once any job before it has finished with it.
async fn with_bulk<T, F>(state: &AppState, progress: ChannelProgress, job: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection, &ChannelProgress) -> Result<T> + Send + 'static,
{
    let store = state.store.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut conn = store.bulk(progress.job.token())?;
        job(&mut conn, &progress)
    })
    .await
    .map_err(background_failed)?
}

/// Signs in to an encrypted store (the sign-in screen): the data key is
/// unwrapped with the user's passphrase, then the store opened with it.
#[tauri::command]
pub async fn unlock_store(
    state: State<'_, AppState>,
    user: String,
    passphrase: String,
) -> Result<()> {
    let path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        store::encryption::unlock(&path, &user, &passphrase)?;
        // A connection of its own, outside the pool: a key holder who is
        // not an enabled user leaves no keyed connection behind.
        let conn = store::open_for_use(&path)?;
        dosedesk_core::users::sign_in_logged(&conn, &path, &user, "app")
            .inspect_err(|_| store::encryption::forget(&path))?;
        Ok(())
    })
    .await
    .map_err(background_failed)?
}

/// Makes the store encrypted under its first manager: a store not made
/// yet is created; a plain one is encrypted in place (copied, compared row
/// by row, then swapped in). The manager is then signed in.
#[tauri::command]
pub async fn set_up_store(
    state: State<'_, AppState>,
    user: String,
    passphrase: String,
) -> Result<Option<store::encryption::Conversion>> {
    let path = state.db_path.clone();
    let store = state.store.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        let user = user.trim();
        if user.is_empty() {
            return Err(Error::InvalidInput("name the store's first manager".into()));
        }
        store.close_all(); // nothing may hold the plain file while it is swapped
        let conversion = store::encryption::set_up(&path, user, &passphrase)?;
        let conn = store::open_for_use(&path)?;
        dosedesk_core::users::sign_in_logged(&conn, &path, user, "app")?;
        Ok(conversion)
    })
    .await
    .map_err(background_failed)?
}

/// The account the sign-in screen shows: a demo store's, else none.
#[tauri::command]
pub fn demo_account(state: State<'_, AppState>) -> Option<DemoAccount> {
    store::encryption::demo_account(&state.db_path)
        .map(|(user, passphrase)| DemoAccount { user, passphrase })
}

#[derive(Serialize)]
pub struct DemoAccount {
    user: &'static str,
    passphrase: &'static str,
}

/// The audit log's newest entries (managers; the reading is logged).
#[tauri::command]
pub async fn audit_entries(
    state: State<'_, AppState>,
    limit: i64,
) -> Result<Vec<dosedesk_core::audit::Entry>> {
    with_db(&state, move |conn| {
        dosedesk_core::audit::newest(conn, limit)
    })
    .await
}

/// The audit log's hash chain, recomputed.
#[tauri::command]
pub async fn audit_verify(
    state: State<'_, AppState>,
) -> Result<dosedesk_core::audit::Verification> {
    with_db(&state, |conn| dosedesk_core::audit::verify(conn)).await
}

/// Locks an encrypted store (idle too long, or the user asked): the
/// lock is written to the audit log, the key forgotten, the session ended
/// and every connection closed; the UI shows the sign-in screen.
#[tauri::command]
pub async fn lock_store(state: State<'_, AppState>, reason: String) -> Result<()> {
    lock(&state, reason).await
}

/// `lock_store`'s work, also done when the laptop sleeps or its screen
/// locks (`sleep_lock`). Nothing to do when no one is signed in.
pub(crate) async fn lock(state: &AppState, reason: String) -> Result<()> {
    let (path, store) = (state.db_path.clone(), state.store.clone());
    tauri::async_runtime::spawn_blocking(move || {
        if let Some(session) = dosedesk_core::users::session() {
            let conn = store.view()?;
            let detail = serde_json::json!({ "reason": reason });
            dosedesk_core::audit::record(&conn, "lock", &session.user, detail)?;
        }
        store::encryption::forget(&path);
        dosedesk_core::users::sign_out();
        store.close_all();
        Ok(())
    })
    .await
    .map_err(background_failed)?
}

#[derive(Serialize)]
pub struct AppInfo {
    db_path: String,
    /// The demo's description when the database holds demo data.
    demo: Option<String>,
    /// The app's "today", the one date every view starts from: `--week DATE`,
    /// else the demo's "today" on demo data, else the date in the time zone
    /// of the machine's settings or the store (`clock`).
    today: String,
    empty: bool,
    /// Open every view once after start-up (`--tour-views`, for the benchmark).
    tour_views: Option<crate::Tour>,
    /// The store is encrypted: the app locks itself after
    /// `lock_after_seconds` with no input (the settings' minutes, unless
    /// `--lock-after`; 0: never).
    encrypted: bool,
    lock_after_seconds: u64,
    /// Who is signed in (an encrypted store), and as what.
    user: Option<dosedesk_core::users::Session>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let db_path = state.db_path.display().to_string();
    let encrypted =
        store::encryption::kind(&state.db_path) == store::encryption::StoreKind::Encrypted;
    let launch = state.launch.clone();
    let settings = state.settings.current();
    with_db(&state, move |conn| {
        let demo = store::meta_get(conn, "demo")?;
        let today = match launch.start_date {
            Some(date) => date,
            None => {
                let now = match &launch.now {
                    Some(instant) => instant.parse().map_err(|_| {
                        Error::InvalidInput(format!(
                            "--now {instant:?} is not an RFC 3339 instant (2021-03-23T03:30:00Z)"
                        ))
                    })?,
                    None => chrono::Utc::now(),
                };
                clock::today(conn, settings.zone(), now)?.to_string()
            }
        };
        Ok(AppInfo {
            db_path,
            demo,
            today,
            empty: dosedesk_core::stats::is_empty(conn)?,
            tour_views: launch.tour_views,
            encrypted,
            lock_after_seconds: launch
                .lock_after_seconds
                .unwrap_or(u64::from(settings.lock_after_minutes) * 60),
            user: dosedesk_core::users::session(),
        })
    })
    .await
}

/// Progress of a long job, sent to the UI as it runs: first the job's id
/// (`job`, what `cancel_job` takes), then how far it is, or (with `stage`)
/// that it moved on to another stage of its work.
#[derive(Clone, Serialize)]
pub struct JobProgress {
    done: u64,
    total: u64,
    stage: Option<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<u64>,
}

impl JobProgress {
    pub(crate) fn stage_message(stage: Stage) -> Self {
        JobProgress {
            done: 0,
            total: 0,
            stage: Some(stage),
            job: None,
        }
    }

    pub(crate) fn started(job: u64) -> Self {
        JobProgress {
            done: 0,
            total: 0,
            stage: None,
            job: Some(job),
        }
    }
}

/// A job's progress channel to the UI and its entry in the job table (it
/// leaves the table when the job is done and this is dropped).
struct ChannelProgress {
    channel: Channel<JobProgress>,
    job: Job,
}

impl Progress for ChannelProgress {
    fn update(&self, done: u64, total: u64) {
        // A closed window is no reason to abandon the import.
        let _ = self.channel.send(JobProgress {
            done,
            total,
            stage: None,
            job: None,
        });
    }
    fn stage(&self, stage: Stage) {
        let _ = self.channel.send(JobProgress::stage_message(stage));
    }
    fn is_cancelled(&self) -> bool {
        self.job.is_cancelled()
    }
}

/// Registers a new job and tells the UI its id before any work starts.
fn start_job(state: &AppState, channel: Channel<JobProgress>) -> ChannelProgress {
    let job = state.jobs.start();
    let _ = channel.send(JobProgress::started(job.id()));
    ChannelProgress { channel, job }
}

#[tauri::command]
pub async fn load_demo(
    state: State<'_, AppState>,
    on_progress: Channel<JobProgress>,
) -> Result<dosedesk_core::demo::DemoSummary> {
    let progress = start_job(&state, on_progress);
    with_bulk(&state, progress, |conn, progress| {
        dosedesk_core::demo::load(conn, progress)
    })
    .await
}

#[tauri::command]
pub async fn import_file(
    state: State<'_, AppState>,
    kind: ImportKind,
    file: String,
    on_progress: Channel<JobProgress>,
) -> Result<ImportReport> {
    let path = state.picks.take(&file, Purpose::ImportCsv)?;
    let progress = start_job(&state, on_progress);
    with_bulk(&state, progress, move |conn, progress| {
        dosedesk_core::import::import_file_then_check(conn, kind, &path, progress)
    })
    .await
}

/// Asks the job `id` to stop: an import or the demo load rolls back; a
/// planner's solve answers with the best plan it has. Other jobs run on.
/// False when no such job is running any more.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, id: u64) -> bool {
    state.jobs.cancel(id)
}

/// A site or a product as a picker lists it.
#[derive(Serialize)]
pub struct Choice {
    code: String,
    name: String,
}

fn choices(pairs: Vec<(String, String)>) -> Vec<Choice> {
    pairs
        .into_iter()
        .map(|(code, name)| Choice { code, name })
        .collect()
}

#[tauri::command]
pub async fn site_list(state: State<'_, AppState>) -> Result<Vec<Choice>> {
    with_db(&state, |conn| {
        Ok(choices(dosedesk_core::schedule::site_list(conn)?))
    })
    .await
}

/// The products a booking may name: the store's, not a list in the page.
#[tauri::command]
pub async fn product_list(state: State<'_, AppState>) -> Result<Vec<Choice>> {
    with_db(&state, |conn| {
        Ok(choices(dosedesk_core::schedule::product_list(conn)?))
    })
    .await
}

#[tauri::command]
pub async fn week_schedule(state: State<'_, AppState>, query: WeekQuery) -> Result<WeekSchedule> {
    with_db(&state, move |conn| {
        dosedesk_core::schedule::week(conn, &query)
    })
    .await
}

#[tauri::command]
pub async fn run_checks(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<dosedesk_core::checks::CheckReport> {
    with_db(&state, move |conn| {
        dosedesk_core::checks::for_view(conn, &query)
    })
    .await
}

#[tauri::command]
pub async fn slot_checks(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<dosedesk_core::checks::SlotFigures> {
    with_db(&state, move |conn| {
        dosedesk_core::checks::slot_figures(conn, &query)
    })
    .await
}

#[tauri::command]
pub async fn book_first_dose(
    state: State<'_, AppState>,
    request: dosedesk_core::booking::BookRequest,
) -> Result<dosedesk_core::booking::Booked> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::book_first_dose(conn, &request)
    })
    .await
}

#[tauri::command]
pub async fn shift_add(
    state: State<'_, AppState>,
    shift: dosedesk_core::shift_edit::NewShift,
) -> Result<dosedesk_core::shift_edit::Edited> {
    with_db(&state, move |conn| {
        dosedesk_core::shift_edit::add(conn, &shift)
    })
    .await
}

#[tauri::command]
pub async fn shift_change(
    state: State<'_, AppState>,
    change: dosedesk_core::shift_edit::ShiftChange,
) -> Result<dosedesk_core::shift_edit::Edited> {
    with_db(&state, move |conn| {
        dosedesk_core::shift_edit::change(conn, &change)
    })
    .await
}

#[tauri::command]
pub async fn shift_cancel(
    state: State<'_, AppState>,
    id: i64,
    confirmed: bool,
) -> Result<dosedesk_core::shift_edit::Edited> {
    with_db(&state, move |conn| {
        dosedesk_core::shift_edit::cancel(conn, id, confirmed)
    })
    .await
}

#[tauri::command]
pub async fn outside_shift_days(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<Vec<dosedesk_core::checks::SiteDayExcess>> {
    with_db(&state, move |conn| {
        dosedesk_core::checks::outside_shift_site_days(
            conn,
            &query,
            dosedesk_core::checks::SITE_DAYS_SHOWN,
        )
    })
    .await
}

#[tauri::command]
pub async fn check_people(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
    finding: dosedesk_core::checks::PersonFinding,
) -> Result<dosedesk_core::checks::PeopleFound> {
    with_db(&state, move |conn| {
        dosedesk_core::checks::people_with(
            conn,
            &query,
            finding,
            dosedesk_core::checks::PEOPLE_SHOWN,
        )
    })
    .await
}

#[tauri::command]
pub async fn nearest_free_slots(
    state: State<'_, AppState>,
    site: String,
    slot: String,
) -> Result<Vec<dosedesk_core::booking::FreeSlot>> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::nearest_free(conn, &site, &slot, 6)
    })
    .await
}

#[tauri::command]
pub async fn rebook_page(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
    filter: dosedesk_core::rebook::DeskFilter,
) -> Result<dosedesk_core::rebook::DeskPage> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::page(conn, &query, &filter)
    })
    .await
}

#[tauri::command]
pub async fn rebook_undo(
    state: State<'_, AppState>,
    appointment_id: i64,
) -> Result<dosedesk_core::rebook::Undone> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::undo_accepted(conn, appointment_id)
    })
    .await
}

#[tauri::command]
pub async fn rebook_counts(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
    max_km: Option<f64>,
) -> Result<dosedesk_core::rebook::RebookCounts> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::counts(conn, &query, max_km)
    })
    .await
}

/// Free places a caller may offer instead of the proposal.
#[tauri::command]
pub async fn rebook_alternatives(
    state: State<'_, AppState>,
    appointment_id: i64,
    max_km: Option<f64>,
) -> Result<Vec<dosedesk_core::booking::FreeSlot>> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::alternatives(conn, appointment_id, max_km, 8)
    })
    .await
}

#[tauri::command]
pub async fn rebook_record(
    state: State<'_, AppState>,
    call: dosedesk_core::rebook::CallOutcome,
) -> Result<Option<dosedesk_core::booking::CentralCheck>> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::record(conn, &call)
    })
    .await
}

/// Writes the call list to the file chosen in the save dialog (`file`).
#[tauri::command]
pub async fn rebook_export(
    state: State<'_, AppState>,
    file: String,
    query: dosedesk_core::checks::CheckQuery,
    max_km: Option<f64>,
) -> Result<usize> {
    let path = state.picks.take(&file, Purpose::SaveCsv)?;
    with_db(&state, move |conn| {
        let plan = dosedesk_core::rebook::call_list(conn, &query, max_km)?;
        dosedesk_core::export::write(conn, &path, |w| dosedesk_core::rebook::export_csv(&plan, w))?;
        Ok(plan.proposals.len())
    })
    .await
}

/// The UI reports when a view has painted, with the error it shows if
/// any; the time goes to stderr, where `make bench` reads the app's
/// start-up time and each view's from (and fails on a view that painted
/// an error).
#[tauri::command]
pub fn view_painted(view: String, render_ms: f64, failed: Option<String>) {
    let epoch_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let shown = failed.map_or(String::new(), |e| format!(", showing the error: {e}"));
    eprintln!("dosedesk: {view} painted at {epoch_ms} (rendered in {render_ms:.0} ms){shown}");
}

#[tauri::command]
pub async fn person_bookings(
    state: State<'_, AppState>,
    person_id: String,
) -> Result<dosedesk_core::booking::queries::PersonBookings> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::queries::person(conn, &person_id)
    })
    .await
}

/// People whose id or name starts with what was typed (the Book and
/// Bookings views), at most 12.
#[tauri::command]
pub async fn find_people(
    state: State<'_, AppState>,
    text: String,
) -> Result<dosedesk_core::booking::PeopleFound> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::find_people(conn, &text, 12)
    })
    .await
}

#[tauri::command]
pub async fn site_day_bookings(
    state: State<'_, AppState>,
    site: String,
    date: String,
) -> Result<Vec<dosedesk_core::booking::queries::SlotRow>> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::queries::site_day(conn, &site, &date)
    })
    .await
}

#[tauri::command]
pub async fn cancel_appointment(
    state: State<'_, AppState>,
    id: i64,
    linked: Option<dosedesk_core::booking::LinkedSecond>,
) -> Result<Vec<i64>> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::cancel(conn, id, linked)
    })
    .await
}

#[tauri::command]
pub async fn dose_figures(state: State<'_, AppState>) -> Result<dosedesk_core::doses::DoseFigures> {
    with_db(&state, |conn| dosedesk_core::doses::figures(conn)).await
}

#[tauri::command]
pub async fn chart_svg(
    state: State<'_, AppState>,
    request: dosedesk_core::charts::ChartRequest,
) -> Result<dosedesk_core::charts::SvgChart> {
    with_db(&state, move |conn| {
        dosedesk_core::charts::svg(conn, &request)
    })
    .await
}

/// Writes a chart to the file chosen in the save dialog, PNG or SVG by extension.
#[tauri::command]
pub async fn export_chart(
    state: State<'_, AppState>,
    request: dosedesk_core::charts::ChartRequest,
    file: String,
) -> Result<()> {
    let path = state.picks.take(&file, Purpose::SaveChart)?;
    with_db(&state, move |conn| {
        dosedesk_core::charts::export(conn, &request, &path)
    })
    .await
}

/// `confirm`: the person entered an implausible value again to confirm it.
#[tauri::command]
pub async fn record_tally(
    state: State<'_, AppState>,
    tally: dosedesk_core::doses::entry::Tally,
    confirm: Option<bool>,
) -> Result<dosedesk_core::doses::entry::Recorded> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::entry::record(conn, &tally, confirm.unwrap_or(false))
    })
    .await
}

/// Withdraws a wrong tally (kept with its history, counted nowhere);
/// returns the value it had.
#[tauri::command]
pub async fn withdraw_tally(
    state: State<'_, AppState>,
    tally: dosedesk_core::doses::entry::Tally,
) -> Result<i64> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::entry::withdraw(conn, &tally)
    })
    .await
}

#[tauri::command]
pub async fn tally_shift_choices(
    state: State<'_, AppState>,
    site: String,
    date: String,
) -> Result<Vec<dosedesk_core::doses::entry::ShiftChoice>> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::entry::shift_choices(conn, &site, &date)
    })
    .await
}

#[tauri::command]
pub async fn site_day_tallies(
    state: State<'_, AppState>,
    site: String,
    date: String,
) -> Result<Vec<dosedesk_core::doses::entry::TallyRow>> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::entry::site_day(conn, &site, &date)
    })
    .await
}

#[tauri::command]
pub async fn reconcile(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<Vec<dosedesk_core::doses::reconcile::SiteDayGap>> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::reconcile::reconcile(
            conn,
            &from,
            &to,
            dosedesk_core::doses::reconcile::GAPS_SHOWN,
        )
    })
    .await
}

#[tauri::command]
pub async fn confirm_day(
    state: State<'_, AppState>,
    series: dosedesk_core::doses::figures::Series,
    date: String,
    confirmed: bool,
) -> Result<()> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::figures::confirm_day(conn, series, &date, confirmed)
    })
    .await
}

#[tauri::command]
pub async fn provincial_revisions(
    state: State<'_, AppState>,
) -> Result<Vec<dosedesk_core::doses::provincial::Revision>> {
    with_db(&state, |conn| {
        dosedesk_core::doses::provincial::revisions(conn)
    })
    .await
}

/// Writes the one-page briefing to the file chosen in the save dialog (PDF or PNG by extension).
#[tauri::command]
pub async fn write_briefing(
    state: State<'_, AppState>,
    request: dosedesk_core::briefing::BriefRequest,
    file: String,
) -> Result<()> {
    let path = state.picks.take(&file, Purpose::SaveBriefing)?;
    with_db(&state, move |conn| {
        dosedesk_core::briefing::write(conn, &request, &path)
    })
    .await
}

#[tauri::command]
pub async fn add_temporary_shift(
    state: State<'_, AppState>,
    shift: dosedesk_core::temporary_clinic::TemporaryShift,
) -> Result<dosedesk_core::temporary_clinic::Added> {
    with_db(&state, move |conn| {
        dosedesk_core::temporary_clinic::add(conn, &shift)
    })
    .await
}
