//! One way to hand a mixed-integer programme to HiGHS, shared by the exact
//! siting models and the extra-shifts model: maximise from a starting plan,
//! stop at a time limit, and say whether the answer is proven optimal and
//! what bound the search reached. The person may stop it early (`watch`):
//! it then answers at once, with the best plan and bound found so far.

mod callback;
mod watch;
pub(crate) use watch::Watch;

/// Seconds the exact solvers get unless told otherwise: the national
/// siting instance's coverage runs, and the shift plan at 20 sites × 120
/// days, finish or report their gap within it.
pub const DEFAULT_TIME_LIMIT_SECONDS: f64 = 5.0;

use crate::job::Progress;
use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a solve may run, and who watches it: progress goes to
/// `progress`, which may ask the solve to stop.
#[derive(Clone, Copy)]
pub(crate) struct Budget<'a> {
    pub seconds: f64,
    pub progress: &'a dyn Progress,
}

/// What HiGHS found within its time limit.
pub(crate) struct Solved {
    /// The best plan found: one value per column, in the order they were
    /// added (the start when the person stopped HiGHS before it found a
    /// better one).
    pub columns: Vec<f64>,
    pub proven_optimal: bool,
    /// No plan scores above this (columns' costs only: the caller adds any
    /// constant). None when the search stopped before it had one.
    pub dual_bound: Option<f64>,
    /// The person stopped the search before it finished.
    pub cancelled: bool,
}

/// How often the thread waiting on HiGHS reports progress and asks whether
/// the person pressed Cancel.
const POLL: Duration = Duration::from_millis(50);

/// Maximises `pb`, started from `start` (one value per column), within
/// `budget`. None when HiGHS found no feasible plan in time or failed.
///
/// HiGHS runs on its own thread: it hears a stop request only between the
/// stages of its search, and its root relaxation alone can take seconds,
/// so on Cancel this returns at once with what the search had reported
/// (its best plan and bound), and HiGHS stops at its next check.
pub(crate) fn maximise(pb: RowProblem, start: &[f64], budget: Budget<'_>) -> Option<Solved> {
    let watch = Watch::new(budget.progress, budget.seconds);
    let signals = Arc::new(callback::Signals::new(start.len()));
    let (done, finished) = mpsc::channel();
    let spawned = {
        let signals = Arc::clone(&signals);
        let start = start.to_vec();
        let seconds = budget.seconds;
        std::thread::Builder::new()
            .name("highs".into())
            .spawn(move || {
                // The waiting side may have gone (Cancel): nothing to tell.
                let _ = done.send(run_highs(pb, &start, seconds, &signals));
            })
    };
    spawned.ok()?;
    let began = Instant::now();
    loop {
        match finished.recv_timeout(POLL) {
            // Finished on its own: a Cancel would have returned below first.
            Ok(found) => return found,
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {
                if watch.check(began.elapsed().as_secs_f64()) {
                    signals.stop();
                    return Some(Solved {
                        columns: signals.best().unwrap_or_else(|| start.to_vec()),
                        proven_optimal: false,
                        dual_bound: signals.dual_bound(),
                        cancelled: true,
                    });
                }
            }
        }
    }
}

