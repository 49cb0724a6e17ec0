//! Locks the store when the laptop goes to sleep (a closed lid, on most
//! laptops): logind announces `PrepareForSleep(true)` on the system bus
//! before suspending, and the store is locked as by the Lock button, its
//! key forgotten before the machine sleeps; the window then shows the
//! sign-in screen (`store-locked`).
//!
//! The signal is taken from any sender on the bus: a local program that
//! sends one can only lock the app, which is the safe direction. With no
//! system bus (a container, some CI machines) the store locks after idle
//! time only, and the log says so.

use crate::AppState;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the window hears after a lock it did not ask for.
pub const LOCKED_EVENT: &str = "store-locked";

/// Subscribes to logind's sleep signal. Call on the main thread (the
/// signal arrives on its main loop); the connection is made without
/// blocking it.
pub fn lock_on_sleep<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    gio::bus_get(gio::BusType::System, gio::Cancellable::NONE, move |bus| {
        let bus = match bus {
            Ok(bus) => bus,
            Err(e) => {
                eprintln!("dosedesk: no system bus ({e}): the store locks after idle time only");
                return;
            }
        };
        // The callback keeps the connection (and so the subscription) alive.
        let kept = bus.clone();
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
                    lock_now(&app, "sleep");
                }
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
            Err(e) => eprintln!("dosedesk: could not lock on sleep: {e}"),
        }
    });
}
