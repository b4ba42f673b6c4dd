//! KML and KMZ (Google Earth, My Maps, most phone apps). The document is streamed with
//! quick-xml ([`super::xml`]); each Placemark is cut out as it comes and parsed on its own
//! by the `kml` crate, which would otherwise build the whole document in memory (some 20
//! bytes for each byte of KML: 4 GB for a KMZ holding 190 MiB). kheo keeps the name,
//! description and ExtendedData, records the folder path (planners sort works into
//! folders such as "Tổ 5"), and turns the geometry into GeoJSON. Styles are presentation
//! and are ignored.
//!
//! The KML-to-GeoJSON geometry mapping is written here (a few lines) rather than going
//! through geo-types, which is not a direct dependency and would keep Z in a detour.

use std::io::BufRead;

use kml::types::{Coord, Element, Geometry, Placemark};
use kml::{Kml, KmlReader};
use quick_xml::events::Event;
use serde_json::{Map, Value, json};

use super::archive::Archive;
use super::input::{Fault, Input};
use super::xml::{XmlStream, local};
use super::{Format, Limits, ReadError, Sink, SourceFeature, SourceGeometry, text};
use crate::model::limits::MAX_VERTICES;

/// KML is always WGS 84 longitude/latitude (OGC KML 2.2, 6.2).
const KML_CRS: u32 = 4326;

/// The largest Placemark kept for parsing, in bytes of KML: a geometry of
/// [`MAX_VERTICES`] vertices at full precision with altitudes and a long description fit.
/// A larger one is counted as it streams by and reported as too large.
const MAX_PLACEMARK_BYTES: usize = 8 * 1024 * 1024;

/// The geometry elements that may stand alone, outside a Placemark.
const GEOMETRIES: [&[u8]; 5] = [b"Point", b"LineString", b"LinearRing", b"Polygon", b"MultiGeometry"];

