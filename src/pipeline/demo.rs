//! The demo commune (`data/demo/`, embedded in the binary) and the synthetic datasets for
//! benchmarks.

use crate::layers::LAYERS;
use crate::store::load::{BulkLoad, LoadCounts};
use anyhow::{Context, Result};
use rust_embed::RustEmbed;
use sqlx::PgPool;
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
