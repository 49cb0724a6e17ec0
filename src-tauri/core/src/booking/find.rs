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
    /// More people match than were returned: type more of the name.
    pub more: bool,
}

/// The fewest characters a search needs (one letter matches a twentieth
/// of a province).
pub const MIN_SEARCH: usize = 2;

/// People matching `text`, at most `limit`. A clinic user finds only people
/// booked at their sites; an official is refused. Logged in the audit log
/// with the ids shown.
pub fn find_people(conn: &Connection, text: &str, limit: usize) -> Result<PeopleFound> {
    crate::users::require_any_person_view()?;
    let text = text.trim();
    if text.chars().count() < MIN_SEARCH {
        return Err(Error::InvalidInput(format!(
            "type at least {MIN_SEARCH} characters of a name or a person id"
        )));
    }
    let sees_everyone = crate::users::require_person_view(None).is_ok();
    let (mut sql, values) = search_sql(text);
    if sees_everyone {
        // One more than shown says whether there are more.
        sql += &format!(" LIMIT {}", limit + 1);
    }
    let found = crate::store::read_snapshot(conn, || {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(values.iter()))?;
        let mut people = Vec::new();
        let mut more = false;
        while let Some(r) = rows.next()? {
            let person_id: String = r.get(0)?;
            let mut person = PersonMatch {
                appointments: appointments_of(conn, &person_id)?,
                person_id,
                birth_date: r.get(1)?,
                phone: r.get(2)?,
                name: PersonName {
                    given_name: r.get(3)?,
                    family_name: r.get(4)?,
                    preferred_language: r.get(5)?,
                },
            };
            let booked_anywhere = !person.appointments.is_empty();
            person
                .appointments
                .retain(|a| crate::users::may_see_people_at(&a.site_code));
            // A clinic user sees only people booked at one of their sites.
            if !sees_everyone && (!booked_anywhere || person.appointments.is_empty()) {
                continue;
            }
            if people.len() == limit {
                more = true;
                break;
            }
            people.push(person);
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

/// The query and its parameters: one OR term per way `text` can match,
/// each a range of one index (SQLite answers an OR of indexed terms by
/// reading each range and merging them).
fn search_sql(text: &str) -> (String, Vec<Value>) {
    let mut terms = Vec::new();
    let mut values = Vec::new();
    let prefix = |column: &str, start: &str, values: &mut Vec<Value>| {
        values.push(Value::Text(start.to_owned()));
        values.push(Value::Text(format!("{start}{}", char::MAX)));
        let n = values.len();
        format!("({column} >= ?{} AND {column} < ?{n})", n - 1)
    };
    terms.push(prefix("person_id", text, &mut values));
    let upper = text.to_uppercase();
    if upper != text {
        terms.push(prefix("person_id", &upper, &mut values));
    }
    let key = name_key(text);
    terms.push(prefix("family_key", &key, &mut values));
    terms.push(prefix("given_key", &key, &mut values));
    // "marie gagn" and "gagne marie": split at each space.
    for (at, _) in key.match_indices(' ') {
        let (first, rest) = (&key[..at], &key[at + 1..]);
        let given_family = format!(
            "({} AND {})",
            prefix("given_key", first, &mut values),
            prefix("family_key", rest, &mut values)
        );
        let family_given = format!(
            "({} AND {})",
            prefix("family_key", first, &mut values),
            prefix("given_key", rest, &mut values)
        );
        terms.push(given_family);
        terms.push(family_given);
    }
    let sql = format!(
        "SELECT person_id, birth_date, phone, given_name, family_name, preferred_language
         FROM person WHERE {}
         ORDER BY family_key IS NULL, family_key, given_key, person_id",
        terms.join(" OR ")
    );
    (sql, values)
}

#[cfg(test)]
#[path = "find_tests.rs"]
mod tests;
