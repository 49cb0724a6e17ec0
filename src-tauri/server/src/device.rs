//! Devices: enrolment tokens, credentials, roles and sites.

use crate::error::{ApiError, ApiResult};
use anyhow::{bail, Result};
use deadpool_postgres::Pool;
use dosedesk_core::sync::wire::{EnrolReply, Role};
use sha2::{Digest, Sha256};

/// A device as a request sees it once its credential checked out.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: i32,
    pub name: String,
    pub role: Role,
    pub sites: Vec<String>,
    /// SHA-256 of its credential: the key of its bundles' signatures.
    pub secret_hash: Vec<u8>,
}

pub fn sha256(s: &str) -> Vec<u8> {
    Sha256::digest(s.as_bytes()).to_vec()
}

fn random_token() -> String {
    // 244 random bits from the OS generator.
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Adds a device; returns its one-time enrolment token.
pub async fn add(pool: &Pool, name: &str, role: &str, sites: &[String]) -> Result<String> {
    let Some(parsed) = Role::parse(role) else {
        bail!("--role must be manager, clinic or official, not {role:?}");
    };
    if parsed == Role::Clinic && sites.is_empty() {
        bail!("a clinic device needs at least one --site CODE");
    }
    if parsed != Role::Clinic && !sites.is_empty() {
        bail!("only a clinic device has sites ({role} sees every site)");
    }
    let token = random_token();
    let client = crate::db::client(pool).await?;
    let inserted = client
        .execute(
            "INSERT INTO device (name, role, sites, token_hash) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &role, &sites, &sha256(&token)],
        )
        .await?;
    if inserted == 0 {
        bail!("a device named {name:?} exists already (revoke it, or choose another name)");
    }
    Ok(token)
}

pub async fn list(pool: &Pool) -> Result<Vec<String>> {
    let client = crate::db::client(pool).await?;
    let rows = client
        .query(
            "SELECT name, role, sites, enrolled_at IS NOT NULL, revoked_at IS NOT NULL
             FROM device ORDER BY name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let sites: Vec<String> = r.get(2);
            let state = match (r.get::<_, bool>(3), r.get::<_, bool>(4)) {
                (_, true) => "revoked",
                (true, false) => "enrolled",
                (false, false) => "waiting for enrolment",
            };
            format!(
                "{}\t{}\t{}\t{state}",
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                if sites.is_empty() {
                    "-".into()
                } else {
                    sites.join(",")
                }
            )
        })
        .collect())
}

pub async fn revoke(pool: &Pool, name: &str) -> Result<()> {
    let client = crate::db::client(pool).await?;
    let n = client
        .execute(
            "UPDATE device SET revoked_at = now(), token_hash = NULL WHERE name = $1 AND revoked_at IS NULL",
            &[&name],
        )
        .await?;
    if n == 0 {
        bail!("no device named {name:?} to revoke");
    }
    Ok(())
}

/// Exchanges a one-time token for a credential; the token is spent in the
/// same statement, so two laptops racing with it cannot both win.
pub async fn enrol(pool: &Pool, token: &str) -> ApiResult<EnrolReply> {
    let secret = random_token();
    let client = crate::db::client(pool).await?;
    let row = client
        .query_opt(
            "UPDATE device SET token_hash = NULL, enrolled_at = now(), secret_hash = $2
             WHERE token_hash = $1 AND revoked_at IS NULL
             RETURNING name, role, sites",
            &[&sha256(token), &sha256(&secret)],
        )
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("this enrolment token is unknown, already used, or revoked")
        })?;
    Ok(EnrolReply {
        device: row.get(0),
        role: Role::parse(row.get(1)).unwrap_or(Role::Official),
        sites: row.get(2),
        secret,
    })
}

/// The device whose credential this is.
pub async fn authenticate(pool: &Pool, secret: &str) -> ApiResult<Device> {
    by(pool, "secret_hash = $1", &sha256(secret))
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("unknown or revoked device credential: enrol this laptop again")
        })
}

pub async fn by_name(pool: &Pool, name: &str) -> ApiResult<Option<Device>> {
    by(pool, "name = $1", &name).await
}

async fn by(
    pool: &Pool,
    condition: &str,
    value: &(dyn tokio_postgres::types::ToSql + Sync),
) -> ApiResult<Option<Device>> {
    let client = crate::db::client(pool).await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT id, name, role, sites, secret_hash FROM device
                 WHERE {condition} AND revoked_at IS NULL AND secret_hash IS NOT NULL"
            ),
            &[value],
        )
        .await?;
    Ok(row.map(|r| Device {
        id: r.get(0),
        name: r.get(1),
        role: Role::parse(r.get(2)).unwrap_or(Role::Official),
        sites: r.get(3),
        secret_hash: r.get(4),
    }))
}
