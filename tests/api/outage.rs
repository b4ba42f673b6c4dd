//! A database outage under load (issue 8): PostgreSQL stops at once in the middle of reads
//! and writes and comes back. No request gets a 500 (503 with `Retry-After` while the
//! database is away, quickly), every write that was acknowledged is there afterwards, and
//! service is back within 5 s of the database.
//!
//! The test runs its own PostgreSQL cluster (kheo's managed cluster code, durable settings,
//! in a fresh folder), never the cluster the other tests share.

use crate::helpers::{PASSWORD, ServerProcess};
use kheo::db::cluster::{Cluster, Durability};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Removes the cluster when the test ends, passed or not.
struct ThrowawayCluster(Cluster);

impl Drop for ThrowawayCluster {
    fn drop(&mut self) {
        let _ = self.0.down();
        let _ = std::fs::remove_dir_all(self.0.root());
    }
}

/// One answer: when it was asked (since the load began), what, its status (0 for no
/// answer) and how long it took.
#[derive(Debug, Clone)]
struct Answer {
    at: Duration,
    kind: &'static str,
    status: u16,
    took: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_database_under_load_gives_503s_loses_no_acknowledged_write_and_recovers_at_once() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("outage-{}", uuid::Uuid::new_v4().simple()));
    let cluster = ThrowawayCluster(Cluster::new(&root, Durability::Safe).expect("the test needs PostgreSQL + PostGIS"));
    let options = kheo::db::prepare_managed(&cluster.0).await.expect("starting the outage test's own cluster");
    let pool = kheo::db::open(options, 2).await.unwrap();
    let fixture =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/two_communes.sql"))
            .unwrap();
    sqlx::raw_sql(&fixture).execute(&pool).await.unwrap();
    let hash = kheo::auth::password::hash(PASSWORD).unwrap();
    let editor = kheo::auth::User {
        username: "lan".into(),
        display_name: String::new(),
        role: kheo::auth::Role::Editor,
        communes: vec!["99001".into()],
    };
    kheo::store::users::upsert(&pool, &editor, &hash).await.unwrap();
    pool.close().await;

    // Its warnings (one per refused request) would flood the test's output.
    let log = if std::env::var("TEST_LOG").is_ok() { "info" } else { "error" };
    let server = Arc::new(ServerProcess::start_on(&cluster.0.url(), &[("KHEO_LOG", log)]));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
    let signed_in = client.post(server.url("/api/session")).json(&json!({"username": "lan", "password": PASSWORD}));
    let signed_in = signed_in.send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let csrf = signed_in.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();

    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let began = Instant::now();
    let mut load = Vec::new();
    // Two readers and a writer, one request at a time each: a bounded load.
    for kind in ["read", "health", "write"] {
        let (client, server, answers, acknowledged, stop) =
            (client.clone(), server.clone(), answers.clone(), acknowledged.clone(), stop.clone());
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let request = match kind {
                    "read" => client.get(server.url("/api/layers/roads/features?commune=99001")),
                    "health" => client.get(server.url("/healthz")),
                    _ => client
                        .post(server.url("/api/layers/roads/features"))
                        .header("cookie", &cookie)
                        .header("x-csrf-token", &csrf)
                        .json(&json!({"type": "Feature",
                            "geometry": {"type": "LineString", "coordinates": [[105.712, 19.2051], [105.713, 19.2052]]},
                            "properties": {"commune": "99001", "name": format!("Ngõ ghi số {n}"), "class": "alley", "surface": "concrete"}})),
                };
                let at = began.elapsed();
                let asked = Instant::now();
                let (status, body) = match request.send().await {
                    Ok(response) => (response.status().as_u16(), response.text().await.unwrap_or_default()),
                    Err(_) => (0, String::new()),
                };
                let took = asked.elapsed();
                if kind == "write" && status == 201 {
                    let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_i64().unwrap();
                    acknowledged.lock().unwrap().push(id);
                }
                if status >= 500 && status != 503 || status == 0 {
                    eprintln!("{kind} at {at:?}: {status} {body}");
                }
                answers.lock().unwrap().push(Answer { at, kind, status, took });
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let crashed_at = began.elapsed();
    let c = cluster.0.clone();
    tokio::task::spawn_blocking(move || c.stop_immediately()).await.unwrap().expect("pg_ctl stop -m immediate");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let c = cluster.0.clone();
    tokio::task::spawn_blocking(move || c.up()).await.unwrap().expect("starting PostgreSQL again");
    let up_at = began.elapsed();
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    let answers = answers.lock().unwrap().clone();
    let mut counts = BTreeMap::<(&str, u16), usize>::new();
    for a in &answers {
        *counts.entry((a.kind, a.status)).or_default() += 1;
    }
    // Back: the first success of each kind asked after the database was up.
    let mut back_after = BTreeMap::<&str, Duration>::new();
    for kind in ["read", "health", "write"] {
        let first = answers.iter().find(|a| a.kind == kind && a.at >= up_at && (200..300).contains(&a.status));
        let first = first.unwrap_or_else(|| panic!("no {kind} succeeded after the database came back"));
        back_after.insert(kind, (first.at + first.took).saturating_sub(up_at));
    }
    let outage_answers: Vec<&Answer> = answers.iter().filter(|a| a.at >= crashed_at && a.at < up_at).collect();
    let slowest_in_outage = outage_answers.iter().map(|a| a.took).max().unwrap_or_default();
    eprintln!(
        "outage: {} requests ({counts:?}); database down {:.1} s; during it the slowest answer took {} ms; \
         back after the database: {back_after:?}; {} writes acknowledged",
        answers.len(),
        (up_at - crashed_at).as_secs_f64(),
        slowest_in_outage.as_millis(),
        acknowledged.lock().unwrap().len()
    );

    let failures: Vec<&Answer> =
        answers.iter().filter(|a| a.status == 0 || a.status >= 500 && a.status != 503).collect();
    assert!(failures.is_empty(), "no 500 and no dropped request: {failures:?}");
    assert!(answers.iter().all(|a| [200, 201, 503].contains(&a.status)), "{counts:?}");
    assert!(outage_answers.iter().any(|a| a.status == 503), "the outage was seen: {counts:?}");
    assert!(slowest_in_outage < Duration::from_secs(5), "a request waited {slowest_in_outage:?} during the outage");
    for (kind, after) in &back_after {
        assert!(*after < Duration::from_secs(5), "{kind} came back {after:?} after the database");
    }
    // Every acknowledged write is there.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    for id in acknowledged {
        let stored = client.get(server.url(&format!("/api/layers/roads/features/{id}"))).send().await.unwrap();
        assert_eq!(stored.status(), 200, "acknowledged road {id} was lost");
    }
}
