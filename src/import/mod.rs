//! The file readers of the importer: GeoJSON, KML/KMZ, GPX, zipped Shapefile and CSV in,
//! one [`SourceFeature`] at a time out. Pure Rust and no database, so that every reader is
//! tested (and fuzzed) on its own; the import pipeline validates, reprojects and stores what
//! these readers hand over.
//!
//! Readers never repair or reproject: coordinates stay in the CRS the file is written in
//! (x = easting/longitude first, Z and M dropped), and the EPSG code the *file* declares is
//! reported in [`Header::crs`]. Geometry validity (closed rings, self-intersections, swapped
//! axes) is judged later by PostGIS, which knows more than a parser does.
//!
//! Memory: every reader streams. A file is read through small buffers, never whole; each
//! feature is handed over as soon as it is read and then dropped, so what a reader holds is
//! one feature (at most [`crate::model::limits::MAX_VERTICES`] vertices are kept; a larger
//! geometry is counted, not built, and comes as [`SourceGeometry::Oversized`]), whatever
//! the size of the file. [`Limits`] cap what a file may unpack to and hold in all.
//!
//! Untrusted input: archives are unpacked with byte budgets ([`archive`]), XML with a DOCTYPE
//! or entity declaration is refused as soon as it is met, and every error says what is
//! wrong and where, in plain English, with a stable machine [`ReadError::code`].

mod archive;
mod csv;
mod geojson;
mod gpx;
mod input;
mod kml;
mod prj;
mod shapefile;
mod text;
mod utf8;
mod xml;

pub use archive::{MAX_ENTRIES, MAX_RATIO, RATIO_CHECK_ABOVE};
pub use input::Input;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::ops::ControlFlow;

use crate::model::limits::MAX_VERTICES;

/// The most attribute names a file may use, all features together (a table of a hundred
/// columns is already wide).
pub const MAX_ATTRIBUTES: usize = 1_000;

/// The longest JSON string in a GeoJSON file, in bytes: names, notes and other values take
/// a few thousand characters at most.
pub const MAX_JSON_STRING: usize = 1024 * 1024;

/// The longest CSV cell, in bytes: a WKT geometry of
/// [`MAX_VERTICES`] vertices takes some 2 MB.
pub const MAX_CSV_CELL: usize = 8 * 1024 * 1024;

/// What one file may make the reader do, all in proportion to the upload limit
/// (`KHEO_MAX_UPLOAD_MB`): bytes unpacked or decoded, features, vertices.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes unpacked from an archive (all entries), or decoded from another encoding.
    pub max_decoded_bytes: u64,
    /// Features in the file.
    pub max_features: usize,
    /// Vertices in the file, all geometries together.
    pub max_total_vertices: u64,
}

impl Limits {
    /// The limits for uploads of at most `max_upload_bytes`: 4 bytes unpacked per byte
    /// uploaded (KML compresses some 5:1 in a KMZ, and an upload at the limit is large for
    /// a commune already), a feature per 256 bytes, a vertex per 8 bytes.
    pub fn for_upload(max_upload_bytes: u64) -> Limits {
        let bytes = max_upload_bytes.max(1024 * 1024);
        Limits {
            max_decoded_bytes: bytes.saturating_mul(4),
            max_features: usize::try_from(bytes / 256).unwrap_or(usize::MAX),
            max_total_vertices: bytes / 8,
        }
    }
}

impl Default for Limits {
    /// The limits of the default upload limit, 50 MiB.
    fn default() -> Limits {
        Limits::for_upload(50 * 1024 * 1024)
    }
}

/// How the caller wants the bytes read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Text encoding of a CSV or GeoJSON file, any label `encoding_rs` knows (for example
    /// `windows-1258`). `None` means UTF-8 (UTF-16 with a BOM is recognised by itself).
    pub encoding: Option<String>,
}

/// The file formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    GeoJson,
    Kml,
    Kmz,
    Gpx,
    Shapefile,
    Csv,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::GeoJson => "GeoJSON",
            Format::Kml => "KML",
            Format::Kmz => "KMZ",
            Format::Gpx => "GPX",
            Format::Shapefile => "Shapefile",
            Format::Csv => "CSV",
        })
    }
}

