//! Locks the store when the laptop does, as logind announces on the system
//! bus:
//! - going to sleep (a closed lid, on most laptops): `PrepareForSleep(true)`
//!   on the manager, before suspending, so the key is forgotten before the
//!   machine sleeps;
//! - the screen locked without sleeping (Super+L, a lid set to lock only,
//!   `loginctl lock-session`): `Lock` on the session.
//!
//! The store is locked as by the Lock button; the window then shows the
//! sign-in screen (`store-locked`). Signals are taken from any sender, and
//! a `Lock` from any session on the machine: one that reaches the app
//! wrongly can only lock it, which is the safe direction. With no system
//! bus (a container, some CI machines) the store locks after idle time
//! only, and the log says so.

use crate::AppState;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the window hears after a lock it did not ask for.
pub const LOCKED_EVENT: &str = "store-locked";

/// Subscribes to logind's sleep and session-lock signals. Call on the main
/// thread (the signals arrive on its main loop); the connection is made
/// without blocking it.
pub fn lock_with_the_laptop<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    gio::bus_get(gio::BusType::System, gio::Cancellable::NONE, move |bus| {
        let bus = match bus {
            Ok(bus) => bus,
            Err(e) => {
                eprintln!("dosedesk: no system bus ({e}): the store locks after idle time only");
                return;
            }
        };
        // Each callback keeps the connection (and so its subscription) alive.
        let (kept, sleep_app) = (bus.clone(), app.clone());
        bus.signal_subscribe(
            None,
            Some("org.freedesktop.login1.Manager"),
            Some("PrepareForSleep"),
            Some("/org/freedesktop/login1"),
            None,
            gio::DBusSignalFlags::NONE,
            move |_, _, _, _, _, parameters| {
                let _ = &kept;
                if parameters.get::<(bool,)>() == Some((true,)) {
                    lock_now(&sleep_app, "sleep");
                }
            },
        );
        let kept = bus.clone();
        bus.signal_subscribe(
            None,
            Some("org.freedesktop.login1.Session"),
            Some("Lock"),
            None,
            None,
            gio::DBusSignalFlags::NONE,
            move |_, _, _, _, _, _| {
                let _ = &kept;
                lock_now(&app, "screen_locked");
            },
        );
    });
}

fn lock_now<R: Runtime>(app: &AppHandle<R>, reason: &'static str) {
    if dosedesk_core::users::session().is_none() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match crate::commands::lock(&state, reason.into()).await {
            Ok(()) => {
                let _ = app.emit(LOCKED_EVENT, reason);
            }
            Err(e) => eprintln!("dosedesk: could not lock ({reason}): {e}"),
        }
    });
}
