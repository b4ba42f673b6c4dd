//! `/ogc/collections/{layer}/items` (pages of features, streamed) and `/items/{id}`.

use super::format::{Format, base_url};
use super::html;
use super::links::{self, Link};
use super::params::{self, ItemsRequest};
use crate::http::AppContext;
use crate::http::client::ClientAddress;
use crate::http::error::{ApiError, ApiResult};
use crate::http::layers::layer_or_404;
use crate::http::session::Viewer;
use crate::layers::Layer;
use crate::ogc::crs::Crs;
use crate::store::features::{self, Envelope, Page};
use crate::store::ogc::{self as store, PageAt, QueryError};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;

/// A page of a collection's features: filtered by bbox, date, attributes and CQL2, in any
/// CRS of the collection's list, with `next`/`prev` links to the pages around it.
#[utoipa::path(
    get,
    path = "/ogc/collections/{collectionId}/items",
    tag = "OGC API - Features",
    params(("collectionId" = String, Path, description = "A layer of the catalogue, e.g. roads"), params::ItemsParams),
    responses(
        (status = 200, description = "A page of features (as HTML with `f=html` or `Accept: text/html`)", content((links::FeatureCollection = "application/geo+json"), (String = "text/html")),
            headers(("Content-Crs" = String, description = "The CRS of the coordinates, as `<URI>`"))),
        (status = 400, description = "An unknown or bad parameter (`detail.parameter`; for `filter`, `detail.position`)", body = links::ErrorBody),
        (status = 404, description = "No such collection", body = links::ErrorBody),
    )
)]
pub async fn items(
    State(ctx): State<AppContext>,
    Path(layer_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
    ClientAddress(address): ClientAddress,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    let request = params::items(layer, query.as_deref(), &headers, viewer.is_anonymous())?;
    let matched = store::count(&ctx.pool, layer, &request.query).await?.map_err(query_error)?;
    let sql = store::items_query(layer, &request.query).map_err(query_error)?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let links_of = PageLinks::new(&base, layer, &request);

    let head = format!(
        r#"{{"type":"FeatureCollection","timeStamp":"{}","numberMatched":{matched},"features":["#,
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    let envelope = Envelope {
        head: Bytes::from(head),
        limit: Some(request.query.limit as usize),
        tail: Box::new(move |page: &Page| {
            let links = links_of.links(page);
            let tail = json!({ "numberReturned": page.returned, "links": links });
            // `],` then the members of `tail` without its opening brace.
            let text = tail.to_string();
            Bytes::from(format!("],{}\n", text.strip_prefix('{').unwrap_or(&text)))
        }),
    };
    // A page streams like a layer: within the client's streams, at the database's pace.
    let slot = ctx.streams.acquire(&address)?;
    let turn = ctx.streams.query_turn().await?;
    let mut chunks = features::stream_collection_with(ctx.pool.clone(), turn, sql, envelope);
    if request.format == Format::Html {
        // A page for a person (at most 10,000 features): read whole, then drawn as a table.
        let mut whole = Vec::new();
        while let Some(chunk) = chunks.next().await {
            whole.extend_from_slice(&chunk?);
        }
        let collection: serde_json::Value = serde_json::from_slice(&whole).map_err(anyhow::Error::from)?;
        return Ok(html::html_response(html::items(layer, &collection)));
    }
    Ok(geojson(crate::http::streams::body(chunks, slot).await?, &request.query.crs))
}

/// One feature.
#[utoipa::path(
    get,
    path = "/ogc/collections/{collectionId}/items/{featureId}",
    tag = "OGC API - Features",
    params(
        ("collectionId" = String, Path, description = "A layer of the catalogue, e.g. roads"),
        ("featureId" = String, Path, description = "The feature's key"),
        ("crs" = Option<String>, Query, description = "The CRS of the answer, from the collection's `crs` list"),
        ("f" = Option<String>, Query, pattern = "^(json|html)$", description = "`json` (GeoJSON) or `html`"),
    ),
    responses(
        (status = 200, description = "The feature (as HTML with `f=html` or `Accept: text/html`)", content((links::Feature = "application/geo+json"), (String = "text/html")),
            headers(("Content-Crs" = String, description = "The CRS of the coordinates, as `<URI>`"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
        (status = 404, description = "No such collection or feature", body = links::ErrorBody),
    )
)]
pub async fn item(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    let (format, crs) = params::item_params(query.as_deref(), &headers)?;
    let feature = store::one(&ctx.pool, layer, &id, &crs, viewer.is_anonymous())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no feature {id} in collection {}", layer.id)))?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let path = format!("/ogc/collections/{}/items/{}", layer.id, encode(&id));
    let mut all = links::self_and_alternate(&base, &path, links::GEOJSON, format == Format::Html);
    all.push(Link::new(format!("{base}/ogc/collections/{}", layer.id), "collection", links::JSON, layer.title_en));
    if format == Format::Html {
        let value: serde_json::Value = serde_json::from_str(&feature).map_err(anyhow::Error::from)?;
        return Ok(html::html_response(html::item(layer, &value, &all)));
    }
    // The feature with its links, spliced in so that PostGIS's text is not re-serialised.
    let links = serde_json::to_string(&all).map_err(anyhow::Error::from)?;
    let body = match feature.strip_suffix('}') {
        Some(open) => format!("{open},\"links\":{links}}}"),
        None => feature,
    };
    Ok(geojson(Body::from(body), &crs))
}

fn query_error(e: QueryError) -> ApiError {
    let mut detail = json!({ "parameter": e.parameter });
    if let Some(position) = e.position {
        detail["position"] = json!(position);
    }
    let message = match e.position {
        Some(position) => format!("parameter `{}`: {} (at character {position})", e.parameter, e.message),
        None => format!("parameter `{}`: {}", e.parameter, e.message),
    };
    ApiError::client(StatusCode::BAD_REQUEST, message, detail)
}

fn geojson(body: Body, crs: &Crs) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(links::GEOJSON));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        h.insert("content-crs", v);
    }
    response
}

