//! The capacity guard: a booking made online is taken only if each slot it
//! fills keeps within its places on the central copy, counting every
//! laptop's bookings. It runs inside the push's transaction, after the
//! version lock every writer of `row_state` takes, so two laptops racing for
//! a slot's last place are judged one after the other and the second is
//! refused. The places of a slot come from the same rule the laptops use
//! (`dosedesk_core::capacity::capacity_of_slot`), applied to the shifts and
//! site the central copy holds.

use crate::error::{ApiError, ApiResult};
use dosedesk_core::capacity::{capacity_of_slot, ShiftSpec};
use dosedesk_core::store::appointment::ACTIVE_STATUSES;
use dosedesk_core::time::{datetime_of_minute, format_minute, MINUTES_PER_DAY, SLOT_MINUTES};
use tokio_postgres::Transaction;

/// Refuses the batch (nothing of it is applied) when a slot its active
/// appointments fill would hold more bookings than places. A slot no shift
/// on the central copy covers is not judged: the laptop's own check found a
/// shift there, one the server has not heard of yet.
pub async fn check_capacity(tx: &Transaction<'_>) -> ApiResult<()> {
    let active: Vec<String> = ACTIVE_STATUSES.iter().map(|s| s.to_string()).collect();
    let filled = tx
        .query(
            "SELECT site, slot, count(*) FROM (
                 SELECT i.site,
                        (i.data->>'slot_minute')::int8 - mod((i.data->>'slot_minute')::int8, $2) AS slot
                 FROM judged j JOIN incoming i ON i.ord = j.ord
                 WHERE i.tbl = 'appointment' AND j.kind <> 'conflict' AND NOT i.deleted
                   AND i.site IS NOT NULL AND i.data->>'status' = ANY($1)) incoming
             GROUP BY site, slot ORDER BY site, slot",
            &[&active, &SLOT_MINUTES],
        )
        .await?;
    for row in filled {
        let (site, slot, incoming): (String, i64, i64) = (row.get(0), row.get(1), row.get(2));
        let Some(places) = places_at(tx, &site, slot).await? else {
            continue;
        };
        // The central copy's other bookings in the slot (a row this batch
        // replaces is counted as sent).
        let others: i64 = tx
            .query_one(
                "SELECT count(*) FROM row_state r
                 WHERE r.tbl = 'appointment' AND NOT r.deleted AND r.site = $1
                   AND (r.data->>'slot_minute')::int8 >= $2 AND (r.data->>'slot_minute')::int8 < $2 + $3
                   AND r.data->>'status' = ANY($4)
                   AND NOT EXISTS (SELECT 1 FROM judged j WHERE j.tbl = 'appointment' AND j.id = r.id)",
                &[&site, &slot, &SLOT_MINUTES, &active],
            )
            .await?
            .get(0);
        if others + incoming > places {
            return Err(ApiError::slot_full(format!(
                "{site} {} is full on the central copy: {others} of its {places} places are \
                 already booked from other laptops; choose another slot (nothing was booked)",
                format_minute(slot).replace('T', " ")
            )));
        }
    }
    Ok(())
}

/// The places of the slot starting at `slot` at `site`, from the shifts and
/// the site the central copy holds; `None` when no shift covers it.
async fn places_at(tx: &Transaction<'_>, site: &str, slot: i64) -> ApiResult<Option<i64>> {
    let date = datetime_of_minute(slot).date().to_string();
    let minutes_per_dose: Option<f64> = tx
        .query_opt(
            "SELECT (data->>'minutes_per_dose')::float8 FROM row_state
             WHERE tbl = 'site' AND site = $1 AND NOT deleted",
            &[&site],
        )
        .await?
        .and_then(|r| r.get(0));
    let Some(minutes_per_dose) = minutes_per_dose.filter(|m| *m > 0.0) else {
        return Ok(None);
    };
    let shifts: Vec<ShiftSpec> = tx
        .query(
            "SELECT data->>'start', data->>'end', (data->>'vaccinators')::int8,
                    (data->>'capacity')::int8
             FROM row_state
             WHERE tbl = 'shift' AND site = $1 AND NOT deleted AND data->>'date' = $2",
            &[&site, &date],
        )
        .await?
        .iter()
        .map(|r| ShiftSpec {
            start: r.get::<_, Option<String>>(0).unwrap_or_default(),
            end: r.get::<_, Option<String>>(1).unwrap_or_default(),
            vaccinators: r.get::<_, Option<i64>>(2).unwrap_or(0),
            capacity: r.get(3),
        })
        .collect();
    Ok(capacity_of_slot(
        &shifts,
        minutes_per_dose,
        slot.rem_euclid(MINUTES_PER_DAY),
    ))
}
