//! The Users view's commands, a few lines each over `dosedesk_core::users`:
//! a manager lists, adds, disables and resets users; anyone signed in
//! changes their own passphrase. Core checks who may (and logs it).

use crate::commands::with_db;
use crate::AppState;
use dosedesk_core::sync::wire::Role;
use dosedesk_core::users::{self, User};
use dosedesk_core::{Error, Result};
use serde::Deserialize;
use tauri::State;
use zeroize::Zeroizing;

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> Result<Vec<User>> {
    with_db(&state, |conn| users::list(conn)).await
}

/// The Add user form.
#[derive(Deserialize)]
pub struct NewUser {
    name: String,
    role: String,
    #[serde(default)]
    sites: Vec<String>,
    passphrase: String,
}

#[tauri::command]
pub async fn add_user(state: State<'_, AppState>, user: NewUser) -> Result<()> {
    let store = state.db_path.clone();
    with_db(&state, move |conn| {
        let passphrase = Zeroizing::new(user.passphrase);
        let role = Role::parse(&user.role).ok_or_else(|| {
            Error::InvalidInput(format!(
                "no role {:?}: manager, clinic or official",
                user.role
            ))
        })?;
        users::add(conn, &store, &user.name, role, &user.sites, &passphrase)
    })
    .await
}

#[tauri::command]
pub async fn disable_user(state: State<'_, AppState>, name: String) -> Result<()> {
    let store = state.db_path.clone();
    with_db(&state, move |conn| users::disable(conn, &store, &name)).await
}

#[tauri::command]
pub async fn reset_passphrase(
    state: State<'_, AppState>,
    name: String,
    passphrase: String,
) -> Result<()> {
    let store = state.db_path.clone();
    with_db(&state, move |conn| {
        let passphrase = Zeroizing::new(passphrase);
        users::reset(conn, &store, &name, &passphrase)
    })
    .await
}

#[tauri::command]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> Result<()> {
    let store = state.db_path.clone();
    with_db(&state, move |conn| {
        let (current, new) = (Zeroizing::new(current), Zeroizing::new(new));
        users::change_own_passphrase(conn, &store, &current, &new)
    })
    .await
}
