// @ts-check
// Sources and style layers for each catalogue layer, and the colours the legend shows.
//
// Only fill, line and circle layers are used: the server serves no glyphs or sprites yet,
// so the map works fully offline. Each catalogue layer gets one GeoJSON source (the API's
// features URL) and one or more style layers whose ids start with the catalogue id.

import { featuresUrl } from './api.js';
import { FILL_OPACITY, hatchImage } from './choropleth.js';

/**
 * @import { AddLayerObject, CircleLayerSpecification, ExpressionSpecification, FillLayerSpecification, GeoJSONSource, LineLayerSpecification, Map as MapLibreMap } from 'maplibre-gl'
 * @import { Basemap, CatalogueLayer, GroupCollection } from './types.js'
 */

/**
 * A style layer of a catalogue layer, without its source (the catalogue layer's own). `above`
 * puts it above the style layers of another catalogue layer, `below` under them.
 * @typedef {(Omit<FillLayerSpecification, 'source'> | Omit<LineLayerSpecification, 'source'> | Omit<CircleLayerSpecification, 'source'>) & { above?: string, below?: string }} StyleSpec
 */

/**
 * Group labels ("TDP 4" and the value) use the glyphs served offline from /fonts/ (web/fonts/,
 * Noto Sans). The flag turns them off (`?labels=0`) should a deployment lack the fonts.
 */
export const GROUP_LABELS = new URLSearchParams(location.search).get('labels') !== '0';
export const GLYPHS_URL = `${location.origin}/fonts/{fontstack}/{range}.pbf`;

/** Drawing order, bottom to top. Layers missing from the catalogue are skipped. */
export const DRAW_ORDER = ['communes', 'groups', 'roads', 'flower_routes', 'lighting_lines', 'model_sites'];

/** Which layers a click looks at, most specific first. */
export const CLICK_ORDER = ['model_sites', 'lighting_lines', 'flower_routes', 'roads', 'groups', 'communes'];

export const COLORS = {
  background: '#e8e7e2',
  communeFill: '#fbfaf7',
  communeLine: '#272b3a',
  groupFill: '#d9e4ee',
  groupFillHover: '#b7cde2',
  groupLine: '#8197ad',
  groupHighlight: '#12151f',
  flower: '#d6246e',
  lightGlow: '#ffc21a',
  lightCore: '#f59f00',
  roadCasing: '#ffffff',
};

/** Road surfaces: colour and whether the line is dashed (unhardened surfaces). @type {Record<string, { color: string, dashed: boolean }>} */
export const SURFACES = {
  concrete: { color: '#4f6475', dashed: false },
  asphalt: { color: '#1d1f23', dashed: false },
  paving: { color: '#8a5a3c', dashed: false },
  gravel: { color: '#c49a5a', dashed: true },
  earth: { color: '#b98b63', dashed: true },
};
const OTHER_SURFACE = '#8c8c8c';

/** Road line width at zoom 15, by class; widths scale with zoom (see roadWidth). @type {Record<string, number>} */
export const CLASS_WIDTH = {
  national: 6,
  provincial: 5,
  commune: 4,
  hamlet_axis: 3.2,
  inter_hamlet: 3.2,
  alley: 2.2,
  field: 2.2,
};

/** Model-site fields: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies. @type {Record<string, string>} */
export const SITE_FIELDS = {
  economy: '#e69f00',
  culture_society: '#0072b2',
  defence_security: '#009e73',
  political_system: '#cc79a7',
};
const OTHER_FIELD = '#7f7f7f';

/** Circle radius by recognition level (higher recognition, bigger circle). @type {Record<string, number>} */
const RECOGNITION_RADIUS = { registered: 6, commune: 7, district: 8, province: 9 };

/**
 * A `match` expression on a property: each key of `table` to its spec (through `pick`), else
 * `fallback`.
 * @template T
 * @param {string} property
 * @param {Record<string, T>} table
 * @param {string | number} fallback
 * @param {(spec: T) => string | number} [pick] by default the table's values as they are
 * @returns {ExpressionSpecification}
 */
