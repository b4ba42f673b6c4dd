// The editor's geometry helpers (web/js/edit/geometry.js), in Node: pure functions.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { asOriginalType, editableGeometry, nearestOnSegment, rounded, sameGeometry } from '../../web/js/edit/geometry.js';

test('nearestOnSegment projects onto the segment and stops at its ends', () => {
  const a = { x: 0, y: 0 };
  const b = { x: 10, y: 0 };
  assert.deepEqual(nearestOnSegment({ x: 4, y: 3 }, a, b), { k: 0.4, x: 4, y: 0, d: 3 });
  assert.deepEqual(nearestOnSegment({ x: -3, y: 4 }, a, b), { k: 0, x: 0, y: 0, d: 5 });
  assert.deepEqual(nearestOnSegment({ x: 13, y: 4 }, a, b), { k: 1, x: 10, y: 0, d: 5 });
  // A segment of no length: its one point.
  assert.deepEqual(nearestOnSegment({ x: 3, y: 4 }, a, a), { k: 0, x: 0, y: 0, d: 5 });
});

test('a one-part Multi* is edited as its part and saved as a Multi* again; several parts are not editable', () => {
  const multi = { type: 'MultiLineString', coordinates: [[[1, 2], [3, 4]]] };
  const part = editableGeometry(multi);
  assert.deepEqual(part, { type: 'LineString', coordinates: [[1, 2], [3, 4]] });
  assert.deepEqual(asOriginalType(part, multi), multi);
  assert.deepEqual(asOriginalType(part, { type: 'LineString', coordinates: [] }), part);
  assert.equal(editableGeometry({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [0, 1], [0, 0]]], [[[5, 5], [6, 5], [5, 6], [5, 5]]]] }), null);
  assert.equal(editableGeometry(null), null);
});

test('rounded keeps 7 decimals, and sameGeometry ignores what is below them', () => {
  const line = { type: 'LineString', coordinates: [[105.123456789, 19.987654321], [105.1, 19.2]] };
  assert.deepEqual(rounded(line), { type: 'LineString', coordinates: [[105.1234568, 19.9876543], [105.1, 19.2]] });
  assert.equal(sameGeometry(line, rounded(line)), true);
  assert.equal(sameGeometry(line, { type: 'LineString', coordinates: [[105.1234570, 19.9876543], [105.1, 19.2]] }), false);
  assert.equal(sameGeometry(line, { type: 'MultiLineString', coordinates: [line.coordinates] }), false);
});
