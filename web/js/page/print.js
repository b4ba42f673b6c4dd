// @ts-check
// The map on paper and as a picture: the PNG button (the print-grade sheet at 300 dpi), the
// print button (the printed page, its map made at 300 dpi first) and the paper select (A4
// or A3, landscape or portrait). Printing from the browser's menu prints the map made for
// the same view and paper, else a copy of the map on screen (export.js).

import { choroplethIndicator, indicatorValue } from '../choropleth.js';
import { required } from '../dom.js';
import { downloadPng, PAPER_FORMATS, preparePrintMap, preparePrintNow, setPaper } from '../export.js';
import { getState, loaded } from '../state.js';

/**
 * @import { PrintParts } from '../export.js'
 * @import { SheetView } from '../print/sheet.js'
 * @import { Page } from '../types.js'
 */

/**
 * What the sheet shows: the map as it is (its layers, their visibility), the view's indicator,
 * its classes, the commune's numbers and the date.
 * @param {Page} page
 * @returns {SheetView}
 */
function sheetView({ map, commune, catalogue, styleLayers }) {
  const { coverage, classes, geojson } = loaded();
  const indicator = choroplethIndicator(getState().view.indicator, 'group');
  return {
    map,
    catalogue,
    styleLayers,
    commune,
    totals: coverage.commune,
    groups: geojson,
    indicator,
    classes,
    settings: coverage.settings,
    asOf: coverage.as_of,
    hasNoData: coverage.groups.some((g) => indicatorValue(indicator, g) === null),
  };
}

/**
 * What a printed map depends on: a map made for another view or paper is not printed.
 * @param {SheetView} view
 * @param {string} paper
 */
const viewKey = (view, paper) => JSON.stringify([
  paper, view.indicator.id, view.asOf,
  Object.values(view.styleLayers).flat().map((id) => view.map.getLayer(id) ? view.map.getLayoutProperty(id, 'visibility') : null),
]);

/**
 * Wires the PNG and print buttons and the paper select. Returns what prepares the printed
 * page with its map at 300 dpi (the test hook calls it before emulating print media).
 * @param {Page} page
 * @returns {() => Promise<void>}
 */
export function enablePrintAndPng(page) {
  const paper = required('#paper', HTMLSelectElement);
  const html = document.documentElement;
  /** @param {HTMLButtonElement} button @param {() => Promise<unknown>} work */
  const busyWhile = async (button, work) => {
    button.disabled = true;
    html.dataset.printBusy = '1';
    try {
      await work();
    } finally {
      button.disabled = false;
      html.dataset.printBusy = '0';
    }
  };

  const pngButton = required('.png-btn', HTMLButtonElement);
  pngButton.addEventListener('click', () => busyWhile(pngButton, async () => {
    try {
      await downloadPng(sheetView(page), PAPER_FORMATS[paper.value] ?? PAPER_FORMATS.a4);
    } catch (error) {
      console.error('PNG export:', error);
    }
  }));

  /** @type {PrintParts} */
  const parts = { head: required('.print-head', HTMLElement), image: required('.print-map', HTMLImageElement), foot: required('.print-foot', HTMLElement) };
  /** The view and paper the printed page's map was made for. */
  let madeFor = '';
  const prepare = async () => {
    const view = sheetView(page);
    const key = viewKey(view, paper.value);
    await preparePrintMap(view, parts, paper.value);
    madeFor = key;
  };
  window.addEventListener('beforeprint', () => {
    const view = sheetView(page);
    if (viewKey(view, paper.value) !== madeFor) preparePrintNow(view, parts);
  });
  const printButton = required('.print-btn', HTMLButtonElement);
  printButton.addEventListener('click', () => busyWhile(printButton, async () => {
    try {
      await prepare();
    } catch (error) {
      console.error('print:', error);
    }
    window.print();
  }));
  paper.value = setPaper(paper.value);
  paper.addEventListener('change', () => { paper.value = setPaper(paper.value); });
  return prepare;
}
