//! The HTTP API and the page: one router per resource, one shared context, one error type.

mod cache;
mod communes;
mod context;
mod coverage;
pub mod error;
mod etag;
mod health;
pub mod layers;
mod params;
mod search;
mod web;

pub use cache::ResponseCache;
pub use context::{AppContext, DEFAULT_CACHE_ENTRIES, WebSettings};

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
        .merge(coverage::router())
        .merge(search::router())
        .merge(web::router())
        .layer(CompressionLayer::new().gzip(true).br(true))
        // Time to produce the response head; a long streamed body is not cut by it.
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(TraceLayer::new_for_http())
        .with_state(ctx)
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, ctx: AppContext) -> std::io::Result<()> {
    axum::serve(listener, app(ctx)).with_graceful_shutdown(shutdown_signal()).await
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
