//! Importing commune boundaries: the checked features of a file are staged in a temporary
//! table of the import's transaction, checked against each other and against the communes
//! already loaded (duplicate codes, overlaps), then upserted by code, all or nothing.
//!
//! Published boundaries are simplified: neighbours overlap by slivers. An overlap of more
//! than [`MAX_OVERLAP_SHARE`] of the smaller commune's area is an error (a wrong file or a
//! wrong code); a smaller one is accepted with a warning that names it. Coverage never
//! counts a work twice because of such slivers: a work belongs to the commune in its
//! `commune_code`, and is cut by that commune's groups only.

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::{Postgres, Transaction};

/// The share of the smaller commune's area above which an overlap is refused.
pub const MAX_OVERLAP_SHARE: f64 = 0.01;

/// What upserting the staged communes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Upserted {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// A finding about one staged feature: an error (refuses the file) or a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The feature's index in the file.
    pub index: usize,
    pub error: bool,
    pub message: String,
}

/// Makes the staging table of this transaction (dropped at its end).
pub async fn begin(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TEMP TABLE boundary_staging (
             idx integer NOT NULL, code text, name text, kind text, province text,
             geom geometry(MultiPolygon, 4326) NOT NULL,
             area_m2 float8 GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED
         ) ON COMMIT DROP",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stages checked features: (index in the file, properties, WGS 84 GeoJSON).
pub async fn stage(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[(usize, Map<String, Value>, String)],
) -> sqlx::Result<()> {
    let rows: Vec<Value> = rows.iter().map(|(i, p, g)| serde_json::json!({ "i": i, "p": p, "g": g })).collect();
    sqlx::query(
        "INSERT INTO boundary_staging (idx, code, name, kind, province, geom)
         SELECT (r->>'i')::int, r->'p'->>'code', r->'p'->>'name', r->'p'->>'kind', r->'p'->>'province',
                ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(r->>'g'), 4326))
           FROM jsonb_array_elements($1::jsonb) AS r",
    )
    .bind(Value::Array(rows))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Duplicate codes in the file, and overlaps between the staged communes and with the
/// communes already loaded (a commune of the same code is replaced, not compared).
pub async fn check(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<Vec<Finding>> {
    let duplicates: Vec<(i32, String, Vec<i32>)> = sqlx::query_as(
        "SELECT s.idx, s.code, d.indexes FROM boundary_staging s
           JOIN (SELECT code, array_agg(idx ORDER BY idx) AS indexes FROM boundary_staging
                  GROUP BY code HAVING count(*) > 1) d USING (code)
          ORDER BY s.idx",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut findings: Vec<Finding> = duplicates
        .into_iter()
        .map(|(index, code, indexes)| Finding {
            index: index as usize,
            error: true,
            message: format!(
                "code {code} is given to {} features of the file (features {}): a code names one commune",
                indexes.len(),
                indexes.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
            ),
        })
        .collect();

    // Each pair once; the share is of the smaller of the two areas. The staged communes
    // get an index and statistics first: a country's file pairs 3,321 communes.
    sqlx::query("CREATE INDEX ON boundary_staging USING gist (geom)").execute(&mut **tx).await?;
    sqlx::query("CREATE INDEX ON boundary_staging (code)").execute(&mut **tx).await?;
    sqlx::query("ANALYZE boundary_staging").execute(&mut **tx).await?;
    let overlaps: Vec<(i32, String, String, f64, f64)> =
        sqlx::query_as(include_str!("boundary_overlaps.sql")).fetch_all(&mut **tx).await?;
    for (index, code, other, shared_m2, share) in overlaps {
        let error = share > MAX_OVERLAP_SHARE;
        let what =
            format!("commune {code} overlaps {other} by {shared_m2:.0} m² ({:.2} % of the smaller one)", share * 100.0);
        let message = if error {
            format!(
                "{what}: more than {:.0} %, so one of them is wrong (a wrong boundary or a wrong code)",
                MAX_OVERLAP_SHARE * 100.0
            )
        } else {
            format!("{what}: a sliver of a simplified boundary, accepted")
        };
        findings.push(Finding { index: index as usize, error, message });
    }
    findings.sort_by_key(|f| f.index);
    Ok(findings)
}

/// Upserts the staged communes by code; equal ones are left alone. Returns the counts and
/// the codes of the communes inserted or changed.
pub async fn upsert(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<(Upserted, Vec<String>)> {
    let changed: Vec<(String, bool)> = sqlx::query_as(
        "INSERT INTO commune AS c (code, name, kind, province, geom)
         SELECT code, name, kind, province, geom FROM boundary_staging ORDER BY idx
         ON CONFLICT (code) DO UPDATE
            SET name = EXCLUDED.name, kind = EXCLUDED.kind, province = EXCLUDED.province, geom = EXCLUDED.geom,
                updated_at = now(), version = c.version + 1
          WHERE (c.name, c.kind, c.province, c.geom) IS DISTINCT FROM
                (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.province, EXCLUDED.geom)
         RETURNING code, (xmax = 0)",
    )
    .fetch_all(&mut **tx)
    .await?;
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM boundary_staging").fetch_one(&mut **tx).await?;
    let inserted = changed.iter().filter(|(_, new)| *new).count() as i64;
    let updated = changed.len() as i64 - inserted;
    let counts = Upserted { inserted, updated, unchanged: staged - inserted - updated };
    Ok((counts, changed.into_iter().map(|(code, _)| code).collect()))
}
