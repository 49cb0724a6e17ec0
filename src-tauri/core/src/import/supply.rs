//! supply.csv: vaccine shipments, keyed by date, product and status.

use super::csv_source::{opt, req, Column};
use super::rows::{first_occurrence, known_product};
use super::{Imported, Importing};
use crate::store::product;
use crate::store::supply::SupplyRow;
use std::collections::HashMap;

columns! {
    DATE = req("date"),
    PRODUCT = req("product"),
    DOSES = req("doses"),
    STATUS = opt("status"),
}

pub(crate) fn import(cx: Importing<'_>) -> Imported {
    let tx = cx.tx;
    let products = product::codes(tx)?;
    let mut seen = HashMap::new();
    super::upsert_rows(cx, COLUMNS, |row| {
        let date = row.req_date(DATE)?;
        let product = known_product(row, PRODUCT, &products, row.req(PRODUCT)?)?;
        let doses = row.req_int(DOSES, 1, 1_000_000_000)?;
        let status = row
            .opt_word(STATUS, &["expected", "received"])?
            .unwrap_or("received");
        first_occurrence(
            &mut seen,
            (date, product.clone(), status),
            row,
            PRODUCT,
            "shipment (same date, product and status)",
        )?;
        Ok(SupplyRow {
            date: date.to_string(),
            product,
            doses,
            status,
        })
    })
}