/// The geometry of one source feature, still in the source CRS.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceGeometry {
    /// A GeoJSON geometry object (2D positions).
    GeoJson(serde_json::Value),
    /// WKT text from a CSV column; PostGIS parses it (it knows WKT better than we would).
    Wkt(String),
    /// A geometry of more than [`MAX_VERTICES`] vertices: counted, not kept. The pipeline
    /// reports it as the feature's error.
    Oversized {
        /// The GeoJSON type when the reader knows it (`LineString`...).
        geometry_type: Option<String>,
        vertices: usize,
    },
}

impl SourceGeometry {
    /// The number of vertices (positions).
    pub fn vertices(&self) -> usize {
        match self {
            SourceGeometry::GeoJson(value) => positions(value),
            SourceGeometry::Wkt(text) => wkt_positions(text),
            SourceGeometry::Oversized { vertices, .. } => *vertices,
        }
    }

    /// The GeoJSON type (`Point`, `MultiLineString`...); `None` for WKT, which PostGIS reads.
    pub fn geometry_type(&self) -> Option<&str> {
        match self {
            SourceGeometry::GeoJson(value) => value["type"].as_str(),
            SourceGeometry::Wkt(_) => None,
            SourceGeometry::Oversized { geometry_type, .. } => geometry_type.as_deref(),
        }
    }
}

/// Positions in a GeoJSON geometry value: the arrays that hold numbers.
fn positions(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => {
            let nested: usize = items.iter().map(positions).sum();
            nested + usize::from(items.iter().any(serde_json::Value::is_number))
        }
        serde_json::Value::Object(members) => members.values().map(positions).sum(),
        _ => 0,
    }
}

/// Positions in WKT text: each `,` between two numbers and each `)` after a number ends one.
pub(crate) fn wkt_positions(text: &str) -> usize {
    let mut count = 0;
    let mut previous = b' ';
    for &byte in text.as_bytes() {
        if matches!(byte, b',' | b')') && (previous.is_ascii_digit() || previous == b'.') {
            count += 1;
        }
        if !byte.is_ascii_whitespace() {
            previous = byte;
        }
    }
    count
}

