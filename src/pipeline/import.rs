//! The import pipeline: a file read by `crate::import` becomes features of a layer (its
//! SQL is in `crate::store::import` and the store modules it names).
//!
//! 1. Survey the file (a first read, features dropped as they come): format, CRS,
//!    attribute names, count, and every error that refuses the whole file, before the
//!    database is touched.
//! 2. Decide the CRS: the one asked for, else the file's, else WGS 84 — but a Shapefile
//!    without .prj must be told.
//! 3. Map source attributes to the layer's fields: the caller's mapping first, then by name,
//!    Vietnamese or English title, accents and case ignored (`"Mặt đường"`, `"mat_duong"` and
//!    `"surface"` all find `surface`).
//! 4. Read the file again and check the features in batches as they come: values against
//!    the catalogue, geometries in PostGIS (moved to WGS 84, type, validity, extent,
//!    lat/lon swapped, at most [`MAX_VERTICES`] vertices), and a warning when one lies
//!    outside the commune. A real run inserts each batch in one transaction (with an audit
//!    entry each) while no feature has an error.
//! 5. A dry run stops there. A real run with any error rolls back and writes nothing;
//!    otherwise it rebuilds the commune's coverage once and commits.
//!
//! Memory: the file is never held whole, nor are its features: the reader hands them over
//! in batches of at most [`BATCH_FEATURES`] features or [`BATCH_BYTES`] bytes through a
//! channel of one batch, so an import holds a few batches whatever the file's size. The
//! report lists at most [`MAX_REPORTED`] features (the counts are always whole).

use crate::import::{self, Format, Input, Limits, ReadError, ReadOptions, SourceFeature, SourceGeometry};
use crate::layers::{GeometryKind, Layer, Role};
use crate::model::limits::MAX_VERTICES;
use crate::model::values;
use crate::store::audit::{self, Action};
use crate::store::geometry::{self, Rules};
use crate::store::{boundaries, coverage, edit, import as import_store, load};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

/// The most features checked and inserted at once.
pub const BATCH_FEATURES: usize = 1_000;
/// The most bytes of geometry text and attribute values in a batch (a feature larger than
/// this is a batch of its own): each batch is copied a few times on its way to PostGIS
/// and back, so this bounds an import's memory.
pub const BATCH_BYTES: usize = 1024 * 1024;
/// The most features the report lists (with their errors or warnings); the rest are
/// counted in `features_omitted`.
pub const MAX_REPORTED: usize = 1_000;

/// The coordinate systems kheo imports from: WGS 84, VN-2000 (geographic, UTM, the TM-3
/// zones) and WGS 84 / UTM 48N and 49N.
pub const ACCEPTED_CRS: &[u32] = &[
    4326, 4756, 3405, 3406, 5896, 5897, 5898, 5899, 6956, 6957, 6958, 6959, 9205, 9206, 9207, 9208, 9209, 9210, 9211,
    9212, 9213, 9214, 9215, 9216, 9217, 9218, 32648, 32649,
];

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request {
    pub file_name: String,
    pub layer: &'static Layer,
    pub commune: String,
    /// EPSG code asked for; overrides what the file says.
    pub crs: Option<u32>,
    /// Source attribute -> layer field.
    pub mapping: BTreeMap<String, String>,
    /// Field -> value for features that do not give one (a GPX track has no road class).
    pub defaults: Map<String, Value>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    /// Apply `ST_MakeValid` to invalid geometries instead of refusing them.
    pub repair: bool,
    /// Who imports (the audit log's actor).
    pub actor: String,
    pub extent: [f64; 4],
    /// Dates after this are refused (today in Vietnam).
    pub today: NaiveDate,
}

/// One problem of one feature.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// `geometry`, or the layer field the value was for.
    pub field: String,
    pub message: String,
}

/// A feature with something to say.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureReport {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub read: usize,
    pub valid: usize,
    pub invalid: usize,
    /// Features of another geometry kind left out of a KML, KMZ or GPX (waypoints when
    /// importing roads, tracks when importing model sites).
    pub skipped: usize,
    pub inserted: usize,
}

