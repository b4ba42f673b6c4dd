//! Lengths on the WGS 84 ellipsoid that tests derive expected numbers from, computed with
//! the `geo` crate's geodesics (Karney's algorithm), independently of PostGIS.

use geo::{Distance, Geodesic, Length, LineString, Point};

/// Metres in one degree of longitude at latitude `lat` (degrees): a thousand times the
/// geodesic over a thousandth of a degree along the parallel (over a kilometre the
/// parallel's arc and the geodesic differ by far less than a millimetre).
pub fn degree_of_longitude(lat: f64) -> f64 {
    1000.0 * Geodesic.distance(Point::new(0.0, lat), Point::new(0.001, lat))
}

/// Metres in one degree of latitude at latitude `lat`, measured the same way along the
/// meridian.
pub fn degree_of_latitude(lat: f64) -> f64 {
    1000.0 * Geodesic.distance(Point::new(0.0, lat - 0.0005), Point::new(0.0, lat + 0.0005))
}

/// The geodesic length in metres of a GeoJSON LineString or MultiLineString geometry.
pub fn geojson_length(geometry: &serde_json::Value) -> f64 {
    let line = |coordinates: &serde_json::Value| -> f64 {
        let points: Vec<(f64, f64)> = coordinates
            .as_array()
            .expect("a line's coordinates")
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        Geodesic.length(&LineString::from(points))
    };
    match geometry["type"].as_str() {
        Some("LineString") => line(&geometry["coordinates"]),
        Some("MultiLineString") => geometry["coordinates"].as_array().unwrap().iter().map(line).sum(),
        other => panic!("not a line: {other:?}"),
    }
}

#[test]
fn a_degree_is_about_111_km_and_shrinks_with_the_cosine_of_latitude() {
    // WGS 84 by the textbook formulas: a·π/180 = 111,319.49 m per degree of longitude at
    // the equator, a(1-e²)·π/180 = 110,574.27 m per degree of latitude there.
    assert!((degree_of_longitude(0.0) - 111_319.49).abs() < 0.05, "{}", degree_of_longitude(0.0));
    assert!((degree_of_latitude(0.0) - 110_574.27).abs() < 0.05, "{}", degree_of_latitude(0.0));
    assert!((degree_of_longitude(60.0) / degree_of_longitude(0.0) - 0.5017).abs() < 0.001);
}
