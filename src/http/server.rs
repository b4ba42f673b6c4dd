//! The server loop: accepting connections, with the limits that keep one client, or a crowd
//! of idle ones, from taking the server down.
//!
//! axum's own `serve` has no header-read timeout, no cap on connections and no write
//! deadline, so kheo drives hyper itself (as axum's "serve with hyper" example does):
//! - **header-read timeout** (`KHEO_HEADER_TIMEOUT_S`): hyper's `header_read_timeout`. Its
//!   clock starts whenever hyper waits for a request head, which is also when a kept-alive
//!   connection sits idle between requests, so the same timeout closes idle connections,
//!   connections that send nothing, and ones that trickle a header byte at a time;
//! - **a cap on connections** (`KHEO_MAX_CLIENT_CONNECTIONS`, kept below the open-file
//!   limit): beyond it a connection gets an immediate 503 and is closed, without a task;
//! - **a response deadline** (`KHEO_STREAM_TIMEOUT_S`): the connection's writes fail once a
//!   response has taken that long from its request, so a client that reads slowly (or not at
//!   all) cannot hold a connection forever ([`DeadlineIo`]);
//! - **graceful shutdown** on SIGTERM or Ctrl-C (hyper-util's `GracefulShutdown`): no new
//!   connections, in-flight requests finish, idle connections close.

use super::{AppContext, app};
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// File descriptors kept for everything but client connections: the database pool is
/// added to it, and each connection counts twice (its socket and a stream's spill file).
const RESERVED_FILES: u64 = 64;
/// How long a shutdown waits for the requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, ctx: AppContext) -> io::Result<()> {
    serve_until(listener, ctx, shutdown_signal()).await
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight (for at most [`SHUTDOWN_GRACE`]).
pub async fn serve_until(
    listener: TcpListener,
    ctx: AppContext,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let pool_size = u64::from(ctx.pool.options().get_max_connections());
    let max_connections = connection_cap(ctx.policy.max_client_connections, pool_size);
    let response_deadline = ctx.policy.stream_timeout;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(ctx.policy.header_timeout);
    let router = app(ctx);
    let slots = Arc::new(Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little instead of spinning on the error.
                    tracing::warn!(%error, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let clock = ResponseClock::default();
        let io = TokioIo::new(DeadlineIo::new(stream, clock.clone(), response_deadline));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            clock.start();
            // The sign-in and stream limits per address read it.
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing the requests in flight");
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after {} s were cut", SHUTDOWN_GRACE.as_secs());
    }
    Ok(())
}

/// Raises the soft open-file limit to the hard one, and returns how many connections kheo
/// may then hold: `wanted`, or fewer when the limit is lower, and says so in the log.
fn connection_cap(wanted: usize, pool_size: u64) -> usize {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => files,
        Err(error) => {
            tracing::warn!(%error, "reading the open-file limit");
            return wanted;
        }
    };
    let affordable = usize::try_from(files.saturating_sub(RESERVED_FILES + pool_size) / 2).unwrap_or(usize::MAX);
    let cap = wanted.min(affordable).max(1);
    if cap < wanted {
        tracing::warn!(
            "open files limited to {files}: serving at most {cap} connections instead of {wanted} (raise LimitNOFILE)"
        );
    } else {
        tracing::info!("open files limited to {files}: serving at most {cap} connections");
    }
    cap
}

/// Answers a connection beyond the cap at once with a 503 and closes it. The answer fits
/// in an empty socket buffer, so one non-blocking write sends it (or nothing is sent and the
/// client sees the connection close).
fn refuse(stream: TcpStream) {
    const BODY: &str = r#"{"error":"the server has too many connections; try again shortly","detail":null}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = stream.try_write(answer.as_bytes());
    tracing::debug!("refused a connection: the connection cap is reached");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// When the connection's current request began (milliseconds since the clock's origin; 0
/// before the first one), shared by the connection's service and its IO.
#[derive(Clone)]
struct ResponseClock {
    origin: Instant,
    started_ms: Arc<AtomicU64>,
}

impl Default for ResponseClock {
    fn default() -> ResponseClock {
        ResponseClock { origin: Instant::now(), started_ms: Arc::default() }
    }
}

impl ResponseClock {
    fn start(&self) {
        let elapsed = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.started_ms.store(elapsed.max(1), Ordering::Relaxed);
    }

    /// When the current response must be sent by, if a request has begun.
    fn deadline(&self, limit: Duration) -> Option<Instant> {
        match self.started_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(self.origin + Duration::from_millis(ms) + limit),
        }
    }
}

/// A connection whose writes fail once the current response is older than the deadline.
///
/// hyper has no write timeout: a response waiting for a client that does not read would
/// hold its connection (and, before the spill, its database connection) forever. A new
/// request restarts the clock, and hyper reads the next request only once the previous
/// response is sent, so a client cannot extend a response by sending bytes.
struct DeadlineIo {
    inner: TcpStream,
    clock: ResponseClock,
    limit: Duration,
    /// Wakes a write that waits on a client past the deadline.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl DeadlineIo {
    fn new(inner: TcpStream, clock: ResponseClock, limit: Duration) -> DeadlineIo {
        DeadlineIo { inner, clock, limit, timer: None }
    }

    /// `result` of a write, or an error past the deadline; a write left pending is woken at
    /// the deadline.
    fn within_deadline<T>(&mut self, cx: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        let Some(deadline) = self.clock.deadline(self.limit) else { return result };
        if Instant::now() >= deadline {
            // Closed with a reset: what the kernel still holds for this client is dropped
            // too, instead of trickling out to it after the connection is gone.
            let _ = self.inner.set_zero_linger();
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the response took longer than the stream timeout",
            )));
        }
        if result.is_pending() {
            self.wake_at(cx, deadline);
        }
        result
    }

    fn wake_at(&mut self, cx: &mut Context<'_>, deadline: Instant) {
        let deadline = tokio::time::Instant::from_std(deadline);
        match &mut self.timer {
            Some(timer) if timer.deadline() == deadline => {}
            Some(timer) => timer.as_mut().reset(deadline),
            None => self.timer = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
        if let Some(timer) = &mut self.timer {
            // Registers the waker; the deadline has not passed, so this is pending.
            let _ = timer.as_mut().poll(cx);
        }
    }
}

impl AsyncRead for DeadlineIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DeadlineIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, data);
        self.within_deadline(cx, written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, data);
        self.within_deadline(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let flushed = Pin::new(&mut self.inner).poll_flush(cx);
        self.within_deadline(cx, flushed)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
