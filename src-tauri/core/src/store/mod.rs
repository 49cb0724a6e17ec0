//! The store: the one place that opens a DoseDesk database, and the one
//! door for every write to its clinic-data tables (a module per table,
//! holding that table's SQL).
//!
//! Opening: every connection (app, CLI, tests) gets the same pragmas and
//! the same schema checks.
//!
//! An existing file is first inspected read-only: a database written by a
//! newer DoseDesk, an SQLite file of another application, a file that is not
//! a readable database, an empty file, a folder, or a store missing part of
//! its schema is refused untouched. Clinic records are never deleted or
//! "repaired" here. A new store is built under a temporary name and linked
//! into place whole.

pub(crate) mod app_user;
pub mod appointment;
pub(crate) mod area;
pub(crate) mod audit_log;
pub(crate) mod booking_digest;
pub(crate) mod bulk;
pub(crate) mod confirmed_day;
pub(crate) mod contact_attempt;
pub(crate) mod dose_count;
pub(crate) mod eligibility;
pub mod encryption;
pub mod failed_sign_ins;
pub(crate) mod halves;
pub(crate) mod import_log;
pub(crate) mod person;
pub(crate) mod plan;
pub mod product;
pub(crate) mod provincial;
pub(crate) mod sealed_temp;
pub(crate) mod shift;
pub mod site;
pub(crate) mod supply;
pub(crate) mod sync_log;
pub(crate) mod synced;
pub(crate) mod upsert;

use crate::error::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};

/// `PRAGMA application_id` of every DoseDesk database ("DOSE").
pub const APPLICATION_ID: i64 = 0x444F_5345;

/// Each entry moves the schema up one version; never edit a released one.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_day_totals.sql"),
    include_str!("migrations/0003_check_results.sql"),
    include_str!("migrations/0004_tally_withdrawal.sql"),
    include_str!("migrations/0005_tally_hold.sql"),
    include_str!("migrations/0006_sync.sql"),
    include_str!("migrations/0007_sync_products_releases.sql"),
    include_str!("migrations/0008_audit_log.sql"),
    include_str!("migrations/0009_users.sql"),
    include_str!("migrations/0010_call_details.sql"),
    include_str!("migrations/0011_person_names.sql"),
    include_str!("migrations/0012_person_name_keys.sql"),
    include_str!("migrations/0013_booking_digest.sql"),
    include_str!("migrations/0014_check_marks_under_upserts.sql"),
    include_str!("migrations/0015_slot_index_carries_people.sql"),
    include_str!("migrations/0016_tally_key_by_date.sql"),
    include_str!("migrations/0017_person_index_carries_doses.sql"),
];

/// Work a migration needs that SQL cannot do, run right after the script
/// that brings the schema to that version, in the same transaction.
const AFTER_MIGRATION: &[(i64, MigrationStep)] = &[(12, person::fill_name_keys)];

type MigrationStep = fn(&Connection) -> Result<()>;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating if needed) the database at `path`, migrated to the current schema.
pub fn open(path: &Path) -> Result<Connection> {
    sealed_temp::install()?;
    let key = key_for(path)?;
    if path.exists() {
        inspect_existing(path, key.as_ref())?;
    } else {
        create_new(path, key.as_ref())?;
    }
    let mut conn = Connection::open(path).map_err(|e| corrupt_or_db(path, e))?;
    if let Some(key) = &key {
        encryption::apply_key(&conn, key)?;
    }
    keep_private(path)?;
    configure(&mut conn, path)?;
    migrate(&conn, path)?;
    Ok(conn)
}

/// Opens the store at `path` for someone's use (the app, the command
/// line): only an encrypted one, unlocked by a sign-in
/// ([`encryption::require_encrypted`] says what to do otherwise).
pub fn open_for_use(path: &Path) -> Result<Connection> {
    // A plain file that is no DoseDesk store at all (another
    // application's, a newer DoseDesk's, damaged) is refused as what it is.
    if encryption::kind(path) == encryption::StoreKind::Plain && path.is_file() {
        inspect_existing(path, None)?;
    }
    encryption::require_encrypted(path)?;
    open(path)
}

