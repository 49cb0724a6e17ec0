//! Dates and times as FORMATS.md writes them, and the compact forms the
//! store keeps: minutes since 1970-01-01T00:00 local time for appointments.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

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
    // The usual form, digits and dashes in place, without chrono's format
    // parser (a check reads a million and a half shift dates); anything
    // else goes through it as before.
    let b = s.as_bytes();
    let number = |at: std::ops::Range<usize>| {
        b[at].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (number(0..4), number(5..7), number(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A date a person typed, or the error every view and command gives for
/// one that is not `YYYY-MM-DD`; `what` names the field ("" for none).
pub fn require_date(what: &str, s: &str) -> crate::Result<NaiveDate> {
    parse_date(s).ok_or_else(|| {
        let field = if what.is_empty() {
            String::new()
        } else {
            format!("{what} ")
        };
        crate::Error::InvalidInput(format!("{field}{s:?} is not a date (YYYY-MM-DD)"))
    })
}

/// The years a clinic event (shift, tally, shipment, booking) may fall in:
/// a tally dated 9999 once became the chart's last day.
pub const EVENT_YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;

/// Birth dates DoseDesk accepts: from 1900-01-01 to today.
pub fn is_birth_date(date: NaiveDate) -> bool {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    (first..=chrono::Local::now().date_naive()).contains(&date)
}

/// Why `date` cannot be a clinic event's, or `None` when it can.
pub fn event_year_problem(date: NaiveDate) -> Option<String> {
    (!EVENT_YEARS.contains(&date.year())).then(|| {
        format!(
            "{date} is outside the years DoseDesk accepts for clinic events ({}–{})",
            EVENT_YEARS.start(),
            EVENT_YEARS.end()
        )
    })
}

/// A clinic event's date typed in the app or the CLI.
pub fn require_event_date(what: &str, s: &str) -> crate::Result<NaiveDate> {
    let date = require_date(what, s)?;
    match event_year_problem(date) {
        Some(problem) => Err(crate::Error::InvalidInput(format!("{what}: {problem}"))),
        None => Ok(date),
    }
}

/// A birth date typed in the app or the CLI.
pub fn require_birth_date(what: &str, s: &str) -> crate::Result<NaiveDate> {
    let date = require_date(what, s)?;
    if is_birth_date(date) {
        Ok(date)
    } else {
        Err(crate::Error::InvalidInput(format!(
            "{what}: {date} is not a birth date DoseDesk accepts (1900-01-01 to today)"
        )))
    }
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

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DDTHH:MM` with optional `:SS`; a space instead of `T` is accepted.
/// Hand-parsed: it runs once per booking, tens of millions of times.
pub fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if !(b.len() == 16 || b.len() == 19)
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b' ')
        || b[13] != b':'
    {
        return None;
    }
    let second = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        digits(&b[17..19])?
    } else {
        0
    };
    let date = NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let time = NaiveTime::from_hms_opt(digits(&b[11..13])?, digits(&b[14..16])?, second)?;
    Some(date.and_time(time))
}

/// ISO 8601 timestamp, with or without an offset, seconds (and fraction) optional:
/// `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // `get`, not `[..16]`: byte 16 may fall inside a multibyte character
    // of a hostile file (`2021-03-01T09:1é` once panicked here).
    if s.get(..16).and_then(parse_local_datetime).is_none() {
        return false;
    }
    let mut rest = &b[16..];
    if let [b':', s1, s2, tail @ ..] = rest {
        if digits(&[*s1, *s2]).is_none_or(|sec| sec > 60) {
            return false;
        }
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            rest = &tail[n..];
        }
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            digits(&[*h1, *h2]).is_some_and(|h| h < 24)
                && digits(&[*m1, *m2]).is_some_and(|m| m < 60)
        }
        _ => false,
    }
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

    /// The fast path agrees with chrono's `%Y-%m-%d` on every string it
    /// takes, and on the odd ones around them.
    #[test]
    fn dates_parse_as_chrono_parses_them() {
        let mut rng = crate::rng::Rng::new(7);
        let alphabet = b"0123456789-- +0123";
        for round in 0..200_000 {
            let mut s = *b"2021-02-28";
            let changes = 1 + round % 4;
            for _ in 0..changes {
                let at = rng.below(10) as usize;
                s[at] = alphabet[rng.below(alphabet.len() as u64) as usize];
            }
            let s = std::str::from_utf8(&s).expect("ascii");
            assert_eq!(
                parse_date(s),
                NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
                "{s:?}"
            );
        }
    }

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

    /// A multibyte character anywhere in a date or time (a hostile or
    /// mis-encoded file) is refused, never a panic: every position of
    /// every parser's input is tried with characters of 2, 3 and 4 bytes.
    #[test]
    fn multibyte_characters_anywhere_are_refused_not_a_panic() {
        let valid = [
            "2021-03-01T09:15",
            "2021-03-01T09:15:30.25-04:00",
            "2021-03-01",
            "09:15",
        ];
        for text in valid {
            for at in 0..=text.len() {
                for c in ['é', '€', '𝟘'] {
                    let inserted = format!("{}{c}{}", &text[..at], &text[at..]);
                    let replaced = format!("{}{c}{}", &text[..at.saturating_sub(1)], &text[at..]);
                    for s in [inserted, replaced] {
                        assert!(!is_timestamp(&s), "{s}");
                        assert_eq!(parse_local_datetime(&s), None, "{s}");
                        assert_eq!(parse_date(&s), None, "{s}");
                        assert_eq!(parse_hhmm(&s), None, "{s}");
                    }
                }
            }
        }
        assert!(!is_timestamp("2021-03-01T09:1é"));
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
        assert!(is_timestamp("2021-03-01T09:15:00.123+05:30"));
        assert!(!is_timestamp("2021-03-01T09:15:00+0530"));
        assert!(!is_timestamp("2021-02-30T09:15"));
        assert_eq!(parse_local_datetime("2021-03-23T14:35:60"), None);
    }
}
