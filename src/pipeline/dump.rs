//! Commune dumps: `kheo export --commune C` writes one commune's data and settings into a
//! zip, `kheo import DUMP.zip` restores it, in an empty database or over the same commune.
//!
//! The zip holds:
//! - `kheo-dump.json`, the [`Manifest`];
//! - one GeoJSON FeatureCollection per catalogue layer (`communes.geojson`,
//!   `groups.geojson`, `roads.geojson`, ...): the Features of the features endpoint for
//!   that commune, coordinates at full precision;
//! - `settings.json`, the commune's row of `commune_setting` (counted road classes, lit
//!   buffer, targets);
//! - `photos.json`, the metadata of the photos of the commune's works (see
//!   [`crate::store::photos::DumpedPhoto`]), and under `photos/` each photo as stored
//!   (`photos/17.jpg` or `.png`) and its thumbnail (`photos/17-thumb.jpg`), uncompressed
//!   (they are JPEG and PNG already).
//!
//! Restoring is a sync of the commune (see [`crate::store::load`]): features are upserted
//! by key, the commune's features that the dump does not have are deleted, equal rows are
//! left alone, so importing the same dump twice changes nothing. Photos are synced the
//! same way, by id. A dump made before photos existed (no `photos` in its manifest) says
//! nothing about photos: the photos of the features it keeps are left alone.

use crate::layers::{self, LAYERS};
use crate::store::dump::{self as dump_store, CollectionCheck};
use crate::store::load::{BulkLoad, LoadCounts};
use crate::store::{communes, photos as photo_store};
use anyhow::{Context, Result, anyhow, bail, ensure};
use chrono::{DateTime, Utc};
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
/// The photos' metadata in the zip.
pub const PHOTOS: &str = "photos.json";
/// The folder of the photo files in the zip.
pub const PHOTO_FOLDER: &str = "photos/";
/// At most this many photos in a dump (two entries each, besides the [`MAX_ENTRIES`]).
pub const MAX_PHOTOS: usize = 50_000;
/// At most this many bytes in one photo file: more than any photo kheo stores (a
/// 2,560-pixel PNG of noise is some 26 MB).
pub const MAX_PHOTO_FILE: u64 = 64 * 1024 * 1024;

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
    /// The photos, in dumps made since kheo had them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photos: Option<ManifestPhotos>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestPhotos {
    /// Their metadata's file, [`PHOTOS`].
    pub file: String,
    /// How many photos it lists.
    pub count: usize,
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
    /// What happened to the photos; none when the dump has no photos' list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<LoadCounts>,
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
        self.settings_changed
            || self.layers.iter().any(|l| l.counts != LoadCounts::default())
            || self.photos.is_some_and(|p| p != LoadCounts::default())
    }
}

/// Writes the dump of commune `code` (a zip) in memory.
pub async fn export_commune(pool: &PgPool, code: &str) -> Result<Vec<u8>> {
    Ok(export_commune_to(pool, code, Cursor::new(Vec::new())).await?.into_inner())
}

/// Writes the dump of commune `code` (a zip) to `out`, one photo at a time: a commune's
/// photos never sit in memory together.
pub async fn export_commune_to<W: Write + std::io::Seek>(pool: &PgPool, code: &str, out: W) -> Result<W> {
    let name = communes::name(pool, code).await?.ok_or_else(|| anyhow!("unknown commune `{code}`"))?;
    // One snapshot for every layer: a concurrent edit never makes a dump inconsistent.
    let mut tx = dump_store::snapshot(pool).await?;

    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(out);
    let mut manifest_layers = Vec::new();
    for layer in LAYERS {
        let file = format!("{}.geojson", layer.id);
        zip.start_file(file.as_str(), options)?;
        zip.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        let mut first = true;
        let features = dump_store::each_feature(&mut tx, layer, code, |feature| {
            if !first {
                zip.write_all(b",\n")?;
            }
            first = false;
            zip.write_all(feature.as_bytes())?;
            Ok::<_, anyhow::Error>(())
        })
        .await?;
        zip.write_all(b"]}\n")?;
        manifest_layers.push(ManifestLayer { layer: layer.id.to_string(), file, features });
    }

    let settings = dump_store::settings(&mut tx, code).await?;
    let photos = write_photos(&mut tx, &mut zip, code).await?;
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
        photos: Some(ManifestPhotos { file: PHOTOS.to_string(), count: photos }),
    };
    zip.start_file(MANIFEST, options)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    Ok(zip.finish()?)
}

/// The names of a photo's files in a dump.
fn photo_files(id: i64, content_type: &str) -> (String, String) {
    let extension = if content_type == "image/png" { "png" } else { "jpg" };
    (format!("{PHOTO_FOLDER}{id}.{extension}"), format!("{PHOTO_FOLDER}{id}-thumb.jpg"))
}

