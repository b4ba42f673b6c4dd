//! What every request passes through, whatever its route: the log line, the JSON shape of
//! errors that axum or hyper answer by themselves, panics turned into a 500, and path
//! segments with a NUL character.

use super::error::ApiError;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::any::Any;
use std::time::Instant;

/// One line per request at `info`: method, path, status, the time to the response's head,
/// and the client. Never headers (cookies) nor bodies; the query is cut at 200 characters.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: String = request.uri().query().unwrap_or("").chars().take(200).collect();
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        target: "kheo::request",
        %method,
        %path,
        %query,
        status = response.status().as_u16(),
        latency_ms = (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        %client,
    );
    response
}

/// Errors answered by axum itself (405 for a method a route does not take, 413 for a body
/// over the limit, 400 for a body it cannot read) or by a layer (the timeout's 503) come
/// as plain text: they are given the API's JSON shape `{"error", "detail"}`, keeping their
/// status and headers (`Allow`, `Retry-After`).
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // These texts are short; anything longer is not worth reading.
    let text = axum::body::to_bytes(body, 4096).await.ok().map(|b| String::from_utf8_lossy(&b).trim().to_string());
    let message = text.filter(|t| !t.is_empty()).unwrap_or_else(|| default_message(status).to_string());
    let mut detail = Value::Null;
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = parts.headers.get(header::ALLOW).and_then(|v| v.to_str().ok())
    {
        detail = json!({ "allow": allow });
    }
    let body = serde_json::to_vec(&json!({ "error": message, "detail": detail })).unwrap_or_default();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if status == StatusCode::SERVICE_UNAVAILABLE && !parts.headers.contains_key(header::RETRY_AFTER) {
        // The timeout's 503: a request that took a minute may pass when the server is calmer.
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than the server accepts",
        StatusCode::SERVICE_UNAVAILABLE => "the server is busy; try again shortly",
        StatusCode::NOT_FOUND => "not found",
        _ => status.canonical_reason().unwrap_or("error"),
    }
}

/// The answer to a panic in a handler: the JSON 500 of every internal error, the panic's
/// message in the log (not to the client).
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::Internal(anyhow::anyhow!("a handler panicked: {message}")).into_response()
}

/// A path segment holding a NUL character (`%00`) is a 400 naming the segment's parameter
/// (`id`, `layer`), as the query's parameters are: no such value exists, and PostgreSQL
/// refuses it in text.
pub async fn refuse_nul_in_path(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    if let Some(parameter) = matched.and_then(|m| nul_segment(m.as_str(), request.uri().path())) {
        return ApiError::bad(parameter, "must not contain a NUL character (%00)").into_response();
    }
    next.run(request).await
}

/// The name of the route parameter (`{id}` in `route`) whose segment of `path` decodes to
/// text with a NUL, or `path` for a literal segment.
fn nul_segment(route: &str, path: &str) -> Option<String> {
    let has_nul = |segment: &str| percent_encoding::percent_decode_str(segment).any(|b| b == 0);
    if !path.split('/').any(has_nul) {
        return None;
    }
    let routed = route.split('/').zip(path.split('/')).find(|(_, segment)| has_nul(segment));
    Some(match routed {
        Some((pattern, _)) if pattern.starts_with('{') => {
            pattern.trim_matches(|c| c == '{' || c == '}').trim_start_matches('*').to_string()
        }
        _ => "path".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_segment_is_named_by_its_route_parameter() {
        let route = "/api/layers/{layer}/features/{id}";
        assert_eq!(nul_segment(route, "/api/layers/roads/features/1%00"), Some("id".into()));
        assert_eq!(nul_segment(route, "/api/layers/ro%00ads/features/1"), Some("layer".into()));
        assert_eq!(nul_segment(route, "/api/layers/roads/features/1"), None);
        assert_eq!(nul_segment(route, "/api/layers/roads/features/%2500"), None, "an escaped percent is not a NUL");
    }

    #[tokio::test]
    async fn a_panic_is_a_json_500_without_its_message() {
        let response = panic_response(Box::new("index out of bounds: the secret is 42".to_string()));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, json!({ "error": "internal error; see the server log", "detail": null }));
    }

    #[tokio::test]
    async fn the_catch_panic_layer_answers_a_panicking_handler_with_the_json_500() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/boom",
                axum::routing::get(|| async {
                    if std::hint::black_box(true) {
                        panic!("boom");
                    }
                    "unreachable"
                }),
            )
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response));
        let response = app.oneshot(axum::http::Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"], "internal error; see the server log");
    }
}
