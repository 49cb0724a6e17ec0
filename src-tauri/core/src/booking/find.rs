//! Finding a person already in the store (the Book and Bookings views) from
//! what someone at the desk types: the start of their person id, or of
//! their given name, family name, "given family" or "family given", any
//! case, accents or not. Every match reads a range of an index (the person
//! id, or the name keys of `store::person::name_key`), so a search costs
//! the same among ten people or ten million.

use super::queries::{appointments_of, AppointmentRow};
use crate::error::{Error, Result};
use crate::store::person::{name_key, PersonName};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use serde::Serialize;
use std::collections::BTreeMap;

/// One person found, with the bookings the signed-in user may see.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PersonMatch {
    pub person_id: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    #[serde(flatten)]
    pub name: PersonName,
    /// Oldest first, cancelled ones included (the view says which).
    pub appointments: Vec<AppointmentRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeopleFound {
    /// By family name, given name, then id.
    pub people: Vec<PersonMatch>,
    /// More people may match than were returned (those shown are then
    /// some of the matches): type more of the name.
    pub more: bool,
}

/// The fewest characters a search needs (one letter matches a twentieth
/// of a province).
pub const MIN_SEARCH: usize = 2;

/// How many candidates each way of matching reads for a clinic user, per
/// person shown: people booked elsewhere are passed over.
const CLINIC_READ_FACTOR: usize = 20;

/// People matching `text`, at most `limit`, sorted by family name, given
/// name and id. Each way of matching reads its index in order and stops
/// after `limit + 1` people, so a two-letter search costs the same as a
/// full name at province scale; when more match than are shown (`more`),
/// the list shown is some of them, not necessarily the first in that
/// order: typing more of the name narrows it. A clinic user finds only
/// people booked at their sites; an official is refused. Logged in the
/// audit log with the ids shown.
pub fn find_people(conn: &Connection, text: &str, limit: usize) -> Result<PeopleFound> {
    crate::users::require_any_person_view()?;
    let text = text.trim();
    if text.chars().count() < MIN_SEARCH {
        return Err(Error::InvalidInput(format!(
            "type at least {MIN_SEARCH} characters of a name or a person id"
        )));
    }
    let sees_everyone = crate::users::require_person_view(None).is_ok();
    let reads = if sees_everyone {
        limit + 1
    } else {
        (limit + 1) * CLINIC_READ_FACTOR
    };
    let found = crate::store::read_snapshot(conn, || {
        let mut candidates = BTreeMap::new();
        let mut cut_short = false;
        for (sql, values) in search_sql(text) {
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(params_from_iter(
                values.iter().chain([&Value::Integer(reads as i64)]),
            ))?;
            let mut read = 0;
            while let Some(r) = rows.next()? {
                read += 1;
                let found = Found {
                    person_id: r.get(0)?,
                    birth_date: r.get(1)?,
                    phone: r.get(2)?,
                    name: PersonName {
                        given_name: r.get(3)?,
                        family_name: r.get(4)?,
                        preferred_language: r.get(5)?,
                    },
                };
                let (family_key, given_key): (Option<String>, Option<String>) =
                    (r.get(6)?, r.get(7)?);
                let order = (
                    family_key.is_none(),
                    family_key,
                    given_key,
                    found.person_id.clone(),
                );
                candidates.insert(order, found);
            }
            cut_short |= read == reads;
        }
        let mut people = Vec::new();
        let mut more = cut_short;
        for found in candidates.into_values() {
            // Everyone is shown to a manager: no need to read past the limit.
            if sees_everyone && people.len() == limit {
                more = true;
                break;
            }
            let mut appointments = appointments_of(conn, &found.person_id)?;
            let booked_anywhere = !appointments.is_empty();
            appointments.retain(|a| crate::users::may_see_people_at(&a.site_code));
            // A clinic user sees only people booked at one of their sites.
            if !sees_everyone && (!booked_anywhere || appointments.is_empty()) {
                continue;
            }
            if people.len() == limit {
                more = true;
                break;
            }
            people.push(found.with(appointments));
        }
        Ok(PeopleFound { people, more })
    })?;
    let ids: Vec<&str> = found.people.iter().map(|p| p.person_id.as_str()).collect();
    crate::audit::record(
        conn,
        "find_people",
        text,
        serde_json::json!({ "shown": ids }),
    )?;
    Ok(found)
}

/// A candidate before its bookings are read.
struct Found {
    person_id: String,
    birth_date: Option<String>,
    phone: Option<String>,
    name: PersonName,
}

impl Found {
    fn with(self, appointments: Vec<AppointmentRow>) -> PersonMatch {
        PersonMatch {
            person_id: self.person_id,
            birth_date: self.birth_date,
            phone: self.phone,
            name: self.name,
            appointments,
        }
    }
}

/// One query per way `text` can match, each reading one index's range in
/// that index's order (the last parameter, appended by the caller, is how
/// many rows to read).
fn search_sql(text: &str) -> Vec<(String, Vec<Value>)> {
    let mut queries = Vec::new();
    let mut add = |ranges: &[(&str, &str)]| {
        let mut values = Vec::new();
        let mut terms = Vec::new();
        for (column, start) in ranges {
            values.push(Value::Text((*start).to_owned()));
            values.push(Value::Text(format!("{start}{}", char::MAX)));
            let n = values.len();
            terms.push(format!("{column} >= ?{} AND {column} < ?{n}", n - 1));
        }
        let sql = format!(
            "SELECT person_id, birth_date, phone, given_name, family_name, preferred_language,
                    family_key, given_key
             FROM person WHERE {} ORDER BY {} LIMIT ?{}",
            terms.join(" AND "),
            ranges[0].0,
            values.len() + 1
        );
        queries.push((sql, values));
    };
    add(&[("person_id", text)]);
    let upper = text.to_uppercase();
    if upper != text {
        add(&[("person_id", &upper)]);
    }
    let key = name_key(text);
    add(&[("family_key", &key)]);
    add(&[("given_key", &key)]);
    // "marie gagn" and "gagne marie": split at each space.
    for (at, _) in key.match_indices(' ') {
        let (first, rest) = (&key[..at], &key[at + 1..]);
        add(&[("given_key", first), ("family_key", rest)]);
        add(&[("family_key", first), ("given_key", rest)]);
    }
    queries
}

#[cfg(test)]
#[path = "find_tests.rs"]
mod tests;
