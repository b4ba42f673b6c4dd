//! Checking a geometry sent by an editor or read from a file, in PostGIS: parse, move to
//! WGS 84, then type, validity (with the reason and the place) and extent. The checks run
//! on the pool, outside any write transaction, so that one bad feature's parse error is
//! reported for that feature and does not abort the others.

use crate::layers::GeometryKind;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgPool;

/// A geometry as it comes: GeoJSON geometry text or WKT, in the coordinate system `srid`.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    GeoJson(&'a str),
    Wkt(&'a str),
}

/// What is wrong with a geometry, said so that a planner can find it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// A short stable code: `malformed`, `unclosed_ring`, `wrong_type`, `empty`, `invalid`,
    /// `outside_extent`, `swapped_axes`, `has_z`.
    pub code: &'static str,
    pub message: String,
    /// The place the problem is at (longitude, latitude), when PostGIS says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
}

impl Problem {
    fn new(code: &'static str, message: impl Into<String>) -> Problem {
        Problem { code, message: message.into(), location: None }
    }

    /// The `detail` of a 422 answer.
    pub fn detail(&self) -> Value {
        json!({ "geometry": self })
    }
}

/// A geometry that passed: GeoJSON in WGS 84, ready to store, and notes for the report.
#[derive(Debug, Clone)]
pub struct Checked {
    pub geojson: String,
    pub warnings: Vec<String>,
}

/// What the checks allow.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub kind: GeometryKind,
    /// `[west, south, east, north]`, degrees.
    pub extent: [f64; 4],
    /// Apply `ST_MakeValid` to an invalid geometry instead of refusing it.
    pub repair: bool,
}

#[derive(sqlx::FromRow)]
struct Facts {
    /// Why PostGIS could not read the geometry; the other columns are null then.
    error: Option<String>,
    geometry_type: Option<String>,
    empty: Option<bool>,
    valid: Option<bool>,
    reason: Option<String>,
    x: Option<f64>,
    y: Option<f64>,
    xmin: Option<f64>,
    ymin: Option<f64>,
    xmax: Option<f64>,
    ymax: Option<f64>,
    geojson: Option<String>,
}

/// Checks `input` (in `srid`) against `rules`. `Ok(Err(problem))` is bad input; `Err` is a
/// fault of the database.
pub async fn check(pool: &PgPool, input: Input<'_>, srid: i32, rules: Rules) -> sqlx::Result<Result<Checked, Problem>> {
    check_many(pool, &[input], srid, rules).await?.pop().ok_or_else(|| unanswered("the geometry"))
}

/// Checks a geometry an editor sends (GeoJSON in WGS 84) as [`check`] does, and refuses
/// positions with a height or a measure: kheo keeps 2-D positions only, and an edit must
/// not lose what was sent without a word. (Imports drop heights with a warning instead.)
pub async fn check_edit(pool: &PgPool, geojson: &str, rules: Rules) -> sqlx::Result<Result<Checked, Problem>> {
    if let Some(problem) = height(geojson) {
        return Ok(Err(problem));
    }
    check(pool, Input::GeoJson(geojson), 4326, rules).await
}

/// The first position of a GeoJSON geometry with more than two numbers, as a problem.
fn height(text: &str) -> Option<Problem> {
    fn find(value: &Value) -> Option<&Vec<Value>> {
        let items = value.as_array()?;
        if items.first().is_some_and(Value::is_number) {
            return (items.len() > 2).then_some(items);
        }
        items.iter().find_map(find)
    }
    let geometry: Value = serde_json::from_str(text).ok()?;
    let parts = match geometry["geometries"].as_array() {
        Some(members) => members.iter().map(|g| &g["coordinates"]).collect(),
        None => vec![&geometry["coordinates"]],
    };
    let position = parts.into_iter().find_map(find)?;
    let mut problem = Problem::new(
        "has_z",
        format!(
            "the position {} has {} numbers: send 2-D positions [longitude, latitude]; kheo keeps no heights (Z) nor measures (M)",
            Value::Array(position.clone()),
            position.len()
        ),
    );
    problem.location = Some([position[0].as_f64()?, position[1].as_f64()?]);
    Some(problem)
}

/// Checks many geometries in one query (`kheo_geometry_facts`, one row each), in order.
pub async fn check_many(
    pool: &PgPool,
    inputs: &[Input<'_>],
    srid: i32,
    rules: Rules,
) -> sqlx::Result<Vec<Result<Checked, Problem>>> {
    let mut answers: Vec<Option<Result<Checked, Problem>>> = Vec::with_capacity(inputs.len());
    let mut texts = Vec::new();
    let mut wkt = Vec::new();
    let mut positions = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let (text, is_wkt) = match input {
            Input::GeoJson(t) => (*t, false),
            Input::Wkt(t) => (*t, true),
        };
        if !is_wkt && let Some(problem) = unclosed_ring(text) {
            answers.push(Some(Err(problem)));
            continue;
        }
        answers.push(None);
        texts.push(text.to_string());
        wkt.push(is_wkt);
        positions.push(i);
    }
    let dimension = match (rules.repair, rules.kind) {
        (false, _) => 0,
        (true, GeometryKind::Point) => 1,
        (true, GeometryKind::Line) => 2,
        (true, GeometryKind::Polygon) => 3,
    };
    let facts: Vec<Facts> = sqlx::query_as(
        "SELECT f.* FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS s(source, is_wkt, n),
                LATERAL kheo_geometry_facts(s.source, s.is_wkt, $3, $4) AS f
          ORDER BY s.n",
    )
    .bind(&texts)
    .bind(&wkt)
    .bind(srid)
    .bind(dimension)
    .fetch_all(pool)
    .await?;
    for (position, facts) in positions.into_iter().zip(facts) {
        answers[position] = Some(judge(facts, rules));
    }
    answers.into_iter().map(|a| a.ok_or_else(|| unanswered("a geometry"))).collect()
}

