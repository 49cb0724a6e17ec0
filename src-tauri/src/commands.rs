//! IPC commands. Each opens the database off the main thread and calls core.

use crate::AppState;
use dosedesk_core::import::{ImportKind, ImportReport, Progress, Stage};
use dosedesk_core::schedule::{WeekQuery, WeekSchedule};
use dosedesk_core::{store, Connection, Error, Result};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// Runs `job` on a blocking thread with a fresh connection to the app's database,
/// with the small page cache of a view (imports and the demo raise it).
pub(crate) async fn with_db<T, F>(state: &AppState, job: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
{
    let path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut conn = store::open(&path)?;
        conn.pragma_update(None, "cache_size", store::VIEW_CACHE_SIZE)?;
        job(&mut conn)
    })
    .await
    .map_err(|e| Error::InvalidInput(format!("background task failed: {e}")))?
}

#[derive(Serialize)]
pub struct AppInfo {
    db_path: String,
    /// The demo's description when the database holds demo data.
    demo: Option<String>,
    /// The date the views open on: `--week DATE`, else the demo's "today".
    as_of: Option<String>,
    empty: bool,
    /// Open every view once after start-up (`--tour-views`, for the benchmark).
    tour_views: bool,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    let db_path = state.db_path.display().to_string();
    let start_date = state.launch.start_date.clone();
    let tour_views = state.launch.tour_views;
    with_db(&state, move |conn| {
        Ok(AppInfo {
            db_path,
            demo: store::meta_get(conn, "demo")?,
            as_of: match start_date {
                Some(date) => Some(date),
                None => store::meta_get(conn, "as_of")?,
            },
            empty: dosedesk_core::stats::is_empty(conn)?,
            tour_views,
        })
    })
    .await
}

/// Progress of a long job, sent to the UI as it runs: how far it is, or
/// (with `stage`) that it moved on to another stage of its work.
#[derive(Clone, Serialize)]
pub struct JobProgress {
    done: u64,
    total: u64,
    stage: Option<Stage>,
}

impl JobProgress {
    pub(crate) fn stage_message(stage: Stage) -> Self {
        JobProgress {
            done: 0,
            total: 0,
            stage: Some(stage),
        }
    }
}

struct ChannelProgress {
    channel: Channel<JobProgress>,
    cancel: Arc<AtomicBool>,
}

impl Progress for ChannelProgress {
    fn update(&self, done: u64, total: u64) {
        // A closed window is no reason to abandon the import.
        let _ = self.channel.send(JobProgress {
            done,
            total,
            stage: None,
        });
    }
    fn stage(&self, stage: Stage) {
        let _ = self.channel.send(JobProgress::stage_message(stage));
    }
    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

fn progress(state: &AppState, channel: Channel<JobProgress>) -> ChannelProgress {
    state.cancel.store(false, Ordering::Relaxed);
    ChannelProgress {
        channel,
        cancel: state.cancel.clone(),
    }
}

#[tauri::command]
pub async fn load_demo(
    state: State<'_, AppState>,
    on_progress: Channel<JobProgress>,
) -> Result<dosedesk_core::demo::DemoSummary> {
    let progress = progress(&state, on_progress);
    with_db(&state, move |conn| {
        conn.pragma_update(None, "cache_size", store::BULK_CACHE_SIZE)?;
        dosedesk_core::demo::load(conn, &progress)
    })
    .await
}

#[tauri::command]
pub async fn import_file(
    state: State<'_, AppState>,
    kind: ImportKind,
    path: String,
    on_progress: Channel<JobProgress>,
) -> Result<ImportReport> {
    let progress = progress(&state, on_progress);
    with_db(&state, move |conn| {
        conn.pragma_update(None, "cache_size", store::BULK_CACHE_SIZE)?;
        let path = std::path::Path::new(&path);
        dosedesk_core::import::import_file_then_check(conn, kind, path, &progress)
    })
    .await
}

/// Asks the running import or demo load to stop; it rolls back.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::Relaxed);
}

#[derive(Serialize)]
pub struct SiteOption {
    code: String,
    name: String,
}

