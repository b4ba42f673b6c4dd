//! GeoJSON (RFC 7946, plus the pre-RFC `crs` member that QGIS and GDAL still write for
//! projected data such as VN-2000). `serde_json` parses as a stream (its errors carry line
//! and column) and the `geojson` crate checks each geometry; kheo walks the structure,
//! keeps ids, and drops Z/M so that every reader returns 2D positions.
//!
//! A FeatureCollection is read one feature at a time with serde's streaming deserializer
//! (the seeds below), never as one `serde_json::Value` tree, which costs some 20 bytes for
//! each byte of the file. Within a feature, a geometry is built up to
//! [`MAX_VERTICES`] positions and only counted beyond; property values that are JSON
//! objects or arrays are skipped unbuilt (no field takes one).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::BufRead;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::input::Fault;
use super::{MAX_ATTRIBUTES, ReadError, Sink, SourceFeature, SourceGeometry};
use crate::model::limits::MAX_VERTICES;

/// What a `crs` member may hold, in JSON values: a name or a small object.
const MAX_CRS_NODES: usize = 1_000;

/// Reads a GeoJSON text; returns the CRS it declares and its warnings.
pub(crate) fn read(
    text: Box<dyn BufRead + '_>,
    fault: &Fault,
    sink: &mut Sink,
) -> Result<(Option<u32>, Vec<String>), ReadError> {
    let failure = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_reader(text);
    let parsed = Top { sink: &mut *sink, failure: &failure }
        .deserialize(&mut deserializer)
        .and_then(|top| deserializer.end().map(|()| top));
    let top = parsed.map_err(|e| {
        failure.take().or_else(|| fault.take()).unwrap_or_else(|| ReadError::MalformedJson {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    })?;
    top.finish(sink)
}

/// Records `error` for [`read`] to return, and stops serde with a placeholder.
fn fail<E: de::Error>(failure: &RefCell<Option<ReadError>>, error: ReadError) -> E {
    failure.borrow_mut().get_or_insert(error);
    E::custom("stopped")
}

fn invalid(index: Option<usize>, message: String) -> ReadError {
    ReadError::InvalidGeoJson { index, message }
}

/// The top-level object: a FeatureCollection (whose features are handed to the sink as
/// they are read), a Feature, or a bare geometry.
struct Top<'s, 'a> {
    sink: &'s mut Sink<'a>,
    failure: &'s RefCell<Option<ReadError>>,
}

/// What the top-level object held besides the features it streamed.
#[derive(Default)]
struct TopParts {
    kind: Option<Scalar>,
    crs: Option<Value>,
    features_seen: bool,
    /// A Feature at the top level.
    feature: FeatureParts,
    /// A bare geometry at the top level.
    coordinates: Option<Built>,
    geometries: Option<Built>,
    positions: Option<Budget>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = TopParts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TopParts, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = TopParts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopParts, A::Error> {
        let mut parts = TopParts::default();
        let budget = Cell::new(Budget::for_geometry());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => parts.kind = Some(map.next_value_seed(ScalarSeed)?),
                "crs" => {
                    let crs_budget = Cell::new(Budget { max_nodes: MAX_CRS_NODES, ..Budget::for_geometry() });
                    let built = map.next_value_seed(Bounded { budget: &crs_budget })?;
                    if crs_budget.get().over {
                        return Err(fail(self.failure, invalid(None, "the \"crs\" member is too large".into())));
                    }
                    parts.crs = Some(built.value);
                }
                "features" => {
                    let streams = parts.kind.as_ref().is_none_or(|k| k.is_str("FeatureCollection"));
                    if streams {
                        parts.features_seen = true;
                        map.next_value_seed(Features { sink: &mut *self.sink, failure: self.failure })?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                "geometry" => parts.feature.geometry = Some(map.next_value_seed(GeometrySeed)?),
                "properties" => parts.feature.properties = Some(map.next_value_seed(PropertiesSeed)?),
                "id" => parts.feature.id = Some(map.next_value_seed(ScalarSeed)?),
                "coordinates" => parts.coordinates = Some(map.next_value_seed(Bounded { budget: &budget })?),
                "geometries" => parts.geometries = Some(map.next_value_seed(Bounded { budget: &budget })?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        parts.positions = Some(budget.get());
        Ok(parts)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<TopParts, A::Error> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not an array".into())))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not a string".into())))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not a number".into())))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not a number".into())))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not a number".into())))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not a boolean".into())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopParts, E> {
        Err(fail(self.failure, invalid(None, "the top level must be an object, not null".into())))
    }
}

