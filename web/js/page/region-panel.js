// @ts-check
// The panel of a region's page: its totals (sums of its communes' own figures, the shares of
// those sums), the model sites by field and by recognition, the share of communes with a
// model and, per target, how many communes meet it; the communes' bars against their
// target; the ranking table (the catalogue's dashboard figures of a commune, sortable,
// ranked, comparable with another date) with its CSV and Excel downloads; the region's
// progress year by year. A commune's row, bar or name opens the commune's page.

import { coverageTableUrl } from '../api.js';
import { choroplethIndicator } from '../choropleth.js';
import { compareSelect, fieldChips, headline, households, indicatorSelect } from '../dashboard.js';
import { required } from '../dom.js';
import { el } from '../element.js';
import { formatDate, formatInteger, formatPct } from '../format.js';
import { lang, t, termLabel } from '../i18n.js';
import { findIndicator, formatShown, indicatorsFor, indicatorTitle, indicatorValue } from '../indicators.js';
import { getState, loadedRegion, update } from '../state.js';
import { barChart, progressChart } from '../unit-charts.js';
import { renderUnitTable } from '../unit-table.js';
import { nextSort } from './panel.js';

/**
 * @import { CatalogueLayer, RegionReport, RegionTotals } from '../types.js'
 * @import { RegionPage } from './region.js'
 */

/**
 * What the region's panel does when the planner acts in it.
 * @typedef {object} RegionActions
 * @property {(code: string) => void} open a commune's page
 * @property {(code: string | null) => void} hover a commune under the pointer in the panel
 * @property {(id: string) => void} setIndicator
 * @property {(year: number) => void} pickYear
 * @property {(date: string | null) => Promise<void>} compareWith
 */

/**
 * The targets every commune of the region shares (a province's communes usually aim at the
 * same figures), by indicator: the one line drawn across the bars and on the legend. An
 * indicator whose communes aim at different figures has none here (each bar has its own).
 * @param {RegionReport} report
 * @returns {Record<string, number>}
 */
export function commonTargets(report) {
  /** @type {Record<string, number | null>} */
  const seen = {};
  for (const commune of report.communes) {
    for (const [id, target] of Object.entries(commune.targets ?? {})) {
      if (!(id in seen)) seen[id] = target.target;
      else if (seen[id] !== target.target) seen[id] = null;
    }
  }
  /** @type {Record<string, number>} */
  const out = {};
  for (const [id, value] of Object.entries(seen)) if (value !== null && report.communes.every((c) => c.targets?.[id])) out[id] = value;
  return out;
}

/**
 * The label of an enum value of a catalogue field (a site's recognition level).
 * @param {CatalogueLayer[]} catalogue
 * @param {string[]} keys the values counted
 */
function termsOf(catalogue, keys) {
  for (const layer of catalogue) {
    for (const field of layer.fields) {
      if (field.type === 'enum' && keys.length > 0 && keys.every((k) => field.values?.some((v) => v.value === k))) return field.values ?? [];
    }
  }
  return [];
}

/**
 * The model sites of the region: by field (chips), by recognition level, and the share of its
 * communes with at least one.
 * @param {RegionTotals} totals
 * @param {CatalogueLayer[]} catalogue
 */
function modelsBlock(totals, catalogue) {
  const sites = totals.model_sites;
  const byRecognition = sites.by_recognition ?? {};
  const recognitions = termsOf(catalogue, Object.keys(byRecognition));
  const share = findIndicator('communes_with_model_pct');
  return el('section', { class: 'block region-models', dataset: { key: 'model_sites' } },
    el('div', { class: 'block-head' }, el('h3', {}, t('region.models'))),
    el('p', { class: 'models-total' }, el('strong', { class: 'v' }, formatInteger(sites.total)), ' ', t('unit.sites')),
    fieldChips(catalogue, sites),
    recognitions.length
      ? el('dl', { class: 'attrs by-recognition' }, recognitions.filter((term) => byRecognition[term.value]).flatMap((term) => [
        el('dt', {}, termLabel(term)), el('dd', { dataset: { value: term.value } }, formatInteger(byRecognition[term.value]))]))
      : null,
    share ? el('p', { class: 'with-model', dataset: { key: share.id } },
      el('span', {}, indicatorTitle(share)), ': ', el('strong', { class: 'v' }, formatShown(share, indicatorValue(share, totals)))) : null);
}

/**
 * Per target, how many of the region's communes meet it.
 * @param {RegionTotals} totals
 */
function targetsBlock(totals) {
  const entries = Object.entries(totals.targets_met ?? {}).filter(([, v]) => v.of > 0);
  if (entries.length === 0) return null;
  return el('section', { class: 'block region-targets' },
    el('div', { class: 'block-head' }, el('h3', {}, t('region.targets_met'))),
    el('ul', { class: 'targets-met' }, entries.map(([id, { met, of }]) => {
      const spec = findIndicator(id);
      return el('li', { dataset: { key: id } },
        el('span', { class: 'tm-name' }, spec ? indicatorTitle(spec) : id),
        el('span', { class: 'tm-bar', role: 'presentation' }, el('span', { style: `width:${of ? (100 * met) / of : 0}%` })),
        el('span', { class: 'tm-count v' }, t('region.met_of', { met: formatInteger(met), of: formatInteger(of) })),
        el('span', { class: 'tm-pct' }, formatPct(of ? (100 * met) / of : null)));
    })));
}

