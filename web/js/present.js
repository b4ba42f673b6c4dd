// @ts-check
// Presentation mode for the People's Council (Hội đồng nhân dân): full screen when the browser
// allows it, large type (at least 20 px on a 1024 × 768 projector), no editing controls. A
// deck is a list of slides, each with its content and the part of the map it shows; a
// commune's deck (this module): 1 the title, 2 the overview, then, comparing two dates, the
// comparison; one slide per residential group (the map zoomed to it, the others dimmed);
// the model sites' photos, when there are any; the km left to concrete per group; a closing
// ranking. A region's deck is in region-slides.js, on the same machinery. Figures are the indicator catalogue's
// (`outputs.slides`), written as everywhere else (indicators.js).
//
// Keys: → PageDown Space ↓ next, ← PageUp Shift+Space ↑ previous, Home / End, Esc leaves
// (presentation clickers send PageDown / PageUp). `?present=1&slide=3` opens slide 3.
// `<html data-slide="n">` is the slide shown, `data-slide-drawn="n"` once its map is idle.
// The store's `presentation.active` says whether the slides show (the editor closes, popups
// close then).

import { el } from './element.js';
import { formatDate, formatPct } from './format.js';
import { t, termLabel } from './i18n.js';
import { choroplethIndicator, classIndex, renderClassLegend, targetOf } from './choropleth.js';
import { households, mainShare, shareLength } from './dashboard.js';
import { required } from './dom.js';
import { findIndicator, formatChange, formatShown, indicatorsFor, indicatorTitle, indicatorValue } from './indicators.js';
import { fitToCommune, geometryBbox } from './map.js';
import { gallery } from './photos.js';
import { spread } from './spread.js';
import { getState, loaded, update } from './state.js';

/**
 * @import { FilterSpecification, Map as MapLibreMap } from 'maplibre-gl'
 * @import { Classes, Indicator } from './choropleth.js'
 * @import { Level } from './indicators.js'
 * @import { Units } from './layers.js'
 * @import { Bbox, CatalogueLayer, Commune, GroupCollection, GroupReport, IndicatorSpec, TargetStatus } from './types.js'
 * @import { Photo } from './photos.js'
 */

/** The most photos on the model sites' slide (the photos themselves: sharp on a projector);
 * with more, a photo of each site comes before a second of any. */
const SLIDE_PHOTOS = 8;

/**
 * The slides: enter (at a slide, full screen unless told not to), leave, show a slide.
 * @typedef {object} Presentation
 * @property {(options?: { slide?: number, fullscreen?: boolean }) => void} enter
 * @property {() => void} leave
 * @property {(n: number, options?: { animate?: boolean }) => void} show
 * @property {() => boolean} isPresenting
 * @property {() => number} current the slide shown, from 1
 * @property {() => number} total
 * @property {(code: string) => number | null} slideOf the slide of a unit (a group), if any
 */

/**
 * One slide: its kind, how to build it, and what the map shows (a unit outlined and framed,
 * or a box; the title slide frames the place on the right of its text).
 * @typedef {object} Slide
 * @property {string} kind `title`, `overview`, `compare`, `group`, `left`, `ranking`, `behind`...
 * @property {() => HTMLElement} build
 * @property {number | string | null} [unit] the unit outlined, the others dimmed
 * @property {string} [code] the unit's code (for `slideOf`)
 */

/**
 * What the class legend over the map shows.
 * @typedef {{ indicator: Indicator, classes: Classes, target: number | null, hasNoData: boolean }} LegendSpec
 */

// ---- the pieces slides are made of ----------------------------------------------------------

/**
 * A target's met / not met mark (symbol and text), if the record has one for `id`.
 * @param {Record<string, TargetStatus> | undefined} targets
 * @param {string} id the indicator
 */
function mark(targets, id) {
  const spec = targets?.[id];
  if (!spec || spec.met === null || spec.met === undefined) return null;
  const text = t(spec.met ? 'target.met' : 'target.not_met', { value: formatPct(spec.target) });
  return el('span', { class: `met ${spec.met ? 'yes' : 'no'}`, role: 'img', 'aria-label': text, title: text }, spec.met ? '✓' : '✗');
}

/**
 * The main number: label, value, target mark, a bar with the target line (shares), notes.
 * @param {object} record
 * @param {IndicatorSpec} spec
 * @param {{ note?: string | null, extra?: (HTMLElement | null)[], then?: object | null, compared?: string | null }} [options]
 *   `then`: the record at the date compared with (its change under the number)
 */
