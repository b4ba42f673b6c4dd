//! `GET /api/regions`: the regions (provinces, districts, clusters of communes) with their
//! communes' count and bounding box.

use super::AppContext;
use super::error::ApiResult;
use super::session::Viewer;
use crate::store::regions::{self, RegionSummary};
use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The regions: provinces, districts and clusters of communes.
#[utoipa::path(
    get,
    path = "/api/regions",
    operation_id = "list_regions",
    tag = "communes",
    responses((status = 200, description = "The regions with their communes' count and bounding box", body = Vec<RegionSummary>))
)]
async fn list(State(ctx): State<AppContext>, viewer: Viewer) -> ApiResult<Json<Vec<RegionSummary>>> {
    Ok(Json(regions::list(&ctx.pool, viewer.is_anonymous()).await?))
}
