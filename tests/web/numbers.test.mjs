// Numbers as planners type them (web/js/numbers.js), in Node: pure functions.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { formatNumberInput, groupThousands, groupWhileTyping, parseNumberText } from '../../web/js/numbers.js';

const vi = (text, integer = true) => parseNumberText(text, { lang: 'vi', integer });
const en = (text, integer = true) => parseNumberText(text, { lang: 'en', integer });

test('Vietnamese money: a dot groups thousands, and only that', () => {
  assert.deepEqual(vi('45.000.000'), { ok: true, value: 45_000_000 });
  assert.deepEqual(vi('45000000'), { ok: true, value: 45_000_000 });
  assert.deepEqual(vi('45 000 000'), { ok: true, value: 45_000_000 });
  assert.deepEqual(vi(' 1.212.330.268 '), { ok: true, value: 1_212_330_268 });
  assert.deepEqual(vi(''), { ok: true, value: null });
  assert.deepEqual(vi('   '), { ok: true, value: null });
  // "1.5" can only be a mistyped amount in a Vietnamese money field: refused, not 15 or 1.5.
  assert.deepEqual(vi('1.5'), { ok: false, problem: 'grouping' });
  assert.deepEqual(vi('45.00.000'), { ok: false, problem: 'grouping' });
  assert.deepEqual(vi('45.0000'), { ok: false, problem: 'grouping' });
  assert.deepEqual(vi('.500'), { ok: false, problem: 'grouping' });
  // A decimal comma in a field of whole đồng, and English grouping, are refused.
  assert.deepEqual(vi('3,5'), { ok: false, problem: 'whole' });
  assert.deepEqual(vi('45,000,000'), { ok: false, problem: 'decimals' });
  assert.deepEqual(vi('1,500'), { ok: false, problem: 'whole' });
  assert.deepEqual(vi('45.000,00'), { ok: true, value: 45_000 }, 'zero decimals are whole');
  assert.deepEqual(vi('-5'), { ok: false, problem: 'negative' });
  assert.deepEqual(vi('5 triệu'), { ok: false, problem: 'chars' });
  assert.deepEqual(vi('1e6'), { ok: false, problem: 'chars' });
  assert.deepEqual(vi('9.007.199.254.740.993'), { ok: false, problem: 'too_large' });
});

test('Vietnamese decimals: a comma starts them; anything with two readings is refused', () => {
  assert.deepEqual(vi('3,5', false), { ok: true, value: 3.5 });
  assert.deepEqual(vi('1.234,75', false), { ok: true, value: 1234.75 });
  assert.deepEqual(vi('0,25', false), { ok: true, value: 0.25 });
  assert.deepEqual(vi(',5', false), { ok: true, value: 0.5 });
  assert.deepEqual(vi('3,', false), { ok: true, value: 3 });
  assert.deepEqual(vi('45.000,5.3', false), { ok: false, problem: 'decimals' });
  assert.deepEqual(vi('3,5,1', false), { ok: false, problem: 'decimals' });
  assert.deepEqual(vi('3.5', false), { ok: false, problem: 'grouping' });
  assert.deepEqual(vi(',', false), { ok: false, problem: 'chars' });
});

test('an English page swaps the separators', () => {
  assert.deepEqual(en('45,000,000'), { ok: true, value: 45_000_000 });
  assert.deepEqual(en('3.5', false), { ok: true, value: 3.5 });
  assert.deepEqual(en('1,234.75', false), { ok: true, value: 1234.75 });
  assert.deepEqual(en('45.000.000'), { ok: false, problem: 'decimals' });
  assert.deepEqual(en('1,5'), { ok: false, problem: 'grouping' });
});

test('stored values are shown in the page format, years without grouping', () => {
  assert.equal(formatNumberInput(45_000_000, { lang: 'vi' }), '45.000.000');
  assert.equal(formatNumberInput(3.5, { lang: 'vi' }), '3,5');
  assert.equal(formatNumberInput(1234.75, { lang: 'vi' }), '1.234,75');
  assert.equal(formatNumberInput(0.1 + 0.2, { lang: 'vi' }), '0,3', 'no float noise');
  assert.equal(formatNumberInput(2021, { lang: 'vi', plain: true }), '2021');
  assert.equal(formatNumberInput(45_000_000, { lang: 'en' }), '45,000,000');
  assert.equal(formatNumberInput(null, { lang: 'vi' }), '');
  assert.equal(groupThousands('1234567', '.'), '1.234.567');
  assert.equal(groupThousands('123', '.'), '123');
  // What is shown reads back as the same number.
  for (const n of [0, 7, 999, 1000, 45_000_000, 3.5, 1234.75, 683.9]) {
    for (const lang of ['vi', 'en']) {
      const shown = formatNumberInput(n, { lang });
      assert.deepEqual(parseNumberText(shown, { lang, integer: Number.isInteger(n) }), { ok: true, value: n }, `${n} ${lang}: "${shown}"`);
    }
  }
});

test('while typing, digits are grouped and the caret keeps its place among them', () => {
  const typing = (text, caret, regroup = false) => groupWhileTyping(text, caret, { lang: 'vi', regroup });
  assert.deepEqual(typing('4500', 4), { text: '4.500', caret: 5, grouped: true });
  assert.deepEqual(typing('45000000', 8), { text: '45.000.000', caret: 10, grouped: true });
  // A digit typed into a grouped number ("4.500" + "0" at the end): grouped again.
  assert.deepEqual(typing('4.5000', 6, true), { text: '45.000', caret: 6, grouped: true });
  // A digit deleted from "45.000" (the 4): grouped again, the caret before the 5.
  assert.deepEqual(typing('5.000', 0, true), { text: '5.000', caret: 0, grouped: true });
  assert.deepEqual(typing('45.00', 5, true), { text: '4.500', caret: 5, grouped: true });
  // Decimals are kept as typed, the whole part grouped.
  assert.deepEqual(typing('1234,5', 6), { text: '1.234,5', caret: 7, grouped: true });
  assert.deepEqual(typing('3,', 2), { text: '3,', caret: 2, grouped: true });
  assert.deepEqual(typing('0045', 4), { text: '45', caret: 2, grouped: true });
  // A separator typed by hand is never dropped: "3.5" stays, to be refused.
  assert.deepEqual(typing('3.', 2), { text: '3.', caret: 2, grouped: false });
  assert.deepEqual(typing('3.5', 3), { text: '3.5', caret: 3, grouped: false });
  assert.deepEqual(typing('45.000,5.3', 10), { text: '45.000,5.3', caret: 10, grouped: false });
  assert.deepEqual(typing('abc', 3), { text: 'abc', caret: 3, grouped: false });
  assert.deepEqual(groupWhileTyping('2021', 4, { lang: 'vi', plain: true, regroup: false }), { text: '2021', caret: 4, grouped: true });
});
