//! Sync with the unit's server: the background runner and its commands.
//! Each command is a few lines over `dosedesk_core::sync`; the runner syncs
//! on a blocking thread whenever the laptop is enrolled, so no view waits.

use crate::commands::with_db;
use crate::file_picks::Purpose;
use crate::{AppState, Store};
use dosedesk_core::sync::{self, http, wire::Keep};
use dosedesk_core::{Error, Result};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::State;

/// How the last sync went.
#[derive(Debug, Clone, Serialize)]
pub struct LastSync {
    pub at: String,
    /// `ok`, `offline` or `failed`.
    pub outcome: &'static str,
    pub message: Option<String>,
    pub report: Option<sync::SyncReport>,
}

/// One sync at a time, and what the last one did.
#[derive(Default)]
pub struct SyncRunner {
    /// Held for the length of a sync: "Sync now" during a background sync
    /// waits for it, then syncs (so it sees what that one brought).
    one_at_a_time: Mutex<()>,
    running: AtomicBool,
    last: Mutex<Option<LastSync>>,
}

impl SyncRunner {
    fn last(&self) -> Option<LastSync> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Syncs now (after any sync running); blocking: call off the main thread.
    /// `None` when the laptop is not enrolled.
    pub fn run(&self, store: &Store) -> Result<Option<LastSync>> {
        let _turn = self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner());
        self.running.store(true, Ordering::SeqCst);
        let outcome = (|| -> Result<Option<Result<sync::SyncReport>>> {
            let mut conn = store.view()?;
            let Some(enrolled) = sync::enrolment::load(&conn)? else {
                return Ok(None);
            };
            let mut client = http::Client::new(&enrolled)?;
            Ok(Some(sync::sync(&mut conn, &mut client)))
        })();
        self.running.store(false, Ordering::SeqCst);
        let result = match outcome? {
            None => return Ok(None),
            Some(result) => result,
        };
        let at = dosedesk_core::store::now_timestamp();
        let last = match result {
            Ok(report) => LastSync {
                at,
                outcome: "ok",
                message: None,
                report: Some(report),
            },
            Err(Error::Offline(m)) => LastSync {
                at,
                outcome: "offline",
                message: Some(m),
                report: None,
            },
            Err(e) => LastSync {
                at,
                outcome: "failed",
                message: Some(e.to_string()),
                report: None,
            },
        };
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(last.clone());
        Ok(Some(last))
    }
}

/// Syncs in the background for the app's life: soon after start-up, then
/// every `DOSEDESK_SYNC_SECONDS` (default 60).
pub fn start_background(store: Arc<Store>, runner: Arc<SyncRunner>) {
    let every = std::env::var("DOSEDESK_SYNC_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s: &u64| s > 0)
        .unwrap_or(60);
    // A thread of its own: the sync blocks on the network and the store.
    let spawned = std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            loop {
                // A failure is kept in the runner's last result for the top bar.
                let _ = runner.run(&store);
                std::thread::sleep(Duration::from_secs(every));
            }
        });
    if let Err(e) = spawned {
        eprintln!("dosedesk: cannot start background sync: {e}");
    }
}

#[derive(Serialize)]
pub struct SyncStatus {
    #[serde(flatten)]
    pub store: sync::Status,
    pub running: bool,
    pub last: Option<LastSync>,
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    let runner = state.sync.clone();
    let store = with_db(&state, |conn| sync::status(conn)).await?;
    Ok(SyncStatus {
        store,
        running: runner.running.load(Ordering::SeqCst),
        last: runner.last(),
    })
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<Option<LastSync>> {
    let (store, runner) = (state.store.clone(), state.sync.clone());
    tauri::async_runtime::spawn_blocking(move || runner.run(&store))
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))?
}

#[tauri::command]
pub async fn sync_enrol(
    state: State<'_, AppState>,
    server: String,
    token: String,
) -> Result<sync::Status> {
    with_db(&state, move |conn| {
        let enrolled = http::enrol(&server, &token, None)?;
        sync::enrolment::save(conn, &enrolled)?;
        sync::status(conn)
    })
    .await
}

#[tauri::command]
pub async fn sync_conflicts(state: State<'_, AppState>) -> Result<sync::ConflictsView> {
    with_db(&state, |conn| sync::conflicts_view(conn, false)).await
}

#[tauri::command]
pub async fn sync_resolve(state: State<'_, AppState>, id: i64, keep: Keep) -> Result<()> {
    with_db(&state, move |conn| {
        let mut client = http::Client::new(&sync::enrolment::require(conn)?)?;
        sync::resolve(conn, &mut client, id, keep)
    })
    .await
}

#[tauri::command]
pub async fn sync_export_bundle(
    state: State<'_, AppState>,
    file: String,
) -> Result<sync::bundle::Exported> {
    let path = state.picks.take(&file, Purpose::SaveBundle)?;
    with_db(&state, move |conn| sync::bundle::export(conn, &path)).await
}

#[tauri::command]
pub async fn sync_import_bundle(
    state: State<'_, AppState>,
    file: String,
) -> Result<sync::bundle::Imported> {
    let path = state.picks.take(&file, Purpose::OpenBundle)?;
    with_db(&state, move |conn| sync::bundle::import(conn, &path)).await
}
