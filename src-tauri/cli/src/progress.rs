//! Progress of long work on stderr, and Ctrl-C as its Cancel button.

use dosedesk_core::import::{Progress, Stage};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Set by the first Ctrl-C.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C ask long work to stop, as the app's Cancel does: an import
/// rolls back, a planner's solve answers with the best plan it has. A
/// second Ctrl-C ends the program at once.
pub fn stop_on_ctrl_c() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("dosedesk-cli: stopping (Ctrl-C again to quit at once)");
    });
    if let Err(e) = installed {
        eprintln!("dosedesk-cli: Ctrl-C will end the program at once ({e})");
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal; it names
/// the stage long work is in, and can time each stage.
pub struct Bar {
    bar: Option<ProgressBar>,
    label: String,
    /// With `--timings`: when each stage began.
    stages: Option<Mutex<Vec<(Stage, Instant)>>>,
}

impl Bar {
    pub fn new(label: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_owned());
            bar
        });
        Bar {
            bar,
            label: label.to_owned(),
            stages: None,
        }
    }

    /// A bar for a planner's solve: the share of its time limit spent.
    pub fn solving(label: &str) -> Self {
        let bar = Bar::new(label);
        if let Some(b) = &bar.bar {
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:40}] {percent:>3} % of the time limit (Ctrl-C keeps the best plan found)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            b.set_style(style);
        }
        bar
    }

    pub fn timed(mut self, on: bool) -> Self {
        self.stages = on.then(|| Mutex::new(Vec::new()));
        self
    }

    /// Clears the bar; with `--timings`, prints each stage's seconds.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let Some(stages) = &self.stages else { return };
        let stages = stages.lock().map(|s| s.clone()).unwrap_or_default();
        let ends = stages.iter().skip(1).map(|s| s.1).chain([Instant::now()]);
        for ((stage, start), end) in stages.iter().zip(ends) {
            eprintln!(
                "{}: {:<26} {:8.2} s",
                self.label,
                stage.describe(),
                (end - *start).as_secs_f64()
            );
        }
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    fn stage(&self, stage: Stage) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("{}: {}", self.label, stage.describe()));
        }
        if let Some(Ok(mut stages)) = self.stages.as_ref().map(Mutex::lock) {
            stages.push((stage, Instant::now()));
        }
    }

    fn is_cancelled(&self) -> bool {
        INTERRUPTED.load(Ordering::SeqCst)
    }
}
