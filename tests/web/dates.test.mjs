// Dates as planners write them (web/js/dates.js), in Node: pure functions.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { formatDateTimeVn, formatDmy, maskDmy, monthGrid, parseDmy } from '../../web/js/dates.js';

test('dates are read day first, with a four-digit year, in a few spellings', () => {
  assert.deepEqual(parseDmy('28/11/2026'), { ok: true, iso: '2026-11-28' });
  assert.deepEqual(parseDmy('5/3/2024'), { ok: true, iso: '2024-03-05' });
  assert.deepEqual(parseDmy('05.03.2024'), { ok: true, iso: '2024-03-05' });
  assert.deepEqual(parseDmy('05-03-2024'), { ok: true, iso: '2024-03-05' });
  assert.deepEqual(parseDmy('05032024'), { ok: true, iso: '2024-03-05' });
  assert.deepEqual(parseDmy('2024-03-05'), { ok: true, iso: '2024-03-05' }, 'the API form has one reading');
  assert.deepEqual(parseDmy(' '), { ok: true, iso: null });
  // 12/11/2026 is the 12th of November, never the 11th of December.
  assert.deepEqual(parseDmy('12/11/2026'), { ok: true, iso: '2026-11-12' });
  assert.deepEqual(parseDmy('28/11/26'), { ok: false, problem: 'year' });
  assert.deepEqual(parseDmy('31/02/2026'), { ok: false, problem: 'no_such_day' });
  assert.deepEqual(parseDmy('29/02/2024'), { ok: true, iso: '2024-02-29' });
  assert.deepEqual(parseDmy('29/02/2023'), { ok: false, problem: 'no_such_day' });
  assert.deepEqual(parseDmy('11/28/2026'), { ok: false, problem: 'no_such_day' }, 'an American date is refused');
  assert.deepEqual(parseDmy('hôm qua'), { ok: false, problem: 'format' });
  assert.deepEqual(parseDmy('28/11/20261'), { ok: false, problem: 'format' });
  assert.deepEqual(parseDmy('28/11/2026', { max: '2026-11-27' }), { ok: false, problem: 'after' });
  assert.deepEqual(parseDmy('31/12/2009', { min: '2010-01-01' }), { ok: false, problem: 'before' });
  assert.equal(formatDmy('2026-11-28'), '28/11/2026');
  assert.equal(formatDmy('2026-11-28T08:00:00Z'), '28/11/2026');
  assert.equal(formatDmy(null), '');
});

test('typing digits gives dd/mm/yyyy, the day first', () => {
  assert.deepEqual(maskDmy('2', 1), { text: '2', caret: 1 });
  assert.deepEqual(maskDmy('28', 2), { text: '28', caret: 2 });
  assert.deepEqual(maskDmy('281', 3), { text: '28/1', caret: 4 });
  assert.deepEqual(maskDmy('28/11', 5), { text: '28/11', caret: 5 });
  assert.deepEqual(maskDmy('28/112', 6), { text: '28/11/2', caret: 7 });
  assert.deepEqual(maskDmy('28112026', 8), { text: '28/11/2026', caret: 10 });
  assert.deepEqual(maskDmy('28/', 3), { text: '28/', caret: 3 }, 'a slash typed after the day stays');
  // Deleting a digit of the day or the month leaves the rest where it is (28/1/2026 reads as
  // it shows), and deleting from the year leaves the slashes alone.
  assert.deepEqual(maskDmy('28/1/2026', 4), { text: '28/1/2026', caret: 4 });
  assert.deepEqual(maskDmy('28/11/202', 9), { text: '28/11/202', caret: 9 });
  // Slashes typed elsewhere, dashes, letters: left as typed (read, or refused, as they are).
  assert.deepEqual(maskDmy('5/3/2024', 8), { text: '5/3/2024', caret: 8 });
  assert.deepEqual(maskDmy('2024-03-05', 10), { text: '2024-03-05', caret: 10 });
});

test('a month grid starts on Monday', () => {
  // November 2026 starts on a Sunday: six empty cells first.
  const grid = monthGrid(2026, 11);
  assert.deepEqual(grid[0], [null, null, null, null, null, null, 1]);
  assert.deepEqual(grid.at(-1), [30, null, null, null, null, null, null]);
  assert.equal(grid.flat().filter((d) => d !== null).length, 30);
  // February 2027 starts on a Monday and has 28 days: four full weeks.
  assert.deepEqual(monthGrid(2027, 2).map((w) => w[0]), [1, 8, 15, 22]);
});

test('history times are in Vietnam time with four-digit years', () => {
  assert.equal(formatDateTimeVn(new Date('2026-11-28T17:05:00Z')), '29/11/2026 00:05');
  assert.equal(formatDateTimeVn(new Date('2009-01-02T03:04:00Z')), '02/01/2009 10:04');
});
