//! `GET /healthz`: 200 when the database answers, 503 with `Retry-After` otherwise.

use super::AppContext;
use super::error::UNAVAILABLE_RETRY_AFTER_S;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde_json::json;
use std::time::Duration;

pub fn router() -> Router<AppContext> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(ctx): State<AppContext>) -> Response {
    let ping = crate::store::health::ping(&ctx.pool);
    match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        _ => {
            let mut response =
                (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER_S));
            response
        }
    }
}
