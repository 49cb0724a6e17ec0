//! `brief`: the one-page briefing for officials, as PDF or PNG.

use dosedesk_core::briefing::{write, BriefRequest};
use dosedesk_core::locale::Lang;
use dosedesk_core::{Connection, Error};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BriefArgs {
    /// The briefing's date: figures as of the end of that day (YYYY-MM-DD).
    #[arg(long)]
    date: String,
    /// FILE.pdf (to hand over) or FILE.png (for slides).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value = "en", value_parser = ["en", "fr"])]
    lang: String,
}

pub fn run(conn: &Connection, a: &BriefArgs) -> Result<(), Error> {
    let date = dosedesk_core::time::parse_date(&a.date)
        .ok_or_else(|| Error::InvalidInput(format!("{:?} is not a date (YYYY-MM-DD)", a.date)))?;
    let req = BriefRequest {
        date,
        lang: Lang::parse(&a.lang).unwrap_or_default(),
    };
    write(conn, &req, &a.out)?;
    println!("wrote {}", a.out.display());
    Ok(())
}
