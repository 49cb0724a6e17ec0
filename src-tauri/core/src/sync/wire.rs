//! What travels between a laptop and the server: the one definition both
//! sides (and bundles) serialise. Rows travel as their whole current value
//! (JSON), named by a table and a wire id that every laptop computes alike.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// The tables that travel, in the order a push sends them: a row's
/// references (its site, its appointment) are sent before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Site,
    Product,
    Shift,
    Supply,
    Plan,
    Provincial,
    Appointment,
    DoseCount,
    ContactAttempt,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Site,
        Table::Product,
        Table::Shift,
        Table::Supply,
        Table::Plan,
        Table::Provincial,
        Table::Appointment,
        Table::DoseCount,
        Table::ContactAttempt,
    ];

    /// The SQL table name (the same on both sides).
    pub fn name(self) -> &'static str {
        match self {
            Table::Site => "site",
            Table::Product => "product",
            Table::Shift => "shift",
            Table::Supply => "supply",
            Table::Plan => "plan",
            Table::Provincial => "provincial_release",
            Table::Appointment => "appointment",
            Table::DoseCount => "dose_count",
            Table::ContactAttempt => "contact_attempt",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Rows about a person (who, when, their phone, their calls): these
    /// reach only managers and the clinics of the row's site.
    pub fn is_person_level(self) -> bool {
        matches!(self, Table::Appointment | Table::ContactAttempt)
    }
}

/// Who a laptop's user is, as far as the data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere.
    Manager,
    /// The whole schedule and every day's totals; person-level rows, and
    /// writes of tallies, bookings and calls, only for its own sites.
    Clinic,
    /// Aggregates only: no person-level row ever reaches it.
    Official,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Clinic => "clinic",
            Role::Official => "official",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "manager" => Some(Role::Manager),
            "clinic" => Some(Role::Clinic),
            "official" => Some(Role::Official),
            _ => None,
        }
    }

    /// May a holder of this role with these sites see a row of `table`
    /// at `site`? The one statement of the visibility rule (the server's
    /// SQL filter is tested against it).
    pub fn may_see(self, sites: &[String], table: Table, site: Option<&str>) -> bool {
        if !table.is_person_level() {
            return true;
        }
        match self {
            Role::Manager => true,
            Role::Official => false,
            Role::Clinic => site.is_some_and(|s| sites.iter().any(|own| own == s)),
        }
    }

    /// May it write a row of `table` at `site`? Clinics write tallies,
    /// bookings and calls for their own sites only, and nothing else;
    /// officials write nothing but plans.
    pub fn may_write(self, sites: &[String], table: Table, site: Option<&str>) -> bool {
        let own = || site.is_some_and(|s| sites.iter().any(|own| own == s));
        match self {
            Role::Manager => true,
            Role::Official => matches!(table, Table::Plan | Table::Provincial),
            Role::Clinic => match table {
                Table::Appointment | Table::ContactAttempt | Table::DoseCount => own(),
                Table::Plan => true,
                Table::Site | Table::Product | Table::Shift | Table::Supply | Table::Provincial => {
                    false
                }
            },
        }
    }
}

/// One changed row, as pushed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireRow {
    pub table: Table,
    /// The row's identity on every machine (32 hex digits).
    pub id: String,
    /// The server version this change was made on top of; `None` for a row
    /// this laptop has never had from the server.
    pub base: Option<i64>,
    /// The site code the row belongs to (for roles); `None` for rows of no site.
    pub site: Option<String>,
    /// The row was deleted here; `data` then holds its key only.
    #[serde(default)]
    pub deleted: bool,
    /// The wire id of the row it follows (a call's appointment): the
    /// server keeps it where that row is, wherever it moves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The row's whole value (JSON object), passed through untouched.
    pub data: Box<RawValue>,
}

/// A batch of changes. Its id makes a retried batch apply once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushBatch {
    pub batch_id: String,
    pub rows: Vec<WireRow>,
}

/// What the server did with one batch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PushReply {
    /// `(row index in the batch, the row's server version)` for each row
    /// the server holds as sent.
    pub accepted: Vec<(u32, i64)>,
    pub conflicts: Vec<Conflict>,
}

/// A change the server did not apply because the row changed there since
/// the laptop last saw it, in a way the rules do not merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The server's id of the conflict (the same on every laptop).
    pub id: i64,
    pub table: Table,
    pub row_id: String,
    pub site: Option<String>,
    /// `tally_corrected_twice`, `booking_changed_twice`, `changed_twice`.
    pub kind: String,
    /// What the laptop sent (`None`: it deleted the row).
    pub local: Option<Value>,
    /// What the server holds (`None`: it deleted the row).
    pub server: Option<Value>,
    pub server_version: i64,
}

