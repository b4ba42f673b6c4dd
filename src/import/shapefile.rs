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

use std::io::Cursor;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1258};
use serde_json::{Map, Number, Value, json};
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape, ShapeReader};

use super::archive::{self, Entry};
use super::{Format, ReadError, Source, SourceFeature, SourceGeometry, prj, text};

pub(crate) fn read(bytes: &[u8], encoding_override: Option<&str>) -> Result<Source, ReadError> {
    let entries = archive::unzip(bytes)?;
    // macOS zips add "__MACOSX/._name" resource forks next to the real files.
    let real: Vec<&Entry> =
        entries.iter().filter(|e| !e.name.starts_with("__MACOSX/") && !base_name(&e.name).starts_with("._")).collect();
    let shps: Vec<&Entry> = real.iter().copied().filter(|e| has_ext(&e.name, "shp")).collect();
    let shp = match shps.as_slice() {
        [] => {
            return Err(ReadError::NoShapefile { entries: archive::list(&entries) });
        }
        [one] => *one,
        several => {
            return Err(ReadError::SeveralShapefiles {
                names: several.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
    };
    // Names are compared as text, never sliced at byte positions: entry names hold
    // Vietnamese letters (several bytes each), and a byte slice inside one panics.
    let stem = stem_of(&shp.name);
    let sibling = |ext: &str| {
        real.iter().copied().find(|e| {
            e.name.rsplit_once('.').is_some_and(|(s, e)| s.eq_ignore_ascii_case(stem) && e.eq_ignore_ascii_case(ext))
        })
    };
    let (shx, dbf) = (sibling("shx"), sibling("dbf"));
    let missing: Vec<&str> =
        [(".shx", shx.is_none()), (".dbf", dbf.is_none())].iter().filter(|(_, m)| *m).map(|(ext, _)| *ext).collect();
    let (Some(shx), Some(dbf)) = (shx, dbf) else {
        return Err(ReadError::MissingShapefilePart { shp: shp.name.clone(), missing: missing.join(" and ") });
    };

    let mut warnings = Vec::new();
    let crs = match sibling("prj") {
        Some(prj) => Some(prj::epsg_from_prj(&String::from_utf8_lossy(&prj.bytes), &prj.name)?),
        None => {
            warnings.push("no .prj: the coordinate system must be given".to_string());
            None
        }
    };
    let encoding = dbf_encoding(sibling("cpg"), encoding_override, &mut warnings)?;

    let shape_error = |entry: &str, index: Option<usize>, e: &dyn std::fmt::Display| ReadError::MalformedShapefile {
        entry: entry.to_string(),
        message: match index {
            Some(i) => format!("record {i}: {e}"),
            None => e.to_string(),
        },
    };
    let table = Dbf::parse(&dbf.bytes).map_err(|m| shape_error(&dbf.name, None, &m))?;
    for field in table.fields.iter().filter(|f| !f.readable()) {
        warnings.push(format!(
            "{}: the field \"{}\" (dBase type {}) is not imported",
            dbf.name, field.name, field.kind as char
        ));
    }
    let mut shapes = ShapeReader::with_shx(Cursor::new(shp.bytes.as_slice()), Cursor::new(shx.bytes.as_slice()))
        .map_err(|e| shape_error(&shp.name, None, &e))?;

    let mut features = Vec::new();
    let mut undecodable = false;
    for (i, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| shape_error(&shp.name, Some(i), &e))?;
        let Some(record) = table.record(&dbf.bytes, i) else {
            return Err(shape_error(
                &dbf.name,
                None,
                &format!("the .dbf has {} records but the .shp has more shapes", table.count),
            ));
        };
        // A deleted record (flag '*') takes its shape with it, as in GDAL.
        if record[0] == b'*' {
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
        let index = features.len();
        let geometry = geometry(&shape).map(SourceGeometry::GeoJson);
        if geometry.is_none() && !matches!(shape, Shape::NullShape) {
            warnings.push(format!("feature {index}: {} shapes are not imported", shape.shapetype()));
        }
        features.push(SourceFeature { index, id: None, geometry, properties });
    }
    if undecodable {
        warnings.push(format!(
            "the text in {} is not UTF-8 and there is no .cpg: add a .cpg holding 1258 (Windows-1258) or pass the encoding",
            dbf.name
        ));
    }
    Ok(Source { format: Format::Shapefile, crs, features, warnings })
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The name without its extension: `Đường/ab.shp` -> `Đường/ab`.
fn stem_of(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

fn has_ext(name: &str, ext: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, e)| e.eq_ignore_ascii_case(ext))
}

/// The .dbf encoding: the caller's choice, else the .cpg, else UTF-8. A .cpg holds a code
/// page number ("1258"), a Windows name ("CP1258", "ANSI 1258") or a label ("UTF-8").
fn dbf_encoding(
    cpg: Option<&Entry>,
    encoding_override: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<&'static Encoding, ReadError> {
    if let Some(label) = encoding_override {
        return Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ReadError::UnknownEncoding { label: label.to_string() });
    }
    let Some(cpg) = cpg else { return Ok(UTF_8) };
    let label = String::from_utf8_lossy(&cpg.bytes).trim().trim_start_matches('\u{feff}').to_string();
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
        warnings.push(format!("{}: unknown code page \"{label}\", the .dbf is read as UTF-8", cpg.name));
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
    header_len: usize,
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
    /// dBase III/IV layout: bytes 4..8 the record count, 8..10 the header length, 10..12
    /// the record length; from byte 32 one 32-byte descriptor per field (name in 0..11,
    /// type at 11, length at 16) up to a 0x0D byte; each record starts with a deletion
    /// flag (`*` = deleted).
    fn parse(bytes: &[u8]) -> Result<Dbf, String> {
        if bytes.len() < 32 {
            return Err("the .dbf is too short".into());
        }
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        let mut fields = Vec::new();
        let mut offset = 1;
        let mut at = 32;
        while at + 32 <= bytes.len().min(header_len) && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let len = d[16] as usize;
            fields.push(Field {
                name: String::from_utf8_lossy(&d[..name_end]).trim().to_string(),
                kind: d[11].to_ascii_uppercase(),
                offset,
                len,
            });
            offset += len;
            at += 32;
        }
        if offset > record_len {
            return Err(format!("the fields take {offset} bytes but the header says a record has {record_len}"));
        }
        Ok(Dbf { fields, count, header_len, record_len })
    }

    /// The bytes of record `i` (0-based), deletion flag first.
    fn record<'a>(&self, bytes: &'a [u8], i: usize) -> Option<&'a [u8]> {
        if i >= self.count || self.record_len == 0 {
            return None;
        }
        let start = self.header_len.checked_add(i.checked_mul(self.record_len)?)?;
        bytes.get(start..start.checked_add(self.record_len)?)
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
