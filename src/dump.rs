//! Commune dumps: `kheo export --commune C` writes one commune's data and settings into a
//! zip, `kheo import DUMP.zip` restores it, in an empty database or over the same commune.
//!
//! The zip holds:
//! - `kheo-dump.json`, the [`Manifest`];
//! - one GeoJSON FeatureCollection per catalogue layer (`communes.geojson`,
//!   `groups.geojson`, `roads.geojson`, ...): the Features of the features endpoint for
//!   that commune, coordinates at full precision;
//! - `settings.json`, the commune's row of `commune_setting` (counted road classes, lit
//!   buffer, targets).
//!
//! Restoring is a sync of the commune (see [`crate::store::load`]): features are upserted
//! by key, the commune's features that the dump does not have are deleted, equal rows are
//! left alone, so importing the same dump twice changes nothing.

use crate::demo::BulkLoad;
use crate::layers::{self, LAYERS};
use crate::store::export::dump_query;
use crate::store::load::LoadCounts;
use anyhow::{Context, Result, anyhow, bail, ensure};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::io::{Cursor, Read, Write};

/// The manifest's name in the zip.
pub const MANIFEST: &str = "kheo-dump.json";
/// The settings' name in the zip.
pub const SETTINGS: &str = "settings.json";
/// The `format` of a manifest.
pub const FORMAT: &str = "kheo-dump";
/// The version of the dump format this kheo writes and reads.
pub const VERSION: u32 = 1;
/// At most this many entries in a dump (a zip bomb of many small files is refused).
pub const MAX_ENTRIES: usize = 50;
/// At most this many bytes uncompressed, counted while reading, not taken from the zip's
/// headers (which can lie).
pub const MAX_UNCOMPRESSED: u64 = 500 * 1024 * 1024;

/// `kheo-dump.json`: what a dump holds.
///
/// A dump is data and settings only: the commune's audit entries, its users and their
/// sessions are not in it; a restore writes no audit entries either.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `kheo-dump`.
    pub format: String,
    /// The format's version, [`VERSION`].
    pub version: u32,
    pub commune: ManifestCommune,
    pub created_at: DateTime<Utc>,
    /// The version of kheo that wrote it.
    pub kheo_version: String,
    /// One entry per catalogue layer, in catalogue order.
    pub layers: Vec<ManifestLayer>,
    /// The settings' file name, [`SETTINGS`].
    pub settings: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestCommune {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestLayer {
    /// The layer's id in the catalogue (`roads`).
    pub layer: String,
    /// Its FeatureCollection in the zip (`roads.geojson`).
    pub file: String,
    /// The number of features in that file.
    pub features: i64,
}

/// What restoring a dump did.
#[derive(Debug, Clone, Serialize)]
pub struct DumpReport {
    pub commune: String,
    /// Per layer, in catalogue order.
    pub layers: Vec<LayerReport>,
    /// Whether the commune's settings were changed.
    pub settings_changed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub layer: &'static str,
    #[serde(flatten)]
    pub counts: LoadCounts,
}

impl DumpReport {
    /// Whether the restore changed anything at all.
    pub fn changed(&self) -> bool {
        self.settings_changed || self.layers.iter().any(|l| l.counts != LoadCounts::default())
    }
}

/// Writes the dump of commune `code` (a zip, deflated).
pub async fn export_commune(pool: &PgPool, code: &str) -> Result<Vec<u8>> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM commune WHERE code = $1").bind(code).fetch_optional(pool).await?;
    let name = name.ok_or_else(|| anyhow!("unknown commune `{code}`"))?;
    // One snapshot for every layer: a concurrent edit never makes a dump inconsistent.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;

    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut manifest_layers = Vec::new();
    for layer in LAYERS {
        let file = format!("{}.geojson", layer.id);
        zip.start_file(file.as_str(), options)?;
        zip.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        let query = dump_query(layer);
        let mut rows = sqlx::query_scalar::<_, String>(&query).bind(code).fetch(&mut *tx);
        let mut features = 0i64;
        while let Some(feature) = rows.try_next().await? {
            if features > 0 {
                zip.write_all(b",\n")?;
            }
            zip.write_all(feature.as_bytes())?;
            features += 1;
        }
        drop(rows);
        zip.write_all(b"]}\n")?;
        manifest_layers.push(ManifestLayer { layer: layer.id.to_string(), file, features });
    }

    let settings: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT row_to_json(s)::jsonb FROM commune_setting s WHERE s.commune_code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    zip.start_file(SETTINGS, options)?;
    zip.write_all(&serde_json::to_vec_pretty(&settings.unwrap_or(serde_json::Value::Null))?)?;

    let manifest = Manifest {
        format: FORMAT.to_string(),
        version: VERSION,
        commune: ManifestCommune { code: code.to_string(), name },
        created_at: Utc::now(),
        kheo_version: env!("CARGO_PKG_VERSION").to_string(),
        layers: manifest_layers,
        settings: SETTINGS.to_string(),
    };
    zip.start_file(MANIFEST, options)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    Ok(zip.finish()?.into_inner())
}

