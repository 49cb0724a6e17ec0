//! The DoseDesk sync server: the central copy in PostgreSQL, the devices
//! allowed to sync with it, and the HTTP service laptops speak to. The
//! rows' wire format and the role rules are `dosedesk_core::sync::wire`'s,
//! the same the laptops use.

pub mod db;
pub mod device;
pub mod error;
pub mod guard;
pub mod pull;
pub mod push;
pub mod resolve;
pub mod serve;
