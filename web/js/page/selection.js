// @ts-check
// The selected group (the store's view.group): chosen on the map, in the panel's chart or
// table, or from the search. Its polygon is outlined (feature-state `selected`), the map
// framed on it and its page shown in the panel. Hover links the map and the panel the other
// way: a group under the pointer on the map is marked in the chart and the table.

import { required } from '../dom.js';
import { enableUnitHover } from '../layers.js';
import { fitToCommune, geometryBbox } from '../map.js';
import { openFeaturePopup } from '../popup.js';
import { enableSearch } from '../search.js';
import { getState, loaded, update } from '../state.js';

/**
 * @import { Panel } from './panel.js'
 * @import { Page } from '../types.js'
 */

/**
 * @typedef {object} Selection
 * @property {(id: number | null, options?: { zoom?: boolean }) => void} select a group by id
 *   (null: the commune's overview); `zoom` frames it (default)
 * @property {(options: { frame: boolean }) => void} showSelected at start: outlines the view's
 *   group, and frames it (without animation) if `frame`; the panel is drawn apart
 * @property {() => void} outlineAgain after the groups' data changed (feature-state is per data)
 * @property {(id: number | null) => void} hover marks a group on the map (hovered in the panel)
 */

/**
 * @param {Page} page
 * @param {Panel} panel
 * @returns {Selection}
 */
export function createSelection({ map, commune, units }, panel) {
  /** The group whose polygon carries `selected`, by id. @type {number | null} */
  let outlined = null;
  const source = units?.source;

  /** @param {number | null} id */
  function outline(id) {
    if (!source) return;
    if (outlined !== null) map.setFeatureState({ source, id: outlined }, { selected: false });
    outlined = id;
    if (id !== null) map.setFeatureState({ source, id }, { selected: true });
  }

  /** @param {number} id */
  const groupFeature = (id) => loaded().geojson.features.find((f) => f.properties.id === id);

  /** @type {Selection['select']} */
  function select(id, { zoom = true } = {}) {
    const group = id === null ? null : loaded().coverage.groups.find((g) => g.id === id);
    update('view', { group: group ? group.code : null });
    outline(group ? group.id : null);
    const { heading } = panel.render();
    required('.panel-body', HTMLElement).scrollTop = 0;
    if (group && zoom) {
      const feature = groupFeature(group.id);
      if (feature) fitToCommune(map, geometryBbox(feature.geometry), { maxZoom: 17 });
    } else if (!group && zoom) {
      fitToCommune(map, commune.bbox);
    }
    if (heading) heading.focus({ preventScroll: true });
  }

  /** @type {Selection['showSelected']} */
  function showSelected({ frame }) {
    const code = getState().view.group;
    const group = code ? loaded().coverage.groups.find((g) => g.code === code) : null;
    if (!group) return;
    outline(group.id);
    const feature = frame ? groupFeature(group.id) : undefined;
    if (feature) fitToCommune(map, geometryBbox(feature.geometry), { animate: false, maxZoom: 17 });
  }

  function outlineAgain() {
    if (outlined !== null && source) map.setFeatureState({ source, id: outlined }, { selected: true });
  }

  const hovered = enableUnitHover(map, units, (/** @type {number | null} */ id) => panel.highlight(id), (raw) => Number(raw));
  return { select, showSelected, outlineAgain, hover: (id) => hovered?.set(id) };
}

/**
 * The search box: a group found opens its page, the commune its overview, a work is framed,
 * outlined and opens its popup.
 * @param {Page} page
 * @param {Selection} selection
 */
export function enableGroupSearch({ commune, catalogue }, selection) {
  const role = (/** @type {string} */ id) => catalogue.find((l) => l.id === id)?.role;
  enableSearch(required('.search', HTMLElement), {
    commune: commune.code,
    onPick: (hit) => {
      if (role(hit.layer) === 'area') selection.select(Number(hit.id));
      else if (role(hit.layer) === 'boundary') selection.select(null);
      else openFeaturePopup(hit.layer, hit.id);
    },
    layerTitle: (id) => catalogue.find((l) => l.id === id)?.title,
  });
}
