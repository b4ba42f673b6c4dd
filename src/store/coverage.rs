//! Coverage sums from the derived pieces (see migrations/*_coverage.sql), and rebuilds.
//!
//! Every query takes a list of as-of dates, so that one coverage request and a
//! year-by-year timeline are the same code: a request only sums pieces, grouped by date,
//! group and road class.

use crate::layers::{Feed, LAYERS, Layer};
use crate::model::coverage::{Settings, Tally};
use crate::model::vocab::{CONCRETE, EXISTING, HARDENED_SURFACES};
use crate::store::features::{dated_expr, existed_expr, road_rules, site_existed};
use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Row};
use std::collections::HashMap;
use std::hash::Hash;

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
    let mut all = settings_of(pool, &[commune.to_string()]).await?;
    Ok(all.remove(commune).unwrap_or_else(Settings::defaults))
}

/// The settings of each of `communes` that has a row (the others take the defaults).
pub async fn settings_of(pool: &PgPool, communes: &[String]) -> Result<HashMap<String, Settings>, sqlx::Error> {
    // The row as JSON: one decoding for every column, into the same type the API serves.
    let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT commune_code, to_jsonb(s) - 'commune_code' - 'updated_at' FROM commune_setting s
          WHERE commune_code = ANY ($1)",
    )
    .bind(communes)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(code, row)| {
            let settings = serde_json::from_value(row).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok((code, settings))
        })
        .collect()
}

/// Saves a commune's settings (a change of a buffer rebuilds its coverage, by trigger).
pub async fn save_settings(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    commune: &str,
    settings: &Settings,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_value(settings).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO commune_setting AS s (commune_code, counted_classes, lit_buffer_m, drain_buffer_m, targets,
                                           targets_by_year, unit_costs, target_surface, default_width_m, people_share_pct)
         SELECT $1, ARRAY(SELECT jsonb_array_elements_text(j->'counted_classes')), (j->>'lit_buffer_m')::float8,
                (j->>'drain_buffer_m')::float8, j->'targets', j->'targets_by_year', j->'unit_costs', j->>'target_surface',
                (j->>'default_width_m')::float8, (j->>'people_share_pct')::float8
           FROM (SELECT $2::jsonb AS j) AS given
         ON CONFLICT (commune_code) DO UPDATE
            SET counted_classes = EXCLUDED.counted_classes, lit_buffer_m = EXCLUDED.lit_buffer_m,
                drain_buffer_m = EXCLUDED.drain_buffer_m, targets = EXCLUDED.targets,
                targets_by_year = EXCLUDED.targets_by_year, unit_costs = EXCLUDED.unit_costs,
                target_surface = EXCLUDED.target_surface, default_width_m = EXCLUDED.default_width_m,
                people_share_pct = EXCLUDED.people_share_pct, updated_at = now()",
    )
    .bind(commune)
    .bind(json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The communes' boundaries as GeoJSON text, by code.
pub async fn commune_geometries(pool: &PgPool, codes: &[String]) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT code, ST_AsGeoJSON(geom, 7) FROM commune WHERE code = ANY ($1)")
            .bind(codes)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Communes by code, ordered by province and name.
pub async fn communes(pool: &PgPool, codes: &[String]) -> Result<Vec<CommuneRow>, sqlx::Error> {
    sqlx::query_as("SELECT code, name, kind, province FROM commune WHERE code = ANY ($1) ORDER BY province, name, code")
        .bind(codes)
        .fetch_all(pool)
        .await
}

/// The households and population of each commune's groups; `None` (unknown) where no
/// group of it gives one.
pub async fn households_of(
    pool: &PgPool,
    codes: &[String],
) -> Result<HashMap<String, (Option<i64>, Option<i64>)>, sqlx::Error> {
    let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT commune_code, sum(households)::bigint, sum(population)::bigint
           FROM residential_group WHERE commune_code = ANY ($1) GROUP BY commune_code",
    )
    .bind(codes)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(code, h, p)| (code, (h, p))).collect())
}

pub async fn quality(pool: &PgPool, commune: &str) -> Result<Option<Quality>, sqlx::Error> {
    sqlx::query_as("SELECT overlapping, gap_m2, outside_m2 FROM coverage_quality WHERE commune_code = $1")
        .bind(commune)
        .fetch_optional(pool)
        .await
}

/// What a sum covers: the pieces of one commune by group, or of several communes by
/// commune. `condition` selects the pieces, aliased `p`, with the bound `$1`; `area` is
/// what the sums are grouped by.
struct Scope {
    condition: &'static str,
    area: &'static str,
}

impl Scope {
    /// The same scope over pieces aliased `alias`.
    fn on(&self, alias: &str) -> (String, String) {
        (self.condition.replace("p.", &format!("{alias}.")), self.area.replace("p.", &format!("{alias}.")))
    }
}

/// One commune, by group (NULL: unassigned).
const BY_GROUP: Scope = Scope { condition: "p.commune_code = $1", area: "p.group_id" };
/// Several communes, by commune.
const BY_COMMUNE: Scope = Scope { condition: "p.commune_code = ANY ($1)", area: "p.commune_code" };