impl TopParts {
    /// Checks what the top-level object is, hands over a top-level Feature or geometry, and
    /// returns the CRS.
    fn finish(self, sink: &mut Sink) -> Result<(Option<u32>, Vec<String>), ReadError> {
        let crs = match &self.crs {
            None | Some(Value::Null) => None,
            Some(crs) => Some(crs_of(crs)?),
        };
        let kind = match &self.kind {
            Some(Scalar::String(s)) => s.clone(),
            _ => String::new(),
        };
        match kind.as_str() {
            "FeatureCollection" if !self.features_seen => {
                return Err(invalid(None, "the FeatureCollection has no \"features\" member".into()));
            }
            "FeatureCollection" => {}
            "Feature" => {
                let feature = FeatureParts { kind: self.kind, ..self.feature }.finish(0)?;
                sink.push(feature)?;
            }
            "Point" | "MultiPoint" | "LineString" | "MultiLineString" | "Polygon" | "MultiPolygon"
            | "GeometryCollection" => {
                let parts = GeometryParts {
                    kind: self.kind,
                    coordinates: self.coordinates,
                    geometries: self.geometries,
                    budget: self.positions.unwrap_or_else(Budget::for_geometry),
                };
                let geometry = parts.finish(0)?;
                sink.push(SourceFeature { index: 0, id: None, geometry: Some(geometry), properties: Map::new() })?;
            }
            "" => return Err(invalid(None, "the top-level object has no \"type\"".into())),
            other => return Err(invalid(None, format!("unknown type \"{other}\""))),
        }
        Ok((crs, Vec::new()))
    }
}

/// The `features` array, each feature handed to the sink as soon as it is read.
struct Features<'s, 'a> {
    sink: &'s mut Sink<'a>,
    failure: &'s RefCell<Option<ReadError>>,
}

impl<'de> DeserializeSeed<'de> for Features<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Features<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let index = self.sink.next_index();
            let Some(parts) = seq.next_element_seed(FeatureSeed { index, failure: self.failure })? else {
                return Ok(());
            };
            let nested = parts.nested_values;
            let feature = parts.finish(index).map_err(|e| fail(self.failure, e))?;
            for _ in 0..nested {
                self.sink.nested_value_left_out();
            }
            self.sink.push(feature).map_err(|e| fail(self.failure, e))?;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not an object".into())))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not a string".into())))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not a number".into())))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not a number".into())))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not a number".into())))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not a boolean".into())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(fail(self.failure, invalid(None, "\"features\" must be an array, not null".into())))
    }
}

/// The members of one Feature, as read.
#[derive(Default)]
struct FeatureParts {
    kind: Option<Scalar>,
    id: Option<Scalar>,
    geometry: Option<Result<Option<GeometryParts>, &'static str>>,
    properties: Option<Result<Properties, &'static str>>,
    nested_values: usize,
}

impl FeatureParts {
    /// The feature, checked in the order a reader would: type, id, properties, geometry.
    fn finish(self, index: usize) -> Result<SourceFeature, ReadError> {
        match &self.kind {
            Some(kind) if kind.is_str("Feature") => {}
            Some(Scalar::String(other)) => {
                return Err(invalid(Some(index), format!("expected a Feature, found \"{other}\"")));
            }
            _ => return Err(invalid(Some(index), "the feature has no \"type\"".into())),
        }
        let id = match self.id {
            None | Some(Scalar::Null) => None,
            Some(Scalar::String(s)) => Some(s),
            Some(Scalar::Number(n)) => Some(n.to_string()),
            Some(other) => {
                return Err(invalid(Some(index), format!("\"id\" must be a string or a number, not {}", other.kind())));
            }
        };
        let properties = match self.properties {
            None => Map::new(),
            Some(Ok(properties)) => {
                if properties.too_many {
                    return Err(ReadError::TooManyAttributes { max: MAX_ATTRIBUTES });
                }
                properties.values
            }
            Some(Err(found)) => return Err(ReadError::InvalidProperties { index, found }),
        };
        let geometry = match self.geometry {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(parts))) => Some(parts.finish(index)?),
            Some(Err(found)) => {
                return Err(invalid(Some(index), format!("bad geometry: a geometry must be an object, not {found}")));
            }
        };
        Ok(SourceFeature { index, id, geometry, properties })
    }
}

