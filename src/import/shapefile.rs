//! Zipped ESRI Shapefiles, still what district land offices and CAD conversions hand out,
//! mostly in VN-2000. The zip must hold one .shp with its .shx and .dbf; the .prj gives the
//! CRS (see [`super::prj`]) and the optional .cpg the text encoding of the .dbf.
//!
//! The `shapefile` crate reads the geometry. The .dbf attribute table is read here, by
//! hand, because the `dbase` crate (0.8, its dependency) fails on real files: it rejects
//! the empty date "00000000" that GDAL and QGIS write for a null Date ("Month must be
//! 1..=12") and, without its optional `encoding_rs` feature, decodes text only as UTF-8,
//! while Vietnamese shapefiles are often Windows-1258. The layout is small and fixed (a
//! 32-byte header, 32-byte field descriptors, fixed-width text records); the types read are
//! those GIS software writes: C, N, F, D, L, plus FoxPro I and O.

//!
//! Read as a stream: the .shp and the .dbf are unpacked side by side, one record of each
//! at a time, in the order of the .shx index (small: 8 bytes a record), so a Shapefile of
//! any size is read in the memory of its largest record, itself bounded.

use std::io::{Cursor, Read};

use encoding_rs::{Encoding, UTF_8, WINDOWS_1258};
use serde_json::{Map, Number, Value, json};
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, ReadableShape, Shape};

use super::archive::Archive;
use super::input::{Fault, Input};
use super::{Limits, ReadError, Sink, SourceFeature, SourceGeometry, prj, text};
use crate::model::limits::MAX_VERTICES;

/// The largest .prj or .cpg read (a .prj is a line of WKT).
const MAX_SMALL_PART: u64 = 64 * 1024;

/// The largest shape record read, in bytes: [`MAX_VERTICES`] points with Z and M (32
/// bytes each) and room for the parts. A larger record is counted, not read.
const MAX_RECORD_BYTES: usize = MAX_VERTICES * 32 + 64 * 1024;

