// @ts-check
// The sortable table of units (a commune's groups, a region's communes): one column per
// indicator of the catalogue's `dashboard` output at the units' level, headed by its short
// title and its unit (the full title in the header's tooltip), each cell the figure as the
// CSV and the Excel file write it (indicators.js: the same rounding, the same decimals) with
// its target mark; compared with another date, the change under each figure (percentage
// points for shares). Its headers wrap and its names are short, so that it fits the panel
// at 1024 px without a sideways scroll.

import { el } from './element.js';
import { formatPct } from './format.js';
import { t } from './i18n.js';
import { formatChange, formatShown, indicatorShort, indicatorTitle, indicatorUnit, indicatorValue } from './indicators.js';

/**
 * @import { IndicatorSpec, TargetStatus } from './types.js'
 * @import { SortOrder } from './state.js'
 */

/**
 * A row of the table: a unit and its figures (and its figures at the date compared with).
 * @template {number | string} K
 * @typedef {object} UnitRow
 * @property {K} key the group's id, the commune's code
 * @property {string} code
 * @property {string} name the full name (the row header's tooltip)
 * @property {string} label the name shown
 * @property {object} record the unit's coverage record
 * @property {object | null} then its record at the date compared with
 * @property {Record<string, TargetStatus> | undefined} targets
 */

/**
 * A met / not met mark for an indicator with a target (symbol + text, not colour alone).
 * @param {Record<string, TargetStatus> | undefined} targets
 * @param {string} key
 */
export function metMark(targets, key) {
  const spec = targets?.[key];
  if (!spec || spec.met === null || spec.met === undefined) return null;
  const label = t(spec.met ? 'target.met' : 'target.not_met', { value: targetText(key, spec.target) });
  return el('span', { class: `met ${spec.met ? 'yes' : 'no'}`, title: label, 'aria-label': label, role: 'img' }, spec.met ? '✓' : '✗');
}

/**
 * A target as people read it: a share as `80,0 %`, anything else as its figure.
 * @param {string} _key the indicator
 * @param {number} target in the JSON's units
 */
const targetText = (_key, target) => formatPct(target);

/**
 * The value of a row for sorting by `key` (`name`, or an indicator).
 * @param {UnitRow<number | string>} row
 * @param {string} key
 * @param {IndicatorSpec[]} columns
 * @returns {string | number | null}
 */
function sortValue(row, key, columns) {
  if (key === 'name') return row.label;
  const spec = columns.find((c) => c.id === key);
  return spec ? indicatorValue(spec, row.record) : null;
}

/**
 * The rows in the table's order: `sort.dir` `none` keeps theirs; names sort naturally (TDP 2
 * before TDP 10), figures by value, rows without a value last.
 * @template {number | string} K
 * @param {UnitRow<K>[]} rows
 * @param {SortOrder} sort
 * @param {IndicatorSpec[]} columns
 */
export function sortRows(rows, sort, columns) {
  if (sort.dir === 'none') return [...rows];
  return [...rows].sort((a, b) => {
    const va = sortValue(a, sort.key, columns);
    const vb = sortValue(b, sort.key, columns);
    if (va === null || va === undefined) return 1;
    if (vb === null || vb === undefined) return -1;
    const c = typeof va === 'string' ? va.localeCompare(String(vb), 'vi', { numeric: true }) : va - Number(vb);
    return sort.dir === 'desc' ? -c : c;
  });
}

/**
 * A figure's cell: the figure (no unit, the header says it), its target mark, and with a date
 * compared the change under it.
 * @param {IndicatorSpec} spec
 * @param {object} record
 * @param {object | null} then
 * @param {Record<string, TargetStatus> | undefined} targets
 * @param {'th' | 'td'} tag
 */
function figureCell(spec, record, then, targets, tag = 'td') {
  const value = indicatorValue(spec, record);
  return el(tag, { class: 'num', dataset: { key: spec.id } },
    el('span', { class: 'v' }, formatShown(spec, value, { unit: false })),
    metMark(targets, spec.id),
    then ? el('span', { class: 'delta', dataset: { key: spec.id } }, formatChange(spec, value, indicatorValue(spec, then), { unit: false })) : null);
}

/**
 * The table's parts: the road network's figures (the catalogue's `road` indicators: lengths
 * and shares of the counted roads), then the others (model sites, money): two tables, one under
 * the other, sorted alike, so that every column keeps a readable width in the panel at 1024 px
 * (all of them in one row would not fit it).
 * @param {IndicatorSpec[]} columns
 */
