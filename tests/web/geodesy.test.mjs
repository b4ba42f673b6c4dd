// Lengths on WGS 84 (web/js/geodesy.js), in Node: pure functions. Expected values from the
// ellipsoid's textbook figures and Vincenty's published example, not from the code.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { geodesicDistance, geodesicLength, lengthInAreas, pointInPolygon } from '../../web/js/geodesy.js';

test('a degree along the equator is a·π/180 and along the meridian about a(1-e²)·π/180', () => {
  // WGS 84: a = 6378137 m, so a·π/180 = 111,319.4908 m; a(1-e²)·π/180 = 110,574.2727 m.
  assert.ok(Math.abs(geodesicDistance([105, 0], [106, 0]) - 111319.4908) < 0.001);
  assert.ok(Math.abs(geodesicDistance([105, -0.5], [105, 0.5]) - 110574.27) < 0.05);
  assert.equal(geodesicDistance([105.7, 19.25], [105.7, 19.25]), 0);
});

test("Vincenty's example: Flinders Peak to Buninyong is 54,972.271 m", () => {
  const dms = (d, m, s) => Math.sign(d) * (Math.abs(d) + m / 60 + s / 3600);
  const flinders = [dms(144, 25, 29.5244), dms(-37, 57, 3.7203)];
  const buninyong = [dms(143, 55, 35.3839), dms(-37, 39, 10.1561)];
  assert.ok(Math.abs(geodesicDistance(flinders, buninyong) - 54972.271) < 0.002);
});

test('a line is the sum of its segments; a multiline of its lines', () => {
  const line = { type: 'LineString', coordinates: [[105, 0], [106, 0], [107, 0]] };
  assert.ok(Math.abs(geodesicLength(line) - 2 * 111319.4908) < 0.002);
  const multi = { type: 'MultiLineString', coordinates: [[[105, 0], [106, 0]], [[105, -0.5], [105, 0.5]]] };
  assert.ok(Math.abs(geodesicLength(multi) - (111319.4908 + 110574.27)) < 0.05);
  assert.equal(geodesicLength({ type: 'Point', coordinates: [105, 0] }), 0);
  assert.equal(geodesicLength(null), 0);
});

test('the length of a line in each area: three quarters in one, a quarter in the other', () => {
  const square = (w, e) => ({ type: 'Polygon', coordinates: [[[w, 19], [e, 19], [e, 19.01], [w, 19.01], [w, 19]]] });
  const areas = [{ key: 'TDP01', geometry: square(105.70, 105.71) }, { key: 'TDP02', geometry: square(105.71, 105.72) }, { key: 'TDP03', geometry: square(105.72, 105.73) }];
  // From 105.7025 to 105.7125 along the parallel 19.005: 0.0075° in TDP01, 0.0025° in TDP02.
  const line = { type: 'LineString', coordinates: [[105.7025, 19.005], [105.7125, 19.005]] };
  const total = geodesicLength(line);
  const shares = lengthInAreas(line, areas, 1);
  assert.deepEqual(shares.map((s) => s.key), ['TDP01', 'TDP02']);
  assert.ok(Math.abs(shares[0].metres - 0.75 * total) < 1.5, `${shares[0].metres} of ${total}`);
  assert.ok(Math.abs(shares[0].metres + shares[1].metres - total) < 1e-6);
  assert.equal(pointInPolygon([105.705, 19.005], areas[0].geometry), true);
  assert.equal(pointInPolygon([105.715, 19.005], areas[0].geometry), false);
  const holed = { type: 'Polygon', coordinates: [square(105.70, 105.73).coordinates[0], [[105.71, 19.002], [105.72, 19.002], [105.72, 19.008], [105.71, 19.008], [105.71, 19.002]]] };
  assert.equal(pointInPolygon([105.715, 19.005], holed), false, 'a hole is outside');
});
