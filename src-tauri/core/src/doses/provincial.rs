//! What the province revised: values of the latest release that differ
//! from the release imported before it.

use crate::error::Result;
use crate::import::provincial_release_values as release_values;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub report_date: String,
    pub field: &'static str,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

const FIELDS: [&str; 7] = [
    "previous_day_doses",
    "previous_day_at_least_one",
    "previous_day_fully_vaccinated",
    "total_doses",
    "total_individuals_at_least_one",
    "total_doses_in_fully_vaccinated",
    "total_individuals_fully",
];

/// Changed values, report date order. A report date the new release dropped
/// shows as values going to none.
pub fn revisions(conn: &Connection) -> Result<Vec<Revision>> {
    let ids = crate::store::provincial::newest_ids(conn, 2)?;
    let [latest, previous] = ids[..] else {
        return Ok(Vec::new());
    };
    let new = release_values(conn, latest)?;
    let old = release_values(conn, previous)?;
    let mut out = Vec::new();
    for (date, before) in &old {
        let after = new.get(date).copied().unwrap_or([None; 7]);
        for (i, field) in FIELDS.iter().enumerate() {
            if before[i] != after[i] {
                out.push(Revision {
                    report_date: date.clone(),
                    field,
                    before: before[i],
                    after: after[i],
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.report_date, a.field).cmp(&(&b.report_date, b.field)));
    Ok(out)
}
