//! KML and KMZ (Google Earth, My Maps, most phone apps). The `kml` crate parses; kheo walks
//! Document/Folder to find the Placemarks, keeps their name, description and ExtendedData,
//! records the folder path (planners sort works into folders such as "Tổ 5"), and turns the
//! geometry into GeoJSON. Styles are presentation and are ignored.
//!
//! The KML-to-GeoJSON geometry mapping is written here (a few lines) rather than going
//! through geo-types, which is not a direct dependency and would keep Z in a detour.

use std::io::{BufRead, Read};

use kml::types::{Coord, Element, Geometry, Placemark};
use kml::{Kml, KmlReader};
use serde_json::{Map, Value, json};

use super::{
    Format, ReadError, Source, SourceFeature, SourceGeometry, archive, line_column, refuse_xml_entities, text,
};

/// KML is always WGS 84 longitude/latitude (OGC KML 2.2, 6.2).
const KML_CRS: u32 = 4326;

pub(crate) fn read_kml(entry: &str, bytes: &[u8]) -> Result<Source, ReadError> {
    let features = read_document(entry, bytes, Format::Kml)?;
    Ok(Source { format: Format::Kml, crs: Some(KML_CRS), features, warnings: Vec::new() })
}

/// A KMZ is a zip whose main document is `doc.kml` (or else the first .kml).
pub(crate) fn read_kmz(bytes: &[u8]) -> Result<Source, ReadError> {
    let entries = archive::unzip(bytes)?;
    let is_kml = |name: &str| name.to_ascii_lowercase().ends_with(".kml");
    let main = entries
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| entries.iter().find(|e| is_kml(&e.name)))
        .ok_or_else(|| ReadError::MissingKml { entries: archive::list(&entries) })?;
    let features = read_document(&main.name, &main.bytes, Format::Kmz)?;
    Ok(Source { format: Format::Kmz, crs: Some(KML_CRS), features, warnings: Vec::new() })
}

fn read_document(entry: &str, bytes: &[u8], format: Format) -> Result<Vec<SourceFeature>, ReadError> {
    let text = text::decode_default(bytes)?;
    refuse_xml_entities(entry, &text)?;
    check_structure(entry, &text, format)?;
    let mut input = Counting::new(text.as_bytes());
    let root = KmlReader::<_, f64>::from_reader(&mut input)
        .read()
        .map_err(|e| xml_error(entry, format, &text, input.consumed, &e))?;
    let mut features = Vec::new();
    let mut folders = Vec::new();
    walk(entry, format, &root, &mut folders, &mut features)?;
    Ok(features)
}

fn walk(
    entry: &str,
    format: Format,
    node: &Kml,
    folders: &mut Vec<String>,
    out: &mut Vec<SourceFeature>,
) -> Result<(), ReadError> {
    match node {
        Kml::KmlDocument(doc) => {
            for child in &doc.elements {
                walk(entry, format, child, folders, out)?;
            }
        }
        Kml::Document { elements, .. } => {
            for child in elements {
                walk(entry, format, child, folders, out)?;
            }
        }
        Kml::Folder(folder) => {
            folders.push(folder.name.clone().unwrap_or_default().trim().to_string());
            for child in &folder.elements {
                walk(entry, format, child, folders, out)?;
            }
            folders.pop();
        }
        Kml::Placemark(placemark) => {
            let index = out.len();
            out.push(feature(entry, format, index, placemark, folders)?);
        }
        // A bare geometry at the top of a file (rare, but the crate accepts it).
        Kml::Point(_) | Kml::LineString(_) | Kml::LinearRing(_) | Kml::Polygon(_) | Kml::MultiGeometry(_) => {
            let geometry = match node.clone() {
                Kml::Point(g) => Geometry::Point(g),
                Kml::LineString(g) => Geometry::LineString(g),
                Kml::LinearRing(g) => Geometry::LinearRing(g),
                Kml::Polygon(g) => Geometry::Polygon(g),
                Kml::MultiGeometry(g) => Geometry::MultiGeometry(g),
                _ => unreachable!("matched above"),
            };
            let index = out.len();
            let placemark = Placemark { geometry: Some(geometry), ..Default::default() };
            out.push(feature(entry, format, index, &placemark, folders)?);
        }
        _ => {}
    }
    Ok(())
}

