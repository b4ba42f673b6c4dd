//! The demo commune (`data/demo/`, embedded in the binary) and the synthetic datasets for
//! benchmarks.

use crate::layers::{LAYERS, Layer};
use crate::store::load::{LoadCounts, load_collection};
use anyhow::{Context, Result};
use rust_embed::RustEmbed;
use sqlx::{PgPool, Postgres, Transaction};
use std::path::Path;

/// `data/demo/*.geojson`, one file per layer, named by layer id.
#[derive(RustEmbed)]
#[folder = "data/demo/"]
#[include = "*.geojson"]
struct DemoFiles;

/// Loads the embedded demo commune, or the `<layer>.geojson` files of `dir`, in one
/// transaction. Idempotent: a second load changes no row.
pub async fn load(pool: &PgPool, dir: Option<&Path>) -> Result<Vec<(&'static str, LoadCounts)>> {
    let mut bulk = BulkLoad::begin(pool).await?;
    let mut report = Vec::new();
    for layer in LAYERS {
        let file = format!("{}.geojson", layer.id);
        let text = match dir {
            Some(dir) => match std::fs::read_to_string(dir.join(&file)) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(e).with_context(|| format!("reading {}", dir.join(&file).display()));
                }
            },
            None => DemoFiles::get(&file).map(|f| String::from_utf8_lossy(&f.data).into_owned()),
        };
        let Some(text) = text else { continue };
        let counts = bulk.load(layer, &text).await.with_context(|| format!("loading {file}"))?;
        report.push((layer.id, counts));
    }
    bulk.finish().await?;
    Ok(report)
}

/// A bulk load of FeatureCollections (the demo, a commune dump): one transaction in which
/// the derived coverage is deferred, then rebuilt once per commune touched at the end,
/// not once per row.
pub struct BulkLoad {
    /// The transaction, for what a loader writes besides the collections (settings).
    pub tx: Transaction<'static, Postgres>,
    communes: Vec<String>,
}

impl BulkLoad {
    pub async fn begin(pool: &PgPool) -> Result<Self> {
        let mut tx = pool.begin().await?;
        sqlx::query("SET LOCAL kheo.coverage = 'deferred'").execute(&mut *tx).await?;
        Ok(BulkLoad { tx, communes: Vec::new() })
    }

    /// Syncs `layer` with the FeatureCollection `collection` (GeoJSON text), see
    /// [`load_collection`], and notes the communes it touches.
    pub async fn load(&mut self, layer: &Layer, collection: &str) -> Result<LoadCounts> {
        let counts = load_collection(&mut self.tx, layer, collection).await?;
        self.communes.extend(crate::store::load::communes_of(&mut self.tx, collection).await?);
        Ok(counts)
    }

    /// Notes a commune whose coverage must be rebuilt, when the loader changed it otherwise.
    pub fn touch(&mut self, commune: &str) {
        self.communes.push(commune.to_string());
    }

    /// Rebuilds the coverage of the communes touched and commits.
    pub async fn finish(mut self) -> Result<()> {
        self.communes.sort();
        self.communes.dedup();
        for commune in &self.communes {
            sqlx::query("SELECT coverage_rebuild($1)").bind(commune).execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
