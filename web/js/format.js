// @ts-check
// Number, money, length and date formatting. Vietnamese by default (80,7 % · 2.500.000.000 ₫ ·
// 41,0 km · 05/09/2022); English pages use English separators (80.7% · ₫2,500,000,000).

/** @import { Field, Term } from './types.js' */

let LOCALE = 'vi-VN';
let fmt = makeFormatters(LOCALE);

/** @param {string} locale */
function makeFormatters(locale) {
  return {
    number: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
    plainInteger: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: false }),
    integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    one: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    two: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    vnd: new Intl.NumberFormat(locale, { style: 'currency', currency: 'VND', maximumFractionDigits: 0 }),
    metres: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
  };
}

/**
 * Switches the formatting locale: 'vi' (default) or 'en'.
 * @param {string} lang
 */
export function setFormatLang(lang) {
  LOCALE = lang === 'en' ? 'en-GB' : 'vi-VN';
  fmt = makeFormatters(LOCALE);
}

/**
 * @param {unknown} v
 * @returns {v is number}
 */
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** @param {number} value */
export const formatNumber = (value) => fmt.number.format(value);
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
  return LOCALE === 'vi-VN' ? `${fmt.one.format(value)}\u00a0%` : `${fmt.one.format(value)}%`;
}

/**
 * Metres as kilometres with one decimal: `41,0 km`.
 * @param {number | null | undefined} m
 */
export function formatKm(m) {
  if (!isNum(m)) return '–';
  return `${fmt.one.format(m / 1000)}\u00a0km`;
}

/**
 * Metres as kilometres with one decimal, without the unit: `41,0`.
 * @param {number | null | undefined} m
 */
export const formatKmValue = (m) => (isNum(m) ? fmt.one.format(m / 1000) : '–');

/**
 * An amount of đồng in billions with two decimals, for tight table cells: `2,30 tỷ`.
 * @param {number | null | undefined} vnd
 * @param {string} unit
 */
export function formatBillions(vnd, unit) {
  if (!isNum(vnd)) return '–';
  return `${fmt.two.format(vnd / 1e9)}\u00a0${unit}`;
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
  return m < 1000 ? `${fmt.metres.format(m)}\u00a0m` : `${fmt.one.format(m / 1000)}\u00a0km`;
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
