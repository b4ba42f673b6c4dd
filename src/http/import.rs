//! `POST /api/import`: a file uploaded as multipart form data, imported into one layer of one
//! commune (see `pipeline::import` for the pipeline). Fields: `file`, `layer`, `commune`, and
//! optionally `crs` (`EPSG:9208`), `mapping` (JSON `{"source": "field"}`), `defaults`
//! (JSON `{"field": value}` for what the file does not give), `encoding`,
//! `dry_run` and `repair` (`true`/`false`).
//!
//! At most `KHEO_MAX_IMPORTS` imports run at once (503 beyond, before the upload is read);
//! the file is written to an unlinked temporary file as it arrives and streamed from
//! there, so an import's memory does not grow with its file.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::layers::layer_or_404;
use super::params::today_in_vietnam;
use super::session::Writer;
use crate::import::{Input, Limits, ReadError};
use crate::pipeline::import::{self, ImportError, Request};
use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::openapi::schemas::{ImportReport, ImportUpload};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(upload)).routes(routes!(upload_communes))
}

/// `POST /api/communes/import`: a boundary file of communes (admins), the form of
/// `/api/import` without `layer` and `commune`, with `province` for the communes the file
/// does not give one.
#[utoipa::path(
    post,
    path = "/api/communes/import",
    tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "What was read, checked and written (a dry run writes nothing)", body = ImportReport),
        (status = 415, description = "A file of a kind kheo does not read"),
        (status = 422, description = "Features with errors (the report, with `error`; nothing was written), or a file or field that cannot be read (`detail.field`)", body = ImportReport),
    )
)]
async fn upload_communes(
    State(ctx): State<AppContext>,
    writer: Writer,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    import_upload(ctx, writer, multipart, Some("communes")).await
}

/// Imports a file into a layer of a commune (or restores a commune dump).
#[utoipa::path(
    post,
    path = "/api/import",
    operation_id = "import_file",
    tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "What was read, checked and written (a dry run writes nothing)", body = ImportReport),
        (status = 415, description = "A file of a kind kheo does not read"),
        (status = 422, description = "Features with errors (the report, with `error`; nothing was written), or a file or field that cannot be read (`detail.field`)", body = ImportReport),
    )
)]
async fn upload(
    State(ctx): State<AppContext>,
    writer: Writer,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    import_upload(ctx, writer, multipart, None).await
}

fn field_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(message, json!({ "field": field }))
}

/// "the layers that take imports are groups, roads, ..." for refusals.
fn importable_layers() -> String {
    let names: Vec<&str> = crate::layers::LAYERS.iter().filter(|l| l.importable).map(|l| l.id).collect();
    format!("the layers that take imports are {}", names.join(", "))
}

fn boolean(fields: &HashMap<String, String>, name: &str) -> ApiResult<bool> {
    match fields.get(name).map(|v| v.trim()) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("on") => Ok(true),
        Some(other) => Err(field_error(name, format!("`{name}` must be true or false, not `{other}`"))),
    }
}

/// The longest text field of the form (`mapping`, `defaults`...), in bytes.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// How long a client turned away should wait before trying again, in seconds.
const RETRY_AFTER_S: u32 = 5;

/// 503 with `Retry-After`: as many imports as `KHEO_MAX_IMPORTS` allows are running.
fn busy(max: usize) -> Response {
    let error = ApiError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{max} imports are running, as many as this server runs at once; try again in a few seconds"),
        json!({ "retry_after_s": RETRY_AFTER_S }),
    );
    let mut response = error.into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
    response
}

/// Reads and drops the rest of an upload that was answered already, up to `limit` bytes:
/// a client that is still sending (most do not read before they have sent) then reads the
/// answer rather than a reset connection. Nothing is kept.
async fn drain(mut multipart: Multipart, limit: usize) {
    let mut seen = 0usize;
    while let Ok(Some(mut part)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = part.chunk().await {
            seen = seen.saturating_add(chunk.len());
            if seen > limit {
                return;
            }
        }
    }
}

/// 413 or another status for an upload that could not be read.
fn upload_error(ctx: &AppContext, error: &MultipartError, field: &str) -> ApiError {
    let limit = ctx.policy.max_upload_bytes / (1024 * 1024);
    let message = if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!("the upload is larger than the {limit} MiB this server accepts (KHEO_MAX_UPLOAD_MB)")
    } else {
        format!("reading the upload: {}", error.body_text())
    };
    ApiError::client(error.status(), message, json!({ "field": field }))
}

