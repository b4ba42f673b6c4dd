//! Writes on the catalogue's layers: `POST /api/layers/{layer}/features`,
//! `PUT`/`PATCH`/`DELETE /api/layers/{layer}/features/{id}`, the history of a feature and the
//! restore of one of its versions. One handler per verb for every layer.
//!
//! Each write is one transaction: the row (locked, its version compared with `If-Match`),
//! the coverage update (the tables' triggers) and the audit entry commit together or not at
//! all.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::etag::version_tag;
use super::layers::layer_or_404;
use super::params::today_in_vietnam;
use super::session::Writer;
use crate::layers::{Editors, KeyType, Layer};
use crate::model::{limits, values};
use crate::store::audit::{self, Action};
use crate::store::edit::{self, Stored};
use crate::store::geometry::{self, Rules};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{FeatureInput, GeoJsonFeature, RestoreRequest};
use bytes::BytesMut;
use futures_util::StreamExt;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(replace, patch, remove))
        .routes(routes!(history))
        .routes(routes!(restore))
        .routes(routes!(recent))
        // A feature write is small: its own limit, far below the upload limit
        // (`feature_body` applies it to the feature writes, this to the rest).
        .layer(DefaultBodyLimit::max(limits::FEATURE_BODY_MAX_BYTES))
}

/// The version an `If-Match` header names: 428 without one or with `*`, 412 when it is not
/// a version tag.
fn if_match(headers: &HeaderMap) -> ApiResult<i32> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::client(
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the ETag of the version you edited (GET the feature first), so that no one's change is overwritten unseen",
            json!({ "header": "If-Match" }),
        ));
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        // "Any version" would overwrite whatever someone else saved in between.
        return Err(ApiError::client(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match: * does not say which version you edited: send the ETag of that version (such as \"v3\", from GET of the feature)",
            json!({ "header": "If-Match" }),
        ));
    }
    text.trim_matches('"').strip_prefix('v').and_then(|v| v.parse::<i32>().ok()).ok_or_else(|| {
        ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            format!("If-Match `{text}` is not a version tag such as \"v3\""),
            json!({ "header": "If-Match" }),
        )
    })
}

/// What a request body says, checked against the layer. The geometry stays the text the
/// client sent (PostGIS parses it), so no tree of it is built in memory.
struct Submitted<'a> {
    commune: Option<String>,
    properties: Map<String, Value>,
    geometry: Option<&'a str>,
}

/// A body member that must be a JSON scalar (text, number, true/false, null), parsed; `None`
/// for an array or an object, which is never parsed: a client's megabyte of `[1,1,1,...]`
/// would cost the server tens of megabytes as a tree.
fn scalar(raw: &RawValue) -> Option<Value> {
    if raw.get().starts_with(['[', '{']) { None } else { serde_json::from_str(raw.get()).ok() }
}

