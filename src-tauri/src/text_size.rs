//! The text size: the Settings' percentage, else the operating system's own
//! (GNOME's `text-scaling-factor`, what Settings → Accessibility → Large
//! Text sets), applied as the webview's zoom so that the whole layout grows
//! with the text. CSS sizes in pixels would otherwise ignore the OS.

use dosedesk_core::settings::Settings;
use tauri::{Manager, Runtime};

/// The OS's text size in percent (100 when it says nothing).
pub fn system_percent() -> u32 {
    let factor = system_factor().unwrap_or(1.0);
    // A factor outside what GNOME offers is ignored, not obeyed.
    if (0.5..=3.0).contains(&factor) {
        (factor * 100.0).round() as u32
    } else {
        100
    }
}

#[cfg(target_os = "linux")]
fn system_factor() -> Option<f64> {
    use gio::prelude::SettingsExt;
    const SCHEMA: &str = "org.gnome.desktop.interface";
    // Opening a schema that is not installed aborts the process: look first.
    let source = gio::SettingsSchemaSource::default()?;
    source.lookup(SCHEMA, true)?;
    Some(gio::Settings::new(SCHEMA).double("text-scaling-factor"))
}

#[cfg(not(target_os = "linux"))]
fn system_factor() -> Option<f64> {
    None
}

/// The zoom `settings` ask for, in percent.
pub fn percent(settings: &Settings) -> u32 {
    settings.text_size_percent.unwrap_or_else(system_percent)
}

/// Zooms every window of the app to the text size `settings` ask for.
pub fn apply<R: Runtime, M: Manager<R>>(app: &M, settings: &Settings) {
    let zoom = f64::from(percent(settings)) / 100.0;
    for (label, window) in app.webview_windows() {
        if let Err(e) = window.set_zoom(zoom) {
            eprintln!("dosedesk: the text size of window {label} was not set: {e}");
        }
    }
}
