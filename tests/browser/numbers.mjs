// The browser tests' own figures: a stored value rounded half away from zero on its decimal
// digits (not with binary arithmetic, and not with the page's code), written the Vietnamese
// way. What the page, the CSV and the XLSX must show is computed with these.

import assert from 'node:assert/strict';

/**
 * `|value| / divisor` as exact decimal digits `[whole, fraction]`: the stored value's shortest
 * decimal form (what the JSON carries) with the point moved. `divisor` is a power of ten.
 */
export function decimalDigits(value, divisor) {
  const shift = Math.round(Math.log10(divisor));
  assert.equal(10 ** shift, divisor, `the divisor ${divisor} is a power of ten`);
  let [whole, fraction = ''] = Math.abs(value).toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }).split('.');
  whole = whole.padStart(shift + 1, '0');
  fraction = whole.slice(whole.length - shift) + fraction;
  whole = whole.slice(0, whole.length - shift);
  return [whole, fraction.replace(/0+$/, '')];
}

/** Whether `value / divisor` lies exactly half way between two figures of `decimals` decimals. */
export function halfWay(value, divisor, decimals) {
  const [, fraction] = decimalDigits(value, divisor);
  return fraction.length === decimals + 1 && fraction.endsWith('5');
}

/**
 * `value / divisor` rounded half away from zero to `decimals`, as a decimal string with
 * exactly `decimals` digits after the point: by the digits of the number, not by binary
 * arithmetic.
 */
export function roundText(value, divisor, decimals) {
  const [whole, fraction] = decimalDigits(value, divisor);
  const kept = fraction.padEnd(decimals + 1, '0');
  let digits = whole + kept.slice(0, decimals);
  if (Number(kept[decimals]) >= 5) {
    // Half or more of the last kept digit: away from zero.
    const up = [...digits];
    let i = up.length - 1;
    while (i >= 0) {
      if (up[i] === '9') {
        up[i] = '0';
        i -= 1;
      } else {
        up[i] = String(Number(up[i]) + 1);
        break;
      }
    }
    digits = (i < 0 ? '1' : '') + up.join('');
  }
  const intPart = digits.slice(0, digits.length - decimals).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = digits.slice(digits.length - decimals);
  return `${value < 0 && /[1-9]/.test(digits) ? '-' : ''}${intPart}${decimals ? `.${fracPart}` : ''}`;
}

/** A rounded decimal string written the Vietnamese way: `49,3`, `2.300.612.009`. */
export function vietnamese(text) {
  const [intPart, fracPart] = text.split('.');
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return fracPart === undefined ? grouped : `${grouped},${fracPart}`;
}

/** The stored value of indicator `id` in a JSON record (`model_sites` is an object). */
export function stored(record, id) {
  const v = record[id];
  if (v && typeof v === 'object') return v.total;
  return v;
}


/**
 * The figure of indicator `spec` (a row of /api/indicators) for a JSON record, the way the
 * page writes it: the rounded figure, Vietnamese, with the unit after a no-break space
 * (`unit: false` without); `–` without a value.
 */
export function figure(spec, record, { unit = true } = {}) {
  const v = stored(record, spec.id);
  if (v === null || v === undefined) return '–';
  const text = vietnamese(roundText(v, spec.display.divisor, spec.display.decimals));
  return unit && spec.display.unit.vi ? `${text}\u00a0${spec.display.unit.vi}` : text;
}
