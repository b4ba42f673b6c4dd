//! The layers resource, generic over the catalogue:
//! `GET /api/layers`, `GET /api/layers/{layer}/features`, `GET /api/layers/{layer}/features/{id}`.

use super::AppContext;
use super::client::ClientAddress;
use super::error::{ApiError, ApiResult};
use super::etag;
use super::session::Viewer;
use crate::layers::{self, Layer};
use crate::model::limits;
use crate::store::{communes, features, revision};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{FeatureFilters, GeoJsonFeature, GeoJsonFeatureCollection};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(catalogue)).routes(routes!(collection)).routes(routes!(one))
}

const GEOJSON: &str = "application/geo+json";
/// The largest page a client may ask for with `limit`.
pub const MAX_LIMIT: i64 = 1_000_000;

pub(crate) fn layer_or_404(id: &str) -> ApiResult<&'static Layer> {
    layers::find(id).ok_or_else(|| {
        let known: Vec<&str> = layers::LAYERS.iter().map(|l| l.id).collect();
        ApiError::not_found(format!("unknown layer `{id}`; the layers are {}", known.join(", ")))
    })
}

/// Titles in the two languages of the page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Titles {
    pub vi: &'static str,
    pub en: &'static str,
}

/// One attribute of a layer, as forms, filters and imports use it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldInfo {
    pub name: &'static str,
    /// `text`, `integer`, `number`, `date` or `enum`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub required: bool,
    pub title: Titles,
    /// The allowed values of an enum, with their labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub values: Option<&'static [crate::model::Term]>,
    /// The most characters a text value may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

/// How the legend explains a layer: its swatch, and per value of one field a colour.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegendInfo {
    #[schema(value_type = Object)]
    pub swatch: layers::Swatch,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub palette: Option<layers::Palette>,
}

/// A row of the layer catalogue, as the page and other clients read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayerInfo {
    pub id: &'static str,
    pub title: Titles,
    #[schema(value_type = String)]
    pub geometry: layers::GeometryKind,
    #[schema(value_type = String)]
    pub role: layers::Role,
    /// Who may write its features: `admins`, or `editors` (in their communes).
    #[schema(value_type = String)]
    pub editors: layers::Editors,
    pub importable: bool,
    /// Whether its changes change the coverage numbers.
    pub feeds_coverage: bool,
    /// The date column the works are dated by (as-of filters), for dated layers.
    pub dated_by: Option<&'static str>,
    /// The page draws layers in increasing order.
    pub draw_order: u16,
    /// Features visible to the reader.
    pub count: i64,
    /// The most vertices one feature's geometry may have.
    pub max_vertices: usize,
    pub fields: Vec<FieldInfo>,
    /// MapLibre style layers (see src/layers/styles/README.md).
    pub style: Value,
    pub legend: LegendInfo,
}

impl LayerInfo {
    fn new(layer: &'static Layer, count: i64) -> LayerInfo {
        let fields = layer
            .fields()
            .map(|f| FieldInfo {
                name: f.name,
                ty: f.ty.name(),
                required: f.required,
                title: Titles { vi: f.vi, en: f.en },
                values: match f.ty {
                    layers::FieldType::Enum(terms) => Some(terms),
                    _ => None,
                },
                max_length: limits::max_chars(f),
            })
            .collect();
        LayerInfo {
            id: layer.id,
            title: Titles { vi: layer.title_vi, en: layer.title_en },
            geometry: layer.geometry,
            role: layer.role,
            editors: layer.editors,
            importable: layer.importable,
            feeds_coverage: layer.feed.is_some(),
            dated_by: layer.lifecycle.map(|l| l.date),
            draw_order: layer.symbology.draw_order,
            count,
            max_vertices: limits::MAX_VERTICES,
            fields,
            style: layer.style(),
            legend: LegendInfo { swatch: layer.symbology.swatch, palette: layer.symbology.palette },
        }
    }
}

