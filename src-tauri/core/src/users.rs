//! The people who sign in to an encrypted store, and what each may do:
//! the same three roles as sync's devices, held to the same rule
//! ([`Role::may_see`], [`Role::may_write`]).
//!
//! - **manager**: everything; adds, disables and resets users;
//! - **clinic** (its sites): people's bookings, tallies and calls at its
//!   sites only;
//! - **official**: figures, charts, plans and briefings; core refuses every
//!   person-level read and write, whatever asks.
//!
//! A process signs in once ([`sign_in`]); a plain store has no sign-in and
//! no restriction (encrypting it brings both).

use crate::error::{Error, Result};
use crate::store::app_user::{self, Row};
use crate::sync::wire::{Role, Table};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;

pub use crate::store::app_user::Row as User;

/// Who is signed in to this process.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub sites: Vec<String>,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);

/// The signed-in user, if any.
pub fn session() -> Option<Session> {
    SESSION.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Ends the session (the app's lock).
pub fn sign_out() {
    *SESSION.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// Signs `user` in on the store `conn` has open, after their passphrase
/// unlocked it. The first user of a store without users (new, or just
/// encrypted) becomes its first manager. A disabled user is refused.
pub fn sign_in(conn: &Connection, user: &str) -> Result<Session> {
    let row = match app_user::get(conn, user)? {
        Some(row) => row,
        None if app_user::count(conn)? == 0 => {
            let row = Row {
                name: user.to_string(),
                role: Role::Manager.name().into(),
                sites: Vec::new(),
                created_at: crate::store::now_timestamp(),
                created_by: user.to_string(),
                disabled_at: None,
            };
            let tx = crate::store::write_transaction(conn)?;
            app_user::insert(&tx, &row)?;
            crate::audit::set_actor(user);
            crate::audit::record(
                &tx,
                "user_added",
                user,
                serde_json::json!({ "role": "manager", "first": true }),
            )?;
            tx.commit()?;
            row
        }
        None => {
            return Err(Error::Forbidden(format!(
                "{user} holds a key to this store but is not one of its users; a manager adds them"
            )))
        }
    };
    if row.disabled_at.is_some() {
        return Err(Error::Forbidden(format!("the account {user} is disabled")));
    }
    let role = Role::parse(&row.role).ok_or_else(|| {
        Error::Internal(format!("user {user} has an unknown role {:?}", row.role))
    })?;
    let session = Session {
        user: row.name,
        role,
        sites: row.sites,
    };
    crate::audit::set_actor(user);
    *SESSION.lock().unwrap_or_else(|p| p.into_inner()) = Some(session.clone());
    Ok(session)
}

/// Signs `user` in (as [`sign_in`]) after their passphrase unlocked the
/// store at `store`, and writes it to the audit log — `via` says from where
/// (`app`, `command line`) — after the wrong sign-ins that came before it,
/// each as its own `sign_in_failed` entry with its time and the name tried.
/// One transaction: the failures leave their file only once logged.
pub fn sign_in_logged(conn: &Connection, store: &Path, user: &str, via: &str) -> Result<Session> {
    let session = sign_in(conn, user)?;
    crate::store::failed_sign_ins::take(store, |failures| {
        let tx = crate::store::write_transaction(conn)?;
        for failure in failures {
            let detail = serde_json::json!({ "at": failure.at });
            crate::audit::record(&tx, "sign_in_failed", &failure.user, detail)?;
        }
        let detail = serde_json::json!({
            "via": via, "role": session.role.name(), "failed_before": failures.len(),
        });
        crate::audit::record(&tx, "sign_in", user, detail)?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(session)
}

fn require_manager(what: &str) -> Result<Session> {
    match session() {
        Some(s) if s.role == Role::Manager => Ok(s),
        Some(s) => Err(Error::Forbidden(format!(
            "{} is signed in as {} and may not {what}: a manager does",
            s.user,
            s.role.name()
        ))),
        None => Err(Error::Forbidden(format!(
            "{what} needs a manager signed in to an encrypted store"
        ))),
    }
}

/// A manager adds a user with a role (and, for a clinic, its sites) and
/// their first passphrase, which gives them a key to the store.
pub fn add(
    conn: &Connection,
    store: &Path,
    name: &str,
    role: Role,
    sites: &[String],
    passphrase: &str,
) -> Result<()> {
    let by = require_manager("add users")?;
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) || name.len() > 64 {
        return Err(Error::InvalidInput(
            "a user name is 1 to 64 characters, none of them control characters".into(),
        ));
    }
    if app_user::get(conn, name)?.is_some() {
        return Err(Error::Conflict(format!("there is already a user {name}")));
    }
    match role {
        Role::Clinic if sites.is_empty() => {
            return Err(Error::InvalidInput(
                "a clinic user needs at least one --site".into(),
            ))
        }
        Role::Clinic => {
            for code in sites {
                crate::store::site::id(conn, code)?;
            }
        }
        _ if !sites.is_empty() => {
            return Err(Error::InvalidInput(format!(
                "sites are for clinic users; a {} sees every site",
                role.name()
            )))
        }
        _ => {}
    }
    let tx = crate::store::write_transaction(conn)?;
    app_user::insert(
        &tx,
        &Row {
            name: name.to_string(),
            role: role.name().into(),
            sites: sites.to_vec(),
            created_at: crate::store::now_timestamp(),
            created_by: by.user.clone(),
            disabled_at: None,
        },
    )?;
    crate::audit::record(
        &tx,
        "user_added",
        name,
        serde_json::json!({ "role": role.name(), "sites": sites }),
    )?;
    // The key file last: a user row without a key opens nothing, a key
    // without a user row is refused at sign-in.
    crate::store::encryption::set_key_holder(store, name, passphrase)?;
    tx.commit()?;
    Ok(())
}

/// A manager disables a user: their key is taken from the key file, and
/// their row kept (the audit log names them).
pub fn disable(conn: &Connection, store: &Path, name: &str) -> Result<()> {
    let by = require_manager("disable users")?;
    if by.user == name {
        return Err(Error::InvalidInput(
            "a manager cannot disable their own account".into(),
        ));
    }
    let tx = crate::store::write_transaction(conn)?;
    if !app_user::disable(&tx, name, &crate::store::now_timestamp())? {
        return Err(Error::NotFound(format!("no enabled user {name}")));
    }
    crate::audit::record(&tx, "user_disabled", name, serde_json::json!({}))?;
    tx.commit()?;
    crate::store::encryption::remove_key_holder(store, name)?;
    Ok(())
}

/// A manager sets a new passphrase for a user who forgot theirs.
pub fn reset(conn: &Connection, store: &Path, name: &str, passphrase: &str) -> Result<()> {
    require_manager("reset passphrases")?;
    match app_user::get(conn, name)? {
        Some(row) if row.disabled_at.is_none() => {}
        _ => return Err(Error::NotFound(format!("no enabled user {name}"))),
    }
    crate::store::encryption::set_key_holder(store, name, passphrase)?;
    crate::audit::record(conn, "passphrase_reset", name, serde_json::json!({}))
}

/// The signed-in user changes their own passphrase, giving the current
/// one: the data key is re-wrapped (the store's pages are untouched) and
/// the change is logged.
pub fn change_own_passphrase(
    conn: &Connection,
    store: &Path,
    current: &str,
    new: &str,
) -> Result<()> {
    let me = session().ok_or_else(|| {
        Error::Forbidden(
            "changing a passphrase needs someone signed in to an encrypted store".into(),
        )
    })?;
    crate::store::encryption::change_passphrase(store, &me.user, current, new)?;
    crate::audit::record(conn, "passphrase_changed", &me.user, serde_json::json!({}))
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    require_manager("list users")?;
    app_user::all(conn)
}

/// Refuses a view of people's data at `site` (`None`: at every site) to a
/// user whose role may not see it.
pub fn require_person_view(site: Option<&str>) -> Result<()> {
    let Some(s) = session() else { return Ok(()) };
    match site {
        Some(_) if s.role.may_see(&s.sites, Table::Appointment, site) => Ok(()),
        None if s.role == Role::Manager => Ok(()),
        _ => Err(person_refusal(&s, site)),
    }
}

/// Refuses a user whose role sees no one's data at any site (an official).
pub fn require_any_person_view() -> Result<()> {
    match session() {
        Some(s) if s.role == Role::Official => Err(person_refusal(&s, None)),
        _ => Ok(()),
    }
}

/// May the signed-in user (if any) see people's data at `site`?
pub fn may_see_people_at(site: &str) -> bool {
    session().is_none_or(|s| s.role.may_see(&s.sites, Table::Appointment, Some(site)))
}

fn person_refusal(s: &Session, site: Option<&str>) -> Error {
    Error::Forbidden(match s.role {
        Role::Official => format!(
            "{} is signed in as an official: figures, charts, plans and briefings, no one's personal data",
            s.user
        ),
        _ => format!(
            "{} sees people's data only at {}{}",
            s.user,
            s.sites.join(", "),
            site.map(|c| format!(", not at {c}")).unwrap_or_else(|| ": choose one of those sites".into())
        ),
    })
}

/// Refuses a write the signed-in user's role may not make (the laptop's
/// device role is checked beside it, in `sync::enrolment::guard_write`).
pub fn require_write(table: Table, site: &str) -> Result<()> {
    let Some(s) = session() else { return Ok(()) };
    if s.role.may_write(&s.sites, table, Some(site)) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "{} is signed in as {}{} and may not record this at {site}",
        s.user,
        s.role.name(),
        if s.sites.is_empty() {
            String::new()
        } else {
            format!(" for {}", s.sites.join(", "))
        }
    )))
}
