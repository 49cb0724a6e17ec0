//! Long work (imports, the demo load, index builds, planners' solves): its progress,
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
    /// Judging each site-day an import of tallies touched against its
    /// shifts and its site's recent days (implausible tallies are held).
    Plausibility,
    /// A planner's exact search (HiGHS), up to its time limit; progress is
    /// the seconds spent of that limit.
    Solving,
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
            Stage::Plausibility => "judging each day's tallies",
            Stage::Solving => "searching for the best plan",
        }
    }
}

/// For callers that need neither progress nor cancellation.
pub struct Quiet;
impl Progress for Quiet {}

/// A person who presses Cancel some time after a solve starts, and what
/// the solve told them meanwhile (tests).
#[cfg(test)]
pub(crate) struct CancelAfter {
    after: std::time::Duration,
    solving_since: std::sync::Mutex<Option<std::time::Instant>>,
    /// (done, total) of each progress update.
    pub updates: std::sync::Mutex<Vec<(u64, u64)>>,
}

#[cfg(test)]
impl CancelAfter {
    pub fn new(after: std::time::Duration) -> Self {
        CancelAfter {
            after,
            solving_since: std::sync::Mutex::new(None),
            updates: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// When the solver said it started.
    pub fn solving_since(&self) -> Option<std::time::Instant> {
        *self.solving_since.lock().expect("lock")
    }
}

#[cfg(test)]
impl Progress for CancelAfter {
    fn update(&self, done: u64, total: u64) {
        self.updates.lock().expect("lock").push((done, total));
    }
    fn stage(&self, stage: Stage) {
        if stage == Stage::Solving {
            self.solving_since
                .lock()
                .expect("lock")
                .get_or_insert_with(std::time::Instant::now);
        }
    }
    fn is_cancelled(&self) -> bool {
        self.solving_since()
            .is_some_and(|t| t.elapsed() >= self.after)
    }
}
