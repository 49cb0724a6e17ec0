//! The project's one call into C: the `highs` crate wraps no callbacks, so
//! the MIP's "stop now?" question is registered through `highs-sys`. HiGHS
//! asks at each check of its limits once the search has begun (after
//! presolve and the root relaxation); on a yes it stops as at its time
//! limit, with its best plan.
#![allow(unsafe_code)]

use super::watch::Watch;
use highs::{HighsStatus, Model, SolvedModel};
use highs_sys::{
    kHighsCallbackMipInterrupt, kHighsStatusOk, HighsCallbackDataIn, HighsCallbackDataOut,
    Highs_setCallback, Highs_startCallback,
};
use std::ffi::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Solves `model` with `watch` asked at every check of the MIP's limits.
pub(crate) fn solve(mut model: Model, watch: &Watch<'_>) -> Result<SolvedModel, HighsStatus> {
    let highs = model.as_mut_ptr();
    let data = watch as *const Watch<'_> as *mut c_void;
    // SAFETY: `highs` is the live HiGHS instance `model` owns. HiGHS keeps
    // `data` and calls `on_check` with it only inside `Highs_run`, which
    // `try_solve` below runs while `watch` is borrowed by this function;
    // the callback is removed before the solved model is handed back, so
    // no later call can reach `data`.
    let set = unsafe {
        Highs_setCallback(highs, Some(on_check), data) == kHighsStatusOk
            && Highs_startCallback(highs, kHighsCallbackMipInterrupt) == kHighsStatusOk
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

/// HiGHS's callback: `data` is the `Watch` `solve` registered.
unsafe extern "C" fn on_check(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    input: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    if kind != kHighsCallbackMipInterrupt || out.is_null() || input.is_null() || data.is_null() {
        return;
    }
    // SAFETY: `data` is the `&Watch` `solve` passed, alive for the whole
    // run; `out` and `input` are HiGHS's, valid for this call.
    let (watch, out) = unsafe { (&*(data as *const Watch<'_>), &*out) };
    watch.record_dual_bound(out.mip_dual_bound);
    // A panic must not unwind into C: a failing progress report counts as
    // "carry on".
    let stop = catch_unwind(AssertUnwindSafe(|| watch.check(out.running_time))).unwrap_or(false);
    if stop {
        // SAFETY: as above.
        unsafe { (*input).user_interrupt = 1 };
    }
}
