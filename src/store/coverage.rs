//! Coverage sums from the derived pieces (see migrations/*_coverage.sql), and rebuilds.
//!
//! Every query takes a list of as-of dates, so that one coverage request and a
//! year-by-year timeline are the same code: a request only sums pieces, grouped by date,
//! group and road class.

use crate::coverage::{Settings, Tally};
use crate::layers::{self, Feed, LAYERS, Layer};
use crate::model::vocab::{CONCRETE, EXISTING, HARDENED_SURFACES};
use crate::store::features::{dated_expr, existed_expr, value_expr};
use chrono::NaiveDate;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};

/// Sums per (as-of date, group id; `None` for unassigned).
pub type Tallies = HashMap<(NaiveDate, Option<i64>), Tally>;

/// A commune as the coverage report names it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommuneRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub province: String,
}

/// A residential group as the coverage report names it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub households: Option<i32>,
    pub population: Option<i32>,
}

/// Overlapping groups and uncovered area of a commune.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Quality {
    pub overlapping: serde_json::Value,
    pub gap_m2: f64,
    pub outside_m2: f64,
}

pub async fn commune(pool: &PgPool, code: &str) -> Result<Option<CommuneRow>, sqlx::Error> {
    sqlx::query_as("SELECT code, name, kind, province FROM commune WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await
}

pub async fn groups(pool: &PgPool, commune: &str) -> Result<Vec<GroupRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, name, kind, households, population FROM residential_group
          WHERE commune_code = $1 ORDER BY code, id",
    )
    .bind(commune)
    .fetch_all(pool)
    .await
}

/// The groups' geometries as GeoJSON text, by group id.
pub async fn group_geometries(pool: &PgPool, commune: &str) -> Result<HashMap<i64, String>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, ST_AsGeoJSON(geom, 7) FROM residential_group WHERE commune_code = $1")
            .bind(commune)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

pub async fn settings(pool: &PgPool, commune: &str) -> Result<Settings, sqlx::Error> {
    let row: Option<(Vec<String>, f64, f64, serde_json::Value)> = sqlx::query_as(
        "SELECT counted_classes, lit_buffer_m, drain_buffer_m, targets FROM commune_setting WHERE commune_code = $1",
    )
    .bind(commune)
    .fetch_optional(pool)
    .await?;
    let (counted_classes, lit_buffer_m, drain_buffer_m, targets) = row.unwrap_or_else(|| {
        (
            ["commune", "hamlet_axis", "inter_hamlet", "alley", "field"].map(String::from).to_vec(),
            15.0,
            10.0,
            serde_json::json!({}),
        )
    });
    let targets: BTreeMap<String, f64> = targets
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect())
        .unwrap_or_default();
    Ok(Settings { counted_classes, lit_buffer_m, drain_buffer_m, targets })
}

pub async fn quality(pool: &PgPool, commune: &str) -> Result<Option<Quality>, sqlx::Error> {
    sqlx::query_as("SELECT overlapping, gap_m2, outside_m2 FROM coverage_quality WHERE commune_code = $1")
        .bind(commune)
        .fetch_optional(pool)
        .await
}

#[derive(sqlx::FromRow)]
struct RoadSums {
    as_of: NaiveDate,
    group_id: Option<i64>,
    class: String,
    road_m: f64,
    concrete_m: f64,
    hardened_m: f64,
    lit_m: f64,
    drained_m: f64,
    people_vnd: f64,
    state_vnd: f64,
    workdays: f64,
}

#[derive(sqlx::FromRow)]
struct SiteSums {
    as_of: NaiveDate,
    group_id: Option<i64>,
    field: String,
    recognition: String,
    sites: i64,
    people_vnd: f64,
    state_vnd: f64,
    workdays: f64,
}

/// The query summing a commune's road pieces at each date (`$2`), by group and class.
///
/// Built from the catalogue's rules, not written again: a road exists at a date by
/// [`existed_expr`] and has the surface [`value_expr`] gives; concrete and hardened
/// surfaces come bound (`$3`, `$4`) from `model::vocab`. A road's money is dated by the work
/// it paid for: its paving if any, else its construction.
fn road_sums_query() -> String {
    let roads = layers::find("roads").expect("the catalogue has roads");
    let existed = existed_expr(roads, "t", "d.as_of").expect("roads are dated");
    let surface = value_expr(roads.field("surface").expect("roads have a surface"), Some("d.as_of"));
    format!(
        "SELECT d.as_of, p.group_id, t.class,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then), 0) AS road_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface = $3), 0) AS concrete_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface = ANY ($4)), 0) AS hardened_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND p.lit AND (p.lit_since IS NULL OR p.lit_since <= d.as_of)), 0)
                    AS lit_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND p.drained
                                                 AND (p.drained_since IS NULL OR p.drained_since <= d.as_of)), 0)
                    AS drained_m,
                coalesce(sum(p.share * t.people_vnd) FILTER (WHERE paid_then), 0) AS people_vnd,
                coalesce(sum(p.share * t.state_vnd) FILTER (WHERE paid_then), 0) AS state_vnd,
                coalesce(sum(p.share * t.workdays) FILTER (WHERE paid_then), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_road_piece p ON p.commune_code = $1
           JOIN road t ON t.id = p.road_id AND t.status = '{EXISTING}'
           CROSS JOIN LATERAL (SELECT {existed} AS exists_then,
                                      coalesce(t.paved_on, t.done_on) IS NULL
                                      OR coalesce(t.paved_on, t.done_on) <= d.as_of AS paid_then,
                                      {surface} AS surface) AS s
          WHERE s.exists_then OR s.paid_then
          GROUP BY d.as_of, p.group_id, t.class"
    )
}

