//! The project's one call into C: the `highs` crate wraps no callbacks, so
//! HiGHS's reports are registered through `highs-sys`. HiGHS asks "stop
//! now?" at each check of its limits once the search has begun (after
//! presolve and the root relaxation), and reports each better plan it
//! finds; `Signals` carries both across to the thread waiting on it.
#![allow(unsafe_code)]

use highs::{HighsStatus, Model, SolvedModel};
use highs_sys::{
    kHighsCallbackMipImprovingSolution, kHighsCallbackMipInterrupt, kHighsStatusOk,
    HighsCallbackDataIn, HighsCallbackDataOut, Highs_setCallback, Highs_startCallback,
};
use std::ffi::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// What a running solve and the thread waiting on it share: the request to
/// stop, and what the search had reached when last heard from.
pub(crate) struct Signals {
    columns: usize,
    stop: AtomicBool,
    /// The last finite dual bound HiGHS reported, as `f64` bits (NaN: none).
    dual_bound: AtomicU64,
    /// The last improving plan HiGHS reported (the given start excepted).
    best: Mutex<Option<Vec<f64>>>,
}

impl Signals {
    pub(crate) fn new(columns: usize) -> Self {
        Signals {
            columns,
            stop: AtomicBool::new(false),
            dual_bound: AtomicU64::new(f64::NAN.to_bits()),
            best: Mutex::new(None),
        }
    }

    /// Asks the search to stop at its next check.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The search's bound when last heard from: HiGHS does not always keep
    /// it in its results once interrupted.
    pub(crate) fn dual_bound(&self) -> Option<f64> {
        Some(f64::from_bits(self.dual_bound.load(Ordering::Relaxed))).filter(|b| b.is_finite())
    }

    /// The best plan HiGHS reported finding, if any.
    pub(crate) fn best(&self) -> Option<Vec<f64>> {
        self.best.lock().ok().and_then(|best| best.clone())
    }

    fn record_dual_bound(&self, bound: f64) {
        if bound.is_finite() {
            self.dual_bound.store(bound.to_bits(), Ordering::Relaxed);
        }
    }

    fn record_best(&self, plan: Vec<f64>) {
        if let Ok(mut best) = self.best.lock() {
            *best = Some(plan);
        }
    }
}

/// Solves `model` (of `signals.columns` columns), reporting to `signals`
/// and stopping when it says so.
pub(crate) fn solve(mut model: Model, signals: &Signals) -> Result<SolvedModel, HighsStatus> {
    let highs = model.as_mut_ptr();
    let data = signals as *const Signals as *mut c_void;
    // SAFETY: `highs` is the live HiGHS instance `model` owns. HiGHS keeps
    // `data` and calls `on_report` with it only inside `Highs_run`, which
    // `try_solve` below runs while `signals` is borrowed by this function;
    // the callback is removed before the solved model is handed back, so
    // no later call can reach `data`.
    let set = unsafe {
        Highs_setCallback(highs, Some(on_report), data) == kHighsStatusOk
            && Highs_startCallback(highs, kHighsCallbackMipInterrupt) == kHighsStatusOk
            && Highs_startCallback(highs, kHighsCallbackMipImprovingSolution) == kHighsStatusOk
    };
    if !set {
        return Err(HighsStatus::Error);
    }
    let mut solved = model.try_solve()?;
    // SAFETY: as above; a null callback is HiGHS's "none".
    unsafe {
        Highs_setCallback(solved.as_mut_ptr(), None, std::ptr::null_mut());
    }
    Ok(solved)
}

/// HiGHS's callback: `data` is the `Signals` `solve` registered.
unsafe extern "C" fn on_report(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    input: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    if out.is_null() || data.is_null() {
        return;
    }
    // SAFETY: `data` is the `&Signals` `solve` passed, alive for the whole
    // run; `out` is HiGHS's, valid for this call.
    let (signals, out) = unsafe { (&*(data as *const Signals), &*out) };
    // A panic must not unwind into C: a failing record is skipped.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        signals.record_dual_bound(out.mip_dual_bound);
        if kind == kHighsCallbackMipImprovingSolution && !out.mip_solution.is_null() {
            // SAFETY: HiGHS passes the plan in the original model's
            // columns, `signals.columns` of them, valid for this call.
            let plan = unsafe { std::slice::from_raw_parts(out.mip_solution, signals.columns) };
            signals.record_best(plan.to_vec());
        }
    }));
    if kind == kHighsCallbackMipInterrupt
        && !input.is_null()
        && signals.stop.load(Ordering::Relaxed)
    {
        // SAFETY: `input` is HiGHS's, valid for this call.
        unsafe { (*input).user_interrupt = 1 };
    }
}
