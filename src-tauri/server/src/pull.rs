//! A page of a pull: rows beyond the device's cursor that it may see, in
//! version order, read from one snapshot; all tables, or one (a first pull
//! takes the sites before the rest, which refers to them).

use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use deadpool_postgres::Pool;
use dosedesk_core::sync::wire::{PullPage, PulledRow, Role, Table};
use serde_json::value::RawValue;

pub const MAX_PAGE: i64 = 20_000;

pub async fn page(
    pool: &Pool,
    device: &Device,
    cursor: i64,
    limit: i64,
    only: Option<Table>,
) -> ApiResult<PullPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut client = crate::db::client(pool).await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    // Walk the version index in order and stop at the page's end. The
    // planner, with statistics taken while the central copy was small (a
    // first push grows it faster than autovacuum analyses it), otherwise
    // fetches every row past the cursor and sorts them: a whole-table read
    // per page. (A pull of the sites alone finds them by the key's table
    // column and sorts them: they are few.)
    if only.is_none() {
        tx.batch_execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
            .await?;
    }
    // Every version up to this one is committed (writers draw versions
    // under one lock held to commit), so the cursor may move up to it.
    let newest: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM row_state", &[])
        .await?
        .get(0);
    // A coarse filter that spares reading rows no role rule could let
    // through; `Role::may_see` below is the rule itself. A row whose
    // current value this device sent (`device_id`) is not sent back: it
    // holds that value already. (A value a manager chose in a conflict is
    // written with no device, so every laptop pulls it.)
    let (any_person, clinic) = match device.role {
        Role::Manager => (true, false),
        Role::Clinic => (false, true),
        Role::Official => (false, false),
    };
    const SELECT: &str = "SELECT tbl, id, version, site, deleted, data::text FROM row_state
         WHERE version > $1 AND version <= $2
           AND (NOT person_level OR $3 OR ($4 AND seen_sites && $5))
           AND device_id IS DISTINCT FROM $7";
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 7] = [
        &cursor,
        &newest,
        &any_person,
        &clinic,
        &device.sites,
        &limit,
        &device.id,
    ];
    let rows = match only {
        None => {
            tx.query(&format!("{SELECT} ORDER BY version LIMIT $6"), &params)
                .await?
        }
        Some(table) => {
            let mut with_table = params.to_vec();
            let name = table.name();
            with_table.push(&name);
            tx.query(
                &format!("{SELECT} AND tbl = $8 ORDER BY version LIMIT $6"),
                &with_table,
            )
            .await?
        }
    };
    let full = rows.len() as i64 == limit;
    let mut page = PullPage {
        rows: Vec::with_capacity(rows.len()),
        cursor: newest.max(cursor),
        more: false,
    };
    if full {
        page.cursor = rows.last().map_or(cursor, |r| r.get(2));
        page.more = true;
    }
    for r in rows {
        let table = Table::from_name(r.get(0)).ok_or_else(|| {
            ApiError::from(anyhow::anyhow!("unknown table {}", r.get::<_, String>(0)))
        })?;
        let site: Option<String> = r.get(3);
        let mut data: String = r.get(5);
        let hidden = !device.role.may_see(&device.sites, table, site.as_deref());
        if hidden {
            if device.role != Role::Clinic {
                continue; // never seen, so nothing to take back
            }
            // It moved away from this clinic: only what names it travels.
            data = key_only(table, &data)?;
        }
        page.rows.push(PulledRow {
            table,
            id: r.get(1),
            version: r.get(2),
            site: if hidden { None } else { site },
            deleted: r.get(4),
            hidden,
            data: RawValue::from_string(data)
                .map_err(|e| ApiError::from(anyhow::anyhow!("stored value: {e}")))?,
        });
    }
    tx.commit().await?;
    Ok(page)
}

fn key_only(table: Table, data: &str) -> ApiResult<String> {
    let value: serde_json::Value = serde_json::from_str(data)
        .map_err(|e| ApiError::from(anyhow::anyhow!("stored value: {e}")))?;
    let keep: &[&str] = match table {
        Table::Appointment => &["booking_id"],
        _ => &[],
    };
    let mut key = serde_json::Map::new();
    for k in keep {
        key.insert(
            (*k).into(),
            value.get(*k).cloned().unwrap_or(serde_json::Value::Null),
        );
    }
    Ok(serde_json::Value::Object(key).to_string())
}
