// @ts-check
// The view in the URL's query string, so that a link reproduces it:
// ?commune=17131&ind=concrete_pct&as_of=2016-12-31&group=TDP04&map=15.20/19.2501/105.7010
// (`lang` is kept, as the i18n module reads it; `present` and `slide` belong to present.js).
// Read once at start; written with history.replaceState whenever the store's view changes or
// the map stops moving.

import { getState, subscribe } from '../state.js';

/** @import { MapView, Page } from '../types.js' */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What a URL asks for.
 * @typedef {object} UrlState
 * @property {string | null} commune
 * @property {string | null} indicator
 * @property {string | null} asOf YYYY-MM-DD
 * @property {string | null} group a group's code
 * @property {MapView | null} view
 * @property {boolean} present `present=1`: the slides (present.js)
 * @property {number | null} slide which slide, from 1
 */

/**
 * The view a URL asks for; malformed values are dropped.
 * @param {string} [search] the query string
 * @returns {UrlState}
 */
export function readUrlState(search = location.search) {
  const params = new URLSearchParams(search);
  /** @type {MapView | null} */
  let view = null;
  const match = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(params.get('map') ?? '');
  if (match) {
    const [zoom, lat, lng] = match.slice(1).map(Number);
    if (zoom >= 0 && zoom <= 22 && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) view = { zoom, center: [lng, lat] };
  }
  const asOf = params.get('as_of');
  return {
    commune: params.get('commune') || null,
    indicator: params.get('ind') || null,
    asOf: asOf && DATE.test(asOf) ? asOf : null,
    group: params.get('group') || null,
    view,
    present: params.get('present') === '1',
    slide: /^\d+$/.test(params.get('slide') ?? '') ? Number(params.get('slide')) : null,
  };
}

/**
 * Replaces the URL's query with the view (other parameters, such as lang, are kept).
 * @param {{ commune: string, indicator: string, asOf: string | null, group: string | null, view: MapView | null }} state
 */
export function writeUrlState({ commune, indicator, asOf, group, view }) {
  const url = new URL(location.href);
  /** @param {string} key @param {string | null} value */
  const set = (key, value) => (value ? url.searchParams.set(key, value) : url.searchParams.delete(key));
  set('commune', commune);
  set('ind', indicator);
  set('as_of', asOf);
  set('group', group);
  set('map', view ? `${view.zoom.toFixed(2)}/${view.center[1].toFixed(5)}/${view.center[0].toFixed(5)}` : null);
  if (url.href !== location.href) history.replaceState(null, '', url);
}

/**
 * From now on, writes the URL after every change of the store's view and every move of the map.
 * @param {Page} page
 * @param {() => void} afterWrite e.g. refreshing the language link, which carries the URL
 */
export function syncUrl({ map, commune }, afterWrite) {
  const write = () => {
    const { indicator, asOf, group } = getState().view;
    const center = map.getCenter();
    writeUrlState({ commune: commune.code, indicator, asOf, group, view: { zoom: map.getZoom(), center: [center.lng, center.lat] } });
    afterWrite();
  };
  subscribe('view', write);
  map.on('moveend', write);
}
