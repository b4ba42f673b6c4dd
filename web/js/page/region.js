// @ts-check
// A region's page (`?region=R`): a province, a district (or a former one) or a cluster of
// communes. Its communes are the choropleth's units (their polygons with their figures,
// /api/coverage.geojson?region=, drawn with the catalogue's `area` style and labelled), the
// panel ranks them (region-panel.js), the time slider moves the whole page to a date, the
// search box finds its communes, a click on a commune opens the commune's page (keeping the
// indicator and the date, with the way back), and the slides present the region
// (region-slides.js). Works are drawn from vector tiles (/tiles/{layer}/{z}/{x}/{y}.mvt), a
// layer at a time when the planner shows it in the legend.

import { errorMessage, getRegionCoverage, getRegionGeojson, getRegionTimeline } from '../api.js';
import { choroplethIndicator, indicatorValue } from '../choropleth.js';
import { required } from '../dom.js';
import { downloadPng, PAPER_FORMATS, preparePrintMap, preparePrintNow, setPaper } from '../export.js';
import { t } from '../i18n.js';
import { addBasemap, addLayers, addRegionWork, clickableStyleLayerIds, catalogueIdOf, enableUnitHover, layerOfRole, setUnitsData, setWorksAsOf, workLayers } from '../layers.js';
import { renderLegend } from '../legend.js';
import { fitToCommune, geometryBbox, maplibregl } from '../map.js';
import { popupContent } from '../popup.js';
import { enablePresentation } from '../present.js';
import { regionDeck } from '../region-slides.js';
import { getState, loadedRegion, subscribe, update } from '../state.js';
import { enableTimeControl } from '../time.js';
import { exposeRegionTestHook } from '../testhook.js';
import { showError } from './errors.js';
import { createIndicatorControl, withLabels } from './indicator.js';
import { createCommuneMap, mapLoaded } from './map-view.js';
import { enablePlaces } from './places.js';
import { signalReadyWhenDrawn } from './ready.js';
import { createRegionPanel, commonTargets } from './region-panel.js';
import { enableRegionSearch } from './region-search.js';
import { enableReport } from './report.js';
import { communeUrl, syncUrl } from './url.js';

/**
 * @import { Map as MapLibreMap, Point, Popup } from 'maplibre-gl'
 * @import { CatalogueLayer, Commune, CommuneReport, Config, Region } from '../types.js'
 * @import { PrintParts } from '../export.js'
 * @import { SheetView } from '../print/sheet.js'
 * @import { Units } from '../layers.js'
 * @import { UrlState } from './url.js'
 */

/**
 * Whether a region's works are drawn when its page opens. They come from vector tiles
 * (/tiles/{layer}/{z}/{x}/{y}.mvt?region=), so a province's thousands of kilometres cost only
 * the tiles in view; still, a province opens on its communes' choropleth, where a click
 * opens a commune, and the legend offers each works layer unchecked: checking it draws it
 * at every zoom.
 */
export const REGION_WORKS_AT_START = false;

/**
 * What a region's page is built on, fixed once loaded.
 * @typedef {object} RegionPage
 * @property {MapLibreMap} map
 * @property {Region} region
 * @property {Commune} place the region as a place: its name, its kind and its box
 * @property {CatalogueLayer[]} catalogue
 * @property {Config} config
 * @property {Record<string, string[]>} styleLayers
 * @property {Units | null} units its communes on the map
 */

/**
 * The region, its coverage at a date and its communes' polygons, and its coverage at the date
 * compared with, fetched together.
 * @param {string} region
 * @param {string | null} asOf
 * @param {string | null} compare
 */
const fetchRegion = (region, asOf, compare) => Promise.all([
  getRegionCoverage(region, asOf),
  getRegionGeojson(region, asOf),
  compare ? getRegionCoverage(region, compare) : Promise.resolve(null),
]);

/**
 * Builds a region's page.
 * @param {{ config: Config, catalogue: CatalogueLayer[], region: Region, regions: Region[], wanted: UrlState, refreshLanguageLink: () => void }} start
 */
