//! The HTTP API and the page: one router per resource, one shared context, one error type.

mod cache;
mod communes;
mod context;
mod coverage;
mod edits;
pub mod error;
mod etag;
mod export;
mod health;
mod import;
mod indicators;
pub mod layers;
mod params;
mod search;
pub mod session;
mod tiles;
mod web;

pub use cache::ResponseCache;
pub use context::{AppContext, DEFAULT_CACHE_ENTRIES, DEFAULT_MAX_UPLOAD_BYTES, Policy, VIETNAM_EXTENT, WebSettings};
pub use params::today_in_vietnam;

use axum::Router;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole application.
pub fn app(ctx: AppContext) -> Router {
    Router::new()
        .merge(health::router())
        .merge(communes::router())
        .merge(layers::router())
        .merge(edits::router())
        .merge(import::router())
        .merge(export::router())
        .merge(coverage::router())
        .merge(indicators::router())
        .merge(search::router())
        .merge(session::router())
        .merge(tiles::router())
        .merge(web::router())
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), session::guard_reads))
        // Uploads and edits above the limit get 413 (KHEO_MAX_UPLOAD_MB).
        .layer(axum::extract::DefaultBodyLimit::max(ctx.policy.max_upload_bytes))
        .layer(CompressionLayer::new().gzip(true).br(true))
        // Time to produce the response head; a long streamed body is not cut by it.
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(TraceLayer::new_for_http())
        .with_state(ctx)
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, ctx: AppContext) -> std::io::Result<()> {
    // With the peer's address: sign-in attempts are limited per address too.
    axum::serve(listener, app(ctx).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
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