/// One HiGHS solve, start to finish, on the calling thread.
fn run_highs(
    pb: RowProblem,
    start: &[f64],
    seconds: f64,
    signals: &callback::Signals,
) -> Option<Solved> {
    let mut mip = pb.try_optimise(Sense::Maximise).ok()?;
    mip.make_quiet();
    mip.try_set_option("time_limit", seconds.max(0.0)).ok()?;
    // Optimal means optimal: no relative tolerance on the proof.
    mip.try_set_option("mip_rel_gap", 0.0).ok()?;
    // A rejected start only costs HiGHS time: callers keep their heuristic's
    // answer when it is at least as good.
    let _ = mip.try_set_solution(Some(start), None, None, None);
    let solved = callback::solve(mip, signals).ok()?;
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
            .or_else(|| signals.dual_bound())
    };
    Some(Solved {
        columns: solved.get_solution().columns().to_vec(),
        proven_optimal,
        dual_bound,
        cancelled: false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::CancelAfter;
    use crate::rng::Rng;

    /// A market-split instance (Cornuéjols and Dawande): `rows` equations
    /// Σ a·x = ⌊Σ a / 2⌋ over binary x, each missed by a slack that costs 1
    /// per unit. Small, its relaxation solved at once, and with n = 10·(m−1)
    /// columns almost never split exactly, so branch and bound cannot prove
    /// its optimum for a long while. Returns the problem, the all-zero start
    /// and the coefficients.
    fn market_split(seed: u64, rows: usize) -> (RowProblem, Vec<f64>, Vec<Vec<f64>>) {
        let n = 10 * (rows - 1);
        let mut rng = Rng::new(seed);
        let a: Vec<Vec<f64>> = (0..rows)
            .map(|_| (0..n).map(|_| rng.below(100) as f64).collect())
            .collect();
        let mut pb = RowProblem::default();
        let x: Vec<_> = (0..n).map(|_| pb.add_integer_column(0.0, 0..=1)).collect();
        let mut start = vec![0.0; n];
        for row in &a {
            let target = (row.iter().sum::<f64>() / 2.0).floor();
            let over = pb.add_column(-1.0, 0.0..);
            let under = pb.add_column(-1.0, 0.0..);
            let terms = x.iter().zip(row).map(|(&c, &v)| (c, v));
            pb.add_row(target..=target, terms.chain([(over, -1.0), (under, 1.0)]));
            start.extend([0.0, target]);
        }
        (pb, start, a)
    }

    /// How far a choice of x misses the equations (the least total slack).
    fn missed_by(a: &[Vec<f64>], x: &[f64]) -> f64 {
        a.iter()
            .map(|row| {
                let target = (row.iter().sum::<f64>() / 2.0).floor();
                let got: f64 = row.iter().zip(x).map(|(v, x)| v * x.round()).sum();
                (target - got).abs()
            })
            .sum()
    }

    /// Cancel is answered within moments even while HiGHS is deep in its
    /// search, with the best plan and the bound it had reached.
    #[test]
    fn cancel_answers_at_once_with_the_plan_and_bound_so_far() {
        let (pb, start, a) = market_split(11, 4);
        let person = CancelAfter::new(Duration::from_secs(1));
        let budget = Budget {
            seconds: 120.0,
            progress: &person,
        };
        let solved = maximise(pb, &start, budget).expect("the start is a plan");
        let solving = person.solving_since().expect("started").elapsed();
        assert!(solved.cancelled, "not reported cancelled");
        assert!(!solved.proven_optimal, "proven within a second: too easy");
        assert!(
            solving < Duration::from_millis(1_800),
            "cancelled at 1 s, answered at {solving:?}"
        );
        let n = a[0].len();
        let x = &solved.columns[..n];
        assert!(
            x.iter()
                .all(|v| (v - v.round()).abs() < 1e-6 && matches!(v.round() as i64, 0 | 1)),
            "not a choice of x: {x:?}"
        );
        let plan = -missed_by(&a, x);
        assert!(plan >= -missed_by(&a, &start[..n]), "worse than the start");
        let bound = solved.dual_bound.expect("the relaxation's bound is kept");
        assert!(
            bound >= plan - 1e-6,
            "bound {bound} below a plan scoring {plan}"
        );
        assert!(
            !person.updates.lock().expect("lock").is_empty(),
            "no progress while solving"
        );
    }

    /// Left alone, the same kind of solve runs to its time limit and says
    /// it was not cancelled.
    #[test]
    fn a_time_limit_ends_the_search_uncancelled() {
        let (pb, start, a) = market_split(12, 4);
        let budget = Budget {
            seconds: 0.5,
            progress: &crate::job::Quiet,
        };
        let began = Instant::now();
        let solved = maximise(pb, &start, budget).expect("the start is a plan");
        assert!(!solved.cancelled);
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "{:?}",
            began.elapsed()
        );
        let n = a[0].len();
        let plan = -missed_by(&a, &solved.columns[..n]);
        if let Some(bound) = solved.dual_bound {
            assert!(bound >= plan - 1e-6);
        }
        assert!(solved.proven_optimal || solved.dual_bound.is_some());
    }
}
