//! Writing one feature of a catalogue layer: insert, update (all fields or some), delete,
//! each returning the stored Feature for the answer and the audit log. Column names come
//! from the catalogue; values travel as one bound jsonb object and are cast in SQL, as the
//! loader does. Coverage follows through the tables' triggers, in the caller's transaction.

use super::features::feature_expr;
use super::load::cast;
use crate::layers::{GeometryKind, KeyType, Layer};
use crate::store::sql::quote_ident;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// A feature as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: String,
    pub version: i32,
    pub commune: String,
    /// The Feature as `GET /api/layers/{layer}/features/{id}` answers it, as JSON text: it
    /// only passes through (to the answer and the audit log), and as a tree a feature of
    /// 50,000 vertices would take some 5 MB.
    pub feature: Box<RawValue>,
}

fn key_cast(layer: &Layer) -> &'static str {
    match layer.key_type {
        KeyType::Integer => "::bigint",
        KeyType::Code => "",
    }
}

/// The stored geometry from GeoJSON text in WGS 84 (`$n`): polygons are kept as MultiPolygon.
fn geometry_expr(layer: &Layer, param: &str) -> String {
    let geometry = format!("ST_SetSRID(ST_GeomFromGeoJSON({param}), 4326)");
    match layer.geometry {
        GeometryKind::Polygon => format!("ST_Multi({geometry})"),
        _ => geometry,
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    key: String,
    version: i32,
    commune: String,
    feature: sqlx::types::Json<Box<RawValue>>,
}

/// The feature `key` of `layer`, locked for the rest of the transaction when `lock`.
pub async fn fetch(conn: &mut PgConnection, layer: &Layer, key: &str, lock: bool) -> sqlx::Result<Option<Stored>> {
    if layer.key_type == KeyType::Integer && key.parse::<i64>().is_err() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT t.{key}::text AS key, t.version, t.{commune} AS commune, ({feature})::jsonb AS feature
           FROM {table} t WHERE t.{key} = $1{cast} {lock}",
        key = quote_ident(layer.key),
        commune = quote_ident(layer.commune_column),
        feature = feature_expr(layer, None),
        table = quote_ident(layer.table),
        cast = key_cast(layer),
        lock = if lock { "FOR UPDATE" } else { "" },
    );
    let row: Option<Row> = sqlx::query_as(&sql).bind(key).fetch_optional(conn).await?;
    Ok(row.map(|r| Stored { key: r.key, version: r.version, commune: r.commune, feature: r.feature.0 }))
}

