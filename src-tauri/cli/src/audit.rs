//! `dosedesk-cli audit`: the store's audit log, and the check of its chain.

use dosedesk_core::{audit, Connection, Error};

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Recompute the hash chain; exit 1 naming the first broken entry.
    #[arg(long)]
    verify: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// How many of the newest entries to list.
    #[arg(long, default_value_t = 50)]
    limit: i64,
}

pub fn run(conn: &Connection, args: &AuditArgs) -> Result<(), Error> {
    if args.verify {
        let checked = audit::verify(conn)?;
        if args.json {
            println!("{}", serde_json::json!(checked));
        }
        return match checked.first_broken {
            None => {
                if !args.json {
                    println!(
                        "audit log: {} entries, the chain is intact",
                        checked.entries
                    );
                }
                Ok(())
            }
            Some(broken) => Err(Error::AuditBroken(format!(
                "the audit log ({} entries) is broken at entry {}: {}",
                checked.entries, broken.id, broken.reason
            ))),
        };
    }
    let entries = audit::newest(conn, args.limit)?;
    if args.json {
        println!("{}", serde_json::json!(entries));
        return Ok(());
    }
    for e in entries {
        println!(
            "{:>6}  {}  {}  {}  {}  {}",
            e.id, e.at, e.actor, e.action, e.subject, e.detail
        );
    }
    Ok(())
}