export function mainNumber(record, spec, { note = null, extra = [], then = null, compared = null } = {}) {
  const targets = /** @type {{ targets?: Record<string, TargetStatus> }} */ (record).targets;
  const value = indicatorValue(spec, record);
  const target = targets?.[spec.id];
  const bar = spec.kind === 'pct' && value !== null
    ? el('div', { class: 'slide-bar', role: 'presentation' },
      el('div', { class: `slide-bar-fill ${target ? (target.met ? 'yes' : 'no') : ''}`, style: `width:${Math.min(100, Math.max(0, value))}%` }),
      target ? el('div', { class: `slide-bar-target${target.target > 60 ? ' end' : ''}`, style: `left:${target.target}%` }, el('span', {}, t('legend.target', { value: formatPct(target.target) }))) : null)
    : null;
  const status = target ? el('span', { class: `slide-target ${target.met ? 'yes' : 'no'}` }, t(target.met ? 'target.met' : 'target.not_met', { value: formatPct(target.target) })) : null;
  return el('div', { class: 'slide-main', dataset: { key: spec.id } },
    el('div', { class: 'slide-label' }, indicatorTitle(spec)),
    el('div', { class: 'slide-main-value' }, el('span', { class: 'v' }, value === null ? t('legend.no_roads') : formatShown(spec, value)), mark(targets, spec.id)),
    bar,
    el('div', { class: 'slide-status' }, status, status && note ? ' · ' : null, note),
    then ? el('div', { class: 'slide-change', dataset: { key: spec.id } }, t('compare.change', { change: formatChange(spec, value, indicatorValue(spec, then)), date: compared ?? '' })) : null,
    ...extra);
}

/**
 * The other numbers, as cards that fill the column.
 * @param {object} record
 * @param {IndicatorSpec[]} specs
 * @param {{ then?: object | null }} [options]
 */
export function numberCards(record, specs, { then = null } = {}) {
  const targets = /** @type {{ targets?: Record<string, TargetStatus> }} */ (record).targets;
  // Money is long: a card of its own width, last; a card left alone on its row takes it all.
  const ordered = [...specs.filter((s) => s.kind !== 'money'), ...specs.filter((s) => s.kind === 'money')];
  const narrow = ordered.filter((s) => s.kind !== 'money');
  /** @param {IndicatorSpec} spec */
  const wide = (spec) => spec.kind === 'money' || (narrow.length % 2 === 1 && spec === narrow[narrow.length - 1]);
  return el('div', { class: 'slide-cards' }, ordered.map((spec) => el('div', { class: `slide-card${wide(spec) ? ' wide' : ''}`, dataset: { key: spec.id } },
    el('div', { class: 'slide-label' }, indicatorTitle(spec)),
    el('div', { class: 'slide-value' }, el('span', { class: 'v' }, formatShown(spec, indicatorValue(spec, record))), mark(targets, spec.id)),
    then ? el('div', { class: 'slide-card-change' }, formatChange(spec, indicatorValue(spec, record), indicatorValue(spec, then))) : null)));
}

/**
 * The share a slide leads with: the view's indicator when it is a share shown on slides,
 * else the dashboard's leading share.
 * @param {Level} level
 */
export function leadingShare(level) {
  const view = findIndicator(getState().view.indicator);
  if (view && view.kind === 'pct' && view.outputs.slides && view.levels.includes(level)) return view;
  return mainShare(level) ?? indicatorsFor('slides', level)[0];
}

/**
 * The slides' figures at `level` other than the leading share and the lengths it is made of:
 * those that take a target first (what the council checks), then the others, each group in
 * the catalogue's order; at most `most` (a slide's column holds six at 20 px).
 * @param {Level} level
 * @param {IndicatorSpec} main
 * @param {number} [most]
 */
export function otherFigures(level, main, most = 6) {
  const length = shareLength(main);
  const skip = new Set([main.id, length?.id, main.share_of]);
  const rest = indicatorsFor('slides', level).filter((i) => !skip.has(i.id));
  return [...rest.filter((i) => i.target), ...rest.filter((i) => !i.target)].slice(0, most);
}

/**
 * Horizontal bars of units, largest first, with the target line: the ranking and "km left".
 * @param {{ name: string, value: number | null, text: string, met?: boolean | null, code: string }[]} rows
 * @param {{ max: number, target?: number | null, targetText?: string }} scale
 */