#[tauri::command]
pub async fn site_list(state: State<'_, AppState>) -> Result<Vec<SiteOption>> {
    with_db(&state, |conn| {
        Ok(dosedesk_core::schedule::site_list(conn)?
            .into_iter()
            .map(|(code, name)| SiteOption { code, name })
            .collect())
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
pub async fn book_first_dose(
    state: State<'_, AppState>,
    request: dosedesk_core::booking::BookRequest,
) -> Result<dosedesk_core::booking::Booked> {
    with_db(&state, move |conn| {
        dosedesk_core::booking::book_first_dose(conn, &request)
    })
    .await
}

/// Proposals the Rebooking view lists; its figures count them all.
const REBOOK_SHOWN: usize = 100;

#[tauri::command]
pub async fn rebook_plan(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<dosedesk_core::rebook::RebookPage> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::plan_for_view(conn, &query, REBOOK_SHOWN)
    })
    .await
}

#[tauri::command]
pub async fn rebook_counts(
    state: State<'_, AppState>,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<dosedesk_core::rebook::RebookCounts> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::counts(conn, &query)
    })
    .await
}

#[tauri::command]
pub async fn rebook_record(
    state: State<'_, AppState>,
    call: dosedesk_core::rebook::CallOutcome,
) -> Result<()> {
    with_db(&state, move |conn| {
        dosedesk_core::rebook::record(conn, &call)
    })
    .await
}

/// Writes the call list to `path` (chosen in the native save dialog).
#[tauri::command]
pub async fn rebook_export(
    state: State<'_, AppState>,
    path: String,
    query: dosedesk_core::checks::CheckQuery,
) -> Result<usize> {
    with_db(&state, move |conn| {
        let plan = dosedesk_core::rebook::plan(conn, &query)?;
        let mut file = std::fs::File::create(&path).map_err(|e| Error::io(&path, &e))?;
        dosedesk_core::rebook::export_csv(&plan, &mut file)?;
        Ok(plan.proposals.len())
    })
    .await
}

/// The UI reports when a view has painted; the time goes to stderr, where
/// `make bench` reads the app's start-up time from.
#[tauri::command]
pub fn view_painted(view: String, render_ms: f64) {
    let epoch_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    eprintln!("dosedesk: {view} painted at {epoch_ms} (rendered in {render_ms:.0} ms)");
}

#[tauri::command]
pub async fn person_bookings(
    state: State<'_, AppState>,
    person_id: String,
) -> Result<dosedesk_core::bookings::PersonBookings> {
    with_db(&state, move |conn| {
        dosedesk_core::bookings::person(conn, &person_id)
    })
    .await
}

#[tauri::command]
pub async fn site_day_bookings(
    state: State<'_, AppState>,
    site: String,
    date: String,
) -> Result<Vec<dosedesk_core::bookings::SlotRow>> {
    with_db(&state, move |conn| {
        dosedesk_core::bookings::site_day(conn, &site, &date)
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

/// Writes a chart to `path` (chosen in the native save dialog), PNG or SVG by extension.
#[tauri::command]
pub async fn export_chart(
    state: State<'_, AppState>,
    request: dosedesk_core::charts::ChartRequest,
    path: String,
) -> Result<()> {
    with_db(&state, move |conn| {
        dosedesk_core::charts::export(conn, &request, std::path::Path::new(&path))
    })
    .await
}

#[tauri::command]
pub async fn record_tally(
    state: State<'_, AppState>,
    tally: dosedesk_core::doses::entry::Tally,
) -> Result<dosedesk_core::doses::entry::Recorded> {
    with_db(&state, move |conn| {
        dosedesk_core::doses::entry::record(conn, &tally)
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
        dosedesk_core::doses::reconcile::reconcile(conn, &from, &to, 50)
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

/// Writes the one-page briefing to `path` (PDF or PNG by extension).
#[tauri::command]
pub async fn write_briefing(
    state: State<'_, AppState>,
    request: dosedesk_core::briefing::BriefRequest,
    path: String,
) -> Result<()> {
    with_db(&state, move |conn| {
        dosedesk_core::briefing::write(conn, &request, std::path::Path::new(&path))
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
