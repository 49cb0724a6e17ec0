//! `dosedesk-server`: the unit's central copy. See the README's "Running
//! the sync server" for a health unit's IT person.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use dosedesk_server::{db, device, serve};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "dosedesk-server",
    version,
    about = "DoseDesk's central copy (PostgreSQL) and sync service"
)]
struct Cli {
    /// PostgreSQL connection URL, e.g. postgresql://dosedesk@localhost/dosedesk
    #[arg(long, env = "DOSEDESK_DATABASE_URL")]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates or updates the central schema.
    Migrate,
    /// Enrols, lists and revokes laptops.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Serves laptops over HTTPS.
    /// Each option may come from the environment instead (the systemd
    /// unit reads them from /etc/dosedesk/server.env).
    Serve {
        #[arg(long, env = "DOSEDESK_LISTEN", default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// PEM certificate chain; with --tls-key, serves HTTPS.
        #[arg(long, env = "DOSEDESK_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, env = "DOSEDESK_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Adds a laptop and prints its one-time enrolment token (last line).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// A site the laptop works for (clinic role); repeat for several.
        #[arg(long = "site")]
        sites: Vec<String>,
    },
    List,
    /// Revokes a laptop: its credential stops working at once.
    Revoke {
        name: String,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    let pool = db::pool(&cli.database_url)?;
    match cli.command {
        Command::Migrate => {
            let applied = db::migrate(&pool).await?;
            println!("schema at version {applied}");
        }
        Command::Device { command } => match command {
            DeviceCommand::Add { name, role, sites } => {
                let token = device::add(&pool, &name, &role, &sites).await?;
                println!("device {name} added as {role}; give the laptop this one-time token:");
                println!("{token}");
            }
            DeviceCommand::List => {
                for d in device::list(&pool).await? {
                    println!("{d}");
                }
            }
            DeviceCommand::Revoke { name } => {
                device::revoke(&pool, &name).await?;
                println!("device {name} revoked");
            }
        },
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some((cert, key)),
                _ if !listen.ip().is_loopback() => bail!(
                    "refusing to serve {listen} without TLS: personal health information would \
                     cross the network in clear text. Give --tls-cert and --tls-key, or listen on \
                     127.0.0.1 behind a TLS proxy."
                ),
                _ => None,
            };
            db::require_current(&pool).await?;
            serve::run(pool, listen, tls).await?;
        }
    }
    Ok(())
}
