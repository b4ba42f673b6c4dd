//! `/ogc/collections/{layer}/queryables`: the properties a filter may name, as a JSON
//! Schema made from the catalogue (types, vocabularies, the geometry).

use super::format::base_url;
use super::html;
use super::links;
use crate::http::AppContext;
use crate::http::error::ApiResult;
use crate::http::layers::layer_or_404;
use crate::layers::{FieldType, GeometryKind, Layer};
use crate::store::ogc::cql::{COMMUNE, GEOMETRY};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The queryables of a collection.
#[utoipa::path(
    get,
    path = "/ogc/collections/{collectionId}/queryables",
    tag = "OGC API - Features",
    params(("collectionId" = String, Path, description = "A layer of the catalogue, e.g. roads"), super::params::FormatParam),
    responses(
        (status = 200, description = "A JSON Schema of the properties a filter may name (as HTML with `f=html` or `Accept: text/html`)", content((Object = "application/schema+json"), (String = "text/html"))),
        (status = 400, description = "An unknown or bad parameter", body = links::ErrorBody),
        (status = 404, description = "No such collection", body = links::ErrorBody),
    )
)]
pub async fn queryables(
    State(ctx): State<AppContext>,
    Path(layer_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    let format = super::params::format_only(query.as_deref(), &headers)?;
    let base = base_url(&headers, ctx.policy.trust_proxy);
    let schema = schema(layer, &base);
    Ok(html::respond(format, &schema, links::SCHEMA_JSON, || html::queryables(layer, &schema)))
}

/// The JSON Schema of `layer`'s queryables.
pub fn schema(layer: &Layer, base: &str) -> Value {
    let mut properties = Map::new();
    properties.insert(GEOMETRY.into(), geometry(layer.geometry));
    properties.insert(
        COMMUNE.into(),
        json!({ "type": "string", "title": "Mã xã, phường (commune code)", "description": "The commune's statistics code" }),
    );
    for field in layer.fields() {
        let mut p = match field.ty {
            FieldType::Text => json!({ "type": "string" }),
            FieldType::Integer => json!({ "type": "integer" }),
            FieldType::Number => json!({ "type": "number" }),
            FieldType::Date => json!({ "type": "string", "format": "date" }),
            FieldType::Enum(terms) => {
                json!({ "type": "string", "enum": terms.iter().map(|t| t.value).collect::<Vec<_>>() })
            }
        };
        p["title"] = json!(format!("{} ({})", field.vi, field.en));
        properties.insert(field.name.into(), p);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/ogc/collections/{}/queryables", layer.id),
        "type": "object",
        "title": format!("{} — {}", layer.title_vi, layer.title_en),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The geometry as OGC API - Features Part 3 names its kinds.
fn geometry(kind: GeometryKind) -> Value {
    let formats: &[&str] = match kind {
        GeometryKind::Point => &["geometry-point"],
        GeometryKind::Line => &["geometry-linestring", "geometry-multilinestring"],
        GeometryKind::Polygon => &["geometry-multipolygon"],
    };
    let mut out = if formats.len() == 1 {
        json!({ "format": formats[0] })
    } else {
        json!({ "oneOf": formats.iter().map(|f| json!({ "format": f })).collect::<Vec<_>>() })
    };
    out["title"] = json!("Hình học (geometry)");
    out["x-ogc-role"] = json!("primary-geometry");
    out
}
