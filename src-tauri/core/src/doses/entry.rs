//! Keyboard entry of tallies at a clinic site. A correction keeps the value
//! it replaces in `dose_count_history`.

use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
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
    let date = crate::time::parse_date(&t.date)
        .ok_or_else(|| Error::InvalidInput(format!("date {:?} is not YYYY-MM-DD", t.date)))?
        .to_string();
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
    let site_id: i64 = tx
        .query_row("SELECT id FROM site WHERE code = ?1", [&t.site_code], |r| {
            r.get("id")
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("site {}", t.site_code)))?;
    if !product.is_empty() {
        let known: bool = tx.query_row(
            "SELECT count(*) > 0 FROM product WHERE code = ?1",
            [&product],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::InvalidInput(format!("unknown product {product}")));
        }
    }
    let shift = t.shift.trim();
    let now = crate::store::now_timestamp();
    let existing: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT id, doses, source FROM dose_count
             WHERE site_id = ?1 AND date = ?2 AND shift = ?3 AND dose_number = ?4 AND product = ?5",
            params![site_id, date, shift, t.dose_number, product],
            |r| Ok((r.get("id")?, r.get("doses")?, r.get("source")?)),
        )
        .optional()?;
    let replaced = match existing {
        None => {
            tx.execute(
                "INSERT INTO dose_count (uuid, site_id, date, shift, dose_number, product, doses, source, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'local', ?8)",
                params![crate::store::new_uuid(), site_id, date, shift, t.dose_number, product, t.doses, now],
            )?;
            None
        }
        Some((_, old, _)) if old == t.doses => None,
        Some((id, old, source)) => {
            tx.execute(
                "INSERT INTO dose_count_history (dose_count_id, doses, source, replaced_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, old, source, now],
            )?;
            tx.execute(
                "UPDATE dose_count SET doses = ?2, source = 'local', updated_at = ?3 WHERE id = ?1",
                params![id, t.doses, now],
            )?;
            Some(old)
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
