//! Dates and times as FORMATS.md writes them, and the compact forms the
//! store keeps: minutes since 1970-01-01T00:00 local time for appointments.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

pub const MINUTES_PER_DAY: i64 = 24 * 60;
/// Appointment slots are 5 minutes long, aligned to the hour.
pub const SLOT_MINUTES: i64 = 5;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD`, exactly.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `HH:MM` (24-hour). Returns minutes since midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let digit = |i: usize| (b[i] as char).to_digit(10);
    let (h, m) = (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

pub fn format_hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `YYYY-MM-DDTHH:MM` with optional `:SS`; a space instead of `T` is accepted.
pub fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let fmt = match s.len() {
        16 => "%Y-%m-%dT%H:%M",
        19 => "%Y-%m-%dT%H:%M:%S",
        _ => return None,
    };
    let normalised;
    let s = if s.as_bytes().get(10) == Some(&b' ') {
        normalised = s.replacen(' ', "T", 1);
        normalised.as_str()
    } else {
        s
    };
    NaiveDateTime::parse_from_str(s, fmt).ok()
}

/// ISO 8601 timestamp, with or without an offset, seconds optional.
pub fn is_timestamp(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z").is_ok()
        || parse_local_datetime(s).is_some()
        || NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

pub fn minute_of(dt: NaiveDateTime) -> i64 {
    let days = (dt.date() - epoch()).num_days();
    days * MINUTES_PER_DAY + i64::from(dt.time().hour() * 60 + dt.time().minute())
}

pub fn day_start_minute(date: NaiveDate) -> i64 {
    (date - epoch()).num_days() * MINUTES_PER_DAY
}

pub fn datetime_of_minute(minute: i64) -> NaiveDateTime {
    let date = epoch() + chrono::Duration::days(minute.div_euclid(MINUTES_PER_DAY));
    let m = minute.rem_euclid(MINUTES_PER_DAY) as u32;
    let time = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN);
    date.and_time(time)
}

/// `YYYY-MM-DDTHH:MM` for a stored minute.
pub fn format_minute(minute: i64) -> String {
    datetime_of_minute(minute)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_trip() {
        let dt = parse_local_datetime("2021-03-23T14:35").expect("parse");
        let m = minute_of(dt);
        assert_eq!(format_minute(m), "2021-03-23T14:35");
        assert_eq!(m % SLOT_MINUTES, 0);
        assert_eq!(
            parse_local_datetime("2021-03-23 14:35:59").map(minute_of),
            Some(m)
        );
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in ["2021-3-23", "2021-02-30", "23/03/2021", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in ["8:00", "24:00", "12:60", "12-30", "noon"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert_eq!(parse_hhmm("08:05"), Some(485));
        assert!(is_timestamp("2021-03-01T09:15:00-05:00"));
        assert!(is_timestamp("2021-03-01T09:15:00Z"));
        assert!(is_timestamp("2021-03-01T09:15"));
        assert!(!is_timestamp("yesterday"));
    }
}
