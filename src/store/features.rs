//! Features of any catalogue layer as GeoJSON, built by PostGIS and streamed row by row.
//!
//! Every feature is one row of `json_build_object(...)::text`; the server only writes the
//! FeatureCollection's head, commas and tail around them, so a layer of any size passes
//! through in chunks of [`CHUNK_BYTES`] and never sits whole in memory.

use crate::layers::{FieldType, GeometryKind, KeyType, Layer};
use crate::model::vocab::EXISTING;
use crate::spill;
use crate::store::sql::{Arg, Sql, quote_ident};
use crate::store::stream::{Chunks, Turn};
use bytes::{Bytes, BytesMut};
use chrono::NaiveDate;
use futures_util::StreamExt;
use sqlx::PgPool;

pub use crate::model::limits::COORDINATE_DIGITS;
pub use crate::model::values::parse_date;
pub use crate::store::stream::CHUNK_BYTES;

/// A typed value of an attribute filter (`?surface=concrete`).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Integer(i64),
    /// A decimal, kept as validated text so it compares exactly with `numeric` columns.
    Number(String),
    Date(NaiveDate),
}

/// What to select from a layer. Built and validated by the HTTP layer.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub commune: Option<String>,
    /// A region's code: features of its communes.
    pub region: Option<String>,
    /// Id of a residential group: features inside it (lines and points that intersect it,
    /// polygons whose interiors overlap it).
    pub group: Option<i64>,
    /// `[west, south, east, north]`, degrees.
    pub bbox: Option<[f64; 4]>,
    /// Leave out works done after this date, and show as-of values (a road paved later
    /// shows its earlier surface).
    pub as_of: Option<NaiveDate>,
    pub fields: Vec<(&'static str, FieldValue)>,
    pub limit: Option<i64>,
    pub offset: i64,
    /// Only features of published communes (for visitors who are not signed in).
    pub published_only: bool,
}

/// The SQL expression of one Feature of `layer` (row alias `t`), as `json`.
///
/// `row_to_json` over a sub-select writes compact JSON (no spaces), a fifth smaller than
/// `json_build_object`'s output.
pub(crate) fn feature_expr(layer: &Layer, as_of: Option<&str>) -> String {
    feature_expr_in(layer, as_of, "t.geom", COORDINATE_DIGITS)
}

/// [`feature_expr`] with the geometry given as an SQL expression over `t` (the geometry
/// moved to another CRS) and written with `digits` decimals.
pub(crate) fn feature_expr_in(layer: &Layer, as_of: Option<&str>, geometry: &str, digits: u32) -> String {
    let mut props = format!("t.{} AS commune", quote_ident(layer.commune_column));
    for field in layer.fields() {
        props.push_str(&format!(", {} AS {}", value_expr(field, as_of), quote_ident(field.name)));
    }
    format!(
        "(SELECT row_to_json(f) FROM (SELECT 'Feature' AS type, t.{key} AS id, \
         ST_AsGeoJSON({geometry}, {digits})::json AS geometry, \
         (SELECT row_to_json(p) FROM (SELECT {props}) AS p) AS properties) AS f)",
        key = quote_ident(layer.key)
    )
}

/// The SQL expression of a field's value (row alias `t`), as of a date placeholder when
/// given: THE as-of rule of attributes (a road paved after the date shows its earlier
/// surface), shared by the map, the downloads and coverage.
pub(crate) fn value_expr(field: &crate::layers::Field, as_of: Option<&str>) -> String {
    match (field.as_of, as_of) {
        (Some(rule), Some(date)) => format!(
            "CASE WHEN t.{since} > {date} THEN coalesce(t.{before}, '{fallback}') ELSE t.{name} END",
            since = quote_ident(rule.since),
            before = quote_ident(rule.before),
            fallback = rule.fallback,
            name = quote_ident(field.name)
        ),
        _ => format!("t.{}", quote_ident(field.name)),
    }
}

