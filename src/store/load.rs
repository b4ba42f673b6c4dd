//! Loading FeatureCollections into catalogue layers, as a sync: features are upserted by
//! key, rows of the same communes that the file no longer has are deleted, and rows that
//! are already equal are left alone. Loading the same files twice changes nothing.
//!
//! PostGIS parses the GeoJSON (`jsonb_array_elements`, `ST_GeomFromGeoJSON`), so a file
//! goes to the database as one bound parameter and no geometry is decoded in Rust.

use super::sql::quote_ident;
use crate::layers::{FieldType, GeometryKind, KeyType, Layer, Role};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// Why a load failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("feature {key} of layer {layer} already exists in commune {commune}")]
    KeyOfAnotherCommune { layer: &'static str, key: String, commune: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What a load did to one layer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    pub inserted: i64,
    pub updated: i64,
    pub deleted: i64,
}

/// The SQL cast from text to a field's column type.
pub(crate) fn cast(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Text | FieldType::Enum(_) => "",
        FieldType::Integer => "::bigint",
        FieldType::Number => "::numeric",
        FieldType::Date => "::date",
    }
}

/// Upserts the features of `collection` (GeoJSON text) into `layer`.
pub async fn load_collection(
    tx: &mut Transaction<'_, Postgres>,
    layer: &Layer,
    collection: &str,
) -> Result<LoadCounts, LoadError> {
    let key_type = match layer.key_type {
        KeyType::Integer => "::bigint",
        KeyType::Code => "",
    };
    // Column (quoted) -> expression over the feature `f` and its properties `p`.
    let mut columns: Vec<(String, String)> = Vec::new();
    if layer.field(layer.key).is_none() {
        columns.push((quote_ident(layer.key), format!("coalesce(p->>'{k}', f->>'id'){key_type}", k = layer.key)));
    }
    if layer.field(layer.commune_column).is_none() {
        columns.push((quote_ident(layer.commune_column), "p->>'commune'".into()));
    }
    for field in layer.fields() {
        columns.push((quote_ident(field.name), format!("(p->>'{}'){}", field.name, cast(field.ty))));
    }
    let geometry = "ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326))";
    let geometry = match layer.geometry {
        GeometryKind::Polygon => format!("ST_Multi({geometry})"),
        _ => geometry.to_string(),
    };
    columns.push((quote_ident("geom"), geometry));

    let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let exprs: Vec<&str> = columns.iter().map(|(_, e)| e.as_str()).collect();
    let key = quote_ident(layer.key);
    let (table, commune) = (quote_ident(layer.table), quote_ident(layer.commune_column));
    let updatable: Vec<&str> = names.iter().copied().filter(|c| *c != key).collect();
    let set: Vec<String> = updatable.iter().map(|c| format!("{c} = EXCLUDED.{c}")).collect();
    let old: Vec<String> = updatable.iter().map(|c| format!("t.{c}")).collect();
    let new: Vec<String> = updatable.iter().map(|c| format!("EXCLUDED.{c}")).collect();
    let upsert = format!(
        "WITH src AS (SELECT f, f->'properties' AS p FROM jsonb_array_elements($1::jsonb->'features') AS f),
         changed AS (
           INSERT INTO {table} AS t ({names}) SELECT {exprs} FROM src
           ON CONFLICT ({key}) DO UPDATE SET {set}, updated_at = now(), version = t.version + 1
           WHERE ({old}) IS DISTINCT FROM ({new})
           RETURNING (xmax = 0) AS inserted)
         SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM changed",
        names = names.join(", "),
        exprs = exprs.join(", "),
        set = set.join(", "),
        old = old.join(", "),
        new = new.join(", "),
    );
    if !layer.commune_is_a_field() {
        // A key that belongs to another commune would move that feature: refuse instead.
        let clash = format!(
            "WITH src AS (SELECT f, f->'properties' AS p FROM jsonb_array_elements($1::jsonb->'features') AS f)
             SELECT t.{key}::text, t.{commune} FROM src JOIN {table} t
                 ON t.{key} = coalesce(p->>'{name}', f->>'id'){key_type}
              WHERE t.{commune} IS DISTINCT FROM p->>'commune' LIMIT 1",
            name = layer.key,
        );
        let found: Option<(String, String)> = sqlx::query_as(&clash).bind(collection).fetch_optional(&mut **tx).await?;
        if let Some((key, commune)) = found {
            return Err(LoadError::KeyOfAnotherCommune { layer: layer.id, key, commune });
        }
    }
    let (inserted, updated): (i64, i64) = sqlx::query_as(&upsert).bind(collection).fetch_one(&mut **tx).await?;

    // Boundaries are never deleted by a load: that would cascade to everything in them.
    let deleted = if layer.role == Role::Boundary {
        0
    } else {
        let delete = format!(
            "WITH src AS (SELECT f, f->'properties' AS p FROM jsonb_array_elements($1::jsonb->'features') AS f)
             DELETE FROM {table} t
              WHERE t.{commune} IN (SELECT p->>'commune' FROM src)
                AND t.{key} NOT IN (SELECT coalesce(p->>'{name}', f->>'id'){key_type} FROM src)",
            name = layer.key,
        );
        sqlx::query(&delete).bind(collection).execute(&mut **tx).await?.rows_affected() as i64
    };

    if layer.key_type == KeyType::Integer {
        // Explicit ids were inserted: keep the identity past them so that new rows do not
        // collide (it starts at 1,000,000, above the ids of data files).
        // pg_get_serial_sequence takes the names as text: the table as SQL would read it
        // (quoted), the column as it is.
        let sql = format!(
            "SELECT setval(seq, greatest((SELECT max({key}) FROM {table}),
                                    pg_sequence_last_value(seq::regclass), 999999))
               FROM pg_get_serial_sequence($1, $2) AS seq"
        );
        sqlx::query(&sql).bind(&table).bind(layer.key).execute(&mut **tx).await?;
    }
    Ok(LoadCounts { inserted, updated, deleted })
}

