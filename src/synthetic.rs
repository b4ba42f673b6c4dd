//! Synthetic datasets for benchmarks: deterministic (no random numbers, only arithmetic on
//! the row numbers), generated inside PostGIS with `generate_series`.
//!
//! `province` with N communes: communes are 0.04° squares on a 25-column grid starting at
//! 104° E 19° N; each has 20 groups (5 x 4 cells of 0.008° x 0.01°), each group 50 road
//! segments of about 170-220 m on a lattice, 10 lighting lines along its roads and 5
//! model sites. N = 500 gives 10,000 groups, 500,000 roads, 100,000 lighting lines and
//! 50,000 model sites. Synthetic communes have codes `S00000`..; they are replaced on
//! each run.

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

const CELLS: &str = "
    FROM generate_series(0, $1::int - 1) AS i
    CROSS JOIN generate_series(0, 19) AS j
    CROSS JOIN LATERAL (SELECT 104.0 + (i % 25) * 0.05 + (j % 5) * 0.008 AS gx,
                               19.0 + (i / 25) * 0.05 + (j / 5) * 0.01 AS gy,
                               'S' || lpad(i::text, 5, '0') AS commune) AS cell";

/// Makes a synthetic province of `communes` communes, replacing an earlier one.
pub async fn province(pool: &PgPool, communes: i64) -> Result<Made> {
    let mut tx = pool.begin().await?;
    // Coverage is rebuilt afterwards, commune by commune in parallel (`rebuild`).
    sqlx::query("SET LOCAL kheo.coverage = 'deferred'").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM commune WHERE code LIKE 'S%'").execute(&mut *tx).await?;
    let c = sqlx::query(
        "INSERT INTO commune (code, name, kind, province, geom)
         SELECT 'S' || lpad(i::text, 5, '0'), 'Xã tổng hợp ' || i, 'xa', 'Tỉnh tổng hợp',
                ST_Multi(ST_MakeEnvelope(104.0 + (i % 25) * 0.05, 19.0 + (i / 25) * 0.05,
                                         104.04 + (i % 25) * 0.05, 19.04 + (i / 25) * 0.05, 4326))
           FROM generate_series(0, $1::int - 1) AS i",
    )
    .bind(communes)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let g = sqlx::query(&format!(
        "INSERT INTO residential_group (commune_code, code, name, kind, households, population, geom)
         SELECT commune, 'T' || lpad((j + 1)::text, 2, '0'), 'Thôn ' || (j + 1), 'thon',
                100 + (i * 7 + j * 11) % 300, 400 + (i * 13 + j * 17) % 1200,
                ST_Multi(ST_MakeEnvelope(gx, gy, gx + 0.008, gy + 0.01, 4326)) {CELLS}"
    ))
    .bind(communes)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // 25 horizontal segments (5 rows x 5) and 25 vertical ones (5 columns x 5) per group.
    let r = sqlx::query(&format!(
        "INSERT INTO road (commune_code, name, status, done_on, people_vnd, workdays, class, surface,
                           surface_before, width_m, paved_on, geom)
         SELECT commune, 'Đường ' || j || '-' || k, 'existing', NULL,
                ((i + j + k) % 7) * 5000000, ((i + k) % 5) * 10,
                CASE WHEN k % 10 = 0 THEN 'hamlet_axis' ELSE 'alley' END,
                (ARRAY['concrete','concrete','concrete','concrete','concrete','concrete','concrete',
                       'asphalt','gravel','earth'])[1 + (i * 7 + j * 13 + k * 31) % 10],
                'earth', 3 + (k % 3),
                DATE '2015-01-01' + (((i + j + k) * 37) % 3650)::int,
                CASE WHEN k < 25 THEN
                  ST_MakeLine(ARRAY[
                    ST_MakePoint(gx + (k / 5) * 0.0016, gy + (k % 5 + 0.5) * 0.002),
                    ST_MakePoint(gx + (k / 5) * 0.0016 + 0.0008, gy + (k % 5 + 0.5) * 0.002 + 0.00003),
                    ST_MakePoint(gx + (k / 5 + 1) * 0.0016, gy + (k % 5 + 0.5) * 0.002)])
                ELSE
                  ST_MakeLine(ARRAY[
                    ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016, gy + ((k - 25) / 5) * 0.002),
                    ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016 + 0.00003, gy + ((k - 25) / 5) * 0.002 + 0.001),
                    ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016, gy + ((k - 25) / 5 + 1) * 0.002)])
                END::geometry(LineString, 4326)
         {CELLS} CROSS JOIN generate_series(0, 49) AS k"
    ))
    .bind(communes)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Lighting along the first ten horizontal segments, 2 m to the north.
    let l = sqlx::query(&format!(
        "INSERT INTO lighting_line (commune_code, name, done_on, lamps, power, geom)
         SELECT commune, 'Chiếu sáng ' || j || '-' || k, DATE '2016-01-01' + (((i + j * 3 + k) * 53) % 3000)::int,
                6, CASE WHEN k % 3 = 0 THEN 'solar' ELSE 'grid' END,
                ST_MakeLine(ST_MakePoint(gx + (k / 5) * 0.0016, gy + (k % 5 + 0.5) * 0.002 + 0.00002),
                            ST_MakePoint(gx + (k / 5 + 1) * 0.0016, gy + (k % 5 + 0.5) * 0.002 + 0.00002))
         {CELLS} CROSS JOIN generate_series(0, 9) AS k"
    ))
    .bind(communes)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let m = sqlx::query(&format!(
        "INSERT INTO model_site (commune_code, name, done_on, field, recognition, year, geom)
         SELECT commune, 'Mô hình ' || j || '-' || k, DATE '2019-01-01' + (((i + k) * 71) % 2000)::int,
                (ARRAY['economy','culture_society','defence_security','political_system'])[1 + (i + j + k) % 4],
                (ARRAY['registered','commune','district','province'])[1 + (i * 3 + k) % 4],
                2019 + (i + j + k) % 6,
                ST_MakePoint(gx + 0.0008 + k * 0.0013, gy + 0.0011 + k * 0.0017)
         {CELLS} CROSS JOIN generate_series(0, 4) AS k"
    ))
    .bind(communes)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    for table in ["commune", "residential_group", "road", "lighting_line", "model_site"] {
        sqlx::query(&format!("ANALYZE {table}")).execute(pool).await?;
    }
    Ok(Made { communes: c as i64, groups: g as i64, roads: r as i64, lighting_lines: l as i64, model_sites: m as i64 })
}
