// kheo's map page: loads the strings, the config, the communes and the layer catalogue,
// then draws the chosen commune's layers, the legend and the click popups.
//
// For tests: `window.kheo = { map, ... }`, and `<html data-ready="1">` once the map has
// been idle for the first time with every layer added.

import { getCommunes, getConfig, getLayers } from './api.js';
import { loadI18n, rememberLang, switchLangUrl, t } from './i18n.js';
import { createMap, fitToCommune, FitControl } from './map.js';
import { addBasemap, addLayers, enableGroupHover } from './layers.js';
import { renderLegend } from './legend.js';
import { enablePopups } from './popup.js';

const $ = (selector) => document.querySelector(selector);

function showError(message) {
  $('.status').hidden = true;
  const box = $('.error');
  box.hidden = false;
  $('.error-detail').textContent = message;
  $('.error-retry').onclick = () => location.reload();
}

/** The commune to show: `?commune=CODE`, else the configured default, else the first one. */
function chooseCommune(communes, config) {
  const wanted = new URLSearchParams(location.search).get('commune') ?? config.default_commune;
  if (wanted) {
    const found = communes.find((c) => c.code === wanted);
    if (found) return found;
    if (new URLSearchParams(location.search).has('commune')) {
      throw new Error(t('error.unknown_commune', { code: wanted }));
    }
  }
  if (communes.length === 0) throw new Error(t('error.no_commune'));
  return communes[0];
}

async function start() {
  const lang = await loadI18n();
  const switcher = $('.lang-switch');
  switcher.href = switchLangUrl();
  switcher.addEventListener('click', () => rememberLang(lang === 'vi' ? 'en' : 'vi'));

  const [config, communes, catalogue] = await Promise.all([getConfig(), getCommunes(), getLayers()]);
  const commune = chooseCommune(communes, config);
  document.title = `${t('app.name')} · ${commune.name}`;

  const container = $('#map');
  const map = createMap(container, {
    bbox: commune.bbox,
    ariaLabel: t('map.region', { commune: commune.name }),
    locale: {
      'NavigationControl.ZoomIn': t('maplibre.zoom_in'),
      'NavigationControl.ZoomOut': t('maplibre.zoom_out'),
      'AttributionControl.ToggleAttribution': t('maplibre.toggle_attribution'),
      'Map.Title': t('maplibre.map_title'),
    },
  });
  window.kheo = { map, commune, catalogue, config };
  map.addControl(new FitControl(t('map.fit_commune', { commune: commune.name }), () => fitToCommune(map, commune.bbox)), 'top-right');

  map.on('error', (event) => {
    console.error('map error:', event.error?.message ?? event.error ?? event);
  });

  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));

  const styleLayers = addLayers(map, catalogue, commune.code);
  addBasemap(map, config.basemap);
  window.kheo.styleLayers = styleLayers;

  renderLegend($('.legend'), { map, catalogue, styleLayers, commune });
  enableGroupHover(map);
  enablePopups(map, catalogue);

  map.once('idle', () => {
    $('.status').hidden = true;
    document.documentElement.dataset.ready = '1';
  });
}

start().catch((error) => {
  console.error(error);
  showError(error.message ?? String(error));
});
