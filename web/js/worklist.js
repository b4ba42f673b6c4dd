// @ts-check
// "Danh mục công việc": next year's work list in the panel (GET /api/worklist): the km left to
// concrete, the estimated cost and the people's expected share, for the commune and per
// group, each group opening to its roads (name, class, surface, length, width, cost), with
// the list's CSV and Excel downloads. The lengths are the catalogue's `left_m` figure (the
// same as the coverage table's "Còn lại"); money is the catalogue's `people_vnd` unit.

import { el } from './element.js';
import { formatDate, formatFixed, roundHalfAway } from './format.js';
import { t, termLabel } from './i18n.js';
import { findIndicator, formatShown, indicatorTitle } from './indicators.js';

/** @import { CatalogueLayer, GroupWork, IndicatorSpec, WorkItem, WorkList } from './types.js' */

/**
 * The indicators the list's figures are written as: the length left, and money.
 * @returns {{ left: IndicatorSpec | undefined, money: IndicatorSpec | undefined }}
 */
const specs = () => ({ left: findIndicator('left_m'), money: findIndicator('people_vnd') });

/**
 * A length in metres as the catalogue writes `left_m` (km), else in metres.
 * @param {number} m
 */
function km(m) {
  const { left } = specs();
  return left ? formatShown(left, m) : `${formatFixed(roundHalfAway(m, 0), 0)}\u00a0m`;
}

/**
 * Đồng as the catalogue writes money; `unit: false` in columns whose header says it.
 * @param {number} vnd
 * @param {{ unit?: boolean }} [options]
 */
function money(vnd, { unit = true } = {}) {
  const { money: spec } = specs();
  return spec ? formatShown(spec, vnd, { unit }) : formatFixed(vnd, 0);
}

/**
 * The label of a road field's value (class, surface), from the catalogue.
 * @param {CatalogueLayer | undefined} roads
 * @param {string} field
 * @param {string} value
 */
function label(roads, field, value) {
  const term = roads?.fields.find((f) => f.name === field)?.values?.find((v) => v.value === value);
  return term ? termLabel(term) : value;
}

/**
 * A group's roads, as a small table.
 * @param {WorkItem[]} roads
 * @param {CatalogueLayer | undefined} layer the roads' catalogue layer
 */
function roadTable(roads, layer) {
  return el('table', { class: 'worklist-roads' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, t('worklist.road')),
      el('th', { scope: 'col', class: 'num' }, t('worklist.length_m')),
      el('th', { scope: 'col', class: 'num' }, t('worklist.width_m')),
      el('th', { scope: 'col', class: 'num' }, t('worklist.cost')))),
    el('tbody', {}, roads.map((r) => el('tr', { dataset: { road: String(r.road_id) } },
      el('th', { scope: 'row' },
        el('span', { class: 'road-name' }, r.name || t('popup.unnamed')),
        el('span', { class: 'road-sub' }, `${label(layer, 'class', r.class)} · ${label(layer, 'surface', r.surface)}`)),
      el('td', { class: 'num' }, formatFixed(roundHalfAway(r.length_m, 0), 0)),
      el('td', { class: 'num', title: r.width_assumed ? t('worklist.width_assumed') : null }, `${formatFixed(roundHalfAway(r.width_m, 1), 1)}${r.width_assumed ? '*' : ''}`),
      el('td', { class: 'num' }, money(r.cost_vnd, { unit: false }))))));
}

/**
 * One group's line: its name, km left, cost and people's share; opens to its roads.
 * @param {GroupWork} group
 * @param {CatalogueLayer | undefined} roads
 */
function groupItem(group, roads) {
  return el('details', { class: 'worklist-group', dataset: { code: group.code ?? '' } },
    el('summary', {},
      el('span', { class: 'wl-name' }, group.name ?? t('worklist.outside')),
      el('span', { class: 'wl-left', dataset: { key: 'left_m' } }, km(group.left_m)),
      el('span', { class: 'wl-cost' }, money(group.cost_vnd, { unit: false }))),
    group.roads.length ? roadTable(group.roads, roads) : el('p', { class: 'hint' }, t('worklist.none')));
}

/**
 * Renders the work list into `root`: its totals, its basis, the downloads, and per group the
 * km left and the cost (groups with nothing left are listed last, closed).
 * @param {HTMLElement} root
 * @param {{ list: WorkList, catalogue: CatalogueLayer[], csvUrl: string, xlsxUrl: string }} view
 */
export function renderWorklist(root, { list, catalogue, csvUrl, xlsxUrl }) {
  // The layer the listed roads are from: the work layer with their class and surface.
  const roads = catalogue.find((l) => l.role === 'work' && ['class', 'surface'].every((n) => l.fields.some((f) => f.name === n)));
  const { left, money: moneySpec } = specs();
  const groups = [...list.groups].sort((a, b) => b.left_m - a.left_m);
  const surface = label(roads, 'surface', list.basis.target_surface).toLocaleLowerCase(document.documentElement.lang || 'vi');
  root.replaceChildren(
    el('header', { class: 'panel-head' },
      el('div', { class: 'kicker' }, t('worklist.kicker')),
      el('h2', {}, t('worklist.title')),
      el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(list.as_of) }))),
    el('section', { class: 'headline' },
      el('div', { class: 'cards' },
        el('div', { class: 'card', dataset: { key: 'left_m' } },
          el('div', { class: 'card-label' }, left ? indicatorTitle(left) : t('worklist.left')),
          el('div', { class: 'card-value' }, el('span', { class: 'v' }, km(list.left_m)))),
        el('div', { class: 'card wide', dataset: { key: 'cost_vnd' } },
          el('div', { class: 'card-label' }, t('worklist.cost_total')),
          el('div', { class: 'card-value' }, el('span', { class: 'v' }, money(list.cost_vnd)))),
        el('div', { class: 'card wide', dataset: { key: 'people_vnd' } },
          el('div', { class: 'card-label' }, moneySpec ? t('worklist.people_of', { share: formatFixed(roundHalfAway(list.basis.people_share_pct, 0), 0) }) : ''),
          el('div', { class: 'card-value' }, el('span', { class: 'v' }, money(list.people_vnd)))))),
    el('p', { class: 'hint worklist-basis' }, t('worklist.basis', {
      surface,
      cost: money(list.basis.unit_cost_vnd_m2),
      width: formatFixed(roundHalfAway(list.basis.default_width_m, 1), 1),
    })),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('worklist.by_group')),
        el('span', { class: 'downloads' },
          el('a', { class: 'csv worklist-csv', href: csvUrl, download: '', title: t('worklist.csv_title') }, t('panel.csv')),
          el('a', { class: 'csv xlsx worklist-xlsx', href: xlsxUrl, download: '', title: t('worklist.xlsx_title') }, t('panel.xlsx')))),
      el('div', { class: 'worklist-head', 'aria-hidden': 'true' },
        el('span', {}, t('table.name')), el('span', {}, t('worklist.left_km')), el('span', {}, t('worklist.cost'))),
      el('div', { class: 'worklist-groups' }, groups.map((g) => groupItem(g, roads)))),
  );
}
