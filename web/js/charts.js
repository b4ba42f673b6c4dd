// @ts-check
// Two small hand-written SVG charts: the units' bars for one indicator (with the target line,
// or each unit's own target) and the progress year by year (with the target of each year: the
// roadmap). No chart library; sizes are in viewBox units and the SVG scales to the panel's
// width.

const NS = 'http://www.w3.org/2000/svg';

/**
 * A bar of the units' chart: the unit, its value (null: no bar, a dash), colour and label, and
 * its own target (a tick on its bar) when the units' targets differ.
 * @typedef {{ id: number | string, name: string, value: number | null, color: string, label: string, target?: number | null }} BarRow
 */

/** A line of the progress chart. @typedef {{ id: string, label: string, color: string, strong: boolean }} LineSeries */

/**
 * A year of the progress chart: each series' value, and the target in force that year (the
 * roadmap; null: none). Years after the last one measured carry targets only.
 * @typedef {{ year: number, values: Record<string, number | null>, target?: number | null }} YearValues
 */

/**
 * An SVG element with attributes (null and undefined left out) and text.
 * @param {string} name
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {string} [text]
 */
function node(name, attrs = {}, text) {
  const el = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A "nice" maximum for an axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`.
 * @param {number} value
 */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p;
  return 10 * p;
}

/**
 * Horizontal bars, one per group: `rows = [{id, name, value, color, label}]` (value null: no
 * bar, a dash), `max` the axis maximum, `target` a vertical line (or null; rows may carry
 * their own `target`, a tick on their bar). `onHover(id|null)`, `onClick(id)` link the bars to
 * the map; returns `{highlight(id)}`.
 * @template {number | string} K
 * @param {Element} container
 * @param {{ rows: (BarRow & { id: K })[], max: number, target?: number | null, targetLabel?: string, ariaLabel?: string, onHover?: (id: K | null) => void, onClick?: (id: K) => void }} chart
 * @returns {{ highlight: (id: K | null) => void }}
 */
export function renderBarChart(container, { rows, max, target = null, targetLabel = '', ariaLabel = '', onHover, onClick }) {
  const width = 400;
  const rowH = 21;
  const top = target !== null ? 18 : 6;
  // Room for the longest name (about 6 units a letter at the names' size), within reason.
  const left = Math.max(64, Math.min(170, 12 + 6.2 * Math.max(0, ...rows.map((r) => r.name.length))));
  const right = 64;
  const height = top + rows.length * rowH + 6;
  /** @param {number} v */
  const scale = (v) => left + (Math.max(0, v) / max) * (width - left - right);
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'bar-chart', role: 'img', 'aria-label': ariaLabel });
  const bars = new Map();
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const g = node('g', { class: 'bar-row', 'data-id': row.id });
    g.append(node('rect', { x: 0, y, width, height: rowH, class: 'bar-hit' }));
    g.append(node('text', { x: left - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'bar-name' }, row.name));
    if (row.value !== null) {
      g.append(node('rect', { x: left, y: y + 3, width: Math.max(1, scale(row.value) - left), height: rowH - 6, rx: 2, fill: row.color, class: 'bar' }));
      g.append(node('text', { x: scale(row.value) + 5, y: y + rowH / 2 + 4, class: 'bar-value' }, row.label));
    } else {
      g.append(node('text', { x: left + 4, y: y + rowH / 2 + 4, class: 'bar-value muted' }, row.label));
    }
    if (typeof row.target === 'number') {
      const tx = scale(row.target);
      g.append(node('line', { x1: tx, x2: tx, y1: y + 1, y2: y + rowH - 1, class: 'target-tick' }));
    }
    g.addEventListener('mouseenter', () => onHover?.(row.id));
    g.addEventListener('mouseleave', () => onHover?.(null));
    g.addEventListener('click', () => onClick?.(row.id));
    bars.set(row.id, g);
    svg.append(g);
  });
  svg.append(node('line', { x1: left, x2: left, y1: top - 2, y2: height - 4, class: 'axis' }));
  if (target !== null) {
    const x = scale(target);
    svg.append(node('line', { x1: x, x2: x, y1: top - 4, y2: height - 4, class: 'target-line' }));
    svg.append(node('text', { x, y: top - 7, 'text-anchor': x > width - 80 ? 'end' : 'middle', class: 'target-text' }, targetLabel));
  }
  container.replaceChildren(svg);
  return {
    highlight(id) {
      for (const [key, g] of bars) g.classList.toggle('active', key === id);
    },
  };
}

/**
 * Lines year by year: `years = [{year, values: {seriesId: number|null}, target}]`, `series =
 * [{id, label, color, strong}]`, `max` the axis maximum, `current` the year marked,
 * `format(v)` the axis labels, `onPick(year)` when a year is clicked. The years' targets are
 * drawn as a dashed line: straight when one target holds every year, a step from year to
 * year when the roadmap changes it (each year's target marked), labelled `targetLabel`.
 * @param {Element} container
 * @param {{ years: YearValues[], series: LineSeries[], max: number, targetLabel?: string, current?: number | null, format: (value: number, full?: boolean) => string, ariaLabel?: string, onPick?: (year: number) => void }} chart
 */
export function renderLineChart(container, { years, series, max, targetLabel = '', current = null, format, ariaLabel = '', onPick }) {
  const width = 400;
  const height = 190;
  const m = { top: 14, right: 14, bottom: 24, left: 44 };
  const n = years.length;
  /** @param {number} i */
  const x = (i) => m.left + (n <= 1 ? 0 : (i / (n - 1)) * (width - m.left - m.right));
  /** @param {number} v */
  const y = (v) => height - m.bottom - (Math.max(0, v) / max) * (height - m.top - m.bottom);
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'line-chart', role: 'img', 'aria-label': ariaLabel });

  for (let k = 0; k <= 4; k += 1) {
    const v = (max * k) / 4;
    svg.append(node('line', { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), class: k === 0 ? 'axis' : 'grid' }));
    svg.append(node('text', { x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, format(v)));
  }
  const step = n > 12 ? 3 : n > 6 ? 2 : 1;
  years.forEach((d, i) => {
    if ((n - 1 - i) % step === 0) svg.append(node('text', { x: x(i), y: height - 7, 'text-anchor': 'middle', class: 'tick' }, String(d.year)));
  });
  const targets = years.map((d, i) => ({ i, target: d.target })).filter((d) => typeof d.target === 'number');
  const distinct = new Set(targets.map((d) => d.target));
  if (targets.length > 0 && distinct.size === 1 && targets.length === n) {
    const target = /** @type {number} */ (targets[0].target);
    svg.append(node('line', { x1: m.left, x2: width - m.right, y1: y(target), y2: y(target), class: 'target-line dashed' }));
    svg.append(node('text', { x: m.left + 4, y: y(target) - 4, class: 'target-text' }, targetLabel));
  } else if (targets.length > 0) {
    // The roadmap: each year's target held until the next year, as a step.
    const half = n <= 1 ? 0 : (width - m.left - m.right) / (n - 1) / 2;
    const path = targets.map((d, k) => {
      const ty = y(/** @type {number} */ (d.target)).toFixed(1);
      const x0 = Math.max(m.left, x(d.i) - half).toFixed(1);
      const x1 = Math.min(width - m.right, x(d.i) + half).toFixed(1);
      return `${k ? 'L' : 'M'}${x0},${ty}L${x1},${ty}`;
    }).join('');
    svg.append(node('path', { d: path, fill: 'none', class: 'target-line dashed roadmap' }));
    for (const d of targets) {
      const dot = node('rect', { x: x(d.i) - 3, y: y(/** @type {number} */ (d.target)) - 3, width: 6, height: 6, class: 'roadmap-mark', transform: `rotate(45 ${x(d.i)} ${y(/** @type {number} */ (d.target))})`, 'data-year': years[d.i].year });
      dot.append(node('title', {}, `${years[d.i].year}: ${format(/** @type {number} */ (d.target), true)}`));
      svg.append(dot);
    }
    const last = targets[targets.length - 1];
    svg.append(node('text', { x: Math.min(x(last.i), width - m.right) , y: y(/** @type {number} */ (last.target)) - 6, 'text-anchor': 'end', class: 'target-text' }, targetLabel));
  }
  const ci = years.findIndex((d) => d.year === current);
  if (ci >= 0) svg.append(node('line', { x1: x(ci), x2: x(ci), y1: m.top - 6, y2: height - m.bottom, class: 'current-line' }));

  for (const s of series) {
    /** @type {[number, number][]} */
    const pts = [];
    years.forEach((d, i) => {
      const v = d.values[s.id];
      if (typeof v === 'number') pts.push([x(i), v]);
    });
    if (pts.length === 0) continue;
    const path = pts.map(([px, v], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${y(v).toFixed(1)}`).join('');
    svg.append(node('path', { d: path, fill: 'none', stroke: s.color, 'stroke-width': s.strong ? 2.8 : 1.6, 'stroke-opacity': s.strong ? 1 : 0.75, 'stroke-linejoin': 'round' }));
    const shown = ci >= 0 ? years[ci].values[s.id] : null;
    if (typeof shown === 'number') {
      svg.append(node('circle', { cx: x(ci), cy: y(shown), r: s.strong ? 4 : 3, fill: s.color, stroke: '#fff', 'stroke-width': 1.5 }));
    }
  }
  // Click targets, one column per year.
  years.forEach((d, i) => {
    const half = n <= 1 ? 10 : (width - m.left - m.right) / (n - 1) / 2;
    const hit = node('rect', { x: x(i) - half, y: m.top, width: 2 * half, height: height - m.top - m.bottom, class: 'year-hit' });
    /** @param {number | null} v */
    const text = (v) => (typeof v === 'number' ? format(v, true) : '–');
    const targetNote = typeof d.target === 'number' ? ` · ${targetLabel} ${format(d.target, true)}` : '';
    const title = node('title', {}, `${d.year}: ${series.map((s) => `${s.label} ${text(d.values[s.id])}`).join(' · ')}${targetNote}`);
    hit.append(title);
    hit.addEventListener('click', () => onPick?.(d.year));
    svg.append(hit);
  });
  container.replaceChildren(svg);
}
