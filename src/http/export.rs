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
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{FeatureFilters, GeoJsonFeatureCollection};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(download_geojson)).routes(routes!(download_kml)).routes(routes!(download_csv))
}

/// A layer's features as a GeoJSON file, with the filters of `/features`.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features.geojson",
    tag = "layers",
    params(("layer" = String, Path, description = "A layer of the catalogue"), FeatureFilters),
    responses(
        (status = 200, description = "The file, as an attachment `<layer>-<commune or all>.geojson`", body = GeoJsonFeatureCollection, content_type = "application/geo+json"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 429, description = "Too many downloads at once from this client (`Retry-After`)"),
    )
)]
async fn download_geojson(
    State(ctx): State<AppContext>,
    Path(layer): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
    ClientAddress(address): ClientAddress,
) -> ApiResult<Response> {
    download(ctx, &viewer, &address, Format::GeoJson, &layer, query.as_deref(), &headers).await
}

/// A layer's features as a KML file (Google Earth), with the filters of `/features`.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features.kml",
    tag = "layers",
    params(("layer" = String, Path, description = "A layer of the catalogue"), FeatureFilters),
    responses(
        (status = 200, description = "The file, as an attachment `<layer>-<commune or all>.kml`", body = String, content_type = "application/vnd.google-earth.kml+xml"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 429, description = "Too many downloads at once from this client (`Retry-After`)"),
    )
)]
async fn download_kml(
    State(ctx): State<AppContext>,
    Path(layer): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
    ClientAddress(address): ClientAddress,
) -> ApiResult<Response> {
    download(ctx, &viewer, &address, Format::Kml, &layer, query.as_deref(), &headers).await
}

/// A layer's features as a CSV file (geometry as WKT), with the filters of `/features`.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features.csv",
    tag = "layers",
    params(("layer" = String, Path, description = "A layer of the catalogue"), FeatureFilters),
    responses(
        (status = 200, description = "The file, as an attachment `<layer>-<commune or all>.csv`", body = String, content_type = "text/csv"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 429, description = "Too many downloads at once from this client (`Retry-After`)"),
    )
)]
async fn download_csv(
    State(ctx): State<AppContext>,
    Path(layer): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
    ClientAddress(address): ClientAddress,
) -> ApiResult<Response> {
    download(ctx, &viewer, &address, Format::Csv, &layer, query.as_deref(), &headers).await
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