/// Reads a Feature (or, for PATCH, a partial one) and checks every property against the
/// catalogue: unknown names, types, enum values, dates and text lengths are 422 naming the
/// field; a geometry of more than [`limits::MAX_VERTICES`] positions is 422 before
/// PostGIS sees it.
fn parse_body<'a>(layer: &Layer, body: &'a [u8], geometry_required: bool) -> ApiResult<Submitted<'a>> {
    let not_json = |e: serde_json::Error| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e} (line {}, column {})", e.line(), e.column()),
            json!({ "line": e.line(), "column": e.column() }),
        )
    };
    let whole: &RawValue = serde_json::from_slice(body).map_err(not_json)?;
    if !whole.get().starts_with('{') {
        return Err(ApiError::invalid("the body must be a GeoJSON Feature object", Value::Null));
    }
    let mut object: BTreeMap<String, &RawValue> = serde_json::from_str(whole.get()).map_err(not_json)?;
    if let Some(kind) = object.get("type")
        && scalar(kind).is_none_or(|k| k != "Feature")
    {
        return Err(ApiError::invalid(
            format!("`type` must be \"Feature\", not {}", limits::shown(kind.get(), 40)),
            json!({ "field": "type" }),
        ));
    }
    let geometry = match object.remove("geometry").filter(|g| g.get() != "null") {
        None if geometry_required => {
            return Err(ApiError::invalid("the feature needs a geometry", json!({ "field": "geometry" })));
        }
        None => None,
        Some(g) if g.get().starts_with('{') => Some(within_vertex_limit(g.get())?),
        Some(_) => {
            return Err(ApiError::invalid(
                "`geometry` must be a GeoJSON geometry object",
                json!({ "field": "geometry" }),
            ));
        }
    };
    let raw: BTreeMap<String, &RawValue> = match object.remove("properties") {
        None => BTreeMap::new(),
        Some(p) if p.get() == "null" => BTreeMap::new(),
        Some(p) if p.get().starts_with('{') => serde_json::from_str(p.get()).map_err(not_json)?,
        Some(_) => return Err(ApiError::invalid("`properties` must be an object", json!({ "field": "properties" }))),
    };
    let today = today_in_vietnam();
    let mut commune = None;
    let mut properties = Map::new();
    for (name, raw_value) in raw {
        let field = layer.field(&name);
        // PostgreSQL keeps no NUL in text: said here, for the field, rather than by the database.
        if scalar(raw_value).is_some_and(|v| v.as_str().is_some_and(|text| text.contains('\0'))) {
            let shown = limits::shown(&name.replace('\0', "\\0"), 40);
            return Err(ApiError::invalid(
                format!("`{shown}` must not contain a NUL character (\\u0000)"),
                json!({ "field": shown }),
            ));
        }
        if name == "commune" && field.is_none() {
            let code = scalar(raw_value).and_then(|v| v.as_str().map(str::to_string));
            commune = Some(code.ok_or_else(|| {
                ApiError::invalid("`commune` must be a commune code such as \"17131\"", json!({ "field": "commune" }))
            })?);
            continue;
        }
        let Some(field) = field else {
            let names: Vec<&str> = layer.fields().map(|f| f.name).collect();
            let shown = limits::shown(&name, 60);
            return Err(ApiError::invalid(
                format!("`{shown}` is not a field of {}; the fields are commune, {}", layer.id, names.join(", ")),
                json!({ "field": shown }),
            ));
        };
        let value = scalar(raw_value).ok_or_else(|| {
            ApiError::invalid(
                format!("{name}: must be a {}, not a JSON array or object", field.ty.name()),
                json!({ "field": name }),
            )
        })?;
        let normalised = values::normalise(field, &value, today)
            .map_err(|message| ApiError::invalid(format!("{name}: {message}"), json!({ "field": name })))?;
        properties.insert(name, normalised);
    }
    if layer.commune_is_a_field() {
        commune = properties.get(layer.commune_column).and_then(Value::as_str).map(str::to_string);
    }
    if geometry_required {
        // A new or replaced feature: what the database demands must be given.
        if let Some(field) = layer.fields().find(|f| f.required && properties.get(f.name).is_none_or(Value::is_null)) {
            return Err(ApiError::invalid(
                format!("`{}` ({}) is required", field.name, field.vi),
                json!({ "field": field.name }),
            ));
        }
    }
    Ok(Submitted { commune, properties, geometry })
}

/// The geometry's text when it has at most [`limits::MAX_VERTICES`] positions; 422 naming
/// the count otherwise.
fn within_vertex_limit(geometry: &str) -> ApiResult<&str> {
    let vertices = limits::count_positions(geometry)
        .map_err(|e| ApiError::invalid(format!("`geometry` is not valid JSON: {e}"), json!({ "field": "geometry" })))?;
    if vertices > limits::MAX_VERTICES {
        let message = format!(
            "the geometry has {vertices} vertices; at most {} are accepted in one feature: simplify it or split it into several features",
            limits::MAX_VERTICES
        );
        return Err(ApiError::invalid(
            message.clone(),
            json!({ "geometry": { "code": "too_many_vertices", "message": message, "vertices": vertices, "max": limits::MAX_VERTICES } }),
        ));
    }
    Ok(geometry)
}