/// Whether a work of `layer` (row alias `alias`) existed at the SQL date `date`: finished
/// (status existing), and done by then. THE as-of rule, shared by the map, the downloads
/// and coverage (see [`crate::layers::Lifecycle`]); `None` for layers that are not dated.
///
/// ```
/// let sites = kheo::layers::find("model_sites").unwrap();
/// assert_eq!(
///     kheo::store::features::existed_expr(sites, "m", "$1").unwrap(),
///     "(m.status = 'existing' AND (coalesce(m.done_on, make_date(m.year, 1, 1)) IS NULL \
///      OR coalesce(m.done_on, make_date(m.year, 1, 1)) <= $1))"
/// );
/// ```
pub fn existed_expr(layer: &Layer, alias: &str, date: &str) -> Option<String> {
    let dated = dated_expr(layer, alias)?;
    Some(format!("({alias}.status = '{EXISTING}' AND ({dated} IS NULL OR {dated} <= {date}))"))
}

/// The as-of rules of the roads, over rows aliased `t` at the SQL date `date`: whether a road
/// existed then, and its surface then. For the SQL that names roads itself (coverage, the
/// work list, the report's map).
// The catalogue is a constant; its tests (`the_layers_coverage_names_have_their_rules`
// below) check that roads are in it, dated, with a surface.
#[allow(clippy::expect_used)]
pub(crate) fn road_rules(date: &str) -> (String, String) {
    let roads = crate::layers::find("roads").expect("the catalogue has roads");
    let existed = existed_expr(roads, "t", date).expect("roads are dated");
    let surface = value_expr(roads.field("surface").expect("roads have a surface"), Some(date));
    (existed, surface)
}

/// Whether a model site (rows aliased `t`) was recognised at the SQL date `date`.
// As [`road_rules`]: model sites are in the constant catalogue, dated (tested below).
#[allow(clippy::expect_used)]
pub(crate) fn site_existed(date: &str) -> String {
    let sites = crate::layers::find("model_sites").expect("the catalogue has model sites");
    existed_expr(sites, "t", date).expect("model sites are dated")
}

/// The date a work of `layer` counts from (row alias `alias`), NULL when it has counted
/// for as long as records go; `None` for layers that are not dated.
pub fn dated_expr(layer: &Layer, alias: &str) -> Option<String> {
    let lifecycle = layer.lifecycle?;
    Some(match lifecycle.year_fallback {
        Some(year) => format!("coalesce({alias}.{}, make_date({alias}.{year}, 1, 1))", lifecycle.date),
        None => format!("{alias}.{}", lifecycle.date),
    })
}

/// The dates on which what a work of `layer` (row alias `alias`) counts for can change: the
/// date it counts from, and the date each of its as-of attributes changed. The as-of rules
/// ([`existed_expr`], [`value_expr`]) compare the as-of date only with these, so as a
/// function of the date a work's contribution is constant between them. Empty for layers
/// that are not dated.
///
/// ```
/// let roads = kheo::layers::find("roads").unwrap();
/// assert_eq!(kheo::store::features::change_dates(roads, "t"), ["t.done_on", "t.\"paved_on\""]);
/// ```
pub fn change_dates(layer: &Layer, alias: &str) -> Vec<String> {
    let Some(dated) = dated_expr(layer, alias) else { return Vec::new() };
    let since = layer.fields().filter_map(|f| f.as_of).map(|rule| format!("{alias}.{}", quote_ident(rule.since)));
    std::iter::once(dated).chain(since).collect()
}

/// The placeholder of the as-of date `as_of`, bound only for a layer dated by it (an undated
/// layer's queries never name it). A value bound but never named would make the same SQL
/// text a statement of one more parameter: sqlx keeps prepared statements by their text, so
/// the plain query of that text would then be bound with too few values, and PostgreSQL
/// refuses it (08P01, a 503) for as long as the connection lives.
pub(crate) fn as_of_arg(layer: &Layer, as_of: Option<NaiveDate>, sql: &mut Sql) -> Option<String> {
    as_of.filter(|_| layer.lifecycle.is_some()).map(|d| sql.arg(Arg::Date(d)))
}

/// `FROM ... WHERE ...` for a filter, binding its values into `sql`.
pub(crate) fn from_where(layer: &Layer, filter: &Filter, sql: &mut Sql, as_of: Option<&str>) -> String {
    from_where_and(layer, conditions(layer, filter, sql, as_of))
}

/// `FROM <layer's table> t [WHERE <conditions joined by AND>]`.
pub(crate) fn from_where_and(layer: &Layer, conditions: Vec<String>) -> String {
    let mut text = format!(" FROM {} t", quote_ident(layer.table));
    if !conditions.is_empty() {
        text.push_str(" WHERE ");
        text.push_str(&conditions.join(" AND "));
    }
    text
}

