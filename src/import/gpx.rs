//! GPX 1.0/1.1, what GPS phones and handheld receivers record when someone walks a road.
//! The `gpx` crate parses; each waypoint, route and track becomes one feature, in the order
//! the GPX schema puts them in a file (all `wpt`, then all `rte`, then all `trk`).

use gpx::{Gpx, Waypoint};
use serde_json::{Map, Value, json};

use super::kml::{Counting, check_structure, xml_error};
use super::{Format, ReadError, Source, SourceFeature, SourceGeometry, refuse_xml_entities, text};

pub(crate) fn read(entry: &str, bytes: &[u8]) -> Result<Source, ReadError> {
    let text = text::decode_default(bytes)?;
    refuse_xml_entities(entry, &text)?;
    check_structure(entry, &text, Format::Gpx)?;
    let mut input = Counting::new(text.as_bytes());
    let parsed: Gpx = gpx::read(&mut input).map_err(|e| xml_error(entry, Format::Gpx, &text, input.consumed, &e))?;
    let mut features = Vec::new();
    let mut push = |geometry: Option<Value>, properties: Map<String, Value>| {
        features.push(SourceFeature {
            index: features.len(),
            id: None,
            geometry: geometry.map(SourceGeometry::GeoJson),
            properties,
        });
    };
    for waypoint in &parsed.waypoints {
        let geometry = json!({"type": "Point", "coordinates": position(waypoint)});
        push(Some(geometry), properties(&waypoint.name, &waypoint.description, &waypoint.type_, waypoint.time));
    }
    for route in &parsed.routes {
        let geometry =
            (!route.points.is_empty()).then(|| json!({"type": "LineString", "coordinates": line(&route.points)}));
        let time = route.points.iter().find_map(|p| p.time);
        push(geometry, properties(&route.name, &route.description, &route.type_, time));
    }
    for track in &parsed.tracks {
        let segments: Vec<Value> =
            track.segments.iter().filter(|s| !s.points.is_empty()).map(|s| line(&s.points)).collect();
        let geometry = match segments.len() {
            0 => None,
            1 => Some(json!({"type": "LineString", "coordinates": segments[0]})),
            _ => Some(json!({"type": "MultiLineString", "coordinates": segments})),
        };
        let time = track.segments.iter().flat_map(|s| &s.points).find_map(|p| p.time);
        push(geometry, properties(&track.name, &track.description, &track.type_, time));
    }
    Ok(Source {
        format: Format::Gpx,
        // GPX coordinates are WGS 84 by definition (GPX 1.1 schema, wptType).
        crs: Some(4326),
        features,
        warnings: Vec::new(),
    })
}

fn position(point: &Waypoint) -> Value {
    let p = point.point();
    json!([p.x(), p.y()])
}

fn line(points: &[Waypoint]) -> Value {
    Value::Array(points.iter().map(position).collect())
}

/// name, description and type when present; `time` (ISO 8601) of the element, or of its
/// first timed point for tracks and routes: when the walk was made.
fn properties(
    name: &Option<String>,
    description: &Option<String>,
    type_: &Option<String>,
    time: Option<gpx::Time>,
) -> Map<String, Value> {
    let mut map = Map::new();
    let mut put = |key: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            map.insert(key.into(), Value::String(v.to_string()));
        }
    };
    put("name", name);
    put("description", description);
    put("type", type_);
    if let Some(time) = time.and_then(|t| t.format().ok()) {
        map.insert("time".into(), Value::String(time));
    }
    map
}