export function slideBars(rows, { max, target = null, targetText = '' }) {
  return el('ol', { class: 'slide-bars' }, rows.map((row, i) => el('li', { class: `slide-bars-row${row.met === false ? ' no' : row.met ? ' yes' : ''}`, dataset: { code: row.code } },
    el('span', { class: 'slide-bars-rank' }, String(i + 1)),
    el('span', { class: 'slide-bars-name' }, row.name),
    el('span', { class: 'slide-bars-track' },
      el('span', { class: 'slide-bars-fill', style: `width:${max > 0 ? Math.min(100, Math.max(0, ((row.value ?? 0) / max) * 100)) : 0}%` }),
      target !== null ? el('span', { class: 'slide-bars-target', style: `left:${Math.min(100, (target / max) * 100)}%`, title: targetText }) : null),
    el('span', { class: 'slide-bars-value' }, row.text))));
}

/**
 * A slide's frame: kicker, name, the line under it, then its content.
 * @param {string} kind
 * @param {{ kicker: string | Node, name: string | Node, sub?: (string | Node | null)[] }} head
 * @param {...(HTMLElement | null)} content
 */
export function slide(kind, { kicker, name, sub = [] }, ...content) {
  return el('div', { class: `slide slide-${kind}` },
    el('div', { class: 'slide-kicker' }, kicker),
    el('h2', { class: 'slide-name' }, name),
    sub.length ? el('p', { class: 'slide-asof' }, ...sub) : null,
    ...content);
}

/**
 * The title slide: the place, the campaign, the date.
 * @param {{ name: string, province?: string | null, asOf: string, kicker: string }} title
 */
export function titleSlide({ name, province = null, asOf, kicker }) {
  return el('div', { class: 'slide slide-title' },
    el('div', { class: 'slide-brand' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), kicker),
    el('h1', { class: 'slide-commune' }, name),
    province ? el('p', { class: 'slide-province' }, province) : null,
    el('h2', { class: 'slide-heading' }, t('present.title')),
    el('p', { class: 'slide-subtitle' }, t('present.subtitle')),
    el('p', { class: 'slide-date', dataset: { date: asOf } }, t('present.as_of', { date: formatDate(asOf) })),
    el('p', { class: 'slide-hint' }, t('present.hint')));
}

/**
 * A comparison of two dates: each slide figure then, now and the change.
 * @param {{ now: object, then: object, nowDate: string, thenDate: string, level: Level }} compare
 */
export function comparisonTable({ now, then, nowDate, thenDate, level }) {
  const specs = indicatorsFor('slides', level);
  return el('table', { class: 'slide-compare-table' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, ''),
      el('th', { scope: 'col', class: 'num' }, formatDate(thenDate)),
      el('th', { scope: 'col', class: 'num' }, formatDate(nowDate)),
      el('th', { scope: 'col', class: 'num' }, t('compare.delta')))),
    el('tbody', {}, specs.map((spec) => el('tr', { dataset: { key: spec.id } },
      el('th', { scope: 'row' }, indicatorTitle(spec)),
      el('td', { class: 'num' }, formatShown(spec, indicatorValue(spec, then))),
      el('td', { class: 'num' }, formatShown(spec, indicatorValue(spec, now))),
      el('td', { class: 'num delta' }, formatChange(spec, indicatorValue(spec, now), indicatorValue(spec, then)))))));
}

// ---- the machinery ----------------------------------------------------------------------------

/**
 * The slides in `root`; `app` is the page's main element (it gets the class `presenting`).
 * @param {object} parts
 * @param {HTMLElement} parts.root
 * @param {HTMLElement} parts.app
 * @param {MapLibreMap} parts.map
 * @param {Units | null} parts.units the choropleth's units (dimmed and outlined)
 * @param {Bbox | null} parts.bbox the place's box
 * @param {() => Slide[]} parts.deck the slides, built from the store's data when shown
 * @param {() => LegendSpec} parts.legend the class legend over the map
 * @param {() => GroupCollection | null} parts.unitsData the units' GeoJSON (to frame one)
 * @param {'id' | 'code'} parts.unitProperty the property naming a unit (a group's id, a
 *   commune's code), as the slides' `unit`
 * @returns {Presentation}
 */
