// @ts-check
// The panel beside the map: the commune's overview (dashboard.js) or, with a group selected,
// the group's page with its works. It renders what the store holds; what the planner does in
// it (select a group, colour by another indicator, pick a year, sort the table) goes to the
// actions boot.js gives it.

import { coverageCsvUrl, coverageXlsxUrl, getGroupWorks } from '../api.js';
import { indicatorById } from '../choropleth.js';
import { renderGroupPage, renderOverview } from '../dashboard.js';
import { required } from '../dom.js';
import { lang } from '../i18n.js';
import { WORK_LAYERS } from '../layers.js';
import { fitToCommune, geometryBbox } from '../map.js';
import { getState, loaded, update } from '../state.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { GroupWorks } from '../dashboard.js'
 * @import { SortOrder } from '../state.js'
 * @import { GroupReport, LayerFeature, Page } from '../types.js'
 */

/**
 * What the panel's controls do.
 * @typedef {object} PanelActions
 * @property {(id: number | null) => void} selectGroup a group by id, null for the overview
 * @property {(id: string) => void} setIndicator
 * @property {(year: number) => void} pickYear shows the end of that year
 * @property {(id: number | null) => void} hover a group under the pointer in the panel
 */

/**
 * What a render made: the group page's heading (to focus) and its works (loading).
 * @typedef {{ heading: HTMLElement | null, works: Promise<GroupWorks[]> | null }} PanelRender
 */

/**
 * @typedef {object} Panel
 * @property {() => PanelRender} render draws the overview or the selected group's page
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
    highlight = renderCommune(overview, page, actions, render);
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
 * The commune's overview. Returns its highlighter.
 * @param {HTMLElement} root
 * @param {Page} page
 * @param {PanelActions} actions
 * @param {() => void} render draws the panel again (after sorting)
 * @returns {(id: number | null) => void}
 */
function renderCommune(root, { commune, catalogue }, actions, render) {
  const { coverage, classes, timeline } = loaded();
  const { indicator, sort } = getState().view;
  const link = renderOverview(root, {
    coverage,
    timeline,
    indicator: indicatorById(indicator),
    classes,
    sort,
    year: Number((coverage.as_of ?? '').slice(0, 4)),
    catalogue,
    csvUrl: coverageCsvUrl(commune.code, coverage.as_of, lang()),
    xlsxUrl: coverageXlsxUrl(commune.code, coverage.as_of, lang()),
    linked: { hover: actions.hover, select: actions.selectGroup },
    onSort: (key) => {
      update('view', { sort: nextSort(getState().view.sort, key) });
      render();
      const header = document.querySelector(`.groups-table th[data-key="${key}"] button`);
      if (header instanceof HTMLElement) header.focus();
    },
    onPickYear: actions.pickYear,
    onIndicator: actions.setIndicator,
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
function nextSort(sort, key) {
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
  const { asOf } = getState().view;
  const works = Promise.all(WORK_LAYERS.map(async (id) => {
    const layer = catalogue.find((l) => l.id === id);
    if (!layer) return null;
    const collection = await getGroupWorks(id, commune.code, group.code, asOf);
    return { layer, features: collection.features ?? [] };
  })).then((list) => list.filter((item) => item !== null));
  const heading = renderGroupPage(root, {
    group,
    coverage,
    catalogue,
    works,
    onBack: () => actions.selectGroup(null),
    onWork: (feature) => frameWork(map, feature),
  });
  return { heading, works };
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