/// A temporary file, already unlinked: it lives as long as it is open, and nothing is
/// left behind whatever happens to the request or the process.
fn anonymous_file() -> std::io::Result<std::fs::File> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("kheo-upload-{}-{n}", std::process::id()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

/// Writes the uploaded file to a temporary file as it arrives, chunk by chunk: the
/// importer streams it from there, and the upload never sits in memory.
async fn spool(ctx: &AppContext, part: &mut Field<'_>) -> ApiResult<Input> {
    use tokio::io::AsyncWriteExt;
    let spool_error =
        |e: std::io::Error| ApiError::Internal(anyhow::anyhow!("writing the upload to a temporary file: {e}"));
    let mut file = tokio::fs::File::from_std(anonymous_file().map_err(spool_error)?);
    while let Some(chunk) = part.chunk().await.map_err(|e| upload_error(ctx, &e, "file"))? {
        file.write_all(&chunk).await.map_err(spool_error)?;
    }
    file.flush().await.map_err(spool_error)?;
    Input::from_file(file.into_std().await).map_err(spool_error)
}

/// A text field of the form, at most [`MAX_FIELD_BYTES`].
async fn text_field(ctx: &AppContext, part: &mut Field<'_>, name: &str) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = part.chunk().await.map_err(|e| upload_error(ctx, &e, name))? {
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(ApiError::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the form field `{name}` is longer than {} KiB", MAX_FIELD_BYTES / 1024),
                json!({ "field": name }),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| field_error(name, format!("the form field `{name}` is not UTF-8 text")))
}

/// Gives back to the system the memory an import used and freed. glibc's malloc keeps
/// freed memory in its per-thread arenas (an import's reader runs on a blocking thread of
/// its own, with an arena of its own) and returns it only from the top of each heap, so
/// without this a server keeps what its largest import ever took.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// An upload into `layer` (or the form's `layer`).
async fn import_upload(
    ctx: AppContext,
    writer: Writer,
    multipart: Result<Multipart, MultipartRejection>,
    layer: Option<&str>,
) -> ApiResult<Response> {
    // Taken before the upload is read, and turned away at once when none is free: an
    // import waiting here would already hold its upload.
    let Ok(_permit) = ctx.imports.clone().try_acquire_owned() else {
        if let Ok(multipart) = multipart {
            tokio::spawn(drain(multipart, ctx.policy.max_upload_bytes));
        }
        return Ok(busy(ctx.policy.max_imports));
    };
    let mut multipart = multipart.map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("send the file as multipart/form-data with the fields file, layer and commune: {e}"),
            Value::Null,
        )
    })?;
    let mut file: Option<(String, Input)> = None;
    let mut fields: HashMap<String, String> = HashMap::new();
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => return Err(upload_error(&ctx, &e, "file")),
        };
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = part.file_name().unwrap_or("upload").to_string();
            file = Some((file_name, spool(&ctx, &mut part).await?));
        } else {
            let text = text_field(&ctx, &mut part, &name).await?;
            fields.insert(name, text);
        }
    }
    let (file_name, data) =
        file.ok_or_else(|| field_error("file", "the form needs a `file` field with the file to import"))?;
    let layer_id = match layer {
        Some(id) => id,
        None => fields.get("layer").ok_or_else(|| field_error("layer", "the form needs `layer`, e.g. roads"))?,
    };
    let layer = layer_or_404(layer_id)?;
    if !layer.importable {
        return Err(field_error("layer", format!("{} cannot be imported into: {}", layer.id, importable_layers())));
    }
    // Boundaries (communes) are made by admins; features go into a commune of the editor's.
    let commune = match layer.role {
        crate::layers::Role::Boundary => {
            writer.admin(&format!("import {}", layer.id))?;
            String::new()
        }
        _ => {
            let commune = fields
                .get("commune")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| field_error("commune", "the form needs `commune`, a commune code"))?;
            writer.may_edit(commune)?;
            commune.clone()
        }
    };
    let crs = match fields.get("crs").map(|c| c.trim()).filter(|c| !c.is_empty()) {
        Some(text) => Some(import::parse_crs(text).map_err(|e| field_error("crs", e.to_string()))?),
        None => None,
    };
    let mapping: BTreeMap<String, String> = match fields.get("mapping").map(|m| m.trim()).filter(|m| !m.is_empty()) {
        Some(text) => serde_json::from_str(text).map_err(|e| {
            field_error(
                "mapping",
                format!("`mapping` must be a JSON object {{\"source field\": \"layer field\"}}: {e}"),
            )
        })?,
        None => BTreeMap::new(),
    };
    let mut defaults: serde_json::Map<String, Value> =
        match fields.get("defaults").map(|m| m.trim()).filter(|m| !m.is_empty()) {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                field_error("defaults", format!("`defaults` must be a JSON object {{\"field\": value}}: {e}"))
            })?,
            None => serde_json::Map::new(),
        };
    if let Some(province) = fields.get("province").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        defaults.insert("province".into(), province.into());
    }
    let request = Request {
        defaults,
        file_name,
        layer,
        commune,
        crs,
        mapping,
        encoding: fields.get("encoding").filter(|e| !e.is_empty()).cloned(),
        dry_run: boolean(&fields, "dry_run")?,
        repair: boolean(&fields, "repair")?,
        actor: writer.0.username.clone(),
        extent: ctx.policy.extent,
        today: today_in_vietnam(),
    };
    let limits = Limits::for_upload(ctx.policy.max_upload_bytes as u64);
    let outcome = import::run(&ctx.pool, &data, &request, &limits).await;
    drop(data);
    tokio::task::spawn_blocking(return_freed_memory);
    match outcome {
        Ok(report) if report.has_errors() => {
            let mut body = serde_json::to_value(&report).map_err(anyhow::Error::from)?;
            body["error"] = json!(format!(
                "{} of {} features have errors{}",
                report.counts.invalid,
                report.counts.read,
                if report.dry_run { "" } else { "; nothing was written" }
            ));
            let status = if report.dry_run { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, Json(body)).into_response())
        }
        Ok(report) => Ok(Json(report).into_response()),
        Err(ImportError::Database(error)) => Err(error.into()),
        Err(ImportError::Internal(error)) => Err(ApiError::Internal(anyhow::anyhow!(error))),
        Err(ImportError::Read(error @ ReadError::Unreadable { .. })) => Err(ApiError::Internal(error.into())),
        Err(error @ ImportError::UnknownCommune(_)) => Err(field_error("commune", error.to_string())),
        // A file over one of the limits that follow KHEO_MAX_UPLOAD_MB: 413, naming it.
        Err(ImportError::Read(error)) if error.is_too_large() => Err(ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            error.to_string(),
            json!({ "code": error.code(), "field": "file" }),
        )),
        Err(error) => Err(ApiError::invalid(error.to_string(), json!({ "code": error.code(), "field": "file" }))),
    }
}
