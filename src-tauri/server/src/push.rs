//! A pushed batch, applied in one transaction: loaded with COPY, judged
//! against the central copy as a set, each row either taken (new, made on
//! top of the latest version, or the same value), or kept aside as a
//! conflict with the server's value untouched.

use crate::db::LOCK_VERSIONS;
use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use deadpool_postgres::Pool;
use dosedesk_core::sync::wire::{Conflict, PushBatch, PushReply, Table};
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{Json, Type};

/// What a batch is checked against before it is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// A sync: everything is taken (offline bookings included; an
    /// overbooking they make shows in every laptop's checks).
    None,
    /// A booking made online: refused whole when a slot it fills would
    /// hold more than its places (`crate::guard`).
    Capacity,
}

pub async fn apply(
    pool: &Pool,
    device: &Device,
    batch: &PushBatch,
    viewer: &Device,
    guard: Guard,
) -> ApiResult<PushReply> {
    refuse_forbidden(device, batch)?;
    let mut client = crate::db::client(pool).await?;
    let tx = client.transaction().await?;
    if let Some(row) = tx
        .query_opt(
            "SELECT reply::text FROM push_batch WHERE device_id = $1 AND batch_id = $2",
            &[&device.id, &batch.batch_id],
        )
        .await?
    {
        // A retry after a lost reply: the batch applied once already.
        let text: String = row.get(0);
        let reply: PushReply = serde_json::from_str(&text)
            .map_err(|e| ApiError::from(anyhow::anyhow!("stored reply: {e}")))?;
        return Ok(visible_to(viewer, reply));
    }
    tx.batch_execute(
        "CREATE TEMP TABLE incoming (
            ord int4, tbl text, id text, base int8, site text, person_level bool, parent text,
            deleted bool, data jsonb) ON COMMIT DROP",
    )
    .await?;
    let sink = tx
        .copy_in("COPY incoming FROM STDIN (FORMAT binary)")
        .await?;
    // A row changed twice in one batch travels once, as it is now.
    let mut last = std::collections::HashMap::with_capacity(batch.rows.len());
    for (ord, row) in batch.rows.iter().enumerate() {
        last.insert((row.table, row.id.as_str()), ord);
    }
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::INT4,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::BOOL,
            Type::TEXT,
            Type::BOOL,
            Type::JSONB,
        ],
    );
    pin_mut!(writer);
    for (ord, row) in batch.rows.iter().enumerate() {
        if last.get(&(row.table, row.id.as_str())) != Some(&ord) {
            continue;
        }
        let ord = ord as i32;
        let person_level = row.table.is_person_level();
        writer
            .as_mut()
            .write(&[
                &ord,
                &row.table.name(),
                &row.id,
                &row.base,
                &row.site,
                &person_level,
                &row.parent,
                &row.deleted,
                &Json(&row.data),
            ])
            .await?;
    }
    writer.finish().await?;
    // A temporary table has no statistics until analysed: without them the
    // planner guesses and may scan the whole central copy per batch.
    // Only the join keys: sampling the JSON values doubled the cost.
    tx.batch_execute("ANALYZE incoming (tbl, id)").await?;
    refuse_foreign_calls(&tx, device).await?;
    // From here to commit, versions are drawn in commit order.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_VERSIONS])
        .await?;
    // A batch's joins and sorts in memory (the default 4 MB spilled them).
    tx.batch_execute("SET LOCAL work_mem = '64MB'").await?;
    // What each row is, without its value: the value stays in `incoming`
    // (copying it here cost as much as the COPY itself). One key lookup
    // per row: with statistics taken while a first push grows the central
    // copy, the planner now and then hashed the whole copy instead (5 of
    // 99 batches of a 2M-row push, 600-730 ms each against about 70).
    tx.batch_execute(
        "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;
         CREATE TEMP TABLE judged ON COMMIT DROP AS
         SELECT i.ord, i.tbl, i.id, i.site, i.parent, r.version AS current_version,
                r.site AS current_site,
                CASE WHEN r.id IS NULL THEN 'new'
                     WHEN (r.deleted AND i.deleted)
                       OR (NOT r.deleted AND NOT i.deleted
                           AND (r.data - 'updated_at' - 'history')
                             = (i.data - 'updated_at' - 'history')) THEN 'same'
                     WHEN i.base IS NOT DISTINCT FROM r.version THEN 'forward'
                     ELSE 'conflict' END AS kind
         FROM incoming i LEFT JOIN row_state r ON r.tbl = i.tbl AND r.id = i.id;
         SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT;",
    )
    .await?;
    // A clinic may change a row only where it is now, too (not pull a
    // booking away from another clinic's site).
    let moved = tx
        .query(
            "SELECT tbl, current_site FROM judged
             WHERE kind <> 'same' AND current_site IS DISTINCT FROM site AND current_site IS NOT NULL",
            &[],
        )
        .await?;
    for row in moved {
        let table = Table::from_name(row.get(0)).unwrap_or(Table::Site);
        let site: String = row.get(1);
        if !device.role.may_write(&device.sites, table, Some(&site)) {
            return Err(forbidden(device, table, Some(&site)));
        }
    }
    if guard == Guard::Capacity {
        crate::guard::check_capacity(&tx).await?;
    }
    // Versions in the batch's order, drawn once (nextval runs after the
    // sort); new rows are plain inserts (they cannot exist: judged under
    // the lock), changed ones updates.
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE taken ON COMMIT DROP AS
         SELECT ord, kind, nextval('row_version') AS version
         FROM judged WHERE kind IN ('new', 'forward') ORDER BY ord;
         INSERT INTO row_history (tbl, id, version, deleted, data, device_id)
         SELECT r.tbl, r.id, r.version, r.deleted, r.data, r.device_id
         FROM row_state r JOIN judged j ON j.tbl = r.tbl AND j.id = r.id WHERE j.kind = 'forward';
         INSERT INTO row_state (tbl, id, version, site, seen_sites, person_level, parent, deleted, data, device_id)
         SELECT i.tbl, i.id, t.version, i.site,
                CASE WHEN i.site IS NULL THEN '{{}}'::text[] ELSE ARRAY[i.site] END,
                i.person_level, i.parent, i.deleted, i.data, {device}
         FROM taken t JOIN incoming i ON i.ord = t.ord WHERE t.kind = 'new';
         UPDATE row_state r SET
            version = t.version, site = i.site,
            seen_sites = CASE WHEN i.site IS NULL THEN r.seen_sites
                              ELSE ARRAY(SELECT DISTINCT unnest(r.seen_sites || ARRAY[i.site])) END,
            parent = i.parent, deleted = i.deleted, data = i.data,
            device_id = {device}, changed_at = now()
         FROM taken t JOIN incoming i ON i.ord = t.ord
         WHERE t.kind = 'forward' AND r.tbl = i.tbl AND r.id = i.id;
         {follow}",
        device = device.id,
        follow = FOLLOW_PARENTS
    ))
    .await?;
    // Each taken row's version as drawn, or as it stands when it follows
    // another (FOLLOW_PARENTS may have moved it on since).
    let accepted = tx
        .query(
            "SELECT j.ord, coalesce(t.version, j.current_version) FROM judged j
             LEFT JOIN taken t ON t.ord = j.ord
             WHERE j.kind <> 'conflict' AND j.parent IS NULL
             UNION ALL
             SELECT j.ord, r.version FROM judged j JOIN row_state r ON r.tbl = j.tbl AND r.id = j.id
             WHERE j.kind <> 'conflict' AND j.parent IS NOT NULL
             ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get::<_, i32>(0) as u32, r.get::<_, i64>(1)))
        .collect();
    let conflict_ids: Vec<i64> = tx
        .query(
            "INSERT INTO conflict (tbl, row_id, site, person_level, kind, local_data, base_version, device_id)
             SELECT i.tbl, i.id, coalesce(j.current_site, i.site), i.person_level,
                    CASE i.tbl WHEN 'dose_count' THEN 'tally_corrected_twice'
                               WHEN 'appointment' THEN 'booking_changed_twice'
                               ELSE 'changed_twice' END,
                    CASE WHEN i.deleted THEN NULL ELSE i.data END, i.base, $1
             FROM judged j JOIN incoming i ON i.ord = j.ord
             WHERE j.kind = 'conflict' ORDER BY j.ord
             RETURNING id",
            &[&device.id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let conflicts = crate::resolve::conflicts_by_id(&tx, &conflict_ids).await?;
    let reply = PushReply {
        accepted,
        conflicts,
    };
    tx.execute(
        "INSERT INTO push_batch (device_id, batch_id, reply) VALUES ($1, $2, $3)",
        &[&device.id, &batch.batch_id, &Json(&reply)],
    )
    .await?;
    tx.commit().await?;
    Ok(visible_to(viewer, reply))
}

/// Rows that follow another (calls follow their booking) take its site
/// whenever either changed in this batch, with a new version so the
/// clinics that gain or lose them hear of it. The laptop's own idea of a
/// call's site does not matter: two laptops may disagree on where a
/// booking is until their changes meet here.
///
/// The followers are found first, by index (calls by their booking, the
/// batch's calls by key), and only then their bookings: a scan of the
/// central copy per batch made a first push slow down as the copy grew,
/// and looking up every booking of a batch cost more than the rest.
pub(crate) const FOLLOW_PARENTS: &str = "
    WITH followers AS MATERIALIZED (
        SELECT c.tbl, c.id, c.parent, c.site FROM row_state c
        WHERE c.parent IN (SELECT id FROM judged
                           WHERE tbl = 'appointment' AND kind IN ('new', 'forward'))
        UNION
        SELECT c.tbl, c.id, c.parent, c.site
        FROM judged j JOIN row_state c ON c.tbl = j.tbl AND c.id = j.id
        WHERE j.tbl = 'contact_attempt' AND j.kind IN ('new', 'forward')
          AND c.parent IS NOT NULL
    ), astray AS (
        SELECT f.tbl, f.id, p.site, p.seen_sites
        FROM followers f JOIN row_state p ON p.tbl = 'appointment' AND p.id = f.parent
        WHERE f.site IS DISTINCT FROM p.site
    )
    UPDATE row_state c SET site = a.site, version = nextval('row_version'),
           seen_sites = ARRAY(SELECT DISTINCT unnest(c.seen_sites || a.seen_sites)),
           changed_at = now()
    FROM astray a
    WHERE c.tbl = a.tbl AND c.id = a.id;";

/// The reply as `viewer` may see it (a forwarded bundle's conflicts about
/// rows the forwarding laptop may not hold are left out).
fn visible_to(viewer: &Device, mut reply: PushReply) -> PushReply {
    reply.conflicts.retain(|c: &Conflict| {
        viewer
            .role
            .may_see(&viewer.sites, c.table, c.site.as_deref())
    });
    reply
}

/// The whole batch is refused when one row is not the device's to write.
/// A row's site is read from its value, never taken on the sender's word.
fn refuse_forbidden(device: &Device, batch: &PushBatch) -> ApiResult<()> {
    #[derive(serde::Deserialize)]
    struct Named {
        site: Option<String>,
        code: Option<String>,
    }
    for r in &batch.rows {
        let named: Named = serde_json::from_str(r.data.get())
            .map_err(|e| ApiError::bad_request(format!("{} row {}: {e}", r.table.name(), r.id)))?;
        let in_value = match r.table {
            Table::Site => named.code,
            _ => named.site,
        };
        if in_value.is_some() && in_value != r.site {
            return Err(ApiError::bad_request(format!(
                "{} row {} is sent as at {:?} but its value is at {:?}; nothing in this batch was applied",
                r.table.name(),
                r.id,
                r.site,
                in_value
            )));
        }
        if !device
            .role
            .may_write(&device.sites, r.table, r.site.as_deref())
        {
            return Err(forbidden(device, r.table, r.site.as_deref()));
        }
    }
    Ok(())
}

/// A call is where its booking is (on the server, or in this batch): a
/// clinic may record calls only about its own sites' bookings.
async fn refuse_foreign_calls(
    tx: &tokio_postgres::Transaction<'_>,
    device: &Device,
) -> ApiResult<()> {
    if device.role == dosedesk_core::sync::wire::Role::Manager {
        return Ok(());
    }
    let rows = tx
        .query(
            "SELECT coalesce(b.site, p.site) FROM incoming i
             LEFT JOIN incoming b ON b.tbl = 'appointment' AND b.id = i.parent
             LEFT JOIN row_state p ON p.tbl = 'appointment' AND p.id = i.parent
             WHERE i.tbl = 'contact_attempt'",
            &[],
        )
        .await?;
    for row in rows {
        let site: Option<String> = row.get(0);
        if !device
            .role
            .may_write(&device.sites, Table::ContactAttempt, site.as_deref())
        {
            return Err(forbidden(device, Table::ContactAttempt, site.as_deref()));
        }
    }
    Ok(())
}

fn forbidden(device: &Device, table: Table, site: Option<&str>) -> ApiError {
    ApiError::forbidden(format!(
        "device {} ({}{}) may not write {} rows{}; nothing in this batch was applied",
        device.name,
        device.role.name(),
        if device.sites.is_empty() {
            String::new()
        } else {
            format!(" for {}", device.sites.join(", "))
        },
        table.name(),
        site.map(|s| format!(" at {s}")).unwrap_or_default()
    ))
}