/// One feature as the file holds it.
#[derive(Debug, Clone)]
pub struct SourceFeature {
    /// 0-based order of the feature in the file.
    pub index: usize,
    /// The feature's own id when the format has one (GeoJSON `id`).
    pub id: Option<String>,
    /// `None` when the feature has no geometry (a KML Placemark without one, an empty CSV cell).
    pub geometry: Option<SourceGeometry>,
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// What a file says about itself, once read through.
#[derive(Debug, Clone)]
pub struct Header {
    pub format: Format,
    /// The EPSG code the file declares; `None` when it says nothing.
    pub crs: Option<u32>,
    /// Things the caller should know that do not stop the read (for example a missing .prj).
    pub warnings: Vec<String>,
    /// Features read.
    pub count: usize,
    /// Every attribute name the features use.
    pub names: BTreeSet<String>,
}

/// What a file holds, features and all ([`read`]; the pipeline uses [`read_each`]).
#[derive(Debug)]
pub struct Source {
    pub format: Format,
    /// The EPSG code the file declares; `None` when it says nothing.
    pub crs: Option<u32>,
    pub features: Vec<SourceFeature>,
    /// Things the caller should know that do not stop the read (for example a missing .prj).
    pub warnings: Vec<String>,
}

/// Why a file could not be read. Each message says what is wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "cannot tell the format of \"{file_name}\": use .geojson, .json, .kml, .kmz, .gpx, .zip (a Shapefile) or .csv"
    )]
    UnknownFormat { file_name: String },
    #[error("{what} is empty: there are no features to import")]
    Empty { what: String },
    #[error("{0}")]
    NotUtf8(NotUtf8),
    #[error("unknown text encoding \"{label}\" (try utf-8 or windows-1258)")]
    UnknownEncoding { label: String },
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson { line: usize, column: usize, message: String },
    #[error("invalid GeoJSON{}: {message}", at_feature(*.index))]
    InvalidGeoJson { index: Option<usize>, message: String },
    #[error("feature {index}: \"properties\" must be an object or null, not {found}")]
    InvalidProperties { index: usize, found: &'static str },
    #[error("features {first} and {second} have the same id \"{id}\"")]
    DuplicateId { id: String, first: usize, second: usize },
    #[error(
        "{entry}: XML entities/DOCTYPE are not accepted (line {line}); remove the <!DOCTYPE> or <!ENTITY> declaration"
    )]
    XmlEntities { entry: String, line: usize },
    #[error("{entry}: malformed {format} {position}: {message}")]
    MalformedXml { entry: String, format: Format, position: String, message: String },
    #[error("not a readable zip archive{}: {message}", in_entry(.entry))]
    MalformedZip { entry: Option<String>, message: String },
    #[error("the zip archive has {count} entries; at most {max} are accepted")]
    TooManyEntries { count: usize, max: usize },
    #[error("the zip archive unpacks to more than {max} bytes (stopped in \"{entry}\")")]
    TooLarge { entry: String, max: u64 },
    #[error(
        "\"{entry}\" looks like a zip bomb: it unpacks to more than {ratio} times its compressed size ({compressed} bytes)"
    )]
    ZipBomb { entry: String, compressed: u64, ratio: u64 },
    #[error("the KMZ holds no .kml file (entries: {entries})")]
    MissingKml { entries: String },
    #[error("the zip holds no .shp file (entries: {entries}); zip the .shp, .shx, .dbf and .prj together")]
    NoShapefile { entries: String },
    #[error("the zip holds several Shapefiles ({names}); import them one at a time")]
    SeveralShapefiles { names: String },
    #[error("the Shapefile \"{shp}\" comes without its {missing} (a Shapefile needs .shp, .shx and .dbf)")]
    MissingShapefilePart { shp: String, missing: String },
    /// Not returned by [`read`] (a missing .prj is a warning there, since the caller may give
    /// the CRS); the pipeline raises it when the caller gives none.
    #[error("the Shapefile \"{shp}\" has no .prj: the coordinate system must be given (for example crs=EPSG:9208)")]
    MissingPrj { shp: String },
    #[error("{entry}: {message}")]
    MalformedShapefile { entry: String, message: String },
    #[error("unknown coordinate system \"{name}\" in {place}; give the EPSG code (for example crs=EPSG:9208)")]
    UnknownCrs { name: String, place: String },
    #[error("CSV line {line}: {message}")]
    MalformedCsv { line: u64, message: String },
    #[error(
        "the CSV has no geometry columns: expected lon/lat (or x/y, kinh_do/vi_do) or wkt; the header is: {header}"
    )]
    NoGeometryColumns { header: String },
    #[error("CSV line {line}, column {column} (\"{name}\"): \"{value}\" is not a number")]
    BadNumber { line: u64, column: usize, name: String, value: String },
    #[error("the CSV header has the column \"{name}\" twice (columns {first} and {second})")]
    DuplicateColumn { name: String, first: usize, second: usize },
    #[error(
        "the file holds more than {max} features, the most one import takes (it follows KHEO_MAX_UPLOAD_MB); split it"
    )]
    TooManyFeatures { max: usize },
    #[error(
        "the file holds more than {max} vertices in all, the most one import takes (it follows KHEO_MAX_UPLOAD_MB); split it or simplify its geometries"
    )]
    TooManyVertices { max: u64 },
    #[error("the features use more than {max} different attribute names")]
    TooManyAttributes { max: usize },
    #[error("the text decodes to more than {max} bytes (it follows KHEO_MAX_UPLOAD_MB)")]
    TextTooLarge { max: u64 },
    #[error(
        "{entry}: a value (or an XML text) of more than {max} bytes at line {line}; one geometry has at most {MAX_VERTICES} vertices, one text at most a few thousand characters"
    )]
    TextTooLong { entry: String, line: usize, max: u64 },
    #[error("the file could not be read: {message}")]
    Unreadable { message: String },
    /// The caller stopped the read (it needed no more features); never reported.
    #[error("the read was stopped")]
    Stopped,
}

