//! Oracles the tests of several modules share: figures recomputed from the
//! raw tables by the rules in FORMATS.md, with none of the code they judge.

type SlotKey = (String, String, u32);

/// Places per 5-minute slot by FORMATS.md's slot rule (each slot holds the
/// sum over covering shifts of vaccinators × 5 ÷ minutes per dose, or an
/// explicit capacity spread evenly, rounded down per shift), and active
/// bookings per slot, keyed by (site code, date, minute of the day), for
/// the days of `[from, to]`.
fn slot_places_and_bookings(
    conn: &rusqlite::Connection,
    from: &str,
    to: &str,
) -> (
    std::collections::HashMap<SlotKey, i64>,
    std::collections::HashMap<SlotKey, i64>,
) {
    use std::collections::HashMap;
    let mut places: HashMap<(String, String, u32), i64> = HashMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT s.code, sh.date, sh.start, sh.end, sh.vaccinators, sh.capacity, s.minutes_per_dose
             FROM shift sh JOIN site s ON s.id = sh.site_id WHERE sh.date BETWEEN ?1 AND ?2",
        )
        .expect("shifts");
    let rows = stmt
        .query_map([from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, f64>(6)?,
            ))
        })
        .expect("query");
    let minute = |hhmm: &str| -> u32 {
        let (h, m) = hhmm.split_once(':').expect("HH:MM");
        h.parse::<u32>().expect("hour") * 60 + m.parse::<u32>().expect("minute")
    };
    for row in rows {
        let (code, date, start, end, v, cap, mpd) = row.expect("row");
        let (a, b) = (minute(&start), minute(&end));
        let slots = i64::from((b - a).div_ceil(5));
        let per_slot = match cap {
            Some(c) => c / slots,
            None => ((v * 5) as f64 / mpd + 1e-9).floor() as i64,
        };
        for m in (a..b).step_by(5) {
            *places.entry((code.clone(), date.clone(), m)).or_default() += per_slot;
        }
    }
    let mut booked: HashMap<(String, String, u32), i64> = HashMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT s.code, a.slot_minute FROM appointment a JOIN site s ON s.id = a.site_id
             WHERE a.status IN ('booked', 'attended')",
        )
        .expect("appointments");
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("query");
    for row in rows {
        let (code, at) = row.expect("row");
        let date = chrono::DateTime::from_timestamp(at * 60, 0)
            .expect("minute")
            .naive_utc();
        let day = date.date().to_string();
        if day.as_str() < from || day.as_str() > to {
            continue;
        }
        let m = (at.rem_euclid(1440) / 5 * 5) as u32;
        *booked.entry((code, day, m)).or_default() += 1;
    }
    (places, booked)
}

/// Over-capacity people per (site code, date) of the range, recomputed from
/// the raw tables by FORMATS.md's slot rule.
pub(crate) fn excess_by_site_day(
    conn: &rusqlite::Connection,
    from: &str,
    to: &str,
) -> std::collections::BTreeMap<(String, String), i64> {
    use std::collections::BTreeMap;
    let (places, booked) = slot_places_and_bookings(conn, from, to);
    let mut out = BTreeMap::new();
    for ((code, day, m), n) in booked {
        // A booking outside every shift is another finding, not excess.
        if let Some(p) = places.get(&(code.clone(), day.clone(), m)) {
            if n > *p {
                *out.entry((code, day)).or_default() += n - p;
            }
        }
    }
    out
}

/// Free places per slot that a shift covers, as (site code, `YYYY-MM-DDTHH:MM`)
/// → places less active bookings (negative when overbooked), for the days
/// of `[from, to]`.
pub(crate) fn free_by_slot(
    conn: &rusqlite::Connection,
    from: &str,
    to: &str,
) -> std::collections::BTreeMap<(String, String), i64> {
    let (places, booked) = slot_places_and_bookings(conn, from, to);
    places
        .into_iter()
        .map(|((code, day, m), n)| {
            let taken = booked
                .get(&(code.clone(), day.clone(), m))
                .copied()
                .unwrap_or(0);
            (
                (code, format!("{day}T{:02}:{:02}", m / 60, m % 60)),
                n - taken,
            )
        })
        .collect()
}
