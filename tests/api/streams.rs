//! Streams cannot hold the database hostage (issue 8): a layer is read from PostgreSQL at
//! the database's pace into a spill, so slow readers hold no pool connection and others are
//! served as usual; a response has a total time limit; a client address has a few streams.

use crate::helpers::{ServerProcess, TestApp, spawn_app, spawn_app_with_policy};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

/// 2,500 roads of 100 vertices each in commune 98001: a layer of some 7 MB, larger than
/// what the kernel's socket buffers hold for a client that does not read.
pub(crate) async fn load_big_layer(app: &TestApp) {
    sqlx::raw_sql(
        "BEGIN;
         SET LOCAL kheo.coverage = 'deferred';
         INSERT INTO commune (code, name, kind, province, geom) VALUES
           ('98001', 'Xã Lớn', 'xa', 'Nghệ An', ST_Multi(ST_MakeEnvelope(105.60, 19.10, 105.70, 19.20, 4326)));
         INSERT INTO road (commune_code, name, class, surface, geom)
         SELECT '98001', 'Đường thử nghiệm số ' || i, 'alley', 'concrete',
                ST_SetSRID(ST_MakeLine(ARRAY(
                    SELECT ST_MakePoint(105.60 + j * 0.0009 + (i % 50) * 0.00001, 19.10 + (i / 50) * 0.0015 + (j % 2) * 0.00003)
                      FROM generate_series(0, 99) AS j)), 4326)
           FROM generate_series(1, 2500) AS i;
         COMMIT;",
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

/// What slow readers have done: bytes read, heads read in full.
#[derive(Default)]
struct Progress {
    bytes: AtomicUsize,
    heads: AtomicUsize,
}

/// A client that asks for `path` and then reads one byte a second with a 4 KiB receive
/// buffer, until `stop` or the server closes. Returns what it read.
async fn slow_reader(address: String, path: String, stop: Arc<AtomicBool>, progress: Arc<Progress>) -> Vec<u8> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(address.parse().unwrap()).await.unwrap();
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: kheo\r\n\r\n").as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !stop.load(Ordering::Relaxed) {
        match stream.read(&mut byte).await {
            Ok(1) => {
                head.push(byte[0]);
                progress.bytes.fetch_add(1, Ordering::Relaxed);
            }
            _ => break,
        }
        if head.ends_with(b"\r\n\r\n") {
            progress.heads.fetch_add(1, Ordering::Relaxed);
        }
        // At full speed until the head is read, then one byte a second.
        if progress.heads.load(Ordering::Relaxed) > 0 && head.windows(4).any(|w| w == b"\r\n\r\n") {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    head
}

/// Connections of the server's pool (application "kheo") running a statement now.
async fn busy_backends(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'kheo' AND state <> 'idle' AND pid <> pg_backend_pid()",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_clients_reading_a_big_layer_at_one_byte_a_second_starve_no_one() {
    const READERS: usize = 32;
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;
    load_big_layer(&app).await;
    // A pool of 8: under the old streaming, 8 slow readers took it all.
    let server = ServerProcess::start(&app, &[("KHEO_MAX_CONNECTIONS", "8"), ("KHEO_MAX_STREAMS_PER_CLIENT", "64")]);
    let client = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let whole = client.get(server.url("/api/layers/roads/features?commune=98001")).send().await.unwrap();
    let whole = whole.bytes().await.unwrap().len();
    assert!(whole > 5_000_000, "the layer is {whole} bytes: too small to fill the socket buffers");

    let stop = Arc::new(AtomicBool::new(false));
    let read = Arc::new(Progress::default());
    let address = server.address.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let reader = slow_reader(
                address.clone(),
                "/api/layers/roads/features?commune=98001".into(),
                stop.clone(),
                read.clone(),
            );
            tokio::spawn(reader)
        })
        .collect();

    // Others are served as usual, from the moment the 32 start (their queries then run,
    // taking at most half the pool) until long after their queries ended at the
    // database's pace, while the clients have read almost nothing.
    let mut released_after = None;
    let mut rounds_after_release = 0;
    let mut slowest = Duration::ZERO;
    let mut slowest_in_turn = Duration::ZERO;
    let mut latencies = Vec::new();
    while rounds_after_release < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the slow readers' queries still hold connections after 60 s"
        );
        for path in
            ["/healthz", "/api/coverage?commune=99001", "/api/layers/roads/features?commune=99001", "/api/layers"]
        {
            let asked = Instant::now();
            let response = client.get(server.url(path)).send().await.unwrap();
            let status = response.status();
            let body = response.bytes().await.unwrap();
            let took = asked.elapsed();
            let when = started.elapsed();
            assert_eq!(status, 200, "{path} at {when:?}: {}", String::from_utf8_lossy(&body));
            // A layer is a stream too: while the 32 queries run, it waits its turn behind
            // those that asked first (half the pool serves streams), which is not starving.
            let waits_its_turn = path.contains("/features") && released_after.is_none();
            let bound = Duration::from_secs(if waits_its_turn { 10 } else { 3 });
            assert!(took < bound, "{path} took {took:?} beside {READERS} slow readers at {when:?}");
            if waits_its_turn {
                slowest_in_turn = slowest_in_turn.max(took);
            } else {
                slowest = slowest.max(took);
                latencies.push(took.as_secs_f64() * 1000.0);
            }
        }
        if released_after.is_some() {
            rounds_after_release += 1;
            tokio::time::sleep(Duration::from_millis(500)).await;
        } else if busy_backends(&app).await == 0 {
            released_after = Some(started.elapsed());
        }
    }
    let released_after = released_after.expect("released");
    let still_reading = readers.iter().filter(|r| !r.is_finished()).count();
    assert_eq!(still_reading, READERS, "every slow reader is still being served");
    latencies.sort_by(f64::total_cmp);
    eprintln!(
        "{READERS} readers at 1 byte/s of a {whole}-byte layer: their queries ended {:.1} s after they asked, \
         having sent them {} bytes in all; {} other requests (healthz, coverage, the catalogue, and a layer \
         once the queries ended) meanwhile: median {:.0} ms, slowest {:.0} ms; a layer asked while the 32 \
         queries ran waited its turn at most {:.0} ms; server peak RSS {} MiB",
        released_after.as_secs_f64(),
        read.bytes.load(Ordering::Relaxed),
        latencies.len(),
        latencies[latencies.len() / 2],
        slowest.as_secs_f64() * 1000.0,
        slowest_in_turn.as_secs_f64() * 1000.0,
        server.peak_rss_kib() / 1024
    );
    stop.store(true, Ordering::Relaxed);
    drop(readers);
}

