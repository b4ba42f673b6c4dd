// @ts-check
// The panel's content for a commune: the headline numbers, the groups' bar chart and sortable
// table, the progress chart year by year, and a group's page (its numbers and its works).
// Which figures, with which titles and units, is the indicator catalogue's (`outputs.
// dashboard` at the record's level; indicators.js writes each figure).
//
// Everything is built with DOM calls (no innerHTML with data). The panel never fetches by
// itself: page/panel.js hands it the API's answers and the callbacks that link it to the map.

import { errorMessage } from './api.js';
import { el } from './element.js';
import { formatDate, formatField, formatInteger, formatPct } from './format.js';
import { t, title, termLabel } from './i18n.js';
import { targetOf } from './choropleth.js';
import { findIndicator, formatChange, formatShown, indicatorsFor, indicatorTitle, indicatorValue } from './indicators.js';
import { barChart, progressChart } from './unit-charts.js';
import { metMark, renderUnitTable } from './unit-table.js';

export { el } from './element.js';

/**
 * @import { Classes, Indicator } from './choropleth.js'
 * @import { Level } from './indicators.js'
 * @import { SortOrder } from './state.js'
 * @import { CatalogueLayer, CoverageReport, CoverageSettings, GroupReport, IndicatorSpec, LayerFeature, Properties, SiteCounts, TargetStatus, Timeline } from './types.js'
 */

/**
 * `Tổ dân phố 4` as `TDP 4` where space is tight (the full name stays in a tooltip).
 * @param {string} name
 */
export const shortGroupName = (name) => name.replace(/^Tổ dân phố /, 'TDP ').replace(/^Residential group /, 'RG ');

/**
 * The share the headline leads with: the first share (`pct`) of the dashboard at `level`
 * with the length it is a share of.
 * @param {Level} level
 */
export function mainShare(level) {
  return indicatorsFor('dashboard', level).find((i) => i.kind === 'pct' && i.share_of) ?? null;
}

/**
 * The length a share counts (`concrete_m` of `concrete_pct`): the length indicator named like
 * the share, if the catalogue has one.
 * @param {IndicatorSpec} share
 */
export const shareLength = (share) => findIndicator(share.id.replace(/_pct$/, '_m')) ?? null;

/**
 * A target as the cards write it: `Đạt chỉ tiêu 80,0 %` or `Chưa đạt chỉ tiêu 80,0 %`, with the
 * roadmap's year when the target is that year's.
 * @param {IndicatorSpec} spec
 * @param {TargetStatus} target
 */
function targetText(spec, target) {
  const value = spec.kind === 'pct' ? formatPct(target.target) : formatShown(spec, target.target);
  return t(target.met ? 'target.met' : 'target.not_met', { value });
}

/**
 * The colours of a palette whose values are the keys of `counts` (the model sites' fields), and
 * the labels of those values, from the catalogue: the layer whose legend palette has them.
 * @param {CatalogueLayer[]} catalogue
 * @param {Record<string, number>} counts
 */
function paletteOf(catalogue, counts) {
  const keys = Object.keys(counts);
  for (const layer of catalogue) {
    const palette = layer.legend?.palette;
    if (!palette || !keys.every((k) => palette.entries.some((e) => e.value === k))) continue;
    const field = layer.fields.find((f) => f.name === palette.field);
    return { palette, terms: field?.values ?? [] };
  }
  return null;
}

/**
 * Chips of the model sites by field, in the field's colours.
 * @param {CatalogueLayer[]} catalogue
 * @param {SiteCounts | undefined} sites
 */
export function fieldChips(catalogue, sites) {
  const byField = sites?.by_field ?? {};
  const found = paletteOf(catalogue, byField);
  if (!found) return null;
  return el('div', { class: 'chips' }, found.terms.filter((term) => byField[term.value]).map((term) =>
    el('span', { class: 'chip', title: termLabel(term), dataset: { value: term.value } },
      el('span', { class: 'dot', style: `background:${found.palette.entries.find((e) => e.value === term.value)?.color ?? found.palette.fallback}` }),
      `${termLabel(term)} ${formatInteger(byField[term.value])}`)));
}

