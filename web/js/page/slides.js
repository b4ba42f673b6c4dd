// @ts-check
// The slides for the People's Council (present.js) on this page: the "Trình chiếu" button,
// and `?present=1&slide=n` opening them at start.

import { required } from '../dom.js';
import { enablePresentation } from '../present.js';

/**
 * @import { Presentation } from '../present.js'
 * @import { Page } from '../types.js'
 */

/**
 * @param {Page} page
 * @returns {Presentation}
 */
export function enableSlides({ map, commune, catalogue }) {
  const presentation = enablePresentation({
    root: required('.present', HTMLElement),
    app: required('.app', HTMLElement),
    map,
    commune,
    catalogue,
  });
  required('.present-btn', HTMLButtonElement).addEventListener('click', () => presentation.enter({ slide: 1 }));
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
