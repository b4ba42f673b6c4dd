// @ts-check
// The panel: the commune's headline numbers, the groups' bar chart and sortable table, the
// progress chart year by year, and a group's page (its numbers and its works).
//
// Everything is built with DOM calls (no innerHTML with data). The panel never fetches by
// itself: main.js hands it the API's answers and the callbacks that link it to the map.

import { errorMessage } from './api.js';
import { formatBillions, formatDate, formatField, formatInteger, formatKm, formatKmValue, formatNumber, formatPct, formatVnd } from './format.js';
import { t, title, termLabel } from './i18n.js';
import { colorFor, formatIndicator, indicatorById, indicatorValue, INDICATORS, targetOf } from './choropleth.js';
import { niceMax, renderBarChart, renderLineChart } from './charts.js';
import { SITE_FIELDS } from './layers.js';

/**
 * @import { Classes, Indicator } from './choropleth.js'
 * @import { LineSeries } from './charts.js'
 * @import { SortOrder } from './state.js'
 * @import { CatalogueLayer, CommuneReport, CoverageReport, CoverageSettings, GroupReport, LayerFeature, Properties, TargetStatus, Timeline } from './types.js'
 */

/** What `el` appends: nodes and texts; null, undefined and false are left out. @typedef {Node | string | null | undefined | false} Child */

/**
 * An element with attributes and children, built with DOM calls (no HTML parsing of data).
 * Attributes: `class`, `dataset` (an object), `on<event>` (a listener), `true` for a boolean
 * attribute; null, undefined and false leave the attribute out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    // Through the CSSOM: the Content Security Policy refuses style attributes.
    else if (key === 'style') node.style.cssText = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};

/**
 * `Tổ dân phố 4` as `TDP 4` where space is tight (the full name stays in a tooltip).
 * @param {string} name
 */
export const shortGroupName = (name) => name.replace(/^Tổ dân phố /, 'TDP ').replace(/^Residential group /, 'RG ');

/** Colours of the three percentage series of the progress chart (Okabe-Ito). @type {Record<string, string>} */
const SERIES_COLORS = { concrete_pct: '#0072b2', hardened_pct: '#009e73', lit_pct: '#e69f00' };

/**
 * A row of the groups table: the commune's total row is a CommuneReport.
 * @typedef {GroupReport | CommuneReport} TableRecord
 */

/**
 * A column of the groups table: how to read the value from a record (to sort), how to show it.
 * @typedef {{ key: string, value: (g: TableRecord) => string | number | null, text: (g: TableRecord) => string, num: boolean, target?: boolean }} Column
 */

/** The table's columns. @type {Column[]} */
const COLUMNS = [
  { key: 'name', value: (g) => g.name, text: (g) => shortGroupName(g.name), num: false },
  { key: 'road_m', value: (g) => g.road_m, text: (g) => formatKmValue(g.road_m), num: true },
  { key: 'concrete_pct', value: (g) => g.concrete_pct, text: (g) => formatPct(g.concrete_pct), num: true, target: true },
  { key: 'hardened_pct', value: (g) => g.hardened_pct, text: (g) => formatPct(g.hardened_pct), num: true, target: true },
  { key: 'lit_pct', value: (g) => g.lit_pct, text: (g) => formatPct(g.lit_pct), num: true, target: true },
  { key: 'model_sites', value: (g) => g.model_sites?.total ?? 0, text: (g) => formatInteger(g.model_sites?.total ?? 0), num: true },
  { key: 'people_vnd', value: (g) => g.people_vnd, text: (g) => formatBillions(g.people_vnd, '').trim(), num: true },
];

/**
 * A met / not met mark for an indicator with a target (symbol + text, not colour alone).
 * @param {Record<string, TargetStatus> | undefined} targets
 * @param {string} key
 */
function metMark(targets, key) {
  const spec = targets?.[key];
  if (!spec || spec.met === null || spec.met === undefined) return null;
  const label = spec.met ? t('target.met', { value: formatPct(spec.target) }) : t('target.not_met', { value: formatPct(spec.target) });
  return el('span', { class: `met ${spec.met ? 'yes' : 'no'}`, title: label, 'aria-label': label, role: 'img' }, spec.met ? '✓' : '✗');
}

/**
 * A headline card: label, big value, optional sub-line and target mark.
 * @param {string} key
 * @param {string} label
 * @param {string} value
 * @param {string | null} [sub]
 * @param {HTMLElement | null} [mark]
 * @param {string} [extraClass]
 */
