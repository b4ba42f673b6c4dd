// @ts-check
// The click popup: the layer's title, the feature's name, then each attribute with its
// catalogue title and its value formatted the Vietnamese way; for a line, its length on the
// ellipsoid and the groups it lies in (how much in each); for a point, its group.
//
// A click looks at every clickable layer under the pointer (a few pixels around it, so that
// thin lines are easy to hit). When several works are there (a lit road: the road and its
// lighting line) the popup lists them and shows the most specific: a site before a line, a
// road before what runs along it; a click on another in the list shows that one. A click on
// a group alone opens its page in the panel.
//
// A work's popup ends with its photos (photos.js): thumbnails that open the photo, and for
// the editors of its commune the upload and the delete.
//
// The feature shown is outlined on the map, and the popup opens where it can be read: on the
// side of its point that is clear of the legend, the header card, the map's buttons and the
// editing toolbar, the map moving a little when no side is (popup-place.js).

import { getFeature } from './api.js';
import { formatField, formatInteger } from './format.js';
import { geodesicLength, lengthInAreas, pointInPolygon } from './geodesy.js';
import { t, title, termLabel } from './i18n.js';
import { clickableStyleLayerIds } from './layers.js';
import { maplibregl } from './map.js';
import { workPhotos } from './photos.js';
import { placePopup } from './popup-place.js';
import { getState } from './state.js';

/**
 * @import { Geometry, Position } from 'geojson'
 * @import { FilterSpecification, GeoJSONSource, LngLatLike, Map as MapLibreMap, MapGeoJSONFeature, Point, Popup } from 'maplibre-gl'
 * @import { CatalogueLayer, FeatureId, LayerFeature } from './types.js'
 * @import { Rect } from './popup-place.js'
 */

/**
 * A feature under the click: its catalogue layer, id, properties, and geometry as drawn
 * (cut to the tiles it shows in).
 * @typedef {{ layer: CatalogueLayer, id: FeatureId, properties: Record<string, unknown>, geometry: Geometry }} Candidate
 */

/** The map's source and style layers that outline the feature shown. */
const CHOSEN = 'kheo-chosen';
const HIGHLIGHT = '#0b6bcb';

/** The popup's widest, in CSS pixels (narrower where the map has less room). */
const MAX_WIDTH = 360;

/** The pixels between the popup and its point (MapLibre's tip and the offset). */
const GAP = 8 + 10;

/** The one popup controller, made by enablePopups (the search opens features through it). */
/** @type {((layerId: string, id: FeatureId) => Promise<void>) | null} */
let openById = null;

/**
 * Builds the popup's content for `feature` of catalogue layer `layer` (DOM, no innerHTML).
 * @param {CatalogueLayer} layer
 * @param {{ properties?: Record<string, unknown> | null }} feature
 */
export function popupContent(layer, feature) {
  const props = feature.properties ?? {};
  const root = document.createElement('div');
  root.className = 'kheo-popup';

  const kicker = document.createElement('div');
  kicker.className = 'kheo-popup-layer';
  kicker.textContent = title(layer.title);
  root.append(kicker);

  const heading = document.createElement('h2');
  heading.className = 'kheo-popup-name';
  heading.textContent = String(props.name || t('popup.unnamed'));
  root.append(heading);

  const table = document.createElement('dl');
  table.className = 'kheo-popup-fields';
  for (const field of layer.fields ?? []) {
    if (field.name === 'name') continue;
    const text = formatField(field, props[field.name], termLabel);
    if (text === null) continue;
    const dd = row(table, title(field.title), text);
    if (field.type === 'integer' || field.type === 'number') dd.classList.add('num');
    // Long texts (descriptions, notes) take the full width under their title.
    if (field.type === 'text' && text.length > 32) {
      dd.classList.add('wide');
      dd.previousElementSibling?.classList.add('wide');
    }
  }
  const empty = document.createElement('p');
  empty.className = 'kheo-popup-empty';
  empty.textContent = t('popup.no_data');
  empty.hidden = table.childElementCount > 0;
  root.append(table, empty);
  return root;
}

/**
 * Adds a title and its value to a popup's list; returns the value's element.
 * @param {HTMLElement} table the `<dl>`
 * @param {string} label
 * @param {string} value
 * @param {string} [key] `data-key` of the row (for the browser tests)
 */
function row(table, label, value, key) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (key) {
    dt.dataset.key = key;
    dd.dataset.key = key;
  }
  table.append(dt, dd);
  return dd;
}

