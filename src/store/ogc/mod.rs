//! SQL of OGC API - Features (`crate::http::ogc`): pages of items in any CRS kheo serves,
//! their count, one item, and a collection's extent. Built on the GeoJSON layer queries of
//! [`crate::store::features`] (the same per-feature expression and filter conditions), with
//! what OGC API adds: keyset pages, bbox and filters in other CRSs, date intervals, CQL2.

pub mod cql;

use crate::layers::{KeyType, Layer};
use crate::ogc::cql2::Expr;
use crate::ogc::crs::Crs;
use crate::store::features::{self, Filter};
use crate::store::sql::{Arg, Sql, quote_ident};
use chrono::NaiveDate;
use sqlx::PgPool;

/// Where a page starts: keyset pagination on the layer's key, so that page 100 costs what
/// page 1 costs (an index range scan, where OFFSET would read and drop every earlier row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAt {
    First,
    /// The features whose key follows this one.
    After(String),
    /// The features whose key precedes this one (the page before).
    Before(String),
}

/// Everything an items request selects, checked by the HTTP layer.
#[derive(Debug, Clone)]
pub struct ItemsQuery {
    /// Commune visibility, attribute equalities and the as-of date (`datetime` instant).
    pub filter: Filter,
    /// `datetime` as an interval: works dated within it (`None` ends are open).
    pub interval: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// `bbox` in `bbox-crs` axis order.
    pub bbox: Option<([f64; 4], Crs)>,
    /// A CQL2 filter and the CRS of its geometries (`filter-crs`).
    pub cql: Option<(Expr, Crs)>,
    /// The CRS of the answer.
    pub crs: Crs,
    pub page: PageAt,
    pub limit: i64,
}

/// A request's filter that does not fit a layer: a CQL2 property unknown or of another
/// type, a key of the wrong kind. `position` is where in the CQL2 filter it stands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub parameter: &'static str,
    pub position: Option<usize>,
    pub message: String,
}

/// The geometry of row `t` in `crs`, in that CRS's axis order.
pub fn geometry_in(crs: &Crs) -> String {
    let moved = if crs.srid() == 4326 { "t.geom".to_string() } else { format!("ST_Transform(t.geom, {})", crs.srid()) };
    if crs.latitude_first { format!("ST_FlipCoordinates({moved})") } else { moved }
}

/// An SQL geometry given in `crs` (its axis order, its SRID set), brought to storage
/// (WGS 84, longitude first). The SRIDs come from the CRS list, never from the request.
pub(crate) fn to_storage(geometry: &str, crs: &Crs) -> String {
    let flipped = if crs.latitude_first { format!("ST_FlipCoordinates({geometry})") } else { geometry.to_string() };
    if crs.srid() == 4326 { flipped } else { format!("ST_Transform({flipped}, 4326)") }
}

/// A `bbox` in its CRS, as a storage geometry with its four values bound.
fn bbox_geometry(bbox: [f64; 4], crs: &Crs, sql: &mut Sql) -> String {
    let [a, b, c, d] = bbox.map(|v| sql.arg(Arg::Float(v)));
    to_storage(&format!("ST_MakeEnvelope({a}, {b}, {c}, {d}, {})", crs.srid()), crs)
}

/// The conditions of `query` but its page position.
fn conditions(
    layer: &Layer,
    query: &ItemsQuery,
    sql: &mut Sql,
    as_of: Option<&str>,
) -> Result<Vec<String>, QueryError> {
    let mut conditions = features::conditions(layer, &query.filter, sql, as_of);
    if let Some((bbox, crs)) = &query.bbox {
        // A scalar sub-select is computed once, and the GiST index still serves `&&`.
        let envelope = bbox_geometry(*bbox, crs, sql);
        conditions.push(format!("ST_Intersects(t.geom, (SELECT {envelope}))"));
    }
    // Works dated inside the interval, by the catalogue's dating rule.
    if let (Some((start, end)), Some(dated)) = (query.interval, features::dated_expr(layer, "t")) {
        if let Some(start) = start {
            let p = sql.arg(Arg::Date(start));
            conditions.push(format!("{dated} >= {p}"));
        }
        if let Some(end) = end {
            let p = sql.arg(Arg::Date(end));
            conditions.push(format!("{dated} <= {p}"));
        }
    }
    if let Some((expr, crs)) = &query.cql {
        conditions.push(cql::condition(expr, layer, as_of, crs, sql)?);
    }
    Ok(conditions)
}

/// The key as a bound value of its column's type.
fn key_arg(layer: &Layer, key: &str, parameter: &'static str, sql: &mut Sql) -> Result<String, QueryError> {
    match layer.key_type {
        KeyType::Integer => key.parse::<i64>().map(|k| sql.arg(Arg::Int(k))).map_err(|_| QueryError {
            parameter,
            position: None,
            message: format!("`{key}` is not a key of {}: keys are whole numbers", layer.id),
        }),
        KeyType::Code => Ok(sql.arg(Arg::Text(key.to_string()))),
    }
}

