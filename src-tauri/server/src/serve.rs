//! The HTTP service: routes, the device behind each request, TLS.

use crate::device::{self, Device};
use crate::error::{ApiError, ApiResult};
use crate::push::Guard;
use anyhow::{Context, Result};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Pool;
use dosedesk_core::sync::wire::{
    Conflict, EnrolReply, EnrolRequest, PullPage, PushBatch, PushReply, ResolveRequest, Table,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Bodies up to this size (a batch of 20,000 rows is about 8 MB).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub fn router(pool: Pool) -> Router {
    Router::new()
        .route("/v1/health", get(|| async { "ok" }))
        .route("/v1/enrol", post(enrol))
        .route("/v1/push", post(push))
        .route("/v1/book", post(book))
        .route("/v1/forward", post(forward))
        .route("/v1/pull", get(pull))
        .route("/v1/conflicts", get(conflicts))
        .route("/v1/conflicts/{id}/resolve", post(resolve))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(pool)
}

pub async fn run(pool: Pool, listen: SocketAddr, tls: Option<(PathBuf, PathBuf)>) -> Result<()> {
    let app = router(pool).into_make_service();
    match tls {
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| {
                    format!(
                        "TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            eprintln!("dosedesk-server: serving https://{listen}");
            axum_server::bind_rustls(listen, config).serve(app).await?;
        }
        None => {
            eprintln!("dosedesk-server: serving http://{listen} (loopback only)");
            axum_server::bind(listen).serve(app).await?;
        }
    }
    Ok(())
}

async fn caller(pool: &Pool, headers: &HeaderMap) -> ApiResult<Device> {
    let secret = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("no device credential: enrol this laptop first"))?;
    device::authenticate(pool, secret.trim()).await
}

async fn enrol(
    State(pool): State<Pool>,
    Json(req): Json<EnrolRequest>,
) -> ApiResult<Json<EnrolReply>> {
    Ok(Json(device::enrol(&pool, &req.token).await?))
}

async fn push(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Json(batch): Json<PushBatch>,
) -> ApiResult<Json<PushReply>> {
    apply_own(&pool, &headers, &batch, Guard::None).await
}

/// A booking made online: its rows are taken only if every slot they fill
/// still has a place on the central copy.
async fn book(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Json(batch): Json<PushBatch>,
) -> ApiResult<Json<PushReply>> {
    apply_own(&pool, &headers, &batch, Guard::Capacity).await
}

/// A batch the calling laptop sends as its own.
async fn apply_own(
    pool: &Pool,
    headers: &HeaderMap,
    batch: &PushBatch,
    guard: Guard,
) -> ApiResult<Json<PushReply>> {
    let me = caller(pool, headers).await?;
    Ok(Json(
        crate::push::apply(pool, &me, batch, &me, guard).await?,
    ))
}

/// A batch from a bundle, carried in by another laptop: applied as its
/// signer's, once its signature checks out.
async fn forward(
    State(pool): State<Pool>,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Json<PushReply>> {
    let me = caller(&pool, &headers).await?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::bad_request(format!("missing header {name}")))
    };
    let signer_name = header("x-dosedesk-device")?;
    let signature = header("x-dosedesk-signature")?;
    let signer = device::by_name(&pool, signer_name).await?.ok_or_else(|| {
        ApiError::forbidden(format!(
            "the bundle's device {signer_name:?} is unknown or revoked"
        ))
    })?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&signer.secret_hash)
        .map_err(|e| ApiError::from(anyhow::anyhow!("{e}")))?;
    mac.update(body.as_bytes());
    let expected = decode_hex(signature).ok_or_else(|| ApiError::bad_request("bad signature"))?;
    mac.verify_slice(&expected).map_err(|_| {
        ApiError::forbidden(format!(
            "a batch in the bundle from {signer_name} does not match its signature: it was altered; nothing in it was applied"
        ))
    })?;
    let batch: PushBatch =
        serde_json::from_str(&body).map_err(|e| ApiError::bad_request(format!("batch: {e}")))?;
    Ok(Json(
        crate::push::apply(&pool, &signer, &batch, &me, Guard::None).await?,
    ))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[derive(serde::Deserialize)]
struct PullQuery {
    cursor: i64,
    limit: Option<i64>,
    /// One table's rows only (`site`).
    table: Option<String>,
}

async fn pull(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Query(q): Query<PullQuery>,
) -> ApiResult<Json<PullPage>> {
    let me = caller(&pool, &headers).await?;
    let only = match q.table.as_deref() {
        None => None,
        Some(name) => Some(
            Table::from_name(name)
                .ok_or_else(|| ApiError::bad_request(format!("no table named {name:?}")))?,
        ),
    };
    Ok(Json(
        crate::pull::page(&pool, &me, q.cursor, q.limit.unwrap_or(5_000), only).await?,
    ))
}

async fn conflicts(State(pool): State<Pool>, headers: HeaderMap) -> ApiResult<Json<Vec<Conflict>>> {
    let me = caller(&pool, &headers).await?;
    Ok(Json(crate::resolve::open_for(&pool, &me).await?))
}

async fn resolve(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(req): Json<ResolveRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let me = caller(&pool, &headers).await?;
    crate::resolve::resolve(&pool, &me, id, &req).await?;
    Ok(Json(serde_json::json!({ "resolved": id })))
}
