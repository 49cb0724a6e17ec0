//! The user's settings, kept per machine in one JSON file (the app puts it
//! in the OS's configuration folder): the UI's language, the time zone that
//! decides "today", how long an idle encrypted store stays open, how many
//! rows a long list shows per page, the text size, and the sync server a new
//! enrolment starts from.
//!
//! A file that cannot be read or holds a wrong value is reported with the
//! file, line and field, and left as it is: the app runs on the defaults
//! until the user saves, and saving replaces the file whole (a temporary
//! file renamed over it), so a crash never leaves half a settings file.

use crate::error::{Error, Result};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file's name in the folder the caller gives it.
pub const FILE_NAME: &str = "settings.json";

/// Idle minutes before an encrypted store locks: at least one (a store of
/// personal health information is never left open indefinitely), at most
/// four hours.
pub const LOCK_AFTER_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;
/// Rows per page in the long lists (the rebooking desk, the audit log).
pub const PAGE_SIZE: std::ops::RangeInclusive<u32> = 10..=500;
/// The text size, in percent of the usual: up to twice it (WCAG 1.4.4).
pub const TEXT_SIZE_PERCENT: std::ops::RangeInclusive<u32> = 100..=200;
/// The languages the UI is written in.
pub const LANGUAGES: [&str; 2] = ["en", "fr"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `en` or `fr`.
    pub language: String,
    /// An IANA zone name; `None`: the store's own (`clock`), else Toronto.
    pub time_zone: Option<String>,
    pub lock_after_minutes: u32,
    pub page_size: u32,
    /// `None`: the operating system's text size.
    pub text_size_percent: Option<u32>,
    /// The address the Sync panel offers when enrolling this laptop.
    pub sync_server: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "en".into(),
            time_zone: None,
            lock_after_minutes: 10,
            page_size: 100,
            text_size_percent: None,
            sync_server: None,
        }
    }
}

impl Settings {
    /// The settings as they will be kept: each field checked against its
    /// rule, names and addresses trimmed, blanks as unset. The error names
    /// the field.
    pub fn checked(mut self) -> Result<Settings> {
        self.language = self.language.trim().to_ascii_lowercase();
        if !LANGUAGES.contains(&self.language.as_str()) {
            return Err(invalid(
                "language",
                format!("{:?} is not one of en, fr", self.language),
            ));
        }
        self.time_zone = blank_as_none(self.time_zone);
        if let Some(zone) = &self.time_zone {
            if zone.parse::<Tz>().is_err() {
                return Err(invalid(
                    "time_zone",
                    format!("{zone:?} is not a time zone name (e.g. America/Toronto)"),
                ));
            }
        }
        within(
            "lock_after_minutes",
            self.lock_after_minutes,
            LOCK_AFTER_MINUTES,
            "minutes",
        )?;
        within("page_size", self.page_size, PAGE_SIZE, "rows")?;
        if let Some(percent) = self.text_size_percent {
            within("text_size_percent", percent, TEXT_SIZE_PERCENT, "percent")?;
        }
        self.sync_server = match blank_as_none(self.sync_server) {
            None => None,
            Some(server) => Some(
                crate::sync::http::server_address(&server)
                    .map_err(|e| invalid("sync_server", e.to_string()))?,
            ),
        };
        Ok(self)
    }

    /// The time zone setting, parsed (`checked` made sure it parses).
    pub fn zone(&self) -> Option<Tz> {
        self.time_zone.as_deref().and_then(|z| z.parse().ok())
    }
}

/// A refusal naming the field first, as every settings error does.
fn invalid(field: &str, what: String) -> Error {
    Error::InvalidInput(format!("{field}: {what}"))
}

/// `value` of `field` inside its rule's `range`, else an error naming both.
fn within(field: &str, value: u32, range: std::ops::RangeInclusive<u32>, unit: &str) -> Result<()> {
    if range.contains(&value) {
        return Ok(());
    }
    let (low, high) = (range.start(), range.end());
    Err(invalid(
        field,
        format!("{value} is not between {low} and {high} {unit}"),
    ))
}

fn blank_as_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The settings kept in `path`: the defaults when there is no file yet.
/// A file that is not valid JSON, or holds an unknown field or a wrong
/// value, is an error naming the file (and the line, for JSON); the file is
/// not touched.
pub fn load(path: &Path) -> Result<Settings> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(e) => {
            return Err(Error::Io {
                path: path.to_owned(),
                message: format!("cannot read the settings: {e}"),
            })
        }
    };
    let parsed: Settings = serde_json::from_str(&text).map_err(|e| Error::Import {
        file: path.display().to_string(),
        line: e.line() as u64,
        column: None,
        message: format!(
            "the settings are not readable ({e}); the defaults are used until they are saved again"
        ),
    })?;
    parsed.checked().map_err(|e| Error::Io {
        path: path.to_owned(),
        message: format!("{e}; the defaults are used until the settings are saved again"),
    })
}

/// Where the app keeps this machine's settings: the OS's configuration
/// folder for DoseDesk (`$XDG_CONFIG_HOME/dosedesk/` on Linux).
pub fn default_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("ca", "DoseDesk", "DoseDesk")
        .map(|dirs| dirs.config_dir().join(FILE_NAME))
        .ok_or_else(|| Error::InvalidInput("no home directory: the settings cannot be kept".into()))
}

/// Checks `settings` and writes them to `path` whole or not at all (a
/// temporary file beside it, synced, renamed over it). Returns what was kept.
pub fn save(path: &Path, settings: Settings) -> Result<Settings> {
    let settings = settings.checked()?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, &e))?;
    }
    crate::export::write_file(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &settings)
            .map_err(|e| Error::Internal(format!("settings as JSON: {e}")))?;
        out.write_all(b"\n").map_err(|e| Error::io(path, &e))
    })?;
    Ok(settings)
}

#[cfg(test)]
mod tests;
