// @ts-check
// Geometry helpers of the editor, pure functions: the shapes terra-draw can edit, and the
// nearest point of a segment on screen (snapping and splitting). Lengths are geodesy.js's.

/** @import { Geometry, LineString, Point, Polygon, Position } from 'geojson' */

/** A point on screen, in CSS pixels from the map's top left corner. @typedef {{ x: number, y: number }} ScreenPoint */

/** The geometries terra-draw edits. @typedef {LineString | Polygon | Point} EditableGeometry */

/**
 * terra-draw edits LineString, Polygon and Point only: a one-part Multi* geometry is edited as
 * its single part and turned back into a Multi* on save. Returns null for several parts.
 * @param {Geometry | null | undefined} geometry
 * @returns {EditableGeometry | null}
 */
export function editableGeometry(geometry) {
  if (!geometry) return null;
  switch (geometry.type) {
    case 'LineString':
    case 'Polygon':
    case 'Point':
      return geometry;
    case 'MultiLineString':
      return geometry.coordinates.length === 1 ? { type: 'LineString', coordinates: geometry.coordinates[0] } : null;
    case 'MultiPolygon':
      return geometry.coordinates.length === 1 ? { type: 'Polygon', coordinates: geometry.coordinates[0] } : null;
    case 'MultiPoint':
      return geometry.coordinates.length === 1 ? { type: 'Point', coordinates: geometry.coordinates[0] } : null;
    default:
      return null;
  }
}

/**
 * `edited` in the type of `original` (a Multi* again when the original was one).
 * @param {Geometry} edited
 * @param {Geometry | null} original
 * @returns {Geometry}
 */
export function asOriginalType(edited, original) {
  if (original && edited.type !== 'GeometryCollection' && original.type === `Multi${edited.type}`) {
    return /** @type {Geometry} */ ({ type: original.type, coordinates: [edited.coordinates] });
  }
  return edited;
}

/** @typedef {number | Coordinates[]} Coordinates nested coordinate arrays of any depth */

/**
 * Coordinates rounded to 7 decimals (about 1 cm), the precision terra-draw is set to.
 * @param {EditableGeometry} geometry
 * @returns {EditableGeometry}
 */
export function rounded(geometry) {
  /** @type {(c: Coordinates) => Coordinates} */
  const round = (c) => (typeof c === 'number' ? Math.round(c * 1e7) / 1e7 : c.map(round));
  return /** @type {EditableGeometry} */ ({ type: geometry.type, coordinates: round(geometry.coordinates) });
}

/**
 * Same type and coordinates, to terra-draw's precision.
 * @param {Geometry | null} a
 * @param {Geometry | null} b
 */
export function sameGeometry(a, b) {
  /** @param {Geometry | null} g */
  const flat = (g) => JSON.stringify(g && 'coordinates' in g ? g.coordinates : null).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [];
  const x = flat(a);
  const y = flat(b);
  return a?.type === b?.type && x.length === y.length && x.every((v, i) => Math.abs(Number(v) - Number(y[i])) < 6e-8);
}

/**
 * The point of segment `a`-`b` nearest to `p`: its fraction `k` along the segment, where it
 * is, and how far from `p`.
 * @param {ScreenPoint} p
 * @param {ScreenPoint} a
 * @param {ScreenPoint} b
 */
export function nearestOnSegment(p, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const k = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
  const x = a.x + k * dx;
  const y = a.y + k * dy;
  return { k, x, y, d: Math.hypot(x - p.x, y - p.y) };
}

/**
 * A [lon, lat] rounded to 7 decimals: terra-draw refuses coordinates more precise than its
 * coordinatePrecision, and rendered features come from tiles with many more decimals.
 * @param {Position} position
 * @returns {Position}
 */
export const round7 = ([lng, lat]) => [Math.round(lng * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7];
