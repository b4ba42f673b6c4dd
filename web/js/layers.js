// @ts-check
// Sources and style layers for every row of the layer catalogue (GET /api/layers), drawn in
// the catalogue's draw order with the catalogue's own MapLibre style layers (src/layers/
// styles/); what a click looks at, most specific first; the works at a date. No layer id is
// written here: what differs between layers is the catalogue's `role`, `geometry`,
// `draw_order`, `style` and `legend` (docs/ARCHITECTURE.md, "One truth").
//
// The choropleth's units are drawn with the style of the catalogue's `area` layer: on a
// commune's page its groups (their GeoJSON with the indicators, /api/coverage.geojson), on a
// region's page its communes (the `boundary` layer's features, the same way). Their labels
// come from one point per unit (label-points.js), so that a label is drawn once however far
// the map zooms in. Works are GeoJSON on a commune's page and vector tiles on a region's.

import { featuresUrl, tilesUrl } from './api.js';
import { hatchImage } from './choropleth.js';
import { labelPoints } from './label-points.js';

/**
 * @import { AddLayerObject, FilterSpecification, GeoJSONSource, Map as MapLibreMap, VectorTileSource } from 'maplibre-gl'
 * @import { Basemap, CatalogueLayer, CatalogueStyleLayer, GroupCollection } from './types.js'
 */

/**
 * Group labels ("TDP 4" and the value) use the glyphs served offline from /fonts/ (web/fonts/,
 * Noto Sans). The flag turns them off (`?labels=0`) should a deployment lack the fonts.
 */
export const GROUP_LABELS = new URLSearchParams(location.search).get('labels') !== '0';
export const GLYPHS_URL = `${location.origin}/fonts/{fontstack}/{range}.pbf`;

/** The map's own colours (no layer's): the background under everything. */
export const COLORS = { background: '#e8e7e2' };

/**
 * The style layers of the choropleth's units on the map: their source, the fill the
 * indicator colours, the hatched fill of units without a value, the labels and their source.
 * @typedef {object} Units
 * @property {string} layer the catalogue layer the units are (groups, or communes on a region's page)
 * @property {string} source
 * @property {string | null} fill
 * @property {string | null} nodata
 * @property {string[]} labels
 * @property {string} labelSource
 */

/** What the map shows: a commune with its groups, or a region with its communes. @typedef {{ commune: string } | { region: string }} Scope */

/**
 * The style layers added per catalogue layer (filled by `addLayers`): what the legend toggles
 * and what `styleLayerIds` answers.
 * @type {Map<string, string[]>}
 */
const added = new Map();

/**
 * The catalogue in draw order, bottom to top.
 * @param {CatalogueLayer[]} catalogue
 */
export const inDrawOrder = (catalogue) => [...catalogue].sort((a, b) => a.draw_order - b.draw_order);

/**
 * The first catalogue layer of a role (`boundary`, `area`), if any.
 * @param {CatalogueLayer[]} catalogue
 * @param {CatalogueLayer['role']} role
 */
export const layerOfRole = (catalogue, role) => inDrawOrder(catalogue).find((l) => l.role === role);

/**
 * The works: every layer of role `work`, in draw order.
 * @param {CatalogueLayer[]} catalogue
 */
export const workLayers = (catalogue) => inDrawOrder(catalogue).filter((l) => l.role === 'work');

/**
 * The style layer ids of a catalogue layer on the map (for toggling, snapping, picking).
 * @param {string} layerId
 */
export function styleLayerIds(layerId) {
  return added.get(layerId) ?? [];
}

/**
 * The catalogue layer a style layer draws (`roads-paved` -> `roads`), if it is one of ours.
 * @param {string} styleLayerId
 */
export function catalogueIdOf(styleLayerId) {
  for (const [id, styles] of added) if (styles.includes(styleLayerId)) return id;
  return null;
}

/** A click looks at points first, then lines, then areas. */
const GEOMETRY_RANK = { point: 0, line: 1, polygon: 2 };

