// @ts-check
// The page's one state store. What changes while the page runs, and what more than one
// module reads, lives here under four topics:
//
//   view          what the planner looks at: the indicator, the date, the selected group,
//                 the table's order (the URL mirrors it, see page/url.js)
//   data          the API's answers for that view: coverage, the groups' GeoJSON, the
//                 timeline, the choropleth's classes
//   presentation  whether the slides are shown (present.js sets it)
//   edit          the editor: may the user edit, the tool, the feature in the form, the
//                 parts of the last split, the undo stack (edit/)
//
// Modules read with `getState()`, change a topic with `update(topic, patch)` (a shallow
// merge into a new, frozen object: nothing changes it in place), and react with
// `subscribe(topic, listener)`. Listeners run synchronously after the change, in the order
// they subscribed, and only when a value of the patch differs from the one it replaces.
// What one module owns alone (its DOM nodes, the terra-draw instance, the ETag cache) stays
// with that module: the store is for what is shared.

/**
 * @import { Geometry } from 'geojson'
 * @import { Classes } from './choropleth.js'
 * @import { CoverageReport, FeatureId, GroupCollection, LayerFeature, Properties, RegionReport, RegionTimeline, Timeline, WorkList } from './types.js'
 */

/**
 * @typedef {object} View
 * @property {string} indicator the id of the indicator that colours the groups
 * @property {string | null} asOf YYYY-MM-DD, null for today
 * @property {string | null} group the selected group's code, null for the commune's overview
 * @property {SortOrder} sort the groups table's order
 * @property {string | null} compare YYYY-MM-DD: the date the table and the slides compare
 *   with, null for none
 * @property {'overview' | 'worklist'} tab what the panel shows: the numbers, or the work list
 */

/** The table's order: a column, up or down (`none`: the API's order, by code). @typedef {{ key: string, dir: 'asc' | 'desc' | 'none' }} SortOrder */

/**
 * @typedef {object} Data
 * @property {CoverageReport | null} coverage
 * @property {GroupCollection | null} geojson the groups with their indicators (the choropleth)
 * @property {Timeline | null} timeline
 * @property {Classes | null} classes the choropleth's classes for the indicator and the data
 * @property {CoverageReport | null} compared the coverage at `view.compare`
 * @property {WorkList | null} worklist the roads left to concrete at the date shown (loaded
 *   when the panel first shows it)
 * @property {RegionReport | null} region a region's coverage (a region's page)
 * @property {RegionReport | null} regionCompared a region's coverage at `view.compare`
 * @property {RegionTimeline | null} regionTimeline
 */

/** @typedef {{ active: boolean }} Presentation */

/**
 * An editing tool: draw a line, point or polygon into a layer, pick a feature, split a road.
 * @typedef {{ kind: 'line' | 'point' | 'polygon', layer: string } | { kind: 'pick' } | { kind: 'split' }} Tool
 */

/**
 * The feature in the editor's form.
 * @typedef {object} EditedFeature
 * @property {string} layer the catalogue layer
 * @property {FeatureId | null} id null until a new feature is saved
 * @property {LayerFeature} feature as loaded, or as drawn for a new one
 * @property {string | number | null} drawId its id in terra-draw (null: not editable there)
 * @property {boolean} isNew
 * @property {Geometry | null} original the stored geometry (null for a new feature)
 */

/** The two roads a split made, for the form's part buttons. @typedef {{ layer: string, ids: FeatureId[] }} SplitParts */

/** What a PATCH sends back to undo an update. @typedef {{ geometry?: Geometry | null, properties?: Properties }} FeaturePatch */

/**
 * One write of a change, kept to undo it: a create is undone by a DELETE, an update by a
 * PATCH back to `before`, a delete by a POST of `feature` again.
 * @typedef {{ op: 'create', layer: string, id: FeatureId }
 *   | { op: 'update', layer: string, id: FeatureId, before: FeaturePatch }
 *   | { op: 'delete', layer: string, id: FeatureId, feature: LayerFeature }} UndoOp
 */

