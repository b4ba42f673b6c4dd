// @ts-check
// The labels of the print map, drawn last on its canvas, over every line, with a white halo:
// each group's name and value (the on-screen label) at the point of it farthest from its
// edges, where it has the most room. A label that would overlap one already drawn is left
// out, as MapLibre does on screen.

import { haloText, INK, setFont } from './draw.js';

/**
 * @import { Geometry, Position } from 'geojson'
 * @import { GroupCollection } from '../types.js'
 */

/**
 * Squared distance from a point to a segment.
 * @param {Position} p
 * @param {Position} a
 * @param {Position} b
 */
function segmentDistance2([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const k = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return (px - ax - k * dx) ** 2 + (py - ay - k * dy) ** 2;
}

/**
 * The point of a (multi)polygon farthest from its edges, among a 24 x 24 grid over its box
 * (even-odd rule, so not in a hole); null for other geometries.
 * @param {Geometry} geometry
 * @returns {Position | null}
 */
export function labelPoint(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  const rings = polygons.flat(1);
  if (rings.length === 0) return null;
  const all = rings.flat(1);
  const xs = all.map((c) => c[0]);
  const ys = all.map((c) => c[1]);
  const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  /** @param {Position} p */
  const inside = ([x, y]) => {
    let c = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
    }
    return c;
  };
  /** @type {{ p: Position, d: number } | null} */
  let best = null;
  const steps = 24;
  for (let i = 1; i < steps; i += 1) {
    for (let j = 1; j < steps; j += 1) {
      const p = [w + ((e - w) * i) / steps, s + ((n - s) * j) / steps];
      if (!inside(p)) continue;
      let d = Infinity;
      for (const ring of rings) for (let k = 1; k < ring.length; k += 1) d = Math.min(d, segmentDistance2(p, ring[k - 1], ring[k]));
      if (!best || d > best.d) best = { p, d };
    }
  }
  return best?.p ?? null;
}

/**
 * Draws the groups' labels (their `label` property, lines split at "\n", else their name).
 * @param {CanvasRenderingContext2D} ctx
 * @param {GroupCollection} groups
 * @param {(lngLat: [number, number]) => [number, number]} project a place on the canvas
 * @param {{ size: number, clip: { left: number, top: number, right: number, bottom: number } }} style
 *   `size` the text's height in pixels; `clip` where labels may go
 */
export function drawGroupLabels(ctx, groups, project, { size, clip }) {
  /** @type {{ left: number, top: number, right: number, bottom: number }[]} */
  const taken = [];
  ctx.save();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = INK;
  for (const feature of groups.features) {
    const at = labelPoint(feature.geometry);
    if (!at) continue;
    const [x, y] = project(/** @type {[number, number]} */ (at));
    const text = String(feature.properties.label ?? feature.properties.name ?? '');
    const lines = text.split('\n').filter(Boolean);
    if (lines.length === 0) continue;
    const lineHeight = size * 1.2;
    setFont(ctx, size, { weight: 700 });
    const width = Math.max(...lines.map((l) => ctx.measureText(l).width));
    const box = { left: x - width / 2 - size * 0.3, right: x + width / 2 + size * 0.3, top: y - (lines.length * lineHeight) / 2, bottom: y + (lines.length * lineHeight) / 2 };
    const outside = box.left < clip.left || box.right > clip.right || box.top < clip.top || box.bottom > clip.bottom;
    if (outside || taken.some((t) => box.left < t.right && t.left < box.right && box.top < t.bottom && t.top < box.bottom)) continue;
    taken.push(box);
    lines.forEach((line, i) => {
      // The name in bold, the value under it in the regular weight.
      setFont(ctx, i === 0 ? size : size * 0.92, { weight: i === 0 ? 700 : 500 });
      haloText(ctx, line, x, box.top + lineHeight * (i + 0.5), size * 0.22);
    });
  }
  ctx.restore();
}
