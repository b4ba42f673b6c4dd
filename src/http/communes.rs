//! `GET /api/communes` and `GET /api/config`.

use super::AppContext;
use super::error::ApiResult;
use super::session::Viewer;
use crate::store::communes;
use axum::extract::State;
use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

pub fn router() -> Router<AppContext> {
    Router::new().route("/api/communes", get(list)).route("/api/config", get(config))
}

async fn list(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Vec<communes::CommuneSummary>>> {
    Ok(Json(communes::list(&ctx.pool, viewer.is_anonymous()).await?))
}

/// What the page needs to start: the optional basemap and the commune to open.
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