/// One Feature object (anything else is an error naming the feature).
struct FeatureSeed<'s> {
    index: usize,
    failure: &'s RefCell<Option<ReadError>>,
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FeatureParts, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl FeatureSeed<'_> {
    fn not_an_object<E: de::Error>(&self, found: &str) -> E {
        fail(self.failure, invalid(Some(self.index), format!("a feature must be an object, not {found}")))
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = FeatureParts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeatureParts, A::Error> {
        let mut parts = FeatureParts::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => parts.kind = Some(map.next_value_seed(ScalarSeed)?),
                "id" => parts.id = Some(map.next_value_seed(ScalarSeed)?),
                "geometry" => parts.geometry = Some(map.next_value_seed(GeometrySeed)?),
                "properties" => {
                    let properties = map.next_value_seed(PropertiesSeed)?;
                    if let Ok(p) = &properties {
                        parts.nested_values = p.nested;
                    }
                    parts.properties = Some(properties);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<FeatureParts, A::Error> {
        Err(self.not_an_object("an array"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<FeatureParts, E> {
        Err(self.not_an_object("a string"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<FeatureParts, E> {
        Err(self.not_an_object("a number"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<FeatureParts, E> {
        Err(self.not_an_object("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<FeatureParts, E> {
        Err(self.not_an_object("a number"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<FeatureParts, E> {
        Err(self.not_an_object("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FeatureParts, E> {
        Err(self.not_an_object("null"))
    }
}

/// A JSON value that should be a scalar; arrays and objects are skipped unbuilt.
#[derive(Debug, Clone)]
enum Scalar {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    /// An array or an object (`"an array"`, `"an object"`), not built.
    Nested(&'static str),
}

impl Scalar {
    fn is_str(&self, text: &str) -> bool {
        matches!(self, Scalar::String(s) if s == text)
    }

    fn kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Number(_) => "a number",
            Scalar::String(_) => "a string",
            Scalar::Nested(kind) => kind,
        }
    }

    fn into_value(self) -> Option<Value> {
        match self {
            Scalar::Null => Some(Value::Null),
            Scalar::Bool(b) => Some(Value::Bool(b)),
            Scalar::Number(n) => Some(Value::Number(n)),
            Scalar::String(s) => Some(Value::String(s)),
            Scalar::Nested(_) => None,
        }
    }
}

struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested("an object"))
    }
}

/// A feature's properties: scalar values kept, nested ones counted and left out.
struct Properties {
    values: Map<String, Value>,
    nested: usize,
    too_many: bool,
}

/// `properties`: an object or null; anything else is `Err(its kind)`.
struct PropertiesSeed;

impl<'de> DeserializeSeed<'de> for PropertiesSeed {
    type Value = Result<Properties, &'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropertiesSeed {
    type Value = Result<Properties, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut properties = Properties { values: Map::new(), nested: 0, too_many: false };
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ScalarSeed)?;
            if properties.values.len() >= MAX_ATTRIBUTES {
                properties.too_many = true;
                continue;
            }
            match value.into_value() {
                Some(value) => {
                    properties.values.insert(key, value);
                }
                None => properties.nested += 1,
            }
        }
        Ok(Ok(properties))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Properties { values: Map::new(), nested: 0, too_many: false }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
}

/// The members of a geometry object, as read.
struct GeometryParts {
    kind: Option<Scalar>,
    coordinates: Option<Built>,
    geometries: Option<Built>,
    budget: Budget,
}

impl GeometryParts {
    /// Checks the geometry with the `geojson` crate and returns it with 2D positions and
    /// no foreign members; one of more than [`MAX_VERTICES`] positions is only counted.
    fn finish(self, index: usize) -> Result<SourceGeometry, ReadError> {
        let kind = match &self.kind {
            Some(Scalar::String(s)) => Some(s.clone()),
            _ => None,
        };
        if self.budget.over {
            return Ok(SourceGeometry::Oversized { geometry_type: kind, vertices: self.budget.positions });
        }
        let mut object = Map::new();
        if let Some(kind) = self.kind.and_then(Scalar::into_value) {
            object.insert("type".into(), kind);
        }
        if let Some(coordinates) = self.coordinates {
            object.insert("coordinates".into(), coordinates.value);
        }
        if let Some(geometries) = self.geometries {
            object.insert("geometries".into(), geometries.value);
        }
        let parsed = geojson::Geometry::from_json_value(Value::Object(object))
            .map_err(|e| invalid(Some(index), format!("bad geometry: {e}")))?;
        let flat = geojson::Geometry::new(flatten(parsed.value));
        let value = serde_json::to_value(&flat).map_err(|e| invalid(Some(index), e.to_string()))?;
        Ok(SourceGeometry::GeoJson(value))
    }
}

/// `geometry`: an object, or null (`Ok(None)`); anything else is `Err(its kind)`.
struct GeometrySeed;

impl<'de> DeserializeSeed<'de> for GeometrySeed {
    type Value = Result<Option<GeometryParts>, &'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for GeometrySeed {
    type Value = Result<Option<GeometryParts>, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry or null")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let budget = Cell::new(Budget::for_geometry());
        let mut parts =
            GeometryParts { kind: None, coordinates: None, geometries: None, budget: Budget::for_geometry() };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => parts.kind = Some(map.next_value_seed(ScalarSeed)?),
                "coordinates" => parts.coordinates = Some(map.next_value_seed(Bounded { budget: &budget })?),
                "geometries" => parts.geometries = Some(map.next_value_seed(Bounded { budget: &budget })?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        parts.budget = budget.get();
        Ok(Ok(Some(parts)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
}

/// How much of a geometry has been built: past [`MAX_VERTICES`] positions (arrays holding
/// numbers), or past `max_nodes` JSON values of any kind, nothing more is kept and the
/// positions are only counted.
#[derive(Debug, Clone, Copy)]
struct Budget {
    positions: usize,
    nodes: usize,
    max_nodes: usize,
    over: bool,
}

impl Budget {
    fn for_geometry() -> Budget {
        // A position with Z and M is 5 values.
        Budget { positions: 0, nodes: 0, max_nodes: MAX_VERTICES * 6, over: false }
    }
}

/// A value built within its budget, and whether it is a number (what makes its array a
/// position).
struct Built {
    value: Value,
    is_number: bool,
}

/// Builds a `serde_json::Value` while the shared [`Budget`] lasts.
#[derive(Clone, Copy)]
struct Bounded<'b> {
    budget: &'b Cell<Budget>,
}

impl Bounded<'_> {
    /// Counts one value; true while it may be kept.
    fn keep(&self) -> bool {
        let mut budget = self.budget.get();
        budget.nodes += 1;
        if budget.nodes > budget.max_nodes {
            budget.over = true;
        }
        self.budget.set(budget);
        !budget.over
    }

    fn scalar(&self, value: Value) -> Built {
        let is_number = value.is_number();
        Built { value: if self.keep() { value } else { Value::Null }, is_number }
    }
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Built;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Built, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Built;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("GeoJSON coordinates")
    }

    fn visit_unit<E>(self) -> Result<Built, E> {
        Ok(self.scalar(Value::Null))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Built, E> {
        Ok(self.scalar(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Built, E> {
        Ok(self.scalar(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Built, E> {
        Ok(self.scalar(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Built, E> {
        Ok(self.scalar(Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Built, E> {
        Ok(self.scalar(Value::String(v.chars().take(200).collect())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Built, A::Error> {
        let mut items = Vec::new();
        let mut holds_numbers = false;
        while let Some(item) = seq.next_element_seed(self)? {
            holds_numbers |= item.is_number;
            if !self.budget.get().over {
                items.push(item.value);
            }
        }
        let mut budget = self.budget.get();
        if holds_numbers {
            budget.positions += 1;
            if budget.positions > MAX_VERTICES {
                budget.over = true;
            }
        }
        self.budget.set(budget);
        let keep = self.keep();
        Ok(Built { value: if keep { Value::Array(items) } else { Value::Null }, is_number: false })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Built, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let item = map.next_value_seed(self)?;
            if !self.budget.get().over {
                members.insert(key, item.value);
            }
        }
        let keep = self.keep();
        Ok(Built { value: if keep { Value::Object(members) } else { Value::Null }, is_number: false })
    }
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

/// serde_json appends " at line L column C"; the error says it in its own words.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message.get(..at).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}
