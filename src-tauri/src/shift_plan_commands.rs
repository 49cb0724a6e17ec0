//! IPC commands of the shift planner: plan, chart, and saved scenarios.
//! Each is a few lines over `dosedesk_core::shift_plan`.

use crate::commands::{with_db, with_db_job, JobProgress};
use crate::file_picks::Purpose;
use crate::AppState;
use dosedesk_core::charts::{export_drawing, to_svg};
use dosedesk_core::locale::Lang;
use dosedesk_core::shift_plan::chart::PlanChart;
use dosedesk_core::shift_plan::scenario::{self, ScenarioSummary};
use dosedesk_core::shift_plan::{plan_shifts as plan, ShiftPlan, ShiftPlanRequest};
use dosedesk_core::Result;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

#[derive(Serialize)]
pub struct PlannedShifts {
    plan: ShiftPlan,
    /// Demand against capacity before and after, drawn by core.
    svg: String,
}

#[tauri::command]
pub async fn plan_shifts(
    state: State<'_, AppState>,
    request: ShiftPlanRequest,
    lang: Option<Lang>,
    on_progress: Channel<JobProgress>,
) -> Result<PlannedShifts> {
    with_db_job(&state, on_progress, move |conn, progress| {
        let plan = plan(conn, &request, progress)?;
        let (svg, _) = to_svg(&PlanChart(&plan), lang.unwrap_or_default())?;
        Ok(PlannedShifts { plan, svg })
    })
    .await
}

/// Plans again (a job, as `plan_shifts`) and writes the chart to the file
/// chosen in the save dialog (PNG or SVG by extension).
#[tauri::command]
pub async fn export_plan_chart(
    state: State<'_, AppState>,
    request: ShiftPlanRequest,
    file: String,
    lang: Option<Lang>,
    on_progress: Channel<JobProgress>,
) -> Result<()> {
    let path = state.picks.take(&file, Purpose::SaveChart)?;
    with_db_job(&state, on_progress, move |conn, progress| {
        let plan = plan(conn, &request, progress)?;
        export_drawing(conn, &PlanChart(&plan), lang.unwrap_or_default(), &path)
    })
    .await
}

/// Plans again (the store may have changed since; a job, as `plan_shifts`)
/// and saves; returns the id.
#[tauri::command]
pub async fn save_shift_scenario(
    state: State<'_, AppState>,
    name: String,
    request: ShiftPlanRequest,
    on_progress: Channel<JobProgress>,
) -> Result<i64> {
    with_db_job(&state, on_progress, move |conn, progress| {
        let plan = plan(conn, &request, progress)?;
        scenario::save(conn, name.trim(), &request, &plan)
    })
    .await
}

#[tauri::command]
pub async fn list_shift_scenarios(state: State<'_, AppState>) -> Result<Vec<ScenarioSummary>> {
    with_db(&state, |conn| scenario::list(conn)).await
}

#[tauri::command]
pub async fn compare_shift_scenarios(
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> Result<Vec<ScenarioSummary>> {
    with_db(&state, move |conn| scenario::compare(conn, &ids)).await
}

/// Creates the scenario's shifts; returns their ids.
#[tauri::command]
pub async fn apply_shift_scenario(state: State<'_, AppState>, id: i64) -> Result<Vec<i64>> {
    with_db(&state, move |conn| scenario::apply(conn, id)).await
}

/// Removes the shifts the scenario's apply created; returns how many.
#[tauri::command]
pub async fn undo_shift_scenario(state: State<'_, AppState>, id: i64) -> Result<usize> {
    with_db(&state, move |conn| scenario::undo(conn, id)).await
}
