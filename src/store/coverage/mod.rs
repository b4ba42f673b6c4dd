//! Coverage sums from the derived pieces (see migrations/*_coverage.sql), and rebuilds.
//!
//! Every query takes a list of as-of dates, so that one coverage request and a
//! year-by-year timeline are the same code. A commune's report sums its pieces by group; a
//! region's reads its communes' steps (see `sums`), which the pieces' rules compute.

mod sums;

use crate::layers::{Feed, LAYERS};
use crate::model::coverage::{Settings, Tally};
use crate::store::features::change_dates;
use crate::store::sql::quote_ident;
use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Row};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::LazyLock;
use sums::{PieceKind, Scope, kinds, refresh_statement};

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

/// One commune, by group (NULL: unassigned).
const BY_GROUP: Scope = Scope { condition: "p.commune_code = $1", area: "p.group_id" };
/// Several communes, by commune.
const BY_COMMUNE: Scope = Scope { condition: "p.commune_code = ANY ($1)", area: "p.commune_code" };

/// The raw sums of a commune at each of `dates`, by group.
pub async fn tallies(pool: &PgPool, commune: &str, dates: &[NaiveDate]) -> Result<Tallies, sqlx::Error> {
    static QUERIES: LazyLock<Vec<String>> =
        LazyLock::new(|| kinds().iter().map(|kind| kind.direct_query(&BY_GROUP)).collect());
    sums(pool, &QUERIES, commune, dates).await
}

/// The raw sums of each of `communes` at each of `dates`, read from their steps (brought up
/// to date first).
pub async fn commune_tallies(
    pool: &PgPool,
    communes: &[String],
    dates: &[NaiveDate],
) -> Result<HashMap<(NaiveDate, String), Tally>, sqlx::Error> {
    refresh_steps(pool, communes).await?;
    static QUERIES: LazyLock<Vec<String>> = LazyLock::new(|| kinds().iter().map(PieceKind::steps_query).collect());
    sums(pool, &QUERIES, communes, dates).await
}

/// [`commune_tallies`] summed from the pieces, as a commune's own report sums them: what
/// the steps are checked against.
pub async fn commune_tallies_direct(
    pool: &PgPool,
    communes: &[String],
    dates: &[NaiveDate],
) -> Result<HashMap<(NaiveDate, String), Tally>, sqlx::Error> {
    static QUERIES: LazyLock<Vec<String>> =
        LazyLock::new(|| kinds().iter().map(|kind| kind.direct_query(&BY_COMMUNE)).collect());
    sums(pool, &QUERIES, communes, dates).await
}

/// The advisory lock that refreshes of the steps take in turn, so that two never compute
/// the same commune's steps at once ("kheo" in ASCII).
const STEPS_LOCK: i64 = 0x6b68_656f;

/// Brings the steps of `communes` up to date, and returns how many were out of date. Cheap
/// when none is: one indexed look at the noted changes.
pub async fn refresh_steps(pool: &PgPool, communes: &[String]) -> Result<u64, sqlx::Error> {
    let stale = "SELECT DISTINCT commune_code FROM coverage_step_change WHERE commune_code = ANY ($1)";
    let stale: Vec<String> = sqlx::query_scalar(stale).bind(communes).fetch_all(pool).await?;
    let mut refreshed = 0;
    // A few communes per transaction: after a load of thousands, readers of other communes
    // get the lock between batches instead of waiting for all.
    for batch in stale.chunks(STEPS_BATCH) {
        refreshed += refresh_batch(pool, batch).await?;
    }
    Ok(refreshed)
}

/// Communes whose steps one transaction computes.
const STEPS_BATCH: usize = 50;

async fn refresh_batch(pool: &PgPool, communes: &[String]) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(STEPS_LOCK).execute(&mut *tx).await?;
    // Statements of their own after the lock, so that they see what the refresh before did.
    // The second may see more changes than the first (committed in between): it computes
    // from its own snapshot and takes the changes that snapshot sees, so none is lost.
    let stale = "SELECT DISTINCT commune_code FROM coverage_step_change WHERE commune_code = ANY ($1)";
    let stale: Vec<String> = sqlx::query_scalar(stale).bind(communes).fetch_all(&mut *tx).await?;
    if !stale.is_empty() {
        // The codes themselves, not a subquery: the plan then reads only their pieces.
        static REFRESH: LazyLock<String> = LazyLock::new(refresh_statement);
        sqlx::query(&REFRESH).bind(&stale).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(stale.len() as u64)
}

/// Brings the steps of every commune up to date (after a load, or at start).
pub async fn refresh_all_steps(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT commune_code FROM coverage_step_change").fetch_all(pool).await?;
    refresh_steps(pool, &codes).await
}

/// The sums of `queries` (one per kind of piece, in the order of [`kinds`]), keyed by date
/// and area (`K`: a group id or a commune code), with `selector` bound to `$1` and `dates`
/// to `$2`.
async fn sums<K, S>(
    pool: &PgPool,
    queries: &[String],
    selector: S,
    dates: &[NaiveDate],
) -> Result<HashMap<(NaiveDate, K), Tally>, sqlx::Error>
where
    K: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + Eq + Hash,
    S: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Copy + Send,
{
    let dates = dates.to_vec();
    // The kinds are independent: asked at once, on connections of their own, an answer
    // waits for the longest, not for their total.
    let results = futures_util::future::try_join_all(
        queries.iter().map(|sql| sqlx::query(sql).bind(selector).bind(&dates).fetch_all(pool)),
    )
    .await?;
    let mut out: HashMap<(NaiveDate, K), Tally> = HashMap::new();
    for (kind, rows) in kinds().iter().zip(results) {
        for row in rows {
            let tally = out.entry((row.try_get("as_of")?, row.try_get("area")?)).or_default();
            add_row(kind, tally, &row)?;
        }
    }
    Ok(out)
}

/// Adds a row of a kind's sums to a tally.
fn add_row(kind: &PieceKind, tally: &mut Tally, row: &PgRow) -> Result<(), sqlx::Error> {
    match (kind.id, kind.layer) {
        ("roads", _) => {
            let lengths = tally.roads.entry(row.try_get("class")?).or_default();
            lengths.road_m += row.try_get::<f64, _>("road_m")?;
            lengths.concrete_m += row.try_get::<f64, _>("concrete_m")?;
            lengths.hardened_m += row.try_get::<f64, _>("hardened_m")?;
            lengths.lit_m += row.try_get::<f64, _>("lit_m")?;
            lengths.drained_m += row.try_get::<f64, _>("drained_m")?;
        }
        ("sites", _) => {
            let count: i64 = row.try_get("sites")?;
            *tally.sites_by_field.entry(row.try_get("field")?).or_default() += count;
            *tally.sites_by_recognition.entry(row.try_get("recognition")?).or_default() += count;
        }
        // Line works other than roads: their money, and for flower routes their length.
        (_, Some(layer)) if layer.feed == Some(Feed::Length) => tally.flower_m += row.try_get::<f64, _>("length_m")?,
        _ => {}
    }
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
            let dates = change_dates(layer, "t");
            (!dates.is_empty()).then(|| {
                format!(
                    "SELECT extract(year FROM least({})) AS y FROM {} t WHERE t.{} = ANY ($1)",
                    dates.join(", "),
                    quote_ident(layer.table),
                    quote_ident(layer.commune_column)
                )
            })
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
/// at a time, then the steps of the communes changed. Returns the number of communes rebuilt.
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
    refresh_all_steps(pool).await?;
    Ok(count)
}
