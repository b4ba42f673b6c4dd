//! The file readers of the importer: GeoJSON, KML/KMZ, GPX, zipped Shapefile and CSV bytes
//! in, a list of [`SourceFeature`]s out. Pure Rust and no database, so that every reader is
//! tested (and fuzzed) on its own; the import pipeline validates, reprojects and stores what
//! these readers return.
//!
//! Readers never repair or reproject: coordinates stay in the CRS the file is written in
//! (x = easting/longitude first, Z and M dropped), and the EPSG code the *file* declares is
//! reported in [`Source::crs`]. Geometry validity (closed rings, self-intersections, swapped
//! axes) is judged later by PostGIS, which knows more than a parser does.
//!
//! Untrusted input: archives are unpacked with byte budgets ([`archive`]), XML with a DOCTYPE
//! or entity declaration is refused before any parser sees it, and every error says what is
//! wrong and where, in plain English, with a stable machine [`ReadError::code`].

mod archive;
mod csv;
mod geojson;
mod gpx;
mod kml;
mod prj;
mod shapefile;
mod text;

pub use archive::{MAX_ENTRIES, MAX_RATIO, MAX_TOTAL_UNCOMPRESSED, RATIO_CHECK_ABOVE};

use std::fmt;

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

/// What a file holds.
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
        }
    }
}

/// Reads a whole file. `file_name` gives the format by its extension; an unknown extension
/// is resolved by sniffing the first bytes.
pub fn read(file_name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Source, ReadError> {
    let format = detect_format(file_name, bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty { what: format!("\"{file_name}\"") });
    }
    let source = match format {
        Format::GeoJson => geojson::read(file_name, bytes, options)?,
        Format::Kml => kml::read_kml(file_name, bytes)?,
        Format::Kmz => kml::read_kmz(bytes)?,
        Format::Gpx => gpx::read(file_name, bytes)?,
        Format::Shapefile => shapefile::read(bytes, options.encoding.as_deref())?,
        Format::Csv => csv::read(file_name, bytes, options)?,
    };
    if source.features.is_empty() {
        return Err(ReadError::Empty { what: format!("the {format} file \"{file_name}\"") });
    }
    Ok(source)
}

/// The format from the extension, else from the first bytes.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Result<Format, ReadError> {
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
    by_extension.or_else(|| sniff(bytes)).ok_or_else(|| ReadError::UnknownFormat { file_name: file_name.to_string() })
}

/// Guesses the format from the first bytes, for files whose name says nothing.
fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        // A KMZ names its document *.kml; a zipped Shapefile names *.shp. Local headers
        // carry the names in clear, so a byte search is enough to choose.
        let lower = bytes.to_ascii_lowercase();
        let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
        return Some(if has(b".shp") { Format::Shapefile } else { Format::Kmz });
    }
    let head = text::sniff_prefix(bytes, 4096);
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

/// Refuses XML that declares a DOCTYPE or entities before any parser sees it: entity
/// expansion is how XXE and "billion laughs" attacks work, and KML/GPX never need it.
pub(crate) fn refuse_xml_entities(entry: &str, text: &str) -> Result<(), ReadError> {
    // ASCII-lowercasing keeps byte offsets, so the line number is exact.
    let lower = text.to_ascii_lowercase();
    let found = ["<!doctype", "<!entity"].iter().filter_map(|needle| lower.find(needle)).min();
    match found {
        Some(at) => Err(ReadError::XmlEntities { entry: entry.to_string(), line: line_of(text.as_bytes(), at) }),
        None => Ok(()),
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// "line L, column C" of a byte offset (column in characters, 1-based).
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text.get(..end).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