/// The data key `path` needs: none for a plain store (or a new one no
/// one has unlocked), the unlocked one for an encrypted store, and a clear
/// refusal for an encrypted store this process has not unlocked.
fn key_for(path: &Path) -> Result<Option<encryption::DataKey>> {
    use encryption::StoreKind;
    match encryption::kind(path) {
        StoreKind::Plain => Ok(None),
        StoreKind::Missing => Ok(encryption::unlocked_key(path)),
        StoreKind::Encrypted => encryption::unlocked_key(path).map(Some).ok_or_else(|| {
            Error::Locked(format!(
                "{} is encrypted: sign in to open it (the command line takes --user NAME and \
                 --passphrase-file FILE, or DOSEDESK_USER and DOSEDESK_PASSPHRASE_FILE)",
                path.display()
            ))
        }),
        StoreKind::Unreadable => Err(Error::Corrupt(
            path.to_path_buf(),
            format!(
                "it is not a readable SQLite database and has no key file ({}) beside it; if it \
                 is an encrypted DoseDesk store, restore its key file from the backup made with it",
                encryption::keyring_path(path).display()
            ),
        )),
    }
}

/// A new store is built whole under a temporary name beside `path` and
/// then linked into place, so a file at a store's path is never an empty
/// or half-migrated one: an empty file found there is damage, not a store
/// being born (and two processes creating the same store at once both end
/// with the one that was linked first).
fn create_new(path: &Path, key: Option<&encryption::DataKey>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        create_private_dir(&dir)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.unwrap_or_default()))
        .suffix(".new")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, &e))?
        .into_temp_path();
    {
        let mut conn = Connection::open(&temp).map_err(|e| corrupt_or_db(path, e))?;
        if let Some(key) = key {
            encryption::apply_key(&conn, key)?;
        }
        configure(&mut conn, path)?;
        migrate(&conn, path)?;
    } // closing the last connection folds the WAL into the file
    match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        // Another process made the store first: it is the store.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A file system without hard links: rename, unless the store
        // appeared meanwhile.
        Err(_) if !path.exists() => std::fs::rename(&temp, path).map_err(|e| Error::io(path, &e)),
        Err(_) => Ok(()),
    }
}

/// The store holds people's ids, birth dates and phones: its file is its
/// owner's only (0600). SQLite gives the -wal and -shm files it creates the
/// main file's mode, so they follow. An existing store is tightened too.
fn keep_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            // A store someone else owns (read-only to us) stays as it is.
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    Ok(())
}

/// A folder DoseDesk creates for a store: its owner's only (0700).
fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Error::io(dir, &e))
}

/// A private in-memory database, for tests and scratch work.
pub fn open_in_memory() -> Result<Connection> {
    sealed_temp::install()?;
    let mut conn = Connection::open_in_memory()?;
    let path = PathBuf::from(":memory:");
    configure(&mut conn, &path)?;
    migrate(&conn, &path)?;
    Ok(conn)
}

/// The database the app and the CLI use when none is given.
pub fn default_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("ca", "DoseDesk", "DoseDesk")
        .map(|dirs| dirs.data_dir().join("dosedesk.sqlite3"))
        .ok_or_else(|| {
            Error::InvalidInput("no home directory: give a database with --db PATH".into())
        })
}

fn configure(conn: &mut Connection, path: &Path) -> Result<()> {
    // A large page cache for imports and checks over millions of rows.
    configure_shared(conn, BULK_CACHE_SIZE)?;
    // WAL: readers (the app's views) never block the writer (an import) and
    // vice versa. `journal_mode` returns the mode; in-memory stays "memory".
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| corrupt_or_db(path, e))?;
    debug_assert!(mode == "wal" || mode == "memory", "journal mode {mode}");
    // FULL: a committed booking or tally survives a power cut, not only a
    // crash. Our writes are few and large (one transaction per import), so
    // the one extra fsync per commit costs nothing measurable.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "threads", 2)?;
    Ok(())
}

