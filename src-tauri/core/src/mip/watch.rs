//! A solve the person can watch and stop: progress is the seconds spent
//! of the time limit, sent at most every `REPORT_EVERY_MS`; the answer to
//! "stop now?" comes from the job's `Progress` (the person pressed Cancel).
//! HiGHS asks through `callback`; the Lagrangian bound asks each round.

use crate::job::{Progress, Stage};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Progress is sent at most this often: HiGHS checks its limits at every
/// node, thousands of times a second.
const REPORT_EVERY_MS: u64 = 100;

/// What a solve's checks read and record.
pub(crate) struct Watch<'a> {
    progress: &'a dyn Progress,
    limit_ms: u64,
    last_report_ms: AtomicU64,
    cancelled: AtomicBool,
    /// The last finite dual bound HiGHS reported, as `f64` bits (NaN: none).
    dual_bound: AtomicU64,
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
            dual_bound: AtomicU64::new(f64::NAN.to_bits()),
        }
    }

    /// The search's bound when last asked: HiGHS does not always keep it
    /// in its results once interrupted.
    pub(crate) fn dual_bound(&self) -> Option<f64> {
        Some(f64::from_bits(self.dual_bound.load(Ordering::Relaxed))).filter(|b| b.is_finite())
    }

    pub(crate) fn record_dual_bound(&self, bound: f64) {
        if bound.is_finite() {
            self.dual_bound.store(bound.to_bits(), Ordering::Relaxed);
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
        if now >= last + REPORT_EVERY_MS {
            self.last_report_ms.store(now, Ordering::Relaxed);
            self.progress.update(now.min(self.limit_ms), self.limit_ms);
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
