//! The web page (`web/`), embedded in release builds so that one file deploys; debug
//! builds read it from disk, so a page edit needs no rebuild.

use super::AppContext;
use super::error::ApiError;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
struct WebFiles;

/// Serves the page for every path no API route took.
pub fn router() -> Router<AppContext> {
    Router::new().fallback(file)
}

/// The page's HTML, as served.
pub fn index_html() -> String {
    WebFiles::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned()).unwrap_or_default()
}

async fn file(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    // Font stacks have spaces in their names: /fonts/Noto%20Sans%20Regular/0-255.pbf
    let decoded = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    let path = decoded.trim_start_matches('/');
    if path.starts_with("api/") {
        return ApiError::not_found(format!("no API route {}", uri.path())).into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        // TRACE, PROPFIND, CONNECT, POST...: the page's files are only read.
        let mut response = ApiError::client(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed here: the page's files are read with GET"),
            serde_json::json!({ "allow": "GET, HEAD" }),
        )
        .into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = if path.is_empty() { "index.html" } else { path };
    if path.split('/').any(|part| part == ".." || part.starts_with('.')) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let Some(file) = WebFiles::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let tag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    if super::etag::matches(&headers, &tag) {
        return super::etag::not_modified(&tag);
    }
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(file.metadata.mimetype()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Revalidate every time (cheap, thanks to the ETag) so that an upgrade shows at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
