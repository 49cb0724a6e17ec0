//! A temporary clinic opened from the rebooking desk: a shift at an existing
//! site, or at a new temporary-clinic site, so excess bookings have somewhere
//! to go. One IMMEDIATE transaction; the shift is marked as entered locally.

use crate::error::{Error, Result};
use crate::input::given;
use crate::store::{self, now_timestamp};
use rusqlite::{Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TemporaryShift {
    pub site_code: String,
    /// For a new site: its name (required) and position (for distances).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// For a new site: where it is. Without a latitude and longitude, the
    /// postal code's area centroid places it (`geo::postal_code_position`).
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub vaccinators: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Added {
    pub shift_id: i64,
    /// True when the site was created for this shift.
    pub new_site: bool,
}

/// Adds the shift (and the site when its code is new), guarded and checked
/// as every added shift is, and audited (a refusal too).
pub fn add(conn: &mut Connection, s: &TemporaryShift) -> Result<Added> {
    let result = add_in_transaction(conn, s);
    let subject = format!("{} {} {}", s.site_code.trim(), s.date, s.start);
    crate::audit::noting_refusal(conn, "temporary_clinic_add", &subject, result)
}

fn add_in_transaction(conn: &mut Connection, s: &TemporaryShift) -> Result<Added> {
    let bad = |m: String| Error::InvalidInput(m);
    let code = s.site_code.trim();
    if code.is_empty() {
        return Err(bad("a site code is required".into()));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = now_timestamp();
    let (site_id, new_site) = match store::site::find_by_code(&tx, code)? {
        Some(site) if !site.is_open() => {
            return Err(Error::Conflict(format!(
                "{code} is a candidate distribution point, not an open site"
            )))
        }
        Some(site) => (site.id, false),
        None => {
            let name = s
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| bad(format!("{code} is a new site: give it a name")))?;
            if s.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
                || s.lon.is_some_and(|v| !(-180.0..=180.0).contains(&v))
            {
                return Err(bad("latitude and longitude must be WGS84 degrees".into()));
            }
            let postal = given(&s.postal_code);
            let (lat, lon) = match (s.lat, s.lon, postal) {
                (Some(lat), Some(lon), _) => (Some(lat), Some(lon)),
                (None, None, Some(postal)) => {
                    let (lat, lon) = crate::geo::postal_code_position(postal).ok_or_else(|| {
                        bad(format!(
                            "postal code {postal:?} is not a Canadian postal code with a known area"
                        ))
                    })?;
                    (Some(lat), Some(lon))
                }
                (None, None, None) => (None, None),
                _ => return Err(bad("give both latitude and longitude, or neither".into())),
            };
            let place = store::site::Place {
                address: given(&s.address),
                postal_code: postal.map(|p| p.to_uppercase()),
                lat,
                lon,
            };
            let id = store::site::insert_temporary(&tx, code, name, &place, &now)?;
            (id, true)
        }
    };
    // Checked and guarded as every added shift is; the site made above
    // goes with it when it is refused.
    let shift = crate::shift_edit::NewShift {
        site_code: code.to_owned(),
        date: s.date.clone(),
        start: s.start.clone(),
        end: s.end.clone(),
        vaccinators: s.vaccinators,
        capacity: None,
    };
    let (shift_id, row) = crate::shift_edit::insert_checked(&tx, site_id, &shift)?;
    crate::audit::record(
        &tx,
        "temporary_clinic_add",
        &format!("shift {shift_id}"),
        serde_json::json!({
            "site": code, "new_site": new_site, "date": row.date, "start": row.start,
            "end": row.end, "vaccinators": row.vaccinators,
        }),
    )?;
    tx.commit()?;
    Ok(Added { shift_id, new_site })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Quiet;

    #[test]
    fn a_temporary_clinic_takes_the_bookings_nowhere_else_could() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = crate::store::open(&dir.path().join("d.sqlite3")).expect("open");
        crate::demo::load(&mut conn, &Quiet).expect("demo");
        let before = crate::rebook::plan(&conn, &Default::default()).expect("plan");
        assert!(
            before.unplaced > 0,
            "the demo leaves some bookings unplaced"
        );
        let shift = TemporaryShift {
            site_code: "TMP1".into(),
            name: Some("Temporary clinic, Nepean".into()),
            lat: Some(45.33),
            lon: Some(-75.72),
            address: None,
            postal_code: None,
            date: "2021-03-25".into(),
            start: "08:00".into(),
            end: "21:00".into(),
            vaccinators: 10,
        };
        let added = add(&mut conn, &shift).expect("add");
        assert!(added.new_site);
        let logged: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'temporary_clinic_add'",
                [],
                |r| r.get(0),
            )
            .expect("audit");
        assert_eq!(logged, 1, "the write is audited");
        let after = crate::rebook::plan(&conn, &Default::default()).expect("plan");
        assert_eq!(after.unplaced, 0, "the new shift takes everyone left");
        assert!(after
            .proposals
            .iter()
            .any(|p| p.proposed_site.as_deref() == Some("TMP1")));
        // The same shift twice is refused; bad input is refused with a reason.
        assert!(matches!(add(&mut conn, &shift), Err(Error::Conflict(_))));
        let backwards = TemporaryShift {
            start: "17:00".into(),
            end: "09:00".into(),
            ..shift.clone()
        };
        assert!(matches!(
            add(&mut conn, &backwards),
            Err(Error::InvalidInput(_))
        ));
        let nameless = TemporaryShift {
            site_code: "TMP2".into(),
            name: None,
            ..shift
        };
        assert!(matches!(
            add(&mut conn, &nameless),
            Err(Error::InvalidInput(_))
        ));
    }
}
