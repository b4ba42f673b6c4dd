// @ts-check
// The choropleth: which indicator colours the units (a commune's groups, a region's
// communes), its classes and colours, the MapLibre paint expression, and the class legend.
// The choices, titles and units are the indicator catalogue's (indicators.js).
//
// Percentages use fixed classes (<40, 40-60, 60-80, 80-95, >=95) on ColorBrewer's RdYlBu
// (colour-blind safe): warm = behind, cool = done. Amounts (flower km, model sites, money)
// use five classes on ColorBrewer's YlGnBu (sequential, colour-blind safe), with breaks
// rounded from the data's quantiles. Groups with no counted roads are grey and hatched.

import { formatFixed, formatPct, roundHalfAway } from './format.js';
import { t } from './i18n.js';
import { findIndicator, formatScale, indicatorsFor, indicatorTitle, indicatorUnit, scaleUnit } from './indicators.js';

/**
 * @import { DataDrivenPropertyValueSpecification, ExpressionSpecification, FilterSpecification } from 'maplibre-gl'
 * @import { CoverageSettings, IndicatorSpec } from './types.js'
 * @import { Level } from './indicators.js'
 */

/** An indicator the map can be coloured by: a row of the indicator catalogue. @typedef {IndicatorSpec} Indicator */

/**
 * The classes of an indicator's values: value v is in class i where breaks[i-1] <= v < breaks[i].
 * @typedef {{ breaks: number[], colors: string[] }} Classes
 */

export const PCT_BREAKS = [40, 60, 80, 95];
export const PCT_COLORS = ['#d7191c', '#fdae61', '#ffffbf', '#abd9e9', '#2c7bb6'];
export const SEQ_COLORS = ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'];
export const NO_DATA_COLOR = '#c9cbd1';

/**
 * The indicators the map can colour its units by (the catalogue's `choropleth` output at the
 * units' level), in the selector's order.
 * @param {Level} level `group` on a commune's page, `commune` on a region's
 */
export const choroplethChoices = (level) => indicatorsFor('choropleth', level);

/**
 * The choice `id` if the map can be coloured by it at `level`, else the first choice.
 * @param {string | null | undefined} id
 * @param {Level} level
 * @returns {Indicator}
 */
export function choroplethIndicator(id, level) {
  const choices = choroplethChoices(level);
  const found = choices.find((i) => i.id === id) ?? choices[0] ?? findIndicator(id);
  if (!found) throw new Error('the indicator catalogue offers no choropleth');
  return found;
}

export { indicatorValue } from './indicators.js';

/**
 * The value as a label or a bar shows it: `54,5 %`, `1,20 km`, `3`, `2,30 tỷ` (money in
 * billions, so that it fits).
 * @param {Indicator} indicator
 * @param {number | null | undefined} value
 */
export const formatIndicator = (indicator, value) => formatScale(indicator, value);

/**
 * The target of an indicator from the coverage settings, or null.
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
      if (indicator.display.decimals === 0 && indicator.display.divisor === 1 && indicator.kind !== 'money') b = Math.round(b);
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
 * The text of a class bound in the legend (no unit: the legend says it once): a share as a
 * whole number, money in billions, other figures in display units with no more decimals
 * than they need.
 * @param {Indicator} indicator
 * @param {number} value
 */
function boundText(indicator, value) {
  if (indicator.kind === 'pct') return formatFixed(roundHalfAway(value, 0), 0);
  if (indicator.kind === 'money') return formatScale(indicator, value, { unit: false });
  const shown = value / indicator.display.divisor;
  const decimals = Math.min(indicator.display.decimals, shown >= 10 || Number.isInteger(shown) ? 0 : shown >= 1 ? 1 : 2);
  return formatFixed(roundHalfAway(shown, decimals), decimals);
}

/**
 * The unit of the legend's bounds: `%`, `km`, `tỷ đồng`, or none for counts.
 * @param {Indicator} indicator
 */
export const unitOf = (indicator) => scaleUnit(indicator);

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
  const unit = unitOf(indicator);
  svg.setAttribute('aria-label', `${indicatorTitle(indicator)}${unit ? ` (${unit})` : ''}: ${labels.join(', ')}`);
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
  if (unit && unit !== indicatorUnit(indicator)) {
    // The unit of the bounds under the bar when it is not the indicator's own (which its
    // title says): money is in billions there, the amounts being long.
    const caption = document.createElement('div');
    caption.className = 'class-unit';
    caption.textContent = t('legend.unit', { unit });
    container.append(caption);
  }
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
