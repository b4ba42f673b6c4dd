//! Photos of work features:
//! - `POST /api/layers/{layer}/features/{id}/photos` (multipart: `file`, optional `caption`
//!   and `keep_gps=true`) for the editors of the feature's commune;
//! - `GET /api/layers/{layer}/features/{id}/photos`, the feature's photos;
//! - `GET /api/photos?commune=C&layer=L`, the photos of a commune's features of a layer
//!   (the model sites' photos of the group pages and the slides), with the features' names;
//! - `GET /api/photos/{id}` and `GET /api/photos/{id}/thumb`, the image and its thumbnail;
//! - `PATCH /api/photos/{id}` (`{"caption": ...}`) and `DELETE /api/photos/{id}` (editors).
//!
//! Anonymous readers see the photos of published communes only; any other photo is a 404,
//! exactly like one that does not exist. Every write is audited in the same transaction,
//! under the layer name `photos`. What an upload must be, and what is kept of it, is
//! `crate::photos`; decoding runs on the blocking pool, at most [`PhotoGate`]'s number at
//! once (503 with `Retry-After` beyond), so that the memory they take stays bounded.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::layers::layer_or_404;
use super::params::today_in_vietnam;
use super::session::{Viewer, Writer};
use crate::layers::{Editors, Layer};
use crate::photos::{self, PhotoError, takes_photos};
use crate::store::audit::{self, Action};
use crate::store::photos::{self as store, NewPhoto, PhotoInfo, Variant};
use axum::Json;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{CaptionChange, Photo, PhotoUpload};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::Semaphore;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(list, upload))
        .routes(routes!(of_commune))
        .routes(routes!(image, patch, remove))
        .routes(routes!(thumbnail))
}

/// 10 MiB.
pub const DEFAULT_MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Two decodes at once: each may take some 250 MB for a 50-megapixel photo.
pub const DEFAULT_PHOTO_DECODES: u16 = 2;
/// The most photos `GET /api/photos?commune=C&layer=L` lists.
pub const MAX_LISTED: i64 = 500;
/// The most characters of a caption.
pub const MAX_CAPTION_CHARS: usize = 500;
/// Seconds a client is told to wait when every decode slot is taken.
const RETRY_AFTER_S: u32 = 2;
/// The layer name of photo entries in the audit log (no catalogue layer has it).
pub const AUDIT_LAYER: &str = "photos";

/// The limits on photo uploads, and the decodes under way.
pub struct PhotoGate {
    /// The largest photo file accepted, in bytes (`KHEO_MAX_PHOTO_MB`; 413 above).
    pub max_bytes: usize,
    /// How many photos may be decoded at once (`KHEO_PHOTO_DECODES`).
    pub decodes: usize,
    slots: Arc<Semaphore>,
}

impl PhotoGate {
    pub fn new(max_bytes: usize, decodes: usize) -> PhotoGate {
        let decodes = decodes.max(1);
        PhotoGate { max_bytes, decodes, slots: Arc::new(Semaphore::new(decodes)) }
    }
}

impl Default for PhotoGate {
    fn default() -> PhotoGate {
        PhotoGate::new(DEFAULT_MAX_PHOTO_BYTES, usize::from(DEFAULT_PHOTO_DECODES))
    }
}

/// The work layers, which take photos: "roads, flower_routes, ..." for refusals.
fn photo_layers() -> String {
    let names: Vec<&str> = crate::layers::LAYERS.iter().filter(|l| takes_photos(l)).map(|l| l.id).collect();
    names.join(", ")
}

/// The work layer `layer_id` and the feature id `id`: 404 for an unknown layer, one
/// without photos, or an id that names no feature.
fn work_feature(layer_id: &str, id: &str) -> ApiResult<(&'static Layer, i64)> {
    let layer = layer_or_404(layer_id)?;
    if !takes_photos(layer) {
        return Err(ApiError::not_found(format!(
            "{} have no photos; the layers with photos are {}",
            layer.id,
            photo_layers()
        )));
    }
    let id = id.parse::<i64>().map_err(|_| no_feature(layer, id))?;
    Ok((layer, id))
}

