//! `GET /api/communes` and `GET /api/config`.

use super::AppContext;
use super::error::ApiResult;
use super::session::Viewer;
use crate::store::communes;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(config))
}

/// The communes (published ones only for visitors who are not signed in) with their
/// groups' count and bounding box.
#[utoipa::path(
    get,
    path = "/api/communes",
    operation_id = "list_communes",
    tag = "communes",
    responses((status = 200, description = "The communes, by province and name", body = Vec<communes::CommuneSummary>))
)]
async fn list(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Vec<communes::CommuneSummary>>> {
    Ok(Json(communes::list(&ctx.pool, viewer.is_anonymous()).await?))
}

/// What the page needs to start: the optional basemap and the commune to open.
#[utoipa::path(
    get,
    path = "/api/config",
    tag = "communes",
    responses((status = 200, description = "The basemap and the commune the page opens on", body = super::openapi::schemas::Config))
)]
async fn config(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Value>> {
    let default_commune = match &ctx.web.default_commune {
        Some(code) if !viewer.is_anonymous() || communes::published(&ctx.pool, code).await? == Some(true) => {
            Some(code.clone())
        }
        _ => communes::first_code(&ctx.pool, viewer.is_anonymous()).await?,
    };
    let basemap = ctx.web.basemap_tiles.as_ref().map(
        |tiles| json!({ "tiles": [tiles], "attribution": ctx.web.basemap_attribution.clone().unwrap_or_default() }),
    );
    Ok(Json(json!({ "basemap": basemap, "default_commune": default_commune })))
}
