// kheo's planner's map: loads the strings, the config, the communes and the layer catalogue,
// then draws the chosen commune's groups as a choropleth of one indicator with the works on
// top, and the panel: headline numbers, the groups' chart and table, progress year by year,
// a group's page, the time slider and the search box. The view lives in the URL.
//
// For tests: `window.kheo = { map, state, data, ... }`; `<html data-ready="1">` once the map
// has been idle for the first time with every layer added and the panel drawn, and
// `data-as-of` is the as_of of the numbers shown (after each date change is fully drawn).

import { coverageCsvUrl, coverageXlsxUrl, getCommunes, getConfig, getCoverage, getCoverageGeojson, getGroupWorks, getLayers, getTimeline } from './api.js';
import { lang as currentLang, loadI18n, rememberLang, switchLangUrl, t } from './i18n.js';
import { setFormatLang } from './format.js';
import { createMap, fitToCommune, FitControl, geometryBbox } from './map.js';
import { addBasemap, addLayers, enableGroupHover, GLYPHS_URL, GROUP_LABELS, setWorksAsOf, WORK_LAYERS } from './layers.js';
import { renderLegend } from './legend.js';
import { enablePopups } from './popup.js';
import { classesFor, DEFAULT_INDICATOR, fillColorExpression, formatIndicator, indicatorById, indicatorValue, INDICATORS, noDataFilter, renderClassLegend, targetOf } from './choropleth.js';
import { renderGroupPage, renderOverview } from './dashboard.js';
import { readUrlState, writeUrlState } from './state.js';
import { enableSearch } from './search.js';
import { enableTimeControl } from './time.js';
import { enablePresentation } from './present.js';
import { downloadPng, preparePrint, setPaper } from './export.js';
import { enableEditing } from './edit.js';
import { enableAuth, onSession } from './auth.js';

const $ = (selector) => document.querySelector(selector);

function showError(message) {
  $('.status').hidden = true;
  const box = $('.error');
  box.hidden = false;
  $('.error-detail').textContent = message;
  $('.error-retry').onclick = () => location.reload();
}

/** The commune to show: `?commune=CODE`, else the configured default, else the first one. */
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

const shortName = (name) => name.replace(/^Tổ dân phố /, 'TDP ');

