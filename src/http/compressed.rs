//! Answers compressed once and kept (the coverage cache): gzip, which every browser and
//! HTTP client takes. The response layer's compression (tower-http) leaves an answer that
//! already has a `Content-Encoding` as it is.

use super::error::ApiResult;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use std::io::Write;

/// Whether `Accept-Encoding` takes gzip: a `gzip` (or `x-gzip`) coding, or `*`, whose
/// quality is not 0 (RFC 9110, 12.5.3).
///
/// ```
/// use axum::http::{HeaderMap, HeaderValue, header};
/// use kheo::http::compressed::accepts_gzip;
/// let with = |value: &'static str| HeaderMap::from_iter([(header::ACCEPT_ENCODING, HeaderValue::from_static(value))]);
/// assert!(accepts_gzip(&with("gzip, deflate, br")));
/// assert!(accepts_gzip(&with("br;q=1.0, GZIP;q=0.5")));
/// assert!(!accepts_gzip(&with("gzip;q=0, br")));
/// assert!(!accepts_gzip(&with("identity")));
/// assert!(!accepts_gzip(&HeaderMap::new()));
/// ```
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            matches!(name.as_str(), "gzip" | "x-gzip" | "*") && quality > 0.0
        },
    )
}

/// `body` gzipped, on the blocking pool (a region's answer takes some milliseconds).
pub async fn gzip(body: Bytes) -> ApiResult<Bytes> {
    let compressed = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&body)?;
        encoder.finish()
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    Ok(Bytes::from(compressed))
}

/// Marks a response whose body is gzip.
pub fn gzipped(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