/// A row as pulled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PulledRow {
    pub table: Table,
    pub id: String,
    pub version: i64,
    pub site: Option<String>,
    /// The row was deleted on the server.
    #[serde(default)]
    pub deleted: bool,
    /// The row moved out of what this laptop may see (an appointment
    /// moved to another clinic's site): the laptop drops its copy.
    #[serde(default)]
    pub hidden: bool,
    pub data: Box<RawValue>,
}

/// One page of a pull.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PullPage {
    pub rows: Vec<PulledRow>,
    /// The cursor to ask from next; the last version this page covers.
    pub cursor: i64,
    /// More rows wait beyond `cursor`.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub token: String,
}

/// What a laptop receives for its one-time token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolReply {
    pub device: String,
    pub role: Role,
    pub sites: Vec<String>,
    /// The device's credential: sent as a bearer token on every request.
    pub secret: String,
}

/// A manager's choice on a conflict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResolveRequest {
    pub keep: Keep,
    /// With `keep = local`: the value to keep (the laptop's side).
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    Local,
    Server,
}

/// An error from the server, as it crosses the wire (`{code, message}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireError {
    pub code: String,
    pub message: String,
}

/// Wire ids of rows known by a natural key: every laptop that imports or
/// enters the same tally, shift or site names it alike, so the server sees
/// one row (and a conflict when two laptops change it), never two.
pub fn keyed_id(table: Table, key: &[&str]) -> String {
    let mut name = String::from(table.name());
    for part in key {
        name.push('\u{1f}');
        name.push_str(part);
    }
    uuid::Uuid::new_v5(&WIRE_NAMESPACE, name.as_bytes())
        .simple()
        .to_string()
}

/// The wire id of a row known by its own uuid.
pub fn uuid_id(uuid: &[u8]) -> String {
    uuid::Uuid::from_slice(uuid)
        .map(|u| u.simple().to_string())
        .unwrap_or_else(|_| uuid.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn parse_uuid_id(id: &str) -> Option<[u8; 16]> {
    uuid::Uuid::try_parse(id).ok().map(|u| *u.as_bytes())
}

const WIRE_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d0f_5e3a_9c41_4b7e_a2d8_1f0c_b3e4_d5a6);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_ids_are_stable_and_separate_parts() {
        let a = keyed_id(Table::DoseCount, &["NSP", "2021-03-23", "", "1", ""]);
        assert_eq!(
            a,
            keyed_id(Table::DoseCount, &["NSP", "2021-03-23", "", "1", ""])
        );
        assert_eq!(a.len(), 32);
        // "ab" + "c" must not name the same row as "a" + "bc".
        assert_ne!(
            keyed_id(Table::Shift, &["ab", "c"]),
            keyed_id(Table::Shift, &["a", "bc"])
        );
        assert_ne!(
            keyed_id(Table::Shift, &["a"]),
            keyed_id(Table::Site, &["a"])
        );
    }

    #[test]
    fn roles_see_and_write_as_the_issue_says() {
        let own = vec!["EVJ".to_string()];
        use Role::*;
        assert!(Clinic.may_see(&own, Table::Appointment, Some("EVJ")));
        assert!(!Clinic.may_see(&own, Table::Appointment, Some("NSP")));
        assert!(Clinic.may_see(&own, Table::DoseCount, Some("NSP")));
        assert!(!Official.may_see(&[], Table::ContactAttempt, Some("EVJ")));
        assert!(Official.may_see(&[], Table::Shift, Some("EVJ")));
        assert!(Clinic.may_write(&own, Table::DoseCount, Some("EVJ")));
        assert!(!Clinic.may_write(&own, Table::DoseCount, Some("NSP")));
        assert!(!Clinic.may_write(&own, Table::Shift, Some("EVJ")));
        assert!(!Official.may_write(&[], Table::DoseCount, Some("EVJ")));
        assert!(Manager.may_write(&[], Table::Site, None));
        assert!(Official.may_write(&[], Table::Provincial, None));
        assert!(!Clinic.may_write(&own, Table::Product, None));
        assert!(!Official.may_write(&[], Table::Product, None));
        assert!(Official.may_see(&[], Table::Provincial, None));
    }
}
