//! Brings the window back when WebKit's page process ends under it (a crash,
//! or the memory limit): WebKitGTK leaves a blank window until something
//! loads the page again, and the person at the desk sees nothing to click.
//! The page is loaded again and the log says why; the store and the
//! sign-in live in this process, so the page comes back signed in, on its
//! first view, with everything that was saved (a form half filled is lost).
//! A page that ends again and again is left alone after a few tries rather
//! than reloaded in a loop.

use std::cell::RefCell;
use std::time::{Duration, Instant};
use tauri::{Manager, Runtime};
use webkit2gtk::{WebProcessTerminationReason, WebViewExt};

/// Reloads allowed within [`WINDOW`]; past that the window stays as it is.
const RELOADS: usize = 3;
const WINDOW: Duration = Duration::from_secs(60);

/// Watches every window's page process. Call on the main thread, once.
pub fn reload_after_a_crash<R: Runtime, M: Manager<R>>(app: &M) {
    for (label, window) in app.webview_windows() {
        let watched = window.with_webview(move |platform| {
            // When the page was last reloaded (GTK calls back on the main thread).
            let reloads = RefCell::new(Vec::<Instant>::new());
            platform.inner().connect_web_process_terminated(move |view, reason| {
                let why = match reason {
                    WebProcessTerminationReason::Crashed => "crashed",
                    WebProcessTerminationReason::ExceededMemoryLimit => "ran out of memory",
                    WebProcessTerminationReason::TerminatedByApi => "was stopped",
                    _ => "ended",
                };
                let reload = {
                    let mut reloads = reloads.borrow_mut();
                    reloads.retain(|at| at.elapsed() < WINDOW);
                    let room = reloads.len() < RELOADS;
                    if room {
                        reloads.push(Instant::now());
                    }
                    room
                };
                if reload {
                    eprintln!("dosedesk: the page of window {label} {why}: loading it again");
                    view.reload();
                } else {
                    eprintln!(
                        "dosedesk: the page of window {label} {why} again ({RELOADS} times within a minute): not reloaded; restart DoseDesk"
                    );
                }
            });
        });
        if let Err(e) = watched {
            eprintln!("dosedesk: a crash of the page would leave the window blank: {e}");
        }
    }
}
