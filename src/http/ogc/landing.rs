//! The landing page (`/ogc`) and the conformance declaration (`/ogc/conformance`).

use super::format::{Format, base_url};
use super::links::{self, Conformance, LandingPage, Link};
use super::{CONFORMANCE, html};
use crate::http::AppContext;
use crate::http::error::ApiResult;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// The landing page: where the API's description, conformance and data are.
#[utoipa::path(
    get,
    path = "/ogc",
    tag = "OGC API - Features",
    params(super::params::FormatParam),
    responses(
        (status = 200, description = "The landing page (as HTML with `f=html` or `Accept: text/html`)", content((LandingPage = "application/json"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
    )
)]
pub async fn landing(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let mut all = links::self_and_alternate(&base, "/ogc", links::JSON, format == Format::Html);
    all.extend([
        Link::new(format!("{base}/ogc/api"), "service-desc", links::OPENAPI, "the API's description (OpenAPI)"),
        Link::new(format!("{base}/ogc/api?f=html"), "service-doc", links::HTML, "the API's documentation"),
        Link::new(format!("{base}/ogc/conformance"), "conformance", links::JSON, "conformance classes"),
        Link::new(
            format!("{base}/ogc/conformance"),
            "http://www.opengis.net/def/rel/ogc/1.0/conformance",
            links::JSON,
            "conformance classes",
        ),
        Link::new(format!("{base}/ogc/collections"), "data", links::JSON, "the layers"),
        Link::new(
            format!("{base}/ogc/collections"),
            "http://www.opengis.net/def/rel/ogc/1.0/data",
            links::JSON,
            "the layers",
        ),
    ]);
    let doc = LandingPage {
        title: "kheo — bản đồ công trình dân vận".into(),
        description: "The works of Vietnamese communes (roads, flower routes, lighting lines, model sites) and their boundaries, as OGC API - Features, in WGS 84 and VN-2000.".into(),
        links: all,
    };
    Ok(html::respond(format, &doc, links::JSON, || html::landing(&doc)))
}

/// The conformance classes kheo implements.
#[utoipa::path(
    get,
    path = "/ogc/conformance",
    tag = "OGC API - Features",
    params(super::params::FormatParam),
    responses(
        (status = 200, description = "The conformance classes (as HTML with `f=html` or `Accept: text/html`)", content((Conformance = "application/json"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
    )
)]
pub async fn conformance(RawQuery(query): RawQuery, headers: HeaderMap) -> ApiResult<Response> {
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let doc = Conformance { conforms_to: CONFORMANCE.iter().map(|c| c.to_string()).collect() };
    Ok(html::respond(format, &doc, links::JSON, || html::conformance(&doc)))
}
