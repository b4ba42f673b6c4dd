// @ts-check
// The date the map and the numbers show (the store's view.asOf, null for today). The time
// control (time.js) asks for a date; the coverage, the choropleth, the works layers and the
// panel follow, one date at a time: a date asked for while another loads waits, and of those
// waiting only the last is shown. <html data-busy="1"> while a date loads, "0" and
// `data-as-of` (the date of the numbers) once it is drawn.

import { errorMessage, getCoverage, getCoverageGeojson, getTimeline } from '../api.js';
import { required } from '../dom.js';
import { setUnitsData, setWorksAsOf } from '../layers.js';
import { getState, loaded, update } from '../state.js';
import { enableTimeControl } from '../time.js';
import { showError } from './errors.js';
import { withLabels } from './indicator.js';

/**
 * @import { TimeControl } from '../time.js'
 * @import { Page, Timeline } from '../types.js'
 * @import { IndicatorControl } from './indicator.js'
 * @import { Panel } from './panel.js'
 * @import { Selection } from './selection.js'
 */

/**
 * @typedef {object} DateControl
 * @property {(asOf: string | null) => Promise<void>} request shows the date (null: today);
 *   resolves once it and any date asked for meanwhile are drawn
 * @property {(year: number) => void} pickYear shows the end of the year (this year: today)
 * @property {(timeline: Timeline) => void} showTimeline the years the slider offers, and the
 *   panel's progress chart
 * @property {() => Promise<void>} refresh loads the date shown again (after an edit), and the
 *   timeline, which an edit changes too
 * @property {(date: string | null) => Promise<void>} compareWith the date the table and the
 *   slides compare with (null: none)
 * @property {TimeControl} time the year slider, the date and the play button
 */

/**
 * The coverage and the groups' GeoJSON of the commune at a date, and the coverage at the date
 * compared with (null without one), fetched together.
 * @param {string} commune
 * @param {string | null} asOf
 * @param {string | null} [compare]
 */
export const fetchCoverage = (commune, asOf, compare = null) => Promise.all([
  getCoverage(commune, asOf),
  getCoverageGeojson(commune, asOf),
  compare ? getCoverage(commune, compare) : Promise.resolve(null),
]);

/**
 * Today in Vietnam (UTC+7), as the server's default as_of; the first coverage's date when it
 * is today's.
 */
function todayIso() {
  const { coverage } = loaded();
  return getState().view.asOf === null ? coverage.as_of : new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * @param {Page} page
 * @param {{ panel: Panel, choropleth: IndicatorControl, selection: Selection }} parts what a new date redraws
 * @returns {DateControl}
 */
export function createDateControl(page, { panel, choropleth, selection }) {
  const { map, commune, catalogue, units } = page;
  const html = document.documentElement;
  const today = todayIso();
  const time = enableTimeControl(required('.time', HTMLElement), {
    firstYear: Number(today.slice(0, 4)),
    today,
    onChange: (asOf) => request(asOf),
  });
  time.show(loaded().coverage.as_of, getState().view.asOf);

  /** @param {string | null} asOf */
  async function apply(asOf) {
    html.dataset.busy = '1';
    const [coverage, geojson, compared] = await fetchCoverage(commune.code, asOf, getState().view.compare);
    update('view', { asOf });
    // The work list is of the date shown: the panel loads it again when it shows it.
    update('data', { coverage, geojson: withLabels(geojson, getState().view.indicator, 'group'), compared, worklist: null });
    setUnitsData(map, units, loaded().geojson);
    selection.outlineAgain();
    choropleth.apply();
    const { works } = panel.render();
    time.show(coverage.as_of, asOf);
    await Promise.all([setWorksAsOf(map, catalogue, { commune: commune.code }, asOf), works]);
    html.dataset.asOf = coverage.as_of;
    html.dataset.busy = '0';
  }

  // The date waiting to be shown (undefined: none), and the loop showing dates, if running.
  /** @type {string | null | undefined} */
  let pending;
  /** @type {Promise<void> | null} */
  let running = null;

  /** @param {string | null} asOf */
  function request(asOf) {
    pending = asOf;
    if (!running) running = showPending();
    return running;
  }

  async function showPending() {
    try {
      while (pending !== undefined) {
        const next = pending;
        pending = undefined;
        await apply(next);
      }
    } catch (error) {
      console.error(error);
      showError(errorMessage(error));
    } finally {
      running = null;
    }
  }

  /** @param {Timeline} timeline */
  function showTimeline(timeline) {
    update('data', { timeline });
    if (timeline.years?.length) time.setRange(timeline.years[0].year, Number(today.slice(0, 4)));
    if (getState().view.group === null) panel.render();
  }

  async function refresh() {
    const timeline = await getTimeline(commune.code).catch(() => getState().data.timeline);
    update('data', { timeline });
    return request(getState().view.asOf);
  }

  /** @param {string | null} date */
  async function compareWith(date) {
    const compared = date ? await getCoverage(commune.code, date) : null;
    update('view', { compare: date });
    update('data', { compared });
    panel.render();
  }

  return { request, pickYear: (year) => { time.setYear(year); }, showTimeline, refresh, compareWith, time };
}
