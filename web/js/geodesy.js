// @ts-check
// Lengths on the WGS 84 ellipsoid, pure (no DOM): the length a popup shows for a road and the
// running length while a line is drawn, the same geodesic length PostGIS measures for the
// coverage numbers (ST_Length on geography), so that the figures agree to the metre.
//
// Vincenty's inverse formula, written here: it is some forty lines, exact to well under a
// millimetre for the distances between a line's vertices, and converges for every pair of
// points that are not nearly antipodal, which two vertices of a road never are. (The page
// has no build step; a geodesy library would be vendored for this one function.)
//
// Also the share of a line that lies in each of a set of polygons (a road in its groups).

/** @import { Geometry, Position } from 'geojson' */

const A = 6378137; // WGS 84 semi-major axis, metres
const F = 1 / 298.257223563; // flattening
const B = A * (1 - F);

/**
 * The geodesic distance in metres between two [lon, lat] on WGS 84 (Vincenty, 1975).
 * @param {Position} from
 * @param {Position} to
 */
export function geodesicDistance([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const L = (lon2 - lon1) * rad;
  const U1 = Math.atan((1 - F) * Math.tan(lat1 * rad));
  const U2 = Math.atan((1 - F) * Math.tan(lat2 * rad));
  const sinU1 = Math.sin(U1);
  const cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2);
  const cosU2 = Math.cos(U2);
  let lambda = L;
  let sinSigma = 0;
  let cosSigma = 1;
  let sigma = 0;
  let cosSqAlpha = 1;
  let cos2SigmaM = 0;
  for (let i = 0; i < 200; i += 1) {
    const sinLambda = Math.sin(lambda);
    const cosLambda = Math.cos(lambda);
    sinSigma = Math.sqrt((cosU2 * sinLambda) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) ** 2);
    if (sinSigma === 0) return 0; // the same point
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cosSqAlpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cosSqAlpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cosSqAlpha; // 0 on the equator
    const C = (F / 16) * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
    const previous = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - previous) < 1e-12) break;
  }
  const uSq = (cosSqAlpha * (A * A - B * B)) / (B * B);
  const bigA = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const bigB = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  const deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
    - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  return B * bigA * (sigma - deltaSigma);
}

/**
 * The lines of a (multi)line geometry; none for other geometries.
 * @param {Geometry | null | undefined} geometry
 * @returns {Position[][]}
 */
const linesOf = (geometry) => (geometry?.type === 'LineString' ? [geometry.coordinates] : geometry?.type === 'MultiLineString' ? geometry.coordinates : []);

/**
 * The geodesic length in metres of a (multi)line; 0 for other geometries.
 * @param {Geometry | null | undefined} geometry
 */
export function geodesicLength(geometry) {
  let metres = 0;
  for (const line of linesOf(geometry)) for (let i = 1; i < line.length; i += 1) metres += geodesicDistance(line[i - 1], line[i]);
  return metres;
}

/**
 * Whether [lon, lat] is inside a (multi)polygon (even-odd rule over all its rings, so holes
 * are outside).
 * @param {Position} point
 * @param {Geometry} polygon
 */
export function pointInPolygon([x, y], polygon) {
  const polygons = polygon.type === 'Polygon' ? [polygon.coordinates] : polygon.type === 'MultiPolygon' ? polygon.coordinates : [];
  let inside = false;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

/**
 * How many metres of a line lie in each area: the line is cut into pieces of at most
 * `step` metres and each piece counted in the area its midpoint is in. Areas it does not
 * enter are left out; the result is in the order of `areas`.
 * @template T
 * @param {Geometry} line
 * @param {{ key: T, geometry: Geometry }[]} areas
 * @param {number} [step] metres
 * @returns {{ key: T, metres: number }[]}
 */
export function lengthInAreas(line, areas, step = 5) {
  const metres = new Map();
  for (const coordinates of linesOf(line)) {
    for (let i = 1; i < coordinates.length; i += 1) {
      const a = coordinates[i - 1];
      const b = coordinates[i];
      const length = geodesicDistance(a, b);
      const pieces = Math.max(1, Math.ceil(length / step));
      for (let k = 0; k < pieces; k += 1) {
        const t = (k + 0.5) / pieces;
        const mid = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        const area = areas.find((candidate) => pointInPolygon(mid, candidate.geometry));
        if (area) metres.set(area.key, (metres.get(area.key) ?? 0) + length / pieces);
      }
    }
  }
  return areas.filter((area) => metres.has(area.key)).map((area) => ({ key: area.key, metres: metres.get(area.key) }));
}
