//! products.csv: vaccine products and their dose intervals.

use super::csv_source::{req, Column};
use super::rows::first_occurrence;
use super::{Imported, Importing};
use crate::store::product::ProductRow;
use std::collections::HashMap;

columns! {
    PRODUCT = req("product"),
    NAME = req("name"),
    MIN_DAYS = req("min_interval_days"),
    MAX_DAYS = req("max_interval_days"),
}

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let mut seen = HashMap::new();
    super::upsert_rows(cx, COLUMNS, |row| {
        let code = row.req(PRODUCT)?.to_ascii_uppercase();
        if code.chars().any(char::is_whitespace) {
            return Err(row.error(PRODUCT, format!("{code:?} is not a code without spaces")));
        }
        first_occurrence(&mut seen, code.clone(), row, PRODUCT, "product")?;
        let name = row.req(NAME)?.to_owned();
        let min_interval_days = row.req_int(MIN_DAYS, 0, 3650)?;
        let max_interval_days = row.req_int(MAX_DAYS, 0, 3650)?;
        if max_interval_days < min_interval_days {
            return Err(row.error(
                MAX_DAYS,
                format!("{max_interval_days} is less than min_interval_days ({min_interval_days})"),
            ));
        }
        Ok(ProductRow {
            code,
            name,
            min_interval_days,
            max_interval_days,
        })
    })
}