export async function bootRegion({ config, catalogue, region, regions, wanted, refreshLanguageLink }) {
  document.title = `${t('app.name')} · ${region.name}`;
  document.documentElement.dataset.page = 'region';
  const indicator = choroplethIndicator(wanted.indicator ?? 'concrete_pct', 'commune').id;
  // A ranking: the communes by the indicator, best first.
  update('view', { indicator, asOf: wanted.asOf, compare: wanted.compare, sort: { key: indicator, dir: 'desc' } });
  const first = fetchRegion(region.code, wanted.asOf, wanted.compare);
  const timeline = getRegionTimeline(region.code);
  /** @type {Commune} */
  const place = { code: region.code, name: region.name, kind: region.kind, province: t(`region.kind.${region.kind}`), groups: region.communes, bbox: region.bbox ?? [102, 8, 110, 23.5] };
  const map = createCommuneMap(place, wanted.view);
  first.then(() => performance.mark('kheo:coverage-fetched'));
  const [[report, geojson, compared]] = await Promise.all([first, mapLoaded(map)]);
  update('data', { region: report, geojson: withLabels(geojson, indicator, 'commune'), regionCompared: compared });

  const { styleLayers, units } = addLayers(map, catalogue, { region: region.code }, { unitsData: geojson, asOf: wanted.asOf, works: false });
  addBasemap(map, config.basemap, catalogue);
  /** @type {RegionPage} */
  const page = { map, region, place, catalogue, config, styleLayers, units };
  const boundary = layerOfRole(catalogue, 'boundary');
  const area = layerOfRole(catalogue, 'area');
  required('#choro-heading', HTMLElement).textContent = t('region.choropleth');
  /** @param {string} id */
  const showWork = (id) => addRegionWork(map, catalogue, id, region.code, getState().view.asOf, units?.labels[0]);
  renderLegend(required('.legend', HTMLElement), {
    map,
    catalogue,
    styleLayers,
    place: { name: region.name, province: place.province },
    lazy: REGION_WORKS_AT_START ? [] : workLayers(catalogue).map((l) => l.id),
    onFirstShow: showWork,
    legends: boundary && area ? { [boundary.id]: area.legend } : {},
  });
  if (REGION_WORKS_AT_START) for (const layer of workLayers(catalogue)) showWork(layer.id);
  buildRegionParts(page, { wanted, timeline, regions, refreshLanguageLink });
}

/**
 * The region's parts over the map and the first data.
 * @param {RegionPage} page
 * @param {{ wanted: UrlState, timeline: ReturnType<typeof getRegionTimeline>, regions: Region[], refreshLanguageLink: () => void }} start
 */
