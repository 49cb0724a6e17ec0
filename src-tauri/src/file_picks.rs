//! The files the page may have read or written are the ones the person chose
//! in a native dialog opened here — never a path the page names. A script
//! injected into the page (or a bug in it) could otherwise read any file
//! the app can reach, or write over one. A choice reaches the page as an
//! opaque token, good once, for the kind of command it was chosen for.

use crate::AppState;
use dosedesk_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tauri::State;

/// What a file is chosen for: which dialog opens, which extensions it
/// offers, and which command may use the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A CSV to import (read).
    ImportCsv,
    /// A sync bundle to bring in (read).
    OpenBundle,
    /// The rebooking call list (written).
    SaveCsv,
    /// A chart or map: PNG or SVG (written).
    SaveChart,
    /// The briefing: PDF or PNG (written).
    SaveBriefing,
    /// A sync bundle to carry out (written).
    SaveBundle,
}

impl Purpose {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Purpose::ImportCsv => &["csv", "CSV", "txt"],
            Purpose::OpenBundle | Purpose::SaveBundle => &["bundle"],
            Purpose::SaveCsv => &["csv"],
            Purpose::SaveChart => &["png", "svg"],
            Purpose::SaveBriefing => &["pdf", "png"],
        }
    }

    fn saves(self) -> bool {
        !matches!(self, Purpose::ImportCsv | Purpose::OpenBundle)
    }
}

/// A choice as the page sees it: a token to hand back, and the file's name
/// and whole path to show (a path the page sends is never used).
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    pub token: String,
    pub name: String,
    pub path: String,
}

/// The choices not used yet.
#[derive(Default)]
pub struct Picks {
    chosen: Mutex<HashMap<String, (Purpose, PathBuf)>>,
}

impl Picks {
    pub(crate) fn grant(&self, purpose: Purpose, path: PathBuf) -> Picked {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = path.display().to_string();
        self.lock().insert(token.clone(), (purpose, path));
        Picked {
            token,
            name,
            path: shown,
        }
    }

    /// The path chosen under `token` for `purpose`; the token is spent.
    pub fn take(&self, token: &str, purpose: Purpose) -> Result<PathBuf> {
        let mut chosen = self.lock();
        match chosen.get(token) {
            Some((granted, _)) if *granted == purpose => Ok(chosen
                .remove(token)
                .map(|(_, path)| path)
                .unwrap_or_default()),
            _ => Err(Error::InvalidInput(
                "this file was not chosen in DoseDesk's file dialog for this (or it was used \
                 already); choose it again"
                    .into(),
            )),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Purpose, PathBuf)>> {
        // A panic while holding it cannot leave the map half-changed.
        self.chosen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A saved file gets the first offered extension when the name typed has
/// none of them (`call-list` → `call-list.csv`).
fn with_extension(path: PathBuf, offered: &[&str]) -> PathBuf {
    let has = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| offered.iter().any(|o| o.eq_ignore_ascii_case(e)));
    match (has, offered.first()) {
        (false, Some(first)) => {
            let mut name = path.into_os_string();
            name.push(format!(".{first}"));
            PathBuf::from(name)
        }
        _ => path,
    }
}

/// Opens the native dialog for `purpose`; `None` when the person cancels.
/// `formats` narrows a save to some of the purpose's extensions (the chart
/// format chosen on the page), the first being the default.
#[tauri::command]
pub async fn pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    purpose: Purpose,
    title: String,
    suggested_name: Option<String>,
    formats: Option<Vec<String>>,
) -> Result<Option<Picked>> {
    let mut offered: Vec<&'static str> = purpose.extensions().to_vec();
    if let Some(formats) = formats.filter(|f| !f.is_empty()) {
        offered.retain(|e| formats.iter().any(|f| f.eq_ignore_ascii_case(e)));
        offered.sort_by_key(|e| formats.iter().position(|f| f.eq_ignore_ascii_case(e)));
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        ask(&app, purpose, &title, suggested_name.as_deref(), &offered).map(|p| (p, offered))
    })
    .await
    .map_err(|e| Error::Internal(format!("file dialog: {e}")))?;
    Ok(chosen.map(|(path, offered)| {
        let path = if purpose.saves() {
            with_extension(path, &offered)
        } else {
            path
        };
        state.picks.grant(purpose, path)
    }))
}

fn ask<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    purpose: Purpose,
    title: &str,
    suggested_name: Option<&str>,
    offered: &[&str],
) -> Option<PathBuf> {
    if let Some(answer) = end_to_end_answer() {
        return answer;
    }
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().set_title(title);
    for ext in offered {
        dialog = dialog.add_filter(ext.to_uppercase(), &[ext]);
    }
    if let Some(name) = suggested_name {
        // Only a name: where it goes is the person's choice.
        if let Some(name) = Path::new(name).file_name() {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
    }
    let chosen = if purpose.saves() {
        dialog.blocking_save_file()
    } else {
        dialog.blocking_pick_file()
    };
    chosen.and_then(|p| p.into_path().ok())
}

/// WebDriver cannot drive a native dialog: in debug builds run by the
/// end-to-end tests, the answer is read from the file `DOSEDESK_E2E_PICKS`
/// names (written by the test; empty or absent: cancelled). Release builds
/// always show the dialog.
fn end_to_end_answer() -> Option<Option<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let file = std::env::var_os("DOSEDESK_E2E_PICKS")?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    let text = text.trim();
    Some((!text.is_empty()).then(|| PathBuf::from(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_good_once_and_only_for_its_purpose() {
        let picks = Picks::default();
        let csv = picks.grant(Purpose::ImportCsv, PathBuf::from("/data/bookings.csv"));
        assert_eq!(csv.name, "bookings.csv");
        // A save may not use a file chosen to be read, nor the reverse.
        assert!(picks.take(&csv.token, Purpose::SaveCsv).is_err());
        assert_eq!(
            picks.take(&csv.token, Purpose::ImportCsv).expect("granted"),
            PathBuf::from("/data/bookings.csv")
        );
        assert!(picks.take(&csv.token, Purpose::ImportCsv).is_err(), "spent");
        // A path the page makes up is no token.
        assert!(picks.take("/etc/passwd", Purpose::ImportCsv).is_err());
    }

    #[test]
    fn a_saved_file_gets_an_offered_extension() {
        let offered = ["png", "svg"];
        assert_eq!(
            with_extension(PathBuf::from("/t/chart"), &offered),
            PathBuf::from("/t/chart.png")
        );
        assert_eq!(
            with_extension(PathBuf::from("/t/chart.SVG"), &offered),
            PathBuf::from("/t/chart.SVG")
        );
        assert_eq!(
            with_extension(PathBuf::from("/t/chart.csv"), &offered),
            PathBuf::from("/t/chart.csv.png")
        );
    }
}