fn no_feature(layer: &Layer, id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("no feature {id} in layer {}", layer.id))
}

fn no_photo(id: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(format!("no photo {id}"))
}

/// The photo id of a path: anything but a whole number names no photo.
fn photo_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>().map_err(|_| no_photo(id))
}

/// A photo's metadata with its URLs, as every answer gives it.
fn with_urls(photo: &PhotoInfo) -> Value {
    let mut value = serde_json::to_value(photo).unwrap_or(Value::Null);
    value["url"] = json!(format!("/api/photos/{}", photo.id));
    value["thumb_url"] = json!(format!("/api/photos/{}/thumb", photo.id));
    value
}

/// The metadata recorded in the audit log (no URLs: they are derived).
fn audited(photo: &PhotoInfo) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(photo).unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned())
}

/// Refuses writers who may not change features of `layer` in `commune`.
fn may_change(writer: &Writer, layer: &Layer, commune: &str) -> ApiResult<()> {
    if layer.editors == Editors::Admins {
        writer.admin(&format!("change {}", layer.id))?;
    }
    writer.may_edit(commune)
}

/// A feature's photos.
#[utoipa::path(
    get,
    path = "/api/layers/{layer}/features/{id}/photos",
    operation_id = "list_feature_photos",
    tag = "photos",
    params(("layer" = String, Path, description = "A layer of the catalogue that takes photos (works)"), ("id" = i64, Path, example = 15, description = "The feature's id")),
    responses((status = 200, description = "The photos, oldest first", body = Vec<Photo>))
)]
async fn list(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    viewer: Viewer,
) -> ApiResult<Response> {
    let (layer, id) = work_feature(&layer_id, &id)?;
    let mut conn = ctx.pool.acquire().await?;
    match store::feature_commune(&mut conn, layer, id, false).await? {
        Some((_, published)) if published || !viewer.is_anonymous() => {}
        _ => return Err(no_feature(layer, id)),
    }
    drop(conn);
    let photos: Vec<Value> = store::of_feature(&ctx.pool, layer.id, id).await?.iter().map(with_urls).collect();
    let mut response = Json(photos).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// The photos of a commune's features of one work layer; unpublished communes are 404 for
/// visitors before this (`session::guard_reads`).
#[utoipa::path(
    get,
    path = "/api/photos",
    tag = "photos",
    params(
        ("commune" = String, Query, example = "17131", description = "The commune's statistics code"),
        ("layer" = String, Query, example = "model_sites", description = "A layer of the catalogue that takes photos (works)"),
    ),
    responses((status = 200, description = "The photos of the commune's features of that layer (at most 500), each with its feature's `feature_name`", body = Vec<Photo>))
)]
async fn of_commune(State(ctx): State<AppContext>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = super::params::parse(query.as_deref(), &["commune", "layer"])?;
    let code = super::params::commune(&p)?;
    let layer_id = p.get("layer").ok_or_else(|| {
        ApiError::bad("layer", format!("is required: one of the layers with photos, {}", photo_layers()))
    })?;
    let layer = crate::layers::find(layer_id)
        .filter(|l| takes_photos(l))
        .ok_or_else(|| ApiError::bad("layer", format!("must be one of the layers with photos, {}", photo_layers())))?;
    if !crate::store::communes::exists(&ctx.pool, &code).await? {
        return Err(ApiError::not_found(format!("unknown commune `{code}`")));
    }
    let photos: Vec<Value> = store::of_commune_layer(&ctx.pool, &code, layer, MAX_LISTED)
        .await?
        .iter()
        .map(|photo| {
            let mut value = with_urls(&photo.info);
            value["feature_name"] = json!(photo.feature_name);
            value
        })
        .collect();
    let mut response = Json(photos).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// What the upload form held.
struct Form {
    file: Vec<u8>,
    caption: Option<String>,
    keep_gps: bool,
}

fn field_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(message, json!({ "field": field }))
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the photo is larger than the {} MiB this server accepts (KHEO_MAX_PHOTO_MB); send a smaller one",
            max_bytes / (1024 * 1024)
        ),
        json!({ "field": "file", "max_bytes": max_bytes }),
    )
}