/// The SQL conditions of a filter (on row alias `t`), binding its values into `sql`; other
/// readers (OGC API Features) add theirs before [`from_where_and`] joins them.
pub(crate) fn conditions(layer: &Layer, filter: &Filter, sql: &mut Sql, as_of: Option<&str>) -> Vec<String> {
    let mut conditions: Vec<String> = Vec::new();
    if filter.published_only {
        // NOT IN the unpublished communes (usually none): PostgreSQL answers it with one
        // hashed subplan whatever its row estimates, where `IN (published)` became an index
        // lookup per row in the nested loop of a tile (+30 % CPU on a z10 tile of 29,000
        // roads). Commune codes are never NULL (NOT NULL references), so NOT IN is exact.
        conditions.push(format!(
            "t.{} NOT IN (SELECT code FROM commune WHERE NOT published)",
            quote_ident(layer.commune_column)
        ));
    }
    if let Some(commune) = &filter.commune {
        let p = sql.arg(Arg::Text(commune.clone()));
        conditions.push(format!("t.{} = {p}", quote_ident(layer.commune_column)));
    }
    if let Some(region) = &filter.region {
        let p = sql.arg(Arg::Text(region.clone()));
        conditions.push(format!("t.{} IN (SELECT region_communes({p}))", quote_ident(layer.commune_column)));
    }
    if let Some(group) = filter.group {
        let p = sql.arg(Arg::Int(group));
        let relation = match layer.geometry {
            GeometryKind::Polygon => "ST_Relate(t.geom, g.geom, '2********')",
            _ => "ST_Intersects(t.geom, g.geom)",
        };
        conditions.push(format!("EXISTS (SELECT 1 FROM residential_group g WHERE g.id = {p} AND {relation})"));
    }
    if let Some([w, s, e, n]) = filter.bbox {
        let (w, s, e, n) =
            (sql.arg(Arg::Float(w)), sql.arg(Arg::Float(s)), sql.arg(Arg::Float(e)), sql.arg(Arg::Float(n)));
        conditions.push(format!("ST_Intersects(t.geom, ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326))"));
    }
    if let Some(date) = as_of
        && let Some(existed) = existed_expr(layer, "t", date)
    {
        conditions.push(existed);
    }
    for (name, value) in &filter.fields {
        // The callers put only the names of the layer's own fields in a filter (they look
        // each up in the catalogue to parse its value); any other name is a bug here.
        #[allow(clippy::expect_used)]
        let field = layer.field(name).expect("filter fields are validated against the catalogue");
        let lhs = value_expr(field, as_of);
        let rhs = match value {
            FieldValue::Text(v) => sql.arg(Arg::Text(v.clone())),
            FieldValue::Integer(v) => sql.arg(Arg::Int(*v)),
            FieldValue::Number(v) => format!("{}::numeric", sql.arg(Arg::Text(v.clone()))),
            FieldValue::Date(v) => sql.arg(Arg::Date(*v)),
        };
        conditions.push(format!("{lhs} = {rhs}"));
    }
    conditions
}

/// The query that yields one Feature (as text) per row, in key order.
pub fn features_query(layer: &Layer, filter: &Filter) -> Sql {
    select(layer, filter, |as_of| format!("({})::text", feature_expr(layer, as_of)))
}

/// `SELECT <columns> FROM <layer> WHERE <filter> ORDER BY <key> [LIMIT] [OFFSET]`, where
/// `columns` is given the as-of date's placeholder to read attributes as of that date.
pub(crate) fn select(layer: &Layer, filter: &Filter, columns: impl FnOnce(Option<&str>) -> String) -> Sql {
    let mut sql = Sql::default();
    let as_of = as_of_arg(layer, filter.as_of, &mut sql);
    let columns = columns(as_of.as_deref());
    let from_where = from_where(layer, filter, &mut sql, as_of.as_deref());
    sql.push(&format!("SELECT {columns}{from_where} ORDER BY t.{}", quote_ident(layer.key)));
    if let Some(limit) = filter.limit {
        let p = sql.arg(Arg::Int(limit));
        sql.push(&format!(" LIMIT {p}"));
    }
    if filter.offset > 0 {
        let p = sql.arg(Arg::Int(filter.offset));
        sql.push(&format!(" OFFSET {p}"));
    }
    sql
}

