//! A solve the person can watch and stop: progress is the seconds spent
//! of the time limit, sent at most every `REPORT_EVERY_MS`; the answer to
//! "stop now?" comes from the job's `Progress` (the person pressed Cancel).
//! The thread waiting on HiGHS asks every `mip::POLL`; the Lagrangian
//! bound asks each round.

use crate::job::{Progress, Stage};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Progress is sent at most this often: the Lagrangian bound asks
/// thousands of times a second.
const REPORT_EVERY_MS: u64 = 100;

/// What a solve's checks read and record.
pub(crate) struct Watch<'a> {
    progress: &'a dyn Progress,
    limit_ms: u64,
    last_report_ms: AtomicU64,
    cancelled: AtomicBool,
}

impl<'a> Watch<'a> {
    /// Tells `progress` the solve has begun.
    pub(crate) fn new(progress: &'a dyn Progress, time_limit_s: f64) -> Self {
        progress.stage(Stage::Solving);
        Watch {
            progress,
            limit_ms: seconds_to_ms(time_limit_s),
            last_report_ms: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Whether the solve stopped because the person asked it to.
    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// True when the solve should stop now, `running_time_s` into it.
    pub(crate) fn check(&self, running_time_s: f64) -> bool {
        if self.progress.is_cancelled() {
            self.cancelled.store(true, Ordering::Relaxed);
            return true;
        }
        let now = seconds_to_ms(running_time_s);
        let last = self.last_report_ms.load(Ordering::Relaxed);
        // Past the limit (HiGHS finishing its last step) there is nothing
        // new to say: progress only moves forward.
        let done = now.min(self.limit_ms);
        if now >= last + REPORT_EVERY_MS && done > last {
            self.last_report_ms.store(done, Ordering::Relaxed);
            self.progress.update(done, self.limit_ms);
        }
        false
    }
}

fn seconds_to_ms(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 {
        (s * 1000.0).round() as u64
    } else {
        0
    }
}
