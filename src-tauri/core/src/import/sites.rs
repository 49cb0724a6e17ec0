//! sites.csv: clinics and other distribution points, keyed by `site_code`.

use super::csv_source::{opt, req, Column};
use super::rows::first_occurrence;
use super::{Imported, Importing};
use crate::store::site::{self, SiteRow};
use crate::time::format_hhmm;
use std::collections::{HashMap, HashSet};

pub const KINDS: &[&str] = &[
    "mass_clinic",
    "temporary_clinic",
    "pharmacy",
    "physician",
    "mobile",
];

columns! {
    CODE = req("site_code"),
    NAME = req("name"),
    KIND = req("kind"),
    ADDRESS = opt("address"),
    POSTAL = opt("postal_code"),
    LAT = opt("lat"),
    LON = opt("lon"),
    STATIONS = opt("stations"),
    MINUTES_PER_DOSE = opt("minutes_per_dose"),
    CAPACITY_PER_DAY = opt("capacity_per_day"),
    OPENS = opt("opens"),
    CLOSES = opt("closes"),
}
/// candidates.csv: the same columns, with position and capacity required.
pub(super) const CANDIDATE_COLUMNS: &[Column] = &[
    req("site_code"),
    req("name"),
    req("kind"),
    opt("address"),
    opt("postal_code"),
    req("lat"),
    req("lon"),
    opt("stations"),
    opt("minutes_per_dose"),
    req("capacity_per_day"),
    opt("opens"),
    opt("closes"),
];

/// Imports sites with the given status: `open` for sites.csv, `candidate`
/// for candidates.csv (which also requires lat/lon and capacity_per_day, and
/// must not turn an open site back into a candidate).
pub(crate) fn import(cx: Importing<'_>, status: &'static str) -> Imported {
    let candidates = status == "candidate";
    let columns = if candidates {
        CANDIDATE_COLUMNS
    } else {
        COLUMNS
    };
    let open_codes = if candidates {
        site::open_codes(cx.tx)?
    } else {
        HashSet::new()
    };
    let mut seen = HashMap::new();
    super::upsert_rows(cx, columns, |row| {
        let code = row.req(CODE)?;
        if code.len() > 32 || code.chars().any(char::is_whitespace) {
            return Err(row.error(CODE, format!("{code:?} is not a short code without spaces")));
        }
        first_occurrence(&mut seen, code.to_owned(), row, CODE, "site_code")?;
        if open_codes.contains(code) {
            return Err(row.error(
                CODE,
                format!("{code:?} is already an open site; a candidate needs a new code"),
            ));
        }
        let name = row.req(NAME)?;
        let kind = row.req_word(KIND, KINDS)?;
        let (lat, lon) = if candidates {
            // Siting measures distances, so a candidate without a position is useless.
            (
                Some(row.req_f64(LAT, -90.0, 90.0)?),
                Some(row.req_f64(LON, -180.0, 180.0)?),
            )
        } else {
            (
                row.opt_f64(LAT, -90.0, 90.0)?,
                row.opt_f64(LON, -180.0, 180.0)?,
            )
        };
        if lat.is_some() != lon.is_some() {
            let missing = if lat.is_none() { LAT } else { LON };
            return Err(row.error(missing, "lat and lon must be given together"));
        }
        let stations = row.opt_int(STATIONS, 0, 100_000)?;
        let minutes_per_dose = row.opt_f64(MINUTES_PER_DOSE, 0.1, 1440.0)?.unwrap_or(5.0);
        let capacity_per_day = if candidates {
            Some(row.req_int(CAPACITY_PER_DAY, 0, 10_000_000)?)
        } else {
            row.opt_int(CAPACITY_PER_DAY, 0, 10_000_000)?
        };
        let opens = row.opt_time(OPENS)?.unwrap_or(8 * 60);
        let closes = row.opt_time(CLOSES)?.unwrap_or(20 * 60);
        if closes <= opens {
            return Err(row.error(
                CLOSES,
                format!(
                    "{} must be after opens ({})",
                    format_hhmm(closes),
                    format_hhmm(opens)
                ),
            ));
        }
        Ok(SiteRow {
            code: code.to_owned(),
            name: name.to_owned(),
            kind: kind.to_owned(),
            status,
            address: row.opt(ADDRESS)?.map(str::to_owned),
            postal_code: row.opt(POSTAL)?.map(normalise_postal_code),
            lat,
            lon,
            stations,
            minutes_per_dose,
            capacity_per_day,
            opens: format_hhmm(opens),
            closes: format_hhmm(closes),
        })
    })
}

/// `k2b7l5` → `K2B 7L5`; anything not shaped like a postal code is kept as given.
fn normalise_postal_code(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() == 6 && compact.is_ascii() {
        format!("{} {}", &compact[..3], &compact[3..])
    } else {
        raw.to_owned()
    }
}