async function start() {
  // The API's first answers do not depend on the language: ask for them at once.
  const basics = Promise.all([getConfig(), getCommunes(), getLayers()]);
  const lang = await loadI18n();
  setFormatLang(lang);
  const switcher = $('.lang-switch');
  const refreshSwitcher = () => { switcher.href = switchLangUrl(); };
  refreshSwitcher();
  switcher.addEventListener('click', () => rememberLang(lang === 'vi' ? 'en' : 'vi'));

  const wanted = readUrlState();
  const [config, communes, catalogue] = await basics;
  const commune = chooseCommune(communes, config, wanted.commune);
  document.title = `${t('app.name')} · ${commune.name}`;

  const state = {
    commune: commune.code,
    indicator: indicatorById(wanted.indicator ?? DEFAULT_INDICATOR).id,
    asOf: wanted.asOf ?? null, // null: today
    group: null, // the selected group's code
    sort: { key: 'name', dir: 'asc' },
  };
  const data = { coverage: null, geojson: null, timeline: null, classes: null };

  // The numbers and the choropleth's data first (the map waits for them), the timeline beside.
  const first = Promise.all([getCoverage(commune.code, state.asOf), getCoverageGeojson(commune.code, state.asOf)]);
  const timelinePromise = getTimeline(commune.code);

  const container = $('#map');
  const map = createMap(container, {
    bbox: commune.bbox,
    view: wanted.view,
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
  first.then(() => performance.mark('kheo:coverage-fetched'));
  window.kheo = { map, commune, catalogue, config, state, data };
  map.addControl(new FitControl(t('map.fit_commune', { commune: commune.name }), () => fitToCommune(map, commune.bbox)), 'top-right');
  map.on('error', (event) => {
    console.error('map error:', event.error?.message ?? event.error ?? event);
  });

  const [[coverage, geojson]] = await Promise.all([
    first,
    new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve))),
  ]);
  data.coverage = coverage;
  data.geojson = withLabels(geojson);

  const styleLayers = addLayers(map, catalogue, commune.code, { groupsData: data.geojson, asOf: state.asOf });
  addBasemap(map, config.basemap);
  window.kheo.styleLayers = styleLayers;
  renderLegend($('.legend'), { map, catalogue, styleLayers, commune });

  // ---- the choropleth -------------------------------------------------------------------
  const indicatorSelect = $('#indicator');
  indicatorSelect.replaceChildren(...INDICATORS.map((i) => {
    const option = document.createElement('option');
    option.value = i.id;
    option.textContent = t(`indicator.${i.id}`);
    return option;
  }));
  indicatorSelect.value = state.indicator;
  indicatorSelect.addEventListener('change', () => setIndicator(indicatorSelect.value));

  function withLabels(collection) {
    if (!GROUP_LABELS) return collection;
    const indicator = indicatorById(state.indicator);
    for (const f of collection.features) {
      const value = indicatorValue(indicator, f.properties);
      f.properties.label = `${shortName(f.properties.name)}\n${formatIndicator(indicator, value, { short: true })}`;
    }
    return collection;
  }

  function applyChoropleth() {
    const indicator = indicatorById(state.indicator);
    const values = data.geojson.features.map((f) => indicatorValue(indicator, f.properties));
    data.classes = classesFor(indicator, values);
    if (map.getLayer('groups-fill')) {
      map.setPaintProperty('groups-fill', 'fill-color', fillColorExpression(indicator, data.classes));
      map.setFilter('groups-nodata', noDataFilter(indicator));
    }
    renderClassLegend($('.class-legend'), {
      indicator,
      classes: data.classes,
      target: targetOf(indicator, data.coverage.settings),
      hasNoData: values.some((v) => v === null),
    });
  }

  // ---- the panel --------------------------------------------------------------------------
  let panelLink = { highlight() {} };
  let hover = { set() {} };
  const linked = {
    hover: (id) => hover.set(id),
    select: (id) => selectGroup(id),
  };

  function renderPanel() {
    const indicator = indicatorById(state.indicator);
    const year = Number((data.coverage.as_of ?? '').slice(0, 4));
    const group = state.group ? data.coverage.groups.find((g) => g.code === state.group) : null;
    const overview = $('.overview');
    const page = $('.group-page');
    if (group) {
      overview.hidden = true;
      page.hidden = false;
      const works = Promise.all(WORK_LAYERS.map(async (id) => {
        const layer = catalogue.find((l) => l.id === id);
        if (!layer) return null;
        const collection = await getGroupWorks(id, commune.code, group.code, state.asOf);
        return { layer, features: collection.features ?? [] };
      })).then((list) => list.filter(Boolean));
      const heading = renderGroupPage(page, {
        group,
        coverage: data.coverage,
        catalogue,
        works,
        onBack: () => selectGroup(null),
        onWork: (feature) => {
          if (feature.geometry.type === 'Point') {
            map.easeTo({ center: feature.geometry.coordinates, zoom: Math.max(map.getZoom(), 16), duration: 600 });
          } else {
            fitToCommune(map, geometryBbox(feature.geometry), { maxZoom: 17 });
          }
        },
      });
      return { heading, works };
    }
    page.hidden = true;
    overview.hidden = false;
    panelLink = renderOverview(overview, {
      coverage: data.coverage,
      timeline: data.timeline,
      indicator,
      classes: data.classes,
      sort: state.sort,
      year,
      catalogue,
      csvUrl: coverageCsvUrl(commune.code, data.coverage.as_of, currentLang()),
      xlsxUrl: coverageXlsxUrl(commune.code, data.coverage.as_of, currentLang()),
      linked,
      onSort: (key) => {
        const same = state.sort.key === key;
        state.sort = { key, dir: same && state.sort.dir === 'asc' ? 'desc' : same ? 'asc' : key === 'name' ? 'asc' : 'desc' };
        renderPanel();
        document.querySelector(`.groups-table th[data-key="${key}"] button`)?.focus();
      },
      onPickYear: (y) => time.setYear(y),
      onIndicator: (id) => setIndicator(id),
    });
    return {};
  }

  function setIndicator(id) {
    state.indicator = indicatorById(id).id;
    indicatorSelect.value = state.indicator;
    if (GROUP_LABELS) map.getSource('groups').setData(withLabels(data.geojson));
    applyChoropleth();
    if (!state.group) {
      const focused = document.activeElement?.id;
      renderPanel();
      if (focused === 'panel-indicator') $('#panel-indicator')?.focus();
    }
    saveUrl();
  }

  // ---- selection and hover ------------------------------------------------------------------
  let selectedId = null;
  function setSelected(id) {
    if (selectedId !== null) map.setFeatureState({ source: 'groups', id: selectedId }, { selected: false });
    selectedId = id;
    if (id !== null) map.setFeatureState({ source: 'groups', id }, { selected: true });
  }

  function selectGroup(id, { zoom = true } = {}) {
    const group = id === null ? null : data.coverage.groups.find((g) => g.id === id);
    state.group = group ? group.code : null;
    setSelected(group ? group.id : null);
    const { heading } = renderPanel();
    $('.panel-body').scrollTop = 0;
    if (group && zoom) {
      const feature = data.geojson.features.find((f) => f.properties.id === group.id);
      if (feature) fitToCommune(map, geometryBbox(feature.geometry), { maxZoom: 17 });
    } else if (!group && zoom) {
      fitToCommune(map, commune.bbox);
    }
    if (heading) heading.focus({ preventScroll: true });
    saveUrl();
  }

  hover = enableGroupHover(map, (id) => panelLink.highlight(id)) ?? hover;
  // While editing (edit.js), map clicks belong to the editor: no group page.
  const popup = enablePopups(map, catalogue, { onGroup: (id) => (window.kheo.edit?.active() ? null : selectGroup(id)) });

  // ---- as_of: coverage, choropleth, works layers, numbers, one change at a time ----------------
  async function applyAsOf(asOf) {
    document.documentElement.dataset.busy = '1';
    const [cov, gj] = await Promise.all([getCoverage(commune.code, asOf), getCoverageGeojson(commune.code, asOf)]);
    state.asOf = asOf;
    data.coverage = cov;
    data.geojson = withLabels(gj);
    map.getSource('groups').setData(data.geojson);
    if (selectedId !== null) map.setFeatureState({ source: 'groups', id: selectedId }, { selected: true });
    applyChoropleth();
    const { works } = renderPanel();
    time.show(cov.as_of, asOf);
    saveUrl();
    await Promise.all([setWorksAsOf(map, commune.code, asOf), works]);
    document.documentElement.dataset.asOf = cov.as_of;
    document.documentElement.dataset.busy = '0';
  }
  let pending;
  let running = null;
  function requestAsOf(asOf) {
    pending = asOf;
    if (!running) {
      running = (async () => {
        try {
          while (pending !== undefined) {
            const next = pending;
            pending = undefined;
            await applyAsOf(next);
          }
        } catch (error) {
          console.error(error);
          showError(error.message ?? String(error));
        } finally {
          running = null;
        }
      })();
    }
    return running;
  }

  // ---- URL state --------------------------------------------------------------------------
  function saveUrl() {
    const center = map.getCenter();
    writeUrlState({
      commune: commune.code,
      indicator: state.indicator,
      asOf: state.asOf,
      group: state.group,
      view: { zoom: map.getZoom(), center: [center.lng, center.lat] },
    });
    refreshSwitcher();
  }
  map.on('moveend', saveUrl);

  // ---- first draw -------------------------------------------------------------------------
  applyChoropleth();
  // Today in Vietnam (UTC+7), as the server's default as_of.
  const todayIso = state.asOf === null ? coverage.as_of : new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  const time = enableTimeControl($('.time'), {
    firstYear: Number(todayIso.slice(0, 4)),
    today: todayIso,
    onChange: (asOf) => requestAsOf(asOf),
  });
  time.show(coverage.as_of, state.asOf);
  window.kheo.time = time;
  window.kheo.requestAsOf = requestAsOf;
  window.kheo.selectGroup = selectGroup;

  if (wanted.group) {
    const group = coverage.groups.find((g) => g.code === wanted.group);
    if (group) {
      state.group = group.code;
      setSelected(group.id);
      if (!wanted.view) {
        const feature = data.geojson.features.find((f) => f.properties.id === group.id);
        if (feature) fitToCommune(map, geometryBbox(feature.geometry), { animate: false, maxZoom: 17 });
      }
    }
  }
  renderPanel();

  enableSearch($('.search'), {
    commune: commune.code,
    onPick: (hit) => {
      if (hit.layer === 'groups') {
        selectGroup(Number(hit.id));
      } else if (hit.layer === 'communes') {
        selectGroup(null);
      } else if (hit.bbox) {
        fitToCommune(map, hit.bbox, { maxZoom: 17 });
      }
    },
    layerTitle: (id) => catalogue.find((l) => l.id === id)?.title,
  });

  // ---- presentation, PNG export, printing ------------------------------------------------
  const exportOptions = () => {
    const indicator = indicatorById(state.indicator);
    return {
      map,
      commune,
      indicator,
      classes: data.classes,
      settings: data.coverage.settings,
      asOf: data.coverage.as_of,
      hasNoData: data.coverage.groups.some((g) => indicatorValue(indicator, g) === null),
    };
  };
  const presentation = enablePresentation({
    root: $('.present'),
    app: $('.app'),
    map,
    commune,
    catalogue,
    data,
    state,
  });
  window.kheo.presentation = presentation;
  $('.present-btn').addEventListener('click', () => presentation.enter({ slide: 1 }));
  const pngButton = $('.png-btn');
  pngButton.addEventListener('click', async () => {
    pngButton.disabled = true;
    try {
      await downloadPng(exportOptions());
    } catch (error) {
      console.error('PNG export:', error);
    } finally {
      pngButton.disabled = false;
    }
  });
  const printParts = { head: $('.print-head'), image: $('.print-map') };
  const beforePrint = () => preparePrint(exportOptions(), printParts);
  window.addEventListener('beforeprint', beforePrint);
  window.kheo.preparePrint = beforePrint;
  $('.print-btn').addEventListener('click', () => {
    beforePrint();
    window.print();
  });
  const paper = $('#paper');
  paper.value = setPaper('a4');
  paper.addEventListener('change', () => { paper.value = setPaper(paper.value); });
  if (wanted.present) presentation.enter({ slide: wanted.slide ?? 1, fullscreen: false });

  // Editing for signed-in editors; after each change it reloads what the time slider reloads.
  // The year-by-year chart changes with an edit too: fetch it again before redrawing.
  const refreshAfterEdit = async () => {
    data.timeline = await getTimeline(commune.code).catch(() => data.timeline);
    return requestAsOf(state.asOf);
  };
  enableEditing({ map, commune, catalogue, popup, refresh: refreshAfterEdit });

  timelinePromise.then((timeline) => {
    data.timeline = timeline;
    if (timeline.years?.length) time.setRange(timeline.years[0].year, Number(todayIso.slice(0, 4)));
    if (!state.group) renderPanel();
  }).catch((error) => console.error('timeline:', error));

  map.once('idle', () => {
    performance.mark('kheo:choropleth-drawn');
    $('.status').hidden = true;
    timelinePromise.finally(() => {
      document.documentElement.dataset.asOf = data.coverage.as_of;
      document.documentElement.dataset.busy = '0';
      document.documentElement.dataset.ready = '1';
    });
  });
}

start().catch(async (error) => {
  if (error.status === 401) {
    // This server serves signed-in users only (KHEO_ANONYMOUS_READ=false): offer the
    // sign-in dialog in the message box, and start again once signed in.
    showError(t('auth.required'));
    onSession(({ user }) => { if (user) location.reload(); });
    await enableAuth($('.error')).catch((e) => console.warn('auth:', e.message));
    return;
  }
  console.error(error);
  showError(error.message ?? String(error));
});