function card(key, label, value, sub = null, mark = null, extraClass = '') {
  return el('div', { class: `card ${extraClass}`, dataset: { key } },
    el('div', { class: 'card-label' }, label),
    el('div', { class: 'card-value' }, el('span', { class: 'v' }, value), mark),
    sub ? el('div', { class: 'card-sub' }, sub) : null);
}

/**
 * The headline numbers of a coverage record (the commune or a group).
 * @param {CommuneReport | GroupReport} record
 * @param {CoverageSettings} settings
 * @param {CatalogueLayer[]} catalogue
 */
export function headline(record, settings, catalogue) {
  /** @type {Record<string, TargetStatus>} */
  const targets = record.targets ?? {};
  /** @param {string} key */
  const targetSub = (key) => {
    const spec = targets[key];
    if (!spec) return null;
    return spec.met ? t('target.met', { value: formatPct(spec.target) }) : t('target.not_met', { value: formatPct(spec.target) });
  };
  const hasRoads = typeof record.concrete_pct === 'number';
  const main = el('div', { class: 'headline-main', dataset: { key: 'concrete' } },
    el('div', { class: 'card-label' }, t('headline.concrete')),
    el('div', { class: 'headline-line' },
      el('span', { class: 'v', dataset: { key: 'concrete_km' } }, hasRoads ? `${formatKm(record.concrete_m)} / ${formatKm(record.road_m)}` : t('legend.no_roads')),
      el('span', { class: 'headline-unit' }, hasRoads ? ` ${t('headline.concrete_roads')} · ` : ''),
      el('strong', { class: 'v headline-pct', dataset: { key: 'concrete_pct' } }, hasRoads ? formatPct(record.concrete_pct) : ''),
      metMark(targets, 'concrete_pct')),
    hasRoads ? el('div', { class: 'progress', role: 'presentation' },
      el('div', { class: 'progress-fill', style: `width:${Math.min(100, record.concrete_pct ?? 0)}%` }),
      targets.concrete_pct ? el('div', { class: 'progress-target', style: `left:${targets.concrete_pct.target}%`, title: targetSub('concrete_pct') }) : null) : null,
    targets.concrete_pct ? el('div', { class: 'card-sub' }, targetSub('concrete_pct')) : null);

  const fieldTerms = catalogue.find((l) => l.id === 'model_sites')?.fields.find((f) => f.name === 'field')?.values ?? [];
  const byField = record.model_sites?.by_field ?? {};
  const fieldChips = el('div', { class: 'chips' }, fieldTerms.filter((term) => byField[term.value]).map((term) =>
    el('span', { class: 'chip', title: termLabel(term) },
      el('span', { class: 'dot', style: `background:${SITE_FIELDS[term.value] ?? '#888'}` }),
      `${termLabel(term)} ${formatInteger(byField[term.value])}`)));

  /** @param {string} id */
  const label = (id) => t(`indicator.${id}`).replace(/\s*\([^)]*\)$/, '');
  const grid = el('div', { class: 'cards' },
    card('hardened_pct', label('hardened_pct'), formatPct(record.hardened_pct), targetSub('hardened_pct'), metMark(targets, 'hardened_pct')),
    card('lit_pct', label('lit_pct'), formatPct(record.lit_pct), targetSub('lit_pct'), metMark(targets, 'lit_pct')),
    card('flower_m', label('flower_m'), formatKm(record.flower_m)),
    card('workdays', t('headline.workdays'), formatNumber(record.workdays ?? 0)),
    card('model_sites', label('model_sites'), formatInteger(record.model_sites?.total ?? 0), null, null, 'wide sites'),
    card('people_vnd', t('headline.people_vnd'), formatVnd(record.people_vnd ?? 0), t('headline.state_vnd', { value: formatVnd(record.state_vnd ?? 0) }), null, 'wide'));
  grid.querySelector('[data-key="model_sites"] .card-value')?.append(fieldChips);
  return el('section', { class: 'headline', 'aria-label': t('headline.heading') }, main, grid);
}

/** The works of one layer in a group, for its page. @typedef {{ layer: CatalogueLayer, features: LayerFeature[] }} GroupWorks */

/**
 * How the panel's chart and table link to the map: a group hovered, a group selected.
 * @typedef {{ hover: (id: number | null) => void, select: (id: number) => void }} Linked
 */

/**
 * The groups' bar chart of the chosen indicator, coloured by class, with the target line.
 * @param {Element} container
 * @param {{ coverage: CoverageReport, indicator: Indicator, classes: Classes, linked: Linked }} chart
 */
