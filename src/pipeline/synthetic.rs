//! Synthetic datasets for benchmarks: deterministic (no random numbers, only arithmetic on
//! the row numbers), generated inside PostGIS with `generate_series`.
//!
//! `province` with N communes: communes are 0.04° squares on a 25-column grid starting at
//! 104° E 19° N; each has 20 groups (5 x 4 cells of 0.008° x 0.01°), each group 50 road
//! segments of about 170-220 m on a lattice, 10 lighting lines along its roads and 5
//! model sites. N = 500 gives 10,000 groups, 500,000 roads, 100,000 lighting lines and
//! 50,000 model sites. Synthetic communes have codes `S00000`..; they are replaced on
//! each run. The SQL is in `crate::store::synthetic`.

use crate::store::{load, synthetic as sql};
use anyhow::Result;
use sqlx::PgPool;

/// What was made.
#[derive(Debug, Clone, Copy)]
pub struct Made {
    pub communes: i64,
    pub groups: i64,
    pub roads: i64,
    pub lighting_lines: i64,
    pub model_sites: i64,
}

/// Makes a synthetic province of `communes` communes, replacing an earlier one.
pub async fn province(pool: &PgPool, communes: i64) -> Result<Made> {
    let mut tx = pool.begin().await?;
    // Coverage is rebuilt afterwards, commune by commune in parallel (`rebuild`).
    load::defer_coverage(&mut tx).await?;
    sql::remove(&mut tx).await?;
    let c = sql::communes(&mut tx, communes).await?;
    let g = sql::groups(&mut tx, communes).await?;
    let r = sql::roads(&mut tx, communes).await?;
    let l = sql::lighting_lines(&mut tx, communes).await?;
    let m = sql::model_sites(&mut tx, communes).await?;
    tx.commit().await?;
    sql::analyze(pool).await?;
    Ok(Made { communes: c as i64, groups: g as i64, roads: r as i64, lighting_lines: l as i64, model_sites: m as i64 })
}

/// The codes of the synthetic communes, whose coverage is to be rebuilt after
/// [`province`].
pub async fn codes(pool: &PgPool) -> Result<Vec<String>> {
    Ok(sql::codes(pool).await?)
}