/// The bytes of one form field, refusing more than `limit` as soon as they come.
async fn read_part(part: &mut Field<'_>, limit: usize, too_many: impl Fn() -> ApiError) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match part.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > limit {
                    return Err(too_many());
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => {
                let name = part.name().unwrap_or_default().to_string();
                let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "the request is larger than this server accepts (KHEO_MAX_UPLOAD_MB)".to_string()
                } else {
                    format!("reading the upload: {}", e.body_text())
                };
                return Err(ApiError::client(e.status(), message, json!({ "field": name })));
            }
        }
    }
}

async fn read_form(multipart: Result<Multipart, MultipartRejection>, max_bytes: usize) -> ApiResult<Form> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("send the photo as multipart/form-data with a `file` field: {e}"),
            Value::Null,
        )
    })?;
    let (mut file, mut caption, mut keep_gps) = (None, None, false);
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::client(
                    e.status(),
                    format!("reading the upload: {}", e.body_text()),
                    Value::Null,
                ));
            }
        };
        let name = part.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" if file.is_some() => return Err(field_error("file", "send one photo per request")),
            "file" => file = Some(read_part(&mut part, max_bytes, || too_large(max_bytes)).await?),
            "caption" => {
                // Four bytes a character at most in UTF-8.
                let bytes = read_part(&mut part, MAX_CAPTION_CHARS * 4, caption_too_long).await?;
                let text =
                    String::from_utf8(bytes).map_err(|_| field_error("caption", "the caption is not UTF-8 text"))?;
                caption = checked_caption(Some(&text))?;
            }
            "keep_gps" => {
                let bytes =
                    read_part(&mut part, 16, || field_error("keep_gps", "`keep_gps` must be true or false")).await?;
                keep_gps = match String::from_utf8_lossy(&bytes).trim() {
                    "" | "false" | "0" | "off" => false,
                    "true" | "1" | "on" => true,
                    other => {
                        return Err(field_error(
                            "keep_gps",
                            format!("`keep_gps` must be true or false, not `{other}`"),
                        ));
                    }
                };
            }
            other => {
                return Err(field_error(
                    other,
                    format!("`{other}` is not a field of a photo upload; the fields are file, caption and keep_gps"),
                ));
            }
        }
    }
    let file = file.ok_or_else(|| field_error("file", "the form needs a `file` field with the photo"))?;
    Ok(Form { file, caption, keep_gps })
}

fn caption_too_long() -> ApiError {
    field_error("caption", format!("a caption has at most {MAX_CAPTION_CHARS} characters"))
}

/// A caption trimmed, `None` when empty; 422 when too long or holding control characters.
fn checked_caption(text: Option<&str>) -> ApiResult<Option<String>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_CAPTION_CHARS {
        return Err(caption_too_long());
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(field_error("caption", "the caption holds control characters"));
    }
    Ok(Some(text.to_string()))
}

/// The refusal of a file that is not an acceptable photo: 415 for the kind of file, 422
/// for its content.
fn refused(error: PhotoError) -> ApiError {
    let status =
        if error.is_unsupported_type() { StatusCode::UNSUPPORTED_MEDIA_TYPE } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut detail = json!({ "field": "file", "code": error.code() });
    match &error {
        PhotoError::TooWide { width, height } | PhotoError::TooManyPixels { width, height, .. } => {
            detail["width"] = json!(width);
            detail["height"] = json!(height);
            detail["max_side"] = json!(photos::MAX_SIDE);
            detail["max_pixels"] = json!(photos::MAX_PIXELS);
        }
        PhotoError::Unsupported(format) => detail["format"] = json!(format),
        _ => {}
    }
    ApiError::client(status, error.to_string(), detail)
}

fn busy(gate: &PhotoGate) -> Response {
    let mut response = ApiError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the server is busy with {} other photos; send this one again in {RETRY_AFTER_S} seconds",
            gate.decodes
        ),
        json!({ "retry_after_s": RETRY_AFTER_S }),
    )
    .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
    response
}