/**
 * The style layers that answer clicks, most specific first: points, then lines, then areas;
 * among layers of one geometry, the one drawn on top first; within a layer its style layers
 * from the top. Style layers marked `clickable: false` (halos, glows), symbols (labels,
 * names) and style layers not on the map are left out. The popup's chooser (popup.js) lists
 * what a click hits in this order.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @returns {string[]}
 */
export function clickableStyleLayerIds(map, catalogue) {
  const ordered = [...catalogue].sort((a, b) =>
    (GEOMETRY_RANK[a.geometry] - GEOMETRY_RANK[b.geometry]) || (b.draw_order - a.draw_order));
  return ordered.flatMap((layer) => [...styleLayerIds(layer.id)].reverse().filter((id) => {
    const onMap = map.getLayer(id);
    return onMap && onMap.type !== 'symbol' && !unclickable.has(id);
  }));
}

/** The ids of the style layers added from a `clickable: false` spec. @type {Set<string>} */
const unclickable = new Set();

/**
 * A style spec of `owner` as drawn for the catalogue layer `as` (the area's style drawing the
 * communes of a region): its id carries `as`'s prefix instead of `owner`'s.
 * @param {CatalogueStyleLayer} spec
 * @param {CatalogueLayer} owner
 * @param {CatalogueLayer} as
 * @returns {CatalogueStyleLayer}
 */
function renamed(spec, owner, as) {
  if (owner.id === as.id) return spec;
  return { ...spec, id: `${as.id}${spec.id.slice(owner.id.length)}` };
}

/**
 * One style layer ready for `map.addLayer`: kheo's keys taken off, its source (and source
 * layer, for tiles) set, visible.
 * @param {CatalogueStyleLayer} spec
 * @param {string} source
 * @param {string | null} sourceLayer
 * @returns {AddLayerObject}
 */
function styleLayer(spec, source, sourceLayer) {
  const { above: _above, below: _below, top: _top, clickable: _clickable, ...layer } = spec;
  const full = { ...layer, source, layout: { ...(layer.layout ?? {}), visibility: 'visible' } };
  if (sourceLayer) Object.assign(full, { 'source-layer': sourceLayer });
  // A MapLibre style layer as the catalogue serves it (validated against the style spec by
  // the server's tests); tsc cannot see the type/paint pairing through the JSON.
  return /** @type {AddLayerObject} */ (/** @type {unknown} */ (full));
}

/**
 * The units' style layers among those added for the choropleth.
 * @param {CatalogueStyleLayer[]} specs as drawn (renamed)
 * @param {string} layer
 * @param {string} source
 * @param {string} labelSource
 * @returns {Units}
 */
function unitsOf(specs, layer, source, labelSource) {
  const fills = specs.filter((s) => s.type === 'fill');
  return {
    layer,
    source,
    fill: fills.find((s) => !s.paint?.['fill-pattern'])?.id ?? null,
    nodata: fills.find((s) => s.paint?.['fill-pattern'])?.id ?? null,
    labels: specs.filter((s) => s.type === 'symbol').map((s) => s.id),
    labelSource,
  };
}

/**
 * Adds a source and its style layers for every catalogue layer that has a style, in draw
 * order, for a commune (its boundary, its groups as the choropleth, its works as GeoJSON) or
 * a region (its communes as the choropleth, its works as vector tiles). Returns the style
 * layer ids added per catalogue layer, and the choropleth's units.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {Scope} scope
 * @param {{ unitsData?: GroupCollection | null, asOf?: string | null, works?: boolean }} [options]
 *   the units' GeoJSON (the page fetches it), the date of the works, and whether to add the
 *   works at all (a region's page adds them when they are first shown)
 * @returns {{ styleLayers: Record<string, string[]>, units: Units | null }}
 */
