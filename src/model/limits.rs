//! The limits on one feature, in one place: the API's writes, the importer and the page
//! (which reads them in `GET /api/layers`) all take them from here. They bound what one
//! request can make the server and PostgreSQL hold, and what every later read of the
//! feature costs (a 1,000,000-vertex road would weigh 22 MB in every read of its commune).

use super::field::{Field, FieldType};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Digits after the decimal point in the coordinates the API writes: 1e-7 degree is about
/// 1 cm.
pub const COORDINATE_DIGITS: u32 = 7;

/// The most vertices (positions) one geometry may have. A commune's longest road, drawn
/// at one vertex per metre, has a few thousand; a ward boundary from a cadastral map some
/// ten thousand.
pub const MAX_VERTICES: usize = 50_000;

/// The longest name and other short text (organisation, species, caretaker, codes), in
/// characters.
pub const SHORT_TEXT_MAX_CHARS: usize = 500;

/// The longest note or description, in characters.
pub const LONG_TEXT_MAX_CHARS: usize = 5_000;

/// The largest body of one feature write (`POST`/`PUT`/`PATCH` of a feature), in bytes: a
/// geometry of [`MAX_VERTICES`] at full double precision (some 40 bytes a vertex) and the
/// longest texts fit with room to spare; uploads of files go through the importer instead.
pub const FEATURE_BODY_MAX_BYTES: usize = 4 * 1024 * 1024;

/// The most characters a text field takes; `None` for the other types.
///
/// ```
/// let roads = kheo::layers::find("roads").unwrap();
/// assert_eq!(kheo::model::limits::max_chars(roads.field("name").unwrap()), Some(500));
/// assert_eq!(kheo::model::limits::max_chars(roads.field("note").unwrap()), Some(5_000));
/// assert_eq!(kheo::model::limits::max_chars(roads.field("people_vnd").unwrap()), None);
/// ```
pub fn max_chars(field: &Field) -> Option<usize> {
    match (field.ty, field.name) {
        (FieldType::Text, "note" | "description") => Some(LONG_TEXT_MAX_CHARS),
        (FieldType::Text, _) => Some(SHORT_TEXT_MAX_CHARS),
        _ => None,
    }
}

/// At most `max` characters of `text` for an error message, with `…` when cut: a message
/// never echoes a megabyte that a client sent.
pub fn shown(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// The number of positions in a GeoJSON geometry, read from its text without building it
/// in memory (a position is an array holding numbers; `geometries` of a collection are
/// counted too). `Err` when the text is not JSON.
///
/// ```
/// use kheo::model::limits::count_positions;
/// assert_eq!(count_positions(r#"{"type":"Point","coordinates":[105.7,19.2]}"#), Ok(1));
/// assert_eq!(count_positions(r#"{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6,7]]]}"#), Ok(3));
/// ```
pub fn count_positions(geojson: &str) -> Result<usize, String> {
    let mut deserializer = serde_json::Deserializer::from_str(geojson);
    let counted = PositionCounter.deserialize(&mut deserializer).map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(counted.positions)
}

/// What [`PositionCounter`] found in a JSON value.
struct Counted {
    positions: usize,
    is_number: bool,
}

/// Counts, in one pass and without allocating, the arrays that hold numbers.
struct PositionCounter;

impl<'de> DeserializeSeed<'de> for PositionCounter {
    type Value = Counted;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Counted, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PositionCounter {
    type Value = Counted;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: false })
    }

    fn visit_i64<E>(self, _: i64) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: true })
    }

    fn visit_u64<E>(self, _: u64) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: true })
    }

    fn visit_f64<E>(self, _: f64) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: true })
    }

    fn visit_str<E>(self, _: &str) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: false })
    }

    fn visit_unit<E>(self) -> Result<Counted, E> {
        Ok(Counted { positions: 0, is_number: false })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counted, A::Error> {
        let (mut positions, mut holds_numbers) = (0usize, false);
        while let Some(element) = seq.next_element_seed(PositionCounter)? {
            positions = positions.saturating_add(element.positions);
            holds_numbers |= element.is_number;
        }
        Ok(Counted { positions: positions.saturating_add(usize::from(holds_numbers)), is_number: false })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counted, A::Error> {
        let mut positions = 0usize;
        while map.next_key::<IgnoredAny>()?.is_some() {
            positions = positions.saturating_add(map.next_value_seed(PositionCounter)?.positions);
        }
        Ok(Counted { positions, is_number: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_counted_in_every_geometry_type() {
        let cases = [
            (r#"{"type":"LineString","coordinates":[[1,2],[3,4],[5,6]]}"#, 3),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.3,0.2],[0.2,0.3],[0.2,0.2]]]}"#,
                8,
            ),
            (r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}"#, 4),
            (
                r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[1,2],[3,4]]}]}"#,
                3,
            ),
            (r#"{"type":"LineString","coordinates":[]}"#, 0),
        ];
        for (text, expected) in cases {
            assert_eq!(count_positions(text), Ok(expected), "{text}");
        }
        let many = format!(r#"{{"type":"LineString","coordinates":[{}[0,0]]}}"#, "[105.7,19.2],".repeat(70_000));
        assert_eq!(count_positions(&many), Ok(70_001));
        assert!(count_positions("{\"type\":").is_err());
    }

    #[test]
    fn long_texts_are_cut_in_messages() {
        assert_eq!(shown("Đường", 3), "Đườ…");
        assert_eq!(shown("Ngõ", 3), "Ngõ");
    }
}
