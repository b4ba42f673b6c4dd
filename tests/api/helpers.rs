//! `spawn_app`: a kheo server on port 0 over a fresh database, for each test.
//!
//! All tests share one throwaway PostgreSQL + PostGIS cluster (kheo's own managed cluster
//! code, under cargo's target tmp folder, fsync off). A template database is migrated once
//! per set of migrations; every test gets its own copy of it (`CREATE DATABASE ...
//! TEMPLATE`, about 0.1 s), so tests run in parallel without seeing each other's rows.
//! When PostgreSQL or PostGIS is missing, tests fail with the install command; they never
//! skip.

use kheo::db::cluster::{Cluster, Durability};
use kheo::http::{AppContext, WebSettings};
use sqlx::{Connection, PgConnection, PgPool};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::OnceLock;

pub struct TestApp {
    pub address: String,
    pub pool: PgPool,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }

    /// GET that must answer 200 with JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "GET {path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {text}"))
    }

    /// The ids of a FeatureCollection answered by `path`, in order.
    pub async fn feature_ids(&self, path: &str) -> Vec<serde_json::Value> {
        let collection = self.get_json(path).await;
        assert_eq!(collection["type"], "FeatureCollection", "{path}");
        collection["features"].as_array().unwrap().iter().map(|f| f["id"].clone()).collect()
    }

    /// Runs a fixture from tests/fixtures.
    pub async fn load_fixture(&self, name: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let sql = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        sqlx::raw_sql(&sql).execute(&self.pool).await.unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    }
}

/// Starts kheo on 127.0.0.1:0 over a fresh, migrated database.
pub async fn spawn_app() -> TestApp {
    let pool = fresh_database().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let ctx = AppContext::new(pool.clone(), WebSettings::default());
    tokio::spawn(async move { kheo::http::serve(listener, ctx).await });
    let client = reqwest::Client::builder().build().unwrap();
    TestApp { address, pool, client }
}

/// A new database copied from the migrated template.
pub async fn fresh_database() -> PgPool {
    let (cluster, template) = test_cluster();
    let name = format!("kheo_test_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let mut admin =
        PgConnection::connect_with(&cluster.connect_options("postgres")).await.expect("connecting to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .expect("creating the test database");
    admin.close().await.ok();
    kheo::db::open(cluster.connect_options(&name), 5).await.expect("opening the test database")
}

/// The shared cluster and the name of the template database, made once per process
/// (and once per machine: a file lock keeps parallel test processes in line).
fn test_cluster() -> &'static (Cluster, String) {
    static CLUSTER: OnceLock<(Cluster, String)> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        // Runs on its own thread: the caller is inside a tokio runtime already.
        std::thread::spawn(|| {
            let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pg");
            std::fs::create_dir_all(&root).unwrap();
            let lock = std::fs::File::create(root.with_extension("lock")).unwrap();
            lock.lock().expect("locking the test cluster");
            let cluster = Cluster::new(&root, Durability::Throwaway)
                .unwrap_or_else(|e| panic!("the tests need PostgreSQL + PostGIS: {e:#}"));
            cluster.up().unwrap_or_else(|e| panic!("starting the test cluster: {e:#}"));
            let template = template_name();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(make_template(&cluster, &template));
            lock.unlock().ok();
            (cluster, template)
        })
        .join()
        .expect("setting up the test cluster")
    })
}

/// Named after the migrations, so that a changed schema gets a new template.
fn template_name() -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in kheo::db::MIGRATOR.iter() {
        migration.version.hash(&mut hasher);
        migration.checksum.hash(&mut hasher);
    }
    format!("kheo_template_{:016x}", hasher.finish())
}

async fn make_template(cluster: &Cluster, template: &str) {
    let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres")).await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(template)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    if !exists {
        let building = format!("{template}_building");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {building}")).execute(&mut admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {building}")).execute(&mut admin).await.unwrap();
        let pool = kheo::db::open(cluster.connect_options(&building), 1).await.expect("migrating the template");
        pool.close().await;
        // Renamed only when complete, so a crash halfway never leaves a broken template.
        sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {template}")).execute(&mut admin).await.unwrap();
    }
    // Databases of test processes that have ended: they are throwaway, and fill the disk.
    let all: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'kheo_test_%'")
        .fetch_all(&mut admin)
        .await
        .unwrap();
    let ended = |name: &String| {
        let pid = name.split('_').nth(2).unwrap_or("");
        !PathBuf::from("/proc").join(pid).exists()
    };
    for name in all.into_iter().filter(ended) {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).await.ok();
    }
    admin.close().await.ok();
}
