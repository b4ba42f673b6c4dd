//! ETags: weak ones from data revisions, a feature's strong one from its version, and
//! conditional GET.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::hash::{Hash, Hasher};

/// A weak ETag over `parts` and the server's version (a new release may change the
/// output). Weak because compression changes the bytes, not the meaning.
pub fn weak(parts: &[&str]) -> String {
    // SipHash with fixed keys: stable for a given build, which is all an ETag needs.
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    parts.hash(&mut hasher);
    format!("W/\"{:016x}\"", hasher.finish())
}

/// The strong ETag of a feature: its version, which changes with every write. What a
/// feature's GET answers and its edits' `If-Match` names.
pub fn version_tag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// Whether the request's `If-None-Match` names `tag` (or is `*`).
pub fn matches(headers: &HeaderMap, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim())
        .any(|v| v == "*" || v.trim_start_matches("W/") == bare)
}

pub fn not_modified(tag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}
