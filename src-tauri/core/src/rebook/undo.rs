//! Undoing an accepted call: a stray click on "Accepted" moved someone's
//! booking; Undo puts it back where it was and marks the call undone, in
//! one transaction, so the move and its record never disagree.

use crate::error::{Error, Result};
use crate::store;
use crate::time::format_minute;
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

/// Where the booking is back to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Undone {
    pub appointment_id: i64,
    pub site_code: String,
    pub slot: String,
}

/// Reverses the latest call about `appointment_id` when it was an accepted
/// move and the booking is still where that call put it. The booking goes
/// back to its old slot even though that slot is over capacity (that is
/// where it was): the desk proposes it again.
pub fn undo_accepted(conn: &mut Connection, appointment_id: i64) -> Result<Undone> {
    let result = undo_in_transaction(conn, appointment_id);
    let subject = format!("appointment {appointment_id}");
    crate::audit::noting_refusal(conn, "undo_call", &subject, result)
}

fn undo_in_transaction(conn: &mut Connection, appointment_id: i64) -> Result<Undone> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let nothing = || {
        Error::InvalidInput(format!(
            "the latest call about appointment {appointment_id} did not move it: nothing to undo"
        ))
    };
    let call = store::contact_attempt::latest(&tx, appointment_id)?.ok_or_else(nothing)?;
    let ("reached_accepted", (Some(to_site), Some(to_slot)), (Some(from_site), Some(from_slot))) =
        (call.outcome.as_str(), call.proposed, call.from)
    else {
        return Err(nothing());
    };
    let (site_now, slot_now): (i64, i64) = tx.query_row(
        "SELECT site_id, slot_minute FROM appointment WHERE id = ?1",
        [appointment_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if (site_now, slot_now) != (to_site, to_slot) {
        return Err(Error::Conflict(format!(
            "appointment {appointment_id} has moved since that call (it is now at {} {}); \
             it was not moved back",
            store::site::code(&tx, site_now)?,
            format_minute(slot_now)
        )));
    }
    use crate::sync::{enrolment::guard_write, wire::Table};
    guard_write(&tx, Table::ContactAttempt, site_now)?;
    guard_write(&tx, Table::Appointment, site_now)?;
    guard_write(&tx, Table::Appointment, from_site)?;
    let now = store::now_timestamp();
    store::appointment::move_to(&tx, appointment_id, from_site, from_slot, &now)?;
    store::contact_attempt::mark_undone(&tx, call.id, &now)?;
    let undone = Undone {
        appointment_id,
        site_code: store::site::code(&tx, from_site)?,
        slot: format_minute(from_slot),
    };
    crate::audit::record(
        &tx,
        "undo_call",
        &format!("appointment {appointment_id}"),
        serde_json::json!({ "back_to_site": undone.site_code, "back_to_slot": undone.slot }),
    )?;
    tx.commit()?;
    Ok(undone)
}
