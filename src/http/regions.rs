//! `GET /api/regions`: the regions (provinces, districts, clusters of communes) with their
//! communes' count and bounding box.

use super::AppContext;
use super::error::ApiResult;
use super::session::Viewer;
use crate::store::regions::{self, RegionSummary};
use axum::extract::State;
use axum::{Json, Router, routing::get};

pub fn router() -> Router<AppContext> {
    Router::new().route("/api/regions", get(list))
}

async fn list(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Vec<RegionSummary>>> {
    Ok(Json(regions::list(&ctx.pool, viewer.is_anonymous()).await?))
}