/// The answer to an import: what was read, how it maps, and every feature's errors and
/// warnings (features without either are left out).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub format: Format,
    pub crs: String,
    pub layer: &'static str,
    /// The commune imported into (none for communes themselves).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub commune: String,
    /// Source attribute -> layer field, as used.
    pub mapping: BTreeMap<String, String>,
    /// Source attributes that went nowhere.
    pub ignored: Vec<String>,
    pub warnings: Vec<String>,
    pub counts: Counts,
    pub features: Vec<FeatureReport>,
    /// Features with errors or warnings left out of `features` (past [`MAX_REPORTED`]).
    #[serde(skip_serializing_if = "is_zero")]
    pub features_omitted: usize,
    /// A boundary import (communes): how many were inserted, changed, left as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communes: Option<boundaries::Upserted>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// Whether the import was refused for its features' errors.
    pub fn has_errors(&self) -> bool {
        self.counts.invalid > 0
    }
}

/// Why a whole file was refused (the features' own errors are in the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}")]
    Crs(String),
    #[error("{0}")]
    Mapping(String),
    #[error("there is no commune `{0}`")]
    UnknownCommune(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The reader's thread failed (a bug): the caller answers 500.
    #[error("the reader failed: {0}")]
    Internal(String),
}

impl ImportError {
    /// A short stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Read(e) => e.code(),
            ImportError::Crs(_) => "unknown_crs",
            ImportError::Mapping(_) => "bad_mapping",
            ImportError::UnknownCommune(_) => "unknown_commune",
            ImportError::Database(_) => "database",
            ImportError::Internal(_) => "internal",
        }
    }
}

/// Parses `EPSG:9208`, `epsg:9208` or `9208`.
pub fn parse_crs(text: &str) -> Result<u32, ImportError> {
    let digits = text.trim();
    let digits = digits.strip_prefix("EPSG:").or_else(|| digits.strip_prefix("epsg:")).unwrap_or(digits);
    let code: u32 = digits.parse().map_err(|_| {
        ImportError::Crs(format!("`{text}` is not a coordinate system; write EPSG:N, for example EPSG:9208"))
    })?;
    accepted(code)
}

fn accepted(code: u32) -> Result<u32, ImportError> {
    if ACCEPTED_CRS.contains(&code) {
        Ok(code)
    } else {
        Err(ImportError::Crs(format!(
            "EPSG:{code} is not a coordinate system kheo imports from; use WGS 84 (EPSG:4326) or VN-2000 (EPSG:4756, 3405, 3406, 5896-5899, 9205-9218)"
        )))
    }
}

