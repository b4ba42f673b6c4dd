//! Which encoding a client gets (JSON or HTML) and the server's own address for links.

use crate::http::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

impl Format {
    /// `f=json|html` when given, else HTML for clients that ask for it (browsers), else JSON.
    pub fn choose(f: Option<&str>, headers: &HeaderMap) -> ApiResult<Format> {
        match f {
            Some("json" | "geojson") => Ok(Format::Json),
            Some("html") => Ok(Format::Html),
            Some(_) => Err(ApiError::bad("f", "must be json or html")),
            None => {
                let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
                Ok(if accept.contains("text/html") { Format::Html } else { Format::Json })
            }
        }
    }
}

/// `http://host[:port]` as the client addressed the server, so that links work from where
/// the client stands; behind a proxy that says it was HTTPS (and with KHEO_TRUST_PROXY),
/// `https`. Empty (links relative to the root) when the Host header is missing or odd.
pub fn base_url(headers: &HeaderMap, trust_proxy: bool) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let sane = !host.is_empty()
        && host.len() <= 255
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !sane {
        return String::new();
    }
    let https = trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}
