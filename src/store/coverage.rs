//! Coverage sums from the derived pieces (see migrations/*_coverage.sql), and rebuilds.
//!
//! Every query takes a list of as-of dates, so that one coverage request and a
//! year-by-year timeline are the same code: a request only sums pieces, grouped by date,
//! group and road class.

use crate::coverage::{Settings, Tally};
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
    let row: Option<(Vec<String>, f64, serde_json::Value)> =
        sqlx::query_as("SELECT counted_classes, lit_buffer_m, targets FROM commune_setting WHERE commune_code = $1")
            .bind(commune)
            .fetch_optional(pool)
            .await?;
    let (counted_classes, lit_buffer_m, targets) = row.unwrap_or_else(|| {
        (
            ["commune", "hamlet_axis", "inter_hamlet", "alley", "field"].map(String::from).to_vec(),
            15.0,
            serde_json::json!({}),
        )
    });
    let targets: BTreeMap<String, f64> = targets
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect())
        .unwrap_or_default();
    Ok(Settings { counted_classes, lit_buffer_m, targets })
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

/// The raw sums of a commune at each of `dates`.
pub async fn tallies(pool: &PgPool, commune: &str, dates: &[NaiveDate]) -> Result<Tallies, sqlx::Error> {
    let mut out = Tallies::new();
    let dates = dates.to_vec();

    // Roads: lengths by class and surface as of each date, and their money. A road's money
    // is dated by the work it paid for: its paving if any, else its construction.
    let roads: Vec<RoadSums> = sqlx::query_as(
        "SELECT d.as_of, p.group_id, r.class,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then), 0) AS road_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface = 'concrete'), 0) AS concrete_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface IN ('concrete', 'asphalt', 'paving')), 0)
                    AS hardened_m,
                coalesce(sum(p.length_m) FILTER (WHERE exists_then AND p.lit AND (p.lit_since IS NULL OR p.lit_since <= d.as_of)), 0)
                    AS lit_m,
                coalesce(sum(p.share * r.people_vnd) FILTER (WHERE paid_then), 0) AS people_vnd,
                coalesce(sum(p.share * r.state_vnd) FILTER (WHERE paid_then), 0) AS state_vnd,
                coalesce(sum(p.share * r.workdays) FILTER (WHERE paid_then), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_road_piece p ON p.commune_code = $1
           JOIN road r ON r.id = p.road_id AND r.status = 'existing'
           CROSS JOIN LATERAL (SELECT r.done_on IS NULL OR r.done_on <= d.as_of AS exists_then,
                                      coalesce(r.paved_on, r.done_on) IS NULL
                                      OR coalesce(r.paved_on, r.done_on) <= d.as_of AS paid_then,
                                      CASE WHEN r.paved_on > d.as_of THEN coalesce(r.surface_before, 'earth')
                                           ELSE r.surface END AS surface) AS s
          WHERE s.exists_then OR s.paid_then
          GROUP BY d.as_of, p.group_id, r.class",
    )
    .bind(commune)
    .bind(&dates)
    .fetch_all(pool)
    .await?;
    for r in roads {
        let tally = out.entry((r.as_of, r.group_id)).or_default();
        let entry = tally.roads.entry(r.class).or_default();
        entry.road_m += r.road_m;
        entry.concrete_m += r.concrete_m;
        entry.hardened_m += r.hardened_m;
        entry.lit_m += r.lit_m;
        tally.people_vnd += r.people_vnd;
        tally.state_vnd += r.state_vnd;
        tally.workdays += r.workdays;
    }

    // Flower routes and lighting lines: length (flower routes) and money by group.
    for (layer, table) in [("flower_routes", "flower_route"), ("lighting_lines", "lighting_line")] {
        let sql = format!(
            "SELECT d.as_of, p.group_id, sum(p.length_m),
                    coalesce(sum(p.share * w.people_vnd), 0), coalesce(sum(p.share * w.state_vnd), 0),
                    coalesce(sum(p.share * w.workdays), 0)::float8
               FROM unnest($2::date[]) AS d (as_of)
               JOIN coverage_line_piece p ON p.commune_code = $1 AND p.layer = '{layer}'
               JOIN {table} w ON w.id = p.work_id AND w.status = 'existing'
                             AND (w.done_on IS NULL OR w.done_on <= d.as_of)
              GROUP BY d.as_of, p.group_id"
        );
        let rows: Vec<(NaiveDate, Option<i64>, f64, f64, f64, f64)> =
            sqlx::query_as(&sql).bind(commune).bind(&dates).fetch_all(pool).await?;
        for (date, group, length_m, people, state, workdays) in rows {
            let tally = out.entry((date, group)).or_default();
            if layer == "flower_routes" {
                tally.flower_m += length_m;
            }
            tally.people_vnd += people;
            tally.state_vnd += state;
            tally.workdays += workdays;
        }
    }

    // Model sites, dated by their completion, else 1 January of the year they were
    // recognised.
    let sites: Vec<SiteSums> = sqlx::query_as(
        "SELECT d.as_of, s.group_id, m.field, m.recognition, count(*) AS sites,
                coalesce(sum(m.people_vnd), 0)::float8 AS people_vnd, coalesce(sum(m.state_vnd), 0)::float8 AS state_vnd,
                coalesce(sum(m.workdays), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_site s ON s.commune_code = $1
           JOIN model_site m ON m.id = s.site_id AND m.status = 'existing'
          WHERE coalesce(m.done_on, make_date(m.year, 1, 1)) IS NULL
             OR coalesce(m.done_on, make_date(m.year, 1, 1)) <= d.as_of
          GROUP BY d.as_of, s.group_id, m.field, m.recognition",
    )
    .bind(commune)
    .bind(&dates)
    .fetch_all(pool)
    .await?;
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
    sqlx::query_scalar(
        "SELECT min(y)::int FROM (
            SELECT extract(year FROM least(paved_on, done_on)) AS y FROM road WHERE commune_code = $1
            UNION ALL SELECT extract(year FROM done_on) FROM flower_route WHERE commune_code = $1
            UNION ALL SELECT extract(year FROM done_on) FROM lighting_line WHERE commune_code = $1
            UNION ALL SELECT extract(year FROM coalesce(done_on, make_date(year, 1, 1))) FROM model_site WHERE commune_code = $1
         ) AS years",
    )
    .bind(commune)
    .fetch_one(pool)
    .await
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
