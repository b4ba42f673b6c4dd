//! Zipped ESRI Shapefiles, still what district land offices and CAD conversions hand out,
//! mostly in VN-2000. The zip must hold one .shp with its .shx and .dbf; the .prj gives the
//! CRS (see [`super::prj`]) and the optional .cpg the text encoding of the .dbf.
//!
//! The `shapefile` crate reads the geometry and the `dbase` crate (its dependency) the
//! attribute values. Text fields are the exception: without its optional `encoding_rs`
//! feature `dbase` only decodes UTF-8 (lossily), and Vietnamese shapefiles are often
//! Windows-1258. So the bytes of Character fields are taken from the .dbf here (a fixed
//! layout: a 32-byte header, 32-byte field descriptors, fixed-width records) and decoded
//! with `encoding_rs`. Enabling `shapefile/encoding_rs` in Cargo.toml would make this
//! unnecessary.

use std::collections::HashMap;
use std::io::Cursor;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1258};
use serde_json::{Map, Number, Value, json};
use shapefile::dbase::{self, FieldValue};
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape, ShapeReader};

use super::archive::{self, Entry};
use super::{Format, ReadError, Source, SourceFeature, SourceGeometry, prj, text};

pub(crate) fn read(bytes: &[u8], encoding_override: Option<&str>) -> Result<Source, ReadError> {
    let entries = archive::unzip(bytes)?;
    // macOS zips add "__MACOSX/._name" resource forks next to the real files.
    let real: Vec<&Entry> = entries
        .iter()
        .filter(|e| !e.name.starts_with("__MACOSX/") && !base_name(&e.name).starts_with("._"))
        .collect();
    let shps: Vec<&Entry> = real.iter().copied().filter(|e| has_ext(&e.name, "shp")).collect();
    let shp = match shps.as_slice() {
        [] => {
            return Err(ReadError::NoShapefile {
                entries: archive::list(&entries),
            });
        }
        [one] => *one,
        several => {
            return Err(ReadError::SeveralShapefiles {
                names: several.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
    };
    let stem = &shp.name[..shp.name.len() - 4];
    let sibling = |ext: &str| {
        real.iter()
            .copied()
            .find(|e| e.name.len() == stem.len() + 4 && e.name[..stem.len()].eq_ignore_ascii_case(stem) && has_ext(&e.name, ext))
    };
    let (shx, dbf) = (sibling("shx"), sibling("dbf"));
    let missing: Vec<&str> = [(".shx", shx.is_none()), (".dbf", dbf.is_none())]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(ext, _)| *ext)
        .collect();
    let (Some(shx), Some(dbf)) = (shx, dbf) else {
        return Err(ReadError::MissingShapefilePart {
            shp: shp.name.clone(),
            missing: missing.join(" and "),
        });
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
    let raw = RawDbf::parse(&dbf.bytes).map_err(|m| shape_error(&dbf.name, None, &m))?;
    let mut shapes = ShapeReader::with_shx(Cursor::new(shp.bytes.as_slice()), Cursor::new(shx.bytes.as_slice()))
        .map_err(|e| shape_error(&shp.name, None, &e))?;
    let mut table = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::UnicodeLossy)
        .build(Cursor::new(dbf.bytes.as_slice()))
        .map_err(|e| shape_error(&dbf.name, None, &e))?;
    let mut records = table.iter_records();

    let mut features = Vec::new();
    let mut undecodable = false;
    for (i, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| shape_error(&shp.name, Some(i), &e))?;
        let Some(raw_record) = raw.records.get(i) else {
            return Err(shape_error(&dbf.name, None, &format!("the .dbf has {} records but the .shp has more shapes", raw.records.len())));
        };
        // `dbase` skips deleted records; so do we, shape and all.
        if raw_record.deleted {
            continue;
        }
        let record = match records.next() {
            Some(r) => r.map_err(|e| shape_error(&dbf.name, Some(i), &e))?,
            None => return Err(shape_error(&dbf.name, Some(i), &"the record is missing")),
        };
        let mut properties = Map::new();
        for (name, value) in record {
            let value = match value {
                FieldValue::Character(_) => raw_record.text(&raw, &dbf.bytes, &name).map(|bytes| {
                    if encoding == UTF_8 && std::str::from_utf8(bytes).is_err() {
                        undecodable = true;
                    }
                    Value::String(text::decode_with(encoding, bytes))
                }),
                other => json_value(other),
            };
            if let Some(value) = value {
                properties.insert(name, value);
            }
        }
        let index = features.len();
        let geometry = geometry(&shape).map(SourceGeometry::GeoJson);
        if geometry.is_none() && !matches!(shape, Shape::NullShape) {
            warnings.push(format!("feature {index}: {} shapes are not imported", shape.shapetype()));
        }
        features.push(SourceFeature {
            index,
            id: None,
            geometry,
            properties,
        });
    }
    if undecodable {
        warnings.push(format!(
            "the text in {} is not UTF-8 and there is no .cpg: add a .cpg holding 1258 (Windows-1258) or pass the encoding",
            dbf.name
        ));
    }
    Ok(Source {
        format: Format::Shapefile,
        crs,
        features,
        warnings,
    })
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
    cpg: Option<&Entry>,
    encoding_override: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<&'static Encoding, ReadError> {
    if let Some(label) = encoding_override {
        return Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| ReadError::UnknownEncoding {
            label: label.to_string(),
        });
    }
    let Some(cpg) = cpg else { return Ok(UTF_8) };
    let label = String::from_utf8_lossy(&cpg.bytes).trim().trim_start_matches('\u{feff}').to_string();
    let upper = label.to_ascii_uppercase();
    let digits: String = upper.chars().filter(char::is_ascii_digit).collect();
    let encoding = match digits.as_str() {
        "1258" => Some(WINDOWS_1258),
        "65001" => Some(UTF_8),
        _ if upper.replace('-', "") == "UTF8" => Some(UTF_8),
        _ => Encoding::for_label(label.as_bytes())
            .or_else(|| (!digits.is_empty()).then(|| Encoding::for_label(format!("windows-{digits}").as_bytes())).flatten()),
    };
    Ok(encoding.unwrap_or_else(|| {
        warnings.push(format!("{}: unknown code page \"{label}\", the .dbf is read as UTF-8", cpg.name));
        UTF_8
    }))
}

