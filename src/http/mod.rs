//! The HTTP API and the page: one router per resource, one shared context, one error type.

mod cache;
pub(crate) mod client;
mod communes;
pub mod compressed;
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
mod middleware;
pub mod ogc;
pub mod openapi;
mod params;
pub mod photos;
mod regions;
mod report;
mod search;
pub mod security;
pub mod server;
pub mod session;
mod settings;
mod sheets;
pub(crate) mod streams;
mod tiles;
mod web;
mod worklist;

pub use cache::ResponseCache;
pub use context::{
    AppContext, DEFAULT_CACHE_ENTRIES, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CLIENT_CONNECTIONS, DEFAULT_MAX_IMPORTS,
    DEFAULT_MAX_STREAMS_PER_CLIENT, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_STREAM_TIMEOUT, Policy, VIETNAM_EXTENT,
    WebSettings,
};
pub use params::{is_region_code, today_in_vietnam};
pub use photos::PhotoGate;
pub use server::{serve, serve_until};

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

/// The whole application.
pub fn app(ctx: AppContext) -> Router {
    let security = Arc::new(security::SecurityHeaders::new(&web::index_html(), &ctx.web, &ctx.policy));
    Router::new()
        // `/api` and `/healthz`, each route registered with its OpenAPI documentation.
        .merge(openapi::routes())
        .merge(ogc::router(ctx.clone()))
        .merge(tiles::router())
        .route_layer(from_fn(middleware::refuse_nul_in_path))
        .merge(web::router())
        .layer(from_fn_with_state(ctx.clone(), session::guard_reads))
        // Uploads and edits above the limit get 413 (KHEO_MAX_UPLOAD_MB).
        .layer(axum::extract::DefaultBodyLimit::max(ctx.policy.max_upload_bytes))
        // Time to produce the response head; a long streamed body is not cut by it (the
        // stream timeout of the server loop is).
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(from_fn(middleware::json_errors))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::map_response(move |mut response: axum::response::Response| {
            let security = security.clone();
            async move {
                security.apply(response.headers_mut());
                response
            }
        }))
        .layer(from_fn(middleware::log_request))
        .with_state(ctx)
}
