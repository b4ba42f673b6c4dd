// @ts-check
// The map of the commune shown: framed on it (or on the URL's view), with the page's strings
// for MapLibre's controls and a button that frames the commune again. Its errors go to the
// console (a tile or source that fails must not stop the page).

import { required } from '../dom.js';
import { t } from '../i18n.js';
import { GLYPHS_URL, GROUP_LABELS } from '../layers.js';
import { createMap, FitControl, fitToCommune } from '../map.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { Commune, MapView } from '../types.js'
 */

/**
 * @param {Commune} commune
 * @param {MapView | null} view the URL's view, if any (it wins over the commune's box)
 * @returns {MapLibreMap}
 */
export function createCommuneMap(commune, view) {
  const map = createMap(required('#map', HTMLElement), {
    bbox: commune.bbox,
    view,
    glyphs: GROUP_LABELS ? GLYPHS_URL : null,
    ariaLabel: t('map.region', { commune: commune.name }),
    locale: {
      'NavigationControl.ZoomIn': t('maplibre.zoom_in'),
      'NavigationControl.ZoomOut': t('maplibre.zoom_out'),
      'AttributionControl.ToggleAttribution': t('maplibre.toggle_attribution'),
      'Map.Title': t('maplibre.map_title'),
    },
  });
  performance.mark('kheo:map-created');
  map.once('load', () => performance.mark('kheo:map-loaded'));
  map.addControl(new FitControl(t('map.fit_commune', { commune: commune.name }), () => fitToCommune(map, commune.bbox)), 'top-right');
  map.on('error', (event) => {
    console.error('map error:', event.error?.message ?? event.error ?? event);
  });
  return map;
}

/**
 * Resolves once the map's style has loaded (at once if it has).
 * @param {MapLibreMap} map
 * @returns {Promise<void>}
 */
export const mapLoaded = (map) => new Promise((resolve) => {
  if (map.loaded()) resolve();
  else map.once('load', () => resolve());
});
