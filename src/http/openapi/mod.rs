//! kheo's whole OpenAPI 3.1 document (`GET /api/openapi.json`) and its readable page
//! (`GET /api/docs`).
//!
//! The document is generated from the code: every route of `/api` and `/healthz` is
//! registered through `utoipa_axum::routes!`, which adds the handler's route to the router
//! and its `#[utoipa::path]` to the document together, so that a route cannot be served
//! undocumented nor documented unserved. `/ogc` has its own document (src/http/ogc/openapi.rs),
//! merged in here; `/tiles` is one catch-all route (the router cannot match `{y}.mvt`), whose
//! two resources are documented by [`tile_docs`]. What every operation shares (the error
//! answers, the session, the catalogue's layer ids) is added in [`complete`], in one place;
//! the links between operations are one table in `links.rs`.
//! tests/api/openapi.rs checks the document against the routes the server answers.

pub mod links;
pub mod schemas;

use super::AppContext;
use super::{
    communes, coverage, edits, export, health, import, indicators, layers, photos, regions, report, search, session,
    settings, worklist,
};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{self as oa, HttpMethod};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kheo",
        description = "The map service of Vietnamese communes' campaign works: layers as GeoJSON, coverage \
            figures, edits, imports, photos, reports, vector tiles and OGC API - Features.\n\n\
            Every error is `{\"error\": \"...\", \"detail\": {...}}`: 400 names the parameter at fault in \
            `detail.parameter`, 422 the field or geometry in `detail.field` or `detail.geometry`; 429 and 503 \
            carry `Retry-After`. Reads need no account unless the server closes them \
            (`KHEO_ANONYMOUS_READ=false`); writes need the session cookie of `POST /api/session` and its \
            `csrf_token` in the `X-CSRF-Token` header.",
        license(name = "see the repository's licence")
    ),
    tags(
        (name = "layers", description = "The layer catalogue and its features (GeoJSON, WGS 84)"),
        (name = "edits", description = "Writing features: one transaction each, with `If-Match` versions and an audit trail"),
        (name = "photos", description = "Photos of works"),
        (name = "imports", description = "Imports of files into a layer, or of communes"),
        (name = "coverage", description = "Coverage figures of a commune's groups or a region's communes"),
        (name = "communes", description = "Communes, regions, settings, search and the work list"),
        (name = "reports", description = "The council report"),
        (name = "session", description = "Signing in and out"),
        (name = "tiles", description = "Mapbox Vector Tiles and TileJSON of the layers"),
        (name = "service", description = "Health and this document"),
    ),
    components(schemas(schemas::ErrorBody))
)]
struct KheoApi;

/// Every documented route of `/api` and `/healthz`, each with its documentation.
fn documented() -> OpenApiRouter<AppContext> {
    OpenApiRouter::with_openapi(KheoApi::openapi())
        .merge(health::router())
        .merge(communes::router())
        .merge(layers::router())
        .merge(edits::router())
        .merge(import::router())
        .merge(photos::router())
        .merge(export::router())
        .merge(coverage::router())
        .merge(indicators::router())
        .merge(search::router())
        .merge(regions::router())
        .merge(worklist::router())
        .merge(report::router())
        .merge(settings::router())
        .merge(session::router())
        .routes(routes!(openapi_json))
        .routes(routes!(docs_page))
}

/// The routes of `/api` and `/healthz`.
pub fn routes() -> Router<AppContext> {
    documented().split_for_parts().0
}

/// The whole document: `/api`, `/healthz`, `/ogc` and `/tiles`.
pub fn document() -> oa::OpenApi {
    let mut api = documented().split_for_parts().1;
    api.merge(super::ogc::openapi::document());
    api.merge(tile_docs::TileDocs::openapi());
    complete(&mut api);
    links::add(&mut api);
    api
}