/// Reads, checks and (unless a dry run or an error) writes `input`, under `limits`.
/// `Ok(report)` with errors in it means nothing was written.
pub async fn run(pool: &PgPool, input: &Input, request: &Request, limits: &Limits) -> Result<Report, ImportError> {
    let layer = request.layer;
    // Boundaries (communes) are the communes themselves: staged, checked against each other
    // and the communes loaded, then upserted by code (store::boundaries).
    let boundary = layer.role == Role::Boundary;
    if !boundary && !crate::store::communes::exists(pool, &request.commune).await? {
        return Err(ImportError::UnknownCommune(request.commune.clone()));
    }
    let options = ReadOptions { encoding: request.encoding.clone() };
    let header = survey(input, &request.file_name, &options, limits).await?;
    let mut warnings = header.warnings.clone();

    let crs = match (request.crs, header.crs) {
        (Some(asked), Some(declared)) if asked != declared => {
            warnings.push(format!("the file says EPSG:{declared}; EPSG:{asked} is used as asked"));
            accepted(asked)?
        }
        (Some(asked), _) => accepted(asked)?,
        (None, Some(declared)) => accepted(declared)?,
        (None, None) if header.format == Format::Shapefile => {
            return Err(ReadError::MissingPrj { shp: request.file_name.clone() }.into());
        }
        (None, None) => 4326,
    };
    if header.format == Format::Shapefile && header.crs.is_none() {
        // The reader's "no .prj" warning is answered by the crs given.
        warnings.retain(|w| !w.contains(".prj"));
    }

    let (mapping, ignored) = map_attributes(pool, layer, &header.names, &request.mapping).await?;
    for name in request.defaults.keys() {
        if layer.field(name).is_none() {
            return Err(ImportError::Mapping(format!(
                "the defaults name `{name}`, which is not a field of {}",
                layer.id
            )));
        }
    }

    // A boundary import stages its communes even in a dry run, to check their overlaps;
    // the dry run then rolls back.
    let mut tx = if request.dry_run && !boundary {
        None
    } else {
        let mut tx = pool.begin().await?;
        if boundary {
            boundaries::begin(&mut tx).await?;
        } else {
            // Coverage is rebuilt once for the commune at the end rather than row by row.
            load::defer_coverage(&mut tx).await?;
        }
        Some(tx)
    };
    let mut check = Checking {
        pool,
        request,
        mapping: &mapping,
        rules: Rules { kind: layer.geometry, extent: request.extent, repair: request.repair },
        srid: crs as i32,
        mixed: matches!(header.format, Format::Kml | Format::Kmz | Format::Gpx),
        tally: Tally::default(),
    };
    let (batches, reader) = read_in_batches(input, &request.file_name, &options, limits);
    let mut batches = batches;
    while let Some(batch) = batches.recv().await {
        let ready = check.batch(batch).await?;
        if boundary && let Some(tx) = tx.as_mut() {
            boundaries::stage(tx, &ready).await?;
        } else if let Some(tx) = tx.as_mut()
            && check.tally.invalid == 0
            && !ready.is_empty()
        {
            let ready: Vec<(Map<String, Value>, String)> = ready.into_iter().map(|(_, p, g)| (p, g)).collect();
            let keys = edit::insert_many(tx, layer, &request.commune, &ready).await?;
            audit::record_new(tx, &request.actor, layer, &keys, Action::Import).await?;
            check.tally.inserted += keys.len();
        }
    }
    match reader.await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => return Err(error.into()),
        Err(join) => return Err(ImportError::Internal(join.to_string())),
    }

    if boundary && let Some(tx) = tx.as_mut() {
        check.boundary_findings(tx).await?;
    }
    let tally = check.tally;
    if tally.skipped > 0 {
        let kind = match layer.geometry {
            GeometryKind::Point => "points",
            GeometryKind::Line => "lines",
            GeometryKind::Polygon => "polygons",
        };
        warnings.push(format!("{} features of another kind were left out: {} holds {kind}", tally.skipped, layer.id));
    }
    let mut report = Report {
        dry_run: request.dry_run,
        format: header.format,
        crs: format!("EPSG:{crs}"),
        layer: layer.id,
        commune: request.commune.clone(),
        mapping,
        ignored,
        warnings,
        counts: Counts {
            read: header.count,
            valid: header.count - tally.invalid - tally.skipped,
            invalid: tally.invalid,
            skipped: tally.skipped,
            inserted: 0,
        },
        features: tally.reports,
        features_omitted: tally.omitted,
        communes: None,
    };
    if boundary {
        if let Some(mut tx) = tx
            && !report.has_errors()
            && !request.dry_run
        {
            let (counts, changed) = boundaries::upsert(&mut tx).await?;
            audit::record_new(&mut tx, &request.actor, layer, &changed, Action::Import).await?;
            tx.commit().await?;
            report.counts.inserted = counts.inserted as usize;
            report.communes = Some(counts);
        }
        return Ok(report);
    }
    if let Some(mut tx) = tx
        && !report.has_errors()
    {
        coverage::rebuild_one(&mut tx, &request.commune).await?;
        tx.commit().await?;
        report.counts.inserted = tally.inserted;
    }
    Ok(report)
}

/// The first read: what the file holds, without keeping any feature.
async fn survey(
    input: &Input,
    file_name: &str,
    options: &ReadOptions,
    limits: &Limits,
) -> Result<import::Header, ImportError> {
    let (input, file_name, options, limits) = (input.clone(), file_name.to_string(), options.clone(), *limits);
    let read = tokio::task::spawn_blocking(move || {
        import::read_each(&file_name, &input, &options, &limits, &mut |_| ControlFlow::Continue(()))
    });
    match read.await {
        Ok(header) => Ok(header?),
        Err(join) => Err(ImportError::Internal(join.to_string())),
    }
}

/// A feature as it travels from the reader to the checks: its geometry already text.
struct Prepared {
    index: usize,
    kind: Option<GeometryKind>,
    geometry: Option<PreparedGeometry>,
    properties: Map<String, Value>,
}

enum PreparedGeometry {
    GeoJson(String),
    Wkt(String),
    Oversized(usize),
}

