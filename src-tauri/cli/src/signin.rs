//! Who opens the store. An encrypted store is unlocked with a user's
//! passphrase, read from a file (`--passphrase-file`, or
//! `DOSEDESK_PASSPHRASE_FILE`) or asked for on a terminal: never taken
//! from the command line itself, where other users' `ps` would show it.

use dosedesk_core::store::encryption::{self, StoreKind};
use dosedesk_core::Error;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub struct Credentials {
    pub user: String,
    pub passphrase: Zeroizing<String>,
}

/// The user and passphrase given by options or the environment, if any.
pub fn given(user: Option<&str>, file: Option<&Path>) -> Result<Option<Credentials>, Error> {
    let user = user
        .map(str::to_string)
        .or_else(|| std::env::var("DOSEDESK_USER").ok())
        .filter(|u| !u.is_empty());
    let file = file
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("DOSEDESK_PASSPHRASE_FILE").map(PathBuf::from))
        .filter(|f| !f.as_os_str().is_empty());
    match (user, file) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Error::InvalidInput(
            "a passphrase file was given without a user: add --user NAME (or DOSEDESK_USER)".into(),
        )),
        (Some(user), Some(file)) => Ok(Some(Credentials {
            passphrase: encryption::read_passphrase_file(&file)?,
            user,
        })),
        (Some(user), None) => Ok(Some(Credentials {
            passphrase: ask_on_terminal(&user)?,
            user,
        })),
    }
}

fn ask_on_terminal(user: &str) -> Result<Zeroizing<String>, Error> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(Error::InvalidInput(format!(
            "no passphrase for {user}: give --passphrase-file FILE (or DOSEDESK_PASSPHRASE_FILE)"
        )));
    }
    rpassword::prompt_password(format!("Passphrase for {user}: "))
        .map(Zeroizing::new)
        .map_err(|e| Error::InvalidInput(format!("reading the passphrase: {e}")))
}

/// Unlocks `store` for this process when it is encrypted, and makes a new
/// store encrypted when a user is given.
///
/// Returns the user whose passphrase opened the store (`users::sign_in`
/// then makes them the session and the audit log's actor).
pub fn unlock(store: &Path, credentials: Option<&Credentials>) -> Result<Option<String>, Error> {
    let signed_in = match (encryption::kind(store), credentials) {
        (StoreKind::Encrypted, Some(c)) => {
            encryption::unlock(store, &c.user, &c.passphrase)?;
            Some(c.user.clone())
        }
        (StoreKind::Missing, Some(c)) => {
            encryption::create(store, &c.user, &c.passphrase)?;
            Some(c.user.clone())
        }
        // `store::open_for_use` refuses a plain store, a store not made
        // yet and an encrypted store it has no key for, saying what to do.
        _ => None,
    };
    Ok(signed_in)
}