export function enablePresentation({ root, app, map, units, bbox, deck, legend, unitsData, unitProperty }) {
  const slideBox = required('.present-slide', HTMLElement, root);
  const counter = required('.present-counter', HTMLElement, root);
  const mapLegend = required('.present-legend', HTMLElement, root);
  let presenting = false;
  let current = 1;
  /** @type {Slide[]} */
  let slides = [];
  /** @type {{ center: [number, number], zoom: number } | null} */
  let savedView = null;
  let usedFullscreen = false;
  /** @type {['get', string]} */
  const unitKey = ['get', unitProperty];

  const total = () => deck().length;

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

  const labels = () => (units?.labels ?? []).filter((id) => map.getLayer(id));

  function addMapLayers() {
    if (!units || map.getLayer('present-dim') || !map.getSource(units.source)) return;
    const before = labels()[0];
    /** @type {FilterSpecification} */
    const none = ['==', unitKey, -1];
    map.addLayer({ id: 'present-dim', type: 'fill', source: units.source, filter: none, paint: { 'fill-color': '#f3f2ee', 'fill-opacity': 0.78 } }, before);
    map.addLayer({ id: 'present-outline', type: 'line', source: units.source, filter: none, layout: { 'line-join': 'round' }, paint: { 'line-color': '#b7791f', 'line-width': 5 } }, before);
  }

  function removeMapLayers() {
    for (const id of ['present-outline', 'present-dim']) if (map.getLayer(id)) map.removeLayer(id);
    for (const id of labels()) map.setPaintProperty(id, 'text-opacity', 1);
  }

  /** @param {number | string | null} id the unit outlined, the others dimmed (null: none) */
  function focusUnit(id) {
    if (!map.getLayer('present-dim')) return;
    /** @type {FilterSpecification} */
    const none = ['==', unitKey, -1];
    map.setFilter('present-dim', id === null ? none : ['!=', unitKey, id]);
    map.setFilter('present-outline', id === null ? none : ['==', unitKey, id]);
    // A unit's slide names it beside the map: no labels.
    for (const label of labels()) map.setPaintProperty(label, 'text-opacity', id === null ? 1 : 0);
  }

  function drawLegend() {
    const spec = legend();
    const classLegend = el('div', { class: 'class-legend' });
    mapLegend.replaceChildren(el('div', { class: 'present-legend-title' }, indicatorTitle(spec.indicator)), classLegend);
    renderClassLegend(classLegend, spec);
  }

  /**
   * @param {number} n the slide, from 1
   * @param {{ animate?: boolean }} [options]
   */
  function show(n, { animate = true } = {}) {
    slides = deck();
    current = Math.max(1, Math.min(slides.length, Math.round(n) || 1));
    const s = slides[current - 1];
    root.dataset.kind = s.kind;
    app.dataset.slideKind = s.kind;
    slideBox.replaceChildren(s.build());
    slideBox.scrollTop = 0;
    counter.textContent = t('present.counter', { n: current, total: slides.length });
    counter.setAttribute('aria-label', t('present.counter_label', { n: current, total: slides.length }));
    required('.present-prev', HTMLButtonElement, root).disabled = current === 1;
    required('.present-next', HTMLButtonElement, root).disabled = current === slides.length;
    document.documentElement.dataset.slide = String(current);
    delete document.documentElement.dataset.slideDrawn;
    map.resize();
    const unit = s.unit ?? null;
    focusUnit(unit);
    const feature = unit === null ? null : unitsData()?.features.find((f) => f.properties[unitProperty] === unit);
    if (feature) {
      fitToCommune(map, geometryBbox(feature.geometry), { animate, maxZoom: 17, padding: padding() });
    } else if (s.kind === 'title') {
      // The place on the right of the title text.
      const w = map.getContainer().clientWidth;
      const p = padding();
      fitToCommune(map, bbox, { animate, padding: { ...p, left: Math.round(w * 0.52), bottom: p.top } });
    } else {
      fitToCommune(map, bbox, { animate, padding: padding() });
    }
    const shown = current;
    map.once('idle', () => {
      if (presenting && current === shown) document.documentElement.dataset.slideDrawn = String(shown);
    });
    map.triggerRepaint();
    writeUrl();
  }

  /** @param {{ slide?: number, fullscreen?: boolean }} [options] */
  function enter({ slide: n = 1, fullscreen = true } = {}) {
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
    // Before drawing the first slide: whatever closes with the slides (popups, the editor) does.
    update('presentation', { active: true });
    show(n, { animate: false });
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
        required('.present-btn', HTMLButtonElement).click();
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

  /** @param {string} code */
  const slideOf = (code) => {
    const i = deck().findIndex((s) => s.code === code);
    return i < 0 ? null : i + 1;
  };

  return { enter, leave, show, isPresenting: () => presenting, current: () => current, total, slideOf };
}

// ---- a commune's deck ------------------------------------------------------------------------

/**
 * The slides of a commune, from the store's data: title, overview, the comparison of two
 * dates (when one is chosen), one per group (in the API's order, by code, as the council's
 * reports list them), the model sites' photos (when there are any), the km left per group,
 * the closing ranking.
 * @param {{ commune: Commune, catalogue: CatalogueLayer[] }} page
 * @param {Photo[]} [photos] the model sites' photos
 * @returns {Slide[]}
 */
export function communeDeck({ commune, catalogue }, photos = []) {
  const { coverage } = loaded();
  const { compared } = getState().data;
  const c = coverage.commune;
  const main = leadingShare('commune');
  const others = otherFigures('commune', main);
  const comparedDate = compared ? formatDate(compared.as_of) : null;
  /** @type {Slide[]} */
  const deck = [
    { kind: 'title', build: () => titleSlide({ name: c.name, province: commune.province, asOf: coverage.as_of, kicker: t('present.kicker') }) },
    {
      kind: 'overview',
      build: () => slide('overview', { kicker: t('present.overview'), name: c.name, sub: [t('present.as_of', { date: formatDate(coverage.as_of) }), ' · ', households(c)] },
        mainNumber(c, main, { note: lengthsNote(c, main), then: compared?.commune ?? null, compared: comparedDate }),
        numberCards(c, others, { then: compared?.commune ?? null })),
    },
  ];
  if (compared) {
    deck.push({
      kind: 'compare',
      build: () => slide('compare', { kicker: t('compare.kicker'), name: c.name, sub: [t('compare.between', { then: formatDate(compared.as_of), now: formatDate(coverage.as_of) })] },
        comparisonTable({ now: c, then: compared.commune, nowDate: coverage.as_of, thenDate: compared.as_of, level: 'commune' })),
    });
  }
  const groups = coverage.groups;
  const area = catalogue.find((l) => l.role === 'area');
  const mainGroup = leadingShare('group');
  const othersGroup = otherFigures('group', mainGroup);
  groups.forEach((group, i) => {
    deck.push({ kind: 'group', unit: group.id, code: group.code, build: () => groupSlide(group, i, { area, main: mainGroup, others: othersGroup }) });
  });
  if (photos.length) deck.push({ kind: 'photos', build: () => photosSlide(photos) });
  const left = findIndicator('left_m');
  if (left && left.outputs.slides) deck.push({ kind: 'left', build: () => leftSlide(left) });
  deck.push({ kind: 'ranking', build: () => rankingSlide(mainGroup) });
  return deck;
}

/**
 * `41,00 km / 50,80 km` under a share: the length it counts of the length it is a share of.
 * @param {object} record
 * @param {IndicatorSpec} share
 */
function lengthsNote(record, share) {
  const length = shareLength(share);
  const whole = share.share_of ? findIndicator(share.share_of) : null;
  if (!length || !whole) return null;
  return `${formatShown(length, indicatorValue(length, record))} / ${formatShown(whole, indicatorValue(whole, record))}`;
}

/**
 * A group's slide: its name (in its class colour), its households, its main share against the
 * target and its rank, its other figures; comparing two dates, the changes.
 * @param {GroupReport} group
 * @param {number} i its place in the deck's groups
 * @param {{ area: CatalogueLayer | undefined, main: IndicatorSpec, others: IndicatorSpec[] }} parts
 */
function groupSlide(group, i, { area, main, others }) {
  const { coverage, classes } = loaded();
  const { compared } = getState().data;
  const c = coverage.commune;
  const shown = choroplethIndicator(getState().view.indicator, 'group');
  const kind = area?.fields.find((f) => f.name === 'kind')?.values?.find((v) => v.value === group.kind);
  const value = indicatorValue(main, group);
  const ranked = coverage.groups.map((g) => indicatorValue(main, g)).filter((v) => v !== null).sort((a, b) => b - a);
  const rank = value === null ? null : ranked.indexOf(value) + 1;
  const then = compared?.groups.find((g) => g.code === group.code) ?? null;
  const classColor = value !== null && classes && main.id === shown.id ? classes.colors[classIndex(classes, value)] : null;
  const road = findIndicator(main.share_of ?? '');
  const note = el('div', { class: 'slide-note' }, `${indicatorTitle(main)} ${t('present.of_commune', { commune: c.name })}: ${formatShown(main, indicatorValue(main, c))}`);
  return withCode(slide('group', {
    kicker: `${kind ? termLabel(kind) : t('group.kicker')} · ${i + 1} / ${coverage.groups.length}`,
    name: el('span', { class: 'slide-name-text' }, classColor ? el('span', { class: 'slide-swatch', style: `background:${classColor}`, 'aria-hidden': 'true' }) : null, group.name),
    sub: [households(group), road ? ` · ${formatShown(road, indicatorValue(road, group))} ${t('present.roads')}` : null],
  },
  mainNumber(group, main, { note: rank ? t('present.rank', { rank, total: ranked.length }) : null, extra: [note], then, compared: compared ? formatDate(compared.as_of) : null }),
  numberCards(group, others, { then })), group.code);
}

/**
 * Marks a slide's element with the unit's code (`data-code`).
 * @param {HTMLElement} node
 * @param {string} code
 */
function withCode(node, code) {
  node.dataset.code = code;
  return node;
}

/**
 * "Km còn lại": the length left to concrete per group, most first, and the commune's total.
 * @param {IndicatorSpec} left
 */
function leftSlide(left) {
  const { coverage } = loaded();
  const c = coverage.commune;
  const rows = coverage.groups
    .map((g) => ({ code: g.code, name: g.name.replace(/^Tổ dân phố /, 'TDP '), value: indicatorValue(left, g) }))
    .sort((a, b) => (b.value ?? -1) - (a.value ?? -1))
    .map((r) => ({ ...r, text: formatShown(left, r.value) }));
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0));
  return slide('left', { kicker: t('present.left_kicker'), name: indicatorTitle(left), sub: [t('present.as_of', { date: formatDate(coverage.as_of) })] },
    el('div', { class: 'slide-main slide-left-total', dataset: { key: left.id } },
      el('div', { class: 'slide-label' }, t('present.left_total', { commune: c.name })),
      el('div', { class: 'slide-main-value' }, el('span', { class: 'v' }, formatShown(left, indicatorValue(left, c))))),
    slideBars(rows, { max }));
}

