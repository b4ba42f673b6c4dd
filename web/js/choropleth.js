// @ts-check
// The choropleth of residential groups: which indicator colours them, its classes and
// colours, the MapLibre paint expression, and the class legend.
//
// Percentages use fixed classes (<40, 40-60, 60-80, 80-95, >=95) on ColorBrewer's RdYlBu
// (colour-blind safe): warm = behind, cool = done. Amounts (flower km, model sites, money)
// use five classes on ColorBrewer's YlGnBu (sequential, colour-blind safe), with breaks
// rounded from the data's quantiles. Groups with no counted roads are grey and hatched.

import { formatInteger, formatKmValue, formatPct, formatBillions, formatKm, formatVnd } from './format.js';
import { t } from './i18n.js';

/**
 * @import { DataDrivenPropertyValueSpecification, ExpressionSpecification, FilterSpecification } from 'maplibre-gl'
 * @import { CoverageSettings } from './types.js'
 */

/**
 * An indicator the map can be coloured by, and how its values read: a percentage, a length
 * in metres, a count, or an amount of đồng.
 * @typedef {{ id: string, kind: 'pct' | 'length' | 'count' | 'money' }} Indicator
 */

/**
 * The classes of an indicator's values: value v is in class i where breaks[i-1] <= v < breaks[i].
 * @typedef {{ breaks: number[], colors: string[] }} Classes
 */

export const PCT_BREAKS = [40, 60, 80, 95];
export const PCT_COLORS = ['#d7191c', '#fdae61', '#ffffbf', '#abd9e9', '#2c7bb6'];
export const SEQ_COLORS = ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'];
export const NO_DATA_COLOR = '#c9cbd1';
export const FILL_OPACITY = 0.78;

/** The indicators the map can be coloured by, in the selector's order. @type {Indicator[]} */
export const INDICATORS = [
  { id: 'concrete_pct', kind: 'pct' },
  { id: 'hardened_pct', kind: 'pct' },
  { id: 'lit_pct', kind: 'pct' },
  { id: 'flower_m', kind: 'length' },
  { id: 'model_sites', kind: 'count' },
  { id: 'people_vnd', kind: 'money' },
];
export const DEFAULT_INDICATOR = 'concrete_pct';

/**
 * The indicator `id`, else the first one.
 * @param {string} id
 * @returns {Indicator}
 */
export const indicatorById = (id) => INDICATORS.find((i) => i.id === id) ?? INDICATORS[0];

/**
 * The indicator's value in an /api/coverage record (group or commune) or a flat GeoJSON
 * properties object; null when it has none (no counted road for a percentage).
 * @param {Indicator} indicator
 * @param {object | null | undefined} record
 * @returns {number | null}
 */
export function indicatorValue(indicator, record) {
  const value = /** @type {Record<string, unknown> | null | undefined} */ (record)?.[indicator.id];
  if (indicator.id === 'model_sites' && value && typeof value === 'object') return /** @type {{ total?: number }} */ (value).total ?? 0;
  return typeof value === 'number' ? value : null;
}

/**
 * The value as the panel shows it: `54,5 %`, `1,2 km`, `3`, `2.300.612.009 ₫`.
 * @param {Indicator} indicator
 * @param {number | null | undefined} value
 * @param {{ short?: boolean }} [options] `short`: money in billions
 */
export function formatIndicator(indicator, value, { short = false } = {}) {
  if (value === null || value === undefined) return '–';
  switch (indicator.kind) {
    case 'pct': return formatPct(value);
    case 'length': return formatKm(value);
    case 'count': return formatInteger(value);
    case 'money': return short ? formatBillions(value, t('unit.billion')) : formatVnd(value);
    default: return String(value);
  }
}

/**
 * The target of a percentage indicator from the coverage settings, or null.
 * @param {Indicator} indicator
 * @param {CoverageSettings | null | undefined} settings
 */
export function targetOf(indicator, settings) {
  const target = settings?.targets?.[indicator.id];
  return typeof target === 'number' ? target : null;
}

