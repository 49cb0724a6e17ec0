//! When the slot asked for is full: the free places nearest it, so the
//! person booking picks one instead of guessing. The same site first, by
//! how far in time from the slot asked for (that day and the 3 after);
//! then other open sites within 15 km on that same day, nearest first.

use crate::error::{Error, Result};
use crate::time::{format_minute, minute_of, parse_local_datetime, SLOT_MINUTES};
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FreeSlot {
    pub site_code: String,
    pub slot: String,
    /// Places left in that slot.
    pub free: i64,
    /// From the site asked for; `None` at that site or without coordinates.
    pub distance_km: Option<f64>,
}

/// Days after the one asked for that the same site is searched.
const LATER_DAYS: i64 = 3;
/// How far other sites may be, the same day.
const NEARBY_KM: f64 = 15.0;

/// At most `limit` free slots near `slot` (`YYYY-MM-DDTHH:MM`) at `site_code`.
pub fn nearest_free(
    conn: &Connection,
    site_code: &str,
    slot: &str,
    limit: usize,
) -> Result<Vec<FreeSlot>> {
    let site = crate::store::site::by_code(conn, site_code.trim())?;
    let wanted = parse_local_datetime(slot).map(minute_of).ok_or_else(|| {
        Error::InvalidInput(format!("{slot:?} is not a date-time (YYYY-MM-DDTHH:MM)"))
    })?;
    let day = crate::time::datetime_of_minute(wanted).date();
    let mut same: Vec<(i64, i64)> = Vec::new();
    for d in 0..=LATER_DAYS {
        let date = day + chrono::Duration::days(d);
        same.extend(
            crate::capacity::free_places(conn, site.id, date)?
                .into_iter()
                .filter(|&(s, n)| n > 0 && s != wanted - wanted.rem_euclid(SLOT_MINUTES)),
        );
    }
    same.sort_by_key(|&(s, _)| ((s - wanted).abs(), s));
    let mut out: Vec<FreeSlot> = same
        .into_iter()
        .take(limit)
        .map(|(s, n)| FreeSlot {
            site_code: site.code.clone(),
            slot: format_minute(s),
            free: n,
            distance_km: None,
        })
        .collect();
    if out.len() < limit {
        let here: Option<(f64, f64)> =
            conn.query_row("SELECT lat, lon FROM site WHERE id = ?1", [site.id], |r| {
                Ok(r.get::<_, Option<f64>>(0)?.zip(r.get::<_, Option<f64>>(1)?))
            })?;
        let mut others: Vec<(f64, i64, String)> = Vec::new();
        if let Some((lat, lon)) = here {
            let mut stmt = conn.prepare_cached(
                "SELECT id, code, lat, lon FROM site
                 WHERE status = 'open' AND id <> ?1 AND lat IS NOT NULL AND lon IS NOT NULL",
            )?;
            let rows = stmt.query_map([site.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, f64>(3)?,
                ))
            })?;
            for row in rows {
                let (id, code, a, b) = row?;
                let d = crate::geo::haversine_km(lat, lon, a, b);
                if d <= NEARBY_KM {
                    others.push((d, id, code));
                }
            }
        }
        others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (d, id, code) in others {
            let mut free: Vec<(i64, i64)> = crate::capacity::free_places(conn, id, day)?
                .into_iter()
                .filter(|&(_, n)| n > 0)
                .collect();
            free.sort_by_key(|&(s, _)| ((s - wanted).abs(), s));
            if let Some(&(s, n)) = free.first() {
                out.push(FreeSlot {
                    site_code: code,
                    slot: format_minute(s),
                    free: n,
                    distance_km: Some((d * 10.0).round() / 10.0),
                });
            }
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportKind;

    /// A (2 a slot, 08:00–08:20 on the 23rd) has 08:00 and 08:05 full and
    /// one place at 08:10; B, 5.6 km away, runs 08:00–09:00 with one a slot;
    /// C, 30 km away, has room but is too far.
    #[test]
    fn a_full_slot_offers_the_nearest_free_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = crate::test_fixtures::store_from_csv(
            dir.path(),
            &[
                (ImportKind::Sites, "site_code,name,kind,lat,lon\nA,A,mass_clinic,45.40,-75.70\nB,B,mass_clinic,45.45,-75.70\nC,C,mass_clinic,45.67,-75.70\n"),
                (ImportKind::Shifts, "site_code,date,start,end,vaccinators\nA,2021-03-23,08:00,08:20,2\nB,2021-03-23,08:00,09:00,1\nC,2021-03-23,08:00,09:00,4\n"),
                (
                    ImportKind::Bookings,
                    "booking_id,person_id,site_code,slot_start,dose_number,product,status\n\
                     K1,P1,A,2021-03-23T08:00,1,PFIZER,booked\nK2,P2,A,2021-03-23T08:00,1,PFIZER,booked\n\
                     K3,P3,A,2021-03-23T08:05,1,PFIZER,booked\nK4,P4,A,2021-03-23T08:05,1,PFIZER,attended\n\
                     K5,P5,A,2021-03-23T08:10,1,PFIZER,booked\nK6,P6,A,2021-03-23T08:15,1,PFIZER,cancelled\n",
                ),
            ],
        );
        let found = nearest_free(&conn, "A", "2021-03-23T08:05", 4).expect("nearest");
        let got: Vec<(&str, &str, i64)> = found
            .iter()
            .map(|f| (f.site_code.as_str(), f.slot.as_str(), f.free))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "2021-03-23T08:10", 1),
                ("A", "2021-03-23T08:15", 2),
                ("B", "2021-03-23T08:05", 1),
            ]
        );
        assert!(
            found[2]
                .distance_km
                .is_some_and(|d| (5.0..6.0).contains(&d)),
            "{found:?}"
        );
        // Fewer asked, fewer given; an unknown site or time is said.
        assert_eq!(
            nearest_free(&conn, "A", "2021-03-23T08:05", 1)
                .expect("one")
                .len(),
            1
        );
        assert_eq!(
            nearest_free(&conn, "Z", "2021-03-23T08:05", 3)
                .expect_err("site")
                .code(),
            "not_found"
        );
        assert_eq!(
            nearest_free(&conn, "A", "tuesday", 3)
                .expect_err("time")
                .code(),
            "invalid_input"
        );
    }
}
