//! Encryption at rest. A store holds people's ids, birth dates and phones
//! and travels on laptops: its pages (the WAL's included) are encrypted by
//! SQLCipher with a random 256-bit data key, given to SQLCipher raw (no key
//! stretching on every open).
//!
//! The data key is kept beside the store, in `<store>.keys`, wrapped once per
//! user: XChaCha20-Poly1305 under a key derived from that user's passphrase by
//! Argon2id. Changing a passphrase re-wraps the data key; the store itself is
//! never re-encrypted for it. Losing `<store>.keys` loses the store: back the
//! two files up together.
//!
//! A process unlocks a store once ([`unlock`], [`create`]); from then on
//! every connection [`super::open`] makes to it is keyed before its first
//! statement. The keys a process holds are wiped from memory when dropped.

use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use zeroize::Zeroizing;

/// The first 16 bytes of every unencrypted SQLite file. An encrypted one
/// starts with its random salt instead.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Argon2id cost: 64 MiB, 3 passes, one lane — above OWASP's minimum
/// (19 MiB, 2 passes) and its 46 MiB/1 pass alternative. About half a
/// second here: paid once per sign-in, never per connection.
const KDF_MEMORY_KIB: u32 = 64 * 1024;
const KDF_PASSES: u32 = 3;
const KDF_LANES: u32 = 1;

const KEYRING_FORMAT: &str = "dosedesk-keyring-1";

/// A passphrase shorter than this is refused when set.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// A store's data key, with the page cipher its store was written with;
/// wiped from memory when dropped.
#[derive(Clone)]
pub struct DataKey {
    bytes: Zeroizing<[u8; 32]>,
    cipher: PageCipher,
}

/// How SQLCipher protects a store's pages. A store opens only with the
/// settings it was written with, so its key file names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
enum PageCipher {
    /// SQLCipher 4's defaults, AES-256-CBC and HMAC-SHA512: stores whose
    /// key file names no cipher (made before it did).
    #[default]
    #[serde(rename = "sqlcipher4")]
    Sqlcipher4,
    /// AES-256-CBC and HMAC-SHA256 (a 256-bit key, a 256-bit tag on every
    /// page) over 16 KiB pages: every store made now. On processors with
    /// SHA extensions, as this one, OpenSSL's HMAC-SHA256 runs twice as
    /// fast as HMAC-SHA512 (1.4 against 0.7 GB/s), and the MAC is most of
    /// the cost of reading a page; larger pages spread each page's fixed
    /// cost (its cipher and MAC set-up, IV and tag) over four times the
    /// rows. `tests/bench/encryption.sh` measures the result.
    #[serde(rename = "sqlcipher4-hmac-sha256-16k")]
    HmacSha256Pages16k,
}

impl PageCipher {
    /// The pragmas that set it on schema `db`, before its first page is read.
    fn pragmas(self, db: &str) -> Vec<String> {
        match self {
            PageCipher::Sqlcipher4 => Vec::new(),
            PageCipher::HmacSha256Pages16k => vec![
                format!("PRAGMA {db}.cipher_page_size = 16384"),
                format!("PRAGMA {db}.cipher_hmac_algorithm = HMAC_SHA256"),
            ],
        }
    }
}

impl DataKey {
    /// A new store's key, under the page cipher new stores get.
    fn random() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(bytes.as_mut())
            .map_err(|e| Error::Internal(format!("no random numbers from the system: {e}")))?;
        Ok(DataKey {
            bytes,
            cipher: PageCipher::HmacSha256Pages16k,
        })
    }

    /// SQLCipher's raw-key form: `x'…'` (64 hex digits), no key derivation.
    fn pragma_value(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(crate::export::hex(self.bytes.as_ref()));
        Zeroizing::new(format!("\"x'{}'\"", hex.as_str()))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// One user's copy of the data key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WrappedKey {
    user: String,
    kdf: String,
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    salt: String,
    nonce: String,
    wrapped: String,
}

/// `<store>.keys`: the data key wrapped for each user.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Keyring {
    format: String,
    users: Vec<WrappedKey>,
    /// The store's page cipher; absent in key files made before there was
    /// a choice.
    #[serde(default)]
    page_cipher: PageCipher,
    /// Made by [`create_demo`]: its account's passphrase is public, and
    /// the sign-in screen shows it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    demo: bool,
}

/// The demo store's account. Its passphrase is public (printed by `make
/// run`, shown on the demo's sign-in screen): a demo store is for the
/// built-in fictional data only.
pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSPHRASE: &str = "ottawa-spring-2021";

