//! GeoJSON (RFC 7946, plus the pre-RFC `crs` member that QGIS and GDAL still write for
//! projected data such as VN-2000). `serde_json` parses (its errors carry line and column)
//! and the `geojson` crate checks each geometry; kheo only walks the structure, keeps ids,
//! and drops Z/M so that every reader returns 2D positions.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{Format, ReadError, ReadOptions, Source, SourceFeature, SourceGeometry, text};

pub(crate) fn read(file_name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Source, ReadError> {
    let text = text::decode(bytes, options)?;
    if text.trim().is_empty() {
        return Err(ReadError::Empty { what: format!("\"{file_name}\"") });
    }
    let root: Value = serde_json::from_str(&text).map_err(|e| ReadError::MalformedJson {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Value::Object(root) = root else {
        return Err(invalid(None, format!("the top level must be an object, not {}", kind(&root))));
    };
    let crs = match root.get("crs") {
        None | Some(Value::Null) => None,
        Some(crs) => Some(crs_of(crs)?),
    };
    let kind_name = root.get("type").and_then(Value::as_str).unwrap_or("");
    let mut features = Vec::new();
    match kind_name {
        "FeatureCollection" => {
            let list = match root.get("features") {
                Some(Value::Array(list)) => list,
                Some(other) => {
                    return Err(invalid(None, format!("\"features\" must be an array, not {}", kind(other))));
                }
                None => return Err(invalid(None, "the FeatureCollection has no \"features\" member".into())),
            };
            for (index, feature) in list.iter().enumerate() {
                let Value::Object(feature) = feature else {
                    return Err(invalid(Some(index), format!("a feature must be an object, not {}", kind(feature))));
                };
                features.push(read_feature(index, feature)?);
            }
        }
        "Feature" => features.push(read_feature(0, &root)?),
        "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
        | "GeometryCollection" => features.push(SourceFeature {
            index: 0,
            id: None,
            geometry: Some(geometry(0, &Value::Object(root.clone()))?),
            properties: Map::new(),
        }),
        "" => return Err(invalid(None, "the top-level object has no \"type\"".into())),
        other => return Err(invalid(None, format!("unknown type \"{other}\""))),
    }
    check_unique_ids(&features)?;
    Ok(Source { format: Format::GeoJson, crs, features, warnings: Vec::new() })
}

fn read_feature(index: usize, feature: &Map<String, Value>) -> Result<SourceFeature, ReadError> {
    match feature.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(other) => return Err(invalid(Some(index), format!("expected a Feature, found \"{other}\""))),
        None => return Err(invalid(Some(index), "the feature has no \"type\"".into())),
    }
    let id = match feature.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(invalid(Some(index), format!("\"id\" must be a string or a number, not {}", kind(other))));
        }
    };
    let properties = match feature.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(other) => {
            return Err(ReadError::InvalidProperties { index, found: kind(other) });
        }
    };
    let geometry = match feature.get("geometry") {
        None | Some(Value::Null) => None,
        Some(g) => Some(geometry(index, g)?),
    };
    Ok(SourceFeature { index, id, geometry, properties })
}

/// Checks a geometry with the `geojson` crate and returns it with 2D positions and no
/// foreign members.
fn geometry(index: usize, value: &Value) -> Result<SourceGeometry, ReadError> {
    let parsed = geojson::Geometry::from_json_value(value.clone())
        .map_err(|e| invalid(Some(index), format!("bad geometry: {e}")))?;
    let flat = geojson::Geometry::new(flatten(parsed.value));
    let value = serde_json::to_value(&flat).map_err(|e| invalid(Some(index), e.to_string()))?;
    Ok(SourceGeometry::GeoJson(value))
}

/// Drops Z and M: kheo stores 2D geometries.
fn flatten(value: geojson::Value) -> geojson::Value {
    use geojson::Value as V;
    fn p(mut position: Vec<f64>) -> Vec<f64> {
        position.truncate(2);
        position
    }
    fn line(positions: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
        positions.into_iter().map(p).collect()
    }
    fn poly(rings: Vec<Vec<Vec<f64>>>) -> Vec<Vec<Vec<f64>>> {
        rings.into_iter().map(line).collect()
    }
    match value {
        V::Point(c) => V::Point(p(c)),
        V::MultiPoint(c) => V::MultiPoint(line(c)),
        V::LineString(c) => V::LineString(line(c)),
        V::MultiLineString(c) => V::MultiLineString(poly(c)),
        V::Polygon(c) => V::Polygon(poly(c)),
        V::MultiPolygon(c) => V::MultiPolygon(c.into_iter().map(poly).collect()),
        V::GeometryCollection(gs) => {
            V::GeometryCollection(gs.into_iter().map(|g| geojson::Geometry::new(flatten(g.value))).collect())
        }
    }
}

fn check_unique_ids(features: &[SourceFeature]) -> Result<(), ReadError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for feature in features {
        if let Some(id) = feature.id.as_deref() {
            if let Some(&first) = seen.get(id) {
                return Err(ReadError::DuplicateId { id: id.to_string(), first, second: feature.index });
            }
            seen.insert(id, feature.index);
        }
    }
    Ok(())
}

/// The EPSG code of a `crs` member: `{"type": "name", "properties": {"name": N}}` with N
/// such as `urn:ogc:def:crs:EPSG::3405`, `EPSG:3405` or `urn:ogc:def:crs:OGC:1.3:CRS84`.
fn crs_of(crs: &Value) -> Result<u32, ReadError> {
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name").or_else(|| p.get("code")))
        .map(|n| match n {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| crs.to_string());
    epsg_from_name(&name).ok_or_else(|| ReadError::UnknownCrs { name, place: "the GeoJSON \"crs\" member".into() })
}

pub(crate) fn epsg_from_name(name: &str) -> Option<u32> {
    let upper = name.trim().to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with("CRS:84") {
        return Some(4326);
    }
    // urn:ogc:def:crs:EPSG::3405, urn:ogc:def:crs:EPSG:6.6:3405, EPSG:3405,
    // http://www.opengis.net/def/crs/EPSG/0/3405
    if !upper.contains("EPSG") {
        return None;
    }
    let code = upper.rsplit([':', '/']).next()?;
    code.parse().ok()
}

fn invalid(index: Option<usize>, message: String) -> ReadError {
    ReadError::InvalidGeoJson { index, message }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json appends " at line L column C"; the error says it in its own words.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message.get(..at).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}
