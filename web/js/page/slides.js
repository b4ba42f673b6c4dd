// @ts-check
// The slides for the People's Council (present.js) on a commune's page: the "Trình chiếu"
// button (from a group's page, the slides open at that group's slide), and
// `?present=1&slide=n` opening them at start. The model sites' photos are read when the page
// is built and again as the slides open (their slide shows when there are any).

import { choroplethIndicator, indicatorValue, targetOf } from '../choropleth.js';
import { required } from '../dom.js';
import { communePhotos } from '../photos.js';
import { communeDeck, enablePresentation } from '../present.js';
import { getState, loaded } from '../state.js';

/**
 * @import { Presentation } from '../present.js'
 * @import { Photo } from '../photos.js'
 * @import { Page } from '../types.js'
 */

/**
 * The slides of a commune's page, and what reads the model sites' photos again (showing the
 * slides again if they changed).
 * @typedef {Presentation & { refreshPhotos: () => Promise<void> }} CommuneSlides
 */

/**
 * @param {Page} page
 * @returns {CommuneSlides}
 */
export function enableSlides(page) {
  const { map, commune, units, catalogue } = page;
  /** The model sites' photos: read when the page is built, and again as the slides open. @type {Photo[]} */
  let photos = [];
  const sites = catalogue.find((l) => l.role === 'work' && l.geometry === 'point');
  /** Reads the photos again; resolves with whether they changed. */
  const loadPhotos = () => (sites ? communePhotos(commune.code, sites.id) : Promise.resolve([]))
    .then((list) => {
      const changed = list.map((p) => p.id).join() !== photos.map((p) => p.id).join();
      photos = list;
      return changed;
    })
    .catch((error) => {
      console.warn('photos of the model sites:', error);
      return false;
    });
  const presentation = enablePresentation({
    root: required('.present', HTMLElement),
    app: required('.app', HTMLElement),
    map,
    units,
    bbox: commune.bbox,
    deck: () => communeDeck(page, photos),
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
  /** The slides shown again when photos came or went while they show (their slide too). */
  const refreshPhotos = () => loadPhotos().then((changed) => {
    if (changed && presentation.isPresenting()) presentation.show(presentation.current(), { animate: false });
  });
  loadPhotos();
  required('.present-btn', HTMLButtonElement).addEventListener('click', () => {
    const { group } = getState().view;
    presentation.enter({ slide: (group && presentation.slideOf(group)) || 1 });
    refreshPhotos();
  });
  return Object.assign(presentation, { refreshPhotos });
}

/**
 * Opens the slides the URL asks for (after the page is built: they need the map and the data).
 * @param {CommuneSlides} presentation
 * @param {{ present: boolean, slide: number | null }} wanted
 */
export function openSlidesFromUrl(presentation, { present, slide }) {
  if (!present) return;
  presentation.enter({ slide: slide ?? 1, fullscreen: false });
  presentation.refreshPhotos();
}
