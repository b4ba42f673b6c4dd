//! `GET /api/search?q=TEXT[&commune=C][&limit=N][&offset=N]`: features by name, with or
//! without diacritics, groups also by kind and number ("TDP 4"), best first, a page at a
//! time (see `store::search`).

use super::AppContext;
use super::error::{ApiError, ApiResult};
use super::params;
use crate::store::{communes, search};
use axum::Json;
use axum::extract::{RawQuery, State};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new().routes(routes!(find))
}

/// Features by name, best first.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "communes",
    params(
        ("q" = String, Query, min_length = 1, max_length = 100, example = "quynh", description = "The text to look for, with or without diacritics"),
        ("commune" = Option<String>, Query, min_length = 1, max_length = 16, example = "17131", description = "Only in this commune"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 50, description = "At most this many (default 10)"),
        ("offset" = Option<i64>, Query, minimum = 0, maximum = 1000, description = "Skip this many"),
    ),
    responses((status = 200, description = "The features found", body = Vec<search::Hit>))
)]
async fn find(
    State(ctx): State<AppContext>,
    RawQuery(query): RawQuery,
    viewer: super::session::Viewer,
) -> ApiResult<Json<Vec<search::Hit>>> {
    let p = params::parse(query.as_deref(), &["q", "commune", "limit", "offset"])?;
    let text = p.get("q").map(|q| q.trim()).unwrap_or("");
    if text.is_empty() {
        return Err(ApiError::bad("q", "is required: the text to look for, e.g. q=quynh"));
    }
    if text.chars().count() > 100 {
        return Err(ApiError::bad("q", "must be at most 100 characters"));
    }
    let limit = match p.get("limit") {
        None => 10,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=50).contains(&n) => n,
            _ => return Err(ApiError::bad("limit", "must be a whole number from 1 to 50")),
        },
    };
    // A page well past what anyone reads: bounds what the database sorts and skips.
    let offset = match p.get("offset") {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (0..=1000).contains(&n) => n,
            _ => return Err(ApiError::bad("offset", "must be a whole number from 0 to 1000")),
        },
    };
    let commune = match p.get("commune") {
        None => None,
        Some(_) => {
            let code = params::commune(&p)?;
            if !communes::exists(&ctx.pool, &code).await? {
                return Err(ApiError::not_found(format!("unknown commune `{code}`")));
            }
            Some(code)
        }
    };
    Ok(Json(search::search(&ctx.pool, text, commune.as_deref(), viewer.is_anonymous(), limit, offset).await?))
}
