// @ts-check
// The panel beside the map: the commune's overview (dashboard.js) or its work list
// (worklist.js), chosen by two tabs; with a group selected, the group's page with its works.
// Reached from a region's page, it starts with the way back to the region. It renders what
// the store holds; what the planner does in it (select a group, colour by another indicator,
// pick a year, sort the table, compare two dates, open the work list) goes to the actions
// boot.js gives it, or to the store.

import { coverageTableUrl, errorMessage, getGroupWorks, getWorklist, worklistTableUrl } from '../api.js';
import { choroplethIndicator } from '../choropleth.js';
import { renderGroupPage, renderOverview } from '../dashboard.js';
import { required } from '../dom.js';
import { el } from '../element.js';
import { formatDate } from '../format.js';
import { lang, t } from '../i18n.js';
import { workLayers } from '../layers.js';
import { fitToCommune, geometryBbox } from '../map.js';
import { getState, loaded, update } from '../state.js';
import { communePhotos, gallery } from '../photos.js';
import { renderWorklist } from '../worklist.js';
import { regionUrl } from './url.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { GroupWorks } from '../dashboard.js'
 * @import { SortOrder } from '../state.js'
 * @import { CatalogueLayer, GroupReport, LayerFeature, Page, Region, WorkList } from '../types.js'
 */

/**
 * What the panel's controls do.
 * @typedef {object} PanelActions
 * @property {(id: number | null) => void} selectGroup a group by id, null for the overview
 * @property {(id: string) => void} setIndicator
 * @property {(year: number) => void} pickYear shows the end of that year
 * @property {(id: number | null) => void} hover a group under the pointer in the panel
 * @property {(date: string | null) => Promise<void>} compareWith compares with a date (null: none)
 * @property {Region | null} from the region the planner came from (the way back), if any
 */

/**
 * What a render made: the group page's heading (to focus) and its works (loading).
 * @typedef {{ heading: HTMLElement | null, works: Promise<GroupWorks[]> | null }} PanelRender
 */

/**
 * @typedef {object} Panel
 * @property {() => PanelRender} render draws the overview, the work list or the selected
 *   group's page
 * @property {() => void} refreshOverview draws the overview again (if it shows), keeping the
 *   focus on its indicator select
 * @property {(id: number | null) => void} highlight marks a group (hovered on the map)
 */

/**
 * @param {Page} page
 * @param {PanelActions} actions
 * @returns {Panel}
 */
export function createPanel(page, actions) {
  const overview = required('.overview', HTMLElement);
  const groupPage = required('.group-page', HTMLElement);
  // The overview's highlighter; the group page has none.
  let highlight = (/** @type {number | null} */ _id) => {};

  /** @returns {PanelRender} */
  function render() {
    const { coverage } = loaded();
    const code = getState().view.group;
    const group = code ? coverage.groups.find((g) => g.code === code) : null;
    if (group) {
      overview.hidden = true;
      groupPage.hidden = false;
      return renderGroup(page, groupPage, group, actions);
    }
    groupPage.hidden = true;
    overview.hidden = false;
    const before = [wayBack(actions.from), tabs(render)].filter((x) => x !== null);
    if (getState().view.tab === 'worklist') {
      highlight = () => {};
      showWorklist(overview, page, before);
    } else {
      highlight = renderCommune(overview, page, actions, render, before);
    }
    return { heading: null, works: null };
  }

  function refreshOverview() {
    if (getState().view.group) return;
    const focused = document.activeElement?.id;
    render();
    if (focused === 'panel-indicator') document.getElementById('panel-indicator')?.focus();
  }

  return { render, refreshOverview, highlight: (id) => highlight(id) };
}

/**
 * The link back to the region the planner came from, keeping the indicator and the date.
 * @param {Region | null} region
 */
function wayBack(region) {
  if (!region) return null;
  const { indicator, asOf } = getState().view;
  return el('a', { class: 'back back-region', href: regionUrl(region.code, { indicator, asOf }) },
    el('span', { 'aria-hidden': 'true' }, '←'), ' ', t('region.back', { region: region.name }));
}

/**
 * The panel's two views: the numbers, and the work list.
 * @param {() => void} render draws the panel again
 */
function tabs(render) {
  const { tab } = getState().view;
  /** @param {'overview' | 'worklist'} which @param {string} label */
  const button = (which, label) => el('button', {
    type: 'button', role: 'tab', class: 'tab', id: `tab-${which}`, 'aria-selected': String(tab === which), tabindex: tab === which ? '0' : '-1',
    onclick: () => {
      update('view', { tab: which });
      render();
      document.getElementById(`tab-${which}`)?.focus();
    },
  }, label);
  return el('div', { class: 'panel-tabs', role: 'tablist', 'aria-label': t('panel.views') },
    button('overview', t('panel.overview')), button('worklist', t('worklist.title')));
}

/**
 * The work list at the date shown: loaded once per date (the store keeps it), then drawn.
 * @param {HTMLElement} root
 * @param {Page} page
 * @param {HTMLElement[]} before
 */