/**
 * The headline numbers of a coverage record (the commune, a group, a region): the leading
 * share with its lengths and a bar against its target, then a card per other dashboard
 * figure at `level` (the model sites with their fields; money with the other amounts of the
 * tables beside it). With `then` (the record at the date compared with), each figure's change.
 * @param {object} record
 * @param {{ catalogue: CatalogueLayer[], level: Level, then?: object | null, compared?: string | null, breakdowns?: boolean }} options
 *   `breakdowns: false` leaves out the counts with a breakdown (a region's page shows the model
 *   sites in a block of their own)
 */
export function headline(record, { catalogue, level, then = null, compared = null, breakdowns = true }) {
  const targets = /** @type {{ targets?: Record<string, TargetStatus> }} */ (record).targets ?? {};
  const main = mainShare(level);
  const length = main ? shareLength(main) : null;
  const whole = main?.share_of ? findIndicator(main.share_of) : null;
  /** @param {IndicatorSpec} spec */
  const change = (spec) => (then ? el('div', { class: 'card-delta', dataset: { key: spec.id } }, t('compare.change', { change: formatChange(spec, indicatorValue(spec, record), indicatorValue(spec, then)), date: compared ?? '' })) : null);
  /** @type {HTMLElement | null} */
  let lead = null;
  if (main) {
    const value = indicatorValue(main, record);
    const target = targets[main.id];
    const lengths = length && whole ? `${formatShown(length, indicatorValue(length, record))} / ${formatShown(whole, indicatorValue(whole, record))}` : '';
    lead = el('div', { class: 'headline-main', dataset: { lead: main.id } },
      el('div', { class: 'card-label' }, indicatorTitle(main)),
      el('div', { class: 'headline-line' },
        el('span', { class: 'v', dataset: { key: 'lengths' } }, value === null ? t('legend.no_roads') : lengths),
        el('span', { class: 'headline-unit' }, value !== null && lengths ? ' · ' : ''),
        el('strong', { class: 'v headline-pct', dataset: { key: main.id } }, value === null ? '' : formatShown(main, value)),
        metMark(targets, main.id)),
      value !== null ? el('div', { class: 'progress', role: 'presentation' },
        el('div', { class: 'progress-fill', style: `width:${Math.min(100, Math.max(0, value))}%` }),
        target ? el('div', { class: 'progress-target', style: `left:${target.target}%`, title: targetText(main, target) }) : null) : null,
      target ? el('div', { class: 'card-sub' }, targetText(main, target)) : null,
      change(main));
  }
  const shown = new Set([main?.id, length?.id, whole?.id]);
  const hasBreakdown = (/** @type {IndicatorSpec} */ i) => typeof (/** @type {Record<string, unknown>} */ (record)[i.id]) === 'object';
  const others = indicatorsFor('dashboard', level).filter((i) => !shown.has(i.id) && (breakdowns || !hasBreakdown(i)));
  const grid = el('div', { class: 'cards' }, others.map((spec) => {
    const target = targets[spec.id];
    // A count with its breakdown (the model sites by field): chips in the field's colours.
    const breakdown = /** @type {Record<string, unknown>} */ (record)[spec.id];
    const sites = breakdown && typeof breakdown === 'object' ? fieldChips(catalogue, /** @type {SiteCounts} */ (breakdown)) : null;
    const wide = spec.kind === 'money' || Boolean(sites);
    // Money: the other amounts of the tables beside it (the state budget beside the people's).
    const beside = spec.kind === 'money'
      ? indicatorsFor('table', level).filter((i) => i.kind === 'money' && i.id !== spec.id && !indicatorsFor('dashboard', level).includes(i))
      : [];
    return el('div', { class: `card${wide ? ' wide' : ''}${sites ? ' sites' : ''}`, dataset: { key: spec.id } },
      el('div', { class: 'card-label' }, indicatorTitle(spec)),
      el('div', { class: 'card-value' }, el('span', { class: 'v' }, formatShown(spec, indicatorValue(spec, record))), metMark(targets, spec.id), sites),
      target ? el('div', { class: 'card-sub' }, targetText(spec, target)) : null,
      beside.map((b) => el('div', { class: 'card-sub', dataset: { key: b.id } }, `${indicatorTitle(b)}: ${formatShown(b, indicatorValue(b, record))}`)),
      change(spec));
  }));
  return el('section', { class: 'headline', 'aria-label': t('headline.heading') }, lead, grid);
}

/** The works of one layer in a group, for its page. @typedef {{ layer: CatalogueLayer, features: LayerFeature[] }} GroupWorks */

