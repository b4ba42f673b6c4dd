// @ts-check
// Telling that the page is drawn: the loading status goes once the map is first idle, and
// <html data-ready="1"> (what the browser tests wait for) once, besides, the timeline has come
// or failed, with `data-as-of` the date of the numbers shown and `data-busy="0"`. The
// performance mark `kheo:choropleth-drawn` times the first draw.

import { required } from '../dom.js';
import { getState } from '../state.js';

/** @import { Map as MapLibreMap } from 'maplibre-gl' */

/**
 * @param {MapLibreMap} map
 * @param {Promise<unknown>} timeline
 * @param {() => string | undefined} [asOf] the date of the numbers shown (a commune's by default)
 */
export function signalReadyWhenDrawn(map, timeline, asOf = () => getState().data.coverage?.as_of) {
  map.once('idle', () => {
    performance.mark('kheo:choropleth-drawn');
    required('.status', HTMLElement).hidden = true;
    timeline.finally(() => {
      const html = document.documentElement;
      html.dataset.asOf = asOf() ?? '';
      html.dataset.busy = '0';
      html.dataset.ready = '1';
    });
  });
}
