// @ts-check
// The click popup: the layer's title, the feature's name, then each attribute with its
// catalogue title and its value formatted the Vietnamese way.

import { clickableStyleLayerIds } from './layers.js';
import { formatField } from './format.js';
import { t, title, termLabel } from './i18n.js';
import { maplibregl } from './map.js';

/**
 * @import { Map as MapLibreMap, MapGeoJSONFeature, Point, Popup } from 'maplibre-gl'
 * @import { CatalogueLayer } from './types.js'
 */

/**
 * The catalogue layer id of a style layer id (`roads-paved` -> `roads`).
 * @param {string} styleLayerId
 */
const catalogueIdOf = (styleLayerId) => styleLayerId.replace(/-[a-z]+$/, '');

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
  let rows = 0;
  for (const field of layer.fields ?? []) {
    if (field.name === 'name') continue;
    const text = formatField(field, props[field.name], termLabel);
    if (text === null) continue;
    const dt = document.createElement('dt');
    dt.textContent = title(field.title);
    const dd = document.createElement('dd');
    dd.textContent = text;
    if (field.type === 'integer' || field.type === 'number') dd.className = 'num';
    // Long texts (descriptions, notes) take the full width under their title.
    if (field.type === 'text' && text.length > 32) {
      dt.className = 'wide';
      dd.className = 'wide';
    }
    table.append(dt, dd);
    rows += 1;
  }
  if (rows === 0) {
    const empty = document.createElement('p');
    empty.className = 'kheo-popup-empty';
    empty.textContent = t('popup.no_data');
    root.append(empty);
  } else {
    root.append(table);
  }
  return root;
}

/**
 * Opens a popup on click for the topmost feature under the pointer (with a few pixels of
 * tolerance so that thin lines are easy to hit), and shows a pointer cursor over features.
 * A click on a group calls `onGroup(id)` instead (its page opens in the panel).
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {{ onGroup?: ((id: number) => void) | null }} [options]
 * @returns {Popup}
 */
export function enablePopups(map, catalogue, { onGroup = null } = {}) {
  if (!maplibregl) throw new Error('MapLibre GL JS is not loaded');
  const byId = new Map(catalogue.map((layer) => [layer.id, layer]));
  const popup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, maxWidth: '360px', offset: 8 });
  const tolerance = 5;

  /**
   * The feature a click at `point` is for, or null.
   * @param {Point} point
   * @returns {MapGeoJSONFeature | null}
   */
  const pick = (point) => {
    const layers = clickableStyleLayerIds(map, catalogue).filter(
      (id) => map.getLayoutProperty(id, 'visibility') !== 'none',
    );
    if (layers.length === 0) return null;
    const found = map.queryRenderedFeatures([[point.x - tolerance, point.y - tolerance], [point.x + tolerance, point.y + tolerance]], { layers });
    if (found.length === 0) return null;
    // Prefer the most specific layer (sites over lines over areas), then the topmost.
    /** @param {MapGeoJSONFeature} f */
    const rank = (f) => layers.indexOf(f.layer.id);
    found.sort((a, b) => rank(a) - rank(b));
    return found[0];
  };

  map.on('click', (event) => {
    const feature = pick(event.point);
    if (!feature) {
      popup.remove();
      return;
    }
    const layerId = catalogueIdOf(feature.layer.id);
    if (layerId === 'groups' && onGroup) {
      // A group opens its page in the panel instead of a popup.
      popup.remove();
      onGroup(Number(feature.id));
      return;
    }
    const layer = byId.get(layerId);
    if (!layer) return;
    const at = feature.geometry.type === 'Point' ? /** @type {[number, number]} */ (feature.geometry.coordinates) : event.lngLat;
    popup.setLngLat(at).setDOMContent(popupContent(layer, feature)).addTo(map);
  });

  map.on('mousemove', (event) => {
    map.getCanvas().style.cursor = pick(event.point) ? 'pointer' : '';
  });

  return popup;
}
