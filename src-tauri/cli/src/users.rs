//! `dosedesk-cli users …`: a manager's management of the store's users.

use dosedesk_core::store::encryption::read_passphrase_file;
use dosedesk_core::sync::wire::Role;
use dosedesk_core::{users, Connection, Error};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum UsersAction {
    /// Add a user with a role and a first passphrase.
    Add {
        name: String,
        #[arg(long, value_parser = ["manager", "clinic", "official"])]
        role: String,
        /// A clinic user's site (repeat for several).
        #[arg(long = "site", value_name = "CODE")]
        sites: Vec<String>,
        /// Their first passphrase, in a file of its own.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
    },
    /// Every user, with role, sites and whether disabled.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their passphrase no longer opens the store.
    Disable { name: String },
    /// Set a new passphrase for a user who forgot theirs.
    Reset {
        name: String,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
    },
}

pub fn run(conn: &Connection, store: &Path, action: &UsersAction) -> Result<(), Error> {
    match action {
        UsersAction::Add {
            name,
            role,
            sites,
            new_passphrase_file,
        } => {
            let role = Role::parse(role)
                .ok_or_else(|| Error::InvalidInput(format!("unknown role {role:?}")))?;
            let passphrase = read_passphrase_file(new_passphrase_file)?;
            users::add(conn, store, name, role, sites, &passphrase)?;
            println!("added {name} ({})", role.name());
        }
        UsersAction::List { json } => {
            let all = users::list(conn)?;
            if *json {
                println!("{}", serde_json::json!(all));
            } else {
                for u in all {
                    let sites = if u.sites.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", u.sites.join(", "))
                    };
                    let state = u
                        .disabled_at
                        .map(|at| format!("  disabled {at}"))
                        .unwrap_or_default();
                    println!("{}  {}{sites}{state}", u.name, u.role);
                }
            }
        }
        UsersAction::Disable { name } => {
            users::disable(conn, store, name)?;
            println!("disabled {name}");
        }
        UsersAction::Reset {
            name,
            new_passphrase_file,
        } => {
            let passphrase = read_passphrase_file(new_passphrase_file)?;
            users::reset(conn, store, name, &passphrase)?;
            println!("the passphrase of {name} is reset");
        }
    }
    Ok(())
}
