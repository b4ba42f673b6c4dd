//! The SQL of the import pipeline (`crate::pipeline::import`) besides the geometry checks
//! (`store::geometry`), the inserts (`store::edit`) and boundaries (`store::boundaries`).

use super::sql::quote_ident;
use crate::layers::Layer;
use serde_json::{Map, Value};
use sqlx::PgPool;

/// Each of `keys` with its search key: folded by PostgreSQL's unaccent as search does, and
/// anything but letters and digits made a space (`"Mặt đường"` -> `"mat duong"`).
pub async fn folded_keys(pool: &PgPool, keys: Vec<String>) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT k, regexp_replace(search_key(k), '[^a-z0-9]+', ' ', 'g') FROM unnest($1::text[]) AS k")
        .bind(keys)
        .fetch_all(pool)
        .await
}

/// Warnings on where checked features (index, values, GeoJSON in WGS 84) lie, by feature
/// index: outside the commune, or on the very geometry of a feature the layer already has
/// in the commune (`ST_Equals`).
pub async fn placement_notes(
    pool: &PgPool,
    layer: &Layer,
    commune: &str,
    ready: &[(usize, Map<String, Value>, String)],
) -> sqlx::Result<Vec<(usize, String)>> {
    let geometries: Vec<String> = ready.iter().map(|(_, _, g)| g.clone()).collect();
    let indexes: Vec<i64> = ready.iter().map(|(i, _, _)| *i as i64).collect();
    let sql = format!(
        "WITH s AS (SELECT i, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) AS geom
                      FROM unnest($1::text[], $2::bigint[]) AS u(g, i))
         SELECT s.i, 'lies outside commune ' || c.code
           FROM s, commune c WHERE c.code = $3 AND NOT ST_Intersects(c.geom, s.geom)
         UNION ALL
         SELECT s.i, 'the same geometry as ' || $4 || ' ' || t.{key} || ' (' || coalesce(t.name, '') || '), already there: is this file imported twice?'
           FROM s JOIN {table} t ON t.{commune_column} = $3 AND t.geom && s.geom AND ST_Equals(t.geom, s.geom)",
        key = quote_ident(layer.key),
        table = quote_ident(layer.table),
        commune_column = quote_ident(layer.commune_column),
    );
    let rows: Vec<(i64, String)> =
        sqlx::query_as(&sql).bind(geometries).bind(indexes).bind(commune).bind(layer.id).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(i, w)| (i as usize, w)).collect())
}
