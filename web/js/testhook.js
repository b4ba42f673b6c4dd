// @ts-check
// The page's hook for the browser tests (tests/browser/) and for debugging in the console:
// `window.kheo`, a read-only object defined once when the page is built. The page itself never
// reads it: its modules talk through imports and the store (state.js). The getters read the
// store, so they always show the current state.

import { clickableStyleLayerIds } from './layers.js';
import { editorHasTheMap, getState } from './state.js';

/**
 * @import { Editor } from './edit/index.js'
 * @import { DateControl } from './page/as-of.js'
 * @import { Selection } from './page/selection.js'
 * @import { Presentation } from './present.js'
 * @import { Page } from './types.js'
 * @import { RegionPage } from './page/region.js'
 */

/**
 * Defines `window.kheo`: the map, the commune, the catalogue, the config and the style layers;
 * the store's view (`state`), data and editor state (`edit.state`); and a few of the page's
 * actions (`requestAsOf`, `selectGroup`, `preparePrint`, `presentation`, `time`).
 * @param {{ page: Page, presentation: Presentation, dates: DateControl, selection: Selection, preparePrint: () => void, editor: Editor }} parts
 */
export function exposeTestHook({ page, presentation, dates, selection, preparePrint, editor }) {
  const { map, commune, catalogue, config, styleLayers, units } = page;
  const hook = Object.freeze({
    map,
    commune,
    catalogue,
    config,
    styleLayers,
    units,
    /** The style layers a click looks at, most specific first (layers.js). */
    clickOrder: () => clickableStyleLayerIds(map, catalogue),
    get state() { return getState().view; },
    get data() { return getState().data; },
    time: dates.time,
    requestAsOf: dates.request,
    selectGroup: selection.select,
    preparePrint,
    presentation,
    edit: Object.freeze({
      get state() { return getState().edit; },
      /** Whether map clicks belong to the editor. */
      active: editorHasTheMap,
      close: editor.close,
      /** The terra-draw instance (null until the first drawing). */
      draw: editor.draw,
    }),
  });
  Object.defineProperty(window, 'kheo', { value: hook, enumerable: true });
}

/**
 * Defines `window.kheo` on a region's page: the map, the region, the catalogue, the style
 * layers and the units; the store's view (`state`) and data; the slides and `requestAsOf`.
 * @param {RegionPage & { presentation: Presentation, requestAsOf: (asOf: string | null) => Promise<void> }} parts
 */
export function exposeRegionTestHook({ map, region, catalogue, styleLayers, units, presentation, requestAsOf }) {
  const hook = Object.freeze({
    map,
    region,
    catalogue,
    styleLayers,
    units,
    get state() { return getState().view; },
    get data() { return getState().data; },
    presentation,
    requestAsOf,
  });
  Object.defineProperty(window, 'kheo', { value: hook, enumerable: true });
}
