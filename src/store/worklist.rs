//! The roads of a commune still to be concreted, piece by group, for the work list.

use crate::model::vocab::CONCRETE;
use crate::store::features::road_rules;
use sqlx::PgPool;

/// A road's part in one group (or outside every group), not concreted at the date.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoadLeft {
    /// NULL: outside every group.
    pub group_id: Option<i64>,
    pub road_id: i64,
    pub name: String,
    pub class: String,
    /// The surface at the date.
    pub surface: String,
    pub status: String,
    pub width_m: Option<f64>,
    /// Geodesic metres of the road in this group.
    pub length_m: f64,
}

/// The pieces of the commune's existing roads of `counted` classes that are not concrete
/// at `as_of` (by the catalogue's as-of rules), by group; `group` narrows to one group.
pub async fn roads_left(
    pool: &PgPool,
    commune: &str,
    counted: &[String],
    as_of: chrono::NaiveDate,
    group: Option<i64>,
) -> Result<Vec<RoadLeft>, sqlx::Error> {
    let (existed, surface) = road_rules("$3");
    let sql = format!(
        "SELECT p.group_id, t.id AS road_id, t.name, t.class, {surface} AS surface, t.status,
                t.width_m::float8 AS width_m, sum(p.length_m) AS length_m
           FROM coverage_road_piece p JOIN road t ON t.id = p.road_id
          WHERE p.commune_code = $1 AND t.class = ANY ($2) AND {existed} AND {surface} <> $4
            AND ($5::bigint IS NULL OR p.group_id = $5)
          GROUP BY p.group_id, t.id
          ORDER BY p.group_id NULLS LAST, t.name, t.id"
    );
    sqlx::query_as(&sql).bind(commune).bind(counted).bind(as_of).bind(CONCRETE).bind(group).fetch_all(pool).await
}