/// Inserts a feature of commune `commune` with the fields in `properties` (already checked
/// against the catalogue) and `geojson` (checked, WGS 84). `key` puts it back under an id it
/// had (a restore); otherwise the table gives one.
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    layer: &Layer,
    commune: &str,
    properties: &Map<String, Value>,
    geojson: &str,
    key: Option<&str>,
) -> sqlx::Result<Stored> {
    let mut columns: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    if layer.field(layer.commune_column).is_none() {
        columns.push(quote_ident(layer.commune_column));
        values.push("$1".into());
    }
    if let Some(_key) = key
        && layer.field(layer.key).is_none()
    {
        columns.push(quote_ident(layer.key));
        values.push(format!("$4{}", key_cast(layer)));
    }
    for field in layer.fields().filter(|f| properties.contains_key(f.name)) {
        columns.push(quote_ident(field.name));
        values.push(format!("($2::jsonb->>'{}'){}", field.name, cast(field.ty)));
    }
    columns.push("geom".into());
    values.push(geometry_expr(layer, "$3"));
    let sql = format!(
        "INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {key}::text",
        table = quote_ident(layer.table),
        columns = columns.join(", "),
        values = values.join(", "),
        key = quote_ident(layer.key)
    );
    let new_key: String = sqlx::query_scalar(&sql)
        .bind(commune)
        .bind(Value::Object(properties.clone()))
        .bind(geojson)
        .bind(key.unwrap_or_default())
        .fetch_one(&mut **tx)
        .await?;
    if key.is_some() && layer.key_type == KeyType::Integer {
        // An explicit id: keep the identity above it (as the loader does).
        let sql = format!(
            "SELECT setval(seq, greatest((SELECT max({key}) FROM {table}), pg_sequence_last_value(seq::regclass), 999999))
               FROM pg_get_serial_sequence('{table}', '{column}') AS seq",
            table = quote_ident(layer.table),
            key = quote_ident(layer.key),
            // The column's name as text: pg_get_serial_sequence reads it as given.
            column = layer.key
        );
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    fetch(tx, layer, &new_key, false).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Inserts many features of commune `commune` (fields checked, geometries WGS 84) with a
/// few statements: one INSERT per set of fields given, so that the fields a row leaves out
/// get their column defaults. Returns the new keys.
pub async fn insert_many(
    tx: &mut Transaction<'_, Postgres>,
    layer: &Layer,
    commune: &str,
    rows: &[(Map<String, Value>, String)],
) -> sqlx::Result<Vec<String>> {
    let mut by_fields: std::collections::BTreeMap<Vec<&'static str>, Vec<Value>> = Default::default();
    for (properties, geojson) in rows {
        let names: Vec<&'static str> =
            layer.fields().filter(|f| properties.contains_key(f.name)).map(|f| f.name).collect();
        by_fields.entry(names).or_default().push(serde_json::json!({ "p": properties, "g": geojson }));
    }
    let mut keys = Vec::with_capacity(rows.len());
    for (names, batch) in by_fields {
        let mut columns: Vec<String> = Vec::new();
        let mut values: Vec<String> = Vec::new();
        if layer.field(layer.commune_column).is_none() {
            columns.push(quote_ident(layer.commune_column));
            values.push("$1".into());
        }
        for field in layer.fields().filter(|f| names.contains(&f.name)) {
            columns.push(quote_ident(field.name));
            values.push(format!("(r->'p'->>'{}'){}", field.name, cast(field.ty)));
        }
        columns.push("geom".into());
        values.push(geometry_expr(layer, "r->>'g'"));
        let sql = format!(
            "INSERT INTO {table} ({columns})
             SELECT {values} FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS s(r, n) ORDER BY n
             RETURNING {key}::text",
            table = quote_ident(layer.table),
            columns = columns.join(", "),
            values = values.join(", "),
            key = quote_ident(layer.key)
        );
        let new: Vec<String> =
            sqlx::query_scalar(&sql).bind(commune).bind(Value::Array(batch)).fetch_all(&mut **tx).await?;
        keys.extend(new);
    }
    Ok(keys)
}

/// Updates feature `key`: the fields in `properties`, or every field when `replace` (those
/// not given become null), and the geometry when given. The version goes up by one.
pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    layer: &Layer,
    key: &str,
    properties: &Map<String, Value>,
    geojson: Option<&str>,
    replace: bool,
) -> sqlx::Result<Stored> {
    let mut set: Vec<String> = layer
        .fields()
        .filter(|f| f.name != layer.key && (replace || properties.contains_key(f.name)))
        .map(|f| {
            format!(
                "{column} = ($2::jsonb->>'{name}'){cast}",
                column = quote_ident(f.name),
                name = f.name,
                cast = cast(f.ty)
            )
        })
        .collect();
    if geojson.is_some() {
        set.push(format!("geom = {}", geometry_expr(layer, "$3")));
    }
    set.push("version = t.version + 1".into());
    set.push("updated_at = now()".into());
    let sql = format!(
        "UPDATE {table} t SET {set} WHERE t.{key} = $1{cast}",
        table = quote_ident(layer.table),
        set = set.join(", "),
        key = quote_ident(layer.key),
        cast = key_cast(layer)
    );
    sqlx::query(&sql)
        .bind(key)
        .bind(Value::Object(properties.clone()))
        .bind(geojson.unwrap_or("null"))
        .execute(&mut **tx)
        .await?;
    fetch(tx, layer, key, false).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Deletes feature `key`.
pub async fn delete(tx: &mut Transaction<'_, Postgres>, layer: &Layer, key: &str) -> sqlx::Result<()> {
    let sql = format!(
        "DELETE FROM {} t WHERE t.{} = $1{}",
        quote_ident(layer.table),
        quote_ident(layer.key),
        key_cast(layer)
    );
    sqlx::query(&sql).bind(key).execute(&mut **tx).await?;
    Ok(())
}

/// The first of `properties` that its column cannot hold (a number too large for the
/// column's type, a date PostgreSQL cannot read), or `None`: for a write that the database
/// refused without naming the column. Each value is cast as the write casts it, then to the
/// column's own type, in a query of its own.
pub async fn unstorable_field(
    pool: &PgPool,
    layer: &Layer,
    properties: &Map<String, Value>,
) -> sqlx::Result<Option<&'static str>> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT attname::text, format_type(atttypid, atttypmod)
           FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
    )
    .bind(layer.table)
    .fetch_all(pool)
    .await?;
    for field in layer.fields() {
        let Some(value) = properties.get(field.name) else { continue };
        let Some((_, column_type)) = columns.iter().find(|(name, _)| name == field.name) else { continue };
        // The type's name comes from PostgreSQL's catalogue, the field's from ours; the value
        // goes alone, so that another field's value cannot fail the probe.
        let probe = format!("SELECT (($1::jsonb->>'{}'){})::{column_type} IS NULL", field.name, cast(field.ty));
        let alone = serde_json::json!({ field.name: value });
        if let Err(error) = sqlx::query(&probe).bind(&alone).execute(pool).await {
            if error.as_database_error().is_some_and(|db| db.code().is_some_and(|c| c.starts_with("22"))) {
                return Ok(Some(field.name));
            }
            return Err(error);
        }
    }
    Ok(None)
}
