// @ts-check
// One label point per polygon: the point of the polygon farthest from its edges (approximately
// its "pole of inaccessibility"), so that a unit's label sits well inside it. MapLibre places
// a polygon's label once per tile the polygon touches, so a group's name appeared twice or more
// once zoomed in; a point source gives each unit exactly one label at every zoom.
//
// Pure (no DOM, no map): tests/web/label-points.test.mjs tests it in Node.

/**
 * @import { Feature, FeatureCollection, Point, Polygon, MultiPolygon, Position } from 'geojson'
 */

/**
 * The distance from `p` to the nearest edge of `rings`, in degrees of latitude (longitudes
 * scaled by `kx`, the cosine of the latitude), negative outside the polygon.
 * @param {Position} p
 * @param {Position[][]} rings
 * @param {number} kx
 */
function signedDistance(p, rings, kx) {
  let inside = false;
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
      const ax = xj * kx;
      const bx = xi * kx;
      const dx = bx - ax;
      const dy = yi - yj;
      const px = p[0] * kx;
      const t = Math.max(0, Math.min(1, ((px - ax) * dx + (p[1] - yj) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(px - (ax + t * dx), p[1] - (yj + t * dy)));
    }
  }
  return inside ? best : -best;
}

/**
 * The area of a ring in square degrees (shoelace), for choosing a multipolygon's largest part.
 * @param {Position[]} ring
 */
function ringArea(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(sum / 2);
}

/**
 * A point well inside a polygon (its rings): the best of a 12 × 12 grid over its box, refined
 * three times on a finer grid around the best so far.
 * @param {Position[][]} rings
 * @returns {Position | null}
 */
export function interiorPoint(rings) {
  const outer = rings[0];
  if (!outer || outer.length < 4) return null;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of outer) {
    w = Math.min(w, x); e = Math.max(e, x);
    s = Math.min(s, y); n = Math.max(n, y);
  }
  const kx = Math.cos((((s + n) / 2) * Math.PI) / 180);
  /** @type {Position} */
  let best = [(w + e) / 2, (s + n) / 2];
  let bestD = signedDistance(best, rings, kx);
  let [cx, cy, hx, hy] = [(w + e) / 2, (s + n) / 2, (e - w) / 2, (n - s) / 2];
  for (let round = 0; round < 4; round += 1) {
    const steps = 12;
    for (let i = 0; i <= steps; i += 1) {
      for (let j = 0; j <= steps; j += 1) {
        /** @type {Position} */
        const p = [cx - hx + (2 * hx * i) / steps, cy - hy + (2 * hy * j) / steps];
        const d = signedDistance(p, rings, kx);
        if (d > bestD) {
          best = p;
          bestD = d;
        }
      }
    }
    [cx, cy, hx, hy] = [best[0], best[1], hx / 4, hy / 4];
  }
  return bestD > 0 ? best : outer[0];
}

/** Label points already found, by geometry (a new indicator relabels the same polygons). @type {WeakMap<object, Position | null>} */
const found = new WeakMap();

/**
 * One Point feature per polygon feature of `collection`, with the same id and properties,
 * at its label point (in the largest part of a multipolygon).
 * @template {Record<string, unknown>} P
 * @param {FeatureCollection<Polygon | MultiPolygon, P>} collection
 * @returns {FeatureCollection<Point, P>}
 */
export function labelPoints(collection) {
  /** @type {Feature<Point, P>[]} */
  const features = [];
  for (const feature of collection.features) {
    const geometry = feature.geometry;
    if (!geometry) continue;
    let point = found.get(geometry);
    if (point === undefined) {
      const parts = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
      const largest = parts.reduce((a, b) => (ringArea(b[0] ?? []) > ringArea(a?.[0] ?? []) ? b : a), parts[0]);
      point = largest ? interiorPoint(largest) : null;
      found.set(geometry, point);
    }
    if (!point) continue;
    features.push({ type: 'Feature', id: feature.id, geometry: { type: 'Point', coordinates: point }, properties: feature.properties });
  }
  return { type: 'FeatureCollection', features };
}
