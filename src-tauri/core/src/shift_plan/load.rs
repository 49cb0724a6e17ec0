//! Reads what the planner needs from the store: open sites with their rate,
//! the existing shifts of the range, demand and supply.

use super::capacity_model::{site_rate, HistoryDay, SiteRate};
use super::demand::{day_no, demand_by_day, CohortDemand, DemandParams, DemandParts};
use super::planner::{ExistingShift, Overbooked, PlanDay, PlanInstance, PlanSite};
use super::supply::{supply_view, SupplyView};
use crate::capacity::{reinforced_capacity, shift_capacity, slot_capacity, slots_in_shift};
use crate::checks::{over_capacity_slots, CheckQuery};
use crate::error::Result;
use crate::time::{parse_date, parse_hhmm, MINUTES_PER_DAY};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// The planner's instance plus what the report shows beside it.
pub struct Loaded {
    pub instance: PlanInstance,
    pub site_ids: Vec<i64>,
    pub rates: Vec<SiteRate>,
    pub demand: Vec<DemandParts>,
    pub cohorts: Vec<CohortDemand>,
    pub supply: SupplyView,
    /// Active bookings per (site, day) of the range, from the kept daily totals.
    pub site_booked: HashMap<(usize, usize), i64>,
}

struct SiteRow {
    id: i64,
    code: String,
    opens: u32,
    closes: u32,
    stations: Option<u32>,
    minutes_per_dose: f64,
}

pub fn load(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    demand_params: &DemandParams,
) -> Result<Loaded> {
    let sites = open_sites(conn)?;
    let index: HashMap<i64, usize> = sites.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let first = day_no(from);
    let mut existing = Vec::new();
    // Each existing shift's explicit capacity, beside `existing`.
    let mut explicit = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT site_id, date, start, end, vaccinators, capacity FROM shift
         WHERE date >= ?1 AND date <= ?2 ORDER BY site_id, date, start",
    )?;
    let mut rows = stmt.query([from.to_string(), to.to_string()])?;
    while let Some(r) = rows.next()? {
        let Some(&si) = index.get(&r.get::<_, i64>(0)?) else {
            continue; // a candidate site's shift: not open
        };
        let (date, start, end): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
        let (Some(d), Some(s), Some(e)) = (parse_date(&date), parse_hhmm(&start), parse_hhmm(&end))
        else {
            continue; // the importers never store such a shift
        };
        let vaccinators: i64 = r.get(4)?;
        explicit.push(r.get::<_, Option<i64>>(5)?);
        existing.push(ExistingShift {
            site: si,
            day: (day_no(d) - first) as usize,
            start: s,
            end: e,
            vaccinators: vaccinators.max(0) as u32,
            capacity: shift_capacity(
                vaccinators,
                i64::from(e.saturating_sub(s)),
                sites[si].minutes_per_dose,
                r.get(5)?,
            ),
        });
    }
    let history = history(conn)?;
    let mut plan_sites = Vec::new();
    let mut rates = Vec::new();
    for (si, s) in sites.iter().enumerate() {
        let rate = site_rate(
            s.minutes_per_dose,
            history.get(&s.id).map_or(&[][..], |v| v.as_slice()),
        );
        // No stations recorded: the most vaccinators it has run at once.
        let stations = s.stations.unwrap_or_else(|| {
            existing
                .iter()
                .filter(|e| e.site == si)
                .map(|e| e.vaccinators)
                .max()
                .unwrap_or(1)
                .max(1)
        });
        plan_sites.push(PlanSite {
            code: s.code.clone(),
            opens: s.opens,
            closes: s.closes,
            stations,
            doses_per_vaccinator_hour: rate.doses_per_vaccinator_hour,
        });
        rates.push(rate);
    }
    let overbooked = overbooked(
        conn,
        from,
        to,
        &sites,
        &index,
        &plan_sites,
        &existing,
        &explicit,
    )?;
    let site_booked = site_booked(conn, from, to, &index)?;
    let (demand, cohorts) = demand_by_day(conn, from, to, demand_params)?;
    let supply = supply_view(conn, from, to)?;
    let days = demand
        .iter()
        .zip(&supply.arrivals)
        .map(|(d, a)| PlanDay {
            demand: d.total(),
            committed: d.booked + d.second_doses_due,
            arrivals: *a,
        })
        .collect();
    Ok(Loaded {
        instance: PlanInstance {
            sites: plan_sites,
            days,
            existing,
            opening_on_hand: supply.opening_on_hand.max(0),
            closing_reserve: supply.closing_reserve,
            overbooked,
        },
        site_ids: sites.iter().map(|s| s.id).collect(),
        rates,
        demand,
        cohorts,
        supply,
        site_booked,
    })
}