/**
 * The model sites' photos: a few, of as many sites as fit, each with its site's name; a
 * click opens the photo.
 * @param {Photo[]} photos
 */
function photosSlide(photos) {
  const { coverage } = loaded();
  const shown = spread(photos, (p) => p.feature_id, SLIDE_PHOTOS);
  const sites = new Set(photos.map((p) => p.feature_id)).size;
  return slide('photos', {
    kicker: t('present.photos_kicker'),
    name: t('present.photos_title'),
    sub: [t('present.photos_count', { photos: photos.length, sites }), ' · ', t('present.as_of', { date: formatDate(coverage.as_of) })],
  }, gallery(shown, { full: true }));
}

/**
 * The closing ranking: the groups by the leading share, best first, against the target.
 * @param {IndicatorSpec} main
 */
function rankingSlide(main) {
  const { coverage } = loaded();
  const target = targetOf(main, coverage.settings);
  const rows = coverage.groups
    .map((g) => ({ code: g.code, name: g.name.replace(/^Tổ dân phố /, 'TDP '), value: indicatorValue(main, g), met: g.targets?.[main.id]?.met ?? null }))
    .sort((a, b) => (b.value ?? -1) - (a.value ?? -1))
    .map((r) => ({ ...r, text: formatShown(main, r.value) }));
  const met = rows.filter((r) => r.met === true).length;
  const max = main.kind === 'pct' ? 100 : Math.max(0, ...rows.map((r) => r.value ?? 0));
  return slide('ranking', {
    kicker: t('present.ranking_kicker'),
    name: indicatorTitle(main),
    sub: [target !== null ? t('present.ranking_met', { met, total: rows.length, target: formatPct(target) }) : t('present.as_of', { date: formatDate(coverage.as_of) })],
  }, slideBars(rows, { max, target, targetText: target !== null ? t('legend.target', { value: formatPct(target) }) : '' }));
}