/// The body of a feature write, or a JSON 413 naming the limit
/// ([`limits::FEATURE_BODY_MAX_BYTES`], far below the upload limit: files go through
/// `/api/import`). Past the limit the answer goes at once, and the rest of the body is read
/// and dropped in the background, up to the upload limit, so that a client still sending
/// reads the 413 rather than a reset connection; nothing past the limit is kept.
async fn feature_body(body: Body, drain_up_to: usize) -> ApiResult<Bytes> {
    // A server whose upload limit (`drain_up_to`, KHEO_MAX_UPLOAD_MB) is lower holds writes to it too.
    let max = limits::FEATURE_BODY_MAX_BYTES.min(drain_up_to);
    let mut chunks = body.into_data_stream();
    let mut kept = BytesMut::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::client(StatusCode::BAD_REQUEST, format!("reading the body: {e}"), Value::Null))?;
        if kept.len() + chunk.len() > max {
            let mut seen = kept.len() + chunk.len();
            tokio::spawn(async move {
                while let Some(Ok(chunk)) = chunks.next().await {
                    seen = seen.saturating_add(chunk.len());
                    if seen > drain_up_to {
                        return;
                    }
                }
            });
            return Err(ApiError::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "a feature is at most {} of JSON (at most {} vertices); import large files with /api/import",
                    size_text(max),
                    limits::MAX_VERTICES
                ),
                json!({ "limit_bytes": max }),
            ));
        }
        kept.extend_from_slice(&chunk);
    }
    Ok(kept.freeze())
}

/// A byte count as people read it: `4 MiB`, `64 KiB`, `900 B` (whole units only, rounded down).
fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// Checks a geometry in PostGIS and returns it as WGS 84 GeoJSON text.
async fn checked_geometry(ctx: &AppContext, layer: &Layer, geometry: &str, query: Option<&str>) -> ApiResult<String> {
    let params = super::params::parse(query, &["repair"])?;
    let repair = match params.get("repair").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad("repair", "must be true or false")),
    };
    let rules = Rules { kind: layer.geometry, extent: ctx.policy.extent, repair };
    match geometry::check_edit(&ctx.pool, geometry, rules).await? {
        Ok(checked) => Ok(checked.geojson),
        Err(problem) => Err(ApiError::invalid(problem.message.clone(), problem.detail())),
    }
}

fn feature_response(status: StatusCode, stored: &Stored, location: Option<String>) -> Response {
    let mut response = (status, Json(&stored.feature)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    if let Ok(tag) = HeaderValue::from_str(&version_tag(stored.version)) {
        headers.insert(header::ETAG, tag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// Whether the catalogue lets this account write the layer at all (communes: admins only).
fn may_write_layer(writer: &Writer, layer: &Layer) -> ApiResult<()> {
    match layer.editors {
        Editors::Admins => writer.admin(&format!("change {}", layer.id)),
        Editors::Editors => Ok(()),
    }
}

/// Adds a feature to a layer, in a commune the account edits.
#[utoipa::path(
    post,
    path = "/api/layers/{layer}/features",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("repair" = Option<bool>, Query, description = "`true` mends an invalid geometry (self-intersections) instead of refusing it")),
    request_body(content = FeatureInput, content_type = "application/json"),
    responses(
        (status = 201, description = "The stored feature, with `Location` and its version as `ETag`", body = GeoJsonFeature, content_type = "application/geo+json"),
        (status = 422, description = "An invalid property (`detail.field`) or geometry (`detail.geometry`)"),
    )
)]
async fn create(
    State(ctx): State<AppContext>,
    Path(layer_id): Path<String>,
    RawQuery(query): RawQuery,
    writer: Writer,
    body: Body,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    may_write_layer(&writer, layer)?;
    let body = feature_body(body, ctx.policy.max_upload_bytes).await?;
    let submitted = parse_body(layer, &body, true)?;
    let commune = submitted.commune.clone().ok_or_else(|| {
        ApiError::invalid(
            "`properties.commune` is required: the code of the feature's commune",
            json!({ "field": "commune" }),
        )
    })?;
    if !layer.commune_is_a_field() && !crate::store::communes::exists(&ctx.pool, &commune).await? {
        return Err(ApiError::invalid(format!("there is no commune `{commune}`"), json!({ "field": "commune" })));
    }
    writer.may_edit(&commune)?;
    let geometry = checked_geometry(
        &ctx,
        layer,
        submitted
            .geometry
            .ok_or_else(|| ApiError::invalid("the feature needs a geometry", json!({ "field": "geometry" })))?,
        query.as_deref(),
    )
    .await?;

    let mut tx = ctx.pool.begin().await?;
    let stored = match edit::insert(&mut tx, layer, &commune, &submitted.properties, &geometry, None).await {
        Ok(stored) => stored,
        Err(error) => return Err(write_error(&ctx, layer, &submitted.properties, error).await),
    };
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: layer.id,
            feature_id: &stored.key,
            commune: &stored.commune,
            action: Action::Insert,
            version: Some(stored.version),
            before: None,
            after: Some(&stored.feature),
        },
    )
    .await?;
    tx.commit().await?;
    let location = format!("/api/layers/{}/features/{}", layer.id, stored.key);
    Ok(feature_response(StatusCode::CREATED, &stored, Some(location)))
}

