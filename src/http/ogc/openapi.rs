//! The OpenAPI document of `/ogc` (`/ogc/api`), generated from the handlers' annotations
//! by utoipa, so that it cannot drift from the routes: each route is registered through
//! `utoipa_axum::routes!`, which adds its path and its documentation together.

use super::format::Format;
use super::{collections, html, items, landing, links, queryables};
use crate::http::AppContext;
use crate::http::error::ApiResult;
use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kheo OGC API - Features",
        description = "The layers of kheo (communes, residential groups and the communes' works) as OGC API - Features Part 1 (Core, GeoJSON, HTML), Part 2 (CRS: WGS 84 and VN-2000) and Part 3 (queryables, CQL2 text filters). Errors are `{\"error\", \"detail\"}` with `detail.parameter` naming the parameter at fault."
    ),
    tags((name = "OGC API - Features", description = "The catalogue's layers as OGC API - Features collections"))
)]
struct OgcApi;

/// The `/ogc` routes, each with its documentation.
fn documented() -> OpenApiRouter<AppContext> {
    OpenApiRouter::with_openapi(OgcApi::openapi())
        .routes(routes!(landing::landing))
        .routes(routes!(landing::conformance))
        .routes(routes!(collections::collections))
        .routes(routes!(collections::collection))
        .routes(routes!(items::items))
        .routes(routes!(items::item))
        .routes(routes!(queryables::queryables))
        .routes(routes!(api))
}

/// The `/ogc` routes, and `/ogc/api` serving their documentation.
pub fn routes() -> Router<AppContext> {
    let (router, api) = documented().split_for_parts();
    // The document is made of utoipa's own types, which always serialise: a failure is a bug
    // to see when the server starts, not a server without its documentation.
    #[allow(clippy::expect_used)]
    let document = api.to_json().expect("the OpenAPI document serialises");
    let _ = DOCUMENT.set(document);
    router.route("/ogc/", axum::routing::get(landing::landing))
}

static DOCUMENT: OnceLock<String> = OnceLock::new();

/// The OpenAPI document of `/ogc` (JSON, or an HTML list of the operations).
#[utoipa::path(
    get,
    path = "/ogc/api",
    tag = "OGC API - Features",
    params(super::params::FormatParam),
    responses(
        (status = 200, description = "This OpenAPI document (as HTML with `f=html` or `Accept: text/html`)", content((Object = "application/vnd.oai.openapi+json;version=3.1"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
    )
)]
pub async fn api(RawQuery(query): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let document = DOCUMENT.get().map(String::as_str).unwrap_or("{}");
    if format == Format::Html {
        let value: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
        return Ok(html::html_response(html::api(&value)));
    }
    let mut response = (StatusCode::OK, document.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(links::OPENAPI));
    Ok(response)
}

/// The document, for tests and for merging into kheo's whole API description.
pub fn document() -> utoipa::openapi::OpenApi {
    documented().split_for_parts().1
}
