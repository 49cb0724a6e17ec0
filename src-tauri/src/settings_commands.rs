//! The Settings view's commands over `dosedesk_core::settings`: this
//! machine's settings, read once at start-up and replaced whole on save.

use crate::AppState;
use dosedesk_core::settings::{self, Settings};
use dosedesk_core::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::State;

/// The settings in force and where they are kept.
pub struct MachineSettings {
    path: Result<PathBuf, String>,
    current: Mutex<InForce>,
    /// Held while a save writes the file and swaps the settings in, so two
    /// saves at once (the language menu and the form) end with the file
    /// and the app agreeing.
    saving: Mutex<()>,
}

#[derive(Clone)]
struct InForce {
    settings: Settings,
    /// Why the file was not used at start-up (it stays as it is until the
    /// user saves).
    problem: Option<String>,
}

impl MachineSettings {
    /// `path`, else the OS's configuration folder; the defaults (and the
    /// reason) when the file cannot be used.
    pub fn load(path: Option<PathBuf>) -> Self {
        let path = match path {
            Some(path) => Ok(path),
            None => settings::default_path().map_err(|e| e.to_string()),
        };
        let (current, problem) = match path.as_ref().map(|p| settings::load(p)) {
            Ok(Ok(loaded)) => (loaded, None),
            Ok(Err(e)) => (Settings::default(), Some(e.to_string())),
            Err(e) => (Settings::default(), Some(e.clone())),
        };
        if let Some(problem) = &problem {
            eprintln!("dosedesk: {problem}");
        }
        MachineSettings {
            path,
            current: Mutex::new(InForce {
                settings: current,
                problem,
            }),
            saving: Mutex::new(()),
        }
    }

    /// A copy of the settings in force.
    pub fn current(&self) -> Settings {
        self.in_force().settings
    }

    fn in_force(&self) -> InForce {
        match self.current.lock() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Checks and writes `settings`, then puts them in force, one save at
    /// a time (blocking: call it off the main thread).
    fn save(&self, settings: Settings) -> Result<Settings> {
        let _one_at_a_time = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.path.clone().map_err(Error::InvalidInput)?;
        let kept = settings::save(&path, settings)?;
        self.replace(kept.clone());
        Ok(kept)
    }

    /// The saved settings are in force, and the start-up problem is over.
    fn replace(&self, settings: Settings) {
        let saved = InForce {
            settings,
            problem: None,
        };
        match self.current.lock() {
            Ok(mut current) => *current = saved,
            Err(poisoned) => *poisoned.into_inner() = saved,
        }
    }
}

#[derive(Serialize)]
pub struct SettingsView {
    settings: Settings,
    /// The file they are kept in.
    path: Option<String>,
    /// Why the file was not used at start-up (its defaults are shown).
    problem: Option<String>,
    /// The operating system's text size, in percent (what "as this
    /// computer's" means).
    system_text_percent: u32,
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    let machine = &state.settings;
    let in_force = machine.in_force();
    SettingsView {
        settings: in_force.settings,
        path: machine.path.as_ref().ok().map(|p| p.display().to_string()),
        problem: in_force.problem,
        system_text_percent: crate::text_size::system_percent(),
    }
}

/// Checks and keeps `settings`; they apply at once (the text size here,
/// the rest when the UI re-reads the app's state after saving).
#[tauri::command]
pub async fn save_settings<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings> {
    let machine = std::sync::Arc::clone(&state.settings);
    let kept = tauri::async_runtime::spawn_blocking(move || machine.save(settings))
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))??;
    crate::text_size::apply(&app, &kept);
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saves from several threads at once (the language menu and the form
    /// can both save) leave the file and the settings in force the same.
    #[test]
    fn saves_at_once_leave_the_file_and_the_app_agreeing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("settings.json");
        let machine = std::sync::Arc::new(MachineSettings::load(Some(file.clone())));
        for round in 0..20u32 {
            let savers: Vec<_> = (0..6u32)
                .map(|i| {
                    let machine = std::sync::Arc::clone(&machine);
                    std::thread::spawn(move || {
                        let settings = Settings {
                            page_size: 10 + 10 * i + round,
                            ..Settings::default()
                        };
                        machine.save(settings).expect("save")
                    })
                })
                .collect();
            for saver in savers {
                saver.join().expect("thread");
            }
            let on_disk = settings::load(&file).expect("load");
            assert_eq!(on_disk, machine.current(), "round {round}");
        }
    }
}
