//! The SQL of commune dumps (`crate::pipeline::dump`): reading one commune in one snapshot, and the
//! checks and writes of a restore besides the sync of its collections
//! ([`crate::store::load`]).

use super::export::dump_query;
use super::sql::quote_ident;
use crate::layers::Layer;
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// A read-only transaction that sees one snapshot for all its queries: a concurrent edit
/// never makes a dump inconsistent.
pub async fn snapshot(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
    Ok(tx)
}

/// Hands `each` the Features of `layer` in commune `code`, one at a time as GeoJSON text
/// in key order (see [`dump_query`]), so that a layer never sits in memory whole. Returns
/// how many.
pub async fn each_feature<E: From<sqlx::Error>>(
    conn: &mut PgConnection,
    layer: &Layer,
    code: &str,
    mut each: impl FnMut(&str) -> Result<(), E>,
) -> Result<i64, E> {
    let query = dump_query(layer);
    let mut rows = sqlx::query_scalar::<_, String>(&query).bind(code).fetch(conn);
    let mut features = 0i64;
    while let Some(feature) = rows.try_next().await? {
        each(&feature)?;
        features += 1;
    }
    Ok(features)
}

/// The commune's row of `commune_setting` as JSON, if it has one.
pub async fn settings(conn: &mut PgConnection, code: &str) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar("SELECT row_to_json(s)::jsonb FROM commune_setting s WHERE s.commune_code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// What PostgreSQL, which parses a dumped FeatureCollection anyway, says of it.
pub struct CollectionCheck {
    /// Whether its `features` is an array.
    pub is_collection: bool,
    /// How many features it has.
    pub count: i64,
    /// How many of its features belong to another commune than the dump's.
    pub strangers: i64,
}

/// Checks a dumped FeatureCollection (GeoJSON text) of commune `code`. An error when the
/// text is not JSON.
pub async fn check_collection(conn: &mut PgConnection, text: &str, code: &str) -> Result<CollectionCheck, sqlx::Error> {
    let (is_collection, count, strangers) =
        sqlx::query_as(include_str!("dump_collection.sql")).bind(text).bind(code).fetch_one(conn).await?;
    Ok(CollectionCheck { is_collection, count, strangers })
}

/// Deletes the features of `layer` in commune `code`; returns how many.
pub async fn delete_commune_features(conn: &mut PgConnection, layer: &Layer, code: &str) -> Result<u64, sqlx::Error> {
    let sql = format!("DELETE FROM {} WHERE {} = $1", quote_ident(layer.table), quote_ident(layer.commune_column));
    Ok(sqlx::query(&sql).bind(code).execute(conn).await?.rows_affected())
}

/// Writes the dumped settings (the JSON of [`settings`]) as commune `code`'s, unless they
/// are equal; a dump without `drain_buffer_m` keeps the commune's own. Returns the rows
/// changed (0 or 1).
pub async fn restore_settings(conn: &mut PgConnection, code: &str, settings: &Value) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(include_str!("dump_settings.sql")).bind(code).bind(settings).execute(conn).await?;
    Ok(done.rows_affected())
}