/**
 * Rounds to 2 significant digits (for readable class breaks).
 * @param {number} value
 */
function nice(value) {
  if (value <= 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.round(value / magnitude) * magnitude;
}

/**
 * The classes of `indicator` given the groups' values: `{breaks: [b1..b4], colors: [c0..c4]}`;
 * a value v is in class i where breaks[i-1] <= v < breaks[i].
 * @param {Indicator} indicator
 * @param {(number | null)[]} values
 * @returns {Classes}
 */
export function classesFor(indicator, values) {
  if (indicator.kind === 'pct') return { breaks: PCT_BREAKS, colors: PCT_COLORS };
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  const breaks = [];
  if (sorted.length > 0) {
    for (const q of [0.2, 0.4, 0.6, 0.8]) {
      let b = nice(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
      if (indicator.kind === 'count') b = Math.round(b);
      if (b > 0 && (breaks.length === 0 || b > breaks[breaks.length - 1])) breaks.push(b);
    }
  }
  if (breaks.length === 0) breaks.push(1);
  // Fewer distinct breaks than four: use the darkest colours for the top classes.
  const colors = SEQ_COLORS.slice(SEQ_COLORS.length - breaks.length - 1);
  return { breaks, colors };
}

/**
 * The class index of a value (or -1 for null: no data).
 * @param {Classes} classes
 * @param {number | null | undefined} value
 */
export function classIndex(classes, value) {
  if (value === null || value === undefined) return -1;
  let i = 0;
  while (i < classes.breaks.length && value >= classes.breaks[i]) i += 1;
  return i;
}

/**
 * The colour of a value's class (grey for no data).
 * @param {Classes} classes
 * @param {number | null | undefined} value
 */
export const colorFor = (classes, value) => {
  const i = classIndex(classes, value);
  return i < 0 ? NO_DATA_COLOR : classes.colors[i];
};

/**
 * The fill-color expression of the groups for `indicator` with `classes`.
 * @param {Indicator} indicator
 * @param {Classes} classes
 * @returns {DataDrivenPropertyValueSpecification<string>}
 */
export function fillColorExpression(indicator, classes) {
  /** @type {ExpressionSpecification} */
  const value = ['get', indicator.id];
  /** @type {(string | number)[]} */
  const stops = [];
  classes.breaks.forEach((b, i) => stops.push(b, classes.colors[i + 1]));
  /** @type {ExpressionSpecification} */
  const steps = ['step', ['to-number', value], classes.colors[0], ...stops];
  return ['case', ['==', ['typeof', value], 'number'], steps, NO_DATA_COLOR];
}

/**
 * The filter that picks the groups without a value (hatched).
 * @param {Indicator} indicator
 * @returns {FilterSpecification}
 */
export const noDataFilter = (indicator) => ['!=', ['typeof', ['get', indicator.id]], 'number'];

/**
 * A hatch pattern (diagonal grey lines) as ImageData, for fill-pattern.
 * @param {number} [size] in pixels
 */
export function hatchImage(size = 12) {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = NO_DATA_COLOR;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#8c8f99';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const offset of [-size, 0, size]) {
    ctx.moveTo(offset, size);
    ctx.lineTo(offset + size, 0);
  }
  ctx.stroke();
  return ctx.getImageData(0, 0, size, size);
}

/**
 * The text of a class bound in the legend (no unit: the legend title carries it).
 * @param {Indicator} indicator
 * @param {number} value
 */
function boundText(indicator, value) {
  switch (indicator.kind) {
    case 'pct': return formatInteger(value);
    case 'length': return formatKmValue(value);
    case 'money': return formatBillions(value, '').trim();
    default: return formatInteger(value);
  }
}

/**
 * The unit shown after the legend's title.
 * @param {Indicator} indicator
 */
export function unitOf(indicator) {
  return { pct: '%', length: 'km', count: t('unit.sites'), money: t('unit.billion_vnd') }[indicator.kind];
}

/**
 * The text of each class: `< 40`, `40–60`, …, `≥ 95` (no unit).
 * @param {Indicator} indicator
 * @param {Classes} classes
 */
export function classLabels(indicator, classes) {
  return classes.colors.map((_, i) => {
    const lo = i === 0 ? null : classes.breaks[i - 1];
    const hi = i < classes.breaks.length ? classes.breaks[i] : null;
    // There is always a break (classesFor makes one at least): `hi` of the first class is set.
    if (lo === null) return `< ${boundText(indicator, hi ?? 0)}`;
    if (hi === null) return `≥ ${boundText(indicator, lo)}`;
    return `${boundText(indicator, lo)}–${boundText(indicator, hi)}`;
  });
}

const svgNs = 'http://www.w3.org/2000/svg';

/**
 * Renders the class legend into `container`: a bar of the five classes with their bounds,
 * the target marked on it, and a hatched "no roads" entry when some group has no value.
 * @param {Element} container
 * @param {{ indicator: Indicator, classes: Classes, target: number | null, hasNoData: boolean }} legend
 */
export function renderClassLegend(container, { indicator, classes, target, hasNoData }) {
  container.replaceChildren();
  const n = classes.colors.length;
  const width = 280;
  const height = 46;
  const pad = 8;
  const segment = (width - 2 * pad) / n;
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', '100%');
  svg.setAttribute('class', 'class-bar');
  svg.setAttribute('role', 'img');
  const labels = classLabels(indicator, classes);
  svg.setAttribute('aria-label', `${t(`indicator.${indicator.id}`)}: ${labels.join(', ')}`);
  /**
   * @param {string} name
   * @param {Record<string, string | number>} attrs
   * @param {string} [text]
   */
  const add = (name, attrs, text) => {
    const node = document.createElementNS(svgNs, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  classes.colors.forEach((color, i) => {
    add('rect', { x: pad + i * segment, y: 14, width: segment, height: 14, fill: color, stroke: '#ffffff', 'stroke-width': 1, 'data-class': i });
  });
  add('rect', { x: pad, y: 14, width: width - 2 * pad, height: 14, fill: 'none', stroke: '#9aa0ab', 'stroke-width': 0.8 });
  // Bounds under the bar, at the joins.
  classes.breaks.forEach((b, i) => {
    add('text', { x: pad + (i + 1) * segment, y: 41, 'text-anchor': 'middle', class: 'class-bound' }, boundText(indicator, b));
  });
  if (target !== null && indicator.kind === 'pct') {
    // Position of the target on the class bar (linear inside its class).
    const i = classIndex(classes, target);
    const lo = i === 0 ? 0 : classes.breaks[i - 1];
    const hi = i < classes.breaks.length ? classes.breaks[i] : 100;
    const frac = hi > lo ? Math.min(1, (target - lo) / (hi - lo)) : 0;
    const x = Math.min(width - pad, pad + (i + frac) * segment);
    add('line', { x1: x, x2: x, y1: 9, y2: 32, stroke: '#1f2330', 'stroke-width': 2.2 });
    add('text', { x: Math.min(x, width - pad - 2), y: 8, 'text-anchor': x > width - 60 ? 'end' : 'middle', class: 'class-target' },
      t('legend.target', { value: formatPct(target) }));
  }
  container.append(svg);
  if (hasNoData) {
    const row = document.createElement('div');
    row.className = 'class-nodata';
    row.innerHTML = '<svg viewBox="0 0 22 14" width="22" height="14" aria-hidden="true"><defs><pattern id="hatch-legend" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#c9cbd1"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c8f99" stroke-width="1.5"/></pattern></defs><rect x="1" y="1" width="20" height="12" rx="2" fill="url(#hatch-legend)"/></svg>';
    const span = document.createElement('span');
    span.textContent = indicator.kind === 'pct' ? t('legend.no_roads') : t('legend.no_data');
    row.append(span);
    container.append(row);
  }
}