/// The query summing road pieces at each date (`$2`), by area and class.
///
/// Built from the catalogue's rules, not written again: a road exists at a date by
/// [`existed_expr`] and has the surface [`value_expr`] gives, applied to the pieces, which
/// carry their road's attributes under the same names (the piece-attributes migration);
/// concrete and hardened surfaces come bound (`$3`, `$4`) from `model::vocab`. A road's money
/// is dated by the work it paid for: its paving if any, else its construction.
fn road_sums_query(scope: &Scope) -> String {
    let (existed, surface) = road_rules("d.as_of");
    let (condition, area) = scope.on("t");
    format!(
        "SELECT d.as_of, {area} AS area, t.class,
                coalesce(sum(t.length_m) FILTER (WHERE exists_then), 0) AS road_m,
                coalesce(sum(t.length_m) FILTER (WHERE exists_then AND s.surface = $3), 0) AS concrete_m,
                coalesce(sum(t.length_m) FILTER (WHERE exists_then AND s.surface = ANY ($4)), 0) AS hardened_m,
                coalesce(sum(t.length_m) FILTER (WHERE exists_then AND t.lit AND (t.lit_since IS NULL OR t.lit_since <= d.as_of)), 0)
                    AS lit_m,
                coalesce(sum(t.length_m) FILTER (WHERE exists_then AND t.drained
                                                 AND (t.drained_since IS NULL OR t.drained_since <= d.as_of)), 0)
                    AS drained_m,
                coalesce(sum(t.share * t.people_vnd) FILTER (WHERE paid_then), 0)::float8 AS people_vnd,
                coalesce(sum(t.share * t.state_vnd) FILTER (WHERE paid_then), 0)::float8 AS state_vnd,
                coalesce(sum(t.share * t.workdays) FILTER (WHERE paid_then), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_road_piece t ON {condition} AND t.status = '{EXISTING}'
           CROSS JOIN LATERAL (SELECT {existed} AS exists_then,
                                      coalesce(t.paved_on, t.done_on) IS NULL
                                      OR coalesce(t.paved_on, t.done_on) <= d.as_of AS paid_then,
                                      {surface} AS surface) AS s
          WHERE s.exists_then OR s.paid_then
          GROUP BY d.as_of, {area}, t.class"
    )
}

/// The query summing a line work layer's pieces (length and money) at each date, by area.
// Every work layer that feeds coverage by its length or zone is dated (tested in
// `store::features`).
#[allow(clippy::expect_used)]
fn line_sums_query(layer: &Layer, scope: &Scope) -> String {
    let existed = existed_expr(layer, "t", "d.as_of").expect("works are dated");
    format!(
        "SELECT d.as_of, {area} AS area, sum(p.length_m) AS length_m,
                coalesce(sum(p.share * t.people_vnd), 0)::float8 AS people_vnd,
                coalesce(sum(p.share * t.state_vnd), 0)::float8 AS state_vnd,
                coalesce(sum(p.share * t.workdays), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_line_piece p ON {condition} AND p.layer = '{id}'
           JOIN {table} t ON t.id = p.work_id AND {existed}
          GROUP BY d.as_of, {area}",
        area = scope.area,
        condition = scope.condition,
        id = layer.id,
        table = layer.table,
    )
}

/// The query counting model sites at each date, by area, field and recognition, with
/// their money.
fn site_sums_query(scope: &Scope) -> String {
    let existed = site_existed("d.as_of");
    format!(
        "SELECT d.as_of, {area} AS area, t.field, t.recognition, count(*) AS sites,
                coalesce(sum(t.people_vnd), 0)::float8 AS people_vnd, coalesce(sum(t.state_vnd), 0)::float8 AS state_vnd,
                coalesce(sum(t.workdays), 0)::float8 AS workdays
           FROM unnest($2::date[]) AS d (as_of)
           JOIN coverage_site p ON {condition}
           JOIN model_site t ON t.id = p.site_id AND {existed}
          GROUP BY d.as_of, {area}, t.field, t.recognition",
        area = scope.area,
        condition = scope.condition,
    )
}

/// The raw sums of a commune at each of `dates`, by group.
pub async fn tallies(pool: &PgPool, commune: &str, dates: &[NaiveDate]) -> Result<Tallies, sqlx::Error> {
    sums(pool, &BY_GROUP, commune, dates).await
}

/// The raw sums of each of `communes` at each of `dates`.
pub async fn commune_tallies(
    pool: &PgPool,
    communes: &[String],
    dates: &[NaiveDate],
) -> Result<HashMap<(NaiveDate, String), Tally>, sqlx::Error> {
    sums(pool, &BY_COMMUNE, communes, dates).await
}

/// The sums of `scope`, keyed by date and area (`K`: a group id or a commune code), with
/// `selector` bound to the scope's `$1`.
async fn sums<K, S>(
    pool: &PgPool,
    scope: &Scope,
    selector: S,
    dates: &[NaiveDate],
) -> Result<HashMap<(NaiveDate, K), Tally>, sqlx::Error>
where
    K: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + Eq + Hash,
    S: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Copy + Send,
{
    let mut out: HashMap<(NaiveDate, K), Tally> = HashMap::new();
    let dates = dates.to_vec();
    let key =
        |row: &PgRow| -> Result<(NaiveDate, K), sqlx::Error> { Ok((row.try_get("as_of")?, row.try_get("area")?)) };

    // The three kinds of sums are independent: asked at once, on connections of their own,
    // a region's answer waits for the longest, not for their total.
    let hardened: Vec<&str> = HARDENED_SURFACES.to_vec();
    let (road_sql, site_sql) = (road_sums_query(scope), site_sums_query(scope));
    let line_layers: Vec<&Layer> =
        LAYERS.iter().filter(|l| matches!(l.feed, Some(Feed::Length | Feed::Zone { .. }))).collect();
    let line_sql: Vec<String> = line_layers.iter().map(|layer| line_sums_query(layer, scope)).collect();
    let roads = sqlx::query(&road_sql).bind(selector).bind(&dates).bind(CONCRETE).bind(&hardened).fetch_all(pool);
    let lines = futures_util::future::try_join_all(
        line_sql.iter().map(|sql| sqlx::query(sql).bind(selector).bind(&dates).fetch_all(pool)),
    );
    let sites = sqlx::query(&site_sql).bind(selector).bind(&dates).fetch_all(pool);
    let (roads, lines, sites) = futures_util::future::try_join3(roads, lines, sites).await?;

    for row in roads {
        let tally = out.entry(key(&row)?).or_default();
        let lengths = tally.roads.entry(row.try_get("class")?).or_default();
        lengths.road_m += row.try_get::<f64, _>("road_m")?;
        lengths.concrete_m += row.try_get::<f64, _>("concrete_m")?;
        lengths.hardened_m += row.try_get::<f64, _>("hardened_m")?;
        lengths.lit_m += row.try_get::<f64, _>("lit_m")?;
        lengths.drained_m += row.try_get::<f64, _>("drained_m")?;
        add_money(tally, &row)?;
    }

    // Line works other than roads: their money by area, and for flower routes their length.
    for (layer, rows) in line_layers.iter().zip(lines) {
        for row in rows {
            let tally = out.entry(key(&row)?).or_default();
            if layer.feed == Some(Feed::Length) {
                tally.flower_m += row.try_get::<f64, _>("length_m")?;
            }
            add_money(tally, &row)?;
        }
    }

    for row in sites {
        let tally = out.entry(key(&row)?).or_default();
        let count: i64 = row.try_get("sites")?;
        *tally.sites_by_field.entry(row.try_get("field")?).or_default() += count;
        *tally.sites_by_recognition.entry(row.try_get("recognition")?).or_default() += count;
        add_money(tally, &row)?;
    }
    Ok(out)
}

/// Adds a row's `people_vnd`, `state_vnd` and `workdays` to a tally.
fn add_money(tally: &mut Tally, row: &PgRow) -> Result<(), sqlx::Error> {
    tally.people_vnd += row.try_get::<f64, _>("people_vnd")?;
    tally.state_vnd += row.try_get::<f64, _>("state_vnd")?;
    tally.workdays += row.try_get::<f64, _>("workdays")?;
    Ok(())
}

/// The first year any work of the commune was done or paved, for the timeline's start.
pub async fn first_year(pool: &PgPool, commune: &str) -> Result<Option<i32>, sqlx::Error> {
    first_year_of(pool, &[commune.to_string()]).await
}

/// The first year any work of any of `communes` was done (or changed as of a date).
pub async fn first_year_of(pool: &PgPool, communes: &[String]) -> Result<Option<i32>, sqlx::Error> {
    // Every dated layer's date, and the dates its as-of attributes change (a road's paving).
    let years: Vec<String> = LAYERS
        .iter()
        .filter_map(|layer| {
            let mut dates = vec![dated_expr(layer, "t")?];
            dates.extend(layer.fields().filter_map(|f| f.as_of).map(|rule| format!("t.{}", rule.since)));
            Some(format!(
                "SELECT extract(year FROM least({})) AS y FROM {} t WHERE t.{} = ANY ($1)",
                dates.join(", "),
                layer.table,
                layer.commune_column
            ))
        })
        .collect();
    let sql = format!("SELECT min(y)::int FROM ({}) AS years", years.join(" UNION ALL "));
    sqlx::query_scalar(&sql).bind(communes).fetch_one(pool).await
}

/// Recomputes the derived coverage data of commune `code`.
pub async fn rebuild_one(conn: &mut PgConnection, code: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT coverage_rebuild($1)").bind(code).execute(conn).await?;
    Ok(())
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
        result.map_err(|_| sqlx::Error::WorkerCrashed)??;
    }
    Ok(count)
}