/// The same FeatureCollection built whole by PostGIS in one value: what a client would run
/// without kheo. Used by the benchmark as the baseline (`kheo sql collection LAYER`).
pub fn collection_query(layer: &Layer) -> String {
    let feature = feature_expr(layer, None);
    format!(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', \
         coalesce(json_agg({feature} ORDER BY t.{key}), '[]'::json))::text FROM {table} t",
        key = quote_ident(layer.key),
        table = quote_ident(layer.table)
    )
}

/// One feature by key, or `None`.
pub async fn one(pool: &PgPool, layer: &Layer, key: &str) -> Result<Option<String>, sqlx::Error> {
    let mut sql = Sql::default();
    let feature = feature_expr(layer, None);
    let p = match layer.key_type {
        KeyType::Integer => match key.parse::<i64>() {
            Ok(id) => sql.arg(Arg::Int(id)),
            Err(_) => return Ok(None),
        },
        KeyType::Code => sql.arg(Arg::Text(key.to_string())),
    };
    sql.push(&format!(
        "SELECT ({feature})::text FROM {} t WHERE t.{} = {p}",
        quote_ident(layer.table),
        quote_ident(layer.key)
    ));
    sqlx::query_scalar_with(&sql.text, sql.arguments()).fetch_optional(pool).await
}

/// The version of feature `key` (bumped by every write) and whether its commune is
/// published, if the feature exists.
pub async fn version(pool: &PgPool, layer: &Layer, key: &str) -> Result<Option<(i32, bool)>, sqlx::Error> {
    if layer.key_type == KeyType::Integer && key.parse::<i64>().is_err() {
        return Ok(None);
    }
    let cast = if layer.key_type == KeyType::Integer { "::bigint" } else { "" };
    let sql = format!(
        "SELECT t.version, c.published FROM {} t JOIN commune c ON c.code = t.{} WHERE t.{} = $1{cast}",
        quote_ident(layer.table),
        quote_ident(layer.commune_column),
        quote_ident(layer.key)
    );
    sqlx::query_as(&sql).bind(key).fetch_optional(pool).await
}

/// Number of features in a layer; with `published_only`, of published communes only (what
/// visitors who are not signed in see).
pub async fn count(pool: &PgPool, layer: &Layer, published_only: bool) -> Result<i64, sqlx::Error> {
    let filter = if published_only {
        format!(" WHERE t.{} IN (SELECT code FROM commune WHERE published)", quote_ident(layer.commune_column))
    } else {
        String::new()
    };
    sqlx::query_scalar(&format!("SELECT count(*) FROM {} t{filter}", quote_ident(layer.table))).fetch_one(pool).await
}

/// Runs `query` and streams a FeatureCollection of its rows, at the database's pace (see
/// [`stream::stream_rows`]: the query gives its connection back at its last row however
/// slowly the client reads).
pub fn stream_collection(pool: PgPool, turn: Turn, query: Sql) -> Chunks {
    stream_collection_with(pool, turn, query, Envelope::plain())
}

/// What surrounds the streamed features, and where a page stops.
pub struct Envelope {
    /// Everything before the first feature, ending with `"features":[`.
    pub head: Bytes,
    /// Stop after this many features; one more row means there are more (`Page::more`).
    pub limit: Option<usize>,
    /// Everything after the last feature, written once the rows are known (OGC API
    /// Features puts `numberReturned` and the `next` link there).
    pub tail: Box<dyn FnOnce(&Page) -> Bytes + Send>,
}

impl Envelope {
    /// A bare FeatureCollection.
    pub fn plain() -> Envelope {
        Envelope {
            head: Bytes::from_static(br#"{"type":"FeatureCollection","features":["#),
            limit: None,
            tail: Box::new(|_| Bytes::from_static(b"]}\n")),
        }
    }
}

/// What a streamed page held.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    pub returned: usize,
    /// The keys of the first and last features, when the query's rows carry them.
    pub first_key: Option<String>,
    pub last_key: Option<String>,
    /// Whether features lie beyond the page.
    pub more: bool,
}