/// The answer to a write the database refused. A value of the wrong size for its column
/// (a number too large, a date out of range) comes without the column's name: each value
/// is then tried alone to say which field it was (`detail.field`).
async fn write_error(ctx: &AppContext, layer: &Layer, properties: &Map<String, Value>, error: sqlx::Error) -> ApiError {
    let unnamed_value = error.as_database_error().and_then(|db| {
        let column = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|e| e.column());
        db.code().filter(|code| code.starts_with("22") && column.is_none()).map(|code| code.into_owned())
    });
    if let Some(code) = unnamed_value
        && let Ok(Some(field)) = edit::unstorable_field(&ctx.pool, layer, properties).await
    {
        let reason = super::error::refusal_reason(&code);
        return ApiError::invalid(format!("`{field}`: {reason}"), json!({ "field": field }));
    }
    error.into()
}

/// Locks the feature and checks the writer's rights and the version they edited.
async fn lock_for_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    layer: &Layer,
    id: &str,
    writer: &Writer,
    expected: i32,
) -> ApiResult<Stored> {
    if layer.key_type == KeyType::Integer && id.parse::<i64>().is_err() {
        return Err(ApiError::bad("id", format!("`{id}` is not a feature id of {}: ids are whole numbers", layer.id)));
    }
    let current = edit::fetch(tx, layer, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no feature {id} in layer {}", layer.id)))?;
    writer.may_edit(&current.commune)?;
    if expected != current.version {
        return Err(ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "feature {id} was changed by someone else since you loaded it (you edited version {expected}, it is now version {}); reload it and apply your change again",
                current.version
            ),
            json!({ "version": current.version, "etag": version_tag(current.version) }),
        ));
    }
    Ok(current)
}

async fn update(
    ctx: AppContext,
    (layer_id, id): (String, String),
    query: Option<String>,
    headers: HeaderMap,
    writer: Writer,
    body: Body,
    replace: bool,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    may_write_layer(&writer, layer)?;
    let expected = if_match(&headers)?;
    let body = feature_body(body, ctx.policy.max_upload_bytes).await?;
    let submitted = parse_body(layer, &body, replace)?;
    let geometry = match submitted.geometry {
        Some(g) => Some(checked_geometry(&ctx, layer, g, query.as_deref()).await?),
        None => None,
    };

    let mut tx = ctx.pool.begin().await?;
    let before = lock_for_change(&mut tx, layer, &id, &writer, expected).await?;
    if let Some(commune) = &submitted.commune
        && *commune != before.commune
    {
        return Err(ApiError::invalid(
            format!(
                "feature {id} belongs to commune {}; it cannot move to {commune} (delete it and create it there)",
                before.commune
            ),
            json!({ "field": "commune" }),
        ));
    }
    let after =
        match edit::update(&mut tx, layer, &before.key, &submitted.properties, geometry.as_deref(), replace).await {
            Ok(after) => after,
            Err(error) => return Err(write_error(&ctx, layer, &submitted.properties, error).await),
        };
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: layer.id,
            feature_id: &after.key,
            commune: &after.commune,
            action: Action::Update,
            version: Some(after.version),
            before: Some(&before.feature),
            after: Some(&after.feature),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(feature_response(StatusCode::OK, &after, None))
}