/// Where the keys of the store at `store` are kept.
pub fn keyring_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".keys");
    store.with_file_name(name)
}

/// What a store file is, read from its first bytes without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// No file yet.
    Missing,
    /// An unencrypted SQLite file (or an empty one, or not a file at all:
    /// [`super::open`] gives those their own messages).
    Plain,
    /// Not readable as SQLite, with a key file beside it.
    Encrypted,
    /// Not readable as SQLite and no key file: damage, or a store whose
    /// key file was lost.
    Unreadable,
}

pub fn kind(store: &Path) -> StoreKind {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(store) else {
        return StoreKind::Missing;
    };
    if !meta.is_file() || meta.len() == 0 {
        return StoreKind::Plain;
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(store).and_then(|mut f| f.read_exact(&mut header));
    if read.is_err() {
        return StoreKind::Plain; // let the open say why it cannot be read
    }
    if &header == PLAIN_HEADER {
        StoreKind::Plain
    } else if keyring_path(store).exists() {
        StoreKind::Encrypted
    } else {
        StoreKind::Unreadable
    }
}

/// The data keys this process has unlocked, by store path.
static UNLOCKED: Mutex<Option<HashMap<PathBuf, DataKey>>> = Mutex::new(None);

/// The registry's key for a store: its absolute path (the file need not
/// exist yet), so `a.db` and `./a.db` are one store.
fn registry_key(store: &Path) -> PathBuf {
    let absolute = std::path::absolute(store).unwrap_or_else(|_| store.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|dir| dir.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute,
    }
}

fn remember(store: &Path, key: DataKey) {
    let mut unlocked = UNLOCKED.lock().unwrap_or_else(|p| p.into_inner());
    unlocked
        .get_or_insert_with(HashMap::new)
        .insert(registry_key(store), key);
}

/// The key this process unlocked for `store`, if any.
pub(super) fn unlocked_key(store: &Path) -> Option<DataKey> {
    let unlocked = UNLOCKED.lock().unwrap_or_else(|p| p.into_inner());
    unlocked.as_ref()?.get(&registry_key(store)).cloned()
}

/// Forgets the key of `store` (the app's lock): connections opened later
/// need [`unlock`] again.
pub fn forget(store: &Path) {
    let mut unlocked = UNLOCKED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(map) = unlocked.as_mut() {
        map.remove(&registry_key(store));
    }
}

/// Keys a fresh connection; must be its first statement.
pub(super) fn apply_key(conn: &rusqlite::Connection, key: &DataKey) -> Result<()> {
    // A wrong key is our error to explain (`store::open` does), not a line
    // SQLCipher prints on the user's terminal.
    run_pragma(conn, "PRAGMA cipher_log_level = NONE")?;
    run_pragma(
        conn,
        &Zeroizing::new(format!("PRAGMA key = {}", key.pragma_value().as_str())),
    )?;
    key.cipher
        .pragmas("main")
        .iter()
        .try_for_each(|pragma| run_pragma(conn, pragma))
}

/// Runs a pragma that answers with rows (SQLCipher's do), ignoring them.
fn run_pragma(conn: &rusqlite::Connection, sql: &str) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// Unlocks the encrypted store at `store` for this process with `user`'s
/// passphrase. A wrong passphrase, an unknown user and a key file that
/// does not belong to the store are each refused plainly.
///
/// Each failed attempt in a row makes the next refusal slower (1 s, 2 s,
/// 4 s … up to 30 s, on top of Argon2id's own cost), so guessing gets
/// nowhere fast; the attempts are counted beside the store
/// ([`super::failed_sign_ins`]), across processes, until a sign-in writes
/// them to the audit log (`users::sign_in_logged`).
pub fn unlock(store: &Path, user: &str, passphrase: &str) -> Result<()> {
    let keyring = read_keyring(store)?;
    let key = keyring
        .users
        .iter()
        .find(|w| w.user == user)
        .and_then(|entry| unwrap_key(entry, passphrase, keyring.page_cipher));
    match key {
        Some(key) => {
            remember(store, key);
            Ok(())
        }
        None => {
            let in_a_row = super::failed_sign_ins::note(store, user);
            std::thread::sleep(failed_sign_in_delay(in_a_row));
            Err(wrong_credentials(store))
        }
    }
}

/// The pause before refusing the `failures`-th wrong sign-in in a row.
pub fn failed_sign_in_delay(failures: u32) -> std::time::Duration {
    let seconds = 1u64 << failures.saturating_sub(1).min(5);
    std::time::Duration::from_secs(seconds.min(30))
}

/// One message for an unknown user and a wrong passphrase, so a guess
/// learns nothing about which names exist.
fn wrong_credentials(store: &Path) -> Error {
    Error::WrongPassphrase(format!(
        "{}: that user name and passphrase do not open this store",
        store.display()
    ))
}

/// Makes `store` (which must not exist yet) a new encrypted store whose
/// first key holder is `user`, and unlocks it for this process. The key
/// file is written first: a store is never encrypted under a key that is
/// kept nowhere.
pub fn create(store: &Path, user: &str, passphrase: &str) -> Result<()> {
    create_keyring(store, user, passphrase, false)
}

fn create_keyring(store: &Path, user: &str, passphrase: &str, demo: bool) -> Result<()> {
    if store.exists() {
        return Err(Error::InvalidInput(format!(
            "{} already exists; it was not changed",
            store.display()
        )));
    }
    check_new_passphrase(passphrase)?;
    let key = DataKey::random()?;
    let keyring = Keyring {
        format: KEYRING_FORMAT.into(),
        users: vec![wrap_key(&key, user, passphrase)?],
        page_cipher: key.cipher,
        demo,
    };
    write_keyring(store, &keyring)?;
    remember(store, key);
    Ok(())
}

/// A passphrase kept in a file (`--passphrase-file`, `DOSEDESK_PASSPHRASE_FILE`):
/// the file's text without its final line break.
pub fn read_passphrase_file(file: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| Error::io(file, &e))?);
    let passphrase = text.strip_suffix('\n').unwrap_or(&text);
    let passphrase = passphrase.strip_suffix('\r').unwrap_or(passphrase);
    if passphrase.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{}: the passphrase file is empty",
            file.display()
        )));
    }
    Ok(Zeroizing::new(passphrase.to_string()))
}