function barChart(container, { coverage, indicator, classes, linked }) {
  const target = targetOf(indicator, coverage.settings);
  const rows = coverage.groups.map((g) => {
    const value = indicatorValue(indicator, g);
    return {
      id: g.id,
      name: shortGroupName(g.name),
      value,
      color: colorFor(classes, value),
      label: value === null ? t('legend.no_roads') : formatIndicator(indicator, value, { short: true }),
    };
  }).sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  const max = indicator.kind === 'pct' ? 100 : niceMax(Math.max(...rows.map((r) => r.value ?? 0)));
  return renderBarChart(container, {
    rows,
    max,
    target,
    targetLabel: target !== null ? t('legend.target', { value: formatPct(target) }) : '',
    ariaLabel: t('chart.bars', { indicator: t(`indicator.${indicator.id}`) }),
    onHover: linked.hover,
    onClick: linked.select,
  });
}

/**
 * The sortable table of groups; returns `{highlight(id)}`.
 * @param {Element} container
 * @param {{ coverage: CoverageReport, sort: SortOrder, onSort: (key: string) => void, linked: Linked }} table
 */
function groupTable(container, { coverage, sort, onSort, linked }) {
  const col = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
  const rows = [...coverage.groups];
  if (sort.key !== 'name' || sort.dir !== 'none') {
    rows.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      if (va === null || va === undefined) return 1;
      if (vb === null || vb === undefined) return -1;
      const c = typeof va === 'string' ? va.localeCompare(String(vb), 'vi', { numeric: true }) : va - Number(vb);
      return sort.dir === 'desc' ? -c : c;
    });
  }
  const head = el('tr', {}, COLUMNS.map((c) => {
    const active = c.key === sort.key;
    const ariaSort = active ? (sort.dir === 'desc' ? 'descending' : 'ascending') : 'none';
    return el('th', { scope: 'col', class: c.num ? 'num' : '', 'aria-sort': ariaSort, dataset: { key: c.key } },
      el('button', { type: 'button', class: 'sort', onclick: () => onSort(c.key) },
        t(`table.${c.key}`),
        el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (sort.dir === 'desc' ? '▼' : '▲') : '↕')));
  }));
  /** @type {Map<number, HTMLTableRowElement>} */
  const byId = new Map();
  const body = el('tbody', {}, rows.map((g) => {
    const tr = el('tr', {
      tabindex: '0',
      dataset: { groupId: String(g.id), code: g.code },
      onmouseenter: () => linked.hover(g.id),
      onmouseleave: () => linked.hover(null),
      onfocus: () => linked.hover(g.id),
      onclick: () => linked.select(g.id),
      onkeydown: (/** @type {KeyboardEvent} */ event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          linked.select(g.id);
        }
      },
    }, COLUMNS.map((c) => el(c.key === 'name' ? 'th' : 'td', { class: c.num ? 'num' : '', scope: c.key === 'name' ? 'row' : null, title: c.key === 'name' ? g.name : null, dataset: { key: c.key } },
      el('span', { class: 'v' }, c.text(g)), c.target ? metMark(g.targets, c.key) : null)));
    byId.set(g.id, tr);
    return tr;
  }));
  const total = coverage.commune;
  const foot = el('tfoot', {}, el('tr', {}, COLUMNS.map((c) => el(c.key === 'name' ? 'th' : 'td', { class: c.num ? 'num' : '', scope: c.key === 'name' ? 'row' : null, dataset: { key: c.key } },
    el('span', { class: 'v' }, c.key === 'name' ? t('table.total') : c.text(total)), c.target ? metMark(total.targets, c.key) : null))));
  const table = el('table', { class: 'groups-table' },
    el('caption', { class: 'sr-only' }, t('table.caption')),
    el('thead', {}, head), body, foot);
  container.replaceChildren(el('div', { class: 'table-wrap' }, table));
  return {
    /** @param {number | null} id */
    highlight(id) {
      for (const [key, tr] of byId) tr.classList.toggle('active', key === id);
    },
  };
}

/**
 * The progress chart: the commune's percentages (or the chosen amount) year by year.
 * @param {Element} container
 * @param {{ timeline: Timeline, indicator: Indicator, coverage: CoverageReport, year: number, onPick: (year: number) => void }} chart
 */
