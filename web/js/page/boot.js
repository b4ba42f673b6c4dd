// @ts-check
// Building the page: the strings, the config, the communes, the regions and the two
// catalogues (layers, indicators); then a region's page (`?region=R`, page/region.js) or the
// commune the URL (or the config) asks for: its map with the catalogue's layers and the
// choropleth of its groups; the panel, the time control, the search, the slides, printing,
// editing. Each part lives in its own module; this one loads the data they start from, puts
// the view in the store (state.js), and wires them together in the order the page needs.

import { getCommunes, getConfig, getIndicators, getLayers, getRegions, getTimeline } from '../api.js';
import { choroplethIndicator } from '../choropleth.js';
import { required } from '../dom.js';
import { enableEditing } from '../edit/index.js';
import { setFormatLang } from '../format.js';
import { loadI18n, t } from '../i18n.js';
import { setIndicatorCatalogue } from '../indicators.js';
import { addBasemap, addLayers } from '../layers.js';
import { renderLegend } from '../legend.js';
import { enablePopups } from '../popup.js';
import { editorHasTheMap, loaded, subscribe, update } from '../state.js';
import { exposeTestHook } from '../testhook.js';
import { createDateControl, fetchCoverage } from './as-of.js';
import { createIndicatorControl, withLabels } from './indicator.js';
import { enableLanguageSwitch } from './language.js';
import { createCommuneMap, mapLoaded } from './map-view.js';
import { createPanel } from './panel.js';
import { enablePlaces } from './places.js';
import { enablePrintAndPng } from './print.js';
import { signalReadyWhenDrawn } from './ready.js';
import { enableReport } from './report.js';
import { bootRegion } from './region.js';
import { createSelection, enableGroupSearch } from './selection.js';
import { enableSlides, openSlidesFromUrl } from './slides.js';
import { readUrlState, syncUrl } from './url.js';

/**
 * @import { Commune, Config, Page, Region, Timeline } from '../types.js'
 * @import { DateControl } from './as-of.js'
 * @import { IndicatorControl } from './indicator.js'
 * @import { Selection } from './selection.js'
 * @import { UrlState } from './url.js'
 */

/** The first coloured indicator, when the URL names none. */
const DEFAULT_INDICATOR = 'concrete_pct';

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
  const basics = Promise.all([getConfig(), getCommunes(), getLayers(), getIndicators(), getRegions()]);
  const lang = await loadI18n();
  setFormatLang(lang);
  const refreshLanguageLink = enableLanguageSwitch(lang);

  const wanted = readUrlState();
  const [config, communes, catalogue, indicators, regions] = await basics;
  setIndicatorCatalogue(indicators);
  if (wanted.region && !wanted.commune) {
    const region = regions.find((r) => r.code === wanted.region);
    if (!region) throw new Error(t('error.unknown_region', { code: wanted.region }));
    await bootRegion({ config, catalogue, region, regions, wanted, refreshLanguageLink });
    return;
  }
  const commune = chooseCommune(communes, config, wanted.commune);
  document.title = `${t('app.name')} · ${commune.name}`;
  const indicator = choroplethIndicator(wanted.indicator ?? DEFAULT_INDICATOR, 'group').id;
  update('view', { indicator, asOf: wanted.asOf, compare: wanted.compare, tab: wanted.tab });

  // The numbers and the choropleth's data first (the map waits for them), the timeline beside.
  const first = fetchCoverage(commune.code, wanted.asOf, wanted.compare);
  const timeline = getTimeline(commune.code);
  const map = createCommuneMap(commune, wanted.view);
  first.then(() => performance.mark('kheo:coverage-fetched'));
  const [[coverage, geojson, compared]] = await Promise.all([first, mapLoaded(map)]);
  update('data', { coverage, geojson: withLabels(geojson, indicator, 'group'), compared });
  // The URL's group, if the commune has it.
  update('view', { group: coverage.groups.find((g) => g.code === wanted.group)?.code ?? null });

  const { styleLayers, units } = addLayers(map, catalogue, { commune: commune.code }, { unitsData: geojson, asOf: wanted.asOf });
  addBasemap(map, config.basemap, catalogue);
  renderLegend(required('.legend', HTMLElement), { map, catalogue, styleLayers, place: commune });
  const from = wanted.region ? regions.find((r) => r.code === wanted.region) ?? null : null;
  buildParts({ map, commune, catalogue, config, styleLayers, units }, { wanted, timeline, refreshLanguageLink, regions, from });
}

/**
 * Makes the page's parts over the map and the first data, in the order they need.
 * @param {Page} page
 * @param {{ wanted: UrlState, timeline: Promise<Timeline>, refreshLanguageLink: () => void, regions: Region[], from: Region | null }} start
 *   `from`: the region the planner came from (the way back)
 */
function buildParts(page, { wanted, timeline, refreshLanguageLink, regions, from }) {
  const { map, catalogue, commune } = page;
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
    compareWith: (date) => dates.compareWith(date),
    from,
  });
  choropleth = createIndicatorControl(page, { level: 'group', onChange: () => panel.refreshOverview() });
  selection = createSelection(page, panel);
  // While editing (edit/), map clicks belong to the editor: no group page.
  const popup = enablePopups(map, catalogue, { onGroup: (id) => (editorHasTheMap() ? null : selection.select(id)) });
  // The slides start on a clean map: a popup left open closes.
  subscribe('presentation', ({ active }) => { if (active) popup.remove(); });
  syncUrl({ map, commune: commune.code, region: from?.code ?? null }, refreshLanguageLink);
  enablePlaces(regions, { commune, region: from });

  choropleth.apply();
  dates = createDateControl(page, { panel, choropleth, selection });
  // A group from the URL: outlined, and framed unless the URL has a view too.
  selection.showSelected({ frame: !wanted.view });
  panel.render();
  enableGroupSearch(page, selection);

  const presentation = enableSlides(page);
  const preparePrint = enablePrintAndPng(page);
  enableReport({ commune: page.commune.code }, () => loaded().coverage.as_of ?? null);
  openSlidesFromUrl(presentation, wanted);

  // Editing for signed-in editors; after each change it reloads what the time slider reloads.
  const editor = enableEditing(page, { popup, refresh: () => dates.refresh() });

  timeline.then((answer) => dates.showTimeline(answer)).catch((error) => console.error('timeline:', error));
  exposeTestHook({ page, presentation, dates, selection, preparePrint, editor });
  signalReadyWhenDrawn(map, timeline);
}