/**
 * What the whole feature says beyond its attributes: a line's length on the ellipsoid, and
 * the groups it lies in (metres in each when more than one); a point's group. Added to the
 * popup's list once the feature is loaded.
 * @param {HTMLElement} content what popupContent made
 * @param {LayerFeature} feature
 * @param {CatalogueLayer | undefined} groupsLayer names the groups' row
 */
function addPlaceRows(content, feature, groupsLayer) {
  const table = content.querySelector('.kheo-popup-fields');
  if (!(table instanceof HTMLElement) || !feature.geometry) return;
  const geometry = feature.geometry;
  const groups = getState().data.geojson?.features ?? [];
  const isLine = geometry.type === 'LineString' || geometry.type === 'MultiLineString';
  /** @type {string[]} */
  let inGroups = [];
  if (isLine) {
    const metres = geodesicLength(geometry);
    row(table, t('popup.length'), `${formatInteger(Math.round(metres))}\u00a0m`, 'length').classList.add('num');
    const shares = lengthInAreas(geometry, groups.map((g) => ({ key: g.properties.name, geometry: g.geometry })));
    inGroups = shares.length === 1
      ? [shares[0].key]
      : shares.map((s) => `${s.key} (${formatInteger(Math.round(s.metres))}\u00a0m)`);
  } else if (geometry.type === 'Point') {
    const group = groups.find((g) => pointInPolygon(geometry.coordinates, g.geometry));
    if (group) inGroups = [group.properties.name];
  }
  if (inGroups.length && groupsLayer) row(table, title(groupsLayer.title), inGroups.join(', '), 'groups');
  const empty = content.querySelector('.kheo-popup-empty');
  if (empty instanceof HTMLElement) empty.hidden = table.childElementCount > 0;
}

/**
 * Where on a feature its popup points: a point itself, the middle of a line (half its
 * length along it), else `fallback` (the click).
 * @param {Geometry} geometry
 * @param {LngLatLike | null} fallback
 * @returns {LngLatLike | null}
 */
function pointOn(geometry, fallback) {
  if (geometry.type === 'Point') return /** @type {[number, number]} */ (geometry.coordinates);
  if (fallback) return fallback;
  const line = geometry.type === 'LineString' ? geometry.coordinates : geometry.type === 'MultiLineString' ? geometry.coordinates[0] : null;
  if (!line || line.length === 0) return null;
  const half = geodesicLength({ type: 'LineString', coordinates: line }) / 2;
  let walked = 0;
  for (let i = 1; i < line.length; i += 1) {
    const step = geodesicLength({ type: 'LineString', coordinates: [line[i - 1], line[i]] });
    if (walked + step >= half && step > 0) {
      const k = (half - walked) / step;
      return [line[i - 1][0] + k * (line[i][0] - line[i - 1][0]), line[i - 1][1] + k * (line[i][1] - line[i - 1][1])];
    }
    walked += step;
  }
  return /** @type {[number, number]} */ (line[0]);
}

/**
 * The box of an element in the map container's pixels, or null when it is not shown.
 * @param {Element | null} element
 * @param {DOMRect} origin the container's box
 * @returns {Rect | null}
 */
function boxIn(element, origin) {
  if (!(element instanceof HTMLElement) || element.hidden || element.offsetParent === null) return null;
  const r = element.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return null;
  return { left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top };
}

/** What lies over the map and must not hide a popup. */
const OVER_THE_MAP = ['.legend', '.maplibregl-ctrl-top-right', '.maplibregl-ctrl-bottom-right', '.edit-toolbar', '.present-legend'];

/**
 * The part of the map a popup may cover, and what lies over it, in the container's pixels:
 * the container less a margin, above the panel where a phone's panel overlaps the map's
 * bottom; the legend, the map's buttons, the toolbar.
 * @param {MapLibreMap} map
 * @returns {{ free: Rect, obstacles: Rect[] }}
 */
function freeArea(map) {
  const container = map.getContainer();
  const origin = container.getBoundingClientRect();
  const margin = 8;
  const free = { left: margin, top: margin, right: origin.width - margin, bottom: Math.min(origin.height, innerHeight - origin.top) - margin };
  const panel = document.querySelector('.panel');
  if (panel instanceof HTMLElement) {
    const p = panel.getBoundingClientRect();
    // The panel under the map (a phone): the map ends where the panel starts.
    if (p.top > origin.top && p.top < origin.bottom && p.left < origin.right && p.right > origin.left) {
      free.bottom = Math.min(free.bottom, p.top - origin.top - margin);
    }
  }
  const obstacles = OVER_THE_MAP.flatMap((selector) => [...document.querySelectorAll(selector)].map((e) => boxIn(e, origin)))
    .filter((r) => r !== null)
    .map((r) => ({ left: r.left - 4, top: r.top - 4, right: r.right + 4, bottom: r.bottom + 4 }));
  return { free, obstacles };
}

