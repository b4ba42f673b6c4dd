//! `GET /healthz`: 200 when the database answers, 503 otherwise.

use super::AppContext;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get};
use serde_json::json;
use std::time::Duration;

pub fn router() -> Router<AppContext> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(ctx): State<AppContext>) -> impl IntoResponse {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&ctx.pool);
    match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        _ => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))),
    }
}
