//! DoseDesk desktop shell: maps IPC commands to `dosedesk_core` calls, a few
//! lines each, and runs them off the main thread. No domain logic lives here.

mod commands;
mod file_picks;
#[cfg(target_os = "linux")]
mod page_recovery;
mod settings_commands;
mod shift_plan_commands;
mod siting_commands;
#[cfg(target_os = "linux")]
mod sleep_lock;
mod state;
mod sync_commands;
mod text_size;
mod users_commands;

pub use state::{CancelToken, Job, Jobs, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// What every command needs, kept for the app's life: the store (opened and
/// migrated once at start-up; commands borrow its connections, never reopen),
/// the launch options, and the running jobs with their cancellation tokens.
pub struct AppState {
    pub db_path: PathBuf,
    pub launch: LaunchOptions,
    pub store: Arc<Store>,
    pub jobs: Jobs,
    /// Background sync with the unit's server (when enrolled).
    pub sync: Arc<sync_commands::SyncRunner>,
    /// Files chosen in native dialogs, not used yet.
    pub picks: file_picks::Picks,
    /// This machine's settings, read once at start-up, replaced on save.
    pub settings: std::sync::Arc<settings_commands::MachineSettings>,
}

impl AppState {
    /// Opens the store at `db_path`. A store that cannot be opened is
    /// reported on stderr here and by every command (the app shows it).
    pub fn open(db_path: PathBuf, launch: LaunchOptions) -> Self {
        if let Err(err) = sign_in_from_environment(&db_path) {
            eprintln!("dosedesk: {err}");
        }
        let (store, opened) = Store::open(&db_path);
        let launch_settings_path = launch.settings_path.clone();
        // A store waiting for its sign-in or its first manager is the
        // normal start, which the window shows; anything else is worth a line.
        let at_the_door = ["store_locked", "store_missing", "store_unencrypted"];
        match opened {
            Err(err) if !at_the_door.contains(&err.code()) => eprintln!("dosedesk: {err}"),
            _ => {}
        }
        AppState {
            db_path,
            launch,
            store,
            jobs: Jobs::default(),
            sync: Arc::default(),
            picks: file_picks::Picks::default(),
            settings: std::sync::Arc::new(settings_commands::MachineSettings::load(
                launch_settings_path,
            )),
        }
    }
}

/// When the benchmark's view tour starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tour {
    /// As soon as the schedule is painted: each first open also fetches its
    /// view's module and decodes the fonts it draws with.
    Cold,
    /// Once the modules and fonts the app fetches while the schedule is
    /// read are in: a first open as someone who clicks after a second meets it.
    Prefetched,
}

/// Command-line choices beyond the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    /// `--week DATE`: open the views on this date's week.
    pub start_date: Option<String>,
    /// `--tour-views[=prefetched]`: after start-up, open every view once
    /// and report how long each took to paint (the benchmark's "every view
    /// answers" figure).
    pub tour_views: Option<Tour>,
    /// `--now INSTANT` (RFC 3339): run as if the clock said so, e.g. 23:30
    /// in Ottawa for the end-to-end test of "today".
    pub now: Option<String>,
    /// `--lock-after SECONDS`: an encrypted store locks after this long
    /// with no keyboard or mouse input (0: never), instead of the
    /// settings' minutes (the end-to-end test of the lock waits seconds).
    pub lock_after_seconds: Option<u64>,
    /// `--settings FILE`: this machine's settings file, instead of the one
    /// in the OS's configuration folder.
    pub settings_path: Option<PathBuf>,
}

/// Declares the IPC commands once: `COMMANDS` lists their names and
/// `invoke_handler` registers exactly those. The UI's `api.js` must call the
/// same set (a test in tests.rs compares them both ways).
macro_rules! commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        /// The name of every IPC command the app registers.
        pub const COMMANDS: &[&str] = &[$(stringify!($command)),*];

        fn invoke_handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$command),*]
        }
    };
}

commands![
    commands::app_info,
    settings_commands::get_settings,
    settings_commands::save_settings,
    commands::unlock_store,
    commands::set_up_store,
    commands::demo_account,
    commands::lock_store,
    commands::audit_entries,
    commands::audit_verify,
    users_commands::list_users,
    users_commands::add_user,
    users_commands::disable_user,
    users_commands::reset_passphrase,
    users_commands::change_passphrase,
    file_picks::pick_file,
    commands::load_demo,
    commands::import_file,
    commands::cancel_job,
    commands::site_list,
    commands::product_list,
    commands::week_schedule,
    commands::run_checks,
    commands::slot_checks,
    commands::book_first_dose,
    commands::rebook_page,
    commands::nearest_free_slots,
    commands::check_people,
    commands::outside_shift_days,
    commands::shift_add,
    commands::shift_change,
    commands::shift_cancel,
    commands::rebook_undo,
    commands::rebook_counts,
    commands::rebook_alternatives,
    commands::rebook_record,
    commands::rebook_export,
    commands::view_painted,
    commands::person_bookings,
    commands::find_people,
    commands::site_day_bookings,
    commands::cancel_appointment,
    commands::dose_figures,
    commands::chart_svg,
    commands::export_chart,
    commands::record_tally,
    commands::withdraw_tally,
    commands::site_day_tallies,
    commands::tally_shift_choices,
    commands::reconcile,
    commands::confirm_day,
    commands::provincial_revisions,
    commands::write_briefing,
    commands::add_temporary_shift,
    shift_plan_commands::plan_shifts,
    shift_plan_commands::export_plan_chart,
    shift_plan_commands::save_shift_scenario,
    shift_plan_commands::list_shift_scenarios,
    shift_plan_commands::compare_shift_scenarios,
    shift_plan_commands::apply_shift_scenario,
    shift_plan_commands::undo_shift_scenario,
    siting_commands::siting_candidates,
    siting_commands::plan_siting,
    siting_commands::export_siting_map,
    siting_commands::save_siting_scenario,
    siting_commands::siting_scenarios,
    siting_commands::compare_siting_scenarios,
    siting_commands::open_siting_scenario,
    sync_commands::sync_status,
    sync_commands::sync_now,
    sync_commands::sync_enrol,
    sync_commands::sync_conflicts,
    sync_commands::sync_resolve,
    sync_commands::sync_export_bundle,
    sync_commands::sync_import_bundle,
];