/**
 * A change the editor can undo: its label, its writes, and the feature to open afterwards.
 * @typedef {{ label: string, ops: UndoOp[], focus: { layer: string, id: FeatureId } | null }} UndoEntry
 */

/**
 * @typedef {object} EditState
 * @property {boolean} allowed whether the signed-in user may edit the commune shown
 * @property {Tool | null} tool
 * @property {EditedFeature | null} current
 * @property {SplitParts | null} parts after a split, until another feature is opened
 * @property {UndoEntry[]} undo the last changes, oldest first
 */

/**
 * @typedef {object} State
 * @property {Readonly<View>} view
 * @property {Readonly<Data>} data
 * @property {Readonly<Presentation>} presentation
 * @property {Readonly<EditState>} edit
 */

/** @typedef {keyof State} Topic */

/**
 * @template {Topic} T
 * @typedef {(current: State[T], previous: State[T]) => void} Listener
 */

/** @type {View} */
const initialView = { indicator: '', asOf: null, group: null, sort: { key: 'name', dir: 'asc' }, compare: null, tab: 'overview' };
/** @type {Data} */
const initialData = {
  coverage: null, geojson: null, timeline: null, classes: null, compared: null, worklist: null,
  region: null, regionCompared: null, regionTimeline: null,
};
/** @type {EditState} */
const initialEdit = { allowed: false, tool: null, current: null, parts: null, undo: [] };

/** @type {State} */
let state = {
  view: Object.freeze(initialView),
  data: Object.freeze(initialData),
  presentation: Object.freeze({ active: false }),
  edit: Object.freeze(initialEdit),
};

/** @type {{ [T in Topic]: Set<Listener<T>> }} */
const listeners = { view: new Set(), data: new Set(), presentation: new Set(), edit: new Set() };

/** The current state (read-only: change it with `update`). */
export const getState = () => state;

/**
 * Merges `patch` into `topic` and tells the topic's listeners, if anything changed.
 * @template {Topic} T
 * @param {T} topic
 * @param {Partial<State[T]>} patch
 */
export function update(topic, patch) {
  const previous = state[topic];
  const changed = Object.entries(patch).some(([key, value]) => !Object.is(value, /** @type {Record<string, unknown>} */ (previous)[key]));
  if (!changed) return;
  // The merge of a topic and a patch of it is that topic again (tsc cannot see it through T).
  const next = /** @type {State[T]} */ (Object.freeze({ ...previous, ...patch }));
  state = { ...state, [topic]: next };
  for (const listener of listeners[topic]) listener(next, previous);
}

/**
 * Calls `listener(current, previous)` after every change of `topic`. Returns a function
 * that stops it.
 * @template {Topic} T
 * @param {T} topic
 * @param {Listener<T>} listener
 * @returns {() => void}
 */
export function subscribe(topic, listener) {
  const set = /** @type {Set<Listener<T>>} */ (listeners[topic]);
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * The view's data once boot has loaded it (page/boot.js loads it before any module reads it).
 * @returns {{ coverage: CoverageReport, geojson: GroupCollection, classes: Classes, timeline: Timeline | null }}
 */
export function loaded() {
  const { coverage, geojson, classes, timeline } = state.data;
  if (!coverage || !geojson || !classes) throw new Error('the coverage is not loaded yet');
  return { coverage, geojson, classes, timeline };
}

/**
 * A region's data once its page has loaded it (page/region.js loads it before any module reads it).
 * @returns {{ region: RegionReport, geojson: GroupCollection, classes: Classes, timeline: RegionTimeline | null }}
 */
export function loadedRegion() {
  const { region, geojson, classes, regionTimeline } = state.data;
  if (!region || !geojson || !classes) throw new Error('the region is not loaded yet');
  return { region, geojson, classes, timeline: regionTimeline };
}

/** Whether map clicks belong to the editor: a tool is active or a feature is in the form. */
export function editorHasTheMap() {
  const { allowed, tool, current } = state.edit;
  return allowed && Boolean(tool || current);
}