/**
 * The free area less the bands across it: what lies along the map's top or bottom and leaves
 * too little room beside it for a popup `width` wide (the legend, the header card and the
 * map's buttons on a phone) must have the popup above or below it, so the popup's content
 * is bounded by the height between them.
 * @param {Rect} free
 * @param {Rect[]} obstacles
 * @param {number} width the popup's width
 * @returns {Rect}
 */
function clearOfBands(free, obstacles, width) {
  const band = { ...free };
  const middle = (free.top + free.bottom) / 2;
  for (const o of obstacles) {
    const covered = Math.max(0, Math.min(o.right, free.right) - Math.max(o.left, free.left));
    const across = free.right - free.left - covered < width;
    if (!across || o.bottom - o.top > (free.bottom - free.top) / 2) continue;
    if (o.bottom <= middle) band.top = Math.max(band.top, o.bottom);
    else if (o.top >= middle) band.bottom = Math.min(band.bottom, o.top);
  }
  return band;
}

/**
 * Sets the popup's width and height to what the map has room for, chooses its side and moves
 * the map if it must, so that the popup is read in full (popup-place.js).
 * @param {MapLibreMap} map
 * @param {Popup} popup
 */
function keepInView(map, popup) {
  const element = popup.getElement();
  if (!element) return;
  const area = freeArea(map);
  const { obstacles } = area;
  // The width beside what runs down the map (the legend, on a wide screen) bounds the popup's,
  // the free height between what lies across the map its content's.
  const freeWidth = area.free.right - area.free.left;
  const columns = obstacles.filter((o) => o.bottom - o.top > (area.free.bottom - area.free.top) / 2);
  const beside = freeWidth - columns.reduce((w, o) => w + Math.max(0, Math.min(o.right, area.free.right) - Math.max(o.left, area.free.left)), 0);
  const width = Math.round(Math.max(220, Math.min(MAX_WIDTH, beside)));
  popup.setMaxWidth(`${width}px`);
  const free = clearOfBands(area.free, obstacles, width);
  const content = element.querySelector('.maplibregl-popup-content');
  // The room less the gap to the point, the tip (10 px, counted in the popup's height) and
  // the point's own margin (popup-place.js), so that a popup between bands still fits.
  if (content instanceof HTMLElement) content.style.maxHeight = `${Math.max(160, Math.round(free.bottom - free.top - GAP - 10 - 16))}px`;
  const point = map.project(popup.getLngLat());
  const placed = placePopup(point, { width: element.offsetWidth, height: element.offsetHeight, gap: GAP }, free, obstacles);
  popup.options.anchor = placed.anchor;
  popup.setOffset(popup.options.offset); // MapLibre places it again, on that side
  if (placed.dx || placed.dy) map.panBy([-placed.dx, -placed.dy], { duration: 250 });
}

/**
 * Outlines `geometry` on the map (null: nothing).
 * @param {MapLibreMap} map
 * @param {Geometry | null} geometry
 */
function outline(map, geometry) {
  const source = /** @type {GeoJSONSource | undefined} */ (map.getSource(CHOSEN));
  source?.setData({ type: 'FeatureCollection', features: geometry ? [{ type: 'Feature', geometry, properties: {} }] : [] });
}

/**
 * The source and style layers that outline the feature shown, above everything.
 * @param {MapLibreMap} map
 */
