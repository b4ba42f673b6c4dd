//! Communes and residential groups as the API lists them.

use serde::Serialize;
use sqlx::{PgExecutor, PgPool};

/// A commune with its groups' count and bounding box, for `GET /api/communes`.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CommuneSummary {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub province: String,
    pub groups: i64,
    /// `[west, south, east, north]` in degrees (WGS 84).
    pub bbox: Vec<f64>,
}

/// The communes, or only the published ones.
pub async fn list(pool: &PgPool, published_only: bool) -> Result<Vec<CommuneSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.code, c.name, c.kind, c.province,
                (SELECT count(*) FROM residential_group g WHERE g.commune_code = c.code) AS groups,
                ARRAY[ST_XMin(c.geom), ST_YMin(c.geom), ST_XMax(c.geom), ST_YMax(c.geom)] AS bbox
           FROM commune c WHERE c.published OR NOT $1 ORDER BY c.province, c.name, c.code",
    )
    .bind(published_only)
    .fetch_all(pool)
    .await
}

/// Whether commune `code` is published; `None` when there is no such commune.
pub async fn published(pool: &PgPool, code: &str) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar("SELECT published FROM commune WHERE code = $1").bind(code).fetch_optional(pool).await
}

/// Publishes or hides a commune; false when there is no such commune.
pub async fn set_published(pool: &PgPool, code: &str, published: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE commune SET published = $2 WHERE code = $1")
        .bind(code)
        .bind(published)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn exists(db: impl PgExecutor<'_>, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM commune WHERE code = $1)").bind(code).fetch_one(db).await
}

/// The name of commune `code`; `None` when there is no such commune.
pub async fn name(pool: &PgPool, code: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM commune WHERE code = $1").bind(code).fetch_optional(pool).await
}

/// The id of group `code` of commune `commune`.
pub async fn group_id(pool: &PgPool, commune: &str, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM residential_group WHERE commune_code = $1 AND code = $2")
        .bind(commune)
        .bind(code)
        .fetch_optional(pool)
        .await
}

/// The code of the first commune (the first published one when `published_only`), the
/// page's default.
pub async fn first_code(pool: &PgPool, published_only: bool) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM commune WHERE published OR NOT $1 ORDER BY code LIMIT 1")
        .bind(published_only)
        .fetch_optional(pool)
        .await
}
