//! `sync` and `conflicts`: the laptop's side of the unit's central copy.

use clap::{Args, Subcommand, ValueEnum};
use dosedesk_core::sync::{self, http, wire::Keep};
use dosedesk_core::{Connection, Error};
use std::path::PathBuf;

#[derive(Args)]
pub struct SyncArgs {
    #[command(subcommand)]
    action: Option<SyncAction>,
    /// Print JSON {pushed, pulled, conflicts, server_cursor} instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SyncAction {
    /// Exchange a one-time enrolment token for this laptop's credential.
    Enrol {
        /// The server's address, e.g. https://sync.unit.example:8443
        #[arg(long)]
        server: String,
        #[arg(long)]
        token: String,
        /// The certificate authority of the server's certificate (PEM), when
        /// it is the unit's own rather than a public one.
        #[arg(long)]
        ca_cert: Option<PathBuf>,
    },
    /// Write every change not yet pushed to a bundle file (for a USB stick).
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Take in a bundle from another laptop; the next sync forwards it.
    Import { file: PathBuf },
    /// Enrolment, last sync, changes waiting, conflicts.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct ConflictsArgs {
    #[command(subcommand)]
    action: Option<ConflictAction>,
    #[arg(long)]
    json: bool,
    /// Also list resolved conflicts.
    #[arg(long)]
    all: bool,
}

#[derive(Subcommand)]
enum ConflictAction {
    /// Choose which value a conflicted row keeps (managers only).
    Resolve {
        id: i64,
        #[arg(long, value_enum)]
        keep: Side,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Side {
    Local,
    Server,
}

fn json(value: &impl serde::Serialize) -> Result<(), Error> {
    crate::output::print_json(value);
    Ok(())
}

pub fn run(conn: &mut Connection, args: &SyncArgs) -> Result<(), Error> {
    match &args.action {
        None => {
            let enrolled = sync::enrolment::require(conn)?;
            let mut client = http::Client::new(&enrolled)?;
            let report = sync::sync(conn, &mut client)?;
            for why in &report.refused_bundles {
                eprintln!("dosedesk-cli: refused: {why}");
            }
            if args.json {
                return json(&report);
            }
            println!(
                "pushed {} rows, pulled {} rows{}; {} conflicts to resolve; server cursor {}",
                report.pushed,
                report.pulled,
                if report.forwarded > 0 {
                    format!(", forwarded {} bundled batches", report.forwarded)
                } else {
                    String::new()
                },
                report.conflicts,
                report.server_cursor
            );
            Ok(())
        }
        Some(SyncAction::Enrol {
            server,
            token,
            ca_cert,
        }) => {
            let ca = ca_cert
                .as_ref()
                .map(|p| std::fs::read_to_string(p).map_err(|e| Error::io(p, &e)))
                .transpose()?;
            let enrolled = http::enrol(server, token, ca.as_deref())?;
            sync::enrolment::save(conn, &enrolled)?;
            println!(
                "enrolled as {} ({}{}) with {}",
                enrolled.device,
                enrolled.role.name(),
                if enrolled.sites.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", enrolled.sites.join(", "))
                },
                enrolled.server
            );
            Ok(())
        }
        Some(SyncAction::Export { out }) => {
            let done = sync::bundle::export(conn, out)?;
            println!(
                "{}: {} changes in {} batches",
                out.display(),
                done.rows,
                done.batches
            );
            Ok(())
        }
        Some(SyncAction::Import { file }) => {
            let done = sync::bundle::import(conn, file)?;
            println!(
                "{}: {} batches from {} ({} already here); the next sync forwards them",
                file.display(),
                done.batches,
                done.device,
                done.already_here
            );
            Ok(())
        }
        Some(SyncAction::Status { json: as_json }) => {
            let status = sync::status(conn)?;
            if *as_json || args.json {
                return json(&status);
            }
            match &status.server {
                None => println!("not enrolled"),
                Some(server) => println!(
                    "{} ({}) with {server}; last sync {}; {} changes waiting; {} conflicts; {} bundled batches waiting",
                    status.device.as_deref().unwrap_or("?"),
                    status.role.map_or("?", |r| r.name()),
                    status.last_sync.as_deref().unwrap_or("never"),
                    status.waiting,
                    status.open_conflicts,
                    status.bundles_waiting
                ),
            }
            Ok(())
        }
    }
}

pub fn conflicts(conn: &mut Connection, args: &ConflictsArgs) -> Result<(), Error> {
    match &args.action {
        None => {
            let view = sync::conflicts_view(conn, args.all)?;
            if args.json {
                return json(&view);
            }
            if view.conflicts.is_empty() {
                println!("no conflicts");
            }
            for c in view.conflicts {
                println!(
                    "{}\t{}\t{}\t{}\tlocal: {}\tserver: {}{}",
                    c.id,
                    c.kind,
                    c.table,
                    c.site.as_deref().unwrap_or("-"),
                    c.local_data.as_deref().unwrap_or("(deleted)"),
                    c.server_data.as_deref().unwrap_or("(deleted)"),
                    c.resolution
                        .map(|r| format!("\tresolved: kept {r}"))
                        .unwrap_or_default()
                );
            }
            let over = &view.overbooked;
            if over.total > 0 {
                println!("over capacity: {} slot(s)", over.total);
            }
            for s in &over.slots {
                println!(
                    "{}\t{}\t{} booked for {} places",
                    s.site_code, s.slot, s.booked, s.places
                );
            }
            if over.total > over.slots.len() {
                println!(
                    "… and {} more (see `checks`)",
                    over.total - over.slots.len()
                );
            }
            Ok(())
        }
        Some(ConflictAction::Resolve { id, keep }) => {
            let enrolled = sync::enrolment::require(conn)?;
            let mut client = http::Client::new(&enrolled)?;
            let keep = match keep {
                Side::Local => Keep::Local,
                Side::Server => Keep::Server,
            };
            sync::resolve(conn, &mut client, *id, keep)?;
            println!(
                "conflict {id} resolved; the next sync brings the chosen value to every laptop"
            );
            Ok(())
        }
    }
}
