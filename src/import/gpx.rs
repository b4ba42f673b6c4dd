//! GPX 1.0/1.1, what GPS phones and handheld receivers record when someone walks a road.
//! Each waypoint, route and track becomes one feature, in file order (which the GPX schema
//! fixes: all `wpt`, then all `rte`, then all `trk`).
//!
//! Read by hand from the XML stream ([`super::xml`]) rather than with the `gpx` crate,
//! which builds the whole file in memory with some 300 bytes per point (its `Waypoint`
//! holds every optional GPX field) and has no streaming reader: a 50 MB track would take
//! gigabytes. What kheo needs is small: positions from `lat`/`lon`, and `name`, `desc`,
//! `type` and `time`.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value, json};

use super::input::Fault;
use super::xml::{XmlStream, local};
use super::{Format, ReadError, Sink, SourceFeature, SourceGeometry};
use crate::model::limits::MAX_VERTICES;

/// GPX coordinates are WGS 84 by definition (GPX 1.1 schema, wptType).
const GPX_CRS: u32 = 4326;

pub(crate) fn read(
    entry: &str,
    text: Box<dyn BufRead + '_>,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<Option<u32>, ReadError> {
    let mut xml = XmlStream::new(entry, Format::Gpx, text, fault);
    loop {
        let (start, empty) = match xml.next()? {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::Eof => return Ok(Some(GPX_CRS)),
            _ => continue,
        };
        let name = local(&start);
        let depth = xml.depth() - usize::from(!empty);
        if depth == 0 && name != b"gpx" {
            return Err(xml.error(format!("the document is <{}>, not <gpx>", String::from_utf8_lossy(&name))));
        }
        if depth != 1 {
            continue;
        }
        let feature = match name.as_slice() {
            b"wpt" => waypoint(&mut xml, &start, empty)?,
            b"rte" | b"trk" => line(&mut xml, empty)?,
            _ => continue,
        };
        let index = sink.next_index();
        sink.push(SourceFeature { index, ..feature })?;
    }
}

/// What a `wpt`, `rte` or `trk` says about itself.
#[derive(Default)]
struct Described {
    name: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    time: Option<String>,
}

impl Described {
    /// Takes `name`, `desc`, `type` and `time` when `element` is one of them; false otherwise.
    fn take(&mut self, xml: &mut XmlStream, element: &[u8]) -> Result<bool, ReadError> {
        let slot = match element {
            b"name" => &mut self.name,
            b"desc" => &mut self.description,
            b"type" => &mut self.kind,
            b"time" => &mut self.time,
            _ => return Ok(false),
        };
        let text = xml.text()?;
        let text = text.trim();
        if !text.is_empty() && slot.is_none() {
            *slot = Some(text.to_string());
        }
        Ok(true)
    }

    /// name, description and type when present; `time` of the element, or of its first
    /// timed point for tracks and routes: when the walk was made.
    fn properties(self, first_point_time: Option<String>) -> Map<String, Value> {
        let mut map = Map::new();
        for (key, value) in [
            ("name", self.name),
            ("description", self.description),
            ("type", self.kind),
            ("time", self.time.or(first_point_time)),
        ] {
            if let Some(value) = value {
                map.insert(key.into(), Value::String(value));
            }
        }
        map
    }
}

/// The `lat` and `lon` of a point element, as `[lon, lat]`.
fn position(xml: &XmlStream, start: &BytesStart) -> Result<[f64; 2], ReadError> {
    let element = String::from_utf8_lossy(&local(start)).into_owned();
    let coordinate = |name: &str| -> Result<f64, ReadError> {
        let attribute = start
            .try_get_attribute(name)
            .map_err(|e| xml.error(e.to_string()))?
            .ok_or_else(|| xml.error(format!("<{element}> has no `{name}` attribute")))?;
        let text =
            attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| xml.error(e.to_string()))?;
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| xml.error(format!("<{element}> has `{name}=\"{text}\"`, which is not a number")))
    };
    let lat = coordinate("lat")?;
    let lon = coordinate("lon")?;
    Ok([lon, lat])
}