/// The database answered fewer geometries than it was asked about: a fault of the query,
/// never of the input.
fn unanswered(what: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("the geometry check gave no answer for {what}"))
}

fn judge(facts: Facts, rules: Rules) -> Result<Checked, Problem> {
    if let Some(error) = facts.error {
        return Err(Problem::new("malformed", format!("the geometry cannot be read: {error}")));
    }
    let geometry_type = facts.geometry_type.unwrap_or_default();
    let allowed: &[&str] = match rules.kind {
        GeometryKind::Point => &["POINT"],
        GeometryKind::Line => &["LINESTRING", "MULTILINESTRING"],
        GeometryKind::Polygon => &["POLYGON", "MULTIPOLYGON"],
    };
    if !allowed.contains(&geometry_type.as_str()) {
        return Err(Problem::new(
            "wrong_type",
            format!("a {geometry_type} was given where this layer holds {}", allowed.join(" or ")),
        ));
    }
    let (Some(xmin), Some(ymin), Some(xmax), Some(ymax)) = (facts.xmin, facts.ymin, facts.xmax, facts.ymax) else {
        return Err(Problem::new("empty", "the geometry has no coordinates"));
    };
    if facts.empty.unwrap_or(true) {
        return Err(Problem::new("empty", "the geometry has no coordinates"));
    }
    if facts.valid != Some(true) {
        let reason = facts.reason.unwrap_or_else(|| "invalid".into());
        let location = facts.x.zip(facts.y).map(|(x, y)| [x, y]);
        let at = location.map(|[x, y]| format!(" at {x:.6}, {y:.6}")).unwrap_or_default();
        return Err(Problem {
            code: "invalid",
            message: format!(
                "the geometry is not valid: {reason}{at}; fix it, or send repair=true to let PostGIS repair it"
            ),
            location,
        });
    }
    let [w, s, e, n] = rules.extent;
    let inside = |xmin: f64, ymin: f64, xmax: f64, ymax: f64| xmin >= w && xmax <= e && ymin >= s && ymax <= n;
    if !inside(xmin, ymin, xmax, ymax) {
        if inside(ymin, xmin, ymax, xmax) {
            return Err(Problem {
                code: "swapped_axes",
                message: format!(
                    "the coordinates look like latitude, longitude (the bounds start at {:.6}, {:.6}): GeoJSON and kheo want longitude first; swap them",
                    xmin, ymin
                ),
                location: None,
            });
        }
        return Err(Problem::new(
            "outside_extent",
            format!(
                "the geometry lies outside the allowed area (longitude {w} to {e}, latitude {s} to {n}): its bounds are {:.6}, {:.6} to {:.6}, {:.6}; is the coordinate system right?",
                xmin, ymin, xmax, ymax
            ),
        ));
    }
    Ok(Checked { geojson: facts.geojson.unwrap_or_default(), warnings: Vec::new() })
}

/// A polygon ring whose last position is not its first: PostGIS would read it without
/// complaint and fail later, so it is caught here with the ring's number.
fn unclosed_ring(text: &str) -> Option<Problem> {
    let geometry: Value = serde_json::from_str(text).ok()?;
    let polygons: Vec<&Value> = match geometry["type"].as_str()? {
        "Polygon" => vec![&geometry["coordinates"]],
        "MultiPolygon" => geometry["coordinates"].as_array()?.iter().collect(),
        _ => return None,
    };
    for (p, polygon) in polygons.iter().enumerate() {
        for (r, ring) in polygon.as_array()?.iter().enumerate() {
            let ring = ring.as_array()?;
            let (first, last) = (ring.first()?, ring.last()?);
            if ring.len() < 4 || first != last {
                let mut problem = Problem::new(
                    "unclosed_ring",
                    format!(
                        "ring {r} of polygon {p} is not closed: it needs at least 4 positions and its last position must repeat its first ({first})"
                    ),
                );
                problem.location = first.as_array().and_then(|c| Some([c.first()?.as_f64()?, c.get(1)?.as_f64()?]));
                return Some(problem);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_height_or_a_measure_in_any_position_is_found() {
        assert_eq!(height(r#"{"type":"Point","coordinates":[105.7,19.2]}"#), None);
        assert_eq!(height(r#"{"type":"LineString","coordinates":[[105.7,19.2],[105.8,19.3]]}"#), None);
        let line = height(r#"{"type":"LineString","coordinates":[[105.7,19.2],[105.8,19.3,12.5]]}"#).unwrap();
        assert_eq!(line.code, "has_z");
        assert_eq!(line.location, Some([105.8, 19.3]));
        let point = height(r#"{"type":"Point","coordinates":[105.7,19.2,3,4]}"#).unwrap();
        assert!(point.message.contains("4 numbers"), "{}", point.message);
        let collection = r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},
                            {"type":"MultiPolygon","coordinates":[[[[1,2,0],[3,4,0],[5,6,0],[1,2,0]]]]}]}"#;
        assert_eq!(height(collection).unwrap().location, Some([1.0, 2.0]));
    }
}
