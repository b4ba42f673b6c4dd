//! The connection pool, the migrations, and the choice between a given database
//! (`DATABASE_URL`) and the managed local cluster.

pub mod cluster;

use anyhow::{Context, Result};
use cluster::{Cluster, Durability};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The schema, embedded in the binary from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Database {
    /// A database someone else runs; kheo manages nothing.
    Url(String),
    /// kheo's own cluster in this folder (`$KHEO_HOME/pg`).
    Managed(PathBuf),
}

impl Database {
    /// The given URL if any, else the managed cluster under `home`.
    pub fn from_settings(url: Option<String>, home: &std::path::Path) -> Database {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Database::Url(url),
            None => Database::Managed(home.join("pg")),
        }
    }

    /// Connection options; for the managed cluster this creates and starts it first, and
    /// creates the kheo database in it.
    pub async fn connect_options(&self) -> Result<PgConnectOptions> {
        match self {
            Database::Url(url) => PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL"),
            Database::Managed(root) => {
                let cluster = Cluster::new(root, Durability::Safe)?;
                prepare_managed(&cluster).await
            }
        }
    }
}

/// Starts the managed cluster if needed and makes sure the kheo database exists.
pub async fn prepare_managed(cluster: &Cluster) -> Result<PgConnectOptions> {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.up()).await??;
    create_database_if_missing(cluster, cluster::DATABASE).await?;
    Ok(cluster.connect_options(cluster::DATABASE))
}

/// Creates `name` in the cluster unless it exists.
pub async fn create_database_if_missing(cluster: &Cluster, name: &str) -> Result<()> {
    let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres"))
        .await
        .context("connecting to the managed cluster")?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        // Identifiers cannot be bound; `name` is ours (a constant or a generated test name).
        sqlx::query(&format!("CREATE DATABASE \"{}\"", name.replace('"', ""))).execute(&mut admin).await?;
    }
    admin.close().await?;
    Ok(())
}

/// How long a request waits for a pool connection before it is answered 503: long enough
/// for a burst to pass, short enough that an outage is said at once rather than after every
/// request has waited.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A pool on `options`, with the schema migrated.
pub async fn open(options: PgConnectOptions, max_connections: u32) -> Result<PgPool> {
    // JIT compilation costs a fifth of a second on queries the planner thinks are big
    // (coverage rebuilds, whole layers) and gains nothing on them.
    // Parallel workers take longer to start than kheo's per-commune queries take to run.
    let options = options
        .options([("jit", "off"), ("max_parallel_workers_per_gather", "0")])
        .application_name("kheo")
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL")?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the pending migrations.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await.context("applying the migrations (is the PostGIS extension available to this database?)")
}
