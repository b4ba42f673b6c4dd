// @ts-check
// Presentation mode for the People's Council (Hội đồng nhân dân): full screen when the browser
// allows it, large type, no editing controls. Slides: 1 the title (commune, "Kết quả thực
// hiện ...", the as-of date), 2 the commune's overview (map fitted to the commune with the
// choropleth, six headline numbers with their target marks), then one slide per residential
// group (map zoomed to the group with the others dimmed, its numbers, its bar against the
// target).
//
// Keys: → PageDown Space ↓ next, ← PageUp Shift+Space ↑ previous, Home / End, Esc leaves
// (presentation clickers send PageDown / PageUp). `?present=1&slide=3` opens slide 3.
// `<html data-slide="n">` is the slide shown, `data-slide-drawn="n"` once its map is idle.
// The store's `presentation.active` says whether the slides show (the editor closes then).

import { el } from './dashboard.js';
import { formatBillions, formatDate, formatInteger, formatKm, formatPct } from './format.js';
import { t, termLabel } from './i18n.js';
import { classIndex, indicatorById, indicatorValue, renderClassLegend, targetOf } from './choropleth.js';
import { required } from './dom.js';
import { fitToCommune, geometryBbox } from './map.js';
import { getState, loaded, update } from './state.js';

/**
 * @import { FilterSpecification, Map as MapLibreMap } from 'maplibre-gl'
 * @import { CatalogueLayer, Commune, CommuneReport, GroupReport } from './types.js'
 */

/**
 * The slides: enter (at a slide, full screen unless told not to), leave, show a slide.
 * @typedef {object} Presentation
 * @property {(options?: { slide?: number, fullscreen?: boolean }) => void} enter
 * @property {() => void} leave
 * @property {(n: number, options?: { animate?: boolean }) => void} show
 * @property {() => boolean} isPresenting
 * @property {() => number} current the slide shown, from 1
 * @property {() => number} total
 */

/** A record the slides show: the commune or a group. @typedef {CommuneReport | GroupReport} SlideRecord */

/** The six headline numbers, in order. */
const NUMBERS = ['concrete_pct', 'hardened_pct', 'lit_pct', 'flower_m', 'model_sites', 'people_vnd'];

/**
 * A value as the slides show it (money in billions: a projector needs short numbers).
 * @param {string} id the indicator
 * @param {SlideRecord} record
 */
function bigValue(id, record) {
  const indicator = indicatorById(id);
  const value = indicatorValue(indicator, record);
  if (indicator.kind === 'money') return formatBillions(value ?? 0, t('unit.billion_vnd'));
  if (indicator.kind === 'length') return formatKm(value ?? 0);
  if (indicator.kind === 'count') return formatInteger(value ?? 0);
  return formatPct(value);
}

/** @param {string} id the indicator */
const label = (id) => t(`indicator.${id}`).replace(/\s*\([^)]*\)$/, '');

/**
 * The target's met / not met mark (symbol and text), if the indicator has a target.
 * @param {SlideRecord} record
 * @param {string} id the indicator
 */
function mark(record, id) {
  const spec = record.targets?.[id];
  if (!spec || spec.met === null || spec.met === undefined) return null;
  const text = t(spec.met ? 'target.met' : 'target.not_met', { value: formatPct(spec.target) });
  return el('span', { class: `met ${spec.met ? 'yes' : 'no'}`, role: 'img', 'aria-label': text, title: text }, spec.met ? '✓' : '✗');
}

/**
 * The status line under the bar: met or not (in words), then `note`.
 * @param {SlideRecord} record
 * @param {string} id the indicator
 * @param {string | null} note
 */
function statusLine(record, id, note) {
  const spec = record.targets?.[id];
  const met = spec ? el('span', { class: `slide-target ${spec.met ? 'yes' : 'no'}` }, t(spec.met ? 'target.met' : 'target.not_met', { value: formatPct(spec.target) })) : null;
  return el('div', { class: 'slide-status' }, met, met && note ? ' · ' : null, note);
}

/**
 * The main number: label, value, target mark, a bar with the target line (percentages), notes.
 * @param {SlideRecord} record
 * @param {string} id the indicator
 * @param {string | null} note
 * @param {HTMLElement[]} [extra] more lines under it
 */
