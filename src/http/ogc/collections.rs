//! `/ogc/collections` and `/ogc/collections/{layer}`: one collection per catalogue layer.

use super::format::{Format, base_url};
use super::html;
use super::links::{self, Collection, Collections, Extent, Link, SpatialExtent, TemporalExtent};
use crate::http::AppContext;
use crate::http::error::ApiResult;
use crate::http::layers::layer_or_404;
use crate::http::session::Viewer;
use crate::layers::{self, Layer};
use crate::ogc::crs::{CRS84_URI, Crs};
use crate::store::ogc as store;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// Every layer of the catalogue as a collection.
#[utoipa::path(
    get,
    path = "/ogc/collections",
    tag = "OGC API - Features",
    params(super::params::FormatParam),
    responses(
        (status = 200, description = "The collections (as HTML with `f=html` or `Accept: text/html`)", content((Collections = "application/json"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
    )
)]
pub async fn collections(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
) -> ApiResult<Response> {
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let mut all = Vec::new();
    for layer in layers::LAYERS {
        all.push(describe(&ctx, layer, &base, viewer.is_anonymous()).await?);
    }
    let doc = Collections {
        links: links::self_and_alternate(&base, "/ogc/collections", links::JSON, format == Format::Html),
        collections: all,
    };
    Ok(html::respond(format, &doc, links::JSON, || html::collections(&doc)))
}

/// One layer as a collection: its extent from the data, its CRSs and links.
#[utoipa::path(
    get,
    path = "/ogc/collections/{collectionId}",
    operation_id = "ogc_collection",
    tag = "OGC API - Features",
    params(("collectionId" = String, Path, description = "A layer of the catalogue, e.g. roads"), super::params::FormatParam),
    responses(
        (status = 200, description = "The collection (as HTML with `f=html` or `Accept: text/html`)", content((Collection = "application/json"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
        (status = 404, description = "No such collection", body = links::ErrorBody),
    )
)]
pub async fn collection(
    State(ctx): State<AppContext>,
    Path(layer_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let mut doc = describe(&ctx, layer, &base, viewer.is_anonymous()).await?;
    let path = format!("/ogc/collections/{}", layer.id);
    let mut all = links::self_and_alternate(&base, &path, links::JSON, format == Format::Html);
    all.append(&mut doc.links);
    doc.links = all;
    Ok(html::respond(format, &doc, links::JSON, || html::collection(&doc)))
}

/// The collection of `layer` (its links: items, queryables, the parent).
async fn describe(ctx: &AppContext, layer: &Layer, base: &str, anonymous: bool) -> ApiResult<Collection> {
    let extent = store::extent(&ctx.pool, layer, anonymous).await?;
    let path = format!("{base}/ogc/collections/{}", layer.id);
    let links = vec![
        Link::new(format!("{path}/items?f=json"), "items", links::GEOJSON, &format!("{} as GeoJSON", layer.title_en)),
        Link::new(format!("{path}/items?f=html"), "items", links::HTML, &format!("{} as HTML", layer.title_en)),
        Link::new(
            format!("{path}/queryables"),
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            links::SCHEMA_JSON,
            "the properties to filter on",
        ),
        Link::new(format!("{base}/ogc/collections"), "parent", links::JSON, "all collections"),
    ];
    Ok(Collection {
        id: layer.id.into(),
        title: format!("{} — {}", layer.title_vi, layer.title_en),
        description: description(layer),
        links,
        extent: Extent {
            spatial: extent.bbox.map(|b| SpatialExtent { bbox: vec![b], crs: CRS84_URI.into() }),
            temporal: layer.lifecycle.map(|_| TemporalExtent {
                interval: vec![[extent.first.map(instant), extent.last.map(instant)]],
                trs: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian".into(),
            }),
        },
        item_type: "feature".into(),
        crs: Crs::all_uris(),
        storage_crs: CRS84_URI.into(),
    })
}

/// What a collection holds, from the catalogue.
fn description(layer: &Layer) -> String {
    let dated = match layer.lifecycle {
        Some(lifecycle) => format!(" Dated by `{}`: `datetime` filters on it.", lifecycle.date),
        None => String::new(),
    };
    let fields: Vec<&str> = layer.fields().map(|f| f.name).collect();
    format!(
        "{} ({:?} geometries) with the attributes commune, {}.{dated}",
        layer.title_en,
        layer.geometry,
        fields.join(", ")
    )
}

fn instant(day: chrono::NaiveDate) -> String {
    format!("{day}T00:00:00+07:00")
}