impl Prepared {
    fn from(feature: SourceFeature) -> Prepared {
        let kind = kind_of(feature.geometry.as_ref());
        let geometry = feature.geometry.map(|g| match g {
            SourceGeometry::GeoJson(v) => PreparedGeometry::GeoJson(v.to_string()),
            SourceGeometry::Wkt(w) => PreparedGeometry::Wkt(w),
            SourceGeometry::Oversized { vertices, .. } => PreparedGeometry::Oversized(vertices),
        });
        Prepared { index: feature.index, kind, geometry, properties: feature.properties }
    }

    /// Roughly the bytes it holds.
    fn size(&self) -> usize {
        let geometry = match &self.geometry {
            Some(PreparedGeometry::GeoJson(t) | PreparedGeometry::Wkt(t)) => t.len(),
            _ => 0,
        };
        let properties: usize =
            self.properties.iter().map(|(k, v)| k.len() + v.as_str().map_or(16, str::len) + 32).sum();
        geometry + properties + 64
    }
}

/// The second read, on a thread of its own: batches of prepared features through a
/// channel of one batch, so that the reader waits while the checks run.
fn read_in_batches(
    input: &Input,
    file_name: &str,
    options: &ReadOptions,
    limits: &Limits,
) -> (tokio::sync::mpsc::Receiver<Vec<Prepared>>, tokio::task::JoinHandle<Result<import::Header, ReadError>>) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<Prepared>>(1);
    let (input, file_name, options, limits) = (input.clone(), file_name.to_string(), options.clone(), *limits);
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch: Vec<Prepared> = Vec::new();
        let mut bytes = 0;
        let header = import::read_each(&file_name, &input, &options, &limits, &mut |feature| {
            let prepared = Prepared::from(feature);
            bytes += prepared.size();
            batch.push(prepared);
            if batch.len() >= BATCH_FEATURES || bytes >= BATCH_BYTES {
                bytes = 0;
                if sender.blocking_send(std::mem::take(&mut batch)).is_err() {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        if header.is_ok() && !batch.is_empty() {
            // The receiver gone means the import failed; its error is the one reported.
            let _ = sender.blocking_send(batch);
        }
        header
    });
    (receiver, reader)
}

/// What the checks found so far.
#[derive(Default)]
struct Tally {
    invalid: usize,
    skipped: usize,
    inserted: usize,
    reports: Vec<FeatureReport>,
    omitted: usize,
}

impl Tally {
    fn report(&mut self, report: FeatureReport) {
        if self.reports.len() < MAX_REPORTED {
            self.reports.push(report);
        } else {
            self.omitted += 1;
        }
    }
}

/// Checks batches of features against the layer.
struct Checking<'a> {
    pool: &'a PgPool,
    request: &'a Request,
    mapping: &'a BTreeMap<String, String>,
    rules: Rules,
    srid: i32,
    /// KML, KMZ and GPX mix kinds: features of another kind are left out, not refused.
    mixed: bool,
    tally: Tally,
}

