// Where a popup goes (web/js/popup-place.js), in Node: pure functions.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { boxAt, placePopup } from '../../web/js/popup-place.js';

const map = { left: 8, top: 8, right: 872, bottom: 792 }; // the map area of 1280 x 800, less 8 px
const legend = { left: 12, top: 12, right: 312, bottom: 640 }; // the legend, top left
const size = { width: 300, height: 200, gap: 18 };

test('a popup box on each side of its point', () => {
  assert.deepEqual(boxAt({ x: 500, y: 400 }, 'bottom', 300, 200, 18), { left: 350, top: 182, right: 650, bottom: 382 });
  assert.deepEqual(boxAt({ x: 500, y: 400 }, 'top', 300, 200, 18), { left: 350, top: 418, right: 650, bottom: 618 });
  assert.deepEqual(boxAt({ x: 500, y: 400 }, 'left', 300, 200, 18), { left: 518, top: 300, right: 818, bottom: 500 });
  assert.deepEqual(boxAt({ x: 500, y: 400 }, 'top-right', 300, 200, 18), { left: 200, top: 418, right: 500, bottom: 618 });
});

test('with room above the point, the popup opens above it and the map stays', () => {
  assert.deepEqual(placePopup({ x: 600, y: 400 }, size, map, [legend]), { anchor: 'bottom', dx: 0, dy: 0, fits: true });
});

test('next to the legend, the popup opens on the side away from it', () => {
  // Above and below would cover the legend; to the right of the point is clear.
  assert.deepEqual(placePopup({ x: 330, y: 300 }, size, map, [legend]), { anchor: 'left', dx: 0, dy: 0, fits: true });
});

test('a point under the legend: the map moves it out, as little as it can', () => {
  const place = placePopup({ x: 150, y: 300 }, size, map, [legend]);
  assert.equal(place.fits, true);
  const box = boxAt({ x: 150 + place.dx, y: 300 + place.dy }, place.anchor, size.width, size.height, size.gap);
  assert.ok(box.left >= legend.right || box.top >= legend.bottom, JSON.stringify({ place, box }));
  assert.ok(150 + place.dx > legend.right, 'the point is out from under the legend');
  assert.ok(box.left >= map.left && box.right <= map.right && box.top >= map.top && box.bottom <= map.bottom);
  // Moving the point right past the legend and 8 px more (170 px), the popup on its right,
  // costs less than moving it down past the legend.
  assert.deepEqual(place, { anchor: 'left', dx: 170, dy: 0, fits: true });
});

test('on a phone, under the header card: the popup opens below the card', () => {
  const phone = { left: 8, top: 8, right: 382, bottom: 420 };
  const card = { left: 8, top: 8, right: 334, bottom: 70 };
  const small = { width: 300, height: 220, gap: 18 };
  const place = placePopup({ x: 195, y: 90 }, small, phone, [card]);
  const box = boxAt({ x: 195 + place.dx, y: 90 + place.dy }, place.anchor, small.width, small.height, small.gap);
  assert.ok(box.top >= card.bottom, JSON.stringify({ place, box }));
  assert.ok(box.bottom <= phone.bottom && box.left >= phone.left && box.right <= phone.right);
});

test('a popup larger than the free area goes to its top left and says it does not fit', () => {
  const place = placePopup({ x: 300, y: 300 }, { width: 900, height: 200, gap: 18 }, map, []);
  assert.equal(place.fits, false);
  assert.equal(place.anchor, 'top-left');
});
