// @ts-check
// The view in the URL's query string, so that a link reproduces it:
// ?commune=17131&ind=concrete_pct&as_of=2016-12-31&group=TDP04&vs=2025-12-31&map=15.20/19.2501/105.7010
// or a region's: ?region=nghe-an&ind=concrete_pct&as_of=2016-12-31.
// A commune's page reached from a region keeps `region` (the way back). `vs` is the date the
// table and the slides compare with; `panel=worklist` the work list in the panel.
// (`lang` is kept, as the i18n module reads it; `present` and `slide` belong to present.js).
// Read once at start; written with history.replaceState whenever the store's view changes or
// the map stops moving.

import { getState, subscribe } from '../state.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { MapView } from '../types.js'
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What a URL asks for.
 * @typedef {object} UrlState
 * @property {string | null} commune
 * @property {string | null} region a region's code: its page, or with `commune` the way back
 * @property {string | null} indicator
 * @property {string | null} asOf YYYY-MM-DD
 * @property {string | null} group a group's code
 * @property {MapView | null} view
 * @property {string | null} compare YYYY-MM-DD
 * @property {'overview' | 'worklist'} tab
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
  const compare = params.get('vs');
  const region = params.get('region');
  return {
    commune: params.get('commune') || null,
    region: region && /^[0-9a-z][0-9a-z_-]{0,39}$/.test(region) ? region : null,
    indicator: params.get('ind') || null,
    asOf: asOf && DATE.test(asOf) ? asOf : null,
    group: params.get('group') || null,
    view,
    compare: compare && DATE.test(compare) ? compare : null,
    tab: params.get('panel') === 'worklist' ? 'worklist' : 'overview',
    present: params.get('present') === '1',
    slide: /^\d+$/.test(params.get('slide') ?? '') ? Number(params.get('slide')) : null,
  };
}

/**
 * Replaces the URL's query with the view (other parameters, such as lang, are kept).
 * @param {{ commune?: string | null, region?: string | null, indicator: string, asOf: string | null, group?: string | null, compare?: string | null, tab?: string, view: MapView | null }} state
 */
export function writeUrlState({ commune = null, region = null, indicator, asOf, group = null, compare = null, tab = 'overview', view }) {
  const url = new URL(location.href);
  /** @param {string} key @param {string | null} value */
  const set = (key, value) => (value ? url.searchParams.set(key, value) : url.searchParams.delete(key));
  set('commune', commune);
  set('region', region);
  set('ind', indicator);
  set('as_of', asOf);
  set('group', group);
  set('vs', compare);
  set('panel', tab === 'worklist' ? 'worklist' : null);
  set('map', view ? `${view.zoom.toFixed(2)}/${view.center[1].toFixed(5)}/${view.center[0].toFixed(5)}` : null);
  if (url.href !== location.href) history.replaceState(null, '', url);
}

/**
 * The link to a commune's page from a region's, keeping the indicator and the date, and the
 * region (the way back).
 * @param {string} commune
 * @param {{ region: string, indicator: string, asOf: string | null }} view
 */
export function communeUrl(commune, { region, indicator, asOf }) {
  const url = new URL(location.href);
  url.search = '';
  const lang = new URLSearchParams(location.search).get('lang');
  writeParams(url, { commune, region, ind: indicator, as_of: asOf, lang });
  return url.href;
}

/**
 * The link to a region's page, keeping the indicator and the date.
 * @param {string} region
 * @param {{ indicator?: string | null, asOf?: string | null }} [view]
 */
export function regionUrl(region, { indicator = null, asOf = null } = {}) {
  const url = new URL(location.href);
  url.search = '';
  const lang = new URLSearchParams(location.search).get('lang');
  writeParams(url, { region, ind: indicator, as_of: asOf, lang });
  return url.href;
}

/**
 * @param {URL} url
 * @param {Record<string, string | null>} params the ones with a value are written
 */
function writeParams(url, params) {
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
}

/**
 * From now on, writes the URL after every change of the store's view and every move of the map.
 * @param {{ map: MapLibreMap, commune?: string | null, region?: string | null }} page what the URL names
 * @param {() => void} afterWrite e.g. refreshing the language link, which carries the URL
 */
export function syncUrl({ map, commune = null, region = null }, afterWrite) {
  const write = () => {
    const { indicator, asOf, group, compare, tab } = getState().view;
    const center = map.getCenter();
    writeUrlState({ commune, region, indicator, asOf, group, compare, tab, view: { zoom: map.getZoom(), center: [center.lng, center.lat] } });
    afterWrite();
  };
  subscribe('view', write);
  map.on('moveend', write);
}