/// The server cuts a response still running after the stream timeout. The client's kernel
/// keeps what it received, so the client itself would read on for hours at 1 byte/s: the
/// cut is seen from the server's side, by the client's only stream slot coming free.
#[tokio::test]
async fn a_response_slower_than_the_stream_timeout_is_cut() {
    let app = spawn_app_with_policy(kheo::http::Policy {
        stream_timeout: Duration::from_secs(2),
        max_streams_per_client: 1,
        ..Default::default()
    })
    .await;
    load_big_layer(&app).await;
    let stop = Arc::new(AtomicBool::new(false));
    let read = Arc::new(Progress::default());
    let address = app.address.trim_start_matches("http://").to_string();
    let asked = Instant::now();
    let reader = tokio::spawn(slow_reader(address, "/api/layers/roads/features".into(), stop.clone(), read.clone()));
    while read.heads.load(Ordering::Relaxed) < 1 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.get("/api/layers/roads/features?limit=1").await.status(), 429, "the one slot is taken");

    let mut freed_after = None;
    while asked.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if app.get("/api/layers/roads/features?limit=1").await.status() == 200 {
            freed_after = Some(asked.elapsed());
            break;
        }
    }
    let freed_after = freed_after.expect("the slow response was never cut");
    assert!(freed_after >= Duration::from_secs(2), "cut after {freed_after:?}, before the limit");
    eprintln!("a reader at 1 byte/s was cut {:.1} s after its request (limit 2 s)", freed_after.as_secs_f64());
    stop.store(true, Ordering::Relaxed);
    reader.abort();
}

#[tokio::test]
async fn a_client_address_gets_a_few_streams_at_once_then_429() {
    let app = spawn_app_with_policy(kheo::http::Policy { max_streams_per_client: 2, ..Default::default() }).await;
    load_big_layer(&app).await;
    let stop = Arc::new(AtomicBool::new(false));
    let read = Arc::new(Progress::default());
    let address = app.address.trim_start_matches("http://").to_string();
    let path = "/api/layers/roads/features.csv";
    let readers: Vec<_> =
        (0..2).map(|_| tokio::spawn(slow_reader(address.clone(), path.into(), stop.clone(), read.clone()))).collect();
    while read.heads.load(Ordering::Relaxed) < 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let third = app.get("/api/layers/roads/features?limit=1").await;
    assert_eq!(third.status(), 429);
    assert_eq!(third.headers()["retry-after"], "5");
    let body: serde_json::Value = third.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("downloads"), "{body}");
    // Answers that are not streams are not limited.
    assert_eq!(app.get("/api/layers").await.status(), 200);

    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.abort();
    }
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/api/layers/roads/features?limit=1").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "the slots are free once the clients left");
}

#[tokio::test]
async fn a_whole_big_layer_comes_through_the_spill_in_order() {
    let app = spawn_app().await;
    load_big_layer(&app).await;
    // Larger than the spill's memory: most of it went through the temporary file.
    let collection = app.get_json("/api/layers/roads/features?commune=98001").await;
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2500);
    let ids: Vec<i64> = features.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order, none lost or repeated");
    assert_eq!(features[2499]["properties"]["name"], "Đường thử nghiệm số 2500");
}