/// Reads a KML document; returns the CRS it is in.
pub(crate) fn read_kml(
    entry: &str,
    text: Box<dyn BufRead + '_>,
    format: Format,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<Option<u32>, ReadError> {
    read_document(entry, text, format, fault, sink)?;
    Ok(Some(KML_CRS))
}

/// A KMZ is a zip whose main document is `doc.kml` (or else the first .kml).
pub(crate) fn read_kmz(
    input: &Input,
    limits: &Limits,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<Option<u32>, ReadError> {
    let mut archive = Archive::open(input, limits, fault)?;
    let is_kml = |name: &str| name.to_ascii_lowercase().ends_with(".kml");
    let main = archive
        .names()
        .iter()
        .find(|n| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| archive.names().iter().find(|n| is_kml(n)))
        .cloned()
        .ok_or_else(|| ReadError::MissingKml { entries: archive.list() })?;
    let entry = archive.entry(&main)?;
    let text = text::open(entry, None, fault, limits.max_decoded_bytes)?;
    read_document(&main, text, Format::Kmz, fault, sink)?;
    Ok(Some(KML_CRS))
}

/// Walks the document: Folders give the path, each Placemark (or geometry standing alone)
/// becomes a feature as soon as its end is read.
fn read_document(
    entry: &str,
    text: Box<dyn BufRead + '_>,
    format: Format,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<(), ReadError> {
    let mut xml = XmlStream::new(entry, format, text, fault);
    // (depth of the Folder element, its name)
    let mut folders: Vec<(usize, String)> = Vec::new();
    loop {
        match xml.next()? {
            Event::Start(start) => {
                let name = local(&start);
                if name == b"Placemark" || GEOMETRIES.contains(&name.as_slice()) {
                    let index = sink.next_index();
                    let placemark = cut_out(&mut xml, start)?;
                    let path: Vec<&str> = folders.iter().map(|(_, n)| n.as_str()).filter(|n| !n.is_empty()).collect();
                    sink.push(feature_of(entry, format, index, placemark, &path.join(" / "))?)?;
                } else if name == b"Folder" {
                    folders.push((xml.depth(), String::new()));
                } else if name == b"name"
                    && xml.parent() == Some(b"Folder".as_slice())
                    && let Some((depth, folder)) = folders.last_mut()
                    && *depth + 1 == xml.depth()
                {
                    *folder = xml.text()?.trim().to_string();
                }
            }
            Event::End(_) => {
                folders.retain(|(depth, _)| *depth <= xml.depth());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// A Placemark (or a geometry standing alone) as read from the stream.
enum CutOut {
    /// Its KML, to parse.
    Kml(Vec<u8>),
    /// Larger than [`MAX_PLACEMARK_BYTES`]: only its coordinates were counted.
    TooLarge { geometry_type: Option<String>, vertices: usize },
}

/// Copies the element just started, up to its end, into a buffer of at most
/// [`MAX_PLACEMARK_BYTES`] (quick-xml writes the events back as they were read).
fn cut_out(xml: &mut XmlStream, start: quick_xml::events::BytesStart<'static>) -> Result<CutOut, ReadError> {
    let depth = xml.depth();
    let standalone = local(&start) != b"Placemark";
    let mut writer = Some(quick_xml::Writer::new(Vec::new()));
    let written = |w: &mut quick_xml::Writer<Vec<u8>>, event: Event| w.write_event(event).map(|_| w.get_ref().len());
    if standalone && let Some(w) = writer.as_mut() {
        let _ = w.write_event(Event::Start(quick_xml::events::BytesStart::new("Placemark")));
    }
    let mut geometry_type = standalone.then(|| String::from_utf8_lossy(&local(&start)).into_owned());
    // The kinds of the geometries inside, for a MultiGeometry's type.
    let mut parts: Vec<Vec<u8>> = Vec::new();
    if let Some(w) = writer.as_mut() {
        let _ = w.write_event(Event::Start(start));
    }
    let mut in_coordinates = false;
    let mut vertices = 0usize;
    loop {
        let event = xml.next()?;
        match &event {
            Event::Start(e) => {
                let name = local(e);
                in_coordinates = name == b"coordinates";
                if GEOMETRIES.contains(&name.as_slice()) {
                    if geometry_type.is_none() {
                        geometry_type = Some(String::from_utf8_lossy(&name).into_owned());
                    } else if !parts.contains(&name) {
                        parts.push(name.clone());
                    }
                }
            }
            Event::End(_) => in_coordinates = false,
            Event::Text(t) if in_coordinates => {
                vertices += t.split(u8::is_ascii_whitespace).filter(|s| !s.is_empty()).count()
            }
            _ => {}
        }
        let done = matches!(event, Event::End(_)) && xml.depth() < depth;
        let size = match &event {
            Event::Text(t) => t.len(),
            Event::CData(c) => c.len(),
            _ => 0,
        };
        // Past the limit the cut-out is dropped before a large text is copied into it.
        if writer.as_ref().is_some_and(|w| w.get_ref().len() + size > MAX_PLACEMARK_BYTES) {
            writer = None;
        }
        if let Some(w) = writer.as_mut() {
            written(w, event).map_err(|e| xml.error(e.to_string()))?;
        }
        if done {
            break;
        }
    }
    match writer {
        Some(mut w) => {
            if standalone {
                let _ = w.write_event(Event::End(quick_xml::events::BytesEnd::new("Placemark")));
            }
            Ok(CutOut::Kml(w.into_inner()))
        }
        None => Ok(CutOut::TooLarge {
            geometry_type: geometry_type.map(|t| geojson_type(&t, &parts).to_string()),
            vertices,
        }),
    }
}

/// The GeoJSON type a KML geometry element becomes, as [`geometry_json`] makes it (a
/// MultiGeometry by the kinds of its `parts`; a Polygon's rings are LinearRings).
fn geojson_type<'a>(kml: &'a str, parts: &[Vec<u8>]) -> &'a str {
    let has = |name: &[u8]| parts.iter().any(|p| p == name);
    match kml {
        "LinearRing" => "LineString",
        "MultiGeometry" if has(b"Polygon") && !has(b"Point") && !has(b"LineString") => "MultiPolygon",
        "MultiGeometry" if has(b"Point") && parts.len() == 1 => "MultiPoint",
        "MultiGeometry" if !has(b"Polygon") && !has(b"Point") && !parts.is_empty() => "MultiLineString",
        "MultiGeometry" => "GeometryCollection",
        other => other,
    }
}

/// The feature of a Placemark cut out of the document.
fn feature_of(
    entry: &str,
    format: Format,
    index: usize,
    cut: CutOut,
    folder: &str,
) -> Result<SourceFeature, ReadError> {
    let kml = match cut {
        CutOut::Kml(kml) => kml,
        CutOut::TooLarge { geometry_type, vertices } => {
            let mut properties = Map::new();
            if !folder.is_empty() {
                properties.insert("folder".into(), Value::String(folder.to_string()));
            }
            let geometry = Some(SourceGeometry::Oversized { geometry_type, vertices });
            return Ok(SourceFeature { index, id: None, geometry, properties });
        }
    };
    let parsed = KmlReader::<_, f64>::from_reader(kml.as_slice()).read().map_err(|e| ReadError::MalformedXml {
        entry: entry.to_string(),
        format,
        position: format!("in Placemark {index}"),
        message: error_chain(&e),
    })?;
    let Kml::Placemark(placemark) = parsed else {
        return Err(ReadError::MalformedXml {
            entry: entry.to_string(),
            format,
            position: format!("in Placemark {index}"),
            message: "the Placemark could not be read".into(),
        });
    };
    feature(entry, format, index, &placemark, folder)
}

/// An error and its causes, on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

fn feature(
    entry: &str,
    format: Format,
    index: usize,
    placemark: &Placemark,
    folder: &str,
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
    if !folder.is_empty() {
        properties.insert("folder".into(), Value::String(folder.to_string()));
    }
    let geometry = match &placemark.geometry {
        None => None,
        Some(g) if vertex_count(g) > MAX_VERTICES => {
            Some(SourceGeometry::Oversized { geometry_type: Some(kml_type(g).to_string()), vertices: vertex_count(g) })
        }
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

/// The vertices of a KML geometry.
fn vertex_count(geometry: &Geometry) -> usize {
    match geometry {
        Geometry::Point(_) => 1,
        Geometry::LineString(l) => l.coords.len(),
        Geometry::LinearRing(r) => r.coords.len(),
        Geometry::Polygon(p) => p.outer.coords.len() + p.inner.iter().map(|r| r.coords.len()).sum::<usize>(),
        Geometry::MultiGeometry(m) => m.geometries.iter().map(vertex_count).sum(),
        _ => 0,
    }
}

/// The GeoJSON type a KML geometry becomes (as [`geometry_json`] makes it).
fn kml_type(geometry: &Geometry) -> &'static str {
    match geometry {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) | Geometry::LinearRing(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiGeometry(m) => {
            let parts: Vec<&str> = m.geometries.iter().map(kml_type).collect();
            match parts.first() {
                Some(&first) if parts.iter().all(|p| *p == first) && first != "GeometryCollection" => match first {
                    "Point" => "MultiPoint",
                    "LineString" => "MultiLineString",
                    _ => "MultiPolygon",
                },
                _ => "GeometryCollection",
            }
        }
        _ => "GeometryCollection",
    }
}