/// Whether a file is a kheo dump: a zip holding `kheo-dump.json` (only the zip's
/// directory is read).
pub fn is_dump(file: impl std::io::Read + std::io::Seek) -> bool {
    zip::ZipArchive::new(file).map(|zip| zip.index_for_name(MANIFEST).is_some()).unwrap_or(false)
}

/// Reads a dump's entries with the limits against zip bombs.
struct DumpReader<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Uncompressed bytes still allowed.
    budget: u64,
}

impl<'a> DumpReader<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| anyhow!("this is not a kheo dump: it is not a zip file ({e})"))?;
        ensure!(zip.index_for_name(MANIFEST).is_some(), "this is not a kheo dump: the zip has no {MANIFEST}");
        ensure!(zip.len() <= MAX_ENTRIES, "this dump has {} entries; a kheo dump has at most {MAX_ENTRIES}", zip.len());
        Ok(DumpReader { zip, budget: MAX_UNCOMPRESSED })
    }

    /// The entry `name` as text, counting its bytes against the budget as they come.
    fn text(&mut self, name: &str) -> Result<String> {
        let entry = self.zip.by_name(name).map_err(|_| anyhow!("the dump lacks {name}, which its manifest names"))?;
        let mut bytes = Vec::new();
        // One byte past the budget tells that the budget is exceeded.
        entry.take(self.budget + 1).read_to_end(&mut bytes).with_context(|| format!("reading {name} in the dump"))?;
        if bytes.len() as u64 > self.budget {
            bail!("the dump unpacks to more than {} MiB; refused", MAX_UNCOMPRESSED / (1024 * 1024));
        }
        self.budget -= bytes.len() as u64;
        String::from_utf8(bytes).map_err(|_| anyhow!("{name} in the dump is not UTF-8 text"))
    }
}

