// @ts-check
// The indicator catalogue (GET /api/indicators) on the page: which figures each output shows
// (`outputs`: the choropleth's choices, the table's columns and the headline cards, the
// slides' figures, the charts' series), their titles and units, and the one way a figure is
// written: the stored value divided by the display divisor, rounded half away from zero to
// the display decimals (format.js), then the unit. The page never names a figure's title or
// unit itself; i18n has no `indicator.*` strings.
//
// Loaded once at start (page/boot.js) and fixed afterwards, like the strings of i18n.js.

import { formatFixed, roundHalfAway, withUnit } from './format.js';
import { t, title } from './i18n.js';

/** @import { IndicatorSpec } from './types.js' */

/** @typedef {keyof IndicatorSpec['outputs']} Output */
/** @typedef {IndicatorSpec['levels'][number]} Level */

/** @type {IndicatorSpec[]} */
let catalogue = [];

/**
 * Keeps the catalogue for the page's lifetime.
 * @param {IndicatorSpec[]} list
 */
export function setIndicatorCatalogue(list) {
  catalogue = Array.isArray(list) ? list : [];
}

/** Every indicator, in the catalogue's (and the tables') order. */
export const allIndicators = () => catalogue;

/**
 * The indicator `id`, if the catalogue has it.
 * @param {string | null | undefined} id
 */
export const findIndicator = (id) => catalogue.find((i) => i.id === id);

/**
 * The indicators an output shows at a level, in catalogue order.
 * @param {Output} output
 * @param {Level} level
 */
export const indicatorsFor = (output, level) => catalogue.filter((i) => i.outputs[output] && i.levels.includes(level));

/** @param {IndicatorSpec} spec */
export const indicatorTitle = (spec) => title(spec.title);

/** The short title, for narrow table headers. @param {IndicatorSpec} spec */
export const indicatorShort = (spec) => title(spec.short);

/** The unit after a figure (`%`, `km`, `đồng`; empty for counts). @param {IndicatorSpec} spec */
export const indicatorUnit = (spec) => title(spec.display.unit);

/**
 * A title with its unit in brackets: `Tỷ lệ bê tông (%)`, `Mô hình Dân vận khéo`.
 * @param {IndicatorSpec} spec
 * @param {{ short?: boolean }} [options]
 */
export function titleWithUnit(spec, { short = false } = {}) {
  const unit = indicatorUnit(spec);
  const name = short ? indicatorShort(spec) : indicatorTitle(spec);
  return unit ? `${name} (${unit})` : name;
}

/**
 * The stored value of an indicator in a coverage record (a group, a commune, a region, a
 * year, a flat GeoJSON properties object); null when it has none (a share without roads).
 * `model_sites` is an object with its breakdown in the JSON records: its `total`.
 * @param {IndicatorSpec} spec
 * @param {object | null | undefined} record
 * @returns {number | null}
 */
export function indicatorValue(spec, record) {
  const value = /** @type {Record<string, unknown> | null | undefined} */ (record)?.[spec.id];
  if (value && typeof value === 'object' && 'total' in value) {
    const total = /** @type {{ total?: unknown }} */ (value).total;
    return typeof total === 'number' ? total : null;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The figure people read for a stored value, in display units: the value divided by the
 * display divisor, rounded half away from zero to the display decimals. The server's
 * `Indicator::shown` does the same.
 * @param {IndicatorSpec} spec
 * @param {number | null | undefined} stored
 * @returns {number | null}
 */
export function shownValue(spec, stored) {
  if (typeof stored !== 'number' || !Number.isFinite(stored)) return null;
  return roundHalfAway(stored / spec.display.divisor, spec.display.decimals);
}

/**
 * A stored value as people read it: `49,3 %`, `3,96 km`, `3`, `2.300.612.009 đồng`; `–`
 * without a value. `unit: false` leaves the unit out (a table whose header carries it).
 * @param {IndicatorSpec} spec
 * @param {number | null | undefined} stored
 * @param {{ unit?: boolean }} [options]
 */
export function formatShown(spec, stored, { unit = true } = {}) {
  const shown = shownValue(spec, stored);
  if (shown === null) return '–';
  const figure = formatFixed(shown, spec.display.decimals);
  return unit ? withUnit(figure, indicatorUnit(spec)) : figure;
}

/** Đồng in a billion (tỷ): money on scales, labels and bars, where a full amount is too long. */
const BILLION = 1e9;

/**
 * A value on a scale (the map's labels, the class legend, a bar's label): money in billions
 * of đồng with two decimals (`2,30 tỷ`), everything else as `formatShown`. Reported figures
 * (tables, cards, slides) use `formatShown`.
 * @param {IndicatorSpec} spec
 * @param {number | null | undefined} stored
 * @param {{ unit?: boolean }} [options]
 */
export function formatScale(spec, stored, { unit = true } = {}) {
  if (spec.kind !== 'money') return formatShown(spec, stored, { unit });
  if (typeof stored !== 'number' || !Number.isFinite(stored)) return '–';
  const figure = formatFixed(roundHalfAway(stored / BILLION, 2), 2);
  return unit ? withUnit(figure, t('unit.billion')) : figure;
}

/** The unit of `formatScale`'s figures: `tỷ đồng` for money. @param {IndicatorSpec} spec */
export const scaleUnit = (spec) => (spec.kind === 'money' ? t('unit.billion_of', { unit: indicatorUnit(spec) }) : indicatorUnit(spec));

/**
 * The change between two stored values as people read it, from the two figures shown (so
 * that it is their difference to the digit): `+3,2 điểm %` for a share (percentage points),
 * `+0,45 km`, `−2`; `–` when either has no value.
 * @param {IndicatorSpec} spec
 * @param {number | null | undefined} now
 * @param {number | null | undefined} then
 * @param {{ unit?: boolean }} [options]
 */
export function formatChange(spec, now, then, { unit = true } = {}) {
  const a = shownValue(spec, now);
  const b = shownValue(spec, then);
  if (a === null || b === null) return '–';
  const d = roundHalfAway(a - b, spec.display.decimals);
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const figure = `${sign}${formatFixed(Math.abs(d), spec.display.decimals)}`;
  if (!unit) return figure;
  return withUnit(figure, spec.kind === 'pct' ? t('unit.points') : indicatorUnit(spec));
}
