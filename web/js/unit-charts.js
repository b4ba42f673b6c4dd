// @ts-check
// The panel's two charts over the catalogue: the units' bars for the indicator that colours
// the map (in the map's class colours, against the target), and the progress year by year
// (the catalogue's `timeline` series of the same kind, and the target of each year: the
// roadmap, continued past this year where the roadmap goes on). charts.js draws them.

import { niceMax, renderBarChart, renderLineChart } from './charts.js';
import { colorFor } from './choropleth.js';
import { formatFixed, formatPct, roundHalfAway } from './format.js';
import { t } from './i18n.js';
import { formatScale, indicatorsFor, indicatorTitle, indicatorValue } from './indicators.js';
import { el } from './element.js';

/**
 * @import { Classes, Indicator } from './choropleth.js'
 * @import { LineSeries, YearValues } from './charts.js'
 * @import { Level } from './indicators.js'
 */

/** Colours of the progress chart's series, in the catalogue's order (Okabe-Ito). */
const SERIES_COLORS = ['#0072b2', '#009e73', '#e69f00', '#56b4e9', '#cc79a7', '#d55e00'];

/**
 * A target line's label: `Chỉ tiêu 80,0 %`, with the roadmap's year when it is that year's.
 * @param {Indicator} indicator
 * @param {number} target
 * @param {number | null} [year]
 */
export function targetLabel(indicator, target, year = null) {
  const value = indicator.kind === 'pct' ? formatPct(target) : formatScale(indicator, target);
  return year ? t('legend.target_year', { year, value }) : t('legend.target', { value });
}

/**
 * The units' bars of `indicator`, largest first, in the choropleth's class colours, with the
 * target (one line, or each unit's own as a tick on its bar).
 * @template {number | string} K
 * @param {Element} container
 * @param {{ rows: { id: K, name: string, record: object, target?: number | null }[], indicator: Indicator, classes: Classes, target: number | null, targetYear?: number | null, linked: { hover: (id: K | null) => void, select: (id: K) => void } }} chart
 * @returns {{ highlight: (id: K | null) => void }}
 */
export function barChart(container, { rows, indicator, classes, target, targetYear = null, linked }) {
  const bars = rows.map((row) => {
    const value = indicatorValue(indicator, row.record);
    return {
      id: row.id,
      name: row.name,
      value,
      color: colorFor(classes, value),
      label: value === null ? t(indicator.kind === 'pct' ? 'legend.no_roads' : 'legend.no_data') : formatScale(indicator, value),
      target: row.target ?? null,
    };
  }).sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  const highest = Math.max(...bars.map((r) => Math.max(r.value ?? 0, r.target ?? 0)), target ?? 0);
  const max = indicator.kind === 'pct' ? 100 : niceMax(highest);
  return renderBarChart(container, {
    rows: bars,
    max,
    target,
    targetLabel: target !== null ? targetLabel(indicator, target, targetYear) : '',
    ariaLabel: t('chart.bars', { indicator: indicatorTitle(indicator) }),
    onHover: linked.hover,
    onClick: linked.select,
  });
}

/**
 * A year of a timeline: its values (stored) and, for a commune, the targets of that year.
 * @typedef {{ year: number, targets?: Record<string, { target: number }> } & Record<string, unknown>} TimelineYear
 */

/**
 * The progress chart: the catalogue's timeline series of the indicator's kind (every share,
 * with the chosen one drawn strong; else the indicator alone), year by year, with each
 * year's target of the indicator and the roadmap's years to come.
 * @param {Element} container
 * @param {{ years: TimelineYear[], indicator: Indicator, level: Level, roadmap?: Record<string, Record<string, number>>, targets?: Record<string, number>, year: number, onPick: (year: number) => void }} chart
 *   `roadmap`: targets by indicator and year; `targets`: the plain targets (for years the
 *   timeline does not carry targets of)
 */
export function progressChart(container, { years, indicator, level, roadmap = {}, targets = {}, year, onPick }) {
  const shares = indicator.kind === 'pct';
  /** @type {Indicator[]} */
  const specs = shares ? indicatorsFor('timeline', level).filter((i) => i.kind === 'pct') : [indicator];
  if (!specs.some((s) => s.id === indicator.id)) specs.unshift(indicator);
  /** @type {LineSeries[]} */
  const series = specs.map((spec, i) => ({ id: spec.id, label: indicatorTitle(spec), color: SERIES_COLORS[i % SERIES_COLORS.length], strong: spec.id === indicator.id }));
  /** @type {YearValues[]} */
  const data = years.map((y) => ({
    year: y.year,
    values: Object.fromEntries(specs.map((s) => [s.id, indicatorValue(s, y)])),
    target: y.targets?.[indicator.id]?.target ?? roadmap[indicator.id]?.[String(y.year)] ?? (years.some((z) => z.targets) ? null : targets[indicator.id] ?? null),
  }));
  // The roadmap past the last year measured.
  const last = years.length ? years[years.length - 1].year : year;
  const ahead = Object.keys(roadmap[indicator.id] ?? {}).map(Number).filter((y) => y > last).sort((a, b) => a - b);
  for (let y = last + 1; ahead.length && y <= ahead[ahead.length - 1]; y += 1) {
    const planned = roadmap[indicator.id]?.[String(y)];
    data.push({ year: y, values: {}, target: planned ?? data[data.length - 1]?.target ?? null });
  }
  const highest = Math.max(0, ...data.flatMap((d) => [...Object.values(d.values), d.target].filter((v) => typeof v === 'number')));
  const max = shares ? 100 : niceMax(highest);
  /** @type {(v: number, full?: boolean) => string} */
  const format = shares
    ? (v, full) => (full ? formatPct(v) : formatFixed(roundHalfAway(v, 0), 0))
    : (v, full) => (full ? formatScale(indicator, v) : formatScale(indicator, v, { unit: false }));
  const legend = el('div', { class: 'series-legend' }, series.map((s) =>
    el('span', { class: s.strong ? 'strong' : '', dataset: { key: s.id } }, el('span', { class: 'swatch-line', style: `background:${s.color}` }), s.label)),
  data.some((d) => typeof d.target === 'number')
    ? el('span', { class: 'roadmap-key' }, el('span', { class: 'swatch-line dashed' }), t('chart.roadmap', { indicator: indicatorTitle(indicator) }))
    : null);
  const chart = el('div', { class: 'chart' });
  container.replaceChildren(legend, chart);
  renderLineChart(chart, {
    years: data,
    series,
    max,
    targetLabel: t('chart.target_short'),
    current: year,
    format,
    ariaLabel: t('chart.progress'),
    onPick,
  });
}