fn at_feature(index: Option<usize>) -> String {
    index.map(|i| format!(" in feature {i}")).unwrap_or_default()
}

fn in_entry(entry: &Option<String>) -> String {
    entry.as_ref().map(|e| format!(" (entry \"{e}\")")).unwrap_or_default()
}

/// Where a text file stops being UTF-8, and what it probably is instead.
#[derive(Debug)]
pub struct NotUtf8 {
    pub offset: usize,
    pub line: usize,
    pub looks_like_windows_1258: bool,
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the file is not UTF-8 (byte {} on line {})", self.offset, self.line)?;
        if self.looks_like_windows_1258 {
            f.write_str("; it looks like Windows-1258 (Vietnamese Windows)")?;
        }
        f.write_str(": re-save it as UTF-8, or pass encoding=windows-1258")
    }
}

impl ReadError {
    /// A short, stable machine code for the error (API clients switch on it; the message is
    /// for people and may change).
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::UnknownFormat { .. } => "unknown_format",
            ReadError::Empty { .. } => "empty",
            ReadError::NotUtf8(_) => "not_utf8",
            ReadError::UnknownEncoding { .. } => "unknown_encoding",
            ReadError::MalformedJson { .. } => "malformed_json",
            ReadError::InvalidGeoJson { .. } => "invalid_geojson",
            ReadError::InvalidProperties { .. } => "invalid_properties",
            ReadError::DuplicateId { .. } => "duplicate_id",
            ReadError::XmlEntities { .. } => "xml_entities",
            ReadError::MalformedXml { .. } => "malformed_xml",
            ReadError::MalformedZip { .. } => "malformed_zip",
            ReadError::TooManyEntries { .. } => "too_many_entries",
            ReadError::TooLarge { .. } => "too_large",
            ReadError::ZipBomb { .. } => "zip_bomb",
            ReadError::MissingKml { .. } => "missing_kml",
            ReadError::NoShapefile { .. } => "no_shapefile",
            ReadError::SeveralShapefiles { .. } => "several_shapefiles",
            ReadError::MissingShapefilePart { .. } => "missing_shapefile_part",
            ReadError::MissingPrj { .. } => "missing_prj",
            ReadError::MalformedShapefile { .. } => "malformed_shapefile",
            ReadError::UnknownCrs { .. } => "unknown_crs",
            ReadError::MalformedCsv { .. } => "malformed_csv",
            ReadError::NoGeometryColumns { .. } => "no_geometry_columns",
            ReadError::BadNumber { .. } => "bad_number",
            ReadError::DuplicateColumn { .. } => "duplicate_column",
            ReadError::TooManyFeatures { .. } => "too_many_features",
            ReadError::TooManyVertices { .. } => "too_many_vertices",
            ReadError::TooManyAttributes { .. } => "too_many_attributes",
            ReadError::TextTooLarge { .. } => "too_large",
            ReadError::TextTooLong { .. } => "text_too_long",
            ReadError::Unreadable { .. } => "unreadable",
            ReadError::Stopped => "stopped",
        }
    }

    /// Whether the file was refused for its size: more than a limit allows (HTTP 413)
    /// rather than malformed (422).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            ReadError::TooLarge { .. }
                | ReadError::TooManyFeatures { .. }
                | ReadError::TooManyVertices { .. }
                | ReadError::TextTooLarge { .. }
                | ReadError::TextTooLong { .. }
        )
    }
}