/// Replaces a feature (all its properties and its geometry).
#[utoipa::path(
    put,
    path = "/api/layers/{layer}/features/{id}",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("id" = String, Path, example = "15", description = "The feature's id"), ("If-Match" = String, Header, example = "\"v3\"", description = "The ETag of the version edited (from `GET` of the feature)"), ("repair" = Option<bool>, Query, description = "`true` mends an invalid geometry (self-intersections) instead of refusing it")),
    request_body(content = FeatureInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The stored feature, its new version as `ETag`", body = GeoJsonFeature, content_type = "application/geo+json"),
        (status = 412, description = "Someone saved another version since (`If-Match` is stale)"),
        (status = 422, description = "An invalid property (`detail.field`) or geometry (`detail.geometry`)"),
        (status = 428, description = "No `If-Match`, or `If-Match: *`"),
    )
)]
async fn replace(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    writer: Writer,
    body: Body,
) -> ApiResult<Response> {
    update(ctx, (layer_id, id), query, headers, writer, body, true).await
}

/// Changes some properties of a feature, or its geometry.
#[utoipa::path(
    patch,
    path = "/api/layers/{layer}/features/{id}",
    operation_id = "patch_feature",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("id" = String, Path, example = "15", description = "The feature's id"), ("If-Match" = String, Header, example = "\"v3\"", description = "The ETag of the version edited (from `GET` of the feature)"), ("repair" = Option<bool>, Query, description = "`true` mends an invalid geometry (self-intersections) instead of refusing it")),
    request_body(content = FeatureInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The stored feature, its new version as `ETag`", body = GeoJsonFeature, content_type = "application/geo+json"),
        (status = 412, description = "Someone saved another version since (`If-Match` is stale)"),
        (status = 422, description = "An invalid property (`detail.field`) or geometry (`detail.geometry`)"),
        (status = 428, description = "No `If-Match`, or `If-Match: *`"),
    )
)]
async fn patch(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    writer: Writer,
    body: Body,
) -> ApiResult<Response> {
    update(ctx, (layer_id, id), query, headers, writer, body, false).await
}

/// Deletes a feature (its history keeps it, and `restore` brings it back).
#[utoipa::path(
    delete,
    path = "/api/layers/{layer}/features/{id}",
    operation_id = "delete_feature",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("id" = String, Path, example = "15", description = "The feature's id"), ("If-Match" = String, Header, example = "\"v3\"", description = "The ETag of the version edited (from `GET` of the feature)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "Someone saved another version since (`If-Match` is stale)"),
        (status = 428, description = "No `If-Match`, or `If-Match: *`"),
    )
)]
async fn remove(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    writer: Writer,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    may_write_layer(&writer, layer)?;
    let expected = if_match(&headers)?;
    let mut tx = ctx.pool.begin().await?;
    let before = lock_for_change(&mut tx, layer, &id, &writer, expected).await?;
    edit::delete(&mut tx, layer, &before.key).await?;
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: layer.id,
            feature_id: &before.key,
            commune: &before.commune,
            action: Action::Delete,
            version: None,
            before: Some(&before.feature),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A feature's changes, newest first.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features/{id}/history",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("id" = String, Path, example = "15", description = "The feature's id")),
    responses((status = 200, description = "Who changed what and when", body = Vec<audit::Entry>))
)]
async fn history(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    viewer: super::session::Viewer,
) -> ApiResult<Json<Value>> {
    let layer = layer_or_404(&layer_id)?;
    let entries = audit::history(&ctx.pool, layer.id, &id).await?;
    let current = crate::store::features::version(&ctx.pool, layer, &id).await?;
    let missing = || ApiError::not_found(format!("no feature {id} in layer {}, and no history of one", layer.id));
    if entries.is_empty() && current.is_none() {
        return Err(missing());
    }
    // Visitors learn nothing of a feature of an unpublished commune, not even that it
    // exists: the same 404 as for a feature that never did.
    if viewer.is_anonymous() {
        let published = match current {
            Some((_, published)) => published,
            None => match entries.iter().find_map(|e| e.commune.as_deref()) {
                Some(commune) => crate::store::communes::published(&ctx.pool, commune).await? != Some(false),
                None => true,
            },
        };
        if !published {
            return Err(missing());
        }
    }
    Ok(Json(serde_json::to_value(entries).map_err(anyhow::Error::from)?))
}