// The document is built from constant annotations and serialises plain maps and strings;
// tests/api/openapi.rs reads it on every run, so a failure cannot reach a server unseen.
#[allow(clippy::expect_used)]
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| document().to_pretty_json().expect("the OpenAPI document serialises"));

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "service",
    responses((status = 200, description = "kheo's OpenAPI 3.1 document", body = Object, content_type = "application/json"))
)]
pub async fn openapi_json() -> Response {
    let mut response = DOCUMENT.as_str().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The page of the document (Swagger UI from web/vendor/swagger-ui/, no network).
const DOCS_PAGE: &str = include_str!("docs.html");

/// A readable page of this document.
#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "service",
    responses((status = 200, description = "An HTML page that shows this document (Swagger UI, served by kheo itself)", body = String, content_type = "text/html"))
)]
pub async fn docs_page() -> Response {
    let mut response = DOCS_PAGE.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The names of the two security schemes.
pub const SESSION_SCHEME: &str = "session";
pub const CSRF_SCHEME: &str = "csrf";

/// What every operation shares, added in one place: the security schemes and each
/// operation's requirement (reads: none, or the session; writes: the session and its
/// CSRF header, as `session::Writer` demands), the error answers any route can give, and
/// the catalogue's layer ids as the values of every `{layer}` and `{collectionId}`.
fn complete(api: &mut oa::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SESSION_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            session::COOKIE,
            "The session of `POST /api/session` (HttpOnly, SameSite=Strict)",
        ))),
    );
    components.add_security_scheme(
        CSRF_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The `csrf_token` of `POST /api/session` or `GET /api/session`; every write needs it",
        ))),
    );
    let layer_ids: Vec<&str> = crate::layers::LAYERS.iter().map(|l| l.id).collect();
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations(item) {
            let is_write = !matches!(method, HttpMethod::Get | HttpMethod::Head);
            let is_sign_in = path == "/api/session" && method == HttpMethod::Post;
            operation.security = Some(if is_write && !is_sign_in {
                vec![
                    oa::security::SecurityRequirement::new(SESSION_SCHEME, Vec::<String>::new())
                        .add(CSRF_SCHEME, Vec::<String>::new()),
                ]
            } else {
                vec![
                    oa::security::SecurityRequirement::default(),
                    oa::security::SecurityRequirement::new(SESSION_SCHEME, Vec::<String>::new()),
                ]
            });
            let has_path_parameters = path.contains('{');
            let mut errors = vec![
                ("400", "A bad or unknown parameter (`detail.parameter`), or a NUL character in the path"),
                ("503", "The database does not answer, or the server is too busy (`Retry-After`)"),
            ];
            if path != "/healthz" && !(path == "/api/session" && method == HttpMethod::Get) {
                errors.push(("401", "No session: a write, or a read on a server closed to visitors"));
            }
            if is_write && !is_sign_in {
                errors.push(("403", "Signed in, but without the CSRF header or the rights"));
                errors.push(("413", "The body is larger than the server takes"));
            }
            if has_path_parameters || path.starts_with("/api/") || path.starts_with("/ogc") {
                errors.push(("404", "An unknown layer, commune, region, group, feature or photo"));
            }
            for (status, description) in errors {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                if let oa::RefOr::T(response) = response
                    && (status.starts_with('4') || status.starts_with('5'))
                {
                    fill_error_content(response);
                }
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                if matches!(parameter.name.as_str(), "layer" | "collectionId")
                    && parameter.parameter_in == oa::path::ParameterIn::Path
                {
                    parameter.schema = Some(layer_enum(&layer_ids));
                }
            }
        }
    }
}

/// The operations of a path, with their methods.
fn operations(item: &mut oa::PathItem) -> Vec<(HttpMethod, &mut oa::path::Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
        (HttpMethod::Head, item.head.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    .collect()
}

fn error_ref() -> oa::RefOr<oa::schema::Schema> {
    oa::RefOr::Ref(oa::Ref::from_schema_name("Error"))
}

fn error_response(description: &str) -> oa::RefOr<oa::response::Response> {
    let mut response = oa::response::Response::new(description);
    fill_error_content(&mut response);
    oa::RefOr::T(response)
}

/// An error answer that a handler's annotation gave without a body gets the error shape.
fn fill_error_content(response: &mut oa::response::Response) {
    if response.content.is_empty() {
        response.content.insert("application/json".to_string(), oa::content::Content::new(Some(error_ref())));
    }
}

fn layer_enum(ids: &[&str]) -> oa::RefOr<oa::schema::Schema> {
    oa::RefOr::T(oa::schema::Schema::Object(
        oa::ObjectBuilder::new()
            .schema_type(oa::schema::Type::String)
            .enum_values(Some(ids.iter().copied()))
            .description(Some("A layer of the catalogue (`GET /api/layers`)"))
            .build(),
    ))
}

mod tile_docs {
    //! `/tiles` is one catch-all route in src/http/tiles.rs; its two resources are documented
    //! here, and tests/api/openapi.rs requests both.
    use super::schemas::{ErrorBody, TileFilters};
    use utoipa::OpenApi;

    #[derive(OpenApi)]
    #[openapi(paths(tile, tilejson))]
    pub struct TileDocs;

    /// One Mapbox Vector Tile of a layer (PostGIS `ST_AsMVT`), with the features' filters.
    #[utoipa::path(
        get,
        path = "/tiles/{layer}/{z}/{x}/{y}.mvt",
        tag = "tiles",
        params(
            ("layer" = String, Path, description = "A layer of the catalogue"),
            ("z" = u8, Path, minimum = 0, maximum = 22, description = "Zoom"),
            ("x" = u32, Path, description = "Column, 0 to 2^z - 1"),
            ("y" = u32, Path, description = "Row, 0 to 2^z - 1"),
            TileFilters
        ),
        responses(
            (status = 200, description = "The tile", body = Vec<u8>, content_type = "application/vnd.mapbox-vector-tile"),
            (status = 204, description = "No feature falls in the tile"),
            (status = 304, description = "Not modified (`If-None-Match`)"),
            (status = 400, description = "`z`, `x` or `y` outside the grid, or a bad filter (`detail.parameter`)", body = ErrorBody),
        )
    )]
    #[allow(dead_code)]
    fn tile() {}

    /// The TileJSON 3.0.0 of a layer's tiles.
    #[utoipa::path(
        get,
        path = "/tiles/{layer}.json",
        tag = "tiles",
        params(("layer" = String, Path, description = "A layer of the catalogue"), TileFilters),
        responses(
            (status = 200, description = "TileJSON 3.0.0", body = Object, content_type = "application/json"),
            (status = 304, description = "Not modified (`If-None-Match`)"),
        )
    )]
    #[allow(dead_code)]
    fn tilejson() {}
}
