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
    /// `outside_extent`, `swapped_axes`.
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
    geometry_type: String,
    empty: bool,
    valid: bool,
    reason: Option<String>,
    x: Option<f64>,
    y: Option<f64>,
    xmin: f64,
    ymin: f64,
    xmax: f64,
    ymax: f64,
    geojson: String,
}

/// Checks `input` (in `srid`) against `rules`. `Ok(Err(problem))` is bad input; `Err` is a
/// fault of the database.
pub async fn check(pool: &PgPool, input: Input<'_>, srid: i32, rules: Rules) -> sqlx::Result<Result<Checked, Problem>> {
    if let Input::GeoJson(text) = input
        && let Some(problem) = unclosed_ring(text)
    {
        return Ok(Err(problem));
    }
    let parse = match input {
        Input::GeoJson(_) => "ST_GeomFromGeoJSON($1)",
        Input::Wkt(_) => "ST_GeomFromText($1)",
    };
    let text = match input {
        Input::GeoJson(t) | Input::Wkt(t) => t,
    };
    let repaired = if rules.repair {
        // ST_MakeValid may turn a line into a collection: keep the parts of the layer's kind.
        let dimension = match rules.kind {
            GeometryKind::Point => 1,
            GeometryKind::Line => 2,
            GeometryKind::Polygon => 3,
        };
        format!("CASE WHEN ST_IsValid(g) THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), {dimension}) END")
    } else {
        "g".to_string()
    };
    let sql = format!(
        "WITH src AS (SELECT ST_Force2D(ST_Transform(ST_SetSRID({parse}, $2), 4326)) AS g),
              fixed AS (SELECT {repaired} AS g FROM src),
              d AS (SELECT g, ST_IsValidDetail(g) AS v FROM fixed)
         SELECT GeometryType(g) AS geometry_type, ST_IsEmpty(g) AS empty, (v).valid AS valid, (v).reason AS reason,
                ST_X((v).location) AS x, ST_Y((v).location) AS y,
                ST_XMin(g) AS xmin, ST_YMin(g) AS ymin, ST_XMax(g) AS xmax, ST_YMax(g) AS ymax,
                ST_AsGeoJSON(g, 9) AS geojson
           FROM d"
    );
    let facts: Facts = match sqlx::query_as(&sql).bind(text).bind(srid).fetch_one(pool).await {
        Ok(facts) => facts,
        Err(sqlx::Error::Database(error)) => {
            return Ok(Err(Problem::new("malformed", format!("the geometry cannot be read: {}", error.message()))));
        }
        Err(other) => return Err(other),
    };
    Ok(judge(facts, rules))
}

fn judge(facts: Facts, rules: Rules) -> Result<Checked, Problem> {
    let allowed: &[&str] = match rules.kind {
        GeometryKind::Point => &["POINT"],
        GeometryKind::Line => &["LINESTRING", "MULTILINESTRING"],
        GeometryKind::Polygon => &["POLYGON", "MULTIPOLYGON"],
    };
    if !allowed.contains(&facts.geometry_type.as_str()) {
        return Err(Problem::new(
            "wrong_type",
            format!("a {} was given where this layer holds {}", facts.geometry_type, allowed.join(" or ")),
        ));
    }
    if facts.empty {
        return Err(Problem::new("empty", "the geometry has no coordinates"));
    }
    if !facts.valid {
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
    if !inside(facts.xmin, facts.ymin, facts.xmax, facts.ymax) {
        if inside(facts.ymin, facts.xmin, facts.ymax, facts.xmax) {
            return Err(Problem {
                code: "swapped_axes",
                message: format!(
                    "the coordinates look like latitude, longitude (the bounds start at {:.6}, {:.6}): GeoJSON and kheo want longitude first; swap them",
                    facts.xmin, facts.ymin
                ),
                location: None,
            });
        }
        return Err(Problem::new(
            "outside_extent",
            format!(
                "the geometry lies outside the allowed area (longitude {w} to {e}, latitude {s} to {n}): its bounds are {:.6}, {:.6} to {:.6}, {:.6}; is the coordinate system right?",
                facts.xmin, facts.ymin, facts.xmax, facts.ymax
            ),
        ));
    }
    Ok(Checked { geojson: facts.geojson, warnings: Vec::new() })
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
