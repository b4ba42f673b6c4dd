//! Whether the database answers, for `GET /healthz`.

use sqlx::PgPool;

/// A round trip to the database: `SELECT 1`.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await?;
    Ok(())
}
