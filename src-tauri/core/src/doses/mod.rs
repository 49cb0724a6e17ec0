//! Doses administered: the regional tallies and the provincial series, the
//! headline figures drawn from them, implausible days, tally entry and the
//! reconciliation of tallies against attended bookings.

pub mod entry;
pub mod figures;
pub mod flags;
pub mod guard;
pub mod provincial;
pub mod reconcile;
pub mod series;

pub use figures::{figures, DoseFigures};

#[cfg(test)]
mod tests;