function addOutlineLayers(map) {
  if (map.getSource(CHOSEN)) return;
  map.addSource(CHOSEN, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  /** @type {FilterSpecification} */
  const lines = ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']]];
  map.addLayer({ id: `${CHOSEN}-halo`, type: 'line', source: CHOSEN, filter: lines, layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': 9, 'line-opacity': 0.9 } });
  map.addLayer({ id: `${CHOSEN}-line`, type: 'line', source: CHOSEN, filter: lines, layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': HIGHLIGHT, 'line-width': 4 } });
  map.addLayer({ id: `${CHOSEN}-point`, type: 'circle', source: CHOSEN, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 13, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': HIGHLIGHT, 'circle-stroke-width': 3.5 } });
}

/**
 * Opens a popup on click for the features under the pointer, and shows a pointer cursor
 * over them. A click on a group with no work over it calls `onGroup(id)` instead (its page
 * opens in the panel).
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {{ onGroup?: ((id: number) => void) | null }} [options]
 * @returns {Popup}
 */
export function enablePopups(map, catalogue, { onGroup = null } = {}) {
  if (!maplibregl) throw new Error('MapLibre GL JS is not loaded');
  const byId = new Map(catalogue.map((layer) => [layer.id, layer]));
  const groupsLayer = catalogue.find((layer) => layer.role === 'area');
  const popup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, maxWidth: `${MAX_WIDTH}px`, offset: 8 });
  const tolerance = 5;
  addOutlineLayers(map);
  popup.on('close', () => outline(map, null));
  /** Each popup opened: a feature loaded for an older one is dropped. */
  let opened = 0;

  /**
   * The features under `point`, most specific first, each once.
   * @param {Point} point
   * @returns {Candidate[]}
   */
  const candidatesAt = (point) => {
    const layers = clickableStyleLayerIds(map, catalogue).filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    if (layers.length === 0) return [];
    const found = map.queryRenderedFeatures([[point.x - tolerance, point.y - tolerance], [point.x + tolerance, point.y + tolerance]], { layers });
    /** @param {MapGeoJSONFeature} f */
    const rank = (f) => layers.indexOf(f.layer.id);
    found.sort((a, b) => rank(a) - rank(b));
    /** @type {Map<string, Candidate>} */
    const seen = new Map();
    for (const f of found) {
      const layer = byId.get(f.source);
      if (!layer || f.id === undefined || f.id === null) continue;
      const key = `${layer.id}/${f.id}`;
      if (!seen.has(key)) seen.set(key, { layer, id: f.id, properties: f.properties ?? {}, geometry: f.geometry });
    }
    return [...seen.values()];
  };

  /**
   * Shows `candidates[index]` in the popup, with the list of the others when there are several.
   * @param {Candidate[]} candidates
   * @param {number} index
   * @param {LngLatLike | null} at the click (null: on the feature itself)
   * @param {LayerFeature | null} [loaded] the whole feature, when already loaded
   */
  function show(candidates, index, at, loaded = null) {
    const mine = ++opened;
    const chosen = candidates[index];
    const body = popupContent(chosen.layer, { properties: loaded?.properties ?? chosen.properties });
    if (chosen.layer.role === 'work') {
      // Its photos; the popup is placed again once they are in.
      const commune = String((loaded?.properties ?? chosen.properties).commune ?? getState().data.coverage?.commune.code ?? '') || null;
      body.append(workPhotos({
        layer: chosen.layer.id,
        id: chosen.id,
        commune,
        onResize: () => {
          if (mine === opened && popup.isOpen()) keepInView(map, popup);
        },
      }));
    }
    const root = candidates.length > 1 ? chooser(candidates, index, (i) => show(candidates, i, at)) : null;
    if (root) root.append(body);
    const where = pointOn(loaded?.geometry ?? chosen.geometry, at);
    if (!where) return;
    popup.setLngLat(where).setDOMContent(root ?? body);
    if (!popup.isOpen()) popup.addTo(map);
    popup.getElement()?.setAttribute('data-feature', `${chosen.layer.id}/${chosen.id}`);
    outline(map, loaded?.geometry ?? chosen.geometry);
    keepInView(map, popup);
    // The whole feature: its length, its groups, its whole outline (the map's copy is cut).
    const whole = loaded ? Promise.resolve(loaded) : getFeature(chosen.layer.id, chosen.id);
    whole.then((feature) => {
      if (mine !== opened || !popup.isOpen()) return;
      addPlaceRows(body, feature, groupsLayer);
      outline(map, feature.geometry);
      keepInView(map, popup); // two rows longer
      popup.getElement()?.setAttribute('data-loaded', '1');
    }).catch((error) => console.warn('popup:', error));
  }

  map.on('click', (event) => {
    const candidates = candidatesAt(event.point);
    const works = candidates.filter((c) => c.layer.role === 'work').sort(bySpecificity);
    const first = candidates[0];
    if (!first) {
      popup.remove();
      return;
    }
    if (works.length === 0 && first.layer.role === 'area' && onGroup) {
      // A group opens its page in the panel instead of a popup.
      popup.remove();
      onGroup(Number(first.id));
      return;
    }
    show(works.length ? works : [first], 0, works.length && works[0].geometry.type === 'Point' ? null : event.lngLat);
  });

  map.on('mousemove', (event) => {
    map.getCanvas().style.cursor = candidatesAt(event.point).length ? 'pointer' : '';
  });

  openById = async (layerId, id) => {
    const layer = byId.get(layerId);
    if (!layer) return;
    const feature = await getFeature(layerId, id);
    if (!feature.geometry) return;
    await frame(map, feature.geometry);
    show([{ layer, id, properties: feature.properties ?? {}, geometry: feature.geometry }], 0, null, feature);
  };
  return popup;
}

/** The rank of a geometry in a popup's list: points, then lines, then areas. */
const GEOMETRY_RANK = { point: 0, line: 1, polygon: 2 };

/**
 * The order of the works under a click: a site before a line; among lines, the one drawn
 * lowest first (the road before the lighting or the flowers along it, which are drawn over
 * it); else as the map lists them.
 * @param {Candidate} a
 * @param {Candidate} b
 */
const bySpecificity = (a, b) => (GEOMETRY_RANK[a.layer.geometry] - GEOMETRY_RANK[b.layer.geometry])
  || (a.layer.geometry === 'line' ? a.layer.draw_order - b.layer.draw_order : 0);

/**
 * The list of the works under the click, the one shown pressed; choosing another calls
 * `onChoose(index)`.
 * @param {Candidate[]} candidates
 * @param {number} index the one shown
 * @param {(index: number) => void} onChoose
 */
function chooser(candidates, index, onChoose) {
  const root = document.createElement('div');
  root.className = 'kheo-popup-multi';
  const nav = document.createElement('nav');
  nav.className = 'kheo-popup-choices';
  nav.setAttribute('aria-label', t('popup.choices_label'));
  const heading = document.createElement('p');
  heading.className = 'kheo-popup-choices-title';
  heading.textContent = t('popup.choices', { n: candidates.length });
  const list = document.createElement('ul');
  candidates.forEach((c, i) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'kheo-popup-choice';
    button.dataset.layer = c.layer.id;
    button.setAttribute('aria-pressed', String(i === index));
    const kind = document.createElement('span');
    kind.className = 'kheo-popup-choice-layer';
    kind.textContent = title(c.layer.title);
    const name = document.createElement('span');
    name.className = 'kheo-popup-choice-name';
    name.textContent = String(c.properties.name || t('popup.unnamed'));
    button.append(kind, name);
    button.addEventListener('click', () => {
      if (i !== index) onChoose(i);
    });
    const li = document.createElement('li');
    li.append(button);
    list.append(li);
  });
  nav.append(heading, list);
  root.append(nav);
  return root;
}

/**
 * Frames a feature found by the search (a point at street level), resolving once the map
 * has stopped moving.
 * @param {MapLibreMap} map
 * @param {Geometry} geometry
 * @returns {Promise<void>}
 */
function frame(map, geometry) {
  /** @type {Position[]} */
  const positions = [];
  /** @param {unknown} c */
  const walk = (c) => {
    if (Array.isArray(c) && typeof c[0] === 'number') positions.push(/** @type {Position} */ (c));
    else if (Array.isArray(c)) c.forEach(walk);
  };
  if ('coordinates' in geometry) walk(geometry.coordinates);
  if (positions.length === 0) return Promise.resolve();
  const xs = positions.map((p) => p[0]);
  const ys = positions.map((p) => p[1]);
  const { free, obstacles } = freeArea(map);
  const container = map.getContainer();
  // Room on the side of the legend and for the popup above the feature.
  const left = Math.max(free.left, ...obstacles.filter((o) => o.left < 40 && o.bottom - o.top > container.clientHeight / 3).map((o) => o.right)) + 24;
  const padding = { top: Math.min(260, container.clientHeight / 3), bottom: 40, left: Math.min(left, container.clientWidth / 2), right: 60 };
  const moved = new Promise((resolve) => {
    map.once('moveend', () => resolve(undefined));
    setTimeout(resolve, 1500); // a frame that moves nothing may end no move
  });
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding, maxZoom: 17, duration: 500 });
  return moved.then(() => undefined);
}

/**
 * Opens the popup of a feature found by the search: the map frames it, outlines it and
 * opens its popup.
 * @param {string} layerId
 * @param {FeatureId} id
 */
export function openFeaturePopup(layerId, id) {
  if (!openById) return Promise.resolve();
  return openById(layerId, id).catch((error) => console.warn('popup of a found feature:', error));
}