/// Adds a photo to a feature: decoded, its metadata stripped (the GPS position kept only
/// with `keep_gps`), stored with a thumbnail.
#[utoipa::path(
    post,
    path = "/api/layers/{layer}/features/{id}/photos",
    operation_id = "upload_photo",
    tag = "photos",
    params(("layer" = String, Path, description = "A layer of the catalogue that takes photos (works)"), ("id" = i64, Path, example = 15, description = "The feature's id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored photo, with `Location`", body = Photo),
        (status = 415, description = "Not an image kheo takes (JPEG, PNG, WebP, HEIC)"),
        (status = 422, description = "A bad form field (`detail.field`) or an image that cannot be decoded"),
    )
)]
async fn upload(
    State(ctx): State<AppContext>,
    Path((layer_id, id)): Path<(String, String)>,
    writer: Writer,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let (layer, id) = work_feature(&layer_id, &id)?;
    // Rights first: nobody else's upload is read, let alone decoded.
    let mut conn = ctx.pool.acquire().await?;
    let (commune, _) =
        store::feature_commune(&mut conn, layer, id, false).await?.ok_or_else(|| no_feature(layer, id))?;
    drop(conn);
    may_change(&writer, layer, &commune)?;
    let form = read_form(multipart, ctx.photos.max_bytes).await?;

    let Ok(slot) = ctx.photos.slots.clone().try_acquire_owned() else {
        return Ok(busy(&ctx.photos));
    };
    let today = today_in_vietnam();
    let keep_gps = form.keep_gps;
    let file = form.file;
    let processed = tokio::task::spawn_blocking(move || {
        // Held until the decode is over, even if the client has gone.
        let _slot = slot;
        photos::process(&file, keep_gps, today)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(refused)?;

    let mut tx = ctx.pool.begin().await?;
    // Locked: the feature may have been deleted while the photo was decoded, and must not
    // be deleted before this photo is committed (its trigger would miss it).
    let (commune, _) = store::feature_commune(&mut tx, layer, id, true).await?.ok_or_else(|| no_feature(layer, id))?;
    let photo = store::insert(
        &mut tx,
        &NewPhoto {
            layer: layer.id,
            feature_id: id,
            commune: &commune,
            content_type: processed.content_type,
            image: &processed.image,
            width: processed.width,
            height: processed.height,
            thumbnail: &processed.thumbnail,
            thumb_width: processed.thumb_width,
            thumb_height: processed.thumb_height,
            caption: form.caption.as_deref(),
            taken_on: processed.taken_on,
            position: processed.position,
            created_by: &writer.0.username,
        },
    )
    .await?;
    let after = audited(&photo);
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: AUDIT_LAYER,
            feature_id: &photo.id.to_string(),
            commune: &commune,
            action: Action::Insert,
            version: None,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;

    let mut body = with_urls(&photo);
    body["gps"] = json!(match (processed.position.is_some(), processed.had_position) {
        (true, _) => "kept",
        (false, true) => "removed",
        (false, false) => "none",
    });
    body["source_format"] = json!(processed.source.name());
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/photos/{}", photo.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Serves the image or the thumbnail of a photo: immutable bytes, so a year of caching.
async fn serve(
    ctx: &AppContext,
    id: &str,
    viewer: &Viewer,
    headers: &HeaderMap,
    variant: Variant,
) -> ApiResult<Response> {
    let id = photo_id(id)?;
    let served = store::served(&ctx.pool, id).await?.ok_or_else(|| no_photo(id))?;
    if viewer.is_anonymous() && !served.published {
        return Err(no_photo(id));
    }
    let (tag, content_type) = match variant {
        Variant::Image => (format!("\"{}\"", served.sha256), served.content_type.as_str()),
        Variant::Thumbnail => (format!("\"{}-thumb\"", served.sha256), "image/jpeg"),
    };
    // Private: a shared cache must not hand a photo of an unpublished commune to someone
    // who is not signed in.
    let cache = HeaderValue::from_static("private, max-age=31536000, immutable");
    if super::etag::matches(headers, &tag) {
        let mut response = super::etag::not_modified(&tag);
        response.headers_mut().insert(header::CACHE_CONTROL, cache);
        return Ok(response);
    }
    let bytes = store::bytes(&ctx.pool, id, variant).await?.ok_or_else(|| no_photo(id))?;
    let mut response = bytes.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).map_err(anyhow::Error::from)?);
    response_headers.insert(header::ETAG, HeaderValue::from_str(&tag).map_err(anyhow::Error::from)?);
    response_headers.insert(header::CACHE_CONTROL, cache);
    response_headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/photos/{id}",
    tag = "photos",
    params(("id" = i64, Path, example = 1, description = "The photo's id")),
    responses(
        (status = 200, description = "The image", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn image(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
    viewer: Viewer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    serve(&ctx, &id, &viewer, &headers, Variant::Image).await
}

/// A photo's thumbnail.
#[utoipa::path(
    get,
    path = "/api/photos/{id}/thumb",
    tag = "photos",
    params(("id" = i64, Path, example = 1, description = "The photo's id")),
    responses(
        (status = 200, description = "The thumbnail", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
    )
)]
async fn thumbnail(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
    viewer: Viewer,
    headers: HeaderMap,
) -> ApiResult<Response> {
    serve(&ctx, &id, &viewer, &headers, Variant::Thumbnail).await
}

/// Locks photo `id` for a change by `writer`: 404 when there is none, 403 outside their
/// communes.
async fn lock_for_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: &str,
    writer: &Writer,
) -> ApiResult<PhotoInfo> {
    let id = photo_id(id)?;
    let photo = store::info(tx, id, true).await?.ok_or_else(|| no_photo(id))?;
    let layer = layer_or_404(&photo.layer)?;
    may_change(writer, layer, &photo.commune)?;
    Ok(photo)
}

/// Changes a photo's caption.
#[utoipa::path(
    patch,
    path = "/api/photos/{id}",
    operation_id = "change_photo_caption",
    tag = "photos",
    params(("id" = i64, Path, example = 1, description = "The photo's id")),
    request_body(content = CaptionChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The photo", body = Photo),
        (status = 422, description = "Another field than `caption`, or a caption too long (`detail.field`)"),
    )
)]
async fn patch(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
    writer: Writer,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("the body must be JSON {{\"caption\": ...}}: {e}"),
            Value::Null,
        )
    })?;
    let Value::Object(object) = value else {
        return Err(ApiError::invalid("the body must be a JSON object {\"caption\": ...}", Value::Null));
    };
    if let Some(other) = object.keys().find(|k| *k != "caption") {
        return Err(field_error(other, format!("`{other}` cannot be changed; a photo's caption can")));
    }
    let caption = match object.get("caption") {
        None => return Err(field_error("caption", "send {\"caption\": \"...\"} (or null to remove it)")),
        Some(Value::Null) => None,
        Some(Value::String(text)) => checked_caption(Some(text))?,
        Some(_) => return Err(field_error("caption", "`caption` must be text or null")),
    };

    let mut tx = ctx.pool.begin().await?;
    let before = lock_for_change(&mut tx, &id, &writer).await?;
    let after = store::set_caption(&mut tx, before.id, caption.as_deref()).await?;
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: AUDIT_LAYER,
            feature_id: &after.id.to_string(),
            commune: &after.commune,
            action: Action::Update,
            version: None,
            before: Some(&audited(&before)),
            after: Some(&audited(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(with_urls(&after)).into_response())
}

/// Deletes a photo.
#[utoipa::path(
    delete,
    path = "/api/photos/{id}",
    operation_id = "delete_photo",
    tag = "photos",
    params(("id" = i64, Path, example = 1, description = "The photo's id")),
    responses((status = 204, description = "Deleted"))
)]
async fn remove(State(ctx): State<AppContext>, Path(id): Path<String>, writer: Writer) -> ApiResult<Response> {
    let mut tx = ctx.pool.begin().await?;
    let before = lock_for_change(&mut tx, &id, &writer).await?;
    store::delete(&mut tx, before.id).await?;
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: AUDIT_LAYER,
            feature_id: &before.id.to_string(),
            commune: &before.commune,
            action: Action::Delete,
            version: None,
            before: Some(&audited(&before)),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
