// @ts-check
// Building the page: the strings, the config, the communes and the layer catalogue; the
// commune the URL (or the config) asks for; its map with the catalogue's layers and the
// choropleth of the groups; the panel, the time control, the search, the slides, printing,
// editing. Each part lives in its own module; this one loads the data they start from, puts
// the view in the store (state.js), and wires them together in the order the page needs.

import { getCommunes, getConfig, getLayers, getTimeline } from '../api.js';
import { DEFAULT_INDICATOR, indicatorById } from '../choropleth.js';
import { required } from '../dom.js';
import { enableEditing } from '../edit/index.js';
import { setFormatLang } from '../format.js';
import { loadI18n, t } from '../i18n.js';
import { addBasemap, addLayers } from '../layers.js';
import { renderLegend } from '../legend.js';
import { enablePopups } from '../popup.js';
import { editorHasTheMap, update } from '../state.js';
import { exposeTestHook } from '../testhook.js';
import { createDateControl, fetchCoverage } from './as-of.js';
import { createIndicatorControl, withLabels } from './indicator.js';
import { enableLanguageSwitch } from './language.js';
import { createCommuneMap, mapLoaded } from './map-view.js';
import { createPanel } from './panel.js';
import { enablePrintAndPng } from './print.js';
import { signalReadyWhenDrawn } from './ready.js';
import { createSelection, enableGroupSearch } from './selection.js';
import { enableSlides, openSlidesFromUrl } from './slides.js';
import { readUrlState, syncUrl } from './url.js';

/**
 * @import { Commune, Config, Page, Timeline } from '../types.js'
 * @import { DateControl } from './as-of.js'
 * @import { IndicatorControl } from './indicator.js'
 * @import { Selection } from './selection.js'
 * @import { UrlState } from './url.js'
 */

/**
 * The commune to show: `?commune=CODE`, else the configured default, else the first one.
 * @param {Commune[]} communes
 * @param {Config} config
 * @param {string | null} wanted
 */
function chooseCommune(communes, config, wanted) {
  const code = wanted ?? config.default_commune;
  if (code) {
    const found = communes.find((c) => c.code === code);
    if (found) return found;
    if (wanted) throw new Error(t('error.unknown_commune', { code: wanted }));
  }
  if (communes.length === 0) throw new Error(t('error.no_commune'));
  return communes[0];
}

/** Builds the page; rejects (with the API's status, if any) when it cannot. */
export async function boot() {
  // The API's first answers do not depend on the language: ask for them at once.
  const basics = Promise.all([getConfig(), getCommunes(), getLayers()]);
  const lang = await loadI18n();
  setFormatLang(lang);
  const refreshLanguageLink = enableLanguageSwitch(lang);

  const wanted = readUrlState();
  const [config, communes, catalogue] = await basics;
  const commune = chooseCommune(communes, config, wanted.commune);
  document.title = `${t('app.name')} · ${commune.name}`;
  const indicator = indicatorById(wanted.indicator ?? DEFAULT_INDICATOR).id;
  update('view', { indicator, asOf: wanted.asOf });

  // The numbers and the choropleth's data first (the map waits for them), the timeline beside.
  const first = fetchCoverage(commune.code, wanted.asOf);
  const timeline = getTimeline(commune.code);
  const map = createCommuneMap(commune, wanted.view);
  first.then(() => performance.mark('kheo:coverage-fetched'));
  const [[coverage, geojson]] = await Promise.all([first, mapLoaded(map)]);
  update('data', { coverage, geojson: withLabels(geojson, indicator) });
  // The URL's group, if the commune has it.
  update('view', { group: coverage.groups.find((g) => g.code === wanted.group)?.code ?? null });

  const styleLayers = addLayers(map, catalogue, commune.code, { groupsData: geojson, asOf: wanted.asOf });
  addBasemap(map, config.basemap);
  renderLegend(required('.legend', HTMLElement), { map, catalogue, styleLayers, commune });
  buildParts({ map, commune, catalogue, config, styleLayers }, { wanted, timeline, refreshLanguageLink });
}

/**
 * Makes the page's parts over the map and the first data, in the order they need.
 * @param {Page} page
 * @param {{ wanted: UrlState, timeline: Promise<Timeline>, refreshLanguageLink: () => void }} start
 */
function buildParts(page, { wanted, timeline, refreshLanguageLink }) {
  const { map, catalogue } = page;
  // The parts call each other through these (the panel selects groups, a selection redraws
  // the panel...): each is made below, before anything calls it.
  /** @type {IndicatorControl} */
  let choropleth;
  /** @type {Selection} */
  let selection;
  /** @type {DateControl} */
  let dates;
  const panel = createPanel(page, {
    selectGroup: (id) => selection.select(id),
    setIndicator: (id) => choropleth.set(id),
    pickYear: (year) => dates.pickYear(year),
    hover: (id) => selection.hover(id),
  });
  choropleth = createIndicatorControl(page, { onChange: () => panel.refreshOverview() });
  selection = createSelection(page, panel);
  // While editing (edit/), map clicks belong to the editor: no group page.
  const popup = enablePopups(map, catalogue, { onGroup: (id) => (editorHasTheMap() ? null : selection.select(id)) });
  syncUrl(page, refreshLanguageLink);

  choropleth.apply();
  dates = createDateControl(page, { panel, choropleth, selection });
  // A group from the URL: outlined, and framed unless the URL has a view too.
  selection.showSelected({ frame: !wanted.view });
  panel.render();
  enableGroupSearch(page, selection);

  const presentation = enableSlides(page);
  const preparePrint = enablePrintAndPng(page);
  openSlidesFromUrl(presentation, wanted);

  // Editing for signed-in editors; after each change it reloads what the time slider reloads.
  const editor = enableEditing(page, { popup, refresh: () => dates.refresh() });

  timeline.then((answer) => dates.showTimeline(answer)).catch((error) => console.error('timeline:', error));
  exposeTestHook({ page, presentation, dates, selection, preparePrint, editor });
  signalReadyWhenDrawn(map, timeline);
}
