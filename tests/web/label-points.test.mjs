// The label points of the choropleth's units (web/js/label-points.js): one point per
// polygon, well inside it, in the largest part of a multipolygon, keeping the feature's id
// and properties (so that a group's label is drawn once at any zoom).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interiorPoint, labelPoints } from '../../web/js/label-points.js';

const square = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]];

/** Whether (x, y) is inside the ring (even-odd). */
const inside = ([x, y], ring) => {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
};

test('a square is labelled at its centre', () => {
  const [x, y] = interiorPoint(square);
  assert.ok(Math.abs(x - 0.5) < 0.02 && Math.abs(y - 0.5) < 0.02, `${x}, ${y}`);
});

test('an L-shaped polygon is labelled inside it, away from its edges, not at its box\'s centre', () => {
  // The box's centre (1, 1) is the inner corner, on the edge.
  const l = [[[0, 0], [2, 0], [2, 0.8], [0.8, 0.8], [0.8, 2], [0, 2], [0, 0]]];
  const p = interiorPoint(l);
  assert.ok(inside(p, l[0]), `${p} is inside`);
  // Its distance to the nearest edge: the arms are 0.8 wide, so at best 0.4.
  const ring = l[0];
  let d = Infinity;
  for (let i = 1; i < ring.length; i += 1) {
    const [ax, ay] = ring[i - 1];
    const [bx, by] = ring[i];
    const t = Math.max(0, Math.min(1, ((p[0] - ax) * (bx - ax) + (p[1] - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    d = Math.min(d, Math.hypot(p[0] - (ax + t * (bx - ax)), p[1] - (ay + t * (by - ay))));
  }
  assert.ok(d > 0.35, `${p} is well inside (${d} from an edge)`);
});

test('a hole is avoided', () => {
  const ring = [[[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]];
  const p = interiorPoint(ring);
  assert.ok(!inside(p, ring[1]), `${p} is not in the hole`);
  assert.ok(inside(p, ring[0]));
});

test('one point per feature, in the largest part, with its id and properties', () => {
  const collection = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', id: 7, properties: { code: 'TDP07', label: 'TDP 7' }, geometry: { type: 'Polygon', coordinates: square } },
      {
        type: 'Feature', id: 8, properties: { code: 'TDP08' },
        geometry: { type: 'MultiPolygon', coordinates: [[[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10.1], [10, 10]]], [[[20, 20], [24, 20], [24, 24], [20, 24], [20, 20]]]] },
      },
      { type: 'Feature', id: 9, properties: { code: 'TDP09' }, geometry: null },
    ],
  };
  const points = labelPoints(collection);
  assert.equal(points.features.length, 2);
  assert.deepEqual(points.features.map((f) => [f.id, f.properties.code, f.geometry.type]), [[7, 'TDP07', 'Point'], [8, 'TDP08', 'Point']]);
  assert.equal(points.features[0].properties, collection.features[0].properties, 'the same properties (the label follows)');
  const [x, y] = points.features[1].geometry.coordinates;
  assert.ok(x > 21 && x < 23 && y > 21 && y < 23, `in the largest part: ${x}, ${y}`);
});