function showWorklist(root, { commune, catalogue }, before) {
  const box = el('div', { class: 'worklist', 'aria-busy': 'true' }, el('p', { class: 'hint' }, t('app.loading_short')));
  root.replaceChildren(...before, box);
  const { coverage, worklist } = { ...loaded(), worklist: getState().data.worklist };
  const draw = (/** @type {WorkList} */ list) => {
    box.removeAttribute('aria-busy');
    renderWorklist(box, {
      list,
      catalogue,
      csvUrl: worklistTableUrl('csv', commune.code, coverage.as_of, lang()),
      xlsxUrl: worklistTableUrl('xlsx', commune.code, coverage.as_of, lang()),
    });
  };
  if (worklist && worklist.as_of === coverage.as_of) {
    draw(worklist);
    return;
  }
  getWorklist(commune.code, coverage.as_of).then((list) => {
    update('data', { worklist: list });
    if (box.isConnected) draw(list);
  }).catch((error) => {
    box.removeAttribute('aria-busy');
    box.replaceChildren(el('p', { class: 'hint error-text' }, errorMessage(error)));
  });
}

/**
 * The commune's overview. Returns its highlighter.
 * @param {HTMLElement} root
 * @param {Page} page
 * @param {PanelActions} actions
 * @param {() => void} render draws the panel again (after sorting)
 * @param {HTMLElement[]} before
 * @returns {(id: number | null) => void}
 */
function renderCommune(root, { commune, catalogue }, actions, render, before) {
  const { coverage, classes, timeline } = loaded();
  const { compared } = getState().data;
  const { indicator, sort } = getState().view;
  const link = renderOverview(root, {
    coverage,
    compared,
    timeline,
    indicator: choroplethIndicator(indicator, 'group'),
    classes,
    sort,
    year: Number((coverage.as_of ?? '').slice(0, 4)),
    catalogue,
    csvUrl: coverageTableUrl('csv', { commune: commune.code }, coverage.as_of, lang()),
    xlsxUrl: coverageTableUrl('xlsx', { commune: commune.code }, coverage.as_of, lang()),
    linked: { hover: actions.hover, select: actions.selectGroup },
    onSort: (key) => {
      update('view', { sort: nextSort(getState().view.sort, key) });
      render();
      const header = document.querySelector(`.groups-table th[data-key="${key}"] button`);
      if (header instanceof HTMLElement) header.focus();
    },
    onPickYear: actions.pickYear,
    onIndicator: actions.setIndicator,
    onCompare: (date) => {
      actions.compareWith(date).then(() => document.getElementById('compare')?.focus());
    },
    before,
  });
  return link.highlight;
}

/**
 * A click on a column's header: the other direction on the same column; on another column,
 * names A to Z and numbers largest first.
 * @param {SortOrder} sort
 * @param {string} key
 * @returns {SortOrder}
 */
export function nextSort(sort, key) {
  if (sort.key === key) return { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'name' ? 'asc' : 'desc' };
}

/**
 * A group's page: its numbers at once, its works once loaded.
 * @param {Page} page
 * @param {HTMLElement} root
 * @param {GroupReport} group
 * @param {PanelActions} actions
 * @returns {PanelRender}
 */
function renderGroup({ map, commune, catalogue }, root, group, actions) {
  const { coverage } = loaded();
  const { compared } = getState().data;
  const { asOf } = getState().view;
  const works = Promise.all(workLayers(catalogue).map(async (layer) => {
    const collection = await getGroupWorks(layer.id, commune.code, group.code, asOf);
    return { layer, features: collection.features ?? [] };
  }));
  const heading = renderGroupPage(root, {
    group,
    coverage,
    then: compared?.groups.find((g) => g.code === group.code) ?? null,
    compared: compared ? formatDate(compared.as_of) : null,
    catalogue,
    works,
    onBack: () => actions.selectGroup(null),
    onWork: (feature) => frameWork(map, feature),
  });
  root.append(sitePhotos(commune.code, catalogue, works));
  return { heading, works };
}

/**
 * The photos of the group's model sites (the point works), once its works are loaded; the
 * section stays hidden when they have none.
 * @param {string} commune
 * @param {CatalogueLayer[]} catalogue
 * @param {Promise<GroupWorks[]>} works
 */
function sitePhotos(commune, catalogue, works) {
  const section = el('section', { class: 'block block-photos', hidden: true },
    el('div', { class: 'block-head' }, el('h3', {}, t('photos.sites'))));
  const sites = catalogue.find((l) => l.role === 'work' && l.geometry === 'point');
  if (!sites) return section;
  Promise.all([works, communePhotos(commune, sites.id)]).then(([layers, photos]) => {
    const ids = new Set((layers.find((w) => w.layer.id === sites.id)?.features ?? []).map((f) => f.id));
    const mine = photos.filter((p) => ids.has(p.feature_id));
    if (mine.length === 0 || !section.isConnected) return;
    section.append(gallery(mine));
    section.hidden = false;
  }).catch((error) => console.warn('photos of the group:', error));
  return section;
}

/**
 * Frames a work of the group page: a point at street zoom, a line or area fitted.
 * @param {MapLibreMap} map
 * @param {LayerFeature} feature
 */
function frameWork(map, feature) {
  const geometry = feature.geometry;
  if (geometry.type === 'Point') {
    map.easeTo({ center: /** @type {[number, number]} */ (geometry.coordinates), zoom: Math.max(map.getZoom(), 16), duration: 600 });
  } else {
    fitToCommune(map, geometryBbox(geometry), { maxZoom: 17 });
  }
}
