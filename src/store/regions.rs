//! Regions: named sets of communes (see the regions migration). Provinces are derived from
//! the communes' `province`; districts and clusters are made by hand.

use serde::Serialize;
use sqlx::PgPool;

/// A region with its communes' count and bounding box, for `GET /api/regions`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RegionSummary {
    pub code: String,
    pub name: String,
    /// `province`, `district` or `cluster`.
    pub kind: String,
    /// Communes in it (published ones only, for visitors who are not signed in).
    pub communes: i64,
    /// `[west, south, east, north]` in degrees, `null` without communes.
    pub bbox: Option<Vec<f64>>,
}

/// A region's name and kind.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// Why a region cannot be saved.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    #[error("there is no commune {0}")]
    UnknownCommune(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Every region with at least one (visible) commune, provinces first, then by name.
pub async fn list(pool: &PgPool, published_only: bool) -> Result<Vec<RegionSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.code, r.name, r.kind, count(c.code) AS communes,
                CASE WHEN count(c.code) > 0 THEN
                  ARRAY[ST_XMin(ST_Extent(c.geom)), ST_YMin(ST_Extent(c.geom)),
                        ST_XMax(ST_Extent(c.geom)), ST_YMax(ST_Extent(c.geom))] END AS bbox
           FROM region_all r
           CROSS JOIN LATERAL region_communes(r.code) AS m (code)
           JOIN commune c ON c.code = m.code AND (c.published OR NOT $1)
          GROUP BY r.code, r.name, r.kind
          ORDER BY array_position(ARRAY['province', 'district', 'cluster'], r.kind), r.name, r.code",
    )
    .bind(published_only)
    .fetch_all(pool)
    .await
}

/// The region `code`, if there is one.
pub async fn find(pool: &PgPool, code: &str) -> Result<Option<Region>, sqlx::Error> {
    sqlx::query_as("SELECT code, name, kind FROM region_all WHERE code = $1").bind(code).fetch_optional(pool).await
}

/// The codes of a region's communes, in code order (published ones only when asked).
pub async fn communes(pool: &PgPool, code: &str, published_only: bool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.code FROM region_communes($1) AS m (code) JOIN commune c ON c.code = m.code
          WHERE c.published OR NOT $2 ORDER BY c.code",
    )
    .bind(code)
    .bind(published_only)
    .fetch_all(pool)
    .await
}

/// Creates region `code`, or replaces its name, kind and communes, in one transaction.
pub async fn upsert(pool: &PgPool, region: &Region, communes: &[String]) -> Result<(), RegionError> {
    upsert_all(pool, &[(region.clone(), communes.to_vec())]).await
}

/// Creates or replaces several regions, all or none.
pub async fn upsert_all(pool: &PgPool, regions: &[(Region, Vec<String>)]) -> Result<(), RegionError> {
    let mut tx = pool.begin().await?;
    for (region, communes) in regions {
        upsert_in(&mut tx, region, communes).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn upsert_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    region: &Region,
    communes: &[String],
) -> Result<(), RegionError> {
    let known: Vec<String> = sqlx::query_scalar("SELECT code FROM commune WHERE code = ANY ($1)")
        .bind(communes)
        .fetch_all(&mut **tx)
        .await?;
    if let Some(missing) = communes.iter().find(|c| !known.contains(c)) {
        return Err(RegionError::UnknownCommune(missing.clone()));
    }
    sqlx::query(
        "INSERT INTO region (code, name, kind) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, updated_at = now()",
    )
    .bind(&region.code)
    .bind(&region.name)
    .bind(&region.kind)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM region_commune WHERE region_code = $1").bind(&region.code).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO region_commune (region_code, commune_code) SELECT DISTINCT $1, unnest($2::text[])")
        .bind(&region.code)
        .bind(communes)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes a region made by hand; false when there is none (provinces derived from the
/// communes cannot be removed: they are the communes' own).
pub async fn remove(pool: &PgPool, code: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM region WHERE code = $1").bind(code).execute(pool).await?;
    Ok(done.rows_affected() == 1)
}
