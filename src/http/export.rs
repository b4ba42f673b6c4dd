//! Downloads of a layer: `GET /api/layers/{layer}/features.geojson`, `.kml` and `.csv`,
//! with the filters and validation of `GET /api/layers/{layer}/features`, streamed, and
//! named `<layer>-<commune or all>.<ext>` by `Content-Disposition`.

use super::AppContext;
use super::client::ClientAddress;
use super::error::ApiResult;
use super::etag;
use super::layers::{layer_or_404, prepare};
use super::session::Viewer;
use crate::store::{export, features};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};

pub fn router() -> Router<AppContext> {
    Router::new()
        .route("/api/layers/{layer}/features.geojson", handler(Format::GeoJson))
        .route("/api/layers/{layer}/features.kml", handler(Format::Kml))
        .route("/api/layers/{layer}/features.csv", handler(Format::Csv))
}

/// `GET` of one download format: the three differ only in it.
fn handler(format: Format) -> axum::routing::MethodRouter<AppContext> {
    get(
        move |State(ctx): State<AppContext>,
              Path(layer): Path<String>,
              RawQuery(query): RawQuery,
              headers: HeaderMap,
              viewer: Viewer,
              ClientAddress(address): ClientAddress| async move {
            download(ctx, &viewer, &address, format, &layer, query.as_deref(), &headers).await
        },
    )
}

/// A download format.
#[derive(Debug, Clone, Copy)]
enum Format {
    GeoJson,
    Kml,
    Csv,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Kml => "kml",
            Format::Csv => "csv",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Kml => "application/vnd.google-earth.kml+xml",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

async fn download(
    ctx: AppContext,
    viewer: &Viewer,
    address: &str,
    format: Format,
    layer_id: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let layer = layer_or_404(layer_id)?;
    let (filter, tag) = prepare(&ctx, viewer, layer, query, format.extension()).await?;
    if etag::matches(headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }

    let slot = ctx.streams.acquire(address)?;
    let turn = ctx.streams.query_turn().await?;
    let pool = ctx.pool.clone();
    let chunks = match format {
        Format::GeoJson => features::stream_collection(pool, turn, features::features_query(layer, &filter)),
        Format::Kml => export::stream_kml(pool, turn, layer, &filter),
        Format::Csv => export::stream_csv(pool, turn, layer, &filter),
    };
    let body = super::streams::body(chunks, slot).await?;

    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Commune codes are statistics codes (digits); anything else is left out of the name
    // rather than quoted.
    let commune: String = match &filter.commune {
        Some(code) => code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect(),
        None => "all".to_string(),
    };
    let name = format!("attachment; filename=\"{}-{commune}.{}\"", layer.id, format.extension());
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}