/**
 * How the panel's chart and table link to the map: a group hovered, a group selected.
 * @typedef {{ hover: (id: number | null) => void, select: (id: number) => void }} Linked
 */

/**
 * The date-comparison control: "So sánh với" and the years of the timeline (their end), or
 * none.
 * @param {{ timeline: Timeline | { years: { year: number, as_of: string }[] } | null, asOf: string, compare: string | null, onCompare: (date: string | null) => void }} options
 */
export function compareSelect({ timeline, asOf, compare, onCompare }) {
  const years = (timeline?.years ?? []).filter((y) => y.as_of < asOf);
  const options = years.map((y) => el('option', { value: y.as_of, selected: y.as_of === compare }, formatDate(y.as_of)));
  if (compare && !years.some((y) => y.as_of === compare)) options.push(el('option', { value: compare, selected: true }, formatDate(compare)));
  return el('label', { class: 'compare' },
    el('span', {}, t('compare.label')),
    el('select', { id: 'compare', onchange: (/** @type {Event} */ e) => onCompare(/** @type {HTMLSelectElement} */ (e.target).value || null) },
      el('option', { value: '', selected: !compare }, t('compare.none')),
      options.reverse()));
}

/**
 * Renders the overview (the commune) into `root`. Returns the linkers `{highlight(id)}` that
 * the map calls on hover.
 * @param {HTMLElement} root
 * @param {object} overview
 * @param {CoverageReport} overview.coverage
 * @param {CoverageReport | null} overview.compared the coverage at the date compared with
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
 * @param {(date: string | null) => void} overview.onCompare
 * @param {HTMLElement[]} [overview.before] what comes first (the tabs, the way back)
 * @returns {{ highlight: (id: number | null) => void }}
 */
export function renderOverview(root, { coverage, compared, timeline, indicator, classes, sort, year, catalogue, csvUrl, xlsxUrl, linked, onSort, onPickYear, onIndicator, onCompare, before = [] }) {
  const commune = coverage.commune;
  const bars = el('div', { class: 'bars' });
  const table = el('div', { class: 'table' });
  const progress = el('div', { class: 'progress-chart' });
  const comparedDate = compared ? formatDate(compared.as_of) : null;
  root.replaceChildren(
    ...before,
    el('header', { class: 'panel-head' },
      el('div', { class: 'kicker' }, t('panel.overview')),
      el('h2', {}, commune.name),
      el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(coverage.as_of) }), ' · ', households(commune))),
    headline(commune, { catalogue, level: 'commune', then: compared?.commune ?? null, compared: comparedDate }),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.by_group')), indicatorSelect('panel-indicator', 'group', indicator, onIndicator)),
      bars),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.table')),
        el('span', { class: 'downloads' },
          el('a', { class: 'csv', href: csvUrl, download: '', title: t('panel.csv_title') }, t('panel.csv')),
          xlsxUrl ? el('a', { class: 'csv xlsx', href: xlsxUrl, download: '', title: t('panel.xlsx_title') }, t('panel.xlsx')) : null)),
      compareSelect({ timeline, asOf: coverage.as_of, compare: compared?.as_of ?? null, onCompare }),
      table),
    el('section', { class: 'block' },
      el('div', { class: 'block-head' }, el('h3', {}, t('panel.progress'))),
      progress,
      el('p', { class: 'hint' }, t('panel.progress_hint'))),
  );
  const target = targetOf(indicator, coverage.settings);
  const barLink = barChart(bars, {
    rows: coverage.groups.map((g) => ({ id: g.id, name: shortGroupName(g.name), record: g })),
    indicator,
    classes,
    target,
    targetYear: roadmapYear(coverage.settings, indicator.id, year),
    linked,
  });
  const thenByCode = new Map((compared?.groups ?? []).map((g) => [g.code, g]));
  const tableLink = renderUnitTable(table, {
    rows: coverage.groups.map((g) => ({ key: g.id, code: g.code, name: g.name, label: shortGroupName(g.name), record: g, then: compared ? thenByCode.get(g.code) ?? null : null, targets: g.targets })),
    total: { name: t('table.total'), record: commune, then: compared?.commune ?? null, targets: commune.targets },
    columns: indicatorsFor('dashboard', 'group'),
    sort,
    onSort,
    linked,
    captions: { roads: t('table.roads'), other: t('table.other') },
    nameHeader: t('table.name'),
    compared: comparedDate,
  });
  if (timeline) {
    progressChart(progress, {
      years: timeline.years,
      indicator,
      level: 'commune',
      roadmap: timeline.settings?.targets_by_year ?? {},
      targets: coverage.settings.targets,
      year,
      onPick: onPickYear,
    });
  }
  return {
    highlight(id) {
      barLink.highlight(id);
      tableLink.highlight(id);
    },
  };
}

