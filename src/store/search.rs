//! Search by name across every catalogue layer, accent-insensitive (PostgreSQL `unaccent`,
//! trigram-indexed; see the search migration).

use crate::layers::LAYERS;
use serde::Serialize;
use sqlx::PgPool;

/// One search result.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct Hit {
    pub layer: String,
    pub id: serde_json::Value,
    pub name: String,
    pub commune: String,
    /// `[west, south, east, north]`, degrees.
    pub bbox: Vec<f64>,
}

/// Features whose name contains `text` (ignoring case and diacritics), best first: names
/// that start with it, then by layer (groups before works), then by name.
/// `published_only` leaves out communes not published (for visitors who are not signed in).
pub async fn search(
    pool: &PgPool,
    text: &str,
    commune: Option<&str>,
    published_only: bool,
    limit: i64,
) -> Result<Vec<Hit>, sqlx::Error> {
    // LIKE's own wildcards in the user's text are literal characters.
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let parts: Vec<String> = LAYERS
        .iter()
        .enumerate()
        .filter(|(_, layer)| layer.field("name").is_some())
        .map(|(rank, layer)| {
            format!(
                "SELECT '{id}' AS layer, {rank} AS rank, to_jsonb(t.{key}) AS id, t.name, t.{commune} AS commune,
                        ARRAY[ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)] AS bbox,
                        search_key(t.name) LIKE search_key($1) || '%' AS prefix
                   FROM {table} t
                  WHERE search_key(t.name) LIKE '%' || search_key($1) || '%'
                    AND ($2::text IS NULL OR t.{commune} = $2)
                    AND (NOT $4 OR t.{commune} IN (SELECT code FROM commune WHERE published))",
                id = layer.id,
                key = layer.key,
                commune = layer.commune_column,
                table = layer.table,
            )
        })
        .collect();
    let sql = format!(
        "SELECT layer, id, name, commune, bbox FROM ({}) AS hits
          ORDER BY prefix DESC, rank, name, id::text LIMIT $3",
        parts.join(" UNION ALL ")
    );
    sqlx::query_as(&sql).bind(escaped).bind(commune).bind(limit).bind(published_only).fetch_all(pool).await
}