/// A page's links, made from the request once the stream knows the page's keys.
struct PageLinks {
    items: String,
    collection: String,
    /// The request's parameters but the page position and `f`.
    kept: Vec<(String, String)>,
    page: PageAt,
    title: &'static str,
    html: bool,
}

impl PageLinks {
    fn new(base: &str, layer: &Layer, request: &ItemsRequest) -> PageLinks {
        PageLinks {
            items: format!("{base}/ogc/collections/{}/items", layer.id),
            collection: format!("{base}/ogc/collections/{}", layer.id),
            kept: request.kept.clone(),
            page: request.query.page.clone(),
            title: layer.title_en,
            html: request.format == Format::Html,
        }
    }
    fn url(&self, extra: Option<(&str, &str)>, f: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self.kept.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        pairs.extend(extra);
        pairs.push(("f", f));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.items)
    }

    fn links(&self, page: &Page) -> Vec<Link> {
        let (f, media) = if self.html { ("html", links::HTML) } else { ("json", links::GEOJSON) };
        let here = match &self.page {
            PageAt::First => None,
            PageAt::After(k) => Some(("after", k.as_str())),
            PageAt::Before(k) => Some(("before", k.as_str())),
        };
        let mut out = vec![
            Link::new(self.url(here, f), "self", media, "this page"),
            Link::new(
                self.url(here, if self.html { "json" } else { "html" }),
                "alternate",
                if self.html { links::GEOJSON } else { links::HTML },
                "this page in the other format",
            ),
            Link::new(self.collection.clone(), "collection", links::JSON, self.title),
        ];
        let backward = matches!(self.page, PageAt::Before(_));
        let has_next = if backward { page.last_key.is_some() } else { page.more };
        let has_prev =
            if backward { page.more } else { matches!(self.page, PageAt::After(_)) && page.first_key.is_some() };
        if let (true, Some(last)) = (has_next, &page.last_key) {
            out.push(Link::new(self.url(Some(("after", last)), f), "next", media, "the next page"));
        }
        if let (true, Some(first)) = (has_prev, &page.first_key) {
            out.push(Link::new(self.url(Some(("before", first)), f), "prev", media, "the previous page"));
        }
        out
    }
}

/// A feature key in a URL path.
fn encode(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}
