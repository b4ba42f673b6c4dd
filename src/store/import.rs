//! The import pipeline: a file read by `crate::import` becomes features of a layer.
//!
//! 1. Read the file (format, features, the CRS it declares).
//! 2. Decide the CRS: the one asked for, else the file's, else WGS 84 — but a Shapefile
//!    without .prj must be told.
//! 3. Map source attributes to the layer's fields: the caller's mapping first, then by name,
//!    Vietnamese or English title, accents and case ignored (`"Mặt đường"`, `"mat_duong"` and
//!    `"surface"` all find `surface`).
//! 4. Check every feature: its values against the catalogue, its geometry in PostGIS
//!    (moved to WGS 84, type, validity, extent, lat/lon swapped), and warn when it lies
//!    outside the commune.
//! 5. A dry run stops there. A real run with any error writes nothing; otherwise it
//!    inserts every feature in one transaction with an audit entry each, and rebuilds the
//!    commune's coverage once.

use super::audit::{self, Action};
use super::geometry::{self, Input, Rules};
use crate::import::{self, Format, ReadError, ReadOptions, SourceGeometry};
use crate::layers::Layer;
use crate::model::values;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;

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
    pub commune: String,
    /// Source attribute -> layer field, as used.
    pub mapping: BTreeMap<String, String>,
    /// Source attributes that went nowhere.
    pub ignored: Vec<String>,
    pub warnings: Vec<String>,
    pub counts: Counts,
    pub features: Vec<FeatureReport>,
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

/// Reads, checks and (unless a dry run or an error) writes. `Ok(report)` with errors in it
/// means nothing was written.
pub async fn run(pool: &PgPool, bytes: &[u8], request: &Request) -> Result<Report, ImportError> {
    let layer = request.layer;
    if !super::communes::exists(pool, &request.commune).await? {
        return Err(ImportError::UnknownCommune(request.commune.clone()));
    }
    let source = import::read(&request.file_name, bytes, &ReadOptions { encoding: request.encoding.clone() })?;
    let mut warnings = source.warnings.clone();

    let crs = match (request.crs, source.crs) {
        (Some(asked), Some(declared)) if asked != declared => {
            warnings.push(format!("the file says EPSG:{declared}; EPSG:{asked} is used as asked"));
            accepted(asked)?
        }
        (Some(asked), _) => accepted(asked)?,
        (None, Some(declared)) => accepted(declared)?,
        (None, None) if source.format == Format::Shapefile => {
            return Err(ReadError::MissingPrj { shp: request.file_name.clone() }.into());
        }
        (None, None) => 4326,
    };
    if source.format == Format::Shapefile && source.crs.is_none() {
        // The reader's "no .prj" warning is answered by the crs given.
        warnings.retain(|w| !w.contains(".prj"));
    }

    let (mapping, ignored) = map_attributes(pool, layer, &source, &request.mapping).await?;

    for name in request.defaults.keys() {
        if layer.field(name).is_none() {
            return Err(ImportError::Mapping(format!(
                "the defaults name `{name}`, which is not a field of {}",
                layer.id
            )));
        }
    }

    let rules = Rules { kind: layer.geometry, extent: request.extent, repair: request.repair };
    let mut reports = Vec::new();
    let mut ready: Vec<(usize, Map<String, Value>, String)> = Vec::new();
    let mut skipped = 0;
    let mut pending = Vec::new();
    let mixed = matches!(source.format, Format::Kml | Format::Kmz | Format::Gpx);
    for feature in &source.features {
        if mixed && kind_of(feature.geometry.as_ref()).is_some_and(|k| k != layer.geometry) {
            skipped += 1;
            continue;
        }
        let mut errors = Vec::new();
        let mut properties = Map::new();
        for (source_name, value) in &feature.properties {
            let Some(field) = mapping.get(source_name).and_then(|f| layer.field(f)) else { continue };
            match values::normalise(field, value, request.today) {
                Ok(Value::Null) => {}
                Ok(v) => {
                    properties.insert(field.name.to_string(), v);
                }
                Err(message) => {
                    errors.push(Issue { field: field.name.into(), message: format!("{source_name}: {message}") })
                }
            }
        }
        for (name, value) in &request.defaults {
            if properties.contains_key(name) {
                continue;
            }
            let field = layer.field(name).expect("checked above");
            match values::normalise(field, value, request.today) {
                Ok(Value::Null) => {}
                Ok(v) => {
                    properties.insert(name.clone(), v);
                }
                Err(message) => errors.push(Issue { field: name.clone(), message: format!("default: {message}") }),
            }
        }
        for field in layer.fields().filter(|f| f.required && !properties.contains_key(f.name)) {
            errors.push(Issue {
                field: field.name.into(),
                message: format!(
                    "{} ({}) is required: map a source field to it or give it in defaults",
                    field.name, field.vi
                ),
            });
        }
        if feature.geometry.is_none() {
            errors.push(Issue { field: "geometry".into(), message: "the feature has no geometry".into() });
        }
        pending.push((feature, properties, errors));
    }

    // Every geometry is checked in one query.
    let texts: Vec<(String, bool)> = pending
        .iter()
        .filter_map(|(f, _, _)| f.geometry.as_ref())
        .map(|g| match g {
            SourceGeometry::GeoJson(v) => (v.to_string(), false),
            SourceGeometry::Wkt(w) => (w.clone(), true),
        })
        .collect();
    let inputs: Vec<Input> =
        texts.iter().map(|(t, wkt)| if *wkt { Input::Wkt(t) } else { Input::GeoJson(t) }).collect();
    let mut checked = geometry::check_many(pool, &inputs, crs as i32, rules).await?.into_iter();
    for (feature, properties, mut errors) in pending {
        let geometry = match feature.geometry {
            None => None,
            Some(_) => match checked.next().expect("one answer per geometry") {
                Ok(ok) => Some(ok.geojson),
                Err(problem) => {
                    errors.push(Issue { field: "geometry".into(), message: problem.message });
                    None
                }
            },
        };
        let name = properties.get("name").and_then(Value::as_str).map(str::to_string);
        match geometry {
            Some(geojson) if errors.is_empty() => ready.push((feature.index, properties, geojson)),
            _ => reports.push(FeatureReport { index: feature.index, name, errors, warnings: Vec::new() }),
        }
    }

    // Features that do not touch the commune are allowed (a road may run past its edge),
    // and so are features whose geometry the layer already has (a lane may be recorded
    // twice on purpose), but both are said: the second is what importing a file twice does.
    let notes = placement_notes(pool, layer, &request.commune, &ready).await?;
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

    if skipped > 0 {
        let kind = match layer.geometry {
            crate::layers::GeometryKind::Point => "points",
            crate::layers::GeometryKind::Line => "lines",
            crate::layers::GeometryKind::Polygon => "polygons",
        };
        warnings.push(format!("{skipped} features of another kind were left out: {} holds {kind}", layer.id));
    }
    let invalid = reports.iter().filter(|r| !r.errors.is_empty()).count();
    let mut report = Report {
        dry_run: request.dry_run,
        format: source.format,
        crs: format!("EPSG:{crs}"),
        layer: layer.id,
        commune: request.commune.clone(),
        mapping,
        ignored,
        warnings,
        counts: Counts {
            read: source.features.len(),
            valid: source.features.len() - invalid - skipped,
            invalid,
            skipped,
            inserted: 0,
        },
        features: reports,
    };
    if request.dry_run || report.has_errors() {
        return Ok(report);
    }

    let mut tx = pool.begin().await?;
    // Coverage is rebuilt once for the commune at the end rather than row by row.
    sqlx::query("SET LOCAL kheo.coverage = 'deferred'").execute(&mut *tx).await?;
    let rows: Vec<(Map<String, Value>, String)> = ready.iter().map(|(_, p, g)| (p.clone(), g.clone())).collect();
    let keys = super::edit::insert_many(&mut tx, layer, &request.commune, &rows).await?;
    audit::record_new(&mut tx, &request.actor, layer, &keys, Action::Import).await?;
    sqlx::query("SELECT coverage_rebuild($1)").bind(&request.commune).execute(&mut *tx).await?;
    tx.commit().await?;
    report.counts.inserted = ready.len();
    Ok(report)
}