/**
 * The year whose roadmap target the bars show (null when the plain target holds).
 * @param {CoverageSettings} settings
 * @param {string} id
 * @param {number} year
 */
function roadmapYear(settings, id, year) {
  return settings.targets_by_year?.[id]?.[String(year)] !== undefined ? year : null;
}

/**
 * `12.345 hộ, 45.678 nhân khẩu`, or that they are unknown.
 * @param {{ households?: number | null, population?: number | null }} record
 */
export function households(record) {
  if (typeof record.households !== 'number') return t('panel.households_unknown');
  return t('panel.households', { households: formatInteger(record.households), population: typeof record.population === 'number' ? formatInteger(record.population) : '?' });
}

/**
 * A select of the indicators the map can be coloured by at `level`.
 * @param {string} id the element's id
 * @param {Level} level
 * @param {Indicator} current
 * @param {(id: string) => void} onIndicator
 */
export function indicatorSelect(id, level, current, onIndicator) {
  return el('select', { id, 'aria-label': t('legend.color_by'), onchange: (/** @type {Event} */ e) => onIndicator(/** @type {HTMLSelectElement} */ (e.target).value) },
    indicatorsFor('choropleth', level).map((i) => el('option', { value: i.id, selected: i.id === current.id }, indicatorTitle(i))));
}

/**
 * A work's one-line summary: the labels of its coloured field and its other required enum
 * fields, the date it is dated by, and the people's money, from the catalogue.
 * @param {CatalogueLayer} layer
 * @param {Properties} props
 */
function summary(layer, props) {
  const palette = layer.legend?.palette?.field;
  const enums = layer.fields.filter((f) => f.type === 'enum' && f.name !== 'status' && (f.name === palette || f.required));
  enums.sort((a, b) => Number(b.name === palette) - Number(a.name === palette));
  const texts = enums.slice(0, 2).map((f) => formatField(f, props[f.name], termLabel));
  const dated = layer.fields.find((f) => f.name === layer.dated_by);
  const date = dated ? formatField(dated, props[dated.name], termLabel) : null;
  if (date && dated) texts.push(`${title(dated.title).toLocaleLowerCase('vi')} ${date}`);
  const money = findIndicator('people_vnd');
  if (typeof props.people_vnd === 'number' && props.people_vnd > 0 && money) texts.push(t('works.people', { value: formatShown(money, props.people_vnd) }));
  return texts.filter(Boolean).join(' · ');
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
 * @param {GroupReport | null} page.then the group at the date compared with
 * @param {string | null} page.compared that date, dd/mm/yyyy
 * @param {CatalogueLayer[]} page.catalogue
 * @param {Promise<GroupWorks[]>} page.works
 * @param {() => void} page.onBack
 * @param {(feature: LayerFeature) => void} page.onWork
 * @returns {HTMLElement | null}
 */
export function renderGroupPage(root, { group, coverage, then, compared, catalogue, works, onBack, onWork }) {
  const area = catalogue.find((l) => l.role === 'area');
  const kind = area?.fields.find((f) => f.name === 'kind')?.values?.find((v) => v.value === group.kind);
  const list = el('div', { class: 'works', 'aria-busy': 'true' }, el('p', { class: 'hint' }, t('app.loading_short')));
  const back = el('button', { type: 'button', class: 'back', onclick: onBack }, el('span', { 'aria-hidden': 'true' }, '←'), ' ', t('group.back', { commune: coverage.commune.name }));
  root.replaceChildren(
    el('header', { class: 'panel-head' },
      back,
      el('div', { class: 'kicker' }, kind ? termLabel(kind) : t('group.kicker')),
      el('h2', { tabindex: '-1' }, group.name),
      el('p', { class: 'as-of' }, t('panel.as_of', { date: formatDate(coverage.as_of) }), ' · ', households(group))),
    headline(group, { catalogue, level: 'group', then, compared }),
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
