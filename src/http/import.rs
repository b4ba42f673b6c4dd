//! `POST /api/import`: a file uploaded as multipart form data, imported into one layer of one
//! commune (see `store::import` for the pipeline). Fields: `file`, `layer`, `commune`, and
//! optionally `crs` (`EPSG:9208`), `mapping` (JSON `{"source": "field"}`), `defaults`
//! (JSON `{"field": value}` for what the file does not give), `encoding`,
//! `dry_run` and `repair` (`true`/`false`).

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::layers::layer_or_404;
use super::params::today_in_vietnam;
use super::session::Writer;
use crate::store::import::{self, ImportError, Request};
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::post};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub fn router() -> Router<AppContext> {
    Router::new().route("/api/import", post(upload))
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

async fn upload(
    State(ctx): State<AppContext>,
    writer: Writer,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            format!("send the file as multipart/form-data with the fields file, layer and commune: {e}"),
            Value::Null,
        )
    })?;
    let mut file: Option<(String, bytes::Bytes)> = None;
    let mut fields: HashMap<String, String> = HashMap::new();
    loop {
        let part = match multipart.next_field().await {
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
        if name == "file" {
            let file_name = part.file_name().unwrap_or("upload").to_string();
            let data = part.bytes().await.map_err(|e| {
                let limit = ctx.policy.max_upload_bytes / (1024 * 1024);
                let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    format!("the upload is larger than the {limit} MiB this server accepts (KHEO_MAX_UPLOAD_MB)")
                } else {
                    format!("reading the file: {}", e.body_text())
                };
                ApiError::client(e.status(), message, json!({ "field": "file" }))
            })?;
            file = Some((file_name, data));
        } else {
            let text =
                part.text().await.map_err(|e| ApiError::client(e.status(), e.body_text(), json!({ "field": name })))?;
            fields.insert(name, text);
        }
    }
    let (file_name, data) =
        file.ok_or_else(|| field_error("file", "the form needs a `file` field with the file to import"))?;
    let layer_id = fields.get("layer").ok_or_else(|| field_error("layer", "the form needs `layer`, e.g. roads"))?;
    let layer = layer_or_404(layer_id)?;
    if !layer.importable {
        return Err(field_error("layer", format!("{} cannot be imported into: {}", layer.id, importable_layers())));
    }
    let commune = fields
        .get("commune")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| field_error("commune", "the form needs `commune`, a commune code"))?;
    writer.may_edit(commune)?;
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
    let defaults: serde_json::Map<String, Value> =
        match fields.get("defaults").map(|m| m.trim()).filter(|m| !m.is_empty()) {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                field_error("defaults", format!("`defaults` must be a JSON object {{\"field\": value}}: {e}"))
            })?,
            None => serde_json::Map::new(),
        };
    let request = Request {
        defaults,
        file_name,
        layer,
        commune: commune.clone(),
        crs,
        mapping,
        encoding: fields.get("encoding").filter(|e| !e.is_empty()).cloned(),
        dry_run: boolean(&fields, "dry_run")?,
        repair: boolean(&fields, "repair")?,
        actor: writer.0.username.clone(),
        extent: ctx.policy.extent,
        today: today_in_vietnam(),
    };
    match import::run(&ctx.pool, &data, &request).await {
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
        Err(error @ ImportError::UnknownCommune(_)) => Err(field_error("commune", error.to_string())),
        Err(error) => Err(ApiError::invalid(error.to_string(), json!({ "code": error.code(), "field": "file" }))),
    }
}