impl Checking<'_> {
    /// Checks one batch; returns the rows ready to insert (properties, WGS 84 GeoJSON).
    async fn batch(&mut self, batch: Vec<Prepared>) -> Result<Vec<(usize, Map<String, Value>, String)>, ImportError> {
        let layer = self.request.layer;
        let mut pending = Vec::with_capacity(batch.len());
        for feature in batch {
            if self.mixed && feature.kind.is_some_and(|k| k != layer.geometry) {
                self.tally.skipped += 1;
                continue;
            }
            let (properties, mut errors) = self.values(&feature.properties);
            match &feature.geometry {
                None => errors.push(Issue { field: "geometry".into(), message: "the feature has no geometry".into() }),
                Some(PreparedGeometry::Oversized(vertices)) => errors.push(Issue {
                    field: "geometry".into(),
                    message: format!(
                        "the geometry has {vertices} vertices; at most {MAX_VERTICES} are accepted in one feature: simplify it or split it"
                    ),
                }),
                Some(_) => {}
            }
            pending.push((feature, properties, errors));
        }

        // Every geometry of the batch is checked in one query.
        let inputs: Vec<geometry::Input<'_>> = pending
            .iter()
            .filter_map(|(f, _, _)| match &f.geometry {
                Some(PreparedGeometry::GeoJson(t)) => Some(geometry::Input::GeoJson(t)),
                Some(PreparedGeometry::Wkt(t)) => Some(geometry::Input::Wkt(t)),
                _ => None,
            })
            .collect();
        let mut checked = geometry::check_many(self.pool, &inputs, self.srid, self.rules).await?.into_iter();
        drop(inputs);
        let mut ready: Vec<(usize, Map<String, Value>, String)> = Vec::new();
        let mut reports = Vec::new();
        for (feature, properties, mut errors) in pending {
            let geometry = match feature.geometry {
                Some(PreparedGeometry::GeoJson(_) | PreparedGeometry::Wkt(_)) => {
                    let answer = checked.next().ok_or_else(|| {
                        sqlx::Error::Protocol("the geometry check gave fewer answers than geometries".into())
                    })?;
                    match answer {
                        Ok(ok) => Some(ok.geojson),
                        Err(problem) => {
                            errors.push(Issue { field: "geometry".into(), message: problem.message });
                            None
                        }
                    }
                }
                _ => None,
            };
            let name = properties.get("name").and_then(Value::as_str).map(str::to_string);
            match geometry {
                Some(geojson) if errors.is_empty() => ready.push((feature.index, properties, geojson)),
                _ => {
                    self.tally.invalid += 1;
                    reports.push(FeatureReport { index: feature.index, name, errors, warnings: Vec::new() });
                }
            }
        }

        // Features that do not touch the commune are allowed (a road may run past its edge),
        // and so are features whose geometry the layer already has (a lane may be recorded
        // twice on purpose), but both are said: the second is what importing a file twice does.
        let notes = match layer.role {
            // A boundary's own checks (overlaps) come once every feature is staged.
            Role::Boundary => Vec::new(),
            _ => import_store::placement_notes(self.pool, layer, &self.request.commune, &ready).await?,
        };
        for (index, properties, _) in &ready {
            let warnings: Vec<String> = notes.iter().filter(|(i, _)| i == index).map(|(_, w)| w.clone()).collect();
            if !warnings.is_empty() {
                reports.push(FeatureReport {
                    index: *index,
                    name: properties.get("name").and_then(Value::as_str).map(str::to_string),
                    errors: Vec::new(),
                    warnings,
                });
            }
        }
        reports.sort_by_key(|r| r.index);
        for report in reports {
            self.tally.report(report);
        }
        Ok(ready)
    }

    /// The findings on the staged boundaries (duplicate codes, overlaps), into the report.
    async fn boundary_findings(&mut self, tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<(), ImportError> {
        let mut by_index: BTreeMap<usize, FeatureReport> = BTreeMap::new();
        for finding in boundaries::check(tx).await? {
            let report = by_index.entry(finding.index).or_insert_with(|| FeatureReport {
                index: finding.index,
                name: None,
                errors: Vec::new(),
                warnings: Vec::new(),
            });
            if finding.error {
                report.errors.push(Issue { field: "geometry".into(), message: finding.message });
            } else {
                report.warnings.push(finding.message);
            }
        }
        for report in by_index.into_values() {
            if !report.errors.is_empty() {
                self.tally.invalid += 1;
            }
            self.tally.report(report);
        }
        Ok(())
    }

    /// A feature's values, mapped to the layer's fields and checked; the defaults fill
    /// what the file lacks.
    fn values(&self, source: &Map<String, Value>) -> (Map<String, Value>, Vec<Issue>) {
        let (layer, today) = (self.request.layer, self.request.today);
        let mut errors = Vec::new();
        let mut properties = Map::new();
        for (source_name, value) in source {
            let Some(field) = self.mapping.get(source_name).and_then(|f| layer.field(f)) else { continue };
            match values::normalise(field, value, today) {
                Ok(Value::Null) => {}
                Ok(v) => {
                    properties.insert(field.name.to_string(), v);
                }
                Err(message) => {
                    errors.push(Issue { field: field.name.into(), message: format!("{source_name}: {message}") })
                }
            }
        }
        for (name, value) in &self.request.defaults {
            if properties.contains_key(name) {
                continue;
            }
            let Some(field) = layer.field(name) else { continue };
            match values::normalise(field, value, today) {
                Ok(Value::Null) => {}
                Ok(v) => {
                    properties.insert(name.clone(), v);
                }
                Err(message) => errors.push(Issue { field: name.clone(), message: format!("default: {message}") }),
            }
        }
        if layer.role == Role::Boundary && !properties.contains_key("kind") {
            // Official boundary files name a commune "Xã ...", "Phường ..." or "Đặc khu ...".
            let name = properties.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(kind) = crate::model::vocab::commune_kind_of_name(name) {
                properties.insert("kind".into(), Value::from(kind));
            }
        }
        // A required field whose value was refused has its error already.
        let missing: Vec<&crate::layers::Field> = layer
            .fields()
            .filter(|f| f.required && !properties.contains_key(f.name) && !errors.iter().any(|e| e.field == f.name))
            .collect();
        for field in missing {
            errors.push(Issue {
                field: field.name.into(),
                message: format!(
                    "{} ({}) is required: map a source field to it or give it in defaults",
                    field.name, field.vi
                ),
            });
        }
        (properties, errors)
    }
}

