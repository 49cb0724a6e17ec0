//! Long work (imports, the demo load, index builds, solves): its progress,
//! the stage it is in, and whether the person who started it asked it to stop.

use serde::Serialize;

/// Receives progress of long work and may ask it to stop.
pub trait Progress: Sync {
    fn update(&self, _done: u64, _total: u64) {}
    /// The work moved on to another stage: once the rows are read, a bulk
    /// import still saves people, builds indexes and commits, for seconds.
    fn stage(&self, _stage: Stage) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// The stages of an import, in order; a small file passes some in no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading, checking and writing the file's rows.
    Rows,
    /// Merging people's birth dates and phones.
    People,
    /// Daily booked and attended totals.
    DailyTotals,
    /// Building the indexes of a bulk load.
    Indexes,
    /// Making the transaction durable.
    Commit,
    /// Copying the committed pages from the WAL into the database file.
    Checkpoint,
    /// Judging the bookings again for the Checks view (after a bulk load: all of them).
    Checks,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Rows => "reading rows",
            Stage::People => "saving people",
            Stage::DailyTotals => "daily totals",
            Stage::Indexes => "building indexes",
            Stage::Commit => "committing",
            Stage::Checkpoint => "writing the database file",
            Stage::Checks => "checking the bookings",
        }
    }
}

/// For callers that need neither progress nor cancellation.
pub struct Quiet;
impl Progress for Quiet {}