/// Unlocks the encrypted store at `store` for this process with the
/// sign-in a script gives, `DOSEDESK_USER` and `DOSEDESK_PASSPHRASE_FILE`,
/// as the command line takes them. Returns the user, or `None` when either
/// is unset or the store is not encrypted (nothing to unlock).
pub fn unlock_from_environment(store: &Path) -> Result<Option<String>> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let (Some(user), Some(file)) = (var("DOSEDESK_USER"), var("DOSEDESK_PASSPHRASE_FILE")) else {
        return Ok(None);
    };
    if kind(store) != StoreKind::Encrypted {
        return Ok(None);
    }
    let user = user.to_string_lossy().into_owned();
    unlock(store, &user, &read_passphrase_file(Path::new(&file))?)?;
    Ok(Some(user))
}

/// Makes `store` (which must not exist yet) a new encrypted demo store
/// whose first manager is [`DEMO_USER`], and unlocks it for this process.
pub fn create_demo(store: &Path) -> Result<()> {
    create_keyring(store, DEMO_USER, DEMO_PASSPHRASE, true)
}

/// The account to show on the sign-in screen of `store`: the demo's, for
/// a store [`create_demo`] made; none for any other.
pub fn demo_account(store: &Path) -> Option<(&'static str, &'static str)> {
    let keyring = read_keyring(store).ok()?;
    let demo_user_kept = keyring.users.iter().any(|w| w.user == DEMO_USER);
    (keyring.demo && demo_user_kept).then_some((DEMO_USER, DEMO_PASSPHRASE))
}

/// DoseDesk keeps every store encrypted. The app and the command line
/// open a store only past this check (`super::open_for_use`): a store not
/// made yet is made encrypted by naming its first manager ([`create`]), and
/// a plain one is encrypted ([`encrypt_in_place`]) before anyone uses it,
/// never opened as it is. (`super::open` itself reads either kind: the
/// conversion, and tests and benchmarks that build plain stores, use it.)
pub fn require_encrypted(store: &Path) -> Result<()> {
    match kind(store) {
        StoreKind::Encrypted | StoreKind::Unreadable => Ok(()),
        // `create` has unlocked its key: the first open makes the store.
        StoreKind::Missing if unlocked_key(store).is_some() => Ok(()),
        StoreKind::Missing => Err(Error::NoStore(format!(
            "there is no store at {} yet. DoseDesk keeps every store encrypted: a new one is \
             made by naming its first manager (the app asks for one; the command line takes \
             --user NAME and --passphrase-file FILE), or made with the demo's data by \
             `dosedesk-cli --db PATH demo`",
            store.display()
        ))),
        // An empty file or a folder: `open` says what is wrong with it.
        StoreKind::Plain if !std::fs::metadata(store).is_ok_and(|m| m.is_file() && m.len() > 0) => {
            Ok(())
        }
        StoreKind::Plain => Err(Error::Unencrypted(format!(
            "{} is not encrypted, and DoseDesk opens a plain store only to encrypt it: in the \
             app, name its first manager; on the command line, `dosedesk-cli --db PATH --user \
             NAME --passphrase-file FILE store encrypt` (close the app first)",
            store.display()
        ))),
    }
}