/// The kind of a GeoJSON geometry (None for WKT, which PostGIS judges).
fn kind_of(geometry: Option<&SourceGeometry>) -> Option<crate::layers::GeometryKind> {
    use crate::layers::GeometryKind;
    let Some(SourceGeometry::GeoJson(g)) = geometry else { return None };
    match g["type"].as_str()? {
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
    source: &import::Source,
    asked: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, Vec<String>), ImportError> {
    let mut names: Vec<String> = source.features.iter().flat_map(|f| f.properties.keys().cloned()).collect();
    names.sort();
    names.dedup();
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
    let fold = |list: Vec<String>| async move {
        sqlx::query_as::<_, (String, String)>(
            "SELECT k, regexp_replace(search_key(k), '[^a-z0-9]+', ' ', 'g') FROM unnest($1::text[]) AS k",
        )
        .bind(list)
        .fetch_all(pool)
        .await
    };
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
    // Names common in KML, GPX and surveyors' tables that mean a field of every work.
    let aliases: &[(&str, &str)] = &[("description", "note"), ("desc", "note"), ("ten", "name"), ("ghi chu", "note")];

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

/// Warnings on where checked features lie, by feature index: outside the commune, or on the
/// very geometry of a feature the layer already has in the commune (`ST_Equals`).
async fn placement_notes(
    pool: &PgPool,
    layer: &Layer,
    commune: &str,
    ready: &[(usize, Map<String, Value>, String)],
) -> sqlx::Result<Vec<(usize, String)>> {
    let geometries: Vec<String> = ready.iter().map(|(_, _, g)| g.clone()).collect();
    let indexes: Vec<i64> = ready.iter().map(|(i, _, _)| *i as i64).collect();
    let sql = format!(
        "WITH s AS (SELECT i, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326) AS geom
                      FROM unnest($1::text[], $2::bigint[]) AS u(g, i))
         SELECT s.i, 'lies outside commune ' || c.code
           FROM s, commune c WHERE c.code = $3 AND NOT ST_Intersects(c.geom, s.geom)
         UNION ALL
         SELECT s.i, 'the same geometry as {layer} ' || t.{key} || ' (' || coalesce(t.name, '') || '), already there: is this file imported twice?'
           FROM s JOIN {table} t ON t.{commune_column} = $3 AND t.geom && s.geom AND ST_Equals(t.geom, s.geom)",
        layer = layer.id,
        key = layer.key,
        table = layer.table,
        commune_column = layer.commune_column,
    );
    let rows: Vec<(i64, String)> =
        sqlx::query_as(&sql).bind(geometries).bind(indexes).bind(commune).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(i, w)| (i as usize, w)).collect())
}
