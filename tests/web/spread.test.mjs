// A few of many, fairly (web/js/spread.js), in Node: a pure function.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { spread } from '../../web/js/spread.js';

const photo = (site, n) => ({ site, id: `${site}${n}` });
const ids = (list) => list.map((p) => p.id);

test('one of each group comes before a second of any', () => {
  // Site a has five photos, b two, c one: eight photos, six shown.
  const photos = [photo('a', 1), photo('a', 2), photo('a', 3), photo('a', 4), photo('a', 5), photo('b', 1), photo('b', 2), photo('c', 1)];
  assert.deepEqual(ids(spread(photos, (p) => p.site, 6)), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
});

test('fewer items than asked are all taken, in rounds; none asked, none taken', () => {
  const photos = [photo('a', 1), photo('a', 2), photo('b', 1)];
  assert.deepEqual(ids(spread(photos, (p) => p.site, 8)), ['a1', 'b1', 'a2']);
  assert.deepEqual(spread(photos, (p) => p.site, 0), []);
  assert.deepEqual(spread([], (p) => p, 8), []);
});

test('groups are taken in the order they first appear, items in their own order', () => {
  const photos = [photo('b', 1), photo('a', 1), photo('b', 2), photo('a', 2)];
  assert.deepEqual(ids(spread(photos, (p) => p.site, 3)), ['b1', 'a1', 'b2']);
});