fn json_value(value: FieldValue) -> Option<Value> {
    fn number(f: f64) -> Option<Value> {
        if f.fract() == 0.0 && f.abs() < 9e15 {
            Some(json!(f as i64))
        } else {
            Number::from_f64(f).map(Value::Number)
        }
    }
    let date = |d: dbase::Date| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    match value {
        FieldValue::Character(s) => s.map(Value::String),
        FieldValue::Memo(s) => (!s.trim().is_empty()).then(|| Value::String(s.trim().to_string())),
        FieldValue::Numeric(n) => n.and_then(number),
        // Through its decimal text, so that 1.2f32 stays 1.2 and not 1.2000000476837158.
        FieldValue::Float(f) => f.and_then(|f| f.to_string().parse().ok()).and_then(number),
        FieldValue::Integer(i) => Some(json!(i)),
        FieldValue::Currency(f) | FieldValue::Double(f) => number(f),
        FieldValue::Logical(b) => b.map(Value::Bool),
        FieldValue::Date(d) => d.map(|d| Value::String(date(d))),
        FieldValue::DateTime(dt) => {
            let t = dt.time();
            Some(Value::String(format!(
                "{}T{:02}:{:02}:{:02}",
                date(dt.date()),
                t.hours(),
                t.minutes(),
                t.seconds()
            )))
        }
    }
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

/// The raw layout of a .dbf: where each Character field sits in each record.
struct RawDbf {
    /// name -> (offset in the record, length), Character fields only.
    text_fields: HashMap<String, (usize, usize)>,
    records: Vec<RawRecord>,
}

struct RawRecord {
    start: usize,
    deleted: bool,
}

impl RawDbf {
    /// dBase III/IV layout: bytes 4..8 the record count, 8..10 the header length, 10..12
    /// the record length; from byte 32 one 32-byte descriptor per field (name in 0..11,
    /// type at 11, length at 16) up to a 0x0D byte; each record starts with a deletion
    /// flag (`*` = deleted).
    fn parse(bytes: &[u8]) -> Result<RawDbf, String> {
        let short = || "the .dbf is too short".to_string();
        let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
        let count = bytes.get(4..8).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).ok_or_else(short)?;
        let header_len = u16_at(8).ok_or_else(short)?;
        let record_len = u16_at(10).ok_or_else(short)?;
        let mut text_fields = HashMap::new();
        let mut offset = 1; // after the deletion flag
        let mut at = 32;
        while at + 32 <= bytes.len().min(header_len) && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let name = String::from_utf8_lossy(&d[..name_end]).trim().to_string();
            let len = d[16] as usize;
            if d[11] == b'C' {
                text_fields.insert(name, (offset, len));
            }
            offset += len;
            at += 32;
        }
        let mut records = Vec::new();
        for i in 0..count {
            let start = header_len + i * record_len;
            if record_len == 0 || start + record_len > bytes.len() {
                break;
            }
            records.push(RawRecord {
                start,
                deleted: bytes[start] == b'*',
            });
        }
        Ok(RawDbf { text_fields, records })
    }
}

impl RawRecord {
    /// The trimmed bytes of a Character field; `None` when blank.
    fn text<'a>(&self, dbf: &RawDbf, bytes: &'a [u8], field: &str) -> Option<&'a [u8]> {
        let &(offset, len) = dbf.text_fields.get(field)?;
        let raw = bytes.get(self.start + offset..self.start + offset + len)?;
        let end = raw.iter().rposition(|&b| b != b' ' && b != 0)? + 1;
        let start = raw.iter().position(|&b| b != b' ')?;
        Some(&raw[start..end])
    }
}