function progressChart(container, { timeline, indicator, coverage, year, onPick }) {
  const years = timeline.years;
  /** @type {LineSeries[]} */
  let series;
  let max;
  /** @type {(v: number, full?: boolean) => string} */
  let format;
  /** @type {number | null} */
  let target = null;
  if (indicator.kind === 'pct') {
    series = ['concrete_pct', 'hardened_pct', 'lit_pct'].map((id) => ({ id, label: t(`indicator.${id}`), color: SERIES_COLORS[id], strong: id === indicator.id }));
    max = 100;
    format = (v, full) => (full ? formatPct(v) : formatInteger(v));
    target = targetOf(indicator, coverage.settings);
  } else {
    series = [{ id: indicator.id, label: t(`indicator.${indicator.id}`), color: '#2c7fb8', strong: true }];
    const values = years.map((y) => indicatorValue(indicator, y) ?? 0);
    max = niceMax(Math.max(...values) * (indicator.kind === 'length' ? 1 : 1));
    format = (v, full) => (full ? formatIndicator(indicator, v, { short: true })
      : indicator.kind === 'length' ? formatKmValue(v) : indicator.kind === 'money' ? formatBillions(v, '').trim() : formatInteger(v));
  }
  const data = years.map((y) => ({ year: y.year, values: Object.fromEntries(series.map((s) => [s.id, indicatorValue(indicatorById(s.id), y)])) }));
  const legend = el('div', { class: 'series-legend' }, series.map((s) =>
    el('span', { class: s.strong ? 'strong' : '' }, el('span', { class: 'swatch-line', style: `background:${s.color}` }), s.label)));
  const chart = el('div', { class: 'chart' });
  container.replaceChildren(legend, chart);
  renderLineChart(chart, {
    years: data,
    series,
    max,
    target,
    targetLabel: target !== null ? t('legend.target', { value: formatPct(target) }) : '',
    current: year,
    format,
    ariaLabel: t('chart.progress'),
    onPick,
  });
}

/**
 * Renders the overview (the commune) into `root`. Returns the linkers `{highlight(id)}` that
 * the map calls on hover.
 * @param {HTMLElement} root
 * @param {object} overview
 * @param {CoverageReport} overview.coverage
 * @param {Timeline | null} overview.timeline null until it has come
 * @param {Indicator} overview.indicator
 * @param {Classes} overview.classes
 * @param {SortOrder} overview.sort
 * @param {number} overview.year the year shown (marked on the progress chart)
 * @param {CatalogueLayer[]} overview.catalogue
 * @param {string} overview.csvUrl
 * @param {string | null} overview.xlsxUrl
 * @param {Linked} overview.linked
 * @param {(key: string) => void} overview.onSort
 * @param {(year: number) => void} overview.onPickYear
 * @param {(id: string) => void} overview.onIndicator
 * @returns {{ highlight: (id: number | null) => void }}
 */
export function renderOverview(root, { coverage, timeline, indicator, classes, sort, year, catalogue, csvUrl, xlsxUrl, linked, onSort, onPickYear, onIndicator }) {
  const commune = coverage.commune;
  const bars = el('div', { class: 'bars' });
  const table = el('div', { class: 'table' });
  const progress = el('div', { class: 'progress-chart' });
  const indicatorSelect = el('select', { id: 'panel-indicator', 'aria-label': t('legend.color_by'), onchange: (/** @type {Event} */ e) => onIndicator(/** @type {HTMLSelectElement} */ (e.target).value) },
    INDICATORS.map((i) => el('option', { value: i.id, selected: i.id === indicator.id }, t(`indicator.${i.id}`))));
  root.replaceChildren(
    el('header', { class: 'panel-head' },
      el('div', { class: 'kicker' }, t('panel.overview')),
      el('h2', {}, commune.name),
      el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(coverage.as_of) }), ' · ',
        t('panel.households', { households: formatInteger(commune.households ?? 0), population: formatInteger(commune.population ?? 0) }))),
    headline(commune, coverage.settings, catalogue),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.by_group')), indicatorSelect),
      bars),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.table')),
        el('span', { class: 'downloads' },
          el('a', { class: 'csv', href: csvUrl, download: '', title: t('panel.csv_title') }, t('panel.csv')),
          xlsxUrl ? el('a', { class: 'csv xlsx', href: xlsxUrl, download: '', title: t('panel.xlsx_title') }, t('panel.xlsx')) : null)),
      table),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.progress'))),
      progress,
      el('p', { class: 'hint' }, t('panel.progress_hint'))),
  );
  const barLink = barChart(bars, { coverage, indicator, classes, linked });
  const tableLink = groupTable(table, { coverage, sort, onSort, linked });
  if (timeline) progressChart(progress, { timeline, indicator, coverage, year, onPick: onPickYear });
  return {
    /** @param {number | null} id */
    highlight(id) {
      barLink.highlight(id);
      tableLink.highlight(id);
    },
  };
}