/// The communes a FeatureCollection's features belong to (`commune`, or `code` for the
/// communes themselves), among those that exist.
pub async fn communes_of(tx: &mut Transaction<'_, Postgres>, collection: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT c.code FROM jsonb_array_elements($1::jsonb->'features') AS f
           JOIN commune c ON c.code = coalesce(f->'properties'->>'commune', f->'properties'->>'code')",
    )
    .bind(collection)
    .fetch_all(&mut **tx)
    .await
}

/// Defers the derived coverage of the rows `tx` writes: the triggers skip their work, and
/// whoever deferred it rebuilds each commune touched once at the end
/// ([`crate::store::coverage::rebuild_one`]) rather than row by row.
pub async fn defer_coverage(tx: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET LOCAL kheo.coverage = 'deferred'").execute(tx).await?;
    Ok(())
}

/// A bulk load of FeatureCollections (the demo, a commune dump): one transaction in which
/// the derived coverage is deferred, then rebuilt once per commune touched at the end,
/// not once per row.
pub struct BulkLoad {
    /// The transaction, for what a loader writes besides the collections (settings).
    pub tx: Transaction<'static, Postgres>,
    communes: Vec<String>,
}

impl BulkLoad {
    pub async fn begin(pool: &PgPool) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        defer_coverage(&mut tx).await?;
        Ok(BulkLoad { tx, communes: Vec::new() })
    }

    /// Syncs `layer` with the FeatureCollection `collection` (GeoJSON text), see
    /// [`load_collection`], and notes the communes it touches.
    pub async fn load(&mut self, layer: &Layer, collection: &str) -> Result<LoadCounts, LoadError> {
        let counts = load_collection(&mut self.tx, layer, collection).await?;
        self.communes.extend(communes_of(&mut self.tx, collection).await?);
        Ok(counts)
    }

    /// Notes a commune whose coverage must be rebuilt, when the loader changed it otherwise.
    pub fn touch(&mut self, commune: &str) {
        self.communes.push(commune.to_string());
    }

    /// Rebuilds the coverage of the communes touched and commits.
    pub async fn finish(mut self) -> Result<(), sqlx::Error> {
        self.communes.sort();
        self.communes.dedup();
        for commune in &self.communes {
            super::coverage::rebuild_one(&mut self.tx, commune).await?;
        }
        self.tx.commit().await
    }
}