/// Reads a zipped Shapefile; returns the CRS its .prj gives and the warnings.
pub(crate) fn read(
    input: &Input,
    encoding_override: Option<&str>,
    limits: &Limits,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<(Option<u32>, Vec<String>), ReadError> {
    let mut archive = Archive::open(input, limits, fault)?;
    let names = archive.names().to_vec();
    // macOS zips add "__MACOSX/._name" resource forks next to the real files.
    let real: Vec<&String> =
        names.iter().filter(|n| !n.starts_with("__MACOSX/") && !base_name(n).starts_with("._")).collect();
    let shps: Vec<&String> = real.iter().copied().filter(|n| has_ext(n, "shp")).collect();
    let shp = match shps.as_slice() {
        [] => {
            return Err(ReadError::NoShapefile { entries: archive.list() });
        }
        [one] => (*one).clone(),
        several => {
            return Err(ReadError::SeveralShapefiles {
                names: several.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
    };
    // Names are compared as text, never sliced at byte positions: entry names hold
    // Vietnamese letters (several bytes each), and a byte slice inside one panics.
    let stem = stem_of(&shp);
    let sibling = |ext: &str| {
        real.iter()
            .find(|n| {
                n.rsplit_once('.').is_some_and(|(s, e)| s.eq_ignore_ascii_case(stem) && e.eq_ignore_ascii_case(ext))
            })
            .map(|n| n.to_string())
    };
    let (shx, dbf) = (sibling("shx"), sibling("dbf"));
    let missing: Vec<&str> =
        [(".shx", shx.is_none()), (".dbf", dbf.is_none())].iter().filter(|(_, m)| *m).map(|(ext, _)| *ext).collect();
    let (Some(shx), Some(dbf)) = (shx, dbf) else {
        return Err(ReadError::MissingShapefilePart { shp: shp.clone(), missing: missing.join(" and ") });
    };

    let mut warnings = Vec::new();
    let crs = match sibling("prj") {
        Some(prj) => {
            let text = archive.small(&prj, MAX_SMALL_PART)?;
            Some(prj::epsg_from_prj(&String::from_utf8_lossy(&text), &prj)?)
        }
        None => {
            warnings.push("no .prj: the coordinate system must be given".to_string());
            None
        }
    };
    let cpg = match sibling("cpg") {
        Some(cpg) => Some((archive.small(&cpg, MAX_SMALL_PART)?, cpg)),
        None => None,
    };
    let encoding = dbf_encoding(
        cpg.as_ref().map(|(bytes, name)| (bytes.as_slice(), name.as_str())),
        encoding_override,
        &mut warnings,
    )?;

    let shape_error = |entry: &str, index: Option<usize>, e: &dyn std::fmt::Display| ReadError::MalformedShapefile {
        entry: entry.to_string(),
        message: match index {
            Some(i) => format!("record {i}: {e}"),
            None => e.to_string(),
        },
    };
    // The index: a 100-byte header, then (offset, length) in 16-bit words, big-endian.
    let max_index = 100 + 8 * (limits.max_features as u64 + 1);
    let index = archive.small(&shx, max_index).map_err(|e| match e {
        ReadError::TooLarge { .. } => ReadError::TooManyFeatures { max: limits.max_features },
        other => other,
    })?;
    let records: Vec<(u64, u64)> = index
        .get(100..)
        .unwrap_or_default()
        .chunks_exact(8)
        .map(|r| {
            let word = |b: &[u8]| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            (word(&r[..4]) * 2, word(&r[4..]) * 2)
        })
        .collect();

    let mut dbf_archive = archive.again()?;
    let mut dbf_entry = dbf_archive.entry(&dbf)?;
    let table = Dbf::read_header(&mut dbf_entry).map_err(|m| fault.or(shape_error(&dbf, None, &m)))?;
    for field in table.fields.iter().filter(|f| !f.readable()) {
        warnings
            .push(format!("{dbf}: the field \"{}\" (dBase type {}) is not imported", field.name, field.kind as char));
    }
    let mut shapes = Shapes::open(archive.entry(&shp)?, fault).map_err(|m| fault.or(shape_error(&shp, None, &m)))?;

    let mut undecodable = false;
    let mut record = vec![0u8; table.record_len];
    for (i, &(offset, length)) in records.iter().enumerate() {
        let shape = shapes.next(offset, length).map_err(|m| fault.or(shape_error(&shp, Some(i), &m)))?;
        if i >= table.count {
            return Err(shape_error(
                &dbf,
                None,
                &format!("the .dbf has {} records but the .shp has more shapes", table.count),
            ));
        }
        dbf_entry.read_exact(&mut record).map_err(|e| fault.or(shape_error(&dbf, Some(i), &e)))?;
        // A deleted record (flag '*') takes its shape with it, as in GDAL.
        if record.first() == Some(&b'*') {
            continue;
        }
        let mut properties = Map::new();
        for field in &table.fields {
            let Some(raw) = record.get(field.offset..field.offset + field.len) else { continue };
            if field.kind == b'C' && encoding == UTF_8 && std::str::from_utf8(raw).is_err() {
                undecodable = true;
            }
            if let Some(value) = field.value(raw, encoding) {
                properties.insert(field.name.clone(), value);
            }
        }
        let index = sink.next_index();
        let geometry = match shape {
            Record::Shape(shape) => {
                let geometry = geometry(&shape).map(SourceGeometry::GeoJson);
                if geometry.is_none() && !matches!(shape, Shape::NullShape) {
                    warnings.push(format!("feature {index}: {} shapes are not imported", shape.shapetype()));
                }
                geometry
            }
            Record::Oversized { geometry_type, vertices } => {
                Some(SourceGeometry::Oversized { geometry_type: Some(geometry_type.into()), vertices })
            }
        };
        sink.push(SourceFeature { index, id: None, geometry, properties })?;
    }
    if undecodable {
        warnings.push(format!(
            "the text in {dbf} is not UTF-8 and there is no .cpg: add a .cpg holding 1258 (Windows-1258) or pass the encoding"
        ));
    }
    Ok((crs, warnings))
}

/// One record of the .shp.
enum Record {
    Shape(Shape),
    /// More than [`MAX_RECORD_BYTES`]: its vertices counted from its header, not read.
    Oversized {
        geometry_type: &'static str,
        vertices: usize,
    },
}

/// The .shp read forward, record by record, at the offsets of the .shx.
struct Shapes<R> {
    source: R,
    position: u64,
}

impl<R: Read> Shapes<R> {
    fn open(mut source: R, fault: &Fault) -> Result<Self, String> {
        let mut header = [0u8; 100];
        source.read_exact(&mut header).map_err(|e| fault.take().map_or_else(|| e.to_string(), |f| f.to_string()))?;
        shapefile::header::Header::read_from(&mut Cursor::new(&header[..])).map_err(|e| e.to_string())?;
        Ok(Shapes { source, position: 100 })
    }

    /// The record at `offset` (bytes) of `length` bytes of content, as the .shx says.
    fn next(&mut self, offset: u64, length: u64) -> Result<Record, String> {
        if offset < self.position {
            return Err(format!("the .shx puts a record at byte {offset}, before the end of the previous one"));
        }
        self.skip(offset - self.position)?;
        let mut head = [0u8; 8];
        self.read(&mut head)?;
        let content = u64::from(u32::from_be_bytes([head[4], head[5], head[6], head[7]])) * 2;
        if content != length {
            return Err(format!("the .shp says {content} bytes where the .shx says {length}"));
        }
        let size = usize::try_from(content).unwrap_or(usize::MAX);
        if size > MAX_RECORD_BYTES {
            let mut start = [0u8; 44];
            self.read(&mut start)?;
            self.skip(content - 44)?;
            let word =
                |at: usize| u32::from_le_bytes([start[at], start[at + 1], start[at + 2], start[at + 3]]) as usize;
            let (geometry_type, vertices) = match word(0) {
                3 | 13 | 23 => ("LineString", word(40)),
                5 | 15 | 25 => ("Polygon", word(40)),
                8 | 18 | 28 => ("MultiPoint", word(36)),
                _ => ("GeometryCollection", size / 16),
            };
            return Ok(Record::Oversized { geometry_type, vertices });
        }
        let mut bytes = vec![0u8; size];
        self.read(&mut bytes)?;
        let size = i32::try_from(size).map_err(|e| e.to_string())?;
        Shape::read_from(&mut Cursor::new(bytes), size).map(Record::Shape).map_err(|e| e.to_string())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), String> {
        self.source.read_exact(buf).map_err(|e| format!("the .shp ends early ({e})"))?;
        self.position += buf.len() as u64;
        Ok(())
    }

    fn skip(&mut self, bytes: u64) -> Result<(), String> {
        let skipped =
            std::io::copy(&mut (&mut self.source).take(bytes), &mut std::io::sink()).map_err(|e| e.to_string())?;
        if skipped < bytes {
            return Err("the .shp ends early".into());
        }
        self.position += bytes;
        Ok(())
    }
}

/// The name without its extension: `Đường/ab.shp` -> `Đường/ab`.
fn stem_of(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn has_ext(name: &str, ext: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, e)| e.eq_ignore_ascii_case(ext))
}

/// The .dbf encoding: the caller's choice, else the .cpg, else UTF-8. A .cpg holds a code
/// page number ("1258"), a Windows name ("CP1258", "ANSI 1258") or a label ("UTF-8").
fn dbf_encoding(
    cpg: Option<(&[u8], &str)>,
    encoding_override: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<&'static Encoding, ReadError> {
    if let Some(label) = encoding_override {
        return Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ReadError::UnknownEncoding { label: label.to_string() });
    }
    let Some((cpg, cpg_name)) = cpg else { return Ok(UTF_8) };
    let label = String::from_utf8_lossy(cpg).trim().trim_start_matches('\u{feff}').to_string();
    let upper = label.to_ascii_uppercase();
    let digits: String = upper.chars().filter(char::is_ascii_digit).collect();
    let encoding = match digits.as_str() {
        "1258" => Some(WINDOWS_1258),
        "65001" => Some(UTF_8),
        _ if upper.replace('-', "") == "UTF8" => Some(UTF_8),
        _ => Encoding::for_label(label.as_bytes()).or_else(|| {
            (!digits.is_empty()).then(|| Encoding::for_label(format!("windows-{digits}").as_bytes())).flatten()
        }),
    };
    Ok(encoding.unwrap_or_else(|| {
        warnings.push(format!("{cpg_name}: unknown code page \"{label}\", the .dbf is read as UTF-8"));
        UTF_8
    }))
}

/// A shape as a GeoJSON geometry (2D); `None` for a null shape or a Multipatch.
fn geometry(shape: &Shape) -> Option<Value> {
    match shape {
        Shape::NullShape | Shape::Multipatch(_) => None,
        Shape::Point(p) => Some(json!({"type": "Point", "coordinates": xy(p)})),
        Shape::PointM(p) => Some(json!({"type": "Point", "coordinates": xy(p)})),
        Shape::PointZ(p) => Some(json!({"type": "Point", "coordinates": xy(p)})),
        Shape::Polyline(l) => Some(lines(l.parts())),
        Shape::PolylineM(l) => Some(lines(l.parts())),
        Shape::PolylineZ(l) => Some(lines(l.parts())),
        Shape::Polygon(p) => Some(polygons(p.rings())),
        Shape::PolygonM(p) => Some(polygons(p.rings())),
        Shape::PolygonZ(p) => Some(polygons(p.rings())),
        Shape::Multipoint(m) => Some(json!({"type": "MultiPoint", "coordinates": points(m.points())})),
        Shape::MultipointM(m) => Some(json!({"type": "MultiPoint", "coordinates": points(m.points())})),
        Shape::MultipointZ(m) => Some(json!({"type": "MultiPoint", "coordinates": points(m.points())})),
    }
}

fn xy<P: HasXY>(p: &P) -> Value {
    json!([p.x(), p.y()])
}

fn points<P: HasXY>(ps: &[P]) -> Value {
    Value::Array(ps.iter().map(xy).collect())
}

fn lines<P: HasXY>(parts: &[Vec<P>]) -> Value {
    match parts {
        [one] => json!({"type": "LineString", "coordinates": points(one)}),
        many => json!({"type": "MultiLineString", "coordinates": many.iter().map(|p| points(p)).collect::<Vec<_>>()}),
    }
}

/// Shapefile rings are a flat list, outer rings clockwise and holes counter-clockwise;
/// each hole is given to the outer ring before it (how ESRI and GDAL write them). PostGIS
/// validation catches a hole that is not inside its ring.
fn polygons<P: HasXY>(rings: &[PolygonRing<P>]) -> Value {
    let mut polygons: Vec<Vec<Value>> = Vec::new();
    for ring in rings {
        match (ring, polygons.last_mut()) {
            (PolygonRing::Inner(ps), Some(last)) => last.push(points(ps)),
            (ring, _) => polygons.push(vec![points(ring.points())]),
        }
    }
    match polygons.as_slice() {
        [one] => json!({"type": "Polygon", "coordinates": one}),
        _ => json!({"type": "MultiPolygon", "coordinates": polygons}),
    }
}

fn number(f: f64) -> Option<Value> {
    if f.fract() == 0.0 && f.abs() < 9e15 { Some(json!(f as i64)) } else { Number::from_f64(f).map(Value::Number) }
}

/// The layout of a .dbf.
struct Dbf {
    fields: Vec<Field>,
    count: usize,
    record_len: usize,
}

struct Field {
    name: String,
    kind: u8,
    /// Offset in the record (the deletion flag is byte 0).
    offset: usize,
    len: usize,
}

impl Dbf {
    /// Reads the header from the start of the .dbf, leaving `source` at the first record.
    /// dBase III/IV layout: bytes 4..8 the record count, 8..10 the header length, 10..12
    /// the record length; from byte 32 one 32-byte descriptor per field (name in 0..11,
    /// type at 11, length at 16) up to a 0x0D byte; each record starts with a deletion
    /// flag (`*` = deleted).
    fn read_header(source: &mut impl Read) -> Result<Dbf, String> {
        let mut head = [0u8; 32];
        source.read_exact(&mut head).map_err(|_| "the .dbf is too short".to_string())?;
        let count = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let header_len = u16::from_le_bytes([head[8], head[9]]) as usize;
        let record_len = u16::from_le_bytes([head[10], head[11]]) as usize;
        // The descriptors, at most 64 KiB (the header length is 16 bits).
        let mut descriptors = vec![0u8; header_len.saturating_sub(32)];
        source.read_exact(&mut descriptors).map_err(|_| "the .dbf ends inside its header".to_string())?;
        let mut fields = Vec::new();
        let mut offset = 1;
        for d in descriptors.chunks_exact(32) {
            if d[0] == 0x0D {
                break;
            }
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let len = d[16] as usize;
            fields.push(Field {
                name: String::from_utf8_lossy(&d[..name_end]).trim().to_string(),
                kind: d[11].to_ascii_uppercase(),
                offset,
                len,
            });
            offset += len;
        }
        if offset > record_len {
            return Err(format!("the fields take {offset} bytes but the header says a record has {record_len}"));
        }
        Ok(Dbf { fields, count, record_len })
    }
}

impl Field {
    fn readable(&self) -> bool {
        matches!(self.kind, b'C' | b'N' | b'F' | b'D' | b'L' | b'I' | b'O')
    }

    /// The value of this field in a record; `None` when blank (GIS software writes null
    /// as spaces, `*`s or, for dates, "00000000").
    fn value(&self, raw: &[u8], encoding: &'static Encoding) -> Option<Value> {
        let ascii = || String::from_utf8_lossy(raw).trim().trim_matches('\0').trim().to_string();
        match self.kind {
            b'C' => {
                let end = raw.iter().rposition(|&b| b != b' ' && b != 0)? + 1;
                let start = raw.iter().position(|&b| b != b' ')?;
                Some(Value::String(text::decode_with(encoding, &raw[start..end])))
            }
            b'N' | b'F' => {
                let s = ascii();
                if s.is_empty() || s.chars().all(|c| c == '*') {
                    return None;
                }
                s.parse::<f64>().ok().and_then(number).or(Some(Value::String(s)))
            }
            b'D' => {
                let s = ascii();
                if s.is_empty() || s.chars().all(|c| c == '0') {
                    return None;
                }
                // YYYYMMDD, digits only, so splitting at bytes 4 and 6 splits at letters.
                let (year, month_day) = s.split_at_checked(4).filter(|_| s.len() == 8).unzip();
                let (month, day) = month_day.and_then(|md| md.split_at_checked(2)).unzip();
                match (year, month, day) {
                    (Some(y), Some(m), Some(d)) if s.bytes().all(|b| b.is_ascii_digit()) => {
                        Some(Value::String(format!("{y}-{m}-{d}")))
                    }
                    _ => Some(Value::String(s)),
                }
            }
            b'L' => match raw.first()? {
                b'T' | b't' | b'Y' | b'y' => Some(Value::Bool(true)),
                b'F' | b'f' | b'N' | b'n' => Some(Value::Bool(false)),
                _ => None,
            },
            b'I' if raw.len() == 4 => Some(json!(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]))),
            b'O' if raw.len() == 8 => {
                number(f64::from_le_bytes([raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]]))
            }
            _ => None,
        }
    }
}