/// The catalogue as the page and other clients read it, with each layer's feature count.
/// (Feature counts are of the communes the viewer sees.)
#[utoipa::path(
    get,
    path = "/api/layers",
    operation_id = "list_layers",
    tag = "layers",
    responses((status = 200, description = "The layer catalogue", body = Vec<LayerInfo>))
)]
async fn catalogue(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Vec<LayerInfo>>> {
    let mut out = Vec::new();
    for layer in layers::LAYERS {
        let count = features::count(&ctx.pool, layer, viewer.is_anonymous()).await?;
        out.push(LayerInfo::new(layer, count));
    }
    Ok(Json(out))
}

/// Parses the query string of a features request into a filter, validating every
/// parameter against the layer's catalogue row. Returns the filter and the group code.
pub fn parse_filter(layer: &Layer, query: Option<&str>) -> ApiResult<(features::Filter, Option<String>)> {
    let mut filter = features::Filter::default();
    let mut group = None;
    for (name, value) in super::params::pairs(query)? {
        match name.as_str() {
            "commune" => {
                if !super::params::is_commune_code(&value) {
                    return Err(ApiError::bad("commune", "must be a commune code such as 17131"));
                }
                filter.commune = Some(value)
            }
            "region" => {
                if !super::params::is_region_code(&value) {
                    return Err(ApiError::bad("region", "must be a region code such as nghe-an"));
                }
                filter.region = Some(value)
            }
            "group" => group = Some(value),
            "bbox" => filter.bbox = Some(parse_bbox(&value)?),
            "as_of" => filter.as_of = Some(features::parse_date(&value).map_err(|m| ApiError::bad("as_of", m))?),
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => filter.limit = Some(n),
                _ => {
                    return Err(ApiError::bad("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")));
                }
            },
            "offset" => match value.parse::<i64>() {
                Ok(n) if n >= 0 => filter.offset = n,
                _ => return Err(ApiError::bad("offset", "must be a whole number, 0 or more")),
            },
            other => match layer.field(other) {
                Some(field) => {
                    let parsed = features::parse_field_value(field.ty, &value).map_err(|m| ApiError::bad(other, m))?;
                    filter.fields.push((field.name, parsed));
                }
                None => {
                    let names: Vec<&str> = layer.fields().map(|f| f.name).collect();
                    return Err(ApiError::bad(
                        other,
                        format!(
                            "is not known; use commune, region, group, bbox, as_of, limit, offset or a field of {}: {}",
                            layer.id,
                            names.join(", ")
                        ),
                    ));
                }
            },
        }
    }
    if group.is_some() && filter.commune.is_none() {
        return Err(ApiError::bad("group", "needs `commune` too: group codes are unique within a commune"));
    }
    Ok((filter, group))
}

/// Parses `w,s,e,n` in degrees.
fn parse_bbox(value: &str) -> ApiResult<[f64; 4]> {
    let bad = |m: &str| ApiError::bad("bbox", m.to_string());
    let numbers: Vec<f64> = value
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("must be four numbers west,south,east,north in degrees"))?;
    let [w, s, e, n]: [f64; 4] =
        numbers.try_into().map_err(|_| bad("must be four numbers west,south,east,north in degrees"))?;
    if ![w, s, e, n].iter().all(|v| v.is_finite()) {
        return Err(bad("must be finite numbers"));
    }
    if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
        return Err(bad("longitudes must lie between -180 and 180"));
    }
    if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
        return Err(bad("latitudes must lie between -90 and 90"));
    }
    if w > e || s > n {
        return Err(bad("west must not exceed east, nor south north"));
    }
    Ok([w, s, e, n])
}

/// Checks that the commune and group of a filter exist (404 otherwise) and resolves the
/// group code to its id.
pub(crate) async fn resolve(ctx: &AppContext, filter: &mut features::Filter, group: Option<String>) -> ApiResult<()> {
    if let Some(code) = &filter.region
        && crate::store::regions::find(&ctx.pool, code).await?.is_none()
    {
        return Err(ApiError::not_found(format!("unknown region `{code}`")));
    }
    if let Some(code) = &filter.commune {
        if !communes::exists(&ctx.pool, code).await? {
            return Err(ApiError::not_found(format!("unknown commune `{code}`")));
        }
        if let Some(group) = group {
            let id = communes::group_id(&ctx.pool, code, &group).await?;
            filter.group =
                Some(id.ok_or_else(|| ApiError::not_found(format!("unknown group `{group}` in commune `{code}`")))?);
        }
    }
    Ok(())
}

