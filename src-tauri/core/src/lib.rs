//! DoseDesk core: everything that is not a window. The store, the domain
//! rules, importers, the demo data and the queries behind each view. Every
//! behaviour is a plain function over a `rusqlite::Connection` or a value.

pub mod audit;
pub mod booking;
pub mod briefing;
pub mod capacity;
pub mod charts;
pub mod checks;
pub mod clock;
pub mod day_totals;
pub mod demo;
pub mod doses;
pub mod error;
pub mod export;
pub mod generate;
pub mod geo;
pub mod import;
mod input;
pub mod job;
pub mod locale;
pub mod mip;
mod names;
pub mod rebook;
mod rng;
pub mod schedule;
pub mod settings;
pub mod shift_edit;
pub mod shift_plan;
pub mod siting;
pub mod stats;
pub mod store;
pub mod sync;
pub mod temporary_clinic;
pub mod time;
pub mod users;

pub use error::{Error, Result};
pub use rusqlite::Connection;

#[cfg(test)]
mod test_fixtures;
#[cfg(test)]
mod test_oracles;
