//! `dosedesk-cli store …`: the store file itself (encryption, passphrase).

use crate::signin::Credentials;
use dosedesk_core::store::encryption::{self, StoreKind};
use dosedesk_core::Error;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum StoreAction {
    /// Whether the store is encrypted, and where its key file is.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Encrypt a plain store in place; --user becomes the holder of its key.
    /// Close the app first.
    Encrypt,
    /// Change --user's passphrase (the store is not re-encrypted).
    Passphrase {
        /// The new passphrase, in a file of its own.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: PathBuf,
    },
}

pub fn run(store: &Path, action: &StoreAction, who: Option<&Credentials>) -> Result<(), Error> {
    match action {
        StoreAction::Status { json } => status(store, *json),
        StoreAction::Encrypt => {
            let who = required(who)?;
            let done = encryption::encrypt_in_place(store, &who.user, &who.passphrase)?;
            println!(
                "encrypted {}: {} tables, {} rows copied and compared; its key file is {} \
                 (back the two files up together)",
                store.display(),
                done.tables,
                done.rows,
                encryption::keyring_path(store).display()
            );
            Ok(())
        }
        StoreAction::Passphrase {
            new_passphrase_file,
        } => {
            let who = required(who)?;
            let new = encryption::read_passphrase_file(new_passphrase_file)?;
            encryption::change_passphrase(store, &who.user, &who.passphrase, &new)?;
            println!("the passphrase of {} is changed", who.user);
            Ok(())
        }
    }
}

fn required(who: Option<&Credentials>) -> Result<&Credentials, Error> {
    who.ok_or_else(|| {
        Error::InvalidInput(
            "this needs --user NAME and --passphrase-file FILE (or DOSEDESK_USER and \
             DOSEDESK_PASSPHRASE_FILE)"
                .into(),
        )
    })
}

fn status(store: &Path, json: bool) -> Result<(), Error> {
    let kind = match encryption::kind(store) {
        StoreKind::Missing => {
            return Err(Error::NotFound(format!("no store at {}", store.display())))
        }
        StoreKind::Plain => "plain",
        StoreKind::Encrypted => "encrypted",
        StoreKind::Unreadable => "unreadable",
    };
    let keys = encryption::keyring_path(store);
    if json {
        let value = serde_json::json!({
            "store": store,
            "encryption": kind,
            "key_file": (kind == "encrypted").then_some(&keys),
        });
        println!("{value}");
    } else if kind == "encrypted" {
        println!(
            "{}: encrypted (SQLCipher); key file {}",
            store.display(),
            keys.display()
        );
    } else {
        println!("{}: {kind}", store.display());
    }
    Ok(())
}