/// A script's sign-in: with `DOSEDESK_USER` and `DOSEDESK_PASSPHRASE_FILE`
/// set, as the command line takes them, the app opens signed in (the
/// benchmarks launch it so). Without them it opens on its sign-in screen;
/// a wrong passphrase is refused (and counted) as there.
fn sign_in_from_environment(db: &std::path::Path) -> dosedesk_core::Result<()> {
    let Some(user) = dosedesk_core::store::encryption::unlock_from_environment(db)? else {
        return Ok(());
    };
    let conn = dosedesk_core::store::open_for_use(db)?;
    dosedesk_core::users::sign_in_logged(&conn, db, &user, "app").map(drop)
}

/// Registers DoseDesk's state, plugins and commands on any runtime, so tests
/// can use `tauri::test::mock_builder()`. Opens the store.
pub fn builder<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    db_path: PathBuf,
    launch: LaunchOptions,
) -> tauri::Builder<R> {
    builder
        .manage(AppState::open(db_path, launch))
        .invoke_handler(invoke_handler())
}

/// The database given with `--db PATH` (or `DOSEDESK_DB`), else the user's own.
pub fn db_path_from_args(
    args: impl IntoIterator<Item = String>,
) -> Result<PathBuf, dosedesk_core::Error> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            return args
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| dosedesk_core::Error::InvalidInput("--db needs a PATH".into()));
        }
        if let Some(path) = arg.strip_prefix("--db=") {
            return Ok(PathBuf::from(path));
        }
    }
    match std::env::var_os("DOSEDESK_DB") {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => dosedesk_core::store::default_path(),
    }
}

/// `--week DATE`, `--tour-views[=prefetched]`, `--now INSTANT`, `--lock-after SECONDS` and
/// `--settings FILE` from the command line.
pub fn launch_from_args(args: impl IntoIterator<Item = String>) -> LaunchOptions {
    let mut launch = LaunchOptions::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--week" {
            launch.start_date = args.next();
        } else if let Some(date) = arg.strip_prefix("--week=") {
            launch.start_date = Some(date.to_owned());
        } else if arg == "--tour-views" || arg == "--tour-views=cold" {
            launch.tour_views = Some(Tour::Cold);
        } else if arg == "--tour-views=prefetched" {
            launch.tour_views = Some(Tour::Prefetched);
        } else if arg == "--now" {
            launch.now = args.next();
        } else if let Some(instant) = arg.strip_prefix("--now=") {
            launch.now = Some(instant.to_owned());
        } else if arg == "--settings" {
            launch.settings_path = args.next().map(PathBuf::from);
        } else if let Some(file) = arg.strip_prefix("--settings=") {
            launch.settings_path = Some(PathBuf::from(file));
        } else if arg == "--lock-after" {
            launch.lock_after_seconds = args.next().and_then(|s| s.parse().ok());
        } else if let Some(seconds) = arg.strip_prefix("--lock-after=") {
            launch.lock_after_seconds = seconds.parse().ok();
        }
    }
    launch
}

/// The event that tells the sign-in screen its store is being upgraded.
pub const UPGRADING_EVENT: &str = "store-upgrading";
/// The running app, for the upgrade notice (a plain `fn` in core).
static UPGRADE_LISTENER: std::sync::OnceLock<tauri::AppHandle> = std::sync::OnceLock::new();

pub fn run() {
    let db_path = match db_path_from_args(std::env::args().skip(1)) {
        Ok(path) => path,
        Err(err) => {
            eprintln!("dosedesk: {err}");
            std::process::exit(2);
        }
    };
    let launch = launch_from_args(std::env::args().skip(1));
    // A command waiting for another process's import says so in the log
    // (the view shows it as still working).
    dosedesk_core::store::on_lock_wait(|notice| eprintln!("dosedesk: {notice}"));
    // An upgrade of the store (once per new version; a minute or two at
    // province scale) is said on the sign-in screen, not left as a wait.
    dosedesk_core::store::on_upgrade(|notice| {
        eprintln!("dosedesk: {notice}");
        if let Some(app) = UPGRADE_LISTENER.get() {
            use tauri::Emitter;
            let _ = app.emit(UPGRADING_EVENT, notice);
        }
    });
    let app = builder(tauri::Builder::default(), db_path, launch)
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            use tauri::Manager;
            let state = app.state::<AppState>();
            sync_commands::start_background(state.store.clone(), state.sync.clone());
            text_size::apply(app, &state.settings.current());
            let _ = UPGRADE_LISTENER.set(app.handle().clone());
            #[cfg(target_os = "linux")]
            sleep_lock::lock_with_the_laptop(app.handle());
            #[cfg(target_os = "linux")]
            page_recovery::reload_after_a_crash(app);
            Ok(())
        });
    if let Err(err) = app.run(tauri::generate_context!()) {
        eprintln!("dosedesk: cannot start the window: {err}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
