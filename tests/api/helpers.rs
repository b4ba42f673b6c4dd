//! `spawn_app`: a kheo server on port 0 over a fresh database, for each test.
//!
//! All tests share one throwaway PostgreSQL + PostGIS cluster (kheo's own managed cluster
//! code, under cargo's target tmp folder, fsync off). A template database is migrated once
//! per set of migrations; every test gets its own copy of it (`CREATE DATABASE ...
//! TEMPLATE`, about 0.1 s), so tests run in parallel without seeing each other's rows.
//! When PostgreSQL or PostGIS is missing, tests fail with the install command; they never
//! skip.

use kheo::db::cluster::{Cluster, Durability};
use kheo::http::{AppContext, Policy, WebSettings};
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

    /// POST of a JSON body, without a session.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request failed")
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

    /// A `DATABASE_URL` for the test's database, for running the kheo binary against it.
    pub fn database_url(&self) -> String {
        let options = self.pool.connect_options();
        let socket = options.get_socket().expect("the test cluster listens on a Unix socket");
        format!(
            "postgres://{}@localhost/{}?host={}&port={}",
            options.get_username(),
            options.get_database().unwrap(),
            socket.display(),
            options.get_port()
        )
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
    spawn_app_with_policy(Policy::default()).await
}

/// Starts kheo as [`spawn_app`] does, under `policy`.
pub async fn spawn_app_with_policy(policy: Policy) -> TestApp {
    init_test_log();
    let pool = fresh_database().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let ctx = AppContext::new(pool.clone(), WebSettings::default()).with_policy(policy);
    tokio::spawn(async move { kheo::http::serve(listener, ctx).await });
    let client = reqwest::Client::builder().build().unwrap();
    TestApp { address, pool, client }
}

/// With `TEST_LOG` set (`TEST_LOG=1 cargo test ...`), the servers' log goes to the tests'
/// output, which cargo shows for the tests that fail; the value is a log filter when it is
/// not `1` (e.g. `TEST_LOG=debug,sqlx=info`).
fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(filter) = std::env::var("TEST_LOG") else { return };
        let filter = if filter == "1" || filter.is_empty() { "info,sqlx=warn".to_string() } else { filter };
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    });
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

/// A signed-in client's credentials: the session cookie and the CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// The password every test account gets.
pub const PASSWORD: &str = "mật khẩu thử 123";

impl TestApp {
    /// Creates an account (`admin`, or `editor` of `communes`) straight in the database.
    pub async fn add_user(&self, username: &str, role: &str, communes: &[&str]) {
        let user = kheo::auth::User {
            username: username.into(),
            display_name: format!("Cán bộ {username}"),
            role: kheo::auth::Role::parse(role).expect("admin or editor"),
            communes: communes.iter().map(|c| c.to_string()).collect(),
        };
        let hash = kheo::auth::password::hash(PASSWORD).unwrap();
        kheo::store::users::upsert(&self.pool, &user, &hash).await.unwrap();
    }

    /// Signs in through `POST /api/session`; panics unless it answers 200 with a cookie.
    pub async fn sign_in(&self, username: &str) -> Session {
        let response = self
            .client
            .post(self.url("/api/session"))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "signing in as {username}");
        let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let body: serde_json::Value = response.json().await.unwrap();
        Session { cookie, csrf: body["csrf_token"].as_str().unwrap().to_string() }
    }

    /// A request with `session`'s cookie and CSRF header.
    pub fn as_user(&self, method: reqwest::Method, path: &str, session: &Session) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }
}

/// A server over tests/fixtures/two_communes.sql and a session of `lan`, editor of 99001.
pub async fn app_with_editor() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    app.add_user("lan", "editor", &["99001"]).await;
    let session = app.sign_in("lan").await;
    (app, session)
}

/// The `kheo serve` binary in a process of its own, over a test's database: for tests that
/// measure the server's memory or kill it, which an in-process server cannot show.
pub struct ServerProcess {
    pub address: String,
    child: std::process::Child,
}

impl ServerProcess {
    /// Starts `kheo serve --listen 127.0.0.1:0` on `app`'s database with `env` added, and
    /// waits for the address it prints.
    pub fn start(app: &TestApp, env: &[(&str, &str)]) -> ServerProcess {
        ServerProcess::start_on(&app.database_url(), env)
    }

    /// Starts `kheo serve` on the database at `database_url` (as [`ServerProcess::start`]).
    pub fn start_on(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        use std::io::BufRead;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kheo"));
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("KHEO_LOG", std::env::var("TEST_LOG").map(|_| "info").unwrap_or("warn"))
            .stdout(std::process::Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("starting kheo serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("reading kheo's first line");
        let address = line
            .trim()
            .strip_prefix("kheo: listening on ")
            .unwrap_or_else(|| panic!("kheo serve printed {line:?} instead of its address"))
            .to_string();
        ServerProcess { address, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmHWM:")
    }

    /// The server's resident memory now (VmRSS), in KiB.
    pub fn rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmRSS:")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` line of /proc/PID/status.
fn proc_status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
}