/** The attributes a work's summary shows, by layer. @type {Record<string, string[]>} */
const SUMMARY_FIELDS = {
  roads: ['surface', 'class', 'paved_on'],
  flower_routes: ['species', 'trees'],
  lighting_lines: ['power', 'lamps'],
  model_sites: ['field', 'recognition', 'year'],
};

/**
 * A work's one-line summary from its main attributes.
 * @param {CatalogueLayer} layer
 * @param {Properties} props
 */
function summary(layer, props) {
  /** @param {string} name */
  const byName = (name) => layer.fields.find((f) => f.name === name);
  /** @param {string} name */
  const show = (name) => {
    const field = byName(name);
    return field ? formatField(field, props[name], termLabel) : null;
  };
  const parts = SUMMARY_FIELDS[layer.id] ?? [];
  const texts = parts.map((name) => {
    const text = show(name);
    if (text === null) return null;
    if (name === 'trees') return t('works.trees', { n: text });
    if (name === 'lamps') return t('works.lamps', { n: text });
    if (name === 'paved_on') return t('works.paved_on', { date: text });
    return text;
  }).filter(Boolean);
  if (typeof props.people_vnd === 'number' && props.people_vnd > 0) texts.push(t('works.people', { value: formatVnd(props.people_vnd) }));
  return texts.join(' · ');
}

/**
 * The attribute list of a work (all catalogue fields with a value).
 * @param {CatalogueLayer} layer
 * @param {Properties} props
 */
function attributes(layer, props) {
  const dl = el('dl', { class: 'attrs' });
  for (const field of layer.fields) {
    if (field.name === 'name') continue;
    const text = formatField(field, props[field.name], termLabel);
    if (text === null) continue;
    dl.append(el('dt', {}, title(field.title)), el('dd', {}, text));
  }
  return dl;
}

/**
 * Renders a group's page: its numbers and, once `works` resolves, its works by layer.
 * `works` is a promise of `[{layer, features}]`; `onBack()` returns to the overview,
 * `onWork(feature)` zooms the map to a work. Returns the page's heading (to focus).
 * @param {HTMLElement} root
 * @param {object} page
 * @param {GroupReport} page.group
 * @param {CoverageReport} page.coverage
 * @param {CatalogueLayer[]} page.catalogue
 * @param {Promise<GroupWorks[]>} page.works
 * @param {() => void} page.onBack
 * @param {(feature: LayerFeature) => void} page.onWork
 * @returns {HTMLElement | null}
 */
export function renderGroupPage(root, { group, coverage, catalogue, works, onBack, onWork }) {
  const kind = catalogue.find((l) => l.id === 'groups')?.fields.find((f) => f.name === 'kind')?.values?.find((v) => v.value === group.kind);
  const list = el('div', { class: 'works', 'aria-busy': 'true' }, el('p', { class: 'hint' }, t('app.loading_short')));
  const back = el('button', { type: 'button', class: 'back', onclick: onBack }, el('span', { 'aria-hidden': 'true' }, '←'), ' ', t('group.back', { commune: coverage.commune.name }));
  root.replaceChildren(
    el('header', { class: 'panel-head' },
      back,
      el('div', { class: 'kicker' }, kind ? termLabel(kind) : t('group.kicker')),
      el('h2', { tabindex: '-1' }, group.name),
      el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(coverage.as_of) }), ' · ',
        t('panel.households', { households: formatInteger(group.households ?? 0), population: formatInteger(group.population ?? 0) }))),
    headline(group, coverage.settings, catalogue),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('group.works'))),
      list));
  works.then((layers) => {
    list.removeAttribute('aria-busy');
    const sections = layers.map(({ layer, features }) => {
      const items = features.map((f) => {
        const props = f.properties ?? {};
        const details = el('details', { class: 'work' },
          el('summary', {},
            el('span', { class: 'work-name' }, String(props.name || t('popup.unnamed'))),
            el('span', { class: 'work-sub' }, summary(layer, props))),
          attributes(layer, props));
        details.addEventListener('toggle', () => {
          if (details.open) onWork(f);
        });
        return el('li', {}, details);
      });
      return el('section', { class: 'works-layer', dataset: { layer: layer.id } },
        el('h4', {}, title(layer.title), el('span', { class: 'count' }, formatInteger(features.length))),
        items.length ? el('ul', {}, items) : el('p', { class: 'hint' }, t('group.no_works')));
    });
    list.replaceChildren(...sections);
  }).catch((error) => {
    list.replaceChildren(el('p', { class: 'hint error-text' }, errorMessage(error)));
  });
  return root.querySelector('h2');
}