function mainNumber(record, id, note, extra = []) {
  const indicator = indicatorById(id);
  const value = indicatorValue(indicator, record);
  const spec = record.targets?.[id];
  const bar = indicator.kind === 'pct' && value !== null
    ? el('div', { class: 'slide-bar', role: 'presentation' },
      el('div', { class: `slide-bar-fill ${spec ? (spec.met ? 'yes' : 'no') : ''}`, style: `width:${Math.min(100, Math.max(0, value))}%` }),
      spec ? el('div', { class: 'slide-bar-target', style: `left:${spec.target}%` }, el('span', {}, t('legend.target', { value: formatPct(spec.target) }))) : null)
    : null;
  return el('div', { class: 'slide-main', dataset: { key: id } },
    el('div', { class: 'slide-label' }, label(id)),
    el('div', { class: 'slide-main-value' }, el('span', { class: 'v' }, value === null ? t('legend.no_roads') : bigValue(id, record)), mark(record, id)),
    bar,
    statusLine(record, id, note),
    ...extra);
}

/**
 * The other numbers, as cards.
 * @param {SlideRecord} record
 * @param {string[]} ids the indicators
 */
function numberCards(record, ids) {
  return el('div', { class: 'slide-cards' }, ids.map((id) => el('div', { class: 'slide-card', dataset: { key: id } },
    el('div', { class: 'slide-label' }, id === 'people_vnd' ? t('headline.people_vnd') : label(id)),
    el('div', { class: 'slide-value' }, el('span', { class: 'v' }, bigValue(id, record)), mark(record, id)))));
}

/**
 * The slides in `root`; `app` is the page's main element (it gets the class `presenting`).
 * @param {{ root: HTMLElement, app: HTMLElement, map: MapLibreMap, commune: Commune, catalogue: CatalogueLayer[] }} parts
 * @returns {Presentation}
 */