function buildRegionParts(page, { wanted, timeline, regions, refreshLanguageLink }) {
  const { map, region, units, catalogue } = page;
  const open = (/** @type {string} */ code) => {
    const { indicator, asOf } = getState().view;
    location.assign(communeUrl(code, { region: region.code, indicator, asOf }));
  };
  /** @type {(code: string | null) => void} */
  let hoverOnMap = () => {};
  const panel = createRegionPanel(page, {
    open,
    hover: (code) => hoverOnMap(code),
    setIndicator: (id) => choropleth.set(id),
    pickYear: (year) => { time.setYear(year); },
    compareWith: (date) => compareWith(date),
  });
  const choropleth = createIndicatorControl(page, {
    level: 'commune',
    onChange: () => panel.render(),
    target: (id) => commonTargets(loadedRegion().region)[id] ?? null,
  });
  const hovered = enableUnitHover(map, units, (/** @type {string | null} */ code) => panel.highlight(code), (raw) => String(raw));
  hoverOnMap = (code) => hovered?.set(code);
  enableRegionClicks(page, open);
  syncUrl({ map, region: region.code }, refreshLanguageLink);
  enablePlaces(regions, { region });
  choropleth.apply();
  panel.render();

  // The date: the whole page moves to it.
  const html = document.documentElement;
  const today = getState().view.asOf === null ? loadedRegion().region.as_of : todayOf();
  const time = enableTimeControl(required('.time', HTMLElement), {
    firstYear: Number(today.slice(0, 4)),
    today,
    onChange: (asOf) => request(asOf),
  });
  const report = () => loadedRegion().region;
  time.show(report().as_of, getState().view.asOf);

  /** @param {string | null} asOf */
  async function apply(asOf) {
    html.dataset.busy = '1';
    const [next, geojson, compared] = await fetchRegion(region.code, asOf, getState().view.compare);
    update('view', { asOf });
    update('data', { region: next, geojson: withLabels(geojson, getState().view.indicator, 'commune'), regionCompared: compared });
    setUnitsData(map, units, geojson);
    choropleth.apply();
    panel.render();
    time.show(next.as_of, asOf);
    await setWorksAsOf(map, catalogue, { region: region.code }, asOf);
    html.dataset.asOf = next.as_of;
    html.dataset.busy = '0';
  }
  /** @type {string | null | undefined} */
  let pending;
  /** @type {Promise<void> | null} */
  let running = null;
  /** @param {string | null} asOf */
  function request(asOf) {
    pending = asOf;
    if (!running) running = (async () => {
      try {
        while (pending !== undefined) {
          const d = pending;
          pending = undefined;
          await apply(d);
        }
      } catch (error) {
        console.error(error);
        showError(errorMessage(error));
      } finally {
        running = null;
      }
    })();
    return running;
  }
  /** @param {string | null} date */
  async function compareWith(date) {
    const compared = date ? await getRegionCoverage(region.code, date) : null;
    update('view', { compare: date });
    update('data', { regionCompared: compared });
    panel.render();
  }

  enableRegionSearch(page, { frame: (code) => frameCommune(page, code), open });
  const presentation = enablePresentation({
    root: required('.present', HTMLElement),
    app: required('.app', HTMLElement),
    map,
    units,
    bbox: page.place.bbox,
    deck: () => regionDeck(page),
    legend: () => {
      const { region: r, classes } = loadedRegion();
      const indicator = choroplethIndicator(getState().view.indicator, 'commune');
      return { indicator, classes, target: commonTargets(r)[indicator.id] ?? null, hasNoData: r.communes.some((c) => indicatorValue(indicator, c) === null) };
    },
    unitsData: () => getState().data.geojson,
    unitProperty: 'code',
  });
  required('.present-btn', HTMLButtonElement).addEventListener('click', () => presentation.enter({ slide: 1 }));
  if (wanted.present) presentation.enter({ slide: wanted.slide ?? 1, fullscreen: false });
  enableRegionPrint(page);
  enableReport({ region: region.code }, () => loadedRegion().region.as_of ?? null);

  timeline.then((answer) => {
    update('data', { regionTimeline: answer });
    if (answer.years?.length) time.setRange(answer.years[0].year, Number(today.slice(0, 4)));
    panel.render();
  }).catch((error) => console.error('timeline:', error));
  exposeRegionTestHook({ ...page, presentation, requestAsOf: request });
  signalReadyWhenDrawn(map, timeline, () => getState().data.region?.as_of);
  subscribe('presentation', ({ active }) => { if (active) regionPopup?.remove(); });
}

/** Today in Vietnam (UTC+7), as the server's default as_of. */
const todayOf = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * Frames a commune of the region and outlines it.
 * @param {RegionPage} page
 * @param {string} code
 */
function frameCommune({ map, units }, code) {
  const feature = getState().data.geojson?.features.find((f) => f.properties.code === code);
  if (!feature) return;
  fitToCommune(map, geometryBbox(feature.geometry), { maxZoom: 15 });
  if (units) {
    for (const f of getState().data.geojson?.features ?? []) map.setFeatureState({ source: units.source, id: String(f.properties.code) }, { selected: f.properties.code === code });
  }
}