/// Reads a file and hands each feature to `each`, in file order, as soon as it is read;
/// `each` may stop the read ([`ControlFlow::Break`]: the read ends with
/// [`ReadError::Stopped`]). `file_name` gives the format by its extension; an unknown
/// extension is resolved by sniffing the first bytes. The [`Limits`] are checked as the
/// features come; a file that breaks one fails at that point.
pub fn read_each(
    file_name: &str,
    input: &Input,
    options: &ReadOptions,
    limits: &Limits,
    each: &mut dyn FnMut(SourceFeature) -> ControlFlow<()>,
) -> Result<Header, ReadError> {
    let format = detect(file_name, input)?;
    if is_blank(input)? {
        return Err(ReadError::Empty { what: format!("\"{file_name}\"") });
    }
    let fault = input::Fault::default();
    let mut sink = Sink::new(limits, each);
    let text = |encoding: Option<&str>| text::open(input.reader(), encoding, &fault, limits.max_decoded_bytes);
    // One JSON string or CSV cell is read whole by its parser: each is bounded.
    let values = |kind, max| -> Result<Box<dyn std::io::BufRead + '_>, ReadError> {
        let guarded = input::LongValues::new(text(options.encoding.as_deref())?, kind, max, file_name, &fault);
        Ok(Box::new(std::io::BufReader::with_capacity(text::BUFFER_BYTES, guarded)))
    };
    let (crs, mut warnings) = match format {
        Format::GeoJson => geojson::read(values(input::Values::Json, MAX_JSON_STRING)?, &fault, &mut sink)?,
        Format::Kml => (kml::read_kml(file_name, text(None)?, Format::Kml, &fault, &mut sink)?, Vec::new()),
        Format::Kmz => (kml::read_kmz(input, limits, &fault, &mut sink)?, Vec::new()),
        Format::Gpx => (gpx::read(file_name, text(None)?, &fault, &mut sink)?, Vec::new()),
        Format::Shapefile => shapefile::read(input, options.encoding.as_deref(), limits, &fault, &mut sink)?,
        Format::Csv => (None, csv::read(file_name, values(input::Values::Csv, MAX_CSV_CELL)?, &fault, &mut sink)?),
    };
    if sink.count == 0 {
        return Err(ReadError::Empty { what: format!("the {format} file \"{file_name}\"") });
    }
    warnings.extend(sink.warnings());
    Ok(Header { format, crs, warnings, count: sink.count, names: sink.names })
}

/// Reads a whole file into memory, features and all, under the default [`Limits`]: for
/// tests and fuzzing (the pipeline streams with [`read_each`]).
pub fn read(file_name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Source, ReadError> {
    let mut features = Vec::new();
    let input = Input::from_bytes(bytes.to_vec());
    let header = read_each(file_name, &input, options, &Limits::default(), &mut |feature| {
        features.push(feature);
        ControlFlow::Continue(())
    })?;
    Ok(Source { format: header.format, crs: header.crs, features, warnings: header.warnings })
}

/// Whether the file holds nothing but white space (read until the first other byte).
fn is_blank(input: &Input) -> Result<bool, ReadError> {
    use std::io::Read;
    let mut reader = input.reader();
    let mut buf = vec![0; 8192];
    loop {
        let n = reader.read(&mut buf).map_err(text::io_error)?;
        if n == 0 {
            return Ok(true);
        }
        if !buf[..n].iter().all(u8::is_ascii_whitespace) {
            return Ok(false);
        }
    }
}

/// Hands features to the caller and checks, as they come, what no reader checks alone:
/// the [`Limits`], ids given twice, the number of attribute names.
pub(crate) struct Sink<'a> {
    each: &'a mut dyn FnMut(SourceFeature) -> ControlFlow<()>,
    limits: &'a Limits,
    count: usize,
    vertices: u64,
    /// A 128-bit digest of each id (ids may be long) and the feature that had it.
    ids: HashMap<u128, usize>,
    names: BTreeSet<String>,
    /// Property values that were objects or arrays, left out (no field takes one).
    nested_values: usize,
}

impl<'a> Sink<'a> {
    fn new(limits: &'a Limits, each: &'a mut dyn FnMut(SourceFeature) -> ControlFlow<()>) -> Self {
        Sink { each, limits, count: 0, vertices: 0, ids: HashMap::new(), names: BTreeSet::new(), nested_values: 0 }
    }

