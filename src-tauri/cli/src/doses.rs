//! `chart`, `tally`, `confirm-day` and `revisions`: doses administered from the command line.

use dosedesk_core::charts::{export, ChartKind, ChartRequest};
use dosedesk_core::doses::entry::{record, withdraw, Tally};
use dosedesk_core::doses::figures::{confirm_day, Series};
use dosedesk_core::locale::Lang;
use dosedesk_core::{Connection, Error};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ChartArgs {
    /// daily: doses, bookings, capacity, 7-day average and record; cumulative:
    /// regional doses and their share of Ontario's; sites: one panel per site.
    #[arg(value_parser = ["daily", "cumulative", "sites"])]
    kind: String,
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// Last day (YYYY-MM-DD).
    #[arg(long)]
    to: String,
    /// Only this site (code); region-wide otherwise.
    #[arg(long)]
    site: Option<String>,
    /// Language of the labels and number formats.
    #[arg(long, default_value = "en", value_parser = ["en", "fr"])]
    lang: String,
    /// FILE.svg or FILE.png
    #[arg(long)]
    out: PathBuf,
}

pub fn chart(conn: &Connection, a: &ChartArgs) -> Result<(), Error> {
    let date = |s: &str| {
        dosedesk_core::time::parse_date(s)
            .ok_or_else(|| Error::InvalidInput(format!("{s:?} is not a date (YYYY-MM-DD)")))
    };
    let req = ChartRequest {
        kind: ChartKind::parse(&a.kind)
            .ok_or_else(|| Error::InvalidInput(format!("unknown chart {}", a.kind)))?,
        from: date(&a.from)?,
        to: date(&a.to)?,
        site: a.site.clone(),
        lang: Lang::parse(&a.lang).unwrap_or_default(),
    };
    export(conn, &req, &a.out)?;
    println!("wrote {}", a.out.display());
    Ok(())
}

#[derive(clap::Args)]
pub struct TallyArgs {
    #[arg(long)]
    site: String,
    /// YYYY-MM-DD
    #[arg(long)]
    date: String,
    /// Shift label (am, pm); none for a whole day.
    #[arg(long, default_value = "")]
    shift: String,
    #[arg(long)]
    dose_number: i64,
    #[arg(long, default_value = "")]
    product: String,
    /// Doses given (not needed with --withdraw).
    #[arg(long, required_unless_present = "withdraw")]
    doses: Option<i64>,
    /// Record a value that is implausible for the site-day (above what its
    /// shifts could give, or far above its recent days) after checking it.
    #[arg(long)]
    confirm: bool,
    /// Withdraw this tally: it is kept, with its history, and counts nowhere.
    #[arg(long, conflicts_with_all = ["doses", "confirm"])]
    withdraw: bool,
}

pub fn tally(conn: &mut Connection, a: &TallyArgs) -> Result<(), Error> {
    let doses = a.doses.unwrap_or(0);
    let t = Tally {
        site_code: a.site.clone(),
        date: a.date.clone(),
        shift: a.shift.clone(),
        dose_number: a.dose_number,
        product: a.product.clone(),
        doses,
    };
    if a.withdraw {
        let old = withdraw(conn, &t)?;
        println!("tally withdrawn: {old} (kept in the history, counted nowhere)");
        return Ok(());
    }
    let done = match record(conn, &t, a.confirm) {
        Err(Error::NeedsConfirmation(why)) => {
            return Err(Error::NeedsConfirmation(format!(
                "{why} (give --confirm to record it)"
            )))
        }
        other => other?,
    };
    match done.replaced {
        Some(old) => {
            println!("tally corrected: {old} → {doses} (the old value is kept in the history)")
        }
        None => println!("tally recorded: {doses}"),
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ConfirmArgs {
    #[arg(long, value_parser = ["regional", "provincial"])]
    series: String,
    /// The flagged day (YYYY-MM-DD; for the provincial series, the day the doses were given).
    date: String,
    /// Withdraw an earlier confirmation.
    #[arg(long)]
    undo: bool,
}

pub fn confirm(conn: &Connection, a: &ConfirmArgs) -> Result<(), Error> {
    let series = if a.series == "provincial" {
        Series::Provincial
    } else {
        Series::Regional
    };
    confirm_day(conn, series, &a.date, !a.undo)?;
    println!(
        "{} {} day {}",
        if a.undo { "unconfirmed" } else { "confirmed" },
        a.series,
        a.date
    );
    Ok(())
}

pub fn revisions(conn: &Connection, json: bool) -> Result<(), Error> {
    let list = dosedesk_core::doses::provincial::revisions(conn)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return Ok(());
    }
    if list.is_empty() {
        println!("no revisions: fewer than two provincial releases, or nothing changed");
    }
    let show = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    for r in &list {
        println!(
            "{} {:<34} {:>12} → {:>12}",
            r.report_date,
            r.field,
            show(r.before),
            show(r.after)
        );
    }
    Ok(())
}
