//! Conflicts: listing them for a device, and a manager's choice.

use crate::db::LOCK_VERSIONS;
use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use deadpool_postgres::{GenericClient, Pool};
use dosedesk_core::sync::wire::{Conflict, Keep, ResolveRequest, Role, Table};
use tokio_postgres::types::Json;

const SELECT: &str = "
    SELECT c.id, c.tbl, c.row_id, c.site, c.kind, c.local_data::text,
           CASE WHEN r.deleted THEN NULL ELSE r.data::text END, r.version
    FROM conflict c JOIN row_state r ON r.tbl = c.tbl AND r.id = c.row_id";

async fn read(
    client: &impl GenericClient,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> ApiResult<Vec<Conflict>> {
    let rows = client
        .query(&format!("{SELECT} WHERE {condition} ORDER BY c.id"), params)
        .await?;
    let parse = |text: Option<String>| -> ApiResult<Option<serde_json::Value>> {
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| ApiError::from(anyhow::anyhow!("stored value: {e}")))
    };
    rows.into_iter()
        .map(|r| {
            Ok(Conflict {
                id: r.get(0),
                table: Table::from_name(r.get(1)).ok_or_else(|| {
                    ApiError::from(anyhow::anyhow!("unknown table {}", r.get::<_, String>(1)))
                })?,
                row_id: r.get(2),
                site: r.get(3),
                kind: r.get(4),
                local: parse(r.get(5))?,
                server: parse(r.get(6))?,
                server_version: r.get(7),
            })
        })
        .collect()
}

pub async fn conflicts_by_id(client: &impl GenericClient, ids: &[i64]) -> ApiResult<Vec<Conflict>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    read(client, "c.id = ANY($1)", &[&ids]).await
}

/// The unresolved conflicts `device` may see.
pub async fn open_for(pool: &Pool, device: &Device) -> ApiResult<Vec<Conflict>> {
    let client = crate::db::client(pool).await?;
    let all = read(&client, "c.resolved_at IS NULL", &[]).await?;
    Ok(all
        .into_iter()
        .filter(|c| {
            device
                .role
                .may_see(&device.sites, c.table, c.site.as_deref())
        })
        .collect())
}

/// A manager's choice: the server's value stays, or the device's value
/// becomes the row's next version (the replaced one kept in its history).
pub async fn resolve(pool: &Pool, device: &Device, id: i64, req: &ResolveRequest) -> ApiResult<()> {
    if device.role != Role::Manager {
        return Err(ApiError::forbidden("only a manager may resolve conflicts"));
    }
    let mut client = crate::db::client(pool).await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_VERSIONS])
        .await?;
    let row = tx
        .query_opt(
            "SELECT tbl, row_id, resolved_at IS NOT NULL FROM conflict WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no conflict {id}")))?;
    if row.get::<_, bool>(2) {
        return Err(ApiError::conflict(format!(
            "conflict {id} is already resolved"
        )));
    }
    let (tbl, row_id): (String, String) = (row.get(0), row.get(1));
    let side = match req.keep {
        Keep::Server => "server",
        Keep::Local => {
            let value = req
                .value
                .as_ref()
                .ok_or_else(|| ApiError::bad_request("keeping the local side needs its value"))?;
            let deleted = value.is_null();
            tx.execute(
                "INSERT INTO row_history (tbl, id, version, deleted, data, device_id)
                 SELECT tbl, id, version, deleted, data, device_id FROM row_state
                 WHERE tbl = $1 AND id = $2",
                &[&tbl, &row_id],
            )
            .await?;
            let site = value
                .get("site")
                .and_then(|s| s.as_str())
                .map(str::to_string);
            tx.execute(
                "UPDATE row_state SET version = nextval('row_version'), deleted = $3,
                        data = CASE WHEN $3 THEN data ELSE $4 END,
                        site = coalesce($5, site), device_id = NULL, changed_at = now(),
                        seen_sites = ARRAY(SELECT DISTINCT unnest(seen_sites || coalesce(ARRAY[$5]::text[], '{}')))
                 WHERE tbl = $1 AND id = $2",
                &[&tbl, &row_id, &deleted, &Json(value), &site],
            )
            .await?;
            // The rows that follow it follow it again (`push::FOLLOW_PARENTS`
            // reads what changed from `judged`, as in a push).
            tx.execute(
                "CREATE TEMP TABLE judged ON COMMIT DROP AS
                 SELECT $1::text AS tbl, $2::text AS id, 'forward'::text AS kind",
                &[&tbl, &row_id],
            )
            .await?;
            tx.batch_execute(crate::push::FOLLOW_PARENTS).await?;
            "local"
        }
    };
    tx.execute(
        "UPDATE conflict SET resolved_at = now(), resolution = $2, resolved_by = $3 WHERE id = $1",
        &[&id, &side, &device.id],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
