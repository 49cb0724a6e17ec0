//! The people behind a Checks figure: who is booked twice, who has a first
//! dose and no second, whose second dose is out of its window, who booked
//! before they were eligible. A card's number opens its list.

use super::{scan_people, scope, CheckQuery, PersonRules, Scope};
use crate::error::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// A person-level finding, named as the Checks report names its figure.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PersonFinding {
    DuplicatePeople,
    OrphanFirstDoses,
    SecondDoseOutOfWindow,
    NotYetEligible,
}

impl PersonFinding {
    /// Its column in `check_person` (a fixed name, never from input).
    fn column(self) -> &'static str {
        match self {
            PersonFinding::DuplicatePeople => "duplicate",
            PersonFinding::OrphanFirstDoses => "orphan_first",
            PersonFinding::SecondDoseOutOfWindow => "out_of_window",
            PersonFinding::NotYetEligible => "not_yet_eligible",
        }
    }

    fn holds(self, f: &super::PersonFindings) -> bool {
        match self {
            PersonFinding::DuplicatePeople => f.duplicate,
            PersonFinding::OrphanFirstDoses => f.orphan_first,
            PersonFinding::SecondDoseOutOfWindow => f.out_of_window,
            PersonFinding::NotYetEligible => f.not_yet_eligible > 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FoundPerson {
    pub person_id: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeopleFound {
    /// Everyone with the finding in scope; `people` holds the first ones.
    pub total: i64,
    pub people: Vec<FoundPerson>,
}

/// People a Checks list shows; its total counts them all.
pub const PEOPLE_SHOWN: usize = 200;

/// The people with `finding` in scope, by person id; at most `limit` listed.
/// Refused to a role that may not see people, and logged.
pub fn people_with(
    conn: &Connection,
    q: &CheckQuery,
    finding: PersonFinding,
    limit: usize,
) -> Result<PeopleFound> {
    crate::users::require_person_view(q.site.as_deref())?;
    crate::audit::record(
        conn,
        "view_check_people",
        q.site.as_deref().unwrap_or("all sites"),
        serde_json::json!({ "finding": finding, "from": q.from, "to": q.to }),
    )?;
    let mut ids = if q.is_whole_store() {
        // The kept results: one index range, however large the store.
        super::refresh(conn)?;
        let sql = format!(
            "SELECT person_id FROM check_person WHERE {} > 0 ORDER BY person_id",
            finding.column()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        scanned(conn, &scope(conn, q)?, finding)?
    };
    ids.sort();
    ids.dedup();
    let mut phone = conn.prepare_cached("SELECT phone FROM person WHERE person_id = ?1")?;
    let mut people = Vec::new();
    for person_id in ids.iter().take(limit) {
        let phone: Option<String> = rusqlite::OptionalExtension::optional(
            phone.query_row([person_id], |r| r.get::<_, Option<String>>(0)),
        )?
        .flatten();
        people.push(FoundPerson {
            person_id: person_id.clone(),
            phone,
        });
    }
    Ok(PeopleFound {
        total: ids.len() as i64,
        people,
    })
}

/// The people with `finding` in a scope, checked afresh.
fn scanned(conn: &Connection, scope: &Scope, finding: PersonFinding) -> Result<Vec<String>> {
    let rules = PersonRules::load(conn)?;
    let mut ids = Vec::new();
    scan_people(conn, scope, &rules, |id, found| {
        if finding.holds(&found) {
            ids.push(id.to_owned());
        }
    })?;
    Ok(ids)
}