/// [`stream_collection`] with a head, a tail and a page size of the caller's.
///
/// The rows of `query` hold the Feature as text, optionally its key as text (for the
/// page's links), and optionally whether more features lie beyond the page (for a page
/// read backwards, where the query knows it; otherwise one row past `limit` says so).
/// Like [`stream::stream_rows`], the rows go through a spill at the database's pace.
pub fn stream_collection_with(pool: PgPool, turn: Turn, query: Sql, envelope: Envelope) -> Chunks {
    let (mut out, chunks) = spill::spill(spill::MEMORY_LIMIT);
    tokio::spawn(async move {
        let args = query.arguments();
        let mut rows = sqlx::query_with(&query.text, args).fetch(&pool);
        let mut buf = BytesMut::with_capacity(CHUNK_BYTES + 8 * 1024);
        buf.extend_from_slice(&envelope.head);
        let mut page = Page::default();
        while let Some(row) = rows.next().await {
            let row = match row {
                Ok(row) => row,
                Err(error) => return out.finish(Err(error)),
            };
            if envelope.limit.is_some_and(|limit| page.returned >= limit) {
                page.more = true;
                break;
            }
            if let Err(error) = add_row(&row, &mut buf, &mut page) {
                return out.finish(Err(error));
            }
            if buf.len() >= CHUNK_BYTES && out.send(buf.split().freeze()).await.is_err() {
                return; // the client went away, or the spill file failed
            }
        }
        drop(rows); // the connection goes back to the pool now
        drop(turn);
        buf.extend_from_slice(&(envelope.tail)(&page));
        match out.send(buf.freeze()).await {
            Ok(()) => out.finish(Ok(())),
            Err(error) => out.finish(Err(error.into())),
        }
    });
    chunks
}

/// Appends one row's Feature to `buf` and notes its key.
fn add_row(row: &sqlx::postgres::PgRow, buf: &mut BytesMut, page: &mut Page) -> Result<(), sqlx::Error> {
    use sqlx::Row;
    let feature: &str = row.try_get(0)?;
    if page.returned > 0 {
        buf.extend_from_slice(b",");
    }
    buf.extend_from_slice(feature.as_bytes());
    page.returned += 1;
    if row.len() > 1 {
        let key: String = row.try_get(1)?;
        if page.first_key.is_none() {
            page.first_key = Some(key.clone());
        }
        page.last_key = Some(key);
    }
    if row.len() > 2 {
        page.more = row.try_get(2)?;
    }
    Ok(())
}

/// Whether `value` is valid for a field of type `ty`, converted to a filter value.
pub fn parse_field_value(ty: FieldType, value: &str) -> Result<FieldValue, String> {
    match ty {
        FieldType::Text => Ok(FieldValue::Text(value.to_string())),
        FieldType::Enum(terms) => {
            if terms.iter().any(|t| t.value == value) {
                Ok(FieldValue::Text(value.to_string()))
            } else {
                let allowed: Vec<&str> = terms.iter().map(|t| t.value).collect();
                Err(format!("must be one of {}", allowed.join(", ")))
            }
        }
        FieldType::Integer => {
            value.parse::<i64>().map(FieldValue::Integer).map_err(|_| "must be a whole number".to_string())
        }
        FieldType::Number => match value.parse::<f64>() {
            Ok(n) if n.is_finite() && !value.contains(['e', 'E', 'i', 'n', 'N']) => {
                Ok(FieldValue::Number(value.to_string()))
            }
            _ => Err("must be a decimal number such as 3.5".to_string()),
        },
        FieldType::Date => parse_date(value).map(FieldValue::Date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layers_coverage_names_have_their_rules() {
        let (existed, surface) = road_rules("$3");
        assert!(existed.contains("t.status") && existed.contains("$3"), "{existed}");
        assert!(surface.contains(r#"t."surface""#), "{surface}");
        assert!(site_existed("d.as_of").contains("d.as_of"));
        // The works whose pieces coverage sums (`store::coverage::line_sums_query`).
        let works = crate::layers::LAYERS.iter().filter(|l| {
            matches!(
                l.feed,
                Some(
                    crate::layers::Feed::Network
                        | crate::layers::Feed::Length
                        | crate::layers::Feed::Zone { .. }
                        | crate::layers::Feed::Count
                )
            )
        });
        for layer in works {
            assert!(existed_expr(layer, "t", "$1").is_some(), "{} is a work coverage sums, so it is dated", layer.id);
        }
    }
}
