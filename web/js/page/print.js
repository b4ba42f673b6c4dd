// @ts-check
// The map on paper and as a picture: the PNG button, the print button and the paper size
// (A4 or A3 landscape). Both compose the map with its title, legend and date (export.js);
// printing from the browser's menu does the same in `beforeprint`.

import { choroplethIndicator, indicatorValue } from '../choropleth.js';
import { required } from '../dom.js';
import { downloadPng, preparePrint, setPaper } from '../export.js';
import { getState, loaded } from '../state.js';

/**
 * @import { ExportOptions } from '../export.js'
 * @import { Page } from '../types.js'
 */

/**
 * What the export draws: the map as it is, the view's indicator, its classes and the date.
 * @param {Page} page
 * @returns {ExportOptions}
 */
function exportOptions({ map, commune }) {
  const { coverage, classes } = loaded();
  const indicator = choroplethIndicator(getState().view.indicator, 'group');
  return {
    map,
    commune,
    indicator,
    classes,
    settings: coverage.settings,
    asOf: coverage.as_of,
    hasNoData: coverage.groups.some((g) => indicatorValue(indicator, g) === null),
  };
}

/**
 * Wires the PNG and print buttons and the paper select. Returns what prepares the printed
 * page (the test hook calls it before emulating print media).
 * @param {Page} page
 * @returns {() => void}
 */
export function enablePrintAndPng(page) {
  const pngButton = required('.png-btn', HTMLButtonElement);
  pngButton.addEventListener('click', async () => {
    pngButton.disabled = true;
    try {
      await downloadPng(exportOptions(page));
    } catch (error) {
      console.error('PNG export:', error);
    } finally {
      pngButton.disabled = false;
    }
  });
  const printParts = { head: required('.print-head', HTMLElement), image: required('.print-map', HTMLImageElement) };
  const beforePrint = () => preparePrint(exportOptions(page), printParts);
  window.addEventListener('beforeprint', beforePrint);
  required('.print-btn', HTMLButtonElement).addEventListener('click', () => {
    beforePrint();
    window.print();
  });
  const paper = required('#paper', HTMLSelectElement);
  paper.value = setPaper('a4');
  paper.addEventListener('change', () => { paper.value = setPaper(paper.value); });
  return beforePrint;
}