/// The settings every connection gets, the read-only ones beside a store's
/// own (see [`halves`]) included, with `cache_size`.
fn configure_shared(conn: &mut Connection, cache_size: i64) -> Result<()> {
    // Another process (the CLI beside the app) may hold the write lock for
    // minutes during an import; wait, saying so, rather than fail.
    conn.busy_handler(Some(wait_for_lock))?;
    conn.pragma_update(None, "cache_size", cache_size)?;
    // Temporary storage in memory whenever a write transaction begins:
    // SQLite then keeps each statement's journal (the pages it touched, to
    // undo it alone) in memory, where SQLCipher does not encrypt it page by
    // page (on disk it did, for every INSERT of a bulk load: a 10-million-
    // booking import's rows took 36 s instead of 16). Index builds switch
    // to sealed files on disk inside their transaction
    // (`bulk::with_sorts_on_disk`).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Plans that never depend on bound values. Without this, planning a
    // `column = ?` term marks the statement to be planned again when that
    // value changes, and rusqlite clears the bindings of every statement it
    // returns to its cache, which SQLite takes as such a change: each reuse
    // of a cached statement was prepared afresh (half the time of the
    // rebooking desk's look-ups of free places at 10 million bookings).
    // Bound values had little say in plans here: stores hold no ANALYZE
    // samples and no query matches a bound LIKE pattern.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // rusqlite keeps 16 prepared statements by default; a view such as the
    // rebooking plan cycles through more, and re-parsed them every time.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// How long a write waits for another process's (an import of a
/// province's bookings takes minutes) before it gives up with a clear
/// message ([`Error::Busy`]).
pub const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// After this long a wait is announced (see [`on_lock_wait`]).
const LOCK_NOTICE_AFTER_MS: i64 = 1_000;

static LOCK_WAIT_NOTICE: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Where "waiting for the store" goes, once per wait that lasts over a
/// second (the CLI prints it on standard error). Set once per process.
pub fn on_lock_wait(notice: fn(&str)) {
    let _ = LOCK_WAIT_NOTICE.set(notice);
}

/// SQLite's busy handler: called with how often this lock was tried.
/// Short sleeps first (most waits are a view's brief write), then a
/// quarter second, until [`LOCK_PATIENCE`] has passed.
fn wait_for_lock(attempt: i32) -> bool {
    let attempt = i64::from(attempt);
    let (waited_ms, step_ms) = if attempt < 20 {
        (attempt * 50, 50)
    } else {
        (1_000 + (attempt - 20) * 250, 250)
    };
    if waited_ms >= LOCK_PATIENCE.as_millis() as i64 {
        return false;
    }
    if waited_ms == LOCK_NOTICE_AFTER_MS {
        if let Some(notice) = LOCK_WAIT_NOTICE.get() {
            notice(
                "waiting for the store: another DoseDesk window or command is writing to it \
                 (an import or a sync?); this goes on as soon as that finishes",
            );
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(step_ms as u64));
    true
}

/// `cache_size` for long work over millions of rows (imports, checks): 64 MiB.
pub const BULK_CACHE_SIZE: i64 = -65_536;
/// `cache_size` for the short-lived connection behind one view: 8 MiB. The
/// app opens one per command; a 64 MiB cache each time left the process
/// holding ~60 MB more heap at 10 million appointments (measured with
/// tests/bench/app.sh: PSS 300 MB → 240 MB), with no view slower.
pub const VIEW_CACHE_SIZE: i64 = -8_192;

/// Refuses, without writing a byte, a file we must not touch.
fn inspect_existing(path: &Path, key: Option<&encryption::DataKey>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
    if meta.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is a folder, not a DoseDesk store: give the path of the store's file (it was not changed)",
            path.display()
        )));
    }
    if meta.len() == 0 {
        // New stores are linked into place whole (`create_new`): an empty
        // file is a store that lost its contents, or not ours.
        return Err(Error::Corrupt(
            path.to_path_buf(),
            "it is empty; a DoseDesk store, even a new one, never is. Restore it from a backup, or give a path that does not exist yet for a new store".into(),
        ));
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| corrupt_or_db(path, e))?;
    if let Some(key) = key {
        encryption::apply_key(&conn, key)?;
    }
    // Another process may be creating, migrating or checkpointing it.
    conn.busy_handler(Some(wait_for_lock))?;
    let read = |sql: &str| -> Result<i64> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| match key {
                Some(_) if is_not_a_database(&e) => Error::Corrupt(
                    path.to_path_buf(),
                    format!(
                        "its key file ({}) does not open it: the key file belongs to another \
                     store, or the store is damaged",
                        encryption::keyring_path(path).display()
                    ),
                ),
                _ => corrupt_or_db(path, e),
            })
    };
    let app_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let objects = read("SELECT count(*) FROM sqlite_schema")?;
    match app_id {
        APPLICATION_ID if version > SCHEMA_VERSION => Err(Error::SchemaTooNew(
            path.to_path_buf(),
            version,
            SCHEMA_VERSION,
        )),
        APPLICATION_ID if version == SCHEMA_VERSION => require_whole_schema(&conn, path),
        APPLICATION_ID => Ok(()),
        0 if objects == 0 && version == 0 => Ok(()), // empty SQLite file
        _ => Err(Error::NotDoseDesk(path.to_path_buf())),
    }
}

