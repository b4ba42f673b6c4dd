//! OGC API - Features under `/ogc`, generic over the layer catalogue: Part 1 (Core, GeoJSON,
//! HTML), Part 2 (CRS by reference) and Part 3 (queryables, CQL2 text filters).
//!
//! One file per concern: the landing page and conformance, the collections, the items,
//! the queryables, the parameters, HTML, links and the OpenAPI document. The SQL is in
//! `crate::store::ogc`, the CRS list, `datetime` and CQL2 in `crate::ogc`.

mod collections;
mod format;
mod html;
mod items;
mod landing;
mod links;
pub mod openapi;
mod params;
mod queryables;

use super::AppContext;
use super::error::ApiError;
use super::session::Viewer;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Conformance classes, each implemented and tested (tests/api/ogc*.rs and the GDAL and
/// OWSLib checks in tests/ogc_clients.py).
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
];

/// The `/ogc` routes.
pub fn router(ctx: AppContext) -> Router<AppContext> {
    openapi::routes()
        .route("/ogc/{*rest}", axum::routing::get(unknown_path))
        .route_layer(axum::middleware::from_fn_with_state(ctx, guard_reads))
}

/// Closes `/ogc` to anonymous visitors when the server does (`KHEO_ANONYMOUS_READ=false`),
/// as the session guard does for `/api`.
async fn guard_reads(State(ctx): State<AppContext>, viewer: Viewer, request: Request, next: Next) -> Response {
    if viewer.is_anonymous() && !ctx.policy.anonymous_read {
        return ApiError::unauthorized("this server does not serve anonymous visitors: sign in first").into_response();
    }
    next.run(request).await
}

async fn unknown_path(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no OGC API route {}; start at /ogc", uri.path()))
}