    /// The index the next feature gets.
    pub(crate) fn next_index(&self) -> usize {
        self.count
    }

    /// Counts a property value left out because it was an object or an array.
    pub(crate) fn nested_value_left_out(&mut self) {
        self.nested_values += 1;
    }

    pub(crate) fn push(&mut self, feature: SourceFeature) -> Result<(), ReadError> {
        if self.count >= self.limits.max_features {
            return Err(ReadError::TooManyFeatures { max: self.limits.max_features });
        }
        let vertices = feature.geometry.as_ref().map_or(0, SourceGeometry::vertices);
        self.vertices = self.vertices.saturating_add(vertices as u64);
        if self.vertices > self.limits.max_total_vertices {
            return Err(ReadError::TooManyVertices { max: self.limits.max_total_vertices });
        }
        if let Some(id) = feature.id.as_deref() {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(id.as_bytes());
            let key = u128::from_be_bytes(digest[..16].try_into().unwrap_or_default());
            if let Some(&first) = self.ids.get(&key) {
                return Err(ReadError::DuplicateId { id: id.to_string(), first, second: feature.index });
            }
            self.ids.insert(key, feature.index);
        }
        for name in feature.properties.keys() {
            if !self.names.contains(name) {
                if self.names.len() >= MAX_ATTRIBUTES {
                    return Err(ReadError::TooManyAttributes { max: MAX_ATTRIBUTES });
                }
                self.names.insert(name.clone());
            }
        }
        self.count += 1;
        match (self.each)(feature) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(ReadError::Stopped),
        }
    }

    fn warnings(&self) -> Vec<String> {
        if self.nested_values == 0 {
            return Vec::new();
        }
        vec![format!(
            "{} property values were JSON objects or arrays, which no field takes; they were left out",
            self.nested_values
        )]
    }
}

/// The format from the extension, else from the first bytes.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Result<Format, ReadError> {
    detect(file_name, &Input::from_bytes(bytes.to_vec()))
}

fn detect(file_name: &str, input: &Input) -> Result<Format, ReadError> {
    let extension = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let by_extension = match extension.as_str() {
        "geojson" | "json" => Some(Format::GeoJson),
        "kml" => Some(Format::Kml),
        "kmz" => Some(Format::Kmz),
        "gpx" => Some(Format::Gpx),
        "zip" | "shz" => Some(Format::Shapefile),
        "csv" | "txt" | "tsv" => Some(Format::Csv),
        _ => None,
    };
    if let Some(format) = by_extension {
        return Ok(format);
    }
    let mut head = Vec::with_capacity(4096);
    std::io::Read::read_to_end(&mut std::io::Read::take(input.reader(), 4096), &mut head).map_err(text::io_error)?;
    sniff(&head, input).ok_or_else(|| ReadError::UnknownFormat { file_name: file_name.to_string() })
}

/// Guesses the format from the first bytes, for files whose name says nothing.
fn sniff(head: &[u8], input: &Input) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") {
        // A zipped Shapefile holds a *.shp; a KMZ a *.kml. The archive's directory says.
        let has_shp = match zip::ZipArchive::new(input.reader()) {
            Ok(zip) => zip.file_names().any(|name| name.is_ok_and(|n| n.to_ascii_lowercase().ends_with(".shp"))),
            Err(_) => head.to_ascii_lowercase().windows(4).any(|w| w == b".shp"),
        };
        return Some(if has_shp { Format::Shapefile } else { Format::Kmz });
    }
    let head = text::sniff_prefix(head, 4096);
    let trimmed = head.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Some(Format::GeoJson);
    }
    if trimmed.starts_with('<') {
        let lower = trimmed.to_ascii_lowercase();
        if lower.contains("<gpx") {
            return Some(Format::Gpx);
        }
        if lower.contains("<kml") || lower.contains("<placemark") || lower.contains("<document") {
            return Some(Format::Kml);
        }
        return None;
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if first_line.contains(',') || first_line.contains(';') {
        return Some(Format::Csv);
    }
    None
}

#[cfg(test)]
mod tests;