/// The query of one page: rows of (Feature text, key text[, more]) in key order, as
/// [`features::stream_collection_with`] reads them. A forward page asks for one row more
/// than `limit` (the stream stops at `limit` and learns there are more); a backward page
/// reads the keys before the cursor in descending order and tells in its third column
/// whether more lie before it.
pub fn items_query(layer: &Layer, query: &ItemsQuery) -> Result<Sql, QueryError> {
    let mut sql = Sql::default();
    let as_of = features::as_of_arg(layer, query.filter.as_of, &mut sql);
    let feature = features::feature_expr_in(layer, as_of.as_deref(), &geometry_in(&query.crs), query.crs.digits());
    let mut conditions = conditions(layer, query, &mut sql, as_of.as_deref())?;
    let key = quote_ident(layer.key);
    let columns = format!("({feature})::text, t.{key}::text");
    match &query.page {
        PageAt::First | PageAt::After(_) => {
            if let PageAt::After(cursor) = &query.page {
                let p = key_arg(layer, cursor, "after", &mut sql)?;
                conditions.push(format!("t.{key} > {p}"));
            }
            let from_where = features::from_where_and(layer, conditions);
            let limit = sql.arg(Arg::Int(query.limit + 1));
            sql.push(&format!("SELECT {columns}{from_where} ORDER BY t.{key} LIMIT {limit}"));
        }
        PageAt::Before(cursor) => {
            let p = key_arg(layer, cursor, "before", &mut sql)?;
            conditions.push(format!("t.{key} < {p}"));
            let from_where = features::from_where_and(layer, conditions);
            let limit_plus_one = sql.arg(Arg::Int(query.limit + 1));
            let limit = sql.arg(Arg::Int(query.limit));
            sql.push(&format!(
                "SELECT f, k, more FROM (\
                   SELECT f, k, o, row_number() OVER (ORDER BY o DESC) AS n, count(*) OVER () > {limit} AS more \
                   FROM (SELECT ({feature})::text AS f, t.{key}::text AS k, t.{key} AS o{from_where} ORDER BY t.{key} DESC LIMIT {limit_plus_one}) page\
                 ) counted WHERE n <= {limit} ORDER BY o"
            ));
        }
    }
    Ok(sql)
}

/// How many features match `query` (all pages).
pub async fn count(pool: &PgPool, layer: &Layer, query: &ItemsQuery) -> Result<Result<i64, QueryError>, sqlx::Error> {
    let mut sql = Sql::default();
    let as_of = features::as_of_arg(layer, query.filter.as_of, &mut sql);
    let conditions = match conditions(layer, query, &mut sql, as_of.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    sql.push(&format!("SELECT count(*){}", features::from_where_and(layer, conditions)));
    sqlx::query_scalar_with(&sql.text, sql.arguments()).fetch_one(pool).await.map(Ok)
}

/// One feature by key in `crs`, or `None` (also when its commune is hidden from the reader).
pub async fn one(
    pool: &PgPool,
    layer: &Layer,
    key: &str,
    crs: &Crs,
    published_only: bool,
) -> Result<Option<String>, sqlx::Error> {
    let mut sql = Sql::default();
    let Ok(p) = key_arg(layer, key, "featureId", &mut sql) else { return Ok(None) };
    let feature = features::feature_expr_in(layer, None, &geometry_in(crs), crs.digits());
    let filter = Filter { published_only, ..Filter::default() };
    let mut conditions = features::conditions(layer, &filter, &mut sql, None);
    conditions.push(format!("t.{} = {p}", quote_ident(layer.key)));
    sql.push(&format!("SELECT ({feature})::text{}", features::from_where_and(layer, conditions)));
    sqlx::query_scalar_with(&sql.text, sql.arguments()).fetch_optional(pool).await
}

/// A collection's extent, from its data: the bbox in CRS84 and the first and last dates
/// of its date column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extent {
    pub bbox: Option<[f64; 4]>,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

pub async fn extent(pool: &PgPool, layer: &Layer, published_only: bool) -> Result<Extent, sqlx::Error> {
    let mut sql = Sql::default();
    let filter = Filter { published_only, ..Filter::default() };
    let from_where = features::from_where(layer, &filter, &mut sql, None);
    let dates = match features::dated_expr(layer, "t") {
        Some(dated) => format!("min({dated}), max({dated})"),
        None => "NULL::date, NULL::date".to_string(),
    };
    sql.push(&format!(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), first, last \
         FROM (SELECT ST_Extent(t.geom)::geometry AS e, {dates}{from_where}) x(e, first, last)"
    ));
    type Row = (Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<NaiveDate>, Option<NaiveDate>);
    let (w, s, e, n, first, last): Row = sqlx::query_as_with(&sql.text, sql.arguments()).fetch_one(pool).await?;
    let bbox = match (w, s, e, n) {
        (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
        _ => None,
    };
    Ok(Extent { bbox, first, last })
}