/// The over-capacity slots of the range (the kept check results, refreshed)
/// grouped by the existing shift they fall in.
#[allow(clippy::too_many_arguments)]
fn overbooked(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    sites: &[SiteRow],
    index: &HashMap<i64, usize>,
    plan_sites: &[PlanSite],
    existing: &[ExistingShift],
    explicit: &[Option<i64>],
) -> Result<Vec<Overbooked>> {
    let query = CheckQuery {
        from: Some(from.to_string()),
        to: Some(to.to_string()),
        site: None,
    };
    let first = day_no(from);
    let mut out: Vec<Overbooked> = Vec::new();
    // Existing shifts by (site, day), and each overbooked shift's entry.
    let mut shifts_of: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, e) in existing.iter().enumerate() {
        shifts_of.entry((e.site, e.day)).or_default().push(k);
    }
    let mut entry_of: HashMap<usize, usize> = HashMap::new();
    for (site_id, slot, excess) in over_capacity_slots(conn, &query)? {
        let Some(&site) = index.get(&site_id) else {
            continue; // a site not open: not the planner's to staff
        };
        let day = (slot.div_euclid(MINUTES_PER_DAY) - first) as usize;
        let minute = slot.rem_euclid(MINUTES_PER_DAY) as u32;
        let Some(shift) = shifts_of.get(&(site, day)).and_then(|ks| {
            ks.iter()
                .copied()
                .find(|&k| existing[k].start <= minute && minute < existing[k].end)
        }) else {
            continue; // over capacity means inside a shift; never reached
        };
        if let Some(&i) = entry_of.get(&shift) {
            out[i].slots.push((minute, excess));
            continue;
        }
        entry_of.insert(shift, out.len());
        let e = &existing[shift];
        let minutes = i64::from(e.end - e.start);
        let v = i64::from(e.vaccinators);
        let slot_places = (0..=i64::from(plan_sites[site].stations))
            .map(|a| {
                slot_capacity(
                    v + a,
                    minutes,
                    sites[site].minutes_per_dose,
                    reinforced_capacity(explicit[shift], v, a),
                )
            })
            .collect();
        out.push(Overbooked {
            site,
            day,
            shift,
            slots: vec![(minute, excess)],
            slot_places,
            slots_in_shift: slots_in_shift(minutes),
        });
    }
    Ok(out)
}

/// Active bookings per open (site, day) of the range, from `site_day`.
fn site_booked(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    index: &HashMap<i64, usize>,
) -> Result<HashMap<(usize, usize), i64>> {
    let first = day_no(from);
    let mut stmt = conn.prepare(
        "SELECT site_id, date, booked FROM site_day WHERE date >= ?1 AND date <= ?2 AND booked > 0",
    )?;
    let mut rows = stmt.query([from.to_string(), to.to_string()])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(1)?;
        let (Some(&site), Some(d)) = (index.get(&r.get::<_, i64>(0)?), parse_date(&date)) else {
            continue;
        };
        out.insert((site, (day_no(d) - first) as usize), r.get(2)?);
    }
    Ok(out)
}

fn open_sites(conn: &Connection) -> Result<Vec<SiteRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, code, opens, closes, stations, minutes_per_dose FROM site
         WHERE status = 'open' ORDER BY code",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (opens, closes): (String, String) = (r.get(2)?, r.get(3)?);
        let stations: Option<i64> = r.get(4)?;
        out.push(SiteRow {
            id: r.get(0)?,
            code: r.get(1)?,
            opens: parse_hhmm(&opens).unwrap_or(8 * 60),
            closes: parse_hhmm(&closes).unwrap_or(20 * 60),
            stations: stations.map(|s| s.max(0) as u32),
            minutes_per_dose: r.get(5)?,
        });
    }
    Ok(out)
}

/// Per site, each date with both tallied doses and scheduled shifts.
fn history(conn: &Connection) -> Result<HashMap<i64, Vec<HistoryDay>>> {
    let mut stmt = conn.prepare(
        "SELECT d.site_id, d.doses, h.vh FROM
           (SELECT site_id, date, sum(doses) AS doses FROM counted_dose_count GROUP BY site_id, date) d
         JOIN
           (SELECT site_id, date,
                   sum(vaccinators * ((CAST(substr(end, 1, 2) AS INTEGER) * 60 + CAST(substr(end, 4, 2) AS INTEGER))
                                    - (CAST(substr(start, 1, 2) AS INTEGER) * 60 + CAST(substr(start, 4, 2) AS INTEGER)))) / 60.0 AS vh
            FROM shift GROUP BY site_id, date) h
         ON h.site_id = d.site_id AND h.date = d.date",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<i64, Vec<HistoryDay>> = HashMap::new();
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(HistoryDay {
            doses: r.get(1)?,
            vaccinator_hours: r.get(2)?,
        });
    }
    Ok(out)
}
