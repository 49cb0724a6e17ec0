//! The pool and the central schema, migrated once behind one lock.

use anyhow::{bail, Context, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

pub type Client = deadpool_postgres::Object;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_central.sql"),
    include_str!("../migrations/0002_capacity_guard.sql"),
    include_str!("../migrations/0003_row_state_device.sql"),
];

/// Advisory lock keys (one namespace for the whole server).
pub const LOCK_MIGRATE: i64 = 0x444F_5345_0001;
/// Held by every writer of `row_state` from drawing versions to commit.
pub const LOCK_VERSIONS: i64 = 0x444F_5345_0002;

pub fn pool(url: &str) -> Result<Pool> {
    let mut config: tokio_postgres::Config = url.parse().context("--database-url")?;
    // Our statements are many and short; JIT compiling them (PostgreSQL's
    // default above a cost estimate a batch's joins reach) cost more than
    // it saved: a 5,000-row push spent most of its time compiling.
    config.options("-c jit=off");
    let manager = Manager::from_config(
        config,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(16)
        .build()
        .context("database pool")
}

pub async fn client(pool: &Pool) -> Result<Client> {
    pool.get().await.context("connecting to PostgreSQL")
}

/// Applies pending migrations in one transaction; returns the version.
pub async fn migrate(pool: &Pool) -> Result<usize> {
    let mut client = client(pool).await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_MIGRATE])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (
            version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await?;
    let current = version(&tx).await?;
    if current > MIGRATIONS.len() {
        bail!(
            "the central schema is at version {current}, newer than this server ({})",
            MIGRATIONS.len()
        );
    }
    for (k, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.batch_execute(sql)
            .await
            .with_context(|| format!("migration {}", k + 1))?;
        tx.execute(
            "INSERT INTO schema_migration (version) VALUES ($1)",
            &[&((k + 1) as i32)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(MIGRATIONS.len())
}

async fn version(tx: &impl deadpool_postgres::GenericClient) -> Result<usize> {
    let row = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migration",
            &[],
        )
        .await?;
    Ok(row.get::<_, i32>(0) as usize)
}

/// Refuses to serve a schema this build does not match.
pub async fn require_current(pool: &Pool) -> Result<()> {
    let client = client(pool).await?;
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migration') IS NOT NULL", &[])
        .await?
        .get(0);
    let v = if exists { version(&client).await? } else { 0 };
    if v != MIGRATIONS.len() {
        bail!("the central schema is at version {v}; this server needs {}: run `dosedesk-server migrate`", MIGRATIONS.len());
    }
    Ok(())
}
