//! Change counters per table (kept by triggers, see the first migration), for ETags.

use sqlx::PgPool;

/// The revisions of `tables`, joined into one string: it changes whenever any of the
/// tables changes.
pub async fn of_tables(pool: &PgPool, tables: &[&str]) -> Result<String, sqlx::Error> {
    let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
    let joined: Option<String> = sqlx::query_scalar(
        "SELECT string_agg(table_name || ':' || revision, ',' ORDER BY table_name)
           FROM layer_revision WHERE table_name = ANY($1)",
    )
    .bind(&names)
    .fetch_one(pool)
    .await?;
    Ok(joined.unwrap_or_default())
}