const matchOn = (property, table, fallback, pick = (v) => /** @type {string | number} */ (v)) => {
  const [[firstValue, firstSpec], ...rest] = Object.entries(table);
  return [
    'match', ['coalesce', ['get', property], ''],
    firstValue, pick(firstSpec),
    ...rest.flatMap(([value, spec]) => [value, pick(spec)]),
    fallback,
  ];
};

/**
 * A width by road class, interpolated by zoom: the zoom-15 width scaled, plus `extra`.
 * @param {number} [extra]
 * @returns {ExpressionSpecification}
 */
function roadWidth(extra = 0) {
  /** @param {number} scale @returns {ExpressionSpecification} */
  const byClass = (scale) => ['+', ['*', scale, matchOn('class', CLASS_WIDTH, 2)], extra * scale];
  return ['interpolate', ['exponential', 1.5], ['zoom'], 11, byClass(0.45), 13, byClass(0.72), 15, byClass(1), 19, byClass(3.5)];
}

/** @type {ExpressionSpecification} */
const SOLID = ['!', ['in', ['coalesce', ['get', 'surface'], ''], ['literal', ['gravel', 'earth']]]];
/** @type {ExpressionSpecification} */
const DASHED = ['in', ['coalesce', ['get', 'surface'], ''], ['literal', ['gravel', 'earth']]];