/// What every read of a layer's features does first: parse and check the query, resolve
/// the commune and group, keep unpublished communes from anonymous visitors, and derive
/// the weak ETag from the tables' revisions (`variant` tells formats apart).
pub(crate) async fn prepare(
    ctx: &AppContext,
    viewer: &Viewer,
    layer: &Layer,
    query: Option<&str>,
    variant: &str,
) -> ApiResult<(features::Filter, String)> {
    let (mut filter, group) = parse_filter(layer, query)?;
    resolve(ctx, &mut filter, group).await?;
    filter.published_only = viewer.is_anonymous();
    let mut tables = vec![layer.table];
    if filter.group.is_some() {
        tables.push("residential_group");
    }
    if filter.region.is_some() {
        // A region's communes change with its rows, and a province's with the communes.
        tables.extend(["region", "region_commune", "commune"]);
    }
    if filter.published_only {
        // Publishing a commune changes what anonymous visitors get.
        tables.push("commune");
    }
    let revisions = revision::of_tables(&ctx.pool, &tables).await?;
    let audience = if filter.published_only { "public" } else { "signed-in" };
    let tag = etag::weak(&[layer.id, variant, audience, &revisions, query.unwrap_or("")]);
    Ok((filter, tag))
}

/// A layer's features, streamed, filtered by the parameters below and by any field of the
/// layer (`surface=concrete`).
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features",
    operation_id = "list_features",
    tag = "layers",
    params(("layer" = String, Path, description = "A layer of the catalogue"), FeatureFilters),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection, streamed (weak ETag)", body = GeoJsonFeatureCollection, content_type = "application/geo+json"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 429, description = "Too many streams at once from this client (`Retry-After`)"),
    )
)]
async fn collection(
    State(ctx): State<AppContext>,
    Path(layer_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    viewer: Viewer,
    ClientAddress(address): ClientAddress,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    let (filter, tag) = prepare(&ctx, &viewer, layer, query.as_deref(), "geojson").await?;
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let slot = ctx.streams.acquire(&address)?;
    let turn = ctx.streams.query_turn().await?;
    let chunks = features::stream_collection(ctx.pool.clone(), turn, features::features_query(layer, &filter));
    Ok(geojson_response(super::streams::body(chunks, slot).await?, &tag))
}

/// One feature; its strong ETag is the version that `If-Match` names when it is edited.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features/{id}",
    tag = "layers",
    params(("layer" = String, Path, description = "A layer of the catalogue"),
        ("id" = String, Path, example = "15", description = "The feature's id (a whole number; the code for communes)")),
    responses(
        (status = 200, description = "The feature", body = GeoJsonFeature, content_type = "application/geo+json",
            headers(("ETag" = String, description = "The feature's version, e.g. `\"v3\"`"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn one(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    viewer: Viewer,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    if layer.key_type == layers::KeyType::Integer && id.parse::<i64>().is_err() {
        return Err(ApiError::bad("id", format!("`{id}` is not a feature id of {}: ids are whole numbers", layer.id)));
    }
    // The strong ETag is the feature's version: what If-Match names when it is edited.
    let version = features::version(&ctx.pool, layer, &id)
        .await?
        .filter(|(_, published)| *published || !viewer.is_anonymous())
        .map(|(version, _)| version)
        .ok_or_else(|| ApiError::not_found(format!("no feature {id} in layer {}", layer.id)))?;
    let tag = etag::version_tag(version);
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let feature = features::one(&ctx.pool, layer, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no feature {id} in layer {}", layer.id)))?;
    Ok(geojson_response(Body::from(feature), &tag))
}

fn geojson_response(body: Body, tag: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    response
}