/**
 * @typedef {object} RegionPanel
 * @property {() => void} render draws the panel for the store's view and data
 * @property {(code: string | null) => void} highlight marks a commune (hovered on the map)
 */

/**
 * The panel of a region's page.
 * @param {RegionPage} page
 * @param {RegionActions} actions
 * @returns {RegionPanel}
 */
export function createRegionPanel({ region, catalogue }, actions) {
  const overview = required('.overview', HTMLElement);
  required('.group-page', HTMLElement).hidden = true;
  let highlight = (/** @type {string | null} */ _code) => {};

  function render() {
    const { region: report, classes, timeline } = loadedRegion();
    const { regionCompared: compared } = getState().data;
    const { indicator: id, sort } = getState().view;
    const indicator = choroplethIndicator(id, 'commune');
    const totals = report.region;
    const targets = commonTargets(report);
    const comparedDate = compared ? formatDate(compared.as_of) : null;
    const bars = el('div', { class: 'bars' });
    const table = el('div', { class: 'table' });
    const progress = el('div', { class: 'progress-chart' });
    overview.replaceChildren(...[
      el('header', { class: 'panel-head' },
        el('div', { class: 'kicker' }, t(`region.kind.${region.kind}`)),
        el('h2', {}, totals.name),
        el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(report.as_of) }), ' · ',
          t('region.communes', { n: formatInteger(totals.communes) }), ' · ', households(totals))),
      headline(totals, { catalogue, level: 'region', then: compared?.region ?? null, compared: comparedDate, breakdowns: false }),
      modelsBlock(totals, catalogue),
      targetsBlock(totals),
      el('section', { class: 'block' },
        el('div', { class: 'block-head' }, el('h3', {}, t('region.by_commune')), indicatorSelect('panel-indicator', 'commune', indicator, actions.setIndicator)),
        bars),
      el('section', { class: 'block' },
        el('div', { class: 'block-head' }, el('h3', {}, t('region.ranking')),
          el('span', { class: 'downloads' },
            el('a', { class: 'csv', href: coverageTableUrl('csv', { region: region.code }, report.as_of, lang()), download: '', title: t('panel.csv_title') }, t('panel.csv')),
            el('a', { class: 'csv xlsx', href: coverageTableUrl('xlsx', { region: region.code }, report.as_of, lang()), download: '', title: t('panel.xlsx_title') }, t('panel.xlsx')))),
        compareSelect({ timeline, asOf: report.as_of, compare: compared?.as_of ?? null, onCompare: (date) => { actions.compareWith(date).then(() => document.getElementById('compare')?.focus()); } }),
        table),
      el('section', { class: 'block' },
        el('div', { class: 'block-head' }, el('h3', {}, t('panel.progress'))),
        progress,
        el('p', { class: 'hint' }, t('panel.progress_hint'))),
    ].filter((node) => node !== null));
    const linked = { hover: actions.hover, select: actions.open };
    const commonTarget = targets[indicator.id] ?? null;
    const barLink = barChart(bars, {
      rows: report.communes.map((c) => ({ id: c.code, name: c.name, record: c, target: commonTarget === null ? c.targets?.[indicator.id]?.target ?? null : null })),
      indicator,
      classes,
      target: commonTarget,
      linked,
    });
    const thenByCode = new Map((compared?.communes ?? []).map((c) => [c.code, c]));
    const tableLink = renderUnitTable(table, {
      rows: report.communes.map((c) => ({ key: c.code, code: c.code, name: c.name, label: c.name, record: c, then: compared ? thenByCode.get(c.code) ?? null : null, targets: c.targets })),
      total: { name: t('table.total'), record: totals, then: compared?.region ?? null, targets: undefined },
      columns: indicatorsFor('dashboard', 'commune'),
      sort,
      onSort: (key) => {
        update('view', { sort: nextSort(getState().view.sort, key) });
        render();
        const header = document.querySelector(`.groups-table th[data-key="${key}"] button`);
        if (header instanceof HTMLElement) header.focus();
      },
      linked,
      captions: { roads: t('table.roads'), other: t('table.other') },
      nameHeader: t('region.commune'),
      compared: comparedDate,
      ranked: true,
    });
    if (timeline) {
      progressChart(progress, {
        years: timeline.years,
        indicator,
        level: 'region',
        year: Number(report.as_of.slice(0, 4)),
        onPick: actions.pickYear,
      });
    }
    highlight = (code) => {
      barLink.highlight(code);
      tableLink.highlight(code);
    };
  }

  return { render, highlight: (code) => highlight(code) };
}