/// The kind of a source geometry (None for WKT, which PostGIS judges).
fn kind_of(geometry: Option<&SourceGeometry>) -> Option<GeometryKind> {
    match geometry?.geometry_type()? {
        "Point" | "MultiPoint" => Some(GeometryKind::Point),
        "LineString" | "MultiLineString" => Some(GeometryKind::Line),
        "Polygon" | "MultiPolygon" => Some(GeometryKind::Polygon),
        _ => None,
    }
}

/// Source attribute -> layer field, and the attributes left unmapped.
async fn map_attributes(
    pool: &PgPool,
    layer: &Layer,
    source_names: &BTreeSet<String>,
    asked: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, Vec<String>), ImportError> {
    let names: Vec<String> = source_names.iter().cloned().collect();
    for (from, to) in asked {
        if layer.field(to).is_none() {
            let fields: Vec<&str> = layer.fields().map(|f| f.name).collect();
            return Err(ImportError::Mapping(format!(
                "the mapping sends `{from}` to `{to}`, which is not a field of {}; the fields are {}",
                layer.id,
                fields.join(", ")
            )));
        }
    }
    // Keys folded by PostgreSQL's unaccent, as search does: "Mặt đường" -> "mat duong".
    let fold = |list: Vec<String>| import_store::folded_keys(pool, list);
    let folded_names: BTreeMap<String, String> = fold(names.clone()).await?.into_iter().collect();
    let mut labels: Vec<String> = Vec::new();
    for field in layer.fields() {
        labels.extend([field.name.replace('_', " "), field.vi.to_string(), field.en.to_string()]);
    }
    let folded_labels: BTreeMap<String, String> = fold(labels).await?.into_iter().collect();
    let field_of = |key: &str| {
        layer.fields().find(|f| {
            [f.name.replace('_', " "), f.vi.to_string(), f.en.to_string()]
                .iter()
                .any(|label| folded_labels.get(label).is_some_and(|l| l.trim() == key.trim()))
        })
    };
    // Names common in KML, GPX and surveyors' tables that mean a field of every work, and
    // the columns of the provinces' boundary files (`ma_xa`, `ten_xa`, `tinh`), folded.
    let aliases: &[(&str, &str)] = &[
        ("description", "note"),
        ("desc", "note"),
        ("ten", "name"),
        ("ghi chu", "note"),
        ("ma xa", "code"),
        ("ma dvhc", "code"),
        ("ten xa", "name"),
        ("ten dvhc", "name"),
        ("tinh", "province"),
        ("ten tinh", "province"),
        ("tinh thanh", "province"),
        ("tinh thanh pho", "province"),
    ];

    let mut mapping = BTreeMap::new();
    let mut ignored = Vec::new();
    for name in &names {
        if let Some(to) = asked.get(name) {
            mapping.insert(name.clone(), to.clone());
            continue;
        }
        let key = folded_names.get(name).cloned().unwrap_or_default();
        let found = field_of(&key).map(|f| f.name.to_string()).or_else(|| {
            aliases
                .iter()
                .find(|(alias, field)| key.trim() == *alias && layer.field(field).is_some())
                .map(|(_, field)| field.to_string())
        });
        match found {
            Some(field) if !mapping.values().any(|v| *v == field) => {
                mapping.insert(name.clone(), field);
            }
            _ => ignored.push(name.clone()),
        }
    }
    Ok((mapping, ignored))
}