export function tableParts(columns) {
  return [
    { part: 'roads', columns: columns.filter((c) => c.road) },
    { part: 'other', columns: columns.filter((c) => !c.road) },
  ].filter((p) => p.columns.length > 0);
}

/**
 * Renders the table into `container` (in its parts: `tableParts`); returns
 * `{highlight(key)}` for the map's hover.
 * @template {number | string} K
 * @param {Element} container
 * @param {object} table
 * @param {UnitRow<K>[]} table.rows
 * @param {{ name: string, record: object, then: object | null, targets: Record<string, TargetStatus> | undefined }} table.total the foot row
 * @param {IndicatorSpec[]} table.columns
 * @param {SortOrder} table.sort
 * @param {(key: string) => void} table.onSort
 * @param {{ hover: (key: K | null) => void, select: (key: K) => void }} table.linked
 * @param {Record<string, string>} table.captions each part's caption (`roads`, `other`)
 * @param {string} table.nameHeader
 * @param {string | null} [table.compared] the date compared with, dd/mm/yyyy (null: none)
 * @param {boolean} [table.ranked] numbers the rows in the table's order (a ranking)
 * @returns {{ highlight: (key: K | null) => void }}
 */
export function renderUnitTable(container, { rows, total, columns, sort, onSort, linked, captions, nameHeader, compared = null, ranked = false }) {
  const ordered = sortRows(rows, sort, columns);
  /** @type {Map<K, HTMLTableRowElement[]>} */
  const byKey = new Map();
  /** @param {string} key @param {Node | string} label @param {string} tip @param {boolean} num */
  const header = (key, label, tip, num) => {
    const active = key === sort.key && sort.dir !== 'none';
    const ariaSort = active ? (sort.dir === 'desc' ? 'descending' : 'ascending') : 'none';
    return el('th', { scope: 'col', class: num ? 'num' : '', 'aria-sort': ariaSort, dataset: { key }, title: tip },
      el('button', { type: 'button', class: 'sort', onclick: () => onSort(key) },
        label,
        el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'desc' ? '▼' : '▲') : '↕')));
  };
  const tables = tableParts(columns).map(({ part, columns: cols }) => {
    const head = el('tr', {},
      header('name', nameHeader, nameHeader, false),
      cols.map((spec) => {
        const unit = indicatorUnit(spec);
        const tip = unit ? `${indicatorTitle(spec)} (${unit})` : indicatorTitle(spec);
        return header(spec.id, el('span', { class: 'h' }, el('span', { class: 'h-name' }, indicatorShort(spec)), unit ? el('span', { class: 'h-unit' }, unit) : null), tip, true);
      }));
    const body = el('tbody', {}, ordered.map((row, i) => {
      const tr = el('tr', {
        tabindex: part === 'roads' ? '0' : '-1',
        dataset: { key: String(row.key), code: row.code, ...(typeof row.key === 'number' ? { groupId: String(row.key) } : {}) },
        onmouseenter: () => linked.hover(row.key),
        onmouseleave: () => linked.hover(null),
        onfocus: () => linked.hover(row.key),
        onclick: () => linked.select(row.key),
        onkeydown: (/** @type {KeyboardEvent} */ event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            linked.select(row.key);
          }
        },
      },
      el('th', { scope: 'row', title: row.name, dataset: { key: 'name' } }, ranked ? el('span', { class: 'rank' }, `${i + 1}`) : null, el('span', { class: 'v' }, row.label)),
      cols.map((spec) => figureCell(spec, row.record, row.then, row.targets)));
      byKey.set(row.key, [...(byKey.get(row.key) ?? []), tr]);
      return tr;
    }));
    const foot = el('tfoot', {}, el('tr', {},
      el('th', { scope: 'row', dataset: { key: 'name' } }, el('span', { class: 'v' }, total.name)),
      cols.map((spec) => figureCell(spec, total.record, total.then, total.targets))));
    return el('table', { class: `groups-table${compared ? ' comparing' : ''}`, dataset: { part } },
      el('caption', {}, captions[part] ?? ''),
      el('thead', {}, head), body, foot);
  });
  const wrap = el('div', { class: 'table-wrap' }, tables);
  if (compared) container.replaceChildren(el('p', { class: 'table-compared' }, t('compare.caption', { date: compared })), wrap);
  else container.replaceChildren(wrap);
  return {
    highlight(key) {
      for (const [k, trs] of byKey) for (const tr of trs) tr.classList.toggle('active', k === key);
    },
  };
}
