//! One way to hand a mixed-integer programme to HiGHS, shared by the exact
//! siting models and the extra-shifts model: maximise from a starting plan,
//! stop at a time limit, and say whether the answer is proven optimal and
//! what bound the search reached. The person may stop it early (`watch`):
//! it then answers as at its time limit, with the best plan found.

mod callback;
mod watch;
pub(crate) use watch::Watch;

/// Seconds the exact solvers get unless told otherwise: the national
/// siting instance's coverage runs, and the shift plan at 20 sites × 120
/// days, finish or report their gap within it.
pub const DEFAULT_TIME_LIMIT_SECONDS: f64 = 5.0;

use crate::job::Progress;
use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense, Solution};

/// How long a solve may run, and who watches it: progress goes to
/// `progress`, which may ask the solve to stop.
#[derive(Clone, Copy)]
pub(crate) struct Budget<'a> {
    pub seconds: f64,
    pub progress: &'a dyn Progress,
}

/// What HiGHS found within its time limit.
pub(crate) struct Solved {
    /// The best plan found: `solution[col]`, or `columns()` in the order
    /// they were added.
    pub solution: Solution,
    pub proven_optimal: bool,
    /// No plan scores above this (columns' costs only: the caller adds any
    /// constant). None when the search stopped before it had one.
    pub dual_bound: Option<f64>,
    /// The person stopped the search before it finished.
    pub cancelled: bool,
}

/// Maximises `pb`, started from `start` (one value per column), within
/// `budget`. None when HiGHS found no feasible plan in time or failed.
pub(crate) fn maximise(pb: RowProblem, start: &[f64], budget: Budget<'_>) -> Option<Solved> {
    let mut mip = pb.try_optimise(Sense::Maximise).ok()?;
    mip.make_quiet();
    mip.try_set_option("time_limit", budget.seconds.max(0.0))
        .ok()?;
    // Optimal means optimal: no relative tolerance on the proof.
    mip.try_set_option("mip_rel_gap", 0.0).ok()?;
    // A rejected start only costs HiGHS time: callers keep their heuristic's
    // answer when it is at least as good.
    let _ = mip.try_set_solution(Some(start), None, None, None);
    let watch = Watch::new(budget.progress, budget.seconds);
    let solved = callback::solve(mip, &watch).ok()?;
    let status = solved.status();
    let has_solution = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    if !has_solution
        || !matches!(
            status,
            HighsModelStatus::Optimal
                | HighsModelStatus::ReachedTimeLimit
                | HighsModelStatus::ReachedInterrupt
        )
    {
        return None;
    }
    let proven_optimal = status == HighsModelStatus::Optimal;
    let dual_bound = if proven_optimal {
        None
    } else {
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
            .or_else(|| watch.dual_bound())
    };
    Some(Solved {
        solution: solved.get_solution(),
        proven_optimal,
        dual_bound,
        cancelled: watch.cancelled(),
    })
}

/// Share of `bound` a plan scoring `score` may fall short by: 0 when the
/// shortfall is within `tolerance` (rounding, or less than the smallest
/// step between two plans' scores).
pub(crate) fn gap(score: f64, bound: f64, tolerance: f64) -> f64 {
    if bound - score <= tolerance || bound.abs() < 1e-12 {
        0.0
    } else {
        ((bound - score) / bound.abs()).max(0.0)
    }
}