/// A `wpt`: a Point.
fn waypoint(xml: &mut XmlStream, start: &BytesStart, empty: bool) -> Result<SourceFeature, ReadError> {
    let point = position(xml, start)?;
    let mut described = Described::default();
    if !empty {
        let depth = xml.depth();
        loop {
            match xml.next()? {
                Event::Start(child) if xml.depth() == depth + 1 => {
                    let taken = described.take(xml, &local(&child))?;
                    if !taken {
                        xml.skip()?;
                    }
                }
                Event::End(_) if xml.depth() < depth => break,
                _ => {}
            }
        }
    }
    let geometry = SourceGeometry::GeoJson(json!({"type": "Point", "coordinates": point}));
    Ok(SourceFeature { index: 0, id: None, geometry: Some(geometry), properties: described.properties(None) })
}

/// The points of a route or a track, at most [`MAX_VERTICES`] kept, all counted.
#[derive(Default)]
struct Points {
    /// The segments (a route has one).
    segments: Vec<Vec<[f64; 2]>>,
    count: usize,
    first_time: Option<String>,
}

impl Points {
    fn add(&mut self, point: [f64; 2]) {
        self.count += 1;
        if self.count <= MAX_VERTICES
            && let Some(segment) = self.segments.last_mut()
        {
            segment.push(point);
        }
    }

    /// A point element (`rtept`, `trkpt`) just read: its position, and its time if it is
    /// the first timed one.
    fn point(&mut self, xml: &mut XmlStream, start: &BytesStart, empty: bool) -> Result<(), ReadError> {
        self.add(position(xml, start)?);
        if empty {
            return Ok(());
        }
        let depth = xml.depth();
        loop {
            match xml.next()? {
                Event::Start(child) if xml.depth() == depth + 1 => {
                    if local(&child) == b"time" && self.first_time.is_none() {
                        let time = xml.text()?.trim().to_string();
                        self.first_time = Some(time).filter(|t| !t.is_empty());
                    } else {
                        xml.skip()?;
                    }
                }
                Event::End(_) if xml.depth() < depth => return Ok(()),
                _ => {}
            }
        }
    }

    /// A LineString for one segment, a MultiLineString for several (empty ones left out);
    /// `None` without points.
    fn geometry(self) -> Option<SourceGeometry> {
        if self.count > MAX_VERTICES {
            let several = self.segments.iter().filter(|s| !s.is_empty()).count() > 1;
            let geometry_type = if several { "MultiLineString" } else { "LineString" };
            return Some(SourceGeometry::Oversized { geometry_type: Some(geometry_type.into()), vertices: self.count });
        }
        let segments: Vec<Vec<[f64; 2]>> = self.segments.into_iter().filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => None,
            [one] => Some(SourceGeometry::GeoJson(json!({"type": "LineString", "coordinates": one}))),
            _ => Some(SourceGeometry::GeoJson(json!({"type": "MultiLineString", "coordinates": segments}))),
        }
    }
}

/// A `rte` (its `rtept`s) or a `trk` (its `trkseg`s of `trkpt`s): a line.
fn line(xml: &mut XmlStream, empty: bool) -> Result<SourceFeature, ReadError> {
    let mut described = Described::default();
    let mut points = Points::default();
    if !empty {
        let depth = xml.depth();
        loop {
            let (child, child_empty) = match xml.next()? {
                Event::Start(child) => (child, false),
                Event::Empty(child) => (child, true),
                Event::End(_) if xml.depth() < depth => break,
                _ => continue,
            };
            let child_depth = xml.depth() - usize::from(!child_empty);
            let name = local(&child);
            match name.as_slice() {
                b"rtept" | b"trkpt" => {
                    if name == b"rtept" && points.segments.is_empty() {
                        points.segments.push(Vec::new());
                    }
                    points.point(xml, &child, child_empty)?;
                }
                b"trkseg" => points.segments.push(Vec::new()),
                _ if child_depth == depth && !child_empty => {
                    let taken = described.take(xml, &name)?;
                    if !taken {
                        xml.skip()?;
                    }
                }
                _ if !child_empty => xml.skip()?,
                _ => {}
            }
        }
    }
    let first_time = points.first_time.take();
    Ok(SourceFeature { index: 0, id: None, geometry: points.geometry(), properties: described.properties(first_time) })
}