/// A current store holding fewer tables, indexes or triggers than this
/// build makes was damaged (or edited by hand): refused before anything
/// (the WAL switch included) writes to it.
fn require_whole_schema(conn: &Connection, path: &Path) -> Result<()> {
    static EXPECTED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let expected = match EXPECTED.get() {
        Some(names) => names,
        None => {
            let fresh = Connection::open_in_memory()?;
            migrate(&fresh, Path::new(":memory:"))?;
            let names = schema_names(&fresh)?;
            EXPECTED.get_or_init(|| names)
        }
    };
    let present: std::collections::HashSet<String> = schema_names(conn)
        .map_err(|e| match e {
            Error::Database(e) => corrupt_or_db(path, e),
            other => other,
        })?
        .into_iter()
        .collect();
    match expected.iter().find(|name| !present.contains(*name)) {
        Some(missing) => Err(Error::Corrupt(
            path.to_path_buf(),
            format!("its {missing} is missing; the store is damaged"),
        )),
        None => Ok(()),
    }
}

/// "table x", "index y", "trigger z" for every object in the schema.
fn schema_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT type || ' ' || name FROM sqlite_schema
         WHERE type IN ('table', 'index', 'trigger', 'view') AND name NOT LIKE 'sqlite_%'",
    )?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
}

fn corrupt_or_db(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Corrupt(path.to_path_buf(), e.to_string())
        }
        Some(rusqlite::ErrorCode::CannotOpen) | Some(rusqlite::ErrorCode::PermissionDenied) => {
            Error::Io {
                path: path.to_path_buf(),
                message: format!("cannot open: {e}"),
            }
        }
        _ => Error::from(e),
    }
}

/// A write transaction on a shared connection, begun IMMEDIATE: it takes
/// the write lock first, waiting (the busy handler) while another process
/// holds it. A deferred one that read first and then wrote would be refused
/// at once instead, with no wait: SQLite cannot wait for a lock while
/// holding a read snapshot another writer is about to make stale.
pub(crate) fn write_transaction(conn: &Connection) -> Result<rusqlite::Transaction<'_>> {
    Ok(rusqlite::Transaction::new_unchecked(
        conn,
        TransactionBehavior::Immediate,
    )?)
}

static UPGRADE_NOTICE: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Where "upgrading the store" goes: said once before an existing store is
/// migrated to this build's schema, which may rebuild an index over every
/// booking (15-20 s at 10 million here) while the app or command seems
/// idle. The CLI prints it; the app shows it at sign-in. Set once per
/// process.
pub fn on_upgrade(notice: fn(&str)) {
    let _ = UPGRADE_NOTICE.set(notice);
}

fn upgrade_notice(path: &Path, from: i64) -> String {
    format!(
        "upgrading {} for this version of DoseDesk (schema {from} to {SCHEMA_VERSION}): once, \
         and up to a minute or two for a province's bookings; if it is interrupted, the store \
         stays as it was",
        path.display()
    )
}

/// Applies pending migrations in one IMMEDIATE transaction. The version is
/// re-read inside the transaction, so two processes opening a new file at
/// once migrate it exactly once.
fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // A migration may rebuild an index or a table over millions of rows:
    // its sorts spill to sealed temporary files (`bulk::with_sorts_on_disk`
    // says why). Switched outside the transaction, because renaming a
    // table keeps the temporary schema open until commit and SQLite refuses
    // the switch back inside it.
    conn.pragma_update(None, "temp_store", "FILE")?;
    let migrated = migrate_in_one_transaction(conn, path);
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    migrated
}

fn migrate_in_one_transaction(conn: &Connection, path: &Path) -> Result<()> {
    let tx = write_transaction(conn)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew(
            path.to_path_buf(),
            current,
            SCHEMA_VERSION,
        ));
    }
    if current > 0 {
        if let Some(notice) = UPGRADE_NOTICE.get() {
            notice(&upgrade_notice(path, current));
        }
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(current as usize) {
        tx.execute_batch(sql)?;
        for (_, step) in AFTER_MIGRATION.iter().filter(|(v, _)| *v == version) {
            step(&tx)?;
        }
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Runs `read` inside one read transaction (unless the caller already has
/// one): a view's many small queries then see one snapshot of the store and
/// take SQLite's file lock once, not once per statement.
pub fn read_snapshot<T>(conn: &Connection, read: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return read();
    }
    conn.execute_batch("BEGIN DEFERRED")?;
    let out = read();
    // A read transaction has nothing to keep: ending it either way is the same.
    conn.execute_batch("COMMIT")?;
    out
}

/// The current time as an ISO 8601 UTC timestamp, for `updated_at`.
pub fn now_timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A fresh random row identity for rows that may travel between machines.
pub fn new_uuid() -> [u8; 16] {
    *uuid::Uuid::new_v4().as_bytes()
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