/** The region page's popup for works (one at a time). @type {Popup | null} */
let regionPopup = null;

/**
 * Clicks on the region's map: a work opens its popup (its attributes, as on a commune's
 * page); a commune opens the commune's page.
 * @param {RegionPage} page
 * @param {(code: string) => void} open
 */
function enableRegionClicks({ map, catalogue, units }, open) {
  if (!maplibregl) return;
  regionPopup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, maxWidth: '360px', offset: 8 });
  const tolerance = 5;
  /** @param {Point} point */
  const pick = (point) => {
    const layers = clickableStyleLayerIds(map, catalogue).filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    if (!layers.length) return null;
    const found = map.queryRenderedFeatures([[point.x - tolerance, point.y - tolerance], [point.x + tolerance, point.y + tolerance]], { layers });
    found.sort((a, b) => layers.indexOf(a.layer.id) - layers.indexOf(b.layer.id));
    return found[0] ?? null;
  };
  map.on('click', (event) => {
    const feature = pick(event.point);
    if (!feature) {
      regionPopup?.remove();
      return;
    }
    const layerId = catalogueIdOf(feature.layer.id);
    if (units && layerId === units.layer) {
      regionPopup?.remove();
      open(String(feature.properties.code ?? feature.id));
      return;
    }
    const layer = catalogue.find((l) => l.id === layerId);
    if (!layer) return;
    const at = feature.geometry.type === 'Point' ? /** @type {[number, number]} */ (feature.geometry.coordinates) : event.lngLat;
    regionPopup?.setLngLat(at).setDOMContent(popupContent(layer, feature)).addTo(map);
  });
  map.on('mousemove', (event) => {
    map.getCanvas().style.cursor = pick(event.point) ? 'pointer' : '';
  });
}

/**
 * The PNG, print and paper buttons for a region: the same print-grade sheet as a commune's
 * (print/sheet.js), its communes in place of groups, its totals as the headline and the
 * target its communes share.
 * @param {RegionPage} page
 */
function enableRegionPrint({ map, place, catalogue, styleLayers }) {
  /** @returns {SheetView} */
  const sheetView = () => {
    const { region, classes, geojson } = loadedRegion();
    const indicator = choroplethIndicator(getState().view.indicator, 'commune');
    return {
      map,
      catalogue,
      styleLayers,
      commune: place,
      // A region's totals carry the same indicator ids as a commune's report.
      totals: /** @type {CommuneReport} */ (/** @type {unknown} */ ({ ...region.region, province: place.province })),
      groups: geojson,
      indicator,
      classes,
      settings: { counted_classes: [], lit_buffer_m: 0, targets: commonTargets(region) },
      asOf: region.as_of,
      hasNoData: region.communes.some((c) => indicatorValue(indicator, c) === null),
    };
  };
  const paper = required('#paper', HTMLSelectElement);
  const pngButton = required('.png-btn', HTMLButtonElement);
  pngButton.addEventListener('click', async () => {
    pngButton.disabled = true;
    try {
      await downloadPng(sheetView(), PAPER_FORMATS[paper.value] ?? PAPER_FORMATS.a4);
    } catch (error) {
      console.error('PNG export:', error);
    } finally {
      pngButton.disabled = false;
    }
  });
  /** @type {PrintParts} */
  const parts = { head: required('.print-head', HTMLElement), image: required('.print-map', HTMLImageElement), foot: required('.print-foot', HTMLElement) };
  window.addEventListener('beforeprint', () => preparePrintNow(sheetView(), parts));
  const printButton = required('.print-btn', HTMLButtonElement);
  printButton.addEventListener('click', async () => {
    printButton.disabled = true;
    try {
      await preparePrintMap(sheetView(), parts, paper.value);
    } catch (error) {
      console.error('print:', error);
    } finally {
      printButton.disabled = false;
    }
    window.print();
  });
  paper.value = setPaper(paper.value);
  paper.addEventListener('change', () => { paper.value = setPaper(paper.value); });
}