/// Makes the store at `store` encrypted with `user` holding its key: a
/// store not made yet is created ([`create`]), a plain one encrypted in
/// place ([`encrypt_in_place`], whose copy is returned). An encrypted store
/// is refused: its users sign in.
pub fn set_up(store: &Path, user: &str, passphrase: &str) -> Result<Option<Conversion>> {
    match kind(store) {
        StoreKind::Missing => create(store, user, passphrase).map(|()| None),
        StoreKind::Plain => encrypt_in_place(store, user, passphrase).map(Some),
        StoreKind::Encrypted | StoreKind::Unreadable => Err(Error::InvalidInput(format!(
            "{} is already encrypted: its users sign in",
            store.display()
        ))),
    }
}

/// Replaces `user`'s passphrase: the data key is re-wrapped, the store's
/// pages are untouched.
pub fn change_passphrase(store: &Path, user: &str, old: &str, new: &str) -> Result<()> {
    check_new_passphrase(new)?;
    let mut keyring = read_keyring(store)?;
    let entry = keyring
        .users
        .iter_mut()
        .find(|w| w.user == user)
        .ok_or_else(|| wrong_credentials(store))?;
    let key =
        unwrap_key(entry, old, keyring.page_cipher).ok_or_else(|| wrong_credentials(store))?;
    *entry = wrap_key(&key, user, new)?;
    write_keyring(store, &keyring)
}

/// Gives `user` a key to the store (a new user, or a manager's reset of a
/// forgotten passphrase): the data key this process unlocked, wrapped by
/// `passphrase`. Replaces the user's key if there is one.
pub fn set_key_holder(store: &Path, user: &str, passphrase: &str) -> Result<()> {
    check_new_passphrase(passphrase)?;
    let key = unlocked_key(store).ok_or_else(|| {
        Error::Locked(format!(
            "{} is not unlocked: sign in first",
            store.display()
        ))
    })?;
    let mut keyring = read_keyring(store)?;
    let wrapped = wrap_key(&key, user, passphrase)?;
    match keyring.users.iter_mut().find(|w| w.user == user) {
        Some(entry) => *entry = wrapped,
        None => keyring.users.push(wrapped),
    }
    write_keyring(store, &keyring)
}

/// Takes `user`'s key away: their passphrase no longer opens the store.
pub fn remove_key_holder(store: &Path, user: &str) -> Result<bool> {
    let mut keyring = read_keyring(store)?;
    let before = keyring.users.len();
    keyring.users.retain(|w| w.user != user);
    if keyring.users.is_empty() {
        return Err(Error::InvalidInput(
            "the store's last key holder cannot be removed: no one could open it".into(),
        ));
    }
    let removed = keyring.users.len() < before;
    write_keyring(store, &keyring)?;
    Ok(removed)
}

fn check_new_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::InvalidInput(format!(
            "a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"
        )));
    }
    Ok(())
}