fn feature(
    entry: &str,
    format: Format,
    index: usize,
    placemark: &Placemark,
    folders: &[String],
) -> Result<SourceFeature, ReadError> {
    let mut properties = Map::new();
    if let Some(name) = &placemark.name {
        properties.insert("name".into(), Value::String(name.trim().to_string()));
    }
    if let Some(description) = &placemark.description {
        properties.insert("description".into(), Value::String(description.trim().to_string()));
    }
    for extended in placemark.children.iter().filter(|c| c.name == "ExtendedData") {
        extended_data(extended, &mut properties);
    }
    let path: Vec<&str> = folders.iter().map(String::as_str).filter(|f| !f.is_empty()).collect();
    if !path.is_empty() {
        properties.insert("folder".into(), Value::String(path.join(" / ")));
    }
    let geometry = match &placemark.geometry {
        None => None,
        Some(g) => geometry_json(g)
            .map_err(|message| ReadError::MalformedXml {
                entry: entry.to_string(),
                format,
                position: format!("in Placemark {index}"),
                message,
            })?
            .map(SourceGeometry::GeoJson),
    };
    Ok(SourceFeature { index, id: None, geometry, properties })
}

/// `<Data name="k"><value>v</value></Data>` and `<SchemaData><SimpleData name="k">v`.
fn extended_data(extended: &Element, properties: &mut Map<String, Value>) {
    for child in &extended.children {
        match child.name.as_str() {
            "Data" => {
                let Some(name) = child.attrs.get("name") else { continue };
                let value = child
                    .children
                    .iter()
                    .find(|c| c.name == "value")
                    .and_then(|c| c.content.clone())
                    .unwrap_or_default();
                properties.insert(name.clone(), Value::String(value.trim().to_string()));
            }
            "SchemaData" => {
                for simple in child.children.iter().filter(|c| c.name == "SimpleData") {
                    if let Some(name) = simple.attrs.get("name") {
                        let value = simple.content.clone().unwrap_or_default();
                        properties.insert(name.clone(), Value::String(value.trim().to_string()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// KML geometry -> GeoJSON geometry (2D). `Ok(None)` for a Model, which has no shape.
fn geometry_json(geometry: &Geometry) -> Result<Option<Value>, String> {
    fn position(c: &Coord) -> Result<Value, String> {
        if c.x.is_finite() && c.y.is_finite() {
            Ok(json!([c.x, c.y]))
        } else {
            Err(format!("coordinate {},{} is not a finite number", c.x, c.y))
        }
    }
    fn positions(coords: &[Coord]) -> Result<Value, String> {
        coords.iter().map(position).collect::<Result<Vec<_>, _>>().map(Value::Array)
    }
    fn rings(polygon: &kml::types::Polygon) -> Result<Value, String> {
        let mut rings = vec![positions(&polygon.outer.coords)?];
        for inner in &polygon.inner {
            rings.push(positions(&inner.coords)?);
        }
        Ok(Value::Array(rings))
    }
    Ok(Some(match geometry {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": position(&p.coord)?}),
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": positions(&l.coords)?}),
        // GeoJSON has no ring type; a ring on its own is a closed line.
        Geometry::LinearRing(r) => json!({"type": "LineString", "coordinates": positions(&r.coords)?}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": rings(p)?}),
        Geometry::MultiGeometry(m) => {
            let parts = &m.geometries;
            let all = |f: fn(&Geometry) -> bool| !parts.is_empty() && parts.iter().all(f);
            if all(|g| matches!(g, Geometry::Point(_))) {
                let points = parts
                    .iter()
                    .filter_map(|g| match g {
                        Geometry::Point(p) => Some(position(&p.coord)),
                        _ => None,
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                json!({"type": "MultiPoint", "coordinates": points})
            } else if all(|g| matches!(g, Geometry::LineString(_))) {
                let lines = parts
                    .iter()
                    .filter_map(|g| match g {
                        Geometry::LineString(l) => Some(positions(&l.coords)),
                        _ => None,
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                json!({"type": "MultiLineString", "coordinates": lines})
            } else if all(|g| matches!(g, Geometry::Polygon(_))) {
                let polygons = parts
                    .iter()
                    .filter_map(|g| match g {
                        Geometry::Polygon(p) => Some(rings(p)),
                        _ => None,
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                json!({"type": "MultiPolygon", "coordinates": polygons})
            } else {
                let mut members = Vec::new();
                for part in parts {
                    if let Some(g) = geometry_json(part)? {
                        members.push(g);
                    }
                }
                json!({"type": "GeometryCollection", "geometries": members})
            }
        }
        _ => return Ok(None),
    }))
}

/// The deepest XML nesting accepted. The `kml` crate parses recursively, so a file of
/// thousands of nested Folders would overflow the stack; real KML nests a dozen levels.
const MAX_DEPTH: usize = 100;

/// Checks that every element is closed, in order, and that nesting stays below
/// [`MAX_DEPTH`], before a parser sees the document. Needed because the `kml` crate's
/// element loops never stop at the end of the input: a KML cut off inside a Placemark
/// would hang the server. A small tag scanner (comments, CDATA, processing instructions
/// and quoted attribute values skipped); the parsers judge everything else.
/// Markup that is not an element: its start and its end.
const SKIPPED: [(&[u8], &[u8]); 4] = [(b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">")];

pub(crate) fn check_structure(entry: &str, text: &str, format: Format) -> Result<(), ReadError> {
    let bytes = text.as_bytes();
    let error = |at: usize, message: String| {
        let (line, column) = line_column(text, at);
        ReadError::MalformedXml {
            entry: entry.to_string(),
            format,
            position: format!("at line {line}, column {column}"),
            message,
        }
    };
    let find = |from: usize, needle: &[u8]| {
        bytes[from..].windows(needle.len()).position(|w| w == needle).map(|p| from + p + needle.len())
    };
    let mut stack: Vec<(&[u8], usize)> = Vec::new();
    let mut i = 0;
    while let Some(found) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + found;
        let rest = &bytes[at..];
        let skip = SKIPPED.iter().find(|(start, _)| rest.starts_with(start));
        if let Some((_, end)) = skip {
            i = find(at + 2, end)
                .ok_or_else(|| error(at, "a comment, CDATA section or declaration is not closed".into()))?;
            continue;
        }
        // The end of the tag, skipping quoted attribute values (they may hold '>').
        let mut quote = None;
        let mut end = None;
        for (j, &b) in rest.iter().enumerate().skip(1) {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'>') => {
                    end = Some(at + j);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| error(at, "a tag is not closed with '>'".into()))?;
        let tag = &bytes[at + 1..end];
        if let Some(closing) = tag.strip_prefix(b"/") {
            let name = name_of(closing);
            match stack.pop() {
                Some((open, _)) if open == name => {}
                Some((open, _)) => {
                    return Err(error(
                        at,
                        format!(
                            "expected </{}>, found </{}>",
                            String::from_utf8_lossy(open),
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
                None => return Err(error(at, format!("</{}> closes nothing", String::from_utf8_lossy(name)))),
            }
        } else if !tag.ends_with(b"/") {
            stack.push((name_of(tag), at));
            if stack.len() > MAX_DEPTH {
                return Err(error(at, format!("elements are nested more than {MAX_DEPTH} deep")));
            }
        }
        i = end + 1;
    }
    match stack.last() {
        Some((open, at)) => {
            Err(error(*at, format!("<{}> is never closed (the file ends first)", String::from_utf8_lossy(open))))
        }
        None => Ok(()),
    }
}

/// The element name of a tag's inside (`Placemark id="1"` -> `Placemark`).
fn name_of(tag: &[u8]) -> &[u8] {
    let stop = tag.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(tag.len());
    &tag[..stop]
}

/// A parser error with the position the parser had reached: the `kml` and `gpx` crates do
/// not report positions, so the input is read through [`Counting`].
pub(crate) fn xml_error(
    entry: &str,
    format: Format,
    text: &str,
    consumed: usize,
    error: &(dyn std::error::Error + 'static),
) -> ReadError {
    let (line, column) = line_column(text, consumed);
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    ReadError::MalformedXml {
        entry: entry.to_string(),
        format,
        position: format!("near line {line}, column {column}"),
        message,
    }
}

/// A `BufRead` over a byte slice that remembers how far the parser has read.
pub(crate) struct Counting<'a> {
    data: &'a [u8],
    pub consumed: usize,
}

impl<'a> Counting<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Counting { data, consumed: 0 }
    }
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.data[self.consumed..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.consumed += n;
        Ok(n)
    }
}

impl BufRead for Counting<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        Ok(&self.data[self.consumed..])
    }

    fn consume(&mut self, amount: usize) {
        self.consumed = (self.consumed + amount).min(self.data.len());
    }
}
