//! A commune's settings: `GET /api/communes/{code}/settings` for anyone who may read the
//! commune, `PATCH` for admins (a JSON object of the settings to change; the others stay).
//! Targets and their roadmap, counted road classes, buffers, unit costs of the work list.

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::session::{Viewer, Writer};
use crate::coverage::Settings;
use crate::coverage::settings::check;
use crate::store::audit::{self, Action};
use crate::store::{communes, coverage};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(read, change))
}

/// 404 unless the commune exists and the viewer may see it.
async fn visible(ctx: &AppContext, viewer: &Viewer, code: &str) -> ApiResult<()> {
    match communes::published(&ctx.pool, code).await? {
        Some(published) if published || !viewer.is_anonymous() => Ok(()),
        _ => Err(ApiError::not_found(format!("unknown commune `{code}`"))),
    }
}

/// A commune's coverage settings.
#[utoipa::path(
    get,
    path = "/api/communes/{code}/settings",
    tag = "communes",
    params(("code" = String, Path, example = "17131", description = "The commune's statistics code")),
    responses((status = 200, description = "The settings", body = Settings))
)]
async fn read(State(ctx): State<AppContext>, viewer: Viewer, Path(code): Path<String>) -> ApiResult<Json<Settings>> {
    visible(&ctx, &viewer, &code).await?;
    Ok(Json(coverage::settings(&ctx.pool, &code).await?))
}

/// Merges the given settings over the current ones, checks the whole, saves it with an
/// audit entry, in one transaction.
#[utoipa::path(
    patch,
    path = "/api/communes/{code}/settings",
    tag = "communes",
    params(("code" = String, Path, example = "17131", description = "The commune's statistics code")),
    request_body(content = super::openapi::schemas::SettingsChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings after the change", body = Settings),
        (status = 422, description = "An unknown setting or a value out of range (`detail.field`)"),
    )
)]
async fn change(
    State(ctx): State<AppContext>,
    writer: Writer,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Settings>> {
    writer.admin("change a commune's settings")?;
    if !communes::exists(&ctx.pool, &code).await? {
        return Err(ApiError::not_found(format!("unknown commune `{code}`")));
    }
    let given: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::client(StatusCode::BAD_REQUEST, format!("the body is not JSON: {e}"), json!({ "line": e.line() }))
    })?;
    let Value::Object(given) = given else {
        return Err(ApiError::invalid("the body must be a JSON object of settings", Value::Null));
    };
    let before = coverage::settings(&ctx.pool, &code).await?;
    let Value::Object(before_map) = json!(before) else { unreachable!("settings serialise to an object") };
    let mut merged = before_map.clone();
    for (name, value) in given {
        if !merged.contains_key(&name) {
            let names: Vec<&String> = merged.keys().collect();
            return Err(ApiError::invalid(
                format!(
                    "`{name}` is not a setting; the settings are {}",
                    names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                ),
                json!({ "field": name }),
            ));
        }
        // Each setting is read on its own first, so that a wrong type names its setting.
        let mut alone: Map<String, Value> = before_map.clone();
        alone.insert(name.clone(), value.clone());
        if let Err(e) = serde_json::from_value::<Settings>(Value::Object(alone)) {
            return Err(ApiError::invalid(format!("`{name}` has the wrong type: {e}"), json!({ "field": name })));
        }
        merged.insert(name, value);
    }
    let after: Settings = serde_json::from_value(Value::Object(merged))
        .map_err(|e| ApiError::invalid(format!("a setting has the wrong type: {e}"), Value::Null))?;
    check(&after).map_err(|bad| ApiError::invalid(bad.message, json!({ "field": bad.setting })))?;

    // The audit log keeps JSON text as it is written.
    let as_raw = |value: &Settings| serde_json::value::to_raw_value(value).map_err(anyhow::Error::from);
    let (before_raw, after_raw) = (as_raw(&before)?, as_raw(&after)?);
    let mut tx = ctx.pool.begin().await?;
    coverage::save_settings(&mut tx, &code, &after).await?;
    audit::record(
        &mut tx,
        audit::Change {
            actor: &writer.0.username,
            layer: "settings",
            feature_id: &code,
            commune: &code,
            action: Action::Update,
            version: None,
            before: Some(&before_raw),
            after: Some(&after_raw),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}