/** The style layers of each catalogue layer, bottom to top within the layer. @type {Record<string, StyleSpec[]>} */
const STYLE = {
  communes: [
    { id: 'communes-fill', type: 'fill', paint: { 'fill-color': COLORS.communeFill } },
    // The outline is drawn above the groups, so its spec carries `above`.
    {
      id: 'communes-halo', type: 'line', above: 'groups',
      paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.8 },
    },
    {
      id: 'communes-line', type: 'line', above: 'groups',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': COLORS.communeLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 2, 16, 3.5] },
    },
  ],
  groups: [
    // The choropleth: fill-color is set by the indicator (choropleth.js); a hatch covers the
    // groups without a value; the outline thickens on hover and selection (feature-state).
    {
      id: 'groups-fill', type: 'fill',
      paint: { 'fill-color': COLORS.groupFill, 'fill-opacity': FILL_OPACITY },
    },
    {
      id: 'groups-nodata', type: 'fill', filter: ['!=', ['typeof', ['get', 'concrete_pct']], 'number'],
      paint: { 'fill-pattern': 'kheo-hatch', 'fill-opacity': 0.9 },
    },
    {
      id: 'groups-line', type: 'line',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1, 16, 2.2], 'line-opacity': 0.95 },
    },
    {
      id: 'groups-highlight', type: 'line',
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': COLORS.groupHighlight,
        'line-width': [
          'case',
          ['boolean', ['feature-state', 'selected'], false], 4,
          ['boolean', ['feature-state', 'hover'], false], 2.5,
          0,
        ],
      },
    },
  ],
  lighting_lines: [
    // The glow sits under the roads (a lit road glows around it); above them a dotted amber
    // line (the lamps) keeps the road's surface colour readable.
    {
      id: 'lighting_lines-glow', type: 'line', below: 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': COLORS.lightGlow,
        'line-opacity': 0.45,
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 6, 15, 16, 19, 40],
        'line-blur': ['interpolate', ['linear'], ['zoom'], 11, 3, 15, 8, 19, 18],
      },
    },
    {
      id: 'lighting_lines-core', type: 'line',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': COLORS.lightCore,
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1.5, 15, 2.5, 19, 5],
        'line-dasharray': [0.1, 2.2],
      },
    },
  ],
  roads: [
    {
      id: 'roads-casing', type: 'line',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': COLORS.roadCasing, 'line-width': roadWidth(2) },
    },
    {
      id: 'roads-unpaved', type: 'line', filter: DASHED,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': matchOn('surface', SURFACES, OTHER_SURFACE, (s) => s.color),
        'line-width': roadWidth(),
        'line-dasharray': [2, 1.2],
      },
    },
    {
      id: 'roads-paved', type: 'line', filter: SOLID,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': matchOn('surface', SURFACES, OTHER_SURFACE, (s) => s.color),
        'line-width': roadWidth(),
      },
    },
  ],
  flower_routes: [
    {
      id: 'flower_routes-line', type: 'line',
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': COLORS.flower,
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1.5, 15, 3, 19, 7],
        'line-dasharray': [1.5, 1.2],
      },
    },
  ],
  model_sites: [
    {
      id: 'model_sites-circle', type: 'circle',
      paint: {
        'circle-color': matchOn('field', SITE_FIELDS, OTHER_FIELD),
        'circle-radius': [
          'interpolate', ['linear'], ['zoom'],
          11, ['*', 0.6, matchOn('recognition', RECOGNITION_RADIUS, 6)],
          15, matchOn('recognition', RECOGNITION_RADIUS, 6),
          19, ['*', 1.6, matchOn('recognition', RECOGNITION_RADIUS, 6)],
        ],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ],
};

/**
 * The style layer ids of a catalogue layer (for toggling and for queryRenderedFeatures).
 * @param {string} layerId
 */
export function styleLayerIds(layerId) {
  return (STYLE[layerId] ?? []).map((spec) => spec.id);
}

/**
 * The style layers that answer clicks, most specific first.
 * @param {MapLibreMap} map
 */
export function clickableStyleLayerIds(map) {
  return CLICK_ORDER.flatMap((id) =>
    styleLayerIds(id).filter((styleId) => styleId !== 'communes-halo' && map.getLayer(styleId)),
  );
}

/**
 * Adds one source and its style layers per catalogue layer, for `commune`.
 * Returns `{catalogueId: [styleLayerIds]}` for the layers that were added.
 * @param {MapLibreMap} map
 * @param {CatalogueLayer[]} catalogue
 * @param {string} commune
 * @param {{ groupsData?: GroupCollection | null, asOf?: string | null }} [options] the groups'
 *   GeoJSON (the page fetches it), and the date of the works
 * @returns {Record<string, string[]>}
 */
export function addLayers(map, catalogue, commune, { groupsData = null, asOf = null } = {}) {
  if (!map.hasImage('kheo-hatch')) map.addImage('kheo-hatch', hatchImage());
  const known = new Set(catalogue.map((layer) => layer.id));
  /** @type {Record<string, string[]>} */
  const added = {};
  /** @type {{ full: AddLayerObject, above?: string, below?: string }[]} */
  const deferred = [];
  const deferredLabels = [];
  for (const id of DRAW_ORDER) {
    if (!known.has(id) || !STYLE[id]) continue;
    // The groups come from /api/coverage.geojson (polygons with the indicators), fetched by
    // the page; their numeric `id` property keys the hover and selection feature-state.
    map.addSource(id, id === 'groups'
      ? { type: 'geojson', data: groupsData ?? { type: 'FeatureCollection', features: [] }, promoteId: 'id' }
      : { type: 'geojson', data: featuresUrl(id, commune, { asOf }) });
    added[id] = [];
    for (const spec of STYLE[id]) {
      const { above, below, ...layer } = spec;
      // A fill, line or circle layer with its source; tsc loses which layout goes with which
      // type when it spreads the union.
      const full = /** @type {AddLayerObject} */ ({ ...layer, source: id, layout: { ...(layer.layout ?? {}), visibility: 'visible' } });
      if (above || below) deferred.push({ full, above, below });
      else map.addLayer(full);
      added[id].push(layer.id);
    }
    if (id === 'groups' && GROUP_LABELS) {
      map.addLayer({
        id: 'groups-label', type: 'symbol', source: 'groups',
        layout: {
          'text-field': ['get', 'label'],
          'text-font': ['Noto Sans Regular'],
          'text-size': ['interpolate', ['linear'], ['zoom'], 12, 10.5, 15, 13, 18, 16],
          'text-line-height': 1.15,
          'text-max-width': 8,
          'text-padding': 4,
          'text-allow-overlap': false,
          visibility: 'visible',
        },
        paint: { 'text-color': '#1f2330', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.6 },
      });
      deferredLabels.push('groups-label');
    }
  }

  /** @type {Record<string, string>} */
  const lastAbove = {};
  for (const { full, above, below } of deferred) {
    if (below && added[below]) {
      map.addLayer(full, added[below][0]);
    } else if (above && added[above]) {
      // Insert just above the last style layer of `above` (or the last one put there).
      const order = map.getStyle().layers.map((l) => l.id);
      const last = lastAbove[above] ?? added[above][added[above].length - 1];
      const next = order[order.indexOf(last) + 1];
      map.addLayer(full, next);
      lastAbove[above] = full.id;
    } else {
      map.addLayer(full);
    }
  }
  // Labels above every works layer (and counted with the groups for the legend toggle).
  for (const labelId of deferredLabels) {
    map.moveLayer(labelId);
    added.groups.push(labelId);
  }
  return added;
}

/** The works layers (every catalogue layer but communes and groups), for the as_of filter. */
export const WORK_LAYERS = ['roads', 'flower_routes', 'lighting_lines', 'model_sites'];

/**
 * Points the works layers at their state at `asOf` (null = today); resolves when the map
 * has drawn them. Callers serialize calls so that no request is left half way (aborted).
 * @param {MapLibreMap} map
 * @param {string} commune
 * @param {string | null} asOf
 * @returns {Promise<void>}
 */
export function setWorksAsOf(map, commune, asOf) {
  for (const id of WORK_LAYERS) {
    const source = geojsonSource(map, id);
    if (source) source.setData(featuresUrl(id, commune, { asOf }));
  }
  return new Promise((resolve) => map.once('idle', () => resolve()));
}

/**
 * The GeoJSON source of a catalogue layer (every one is GeoJSON, see addLayers), if added.
 * @param {MapLibreMap} map
 * @param {string} id
 * @returns {GeoJSONSource | undefined}
 */
export const geojsonSource = (map, id) => map.getSource(id);

/**
 * Adds the optional raster basemap from /api/config under everything else.
 * @param {MapLibreMap} map
 * @param {Basemap | null} basemap
 */
export function addBasemap(map, basemap) {
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
  // Let the basemap show through the commune and the groups.
  if (map.getLayer('communes-fill')) map.setPaintProperty('communes-fill', 'fill-opacity', 0.25);
  if (map.getLayer('groups-fill')) map.setPaintProperty('groups-fill', 'fill-opacity', 0.35);
}

/**
 * Hover for the residential groups: sets the `hover` feature-state and calls
 * `onHover(groupId | null)` so that the panel can highlight the same group. Returns
 * `{set(id)}` to mark a group from elsewhere (undefined without a groups layer).
 * @param {MapLibreMap} map
 * @param {(id: number | null) => void} [onHover]
 * @returns {{ set: (id: number | null) => void } | undefined}
 */
export function enableGroupHover(map, onHover = () => {}) {
  if (!map.getLayer('groups-fill')) return;
  /** @type {number | null} */
  let hovered = null;
  /** @param {number | null} id */
  const set = (id) => {
    if (id === hovered) return;
    if (hovered !== null) map.setFeatureState({ source: 'groups', id: hovered }, { hover: false });
    hovered = id;
    if (id !== null) map.setFeatureState({ source: 'groups', id }, { hover: true });
    onHover(id);
  };
  map.on('mousemove', 'groups-fill', (event) => {
    const feature = event.features?.[0];
    if (!feature || feature.id === undefined) return;
    set(Number(feature.id));
  });
  map.on('mouseleave', 'groups-fill', () => set(null));
  return { set };
}