export function addLayers(map, catalogue, scope, { unitsData = null, asOf = null, works = true } = {}) {
  if (!map.hasImage('kheo-hatch')) map.addImage('kheo-hatch', hatchImage());
  added.clear();
  unclickable.clear();
  const area = layerOfRole(catalogue, 'area');
  const boundary = layerOfRole(catalogue, 'boundary');
  // The layer whose features are the choropleth's units, drawn with the area's style.
  const unitLayer = 'region' in scope ? boundary : area;
  /** @type {Units | null} */
  let units = null;
  /** @type {{ full: AddLayerObject, above?: string, below?: string }[]} */
  const deferred = [];
  /** @type {string[]} */
  const onTop = [];
  const empty = /** @type {GroupCollection} */ ({ type: 'FeatureCollection', features: [] });

  for (const layer of inDrawOrder(catalogue)) {
    if (!layer.style?.length) continue;
    /** @type {CatalogueStyleLayer[]} */
    let specs = layer.style;
    let source = layer.id;
    /** @type {string | null} */
    let sourceLayer = null;
    let labelSource = source;
    if (layer.role === 'area' || layer.role === 'boundary') {
      if ('region' in scope) {
        // A region: its communes are the units; the groups and the communes' own outline
        // are not drawn (each commune's page has them).
        if (layer !== area || !unitLayer) continue;
        specs = layer.style.map((spec) => renamed(spec, layer, unitLayer));
        source = unitLayer.id;
      }
      if (layer === area) {
        labelSource = `${source}-label-points`;
        const data = unitsData ?? empty;
        // Feature-state (hover, selected) keys on the units' id: a group's number, a commune's code.
        map.addSource(source, { type: 'geojson', data, promoteId: 'region' in scope ? 'code' : 'id' });
        map.addSource(labelSource, { type: 'geojson', data: labelPoints(data) });
        units = unitsOf(specs, unitLayer?.id ?? layer.id, source, labelSource);
      } else {
        map.addSource(source, { type: 'geojson', data: featuresUrl(layer.id, scope, { asOf }) });
      }
    } else if (!works) {
      continue;
    } else if ('region' in scope) {
      sourceLayer = layer.id;
      map.addSource(source, { type: 'vector', url: tilesUrl(layer.id, scope.region, asOf) });
    } else {
      map.addSource(source, { type: 'geojson', data: featuresUrl(layer.id, scope, { asOf }) });
    }
    const drawnAs = unitLayer && layer === area ? unitLayer.id : layer.id;
    const ids = [];
    for (const spec of specs) {
      if (spec.type === 'symbol' && layer === area && !GROUP_LABELS) continue;
      const full = styleLayer(spec, spec.type === 'symbol' && layer === area ? labelSource : source, sourceLayer);
      if (spec.top) onTop.push(spec.id);
      if (spec.clickable === false) unclickable.add(spec.id);
      if (spec.above || spec.below) deferred.push({ full, above: spec.above, below: spec.below });
      else map.addLayer(full);
      ids.push(spec.id);
    }
    added.set(drawnAs, ids);
  }
  placeDeferred(map, deferred);
  // Labels and names above every other layer, in the catalogue's order.
  for (const id of onTop) if (map.getLayer(id)) map.moveLayer(id);
  return { styleLayers: Object.fromEntries(added), units };
}

/**
 * Adds the style layers placed `above` or `below` another catalogue layer's.
 * @param {MapLibreMap} map
 * @param {{ full: AddLayerObject, above?: string, below?: string }[]} deferred
 */
function placeDeferred(map, deferred) {
  /** @type {Record<string, string>} */
  const lastAbove = {};
  for (const { full, above, below } of deferred) {
    const under = below ? added.get(below) : undefined;
    const over = above ? added.get(above) : undefined;
    if (under?.length) {
      map.addLayer(full, under[0]);
    } else if (above && over?.length) {
      // Just above the last style layer of `above` (or the last one put there).
      const order = map.getStyle().layers.map((l) => l.id);
      const last = lastAbove[above] ?? over[over.length - 1];
      map.addLayer(full, order[order.indexOf(last) + 1]);
      lastAbove[above] = full.id;
    } else {
      map.addLayer(full);
    }
  }
}