fn argon2(memory_kib: u32, passes: u32, lanes: u32) -> Result<Argon2<'static>> {
    let params = Params::new(memory_kib, passes, lanes, Some(32))
        .map_err(|e| Error::Internal(format!("Argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn wrapping_key(
    entry_kdf: (u32, u32, u32),
    passphrase: &str,
    salt: &[u8],
) -> Result<Zeroizing<[u8; 32]>> {
    let (memory_kib, passes, lanes) = entry_kdf;
    let mut out = Zeroizing::new([0u8; 32]);
    argon2(memory_kib, passes, lanes)?
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Internal(format!("Argon2: {e}")))?;
    Ok(out)
}

/// Binds a wrapped key to its user: moving an entry to another name in the
/// key file makes it fail to unwrap.
fn associated_data(user: &str) -> Vec<u8> {
    format!("dosedesk data key 1 for {user}").into_bytes()
}

fn wrap_key(key: &DataKey, user: &str, passphrase: &str) -> Result<WrappedKey> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::getrandom(&mut salt)
        .and_then(|()| getrandom::getrandom(&mut nonce))
        .map_err(|e| Error::Internal(format!("no random numbers from the system: {e}")))?;
    let kdf = (KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES);
    let wrapping = wrapping_key(kdf, passphrase, &salt)?;
    let cipher = XChaCha20Poly1305::new(wrapping.as_ref().into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.bytes.as_ref(),
                aad: &associated_data(user),
            },
        )
        .map_err(|_| Error::Internal("wrapping the data key failed".into()))?;
    Ok(WrappedKey {
        user: user.to_string(),
        kdf: "argon2id".into(),
        memory_kib: kdf.0,
        passes: kdf.1,
        lanes: kdf.2,
        salt: crate::export::hex(&salt),
        nonce: crate::export::hex(&nonce),
        wrapped: crate::export::hex(&wrapped),
    })
}

/// `None` when the passphrase (or the entry) is wrong.
fn unwrap_key(entry: &WrappedKey, passphrase: &str, page_cipher: PageCipher) -> Option<DataKey> {
    if entry.kdf != "argon2id" {
        return None;
    }
    let salt = from_hex(&entry.salt)?;
    let nonce = from_hex(&entry.nonce)?;
    let wrapped = from_hex(&entry.wrapped)?;
    if nonce.len() != 24 {
        return None;
    }
    let wrapping = wrapping_key(
        (entry.memory_kib, entry.passes, entry.lanes),
        passphrase,
        &salt,
    )
    .ok()?;
    let cipher = XChaCha20Poly1305::new(wrapping.as_ref().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &wrapped,
                    aad: &associated_data(&entry.user),
                },
            )
            .ok()?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DataKey {
        bytes: Zeroizing::new(bytes),
        cipher: page_cipher,
    })
}

fn read_keyring(store: &Path) -> Result<Keyring> {
    let path = keyring_path(store);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::InvalidInput(format!(
                "{} is not an encrypted store (it has no key file {})",
                store.display(),
                path.display()
            )))
        }
        Err(e) => return Err(Error::io(&path, &e)),
    };
    let keyring: Keyring = serde_json::from_str(&text).map_err(|e| {
        Error::Corrupt(
            path.clone(),
            format!("the store's key file is unreadable: {e}"),
        )
    })?;
    if keyring.format != KEYRING_FORMAT {
        return Err(Error::Corrupt(
            path,
            format!("unknown key file format {:?}", keyring.format),
        ));
    }
    Ok(keyring)
}

/// Written whole under a temporary name (0600) and renamed into place, so
/// the key file is never half-written.
fn write_keyring(store: &Path, keyring: &Keyring) -> Result<()> {
    let path = keyring_path(store);
    let text = serde_json::to_string_pretty(keyring)
        .map_err(|e| Error::Internal(format!("key file: {e}")))?;
    crate::export::write_file(&path, |out| {
        out.write_all(text.as_bytes())
            .map_err(|e| Error::io(&path, &e))
    })?;
    Ok(())
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What [`encrypt_in_place`] copied and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    pub tables: usize,
    pub rows: u64,
}

