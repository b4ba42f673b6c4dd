// Dividing a road's contributions by length (web/js/edit/shares.js), in Node: pure functions.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { divide, divideByLength } from '../../web/js/edit/shares.js';

test('money in whole đồng and workdays in tenths add up exactly to the whole', () => {
  // 1,000,000 đồng over 1 : 2: 333,333 then the remaining 666,667.
  assert.deepEqual(divide(1_000_000, [1, 2], 0), [333_333, 666_667]);
  // 10 workdays over 1 : 2 : 4: 1.4, 2.9, and 5.7 left.
  assert.deepEqual(divide(10, [1, 2, 4], 1), [1.4, 2.9, 5.7]);
  // Workdays with more decimals than a tenth: the parts are tenths, the last keeps the rest.
  assert.deepEqual(divide(12.25, [1, 1], 1), [6.1, 6.15]);
  // Parts of no length share equally.
  assert.deepEqual(divide(9, [0, 0, 0], 0), [3, 3, 3]);
});

test('a split road: the amounts it has, divided by the parts\' lengths, nothing else', () => {
  const road = { name: 'Ngõ 3', people_vnd: 2_150_000_000, state_vnd: null, workdays: 1213, surface: 'concrete' };
  const parts = divideByLength(road, [563.7, 436.3]);
  // 2,150,000,000 × 563.7 / 1000 = 1,211,955,000 exactly; 1213 × 0.5637 = 683.7681 -> 683.8.
  assert.deepEqual(parts, [
    { people_vnd: 1_211_955_000, workdays: 683.8 },
    { people_vnd: 938_045_000, workdays: 529.2 },
  ]);
  for (const key of ['people_vnd', 'workdays']) {
    assert.equal(parts[0][key] + parts[1][key], road[key], `${key} adds up`);
  }
  assert.ok(Number.isInteger(parts[0].people_vnd) && Number.isInteger(parts[1].people_vnd));
  // An odd amount: the first part rounded to the đồng, the second the rest.
  const odd = divideByLength({ people_vnd: 1_212_330_269 }, [1, 1]);
  assert.deepEqual(odd, [{ people_vnd: 606_165_135 }, { people_vnd: 606_165_134 }]);
});