export function enablePresentation({ root, app, map, commune, catalogue }) {
  const slideBox = required('.present-slide', HTMLElement, root);
  const counter = required('.present-counter', HTMLElement, root);
  const mapLegend = required('.present-legend', HTMLElement, root);
  let presenting = false;
  let current = 1;
  /** @type {{ center: [number, number], zoom: number } | null} */
  let savedView = null;
  let usedFullscreen = false;

  const total = () => 2 + loaded().coverage.groups.length;
  /** @param {number} n the slide */
  const groupOf = (n) => loaded().coverage.groups[n - 3] ?? null;
  // The order of the groups: the API's (by code), as in the council's reports.

  function writeUrl() {
    const url = new URL(location.href);
    if (presenting) {
      url.searchParams.set('present', '1');
      url.searchParams.set('slide', String(current));
    } else {
      url.searchParams.delete('present');
      url.searchParams.delete('slide');
    }
    if (url.href !== location.href) history.replaceState(null, '', url);
  }

  function padding() {
    const c = map.getContainer();
    const w = c.clientWidth;
    const h = c.clientHeight;
    const m = Math.round(Math.min(w, h) * 0.07);
    const legendH = mapLegend.offsetHeight || 0;
    return { top: m, right: m, left: m, bottom: Math.min(h * 0.4, m + legendH) };
  }

  function addMapLayers() {
    if (map.getLayer('present-dim') || !map.getSource('groups')) return;
    const before = map.getLayer('groups-label') ? 'groups-label' : undefined;
    map.addLayer({ id: 'present-dim', type: 'fill', source: 'groups', filter: ['==', ['get', 'id'], -1], paint: { 'fill-color': '#f3f2ee', 'fill-opacity': 0.78 } }, before);
    map.addLayer({ id: 'present-outline', type: 'line', source: 'groups', filter: ['==', ['get', 'id'], -1], layout: { 'line-join': 'round' }, paint: { 'line-color': '#b7791f', 'line-width': 5 } }, before);
  }

  function removeMapLayers() {
    for (const id of ['present-outline', 'present-dim']) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getLayer('groups-label')) map.setPaintProperty('groups-label', 'text-opacity', 1);
  }

  /** @param {number | null} id the group outlined, the others dimmed (null: none) */
  function focusGroup(id) {
    /** @type {FilterSpecification} */
    const none = ['==', ['get', 'id'], -1];
    map.setFilter('present-dim', id === null ? none : ['!=', ['get', 'id'], id]);
    map.setFilter('present-outline', id === null ? none : ['==', ['get', 'id'], id]);
    // A group's slide names the group beside the map: no labels (a zoomed-in polygon's label
    // repeats in each of its tiles).
    if (map.getLayer('groups-label')) map.setPaintProperty('groups-label', 'text-opacity', id === null ? 1 : 0);
  }

  function drawLegend() {
    const { coverage, classes } = loaded();
    const indicator = indicatorById(getState().view.indicator);
    const values = coverage.groups.map((g) => indicatorValue(indicator, g));
    const classLegend = el('div', { class: 'class-legend' });
    mapLegend.replaceChildren(el('div', { class: 'present-legend-title' }, t(`indicator.${indicator.id}`)), classLegend);
    renderClassLegend(classLegend, {
      indicator,
      classes,
      target: targetOf(indicator, coverage.settings),
      hasNoData: values.some((v) => v === null),
    });
  }

  function titleSlide() {
    const { coverage } = loaded();
    const c = coverage.commune;
    return el('div', { class: 'slide slide-title' },
      el('div', { class: 'slide-brand' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), t('present.kicker')),
      el('h1', { class: 'slide-commune' }, c.name),
      commune.province ? el('p', { class: 'slide-province' }, commune.province) : null,
      el('h2', { class: 'slide-heading' }, t('present.title')),
      el('p', { class: 'slide-subtitle' }, t('present.subtitle')),
      el('p', { class: 'slide-date', dataset: { date: coverage.as_of } }, t('present.as_of', { date: formatDate(coverage.as_of) })),
      el('p', { class: 'slide-hint' }, t('present.hint')));
  }

  function overviewSlide() {
    const { coverage } = loaded();
    const c = coverage.commune;
    const indicator = indicatorById(getState().view.indicator);
    const main = indicator.kind === 'pct' ? indicator.id : 'concrete_pct';
    return el('div', { class: 'slide slide-overview' },
      el('div', { class: 'slide-kicker' }, t('present.overview')),
      el('h2', { class: 'slide-name' }, c.name),
      el('p', { class: 'slide-asof' }, t('present.as_of', { date: formatDate(coverage.as_of) }), ' · ',
        t('panel.households', { households: formatInteger(c.households ?? 0), population: formatInteger(c.population ?? 0) })),
      mainNumber(c, main, main === 'concrete_pct' ? `${formatKm(c.concrete_m)} / ${formatKm(c.road_m)} ${t('headline.concrete_roads')}` : null),
      numberCards(c, NUMBERS.filter((id) => id !== main)));
  }

  /**
   * @param {GroupReport} group
   * @param {number} n the slide
   */
  function groupSlide(group, n) {
    const { coverage, classes } = loaded();
    const c = coverage.commune;
    const shown = getState().view.indicator;
    const indicator = indicatorById(shown);
    const main = indicator.kind === 'pct' ? indicator.id : 'concrete_pct';
    const mainIndicator = indicatorById(main);
    const kind = catalogue.find((l) => l.id === 'groups')?.fields.find((f) => f.name === 'kind')?.values?.find((v) => v.value === group.kind);
    const value = indicatorValue(mainIndicator, group);
    const ranked = coverage.groups.map((g) => indicatorValue(mainIndicator, g)).filter((v) => v !== null).sort((a, b) => b - a);
    const rank = value === null ? null : ranked.indexOf(value) + 1;
    const extra = [
      el('div', { class: 'slide-note' }, `${label(main)} ${t('present.of_commune', { commune: c.name })}: ${formatPct(indicatorValue(mainIndicator, c))}`),
    ];
    const classColor = value === null ? null : classes && mainIndicator.id === shown ? classes.colors[classIndex(classes, value)] : null;
    return el('div', { class: 'slide slide-group', dataset: { code: group.code } },
      el('div', { class: 'slide-kicker' }, kind ? termLabel(kind) : t('group.kicker'), ` · ${n - 2} / ${coverage.groups.length}`),
      el('h2', { class: 'slide-name' }, classColor ? el('span', { class: 'slide-swatch', style: `background:${classColor}`, 'aria-hidden': 'true' }) : null, group.name),
      el('p', { class: 'slide-asof' }, t('panel.households', { households: formatInteger(group.households ?? 0), population: formatInteger(group.population ?? 0) }),
        ' · ', `${formatKm(group.road_m)} ${t('present.roads')}`),
      mainNumber(group, main, rank ? t('present.rank', { rank, total: ranked.length }) : null, extra),
      numberCards(group, NUMBERS.filter((id) => id !== main)));
  }

  /**
   * @param {number} n the slide, from 1
   * @param {{ animate?: boolean }} [options]
   */
  function show(n, { animate = true } = {}) {
    current = Math.max(1, Math.min(total(), Math.round(n) || 1));
    const group = groupOf(current);
    const kind = current === 1 ? 'title' : current === 2 ? 'overview' : 'group';
    root.dataset.kind = kind;
    app.dataset.slideKind = kind;
    slideBox.replaceChildren(kind === 'title' ? titleSlide() : kind === 'overview' ? overviewSlide() : groupSlide(group, current));
    counter.textContent = t('present.counter', { n: current, total: total() });
    counter.setAttribute('aria-label', t('present.counter_label', { n: current, total: total() }));
    required('.present-prev', HTMLButtonElement, root).disabled = current === 1;
    required('.present-next', HTMLButtonElement, root).disabled = current === total();
    document.documentElement.dataset.slide = String(current);
    delete document.documentElement.dataset.slideDrawn;
    map.resize();
    focusGroup(group ? group.id : null);
    if (group) {
      const feature = loaded().geojson.features.find((f) => f.properties.id === group.id);
      if (feature) fitToCommune(map, geometryBbox(feature.geometry), { animate, maxZoom: 17, padding: padding() });
    } else if (kind === 'title') {
      // The commune on the right of the title text.
      const w = map.getContainer().clientWidth;
      const p = padding();
      fitToCommune(map, commune.bbox, { animate, padding: { ...p, left: Math.round(w * 0.52), bottom: p.top } });
    } else {
      fitToCommune(map, commune.bbox, { animate, padding: padding() });
    }
    const shown = current;
    map.once('idle', () => {
      if (presenting && current === shown) document.documentElement.dataset.slideDrawn = String(shown);
    });
    map.triggerRepaint();
    writeUrl();
  }

  /** @param {{ slide?: number, fullscreen?: boolean }} [options] */
  function enter({ slide = 1, fullscreen = true } = {}) {
    if (!presenting) {
      presenting = true;
      const center = map.getCenter();
      savedView = { center: [center.lng, center.lat], zoom: map.getZoom() };
      document.querySelector('.search-results')?.setAttribute('hidden', '');
      app.classList.add('presenting');
      document.documentElement.classList.add('presenting');
      root.hidden = false;
      addMapLayers();
      drawLegend();
      usedFullscreen = false;
      if (fullscreen && document.fullscreenEnabled && !document.fullscreenElement) {
        document.documentElement.requestFullscreen({ navigationUI: 'hide' })
          .then(() => { usedFullscreen = true; })
          .catch(() => { /* not allowed here: the in-page layout is enough */ });
      }
      root.focus({ preventScroll: true });
    }
    show(slide, { animate: false });
    update('presentation', { active: true });
  }

  function leave() {
    if (!presenting) return;
    presenting = false;
    root.hidden = true;
    app.classList.remove('presenting');
    document.documentElement.classList.remove('presenting');
    delete app.dataset.slideKind;
    delete document.documentElement.dataset.slide;
    delete document.documentElement.dataset.slideDrawn;
    removeMapLayers();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    map.resize();
    if (savedView) map.jumpTo(savedView);
    writeUrl();
    update('presentation', { active: false });
    const button = document.querySelector('.present-btn');
    if (button instanceof HTMLElement) button.focus({ preventScroll: true });
  }

  const next = () => current < total() && show(current + 1);
  const prev = () => current > 1 && show(current - 1);

  required('.present-next', HTMLButtonElement, root).addEventListener('click', next);
  required('.present-prev', HTMLButtonElement, root).addEventListener('click', prev);
  required('.present-exit', HTMLButtonElement, root).addEventListener('click', leave);

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target instanceof HTMLElement && event.target.closest('input, select, textarea, [contenteditable="true"]');
    if (!presenting) {
      if (!typing && (event.key === 'p' || event.key === 'P') && !event.repeat) {
        event.preventDefault();
        enter({ slide: 1 });
      }
      return;
    }
    /** @type {Record<string, () => unknown>} */
    const actions = {
      ArrowRight: next, ArrowDown: next, PageDown: next,
      ArrowLeft: prev, ArrowUp: prev, PageUp: prev,
      Home: () => show(1), End: () => show(total()),
      Escape: leave,
      ' ': event.shiftKey ? prev : next,
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.addEventListener('fullscreenchange', () => {
    // Esc in real full screen is taken by the browser: leaving full screen leaves the deck.
    if (!document.fullscreenElement && presenting && usedFullscreen) leave();
  });

  window.addEventListener('resize', () => {
    if (presenting) show(current, { animate: false });
  });

  return { enter, leave, show, isPresenting: () => presenting, current: () => current, total };
}