/// Encrypts the plain store at `store` in place, `user` becoming the
/// holder of its key. The encrypted copy is written beside it, compared
/// with the original row by row, and only then renamed over it (the key
/// file written first); on any failure the original is left as it was.
/// Nothing else may have the store open meanwhile (the app closed).
pub fn encrypt_in_place(store: &Path, user: &str, passphrase: &str) -> Result<Conversion> {
    match kind(store) {
        StoreKind::Plain => {}
        StoreKind::Missing => {
            return Err(Error::NotFound(format!("no store at {}", store.display())))
        }
        StoreKind::Encrypted => {
            return Err(Error::InvalidInput(format!(
                "{} is already encrypted; it was not changed",
                store.display()
            )))
        }
        StoreKind::Unreadable => {
            // `open` refuses it, saying why.
            return Err(super::open(store).err().unwrap_or_else(|| {
                Error::Internal(format!("{} could not be classified", store.display()))
            }));
        }
    }
    check_new_passphrase(passphrase)?;
    let key = DataKey::random()?;
    let dir = match store.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = store.file_name().unwrap_or_default().to_string_lossy();
    let copy = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".encrypting")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, &e))?
        .into_temp_path();
    let conversion = {
        let conn = super::open(store)?; // inspected and migrated, still plain
        let copied = copy_encrypted(&conn, &copy, &key);
        let _ = conn.execute_batch("DETACH DATABASE IF EXISTS encrypted");
        let copied = copied?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        copied
    }; // the last connection closed: SQLite folds and removes the WAL
       // A WAL still there means another connection (the app, a command) has
       // the store open: renaming the copy in would strand its next write.
    let wal = PathBuf::from(format!("{}-wal", store.display()));
    if wal.exists() {
        return Err(Error::Busy(format!(
            "{}: another DoseDesk window or command has the store open; close it and \
             encrypt again (the store was not changed)",
            store.display()
        )));
    }
    let keyring = Keyring {
        format: KEYRING_FORMAT.into(),
        users: vec![wrap_key(&key, user, passphrase)?],
        page_cipher: key.cipher,
        demo: false,
    };
    write_keyring(store, &keyring)?;
    copy.persist(store)
        .map_err(|e| Error::io(store, &e.error))?;
    if let Ok(folder) = std::fs::File::open(&dir) {
        let _ = folder.sync_all(); // the rename itself survives a power cut
    }
    remember(store, key);
    Ok(conversion)
}

/// Copies the store `conn` has open into `copy`, encrypted under `key`,
/// and proves the copy holds the same schema and every row.
fn copy_encrypted(conn: &rusqlite::Connection, copy: &Path, key: &DataKey) -> Result<Conversion> {
    let key_text = Zeroizing::new(format!("x'{}'", crate::export::hex(key.bytes.as_ref())));
    conn.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![copy.to_string_lossy(), key_text.as_str()],
    )?;
    for pragma in key.cipher.pragmas("encrypted") {
        run_pragma(conn, &pragma)?;
    }
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    for pragma in ["user_version", "application_id"] {
        let value: i64 = conn.query_row(&format!("PRAGMA main.{pragma}"), [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA encrypted.{pragma} = {value}"))?;
    }
    verify_copy(conn)
}

/// The attached `encrypted` copy against `main`: the same schema, and in
/// every table the same rows in the same order (each table read by its
/// own b-tree, `NOT INDEXED`, so both sides walk it in key order).
fn verify_copy(conn: &rusqlite::Connection) -> Result<Conversion> {
    let schema = |db: &str| -> Result<Vec<(String, String, Option<String>)>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT type, name, sql FROM {db}.sqlite_schema ORDER BY type, name"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let (original, copied) = (schema("main")?, schema("encrypted")?);
    if original != copied {
        return Err(Error::Internal(
            "the encrypted copy's schema differs from the store's; the store was not changed"
                .into(),
        ));
    }
    for pragma in ["user_version", "application_id"] {
        let read = |db: &str| -> Result<i64> {
            Ok(conn.query_row(&format!("PRAGMA {db}.{pragma}"), [], |r| r.get(0))?)
        };
        if read("main")? != read("encrypted")? {
            return Err(Error::Internal(format!(
                "the encrypted copy's {pragma} differs; the store was not changed"
            )));
        }
    }
    let mut total = Conversion { tables: 0, rows: 0 };
    for (kind, table, _) in &original {
        if kind != "table" || table.starts_with("sqlite_stat") {
            continue;
        }
        let read = |db: &str| {
            format!(
                "SELECT * FROM {db}.\"{}\" NOT INDEXED",
                table.replace('"', "\"\"")
            )
        };
        let (mut a, mut b) = (
            conn.prepare(&read("main"))?,
            conn.prepare(&read("encrypted"))?,
        );
        let columns = a.column_count();
        let (mut rows_a, mut rows_b) = (a.query([])?, b.query([])?);
        loop {
            match (rows_a.next()?, rows_b.next()?) {
                (None, None) => break,
                (Some(x), Some(y)) => {
                    for c in 0..columns {
                        if x.get_ref(c)? != y.get_ref(c)? {
                            return Err(Error::Internal(format!(
                                "the encrypted copy of {table} differs from the store's at row {}; \
                                 the store was not changed",
                                total.rows + 1
                            )));
                        }
                    }
                    total.rows += 1;
                }
                _ => {
                    return Err(Error::Internal(format!(
                        "the encrypted copy of {table} has another number of rows; the store \
                         was not changed"
                    )))
                }
            }
        }
        total.tables += 1;
    }
    Ok(total)
}

#[cfg(test)]
mod tests;