/**
 * Adds a region's work layer `id` (vector tiles: the catalogue id is the tiles' source layer)
 * when it is first shown, under the units' labels; returns its style layer ids. Layers come
 * in whatever order the planner shows them, so each style layer is put where the draw order
 * and its `above` / `below` place it among the works already there, and the works already
 * there that are placed relative to this one move to their place.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {string} id the work layer
 * @param {string} region
 * @param {string | null} asOf
 * @param {string | undefined} labels the style layer to draw the works under (the first label)
 * @returns {string[]}
 */
export function addRegionWork(map, catalogue, id, region, asOf, labels) {
  const layer = catalogue.find((l) => l.id === id && l.role === 'work');
  if (!layer?.style?.length) return [];
  if (map.getSource(layer.id)) return styleLayerIds(layer.id);
  map.addSource(layer.id, { type: 'vector', url: tilesUrl(layer.id, region, asOf) });
  const ids = [];
  for (const spec of layer.style) {
    map.addLayer(styleLayer(spec, layer.id, layer.id), workPlace(map, catalogue, layer, spec, labels));
    if (spec.clickable === false) unclickable.add(spec.id);
    ids.push(spec.id);
  }
  added.set(layer.id, ids);
  // The works already there that are placed above or below this one.
  for (const other of workLayers(catalogue)) {
    for (const spec of other.style ?? []) {
      if (other !== layer && (spec.above === layer.id || spec.below === layer.id) && map.getLayer(spec.id)) {
        const before = workPlace(map, catalogue, other, spec, labels);
        if (before !== spec.id) map.moveLayer(spec.id, before);
      }
    }
  }
  return ids;
}

/**
 * The style layers of a work that are placed by its draw order (not above, below or on top of
 * others), on the map.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer | undefined} layer
 */
const placedByOrder = (map, layer) => (layer?.style ?? []).filter((s) => !s.above && !s.below && !s.top && map.getLayer(s.id)).map((s) => s.id);

/**
 * Where a work's style layer goes among the works on the map (the id to add it before):
 * under its `below` layer, just over its `above` layer, else under the first work drawn
 * above it, else under the labels.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {CatalogueLayer} layer
 * @param {CatalogueStyleLayer} spec
 * @param {string | undefined} labels
 * @returns {string | undefined}
 */
function workPlace(map, catalogue, layer, spec, labels) {
  const find = (/** @type {string} */ other) => catalogue.find((l) => l.id === other);
  if (spec.below) {
    const under = placedByOrder(map, find(spec.below));
    if (under.length) return under[0];
  }
  if (spec.above) {
    const over = placedByOrder(map, find(spec.above));
    if (over.length) return justAbove(map, over);
  }
  const higher = workLayers(catalogue).filter((l) => l.draw_order > layer.draw_order).flatMap((l) => placedByOrder(map, l));
  return higher[0] ?? (labels && map.getLayer(labels) ? labels : undefined);
}

/**
 * The style layer just above the last of `ids` on the map (to insert a layer right above
 * them), if they are on the map.
 * @param {MapLibreMap} map
 * @param {string[]} ids
 */
function justAbove(map, ids) {
  const present = ids.filter((id) => map.getLayer(id));
  if (!present.length) return undefined;
  const order = map.getStyle().layers.map((l) => l.id);
  return order[order.indexOf(present[present.length - 1]) + 1];
}

/**
 * Points the works layers at their state at `asOf` (null = today); resolves when the map
 * has drawn them. Callers serialize calls so that no request is left half way (aborted).
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {Scope} scope
 * @param {string | null} asOf
 * @returns {Promise<void>}
 */