/// The query summing a line work layer's pieces (length and money) of a commune at each
/// date, by group.
fn line_sums_query(layer: &Layer) -> String {
    let existed = existed_expr(layer, "t", "d.as_of").expect("works are dated");
    format!(
        "SELECT d.as_of, p.group_id, sum(p.length_m),
                coalesce(sum(p.share * t.people_vnd), 0), coalesce(sum(p.share * t.state_vnd), 0),
                coalesce(sum(p.share * t.workdays), 0)::float8
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_line_piece p ON p.commune_code = $1 AND p.layer = '{id}'
           JOIN {table} t ON t.id = p.work_id AND {existed}
          GROUP BY d.as_of, p.group_id",
        id = layer.id,
        table = layer.table,
    )
}

/// The query counting a commune's model sites at each date, by group, field and
/// recognition, with their money.
fn site_sums_query() -> String {
    let sites = layers::find("model_sites").expect("the catalogue has model sites");
    let existed = existed_expr(sites, "t", "d.as_of").expect("sites are dated");
    format!(
        "SELECT d.as_of, s.group_id, t.field, t.recognition, count(*) AS sites,
                coalesce(sum(t.people_vnd), 0)::float8 AS people_vnd, coalesce(sum(t.state_vnd), 0)::float8 AS state_vnd,
                coalesce(sum(t.workdays), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_site s ON s.commune_code = $1
           JOIN model_site t ON t.id = s.site_id AND {existed}
          GROUP BY d.as_of, s.group_id, t.field, t.recognition"
    )
}

/// The raw sums of a commune at each of `dates`.
pub async fn tallies(pool: &PgPool, commune: &str, dates: &[NaiveDate]) -> Result<Tallies, sqlx::Error> {
    let mut out = Tallies::new();
    let dates = dates.to_vec();

    let hardened: Vec<&str> = HARDENED_SURFACES.to_vec();
    let roads: Vec<RoadSums> = sqlx::query_as(&road_sums_query())
        .bind(commune)
        .bind(&dates)
        .bind(CONCRETE)
        .bind(&hardened)
        .fetch_all(pool)
        .await?;
    for r in roads {
        let tally = out.entry((r.as_of, r.group_id)).or_default();
        let entry = tally.roads.entry(r.class).or_default();
        entry.road_m += r.road_m;
        entry.concrete_m += r.concrete_m;
        entry.hardened_m += r.hardened_m;
        entry.lit_m += r.lit_m;
        entry.drained_m += r.drained_m;
        tally.people_vnd += r.people_vnd;
        tally.state_vnd += r.state_vnd;
        tally.workdays += r.workdays;
    }

    // Line works other than roads: their money by group, and for flower routes their
    // length.
    for layer in LAYERS.iter().filter(|l| matches!(l.feed, Some(Feed::Length | Feed::Zone { .. }))) {
        let rows: Vec<(NaiveDate, Option<i64>, f64, f64, f64, f64)> =
            sqlx::query_as(&line_sums_query(layer)).bind(commune).bind(&dates).fetch_all(pool).await?;
        for (date, group, length_m, people, state, workdays) in rows {
            let tally = out.entry((date, group)).or_default();
            if layer.feed == Some(Feed::Length) {
                tally.flower_m += length_m;
            }
            tally.people_vnd += people;
            tally.state_vnd += state;
            tally.workdays += workdays;
        }
    }

    let sites: Vec<SiteSums> = sqlx::query_as(&site_sums_query()).bind(commune).bind(&dates).fetch_all(pool).await?;
    for m in sites {
        let tally = out.entry((m.as_of, m.group_id)).or_default();
        *tally.sites_by_field.entry(m.field).or_default() += m.sites;
        *tally.sites_by_recognition.entry(m.recognition).or_default() += m.sites;
        tally.people_vnd += m.people_vnd;
        tally.state_vnd += m.state_vnd;
        tally.workdays += m.workdays;
    }
    Ok(out)
}

/// The first year any work of the commune was done or paved, for the timeline's start.
pub async fn first_year(pool: &PgPool, commune: &str) -> Result<Option<i32>, sqlx::Error> {
    // Every dated layer's date, and the dates its as-of attributes change (a road's paving).
    let years: Vec<String> = LAYERS
        .iter()
        .filter_map(|layer| {
            let mut dates = vec![dated_expr(layer, "t")?];
            dates.extend(layer.fields().filter_map(|f| f.as_of).map(|rule| format!("t.{}", rule.since)));
            Some(format!(
                "SELECT extract(year FROM least({})) AS y FROM {} t WHERE t.{} = $1",
                dates.join(", "),
                layer.table,
                layer.commune_column
            ))
        })
        .collect();
    let sql = format!("SELECT min(y)::int FROM ({}) AS years", years.join(" UNION ALL "));
    sqlx::query_scalar(&sql).bind(commune).fetch_one(pool).await
}

/// Recomputes the derived coverage data of `communes` (all when `None`), `jobs` communes
/// at a time. Returns the number of communes rebuilt.
pub async fn rebuild(pool: &PgPool, communes: Option<Vec<String>>, jobs: usize) -> Result<usize, sqlx::Error> {
    let codes = match communes {
        Some(codes) => codes,
        None => sqlx::query_scalar("SELECT code FROM commune ORDER BY code").fetch_all(pool).await?,
    };
    let count = codes.len();
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(codes));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs.max(1) {
        let (pool, queue) = (pool.clone(), queue.clone());
        workers.spawn(async move {
            loop {
                let Some(code) = queue.lock().await.pop() else { return Ok::<_, sqlx::Error>(()) };
                sqlx::query("SELECT coverage_rebuild($1)").bind(&code).execute(&pool).await?;
            }
        });
    }
    while let Some(result) = workers.join_next().await {
        result.expect("a rebuild worker panicked")?;
    }
    Ok(count)
}
