// @ts-check
// The slides for the People's Council (present.js) on a commune's page: the "Trình chiếu"
// button (from a group's page, the slides open at that group's slide), and
// `?present=1&slide=n` opening them at start.

import { choroplethIndicator, indicatorValue, targetOf } from '../choropleth.js';
import { required } from '../dom.js';
import { communeDeck, enablePresentation } from '../present.js';
import { getState, loaded } from '../state.js';

/**
 * @import { Presentation } from '../present.js'
 * @import { Page } from '../types.js'
 */

/**
 * @param {Page} page
 * @returns {Presentation}
 */
export function enableSlides(page) {
  const { map, commune, units } = page;
  const presentation = enablePresentation({
    root: required('.present', HTMLElement),
    app: required('.app', HTMLElement),
    map,
    units,
    bbox: commune.bbox,
    deck: () => communeDeck(page),
    legend: () => {
      const { coverage, classes } = loaded();
      const indicator = choroplethIndicator(getState().view.indicator, 'group');
      return {
        indicator,
        classes,
        target: targetOf(indicator, coverage.settings),
        hasNoData: coverage.groups.some((g) => indicatorValue(indicator, g) === null),
      };
    },
    unitsData: () => getState().data.geojson,
    unitProperty: 'id',
  });
  required('.present-btn', HTMLButtonElement).addEventListener('click', () => {
    const { group } = getState().view;
    presentation.enter({ slide: (group && presentation.slideOf(group)) || 1 });
  });
  return presentation;
}

/**
 * Opens the slides the URL asks for (after the page is built: they need the map and the data).
 * @param {Presentation} presentation
 * @param {{ present: boolean, slide: number | null }} wanted
 */
export function openSlidesFromUrl(presentation, { present, slide }) {
  if (present) presentation.enter({ slide: slide ?? 1, fullscreen: false });
}
