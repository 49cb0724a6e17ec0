//! IPC commands of the Distribution points view: plan with a map, export
//! the map, saved scenarios. Each is a few lines over `dosedesk_core::siting`.

use crate::commands::{with_db, with_db_job, JobProgress};
use crate::file_picks::Purpose;
use crate::AppState;
use dosedesk_core::charts::{export_drawing, to_svg};
use dosedesk_core::locale::Lang;
use dosedesk_core::siting::scenario::{self, ScenarioSummary};
use dosedesk_core::siting::{load_input, plan_from_db, SiteMap, SitingOptions, SitingReport};
use dosedesk_core::Result;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

/// A run and its map, drawn in core.
#[derive(Serialize)]
pub struct SitePlan {
    report: SitingReport,
    svg: String,
}

fn with_map(report: SitingReport, lang: Lang) -> Result<SitePlan> {
    let (svg, _) = to_svg(&SiteMap::new(&report), lang)?;
    Ok(SitePlan { report, svg })
}

/// A candidate the form offers to lock in or exclude.
#[derive(Serialize)]
pub struct Candidate {
    code: String,
    name: String,
    kind: String,
}

#[tauri::command]
pub async fn siting_candidates(state: State<'_, AppState>) -> Result<Vec<Candidate>> {
    with_db(&state, |conn| {
        Ok(load_input(conn)?
            .points
            .into_iter()
            .filter(|p| !p.open)
            .map(|p| Candidate {
                code: p.site_code,
                name: p.name,
                kind: p.kind,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn plan_siting(
    state: State<'_, AppState>,
    options: SitingOptions,
    lang: Option<Lang>,
    on_progress: Channel<JobProgress>,
) -> Result<SitePlan> {
    with_db_job(&state, on_progress, move |conn, progress| {
        with_map(
            plan_from_db(conn, &options, progress)?,
            lang.unwrap_or_default(),
        )
    })
    .await
}

/// Runs the options again (a job, as `plan_siting`) and writes the map to
/// the file chosen in the save dialog, PNG or SVG by extension.
#[tauri::command]
pub async fn export_siting_map(
    state: State<'_, AppState>,
    options: SitingOptions,
    file: String,
    lang: Option<Lang>,
    on_progress: Channel<JobProgress>,
) -> Result<()> {
    let path = state.picks.take(&file, Purpose::SaveChart)?;
    with_db_job(&state, on_progress, move |conn, progress| {
        let report = plan_from_db(conn, &options, progress)?;
        export_drawing(
            conn,
            &SiteMap::new(&report),
            lang.unwrap_or_default(),
            &path,
        )
    })
    .await
}

/// Runs the options (a job, as `plan_siting`) and saves the run under `name`.
#[tauri::command]
pub async fn save_siting_scenario(
    state: State<'_, AppState>,
    name: String,
    options: SitingOptions,
    on_progress: Channel<JobProgress>,
) -> Result<ScenarioSummary> {
    with_db_job(&state, on_progress, move |conn, progress| {
        let report = plan_from_db(conn, &options, progress)?;
        let id = scenario::save(conn, &name, &options, &report)?;
        scenario::compare(conn, &[id])?
            .pop()
            .ok_or_else(|| dosedesk_core::Error::NotFound(format!("scenario {id}")))
    })
    .await
}

#[tauri::command]
pub async fn siting_scenarios(state: State<'_, AppState>) -> Result<Vec<ScenarioSummary>> {
    with_db(&state, |conn| scenario::list(conn)).await
}

#[tauri::command]
pub async fn compare_siting_scenarios(
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> Result<Vec<ScenarioSummary>> {
    with_db(&state, move |conn| scenario::compare(conn, &ids)).await
}

/// A saved scenario as it was saved, with its map.
#[tauri::command]
pub async fn open_siting_scenario(
    state: State<'_, AppState>,
    id: i64,
    lang: Option<Lang>,
) -> Result<SitePlan> {
    with_db(&state, move |conn| {
        with_map(scenario::load(conn, id)?.report, lang.unwrap_or_default())
    })
    .await
}
