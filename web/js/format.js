// @ts-check
// Number, money, length and date formatting. Vietnamese by default (80,7 % · 2.500.000.000 ₫ ·
// 41,0 km · 05/09/2022), whatever the browser's locale; English pages use English separators
// (80.7% · ₫2,500,000,000).
//
// ONE rounding for every figure the page reports (`roundHalfAway`): half away from zero, on
// the value the API stores, to the indicator catalogue's display decimals; the result is then
// written with exactly that many decimals. It is the server's `round_half_away`
// (src/coverage/indicators.rs) step for step, so that the page, the CSV, the XLSX, the slides
// and the report show the same digits (49.25 -> "49,3", where a half-to-even rounding or a
// formatter's own rounding of an unrounded ratio could give "49,2").

/** @import { Field, Term } from './types.js' */

let LOCALE = 'vi-VN';
let fmt = makeFormatters(LOCALE);

/** @param {string} locale */
function makeFormatters(locale) {
  return {
    number: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
    plainInteger: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: false }),
    integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    vnd: new Intl.NumberFormat(locale, { style: 'currency', currency: 'VND', maximumFractionDigits: 0 }),
  };
}

/**
 * Switches the formatting locale: 'vi' (default) or 'en'.
 * @param {string} lang
 */
export function setFormatLang(lang) {
  LOCALE = lang === 'en' ? 'en-GB' : 'vi-VN';
  fmt = makeFormatters(LOCALE);
  fixedFormats = new Map();
}

/**
 * @param {unknown} v
 * @returns {v is number}
 */
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** @param {number} value */
export const formatNumber = (value) => fmt.number.format(value);

/**
 * Rounds half away from zero to `decimals`: the sign, then `Math.round` of the magnitude
 * times 10^decimals, divided back; exactly what Rust's `(value * factor).round() / factor`
 * does (`f64::round` rounds halves away from zero). -0 comes back as 0.
 * @param {number} value
 * @param {number} decimals
 */
export function roundHalfAway(value, decimals) {
  const factor = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Formatters with a fixed number of decimals, by decimals, for the current locale. @type {Map<number, Intl.NumberFormat>} */
let fixedFormats = new Map();

/**
 * A number already rounded, written with exactly `decimals` decimals and the locale's
 * separators: `49,3`, `3,96`, `2.300.612.009`.
 * @param {number} value
 * @param {number} decimals
 */
export function formatFixed(value, decimals) {
  let format = fixedFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixedFormats.set(decimals, format);
  }
  return format.format(value);
}

/**
 * A figure followed by its unit, the way the page's language writes it: `49,3 %`, `3,96 km`,
 * `2.300.612.009 đồng` (a no-break space between); English `49.3%`.
 * @param {string} figure
 * @param {string} unit
 */
export function withUnit(figure, unit) {
  if (!unit) return figure;
  if (unit === '%' && LOCALE !== 'vi-VN') return `${figure}%`;
  return `${figure}\u00a0${unit}`;
}
/** @param {number} value */
export const formatInteger = (value) => fmt.integer.format(value);
/** @param {number} value */
export const formatVnd = (value) => fmt.vnd.format(value);

/**
 * A percentage 0-100 with one decimal: `80,7 %` (vi) or `80.7%` (en); `–` for null.
 * @param {number | null | undefined} value
 */
export function formatPct(value) {
  if (!isNum(value)) return '–';
  return withUnit(formatFixed(roundHalfAway(value, 1), 1), '%');
}

/**
 * Metres as kilometres with one decimal: `41,0 km`.
 * @param {number | null | undefined} m
 */
export function formatKm(m) {
  if (!isNum(m)) return '–';
  return withUnit(formatFixed(roundHalfAway(m / 1000, 1), 1), 'km');
}

/**
 * Metres as kilometres with one decimal, without the unit: `41,0`.
 * @param {number | null | undefined} m
 */
export const formatKmValue = (m) => (isNum(m) ? formatFixed(roundHalfAway(m / 1000, 1), 1) : '–');

/**
 * An amount of đồng in billions with two decimals, for tight table cells: `2,30 tỷ`.
 * @param {number | null | undefined} vnd
 * @param {string} unit
 */
export function formatBillions(vnd, unit) {
  if (!isNum(vnd)) return '–';
  return withUnit(formatFixed(roundHalfAway(vnd / 1e9, 2), 2), unit);
}

/**
 * `2022-09-05` (or a full timestamp) as `05/09/2022`, without time-zone shifts.
 * @param {unknown} value
 */
export function formatDate(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
  return match ? `${match[3]}/${match[2]}/${match[1]}` : String(value);
}

/**
 * A length in metres: `850 m` under a kilometre, `1,2 km` above.
 * @param {number} m
 */
export function formatLength(m) {
  return m < 1000 ? withUnit(formatFixed(roundHalfAway(m, 0), 0), 'm') : withUnit(formatFixed(roundHalfAway(m / 1000, 1), 1), 'km');
}

/**
 * A property value shown with its catalogue field: enum values by their label, dates as
 * dd/mm/yyyy, `*_vnd` amounts in đồng, years without grouping, other numbers Vietnamese style.
 * Returns null for empty values.
 * @param {Field} field
 * @param {unknown} value
 * @param {(term: Term) => string} termLabel the enum label in the page's language (i18n.js)
 * @returns {string | null}
 */
export function formatField(field, value, termLabel) {
  if (value === null || value === undefined || value === '') return null;
  switch (field.type) {
    case 'enum': {
      const term = (field.values ?? []).find((v) => v.value === value);
      return term ? termLabel(term) : String(value);
    }
    case 'date':
      return formatDate(value);
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) return String(value);
      if (field.name.endsWith('_vnd')) return formatVnd(n);
      if (field.name === 'year') return fmt.plainInteger.format(n);
      return formatNumber(n);
    }
    default:
      return String(value);
  }
}
