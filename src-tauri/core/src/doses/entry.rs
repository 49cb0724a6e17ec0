//! Keyboard entry of tallies at a clinic site. A correction keeps the value
//! it replaces in `dose_count_history`.

use crate::error::{Error, Result};
use crate::store::{
    self,
    dose_count::{Key, Source},
};
use rusqlite::{params, Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Tally {
    pub site_code: String,
    pub date: String,
    /// Free label (`am`, `pm`); empty when the site tallies whole days.
    #[serde(default)]
    pub shift: String,
    pub dose_number: i64,
    /// Product code; empty when not recorded.
    #[serde(default)]
    pub product: String,
    pub doses: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Recorded {
    /// The value this entry replaced, if it corrected an earlier tally.
    pub replaced: Option<i64>,
}

pub fn record(conn: &mut Connection, t: &Tally) -> Result<Recorded> {
    let date = crate::time::require_date("date", &t.date)?.to_string();
    if !(1..=3).contains(&t.dose_number) {
        return Err(Error::InvalidInput("dose number must be 1, 2 or 3".into()));
    }
    if !(0..=10_000_000).contains(&t.doses) {
        return Err(Error::InvalidInput(format!(
            "doses must be between 0 and 10,000,000, not {}",
            t.doses
        )));
    }
    let product = t.product.trim().to_ascii_uppercase();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let site_id = store::site::find(&tx, &t.site_code)?
        .ok_or_else(|| Error::NotFound(format!("site {}", t.site_code)))?;
    if !product.is_empty() && !store::product::exists(&tx, &product)? {
        return Err(Error::InvalidInput(format!("unknown product {product}")));
    }
    let key = Key {
        site_id,
        date: &date,
        shift: t.shift.trim(),
        dose_number: t.dose_number,
        product: &product,
    };
    let now = store::now_timestamp();
    let replaced = match store::dose_count::find(&tx, &key)? {
        None => {
            store::dose_count::insert(&tx, &key, t.doses, Source::Local, &now)?;
            None
        }
        Some(old) if old.doses == t.doses => None,
        Some(old) => {
            store::dose_count::correct(&tx, &old, t.doses, Source::Local, &now)?;
            Some(old.doses)
        }
    };
    tx.commit()?;
    Ok(Recorded { replaced })
}

#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    #[serde(flatten)]
    pub tally: Tally,
    pub source: String,
    pub updated_at: String,
    /// Earlier values, newest first.
    pub history: Vec<i64>,
}

/// A site-day's tallies, as the entry form lists them under the form.
pub fn site_day(conn: &Connection, site_code: &str, date: &str) -> Result<Vec<TallyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.shift, d.dose_number, d.product, d.doses, d.source, d.updated_at
         FROM dose_count d JOIN site ON site.id = d.site_id
         WHERE site.code = ?1 AND d.date = ?2
         ORDER BY d.shift, d.dose_number, d.product",
    )?;
    let rows: Vec<(i64, TallyRow)> = stmt
        .query_map(params![site_code, date], |r| {
            Ok((
                r.get("id")?,
                TallyRow {
                    tally: Tally {
                        site_code: site_code.to_owned(),
                        date: date.to_owned(),
                        shift: r.get("shift")?,
                        dose_number: r.get("dose_number")?,
                        product: r.get("product")?,
                        doses: r.get("doses")?,
                    },
                    source: r.get("source")?,
                    updated_at: r.get("updated_at")?,
                    history: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut history = conn.prepare_cached(
        "SELECT doses FROM dose_count_history WHERE dose_count_id = ?1 ORDER BY id DESC",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut row) in rows {
        row.history = history
            .query_map([id], |r| r.get("doses"))?
            .collect::<rusqlite::Result<_>>()?;
        out.push(row);
    }
    Ok(out)
}
