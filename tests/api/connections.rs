//! Connections are managed (issue 8): idle sockets, sockets that trickle a header byte at a
//! time and kept-alive sockets that say nothing more are closed by the server within its
//! header timeout while requests are still answered; connections beyond the cap are
//! refused at once with a 503.

use crate::helpers::{ServerProcess, spawn_app};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const IDLE: usize = 1800;
const TRICKLING: usize = 100;
const KEPT_ALIVE: usize = 100;
/// The server's header timeout in these tests, seconds.
const HEADER_TIMEOUT_S: u64 = 2;

/// How a socket ended: closed by the server after that long, or still open at the deadline.
type Closed = Option<Duration>;

/// Waits until the server closes `socket` (end of file or a reset), up to `deadline`.
async fn closed_by_server(mut socket: TcpStream, opened: Instant, deadline: Instant) -> Closed {
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(deadline.into(), socket.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
            Ok(Ok(_)) => continue, // a 408 or the like before the close
        }
    }
}

/// Sends a request head one byte every second, never finishing it, until the server closes.
async fn trickle(mut socket: TcpStream, opened: Instant, deadline: Instant) -> Closed {
    let head = b"GET /healthz HTTP/1.1\r\nHost: kheo\r\nX-Slow: ";
    let mut buffer = [0u8; 1024];
    for byte in head.iter().cycle() {
        if socket.write_all(&[*byte]).await.is_err() {
            return Some(opened.elapsed());
        }
        match tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buffer)).await {
            Err(_) => {}
            Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
            Ok(Ok(_)) => {}
        }
        if Instant::now() > deadline {
            return None;
        }
    }
    None
}

/// Sends one whole request, reads its answer, then keeps the connection open saying nothing.
async fn keep_alive(mut socket: TcpStream, deadline: Instant) -> Closed {
    socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: kheo\r\n\r\n").await.ok()?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while !answer.ends_with(b"{\"status\":\"ok\"}") {
        let n = socket.read(&mut buffer).await.ok()?;
        assert!(n > 0, "closed before answering: {}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buffer[..n]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    // The idle time starts now.
    closed_by_server(socket, Instant::now(), deadline).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_sockets_are_closed_within_the_header_timeout_and_requests_are_still_answered() {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap();
    assert!(files > 2 * 2100, "the test needs 4,200 open files (its limit is {files}): raise the hard limit");
    let app = spawn_app().await;
    let server = ServerProcess::start(
        &app,
        &[("KHEO_HEADER_TIMEOUT_S", &HEADER_TIMEOUT_S.to_string()), ("KHEO_MAX_CLIENT_CONNECTIONS", "4000")],
    );
    let address = server.address.trim_start_matches("http://").to_string();
    // Generous: the sockets are opened one after the other on a shared machine.
    let deadline = Instant::now() + Duration::from_secs(HEADER_TIMEOUT_S + 40);

    let mut waits = Vec::new();
    let started = Instant::now();
    for i in 0..(IDLE + TRICKLING + KEPT_ALIVE) {
        let socket = TcpStream::connect(&address).await.expect("the server accepts the connection");
        let opened = Instant::now();
        waits.push(tokio::spawn(async move {
            match i {
                i if i < IDLE => ("idle", closed_by_server(socket, opened, deadline).await),
                i if i < IDLE + TRICKLING => ("trickling", trickle(socket, opened, deadline).await),
                _ => ("kept alive", keep_alive(socket, deadline).await),
            }
        }));
    }
    let opening = started.elapsed();

    // Meanwhile a client is served as usual.
    let asked = Instant::now();
    let health = reqwest::get(server.url("/healthz")).await.expect("answered");
    let answered_in = asked.elapsed();
    assert_eq!(health.status(), 200);
    assert!(answered_in < Duration::from_secs(3), "a request took {answered_in:?} among 2,000 idle sockets");

    let mut slowest = std::collections::BTreeMap::<&str, Duration>::new();
    let mut still_open = Vec::new();
    for wait in waits {
        let (kind, closed) = wait.await.unwrap();
        match closed {
            Some(after) => {
                let worst = slowest.entry(kind).or_default();
                *worst = (*worst).max(after);
            }
            None => still_open.push(kind),
        }
    }
    eprintln!(
        "{} sockets opened in {:.1} s; healthz answered in {} ms meanwhile; closed by the server at the latest after {slowest:?} (header timeout {HEADER_TIMEOUT_S} s); server peak RSS {} MiB",
        IDLE + TRICKLING + KEPT_ALIVE,
        opening.as_secs_f64(),
        answered_in.as_millis(),
        server.peak_rss_kib() / 1024
    );
    assert!(
        still_open.is_empty(),
        "{} sockets were never closed: {:?}",
        still_open.len(),
        &still_open[..5.min(still_open.len())]
    );
    for (kind, after) in slowest {
        // Each is closed one timeout after it was opened (or went idle), plus scheduling.
        assert!(after < Duration::from_secs(HEADER_TIMEOUT_S + 5), "{kind} sockets were closed after {after:?}");
    }
    // And the server still serves.
    assert_eq!(reqwest::get(server.url("/healthz")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn connections_beyond_the_cap_are_refused_at_once_with_a_503() {
    let app = spawn_app().await;
    let server = ServerProcess::start(&app, &[("KHEO_MAX_CLIENT_CONNECTIONS", "20"), ("KHEO_HEADER_TIMEOUT_S", "60")]);
    let address = server.address.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    // Let the server take them all.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let asked = Instant::now();
    let mut extra = TcpStream::connect(&address).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(3), extra.read_to_end(&mut answer))
        .await
        .expect("the extra connection is answered at once")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1") && answer.contains("\"error\""), "{answer}");
    eprintln!("the 21st connection was refused in {} ms", asked.elapsed().as_millis());

    drop(idle);
    // The slots free as the server sees the sockets close.
    let mut status = None;
    for _ in 0..50 {
        if let Ok(response) = reqwest::get(server.url("/healthz")).await
            && response.status() == 200
        {
            status = Some(200);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, Some(200), "served again once the idle connections closed");
}

/// SIGTERM's path: the server takes no new connection but finishes the download in flight,
/// then returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_finishes_the_download_in_flight() {
    let app = spawn_app().await; // for its database
    crate::streams::load_big_layer(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let ctx = kheo::http::AppContext::new(app.pool.clone(), kheo::http::WebSettings::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kheo::http::serve_until(listener, ctx, async move {
        let _ = stopped.await;
    }));

    // A 6 MB layer that the client has only begun to read when the server is stopped (a
    // small receive buffer keeps most of it on the server's side).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut socket = socket.connect(address).await.unwrap();
    let request = b"GET /api/layers/roads/features?commune=98001 HTTP/1.1\r\nHost: kheo\r\nConnection: close\r\n\r\n";
    socket.write_all(request).await.unwrap();
    let mut first = [0u8; 16];
    socket.read_exact(&mut first).await.unwrap();
    assert_eq!(&first[..12], b"HTTP/1.1 200");
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(TcpStream::connect(address).await.is_err(), "no new connection after the stop");
    assert!(!server.is_finished(), "the server waits for the download");

    let mut rest = Vec::new();
    socket.read_to_end(&mut rest).await.unwrap();
    assert!(rest.len() > 5_000_000, "{} bytes", rest.len());
    // The chunked body ends with the collection's tail, then the last chunk.
    assert!(rest.ends_with(b"]}\n\r\n0\r\n\r\n"), "{:?}", String::from_utf8_lossy(&rest[rest.len() - 40..]));
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("serve_until returned").unwrap().unwrap();
}