/// `GET /api/audit?commune=C[&limit=N]`: the commune's latest changes (default 50, at most
/// 1,000), newest first: who changed what and when, for everyone to see.
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "edits",
    params(
        ("commune" = String, Query, min_length = 1, max_length = 16, example = "17131", description = "The commune"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "At most this many (default 50)"),
    ),
    responses((status = 200, description = "The commune's latest changes, newest first", body = Vec<audit::Entry>))
)]
async fn recent(State(ctx): State<AppContext>, RawQuery(query): RawQuery) -> ApiResult<Json<Value>> {
    let params = super::params::parse(query.as_deref(), &["commune", "limit"])?;
    let commune = super::params::commune(&params)?;
    if !crate::store::communes::exists(&ctx.pool, &commune).await? {
        return Err(ApiError::not_found(format!("unknown commune `{commune}`")));
    }
    let limit = match params.get("limit") {
        None => 50,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::bad("limit", "must be a whole number from 1 to 1000"))?,
    };
    let entries = audit::recent(&ctx.pool, &commune, limit).await?;
    Ok(Json(serde_json::to_value(entries).map_err(anyhow::Error::from)?))
}

/// Puts a feature back as it was after an audit entry (before it, for a delete) as a new
/// version; a deleted feature comes back under its id. Admins only.
#[utoipa::path(
    post,
    path = "/api/layers/{layer}/features/{id}/restore",
    tag = "edits",
    params(("layer" = String, Path, description = "A layer of the catalogue"), ("id" = String, Path, example = "15", description = "The feature's id")),
    request_body(content = RestoreRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The restored feature, as a new version", body = GeoJsonFeature, content_type = "application/geo+json"),
        (status = 422, description = "The entry holds no version to restore, or it is no longer valid"),
    )
)]
async fn restore(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    writer: Writer,
    body: Bytes,
) -> ApiResult<Response> {
    let layer = layer_or_404(&layer_id)?;
    writer.admin("restore an earlier version")?;
    #[derive(serde::Deserialize)]
    struct Body {
        audit_id: i64,
    }
    // Typed: whatever else the body holds is skipped, never built in memory.
    let audit_id = serde_json::from_slice::<Body>(&body).ok().map(|b| b.audit_id).ok_or_else(|| {
        ApiError::client(StatusCode::BAD_REQUEST, "the body must be {\"audit_id\": N}", json!({ "field": "audit_id" }))
    })?;
    let entry = audit::entry(&ctx.pool, audit_id)
        .await?
        .filter(|e| e.layer == layer.id && e.feature_id == id)
        .ok_or_else(|| ApiError::not_found(format!("no history entry {audit_id} for feature {id} of {}", layer.id)))?;
    let state = if entry.action == "delete" { entry.before.clone() } else { entry.after.clone() };
    let Some(state) = state.filter(|s| s.is_object()) else {
        return Err(ApiError::invalid(format!("history entry {audit_id} holds no version to restore"), Value::Null));
    };
    let mut properties = state["properties"].as_object().cloned().unwrap_or_default();
    let commune = properties
        .remove("commune")
        .and_then(|c| c.as_str().map(str::to_string))
        .unwrap_or(entry.commune.clone().unwrap_or_default());
    let geometry = state["geometry"].to_string();
    // Fields the catalogue no longer has are dropped rather than refused.
    properties.retain(|name, _| layer.field(name).is_some());

    let mut tx = ctx.pool.begin().await?;
    let before = edit::fetch(&mut tx, layer, &id, true).await?;
    let after = match &before {
        Some(current) => edit::update(&mut tx, layer, &current.key, &properties, Some(&geometry), true).await?,
        None => edit::insert(&mut tx, layer, &commune, &properties, &geometry, Some(&id)).await?,
    };
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: layer.id,
            feature_id: &after.key,
            commune: &after.commune,
            action: Action::Restore,
            version: Some(after.version),
            before: before.as_ref().map(|b| &*b.feature),
            after: Some(&after.feature),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(feature_response(StatusCode::OK, &after, None))
}