export function setWorksAsOf(map, catalogue, scope, asOf) {
  for (const layer of workLayers(catalogue)) {
    const source = map.getSource(layer.id);
    if (!source) continue;
    if ('region' in scope) /** @type {VectorTileSource} */ (source).setUrl(tilesUrl(layer.id, scope.region, asOf));
    else /** @type {GeoJSONSource} */ (source).setData(featuresUrl(layer.id, scope, { asOf }));
  }
  return new Promise((resolve) => map.once('idle', () => resolve()));
}

/**
 * Puts new data into the choropleth's units and their label points.
 * @param {MapLibreMap} map
 * @param {Units | null} units
 * @param {GroupCollection} data
 */
export function setUnitsData(map, units, data) {
  if (!units) return;
  /** @type {GeoJSONSource | undefined} */ (map.getSource(units.source))?.setData(data);
  /** @type {GeoJSONSource | undefined} */ (map.getSource(units.labelSource))?.setData(labelPoints(data));
}

/**
 * Colours the units: the fill's colour and the hatched units' filter.
 * @param {MapLibreMap} map
 * @param {Units | null} units
 * @param {unknown} fillColor a MapLibre colour expression
 * @param {FilterSpecification} nodataFilter
 */
export function paintUnits(map, units, fillColor, nodataFilter) {
  if (!units) return;
  if (units.fill && map.getLayer(units.fill)) map.setPaintProperty(units.fill, 'fill-color', fillColor);
  if (units.nodata && map.getLayer(units.nodata)) map.setFilter(units.nodata, nodataFilter);
}

/**
 * Adds the optional raster basemap from /api/config under everything else, and lets it show
 * through the boundary's and the units' fills.
 * @param {MapLibreMap} map
 * @param {Basemap | null} basemap
 * @param {CatalogueLayer[]} catalogue
 */
export function addBasemap(map, basemap, catalogue) {
  if (!basemap || !Array.isArray(basemap.tiles) || basemap.tiles.length === 0) return;
  map.addSource('basemap', {
    type: 'raster',
    tiles: basemap.tiles,
    tileSize: 256,
    attribution: basemap.attribution ?? '',
    maxzoom: 19,
  });
  const firstData = map.getStyle().layers.find((l) => l.id !== 'background');
  map.addLayer({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.9 } }, firstData?.id);
  for (const layer of catalogue) {
    if (layer.role === 'work') continue;
    for (const id of styleLayerIds(layer.id)) {
      const fill = map.getLayer(id);
      if (fill?.type === 'fill' && !map.getPaintProperty(id, 'fill-pattern')) {
        map.setPaintProperty(id, 'fill-opacity', layer.role === 'boundary' ? 0.25 : 0.35);
      }
    }
  }
}

/**
 * Hover over the choropleth's units: sets the `hover` feature-state and calls
 * `onHover(id | null)` so that the panel can highlight the same unit. Returns `{set(id)}` to
 * mark a unit from elsewhere (undefined without units).
 * @template {number | string} K
 * @param {MapLibreMap} map
 * @param {Units | null} units
 * @param {(id: K | null) => void} [onHover]
 * @param {(raw: string | number) => K} [key] the unit's id from a feature's id
 * @returns {{ set: (id: K | null) => void } | undefined}
 */
export function enableUnitHover(map, units, onHover = () => {}, key = (raw) => /** @type {K} */ (raw)) {
  if (!units?.fill || !map.getLayer(units.fill)) return;
  const { source, fill } = units;
  /** @type {K | null} */
  let hovered = null;
  /** @param {K | null} id */
  const set = (id) => {
    if (id === hovered) return;
    if (hovered !== null) map.setFeatureState({ source, id: hovered }, { hover: false });
    hovered = id;
    if (id !== null) map.setFeatureState({ source, id }, { hover: true });
    onHover(id);
  };
  map.on('mousemove', fill, (event) => {
    const feature = event.features?.[0];
    if (!feature || feature.id === undefined) return;
    set(key(feature.id));
  });
  map.on('mouseleave', fill, () => set(null));
  return { set };
}
