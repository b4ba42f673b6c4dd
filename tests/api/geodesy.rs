//! Lengths on the WGS 84 ellipsoid that tests derive expected numbers from: a line along a
//! parallel spanning Δλ degrees is Δλ times the length of a degree of longitude at its
//! latitude, a line along a meridian Δφ times the length of a degree of latitude (over a
//! kilometre these arcs and the geodesic differ by far less than a millimetre).

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;

fn e2() -> f64 {
    F * (2.0 - F)
}

/// Metres in one degree of longitude at latitude `lat` (degrees).
pub fn degree_of_longitude(lat: f64) -> f64 {
    let phi = lat.to_radians();
    std::f64::consts::PI / 180.0 * A * phi.cos() / (1.0 - e2() * phi.sin().powi(2)).sqrt()
}

/// Metres in one degree of latitude at latitude `lat` (the meridian's radius of curvature).
pub fn degree_of_latitude(lat: f64) -> f64 {
    let phi = lat.to_radians();
    std::f64::consts::PI / 180.0 * A * (1.0 - e2()) / (1.0 - e2() * phi.sin().powi(2)).powf(1.5)
}
