//! `GET /healthz`: 200 when the database answers, 503 with `Retry-After` otherwise.

use super::AppContext;
use super::error::UNAVAILABLE_RETRY_AFTER_S;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::Health;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Whether the server and its database answer.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database does not answer within 3 s (`Retry-After`)", body = Health),
    )
)]
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