/// Writes the photos of commune `code` and their list into `zip`; returns how many.
async fn write_photos<W: Write + std::io::Seek>(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    zip: &mut zip::ZipWriter<W>,
    code: &str,
) -> Result<usize> {
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut photos = photo_store::of_commune(tx, code).await?;
    for photo in &mut photos {
        (photo.file, photo.thumb_file) = photo_files(photo.id, &photo.content_type);
        let (image, thumbnail) = photo_store::both_bytes(tx, photo.id).await?;
        zip.start_file(photo.file.as_str(), stored)?;
        zip.write_all(&image)?;
        zip.start_file(photo.thumb_file.as_str(), stored)?;
        zip.write_all(&thumbnail)?;
    }
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(PHOTOS, options)?;
    zip.write_all(&serde_json::to_vec_pretty(&photos)?)?;
    Ok(photos.len())
}

/// Whether a file is a kheo dump: a zip holding `kheo-dump.json` (only the zip's
/// directory is read).
pub fn is_dump(file: impl std::io::Read + std::io::Seek) -> bool {
    zip::ZipArchive::new(file).map(|zip| zip.index_for_name(MANIFEST).is_some()).unwrap_or(false)
}

/// Reads a dump's entries with the limits against zip bombs.
struct DumpReader<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Uncompressed bytes still allowed, for the text files.
    budget: u64,
    /// Uncompressed bytes still allowed, for the photo files: twice the dump's own size.
    /// JPEG and PNG do not compress, so a real dump's photos unpack to less than the dump;
    /// a bomb of deflated zeros (or of entries sharing their packed bytes) is stopped at
    /// that.
    photo_budget: u64,
}

impl<'a> DumpReader<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| anyhow!("this is not a kheo dump: it is not a zip file ({e})"))?;
        ensure!(zip.index_for_name(MANIFEST).is_some(), "this is not a kheo dump: the zip has no {MANIFEST}");
        let photo_files = zip.file_names().filter(|n| n.as_ref().is_ok_and(|n| n.starts_with(PHOTO_FOLDER))).count();
        let others = zip.len() - photo_files;
        ensure!(
            others <= MAX_ENTRIES,
            "this dump has {others} entries besides its photos; a kheo dump has at most {MAX_ENTRIES}"
        );
        ensure!(
            photo_files <= 2 * MAX_PHOTOS,
            "this dump has {photo_files} photo files; a kheo dump has at most {} ({MAX_PHOTOS} photos)",
            2 * MAX_PHOTOS
        );
        let photo_budget = 2 * bytes.len() as u64 + 1024 * 1024;
        Ok(DumpReader { zip, budget: MAX_UNCOMPRESSED, photo_budget })
    }

    /// The photo file `name`, at most [`MAX_PHOTO_FILE`] bytes, counted against the photo
    /// budget as they come.
    fn photo(&mut self, name: &str) -> Result<Vec<u8>> {
        ensure!(name.starts_with(PHOTO_FOLDER), "{name} is not in the dump's {PHOTO_FOLDER} folder");
        let entry = self.zip.by_name(name).map_err(|_| anyhow!("the dump lacks {name}, which {PHOTOS} names"))?;
        let limit = MAX_PHOTO_FILE.min(self.photo_budget);
        let mut bytes = Vec::new();
        entry.take(limit + 1).read_to_end(&mut bytes).with_context(|| format!("reading {name} in the dump"))?;
        ensure!(
            bytes.len() as u64 <= limit,
            "{name} in the dump unpacks to more than {} MiB (a photo file has at most {} MiB, and a dump's photos unpack to at most twice the dump); refused",
            limit / (1024 * 1024),
            MAX_PHOTO_FILE / (1024 * 1024)
        );
        self.photo_budget -= bytes.len() as u64;
        Ok(bytes)
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
    let mut report = DumpReport { commune: code.clone(), layers: Vec::new(), settings_changed: false, photos: None };
    // In catalogue order, whatever the manifest's order: the commune before its groups and
    // works.
    for layer in LAYERS {
        let Some(entry) = manifest.layers.iter().find(|l| l.layer == layer.id) else { continue };
        let text = reader.text(&entry.file)?;
        // Checked by PostgreSQL, which parses the file anyway: a FeatureCollection of the
        // manifest's commune with as many features as the manifest says.
        let CollectionCheck { is_collection, count, strangers } =
            dump_store::check_collection(&mut bulk.tx, &text, &code)
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
            counts.deleted += dump_store::delete_commune_features(&mut bulk.tx, layer, &code).await? as i64;
        }
        report.layers.push(LayerReport { layer: layer.id, counts });
    }
    let exists = communes::exists(&mut *bulk.tx, &code).await?;
    ensure!(
        exists,
        "the dump does not hold commune {code} itself (communes.geojson), and this database has no such commune"
    );
    bulk.touch(&code);
    if let Some(photos) = &manifest.photos {
        report.photos = Some(restore_photos(&mut bulk.tx, &mut reader, &code, photos).await?);
    }

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
        let changed = dump_store::restore_settings(&mut bulk.tx, &code, &settings)
            .await
            .with_context(|| format!("restoring {}", manifest.settings))?;
        report.settings_changed = changed > 0;
    }
    bulk.finish().await?;
    Ok(report)
}