/// Restores a dump made by [`export_commune`]: every layer and the settings in ONE
/// transaction, with the coverage rebuilt once at the end.
pub async fn import_dump(pool: &PgPool, bytes: &[u8]) -> Result<DumpReport> {
    let mut reader = DumpReader::open(bytes)?;
    let manifest: Manifest = serde_json::from_str(&reader.text(MANIFEST)?)
        .map_err(|e| anyhow!("this is not a kheo dump: {MANIFEST} is not a dump manifest ({e})"))?;
    ensure!(manifest.format == FORMAT, "this is not a kheo dump: its format is `{}`", manifest.format);
    ensure!(
        manifest.version == VERSION,
        "this dump has format version {}; this kheo reads version {VERSION} (update kheo)",
        manifest.version
    );
    let code = manifest.commune.code.clone();
    for entry in &manifest.layers {
        ensure!(layers::find(&entry.layer).is_some(), "the dump has an unknown layer `{}`", entry.layer);
    }

    let mut bulk = BulkLoad::begin(pool).await?;
    let mut report = DumpReport { commune: code.clone(), layers: Vec::new(), settings_changed: false };
    // In catalogue order, whatever the manifest's order: the commune before its groups and
    // works.
    for layer in LAYERS {
        let Some(entry) = manifest.layers.iter().find(|l| l.layer == layer.id) else { continue };
        let text = reader.text(&entry.file)?;
        // Checked by PostgreSQL, which parses the file anyway: a FeatureCollection of the
        // manifest's commune with as many features as the manifest says.
        let (is_collection, count, strangers): (bool, i64, i64) = sqlx::query_as(
            "SELECT jsonb_typeof(d->'features') = 'array',
                    CASE WHEN jsonb_typeof(d->'features') = 'array' THEN jsonb_array_length(d->'features')::bigint END,
                    (SELECT count(*) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d->'features') = 'array'
                                                               THEN d->'features' ELSE '[]' END) AS f
                      WHERE coalesce(f->'properties'->>'commune', f->'properties'->>'code') IS DISTINCT FROM $2)
               FROM (SELECT $1::jsonb AS d) AS doc",
        )
        .bind(&text)
        .bind(&code)
        .fetch_one(&mut *bulk.tx)
        .await
        .with_context(|| format!("{} in the dump is not JSON", entry.file))?;
        ensure!(is_collection, "{} in the dump is not a FeatureCollection", entry.file);
        ensure!(
            count == entry.features,
            "{} in the dump has {count} features, its manifest says {}",
            entry.file,
            entry.features
        );
        ensure!(strangers == 0, "{} in the dump has {strangers} features of another commune than {code}", entry.file);

        let mut counts = bulk.load(layer, &text).await.with_context(|| format!("loading {}", entry.file))?;
        if count == 0 && layer.role != layers::Role::Boundary {
            // An empty file names no commune, so the sync deletes nothing by itself: the
            // commune has no such features any more.
            let sql = format!("DELETE FROM {} WHERE {} = $1", layer.table, layer.commune_column);
            counts.deleted += sqlx::query(&sql).bind(&code).execute(&mut *bulk.tx).await?.rows_affected() as i64;
        }
        report.layers.push(LayerReport { layer: layer.id, counts });
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM commune WHERE code = $1)")
        .bind(&code)
        .fetch_one(&mut *bulk.tx)
        .await?;
    ensure!(
        exists,
        "the dump does not hold commune {code} itself (communes.geojson), and this database has no such commune"
    );
    bulk.touch(&code);

    // Before the coverage rebuild: the lit buffer changes the lit roads.
    let settings: serde_json::Value = serde_json::from_str(&reader.text(&manifest.settings)?)
        .with_context(|| format!("{} in the dump is not JSON", manifest.settings))?;
    if !settings.is_null() {
        // drain_buffer_m came later: a dump without it keeps the commune's own.
        for key in ["counted_classes", "lit_buffer_m", "targets"] {
            ensure!(
                settings.get(key).is_some_and(|v| !v.is_null()),
                "{} in the dump has no `{key}`",
                manifest.settings
            );
        }
        let changed = sqlx::query(
            "INSERT INTO commune_setting AS s (commune_code, counted_classes, lit_buffer_m, drain_buffer_m, targets)
             SELECT $1, ARRAY(SELECT jsonb_array_elements_text($2::jsonb->'counted_classes')),
                    ($2::jsonb->>'lit_buffer_m')::double precision,
                    coalesce(($2::jsonb->>'drain_buffer_m')::double precision,
                             (SELECT drain_buffer_m FROM commune_setting WHERE commune_code = $1), 10),
                    $2::jsonb->'targets'
             ON CONFLICT (commune_code) DO UPDATE
                SET counted_classes = EXCLUDED.counted_classes, lit_buffer_m = EXCLUDED.lit_buffer_m,
                    drain_buffer_m = EXCLUDED.drain_buffer_m, targets = EXCLUDED.targets, updated_at = now()
              WHERE (s.counted_classes, s.lit_buffer_m, s.drain_buffer_m, s.targets)
                    IS DISTINCT FROM (EXCLUDED.counted_classes, EXCLUDED.lit_buffer_m, EXCLUDED.drain_buffer_m,
                                      EXCLUDED.targets)",
        )
        .bind(&code)
        .bind(&settings)
        .execute(&mut *bulk.tx)
        .await
        .with_context(|| format!("restoring {}", manifest.settings))?
        .rows_affected();
        report.settings_changed = changed > 0;
    }
    bulk.finish().await?;
    Ok(report)
}
