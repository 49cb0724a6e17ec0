//! "Today" for DoseDesk: the date on the calendar of the health unit, in its
//! own time zone, never the UTC date (after 19:00 or 20:00 in Ottawa, UTC is
//! already on tomorrow). The zone is the machine's setting (`settings`) when
//! it names one, else the store's `meta` value under [`TIME_ZONE_KEY`], else
//! `America/Toronto`.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

/// The `meta` key of the health unit's time zone (an IANA name).
pub const TIME_ZONE_KEY: &str = "time_zone";

/// The health unit's zone when the store names none.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::America::Toronto;

/// The health unit's time zone: the store's setting, else [`DEFAULT_TIME_ZONE`].
/// A setting that names no known zone is an error, not a silent fallback:
/// every date the app proposes would be off.
pub fn time_zone(conn: &Connection) -> Result<Tz> {
    match crate::store::meta_get(conn, TIME_ZONE_KEY)? {
        None => Ok(DEFAULT_TIME_ZONE),
        Some(name) => name.trim().parse::<Tz>().map_err(|_| {
            Error::InvalidInput(format!(
                "the time zone setting {name:?} is not a time zone name (e.g. America/Toronto)"
            ))
        }),
    }
}

/// The local date in `tz` at the instant `now_utc`.
pub fn today_in(tz: Tz, now_utc: DateTime<Utc>) -> NaiveDate {
    now_utc.with_timezone(&tz).date_naive()
}

/// The store's today at the instant `now_utc`: the demo's own day on demo
/// data (its bookings are seen from that day), else the date in
/// `machine_zone` (the machine's setting) or the store's time zone.
pub fn today(
    conn: &Connection,
    machine_zone: Option<Tz>,
    now_utc: DateTime<Utc>,
) -> Result<NaiveDate> {
    if crate::store::meta_get(conn, "demo")?.is_some() {
        if let Some(as_of) = crate::store::meta_get(conn, "as_of")? {
            return crate::time::require_date("the demo's day", &as_of);
        }
    }
    let zone = match machine_zone {
        Some(zone) => zone,
        None => time_zone(conn)?,
    };
    Ok(today_in(zone, now_utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(instant: &str) -> DateTime<Utc> {
        instant.parse().expect("instant")
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn late_evening_in_toronto_is_still_the_same_day() {
        // 03:30 UTC on the 23rd is 23:30 EDT on the 22nd.
        let now = at("2021-03-23T03:30:00Z");
        assert_eq!(today_in(DEFAULT_TIME_ZONE, now), date("2021-03-22"));
        assert_eq!(now.date_naive(), date("2021-03-23"), "UTC is a day ahead");
        assert_eq!(today_in(chrono_tz::UTC, now), date("2021-03-23"));
    }

    #[test]
    fn the_day_changes_at_local_midnight_on_both_sides_of_a_dst_change() {
        // Toronto: EST (UTC−5) until 2021-03-14 02:00, then EDT (UTC−4);
        // back to EST on 2021-11-07 02:00.
        let tz = DEFAULT_TIME_ZONE;
        // Saturday 13 March, before the change: midnight is 05:00 UTC.
        assert_eq!(today_in(tz, at("2021-03-14T04:59:59Z")), date("2021-03-13"));
        assert_eq!(today_in(tz, at("2021-03-14T05:00:00Z")), date("2021-03-14"));
        // Sunday 14 March, after the change: midnight is 04:00 UTC.
        assert_eq!(today_in(tz, at("2021-03-15T03:30:00Z")), date("2021-03-14"));
        assert_eq!(today_in(tz, at("2021-03-15T04:00:00Z")), date("2021-03-15"));
        // 23:30 EST on Sunday 7 November, after the fall change.
        assert_eq!(today_in(tz, at("2021-11-08T04:30:00Z")), date("2021-11-07"));
        assert_eq!(today_in(tz, at("2021-11-08T05:00:00Z")), date("2021-11-08"));
    }

    #[test]
    fn the_zone_is_a_setting_in_the_store() {
        let conn = crate::store::open_in_memory().expect("store");
        assert_eq!(time_zone(&conn).expect("default"), DEFAULT_TIME_ZONE);
        crate::store::meta_set(&conn, TIME_ZONE_KEY, "America/Vancouver").expect("set");
        assert_eq!(
            time_zone(&conn).expect("setting"),
            chrono_tz::America::Vancouver
        );
        crate::store::meta_set(&conn, TIME_ZONE_KEY, "Ottawa").expect("set");
        let err = time_zone(&conn).expect_err("not a zone");
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("\"Ottawa\""), "{err}");
    }

    #[test]
    fn the_store_says_what_today_is() {
        let conn = crate::store::open_in_memory().expect("store");
        // 23:30 on 22 March in Ottawa.
        let now = at("2021-03-23T03:30:00Z");
        assert_eq!(today(&conn, None, now).expect("today"), date("2021-03-22"));
        // The machine's zone wins over the store's: 03:30 UTC is already
        // the 23rd in Halifax (00:30 ADT), still the 22nd in Toronto.
        let halifax = Some(chrono_tz::America::Halifax);
        assert_eq!(
            today(&conn, halifax, now).expect("today"),
            date("2021-03-23")
        );
        crate::store::meta_set(&conn, TIME_ZONE_KEY, "UTC").expect("set");
        assert_eq!(today(&conn, None, now).expect("today"), date("2021-03-23"));
        let vancouver = Some(chrono_tz::America::Vancouver);
        assert_eq!(
            today(&conn, vancouver, now).expect("today"),
            date("2021-03-22")
        );
        // Demo data is seen from the demo's own day, whatever the clock says.
        crate::store::meta_set(&conn, "demo", "demo").expect("demo");
        crate::store::meta_set(&conn, "as_of", "2021-03-15").expect("as_of");
        assert_eq!(
            today(&conn, halifax, now).expect("today"),
            date("2021-03-15")
        );
    }
}