/// Syncs the photos of commune `code` with the dump's: each one checked (its files, their
/// SHA-256 and dimensions, its feature in the commune) and written back unless equal; the
/// commune's photos the dump does not list are deleted.
async fn restore_photos(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    reader: &mut DumpReader<'_>,
    code: &str,
    listed: &ManifestPhotos,
) -> Result<LoadCounts> {
    let photos: Vec<photo_store::DumpedPhoto> = serde_json::from_str(&reader.text(&listed.file)?)
        .with_context(|| format!("{} in the dump is not a list of photos", listed.file))?;
    ensure!(
        photos.len() == listed.count,
        "{} in the dump lists {} photos, its manifest says {}",
        listed.file,
        photos.len(),
        listed.count
    );
    ensure!(photos.len() <= MAX_PHOTOS, "the dump has {} photos; at most {MAX_PHOTOS}", photos.len());
    let mut ids: Vec<i64> = photos.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ensure!(ids.windows(2).all(|w| w[0] != w[1]), "{} in the dump lists a photo id twice", listed.file);

    let mut counts = LoadCounts::default();
    for photo in &photos {
        let (image, thumbnail) = checked_photo(reader, photo)?;
        let layer = layers::find(&photo.layer)
            .filter(|l| crate::photos::takes_photos(l))
            .ok_or_else(|| anyhow!("photo {} in the dump is of `{}`, which has no photos", photo.id, photo.layer))?;
        let owner = photo_store::feature_commune(tx, layer, photo.feature_id, false).await?;
        ensure!(
            owner.as_ref().is_some_and(|(commune, _)| commune == code),
            "photo {} in the dump is of feature {} of {}, which commune {code} does not have",
            photo.id,
            photo.feature_id,
            layer.id
        );
        let existing = photo_store::commune_of(tx, photo.id).await?;
        if let Some(other) = existing.as_deref().filter(|c| *c != code) {
            bail!("photo {} in the dump already exists in commune {other}", photo.id);
        }
        if photo_store::restore(tx, code, photo, &image, &thumbnail).await? {
            if existing.is_some() {
                counts.updated += 1;
            } else {
                counts.inserted += 1;
            }
        }
    }
    counts.deleted = photo_store::delete_others(tx, code, &ids).await? as i64;
    Ok(counts)
}

/// The image and thumbnail of a dumped photo, read from the dump and checked against its
/// metadata: the files named after its id, the image's SHA-256, the formats and
/// dimensions their headers declare (nothing is decoded).
fn checked_photo(reader: &mut DumpReader<'_>, photo: &photo_store::DumpedPhoto) -> Result<(Vec<u8>, Vec<u8>)> {
    use sha2::Digest;
    let id = photo.id;
    ensure!(
        ["image/jpeg", "image/png"].contains(&photo.content_type.as_str()),
        "photo {id} in the dump has the type `{}`; photos are image/jpeg or image/png",
        photo.content_type
    );
    let (file, thumb_file) = photo_files(id, &photo.content_type);
    let image = reader.photo(&file)?;
    let sha256: String = sha2::Sha256::digest(&image).iter().map(|b| format!("{b:02x}")).collect();
    ensure!(sha256 == photo.sha256, "{file} in the dump is not the photo its list describes (SHA-256 differs)");
    let header = |bytes: &[u8], name: &str| {
        crate::photos::check_header(bytes).map_err(|e| anyhow!("{name} in the dump is not a photo kheo keeps: {e}"))
    };
    let (format, width, height) = header(&image, &file)?;
    ensure!(
        format.content_type() == photo.content_type && (width as i32, height as i32) == (photo.width, photo.height),
        "{file} in the dump is a {} of {width} × {height} pixels; its list says {} of {} × {}",
        format.content_type(),
        photo.content_type,
        photo.width,
        photo.height
    );
    let thumbnail = reader.photo(&thumb_file)?;
    let (format, width, height) = header(&thumbnail, &thumb_file)?;
    ensure!(
        format == crate::photos::Format::Jpeg
            && (width as i32, height as i32) == (photo.thumb_width, photo.thumb_height),
        "{thumb_file} in the dump is not the JPEG thumbnail of {} × {} pixels its list describes",
        photo.thumb_width,
        photo.thumb_height
    );
    if let Some(position) = &photo.position {
        ensure!(
            matches!(position[..], [lon, lat] if lon.abs() <= 180.0 && lat.abs() <= 90.0),
            "photo {id} in the dump has a position that is not [lon, lat] in degrees"
        );
    }
    Ok((image, thumbnail))
}
