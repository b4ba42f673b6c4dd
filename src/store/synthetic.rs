//! The SQL of the synthetic datasets (`crate::pipeline::synthetic`): deterministic rows made inside
//! PostGIS with `generate_series`, one statement per table, each taking the number of
//! communes as `$1`. The geometry of the grid is described in `crate::pipeline::synthetic`.

use sqlx::{PgConnection, PgPool};

/// The rows `i` (commune) x `j` (group) of the grid, with each group's south-west corner
/// (`gx`, `gy`) and its commune's code: the tail shared by the per-group statements, in
/// place of their `{cells}`.
const CELLS: &str = include_str!("synthetic/cells.sql");

/// A per-group statement with its `{cells}` filled in. By hand because `format!` takes
/// only literal templates, not `include_str!`'d files.
fn per_group(template: &str) -> String {
    template.replace("{cells}", CELLS)
}

/// Deletes the synthetic communes (codes `S…`), and with them, by cascade, everything in
/// them.
pub async fn remove(tx: &mut PgConnection) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM commune WHERE code LIKE 'S%'").execute(tx).await?.rows_affected())
}

/// The codes of the synthetic communes.
pub async fn codes(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM commune WHERE code LIKE 'S%'").fetch_all(pool).await
}

/// Inserts `communes` communes; returns the rows made.
pub async fn communes(tx: &mut PgConnection, communes: i64) -> Result<u64, sqlx::Error> {
    let sql = include_str!("synthetic/communes.sql");
    Ok(sqlx::query(sql).bind(communes).execute(tx).await?.rows_affected())
}

/// Inserts 20 groups per commune; returns the rows made.
pub async fn groups(tx: &mut PgConnection, communes: i64) -> Result<u64, sqlx::Error> {
    let sql = per_group(include_str!("synthetic/groups.sql"));
    Ok(sqlx::query(&sql).bind(communes).execute(tx).await?.rows_affected())
}

/// Inserts 50 road segments per group: 25 horizontal (5 rows x 5) and 25 vertical (5
/// columns x 5). Returns the rows made.
pub async fn roads(tx: &mut PgConnection, communes: i64) -> Result<u64, sqlx::Error> {
    let sql = per_group(include_str!("synthetic/roads.sql"));
    Ok(sqlx::query(&sql).bind(communes).execute(tx).await?.rows_affected())
}

/// Inserts lighting along the first ten horizontal segments of each group, 2 m to the
/// north. Returns the rows made.
pub async fn lighting_lines(tx: &mut PgConnection, communes: i64) -> Result<u64, sqlx::Error> {
    let sql = per_group(include_str!("synthetic/lighting_lines.sql"));
    Ok(sqlx::query(&sql).bind(communes).execute(tx).await?.rows_affected())
}

/// Inserts 5 model sites per group; returns the rows made.
pub async fn model_sites(tx: &mut PgConnection, communes: i64) -> Result<u64, sqlx::Error> {
    let sql = per_group(include_str!("synthetic/model_sites.sql"));
    Ok(sqlx::query(&sql).bind(communes).execute(tx).await?.rows_affected())
}

/// Refreshes the planner's statistics of the tables the synthetic load filled.
pub async fn analyze(pool: &PgPool) -> Result<(), sqlx::Error> {
    for table in ["commune", "residential_group", "road", "lighting_line", "model_site"] {
        sqlx::query(&format!("ANALYZE {table}")).execute(pool).await?;
    }
    Ok(())
}
