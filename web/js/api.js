// @ts-check
// Fetch wrappers for the kheo HTTP API (the only thing the page talks to). The answers' JSON
// shapes are typed in types.js.

/**
 * @import { CatalogueLayer, Commune, Config, CoverageReport, FeatureId, GroupCollection, IndicatorSpec, LayerFeature, LayerFeatures, Region, RegionReport, RegionTimeline, SearchHit, Timeline, WorkList } from './types.js'
 */

const origin = () => location.origin;

/** A read that failed: the path, the HTTP status and the API's `error` text. */
export class ApiError extends Error {
  /**
   * @param {string} path
   * @param {number} status
   * @param {string} detail the API's `error` text, if any
   */
  constructor(path, status, detail) {
    super(`${path}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
    this.status = status;
  }
}

/**
 * The message of whatever was thrown.
 * @param {unknown} error
 */
export const errorMessage = (error) => (error instanceof Error ? error.message : String(error));

/**
 * The HTTP status of a failed request (an ApiError, or auth.js's WriteError), else null.
 * @param {unknown} error
 * @returns {number | null}
 */
export function errorStatus(error) {
  return error instanceof Error && 'status' in error && typeof error.status === 'number' ? error.status : null;
}

/**
 * GETs `path` as JSON; the caller says what shape it expects (types.js).
 * @template T
 * @param {string} path
 * @returns {Promise<T>}
 */
async function getJson(path) {
  const response = await fetch(new URL(path, origin()), { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let detail = '';
    try {
      const body = await response.json();
      detail = body.error ?? '';
    } catch { /* not JSON */ }
    throw new ApiError(path, response.status, detail);
  }
  return response.json();
}

/** The optional basemap and the commune the page opens on. @returns {Promise<Config>} */
export const getConfig = () => getJson('/api/config');

/** @returns {Promise<Commune[]>} */
export const getCommunes = () => getJson('/api/communes');

/** The layer catalogue. @returns {Promise<CatalogueLayer[]>} */
export const getLayers = () => getJson('/api/layers');

/**
 * The absolute URL of a layer's GeoJSON features in a commune or a region, used directly as a
 * MapLibre geojson source's `data` (MapLibre fetches it in its worker).
 * @param {string} layer
 * @param {{ commune: string } | { region: string } | string | null} scope a commune's code, or
 *   `{commune}` / `{region}`
 * @param {{ asOf?: string | null, group?: string | null }} [filter]
 */
export function featuresUrl(layer, scope, { asOf = null, group = null } = {}) {
  const url = new URL(`/api/layers/${encodeURIComponent(layer)}/features`, origin());
  const where = typeof scope === 'string' ? { commune: scope } : scope;
  if (where && 'commune' in where) url.searchParams.set('commune', where.commune);
  if (where && 'region' in where) url.searchParams.set('region', where.region);
  if (group) url.searchParams.set('group', group);
  if (asOf) url.searchParams.set('as_of', asOf);
  return url.href;
}

/**
 * The absolute URL of a layer's TileJSON over a region at a date (`/tiles/{layer}.json`): a
 * MapLibre vector source's `url`; its tile URLs carry the same filters, and the tiles'
 * source layer is named by the catalogue id.
 * @param {string} layer
 * @param {string} region
 * @param {string | null} asOf
 */
export function tilesUrl(layer, region, asOf) {
  const url = new URL(`/tiles/${encodeURIComponent(layer)}.json`, origin());
  url.searchParams.set('region', region);
  if (asOf) url.searchParams.set('as_of', asOf);
  return url.href;
}

/**
 * `path?key=value...` with the parameters that have a value.
 * @param {string} path
 * @param {Record<string, string | number | null | undefined>} params
 */
const query = (path, params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  return `${path}?${search}`;
};

/**
 * The works of one layer inside a group.
 * @param {string} layer
 * @param {string} commune
 * @param {string} group the group's code
 * @param {string | null} asOf
 * @returns {Promise<LayerFeatures>}
 */
export const getGroupWorks = (layer, commune, group, asOf) =>
  getJson(query(`/api/layers/${encodeURIComponent(layer)}/features`, { commune, group, as_of: asOf }));

/**
 * Coverage of a commune at a date: totals, groups, unassigned, quality.
 * @param {string} commune
 * @param {string | null} asOf
 * @returns {Promise<CoverageReport>}
 */
export const getCoverage = (commune, asOf) => getJson(query('/api/coverage', { commune, as_of: asOf }));

/**
 * The groups as polygons with the indicators as flat properties (the choropleth's data).
 * @param {string} commune
 * @param {string | null} asOf
 * @returns {Promise<GroupCollection>}
 */
export const getCoverageGeojson = (commune, asOf) => getJson(query('/api/coverage.geojson', { commune, as_of: asOf }));

/**
 * The indicators at the end of each year.
 * @param {string} commune
 * @returns {Promise<Timeline>}
 */
export const getTimeline = (commune) => getJson(query('/api/coverage/timeline', { commune }));

/**
 * The CSV table's URL (for a download link).
 * @param {string} commune
 * @param {string} asOf
 * @param {string} lang
 */
export const coverageCsvUrl = (commune, asOf, lang) =>
  query('/api/coverage.csv', { commune, as_of: asOf, decimal: lang === 'vi' ? 'comma' : null, lang: lang === 'en' ? 'en' : null });

/**
 * The Excel workbook's URL (for a download link).
 * @param {string} commune
 * @param {string} asOf
 * @param {string} lang
 */
export const coverageXlsxUrl = (commune, asOf, lang) =>
  query('/api/coverage.xlsx', { commune, as_of: asOf, lang: lang === 'en' ? 'en' : null });

/**
 * Accent-insensitive search, best first: `limit` hits after the first `offset`.
 * @param {string} q
 * @param {string} commune
 * @param {number} [limit]
 * @param {number} [offset]
 * @returns {Promise<SearchHit[]>}
 */
export const search = (q, commune, limit = 12, offset = 0) => getJson(query('/api/search', { q, commune, limit, offset: offset || null }));

/**
 * One feature of a layer, with its whole geometry (the map's copy is cut into tiles).
 * @param {string} layer
 * @param {FeatureId} id
 * @returns {Promise<LayerFeature>}
 */
export const getFeature = (layer, id) => getJson(`/api/layers/${encodeURIComponent(layer)}/features/${encodeURIComponent(id)}`);

// ---- the indicator catalogue, regions and the work list ------------------------------------

/** The indicator catalogue. @returns {Promise<IndicatorSpec[]>} */
export const getIndicators = () => getJson('/api/indicators');

/** The regions (provinces, districts, clusters), with their communes' count and box. @returns {Promise<Region[]>} */
export const getRegions = () => getJson('/api/regions');

/**
 * A region's coverage at a date: its totals and one line per commune.
 * @param {string} region
 * @param {string | null} asOf
 * @returns {Promise<RegionReport>}
 */
export const getRegionCoverage = (region, asOf) => getJson(query('/api/coverage', { region, as_of: asOf }));

/**
 * A region's communes as polygons with their indicators as flat properties.
 * @param {string} region
 * @param {string | null} asOf
 * @returns {Promise<GroupCollection>}
 */
export const getRegionGeojson = (region, asOf) => getJson(query('/api/coverage.geojson', { region, as_of: asOf }));

/**
 * A region's figures at the end of each year.
 * @param {string} region
 * @returns {Promise<RegionTimeline>}
 */
export const getRegionTimeline = (region) => getJson(query('/api/coverage/timeline', { region }));

/**
 * The URL of a coverage table (CSV or Excel) of a commune or a region, for a download link.
 * @param {'csv' | 'xlsx'} format
 * @param {{ commune: string } | { region: string }} scope
 * @param {string} asOf
 * @param {string} lang
 */
export const coverageTableUrl = (format, scope, asOf, lang) => query(`/api/coverage.${format}`, {
  ...scope, as_of: asOf, decimal: format === 'csv' && lang === 'vi' ? 'comma' : null, lang: lang === 'en' ? 'en' : null,
});

/**
 * The roads left to concrete, per group, with their cost.
 * @param {string} commune
 * @param {string | null} asOf
 * @returns {Promise<WorkList>}
 */
export const getWorklist = (commune, asOf) => getJson(query('/api/worklist', { commune, as_of: asOf }));

/**
 * The work list's URL as a table (CSV or Excel), for a download link.
 * @param {'csv' | 'xlsx'} format
 * @param {string} commune
 * @param {string} asOf
 * @param {string} lang
 */
export const worklistTableUrl = (format, commune, asOf, lang) => query(`/api/worklist.${format}`, {
  commune, as_of: asOf, decimal: format === 'csv' && lang === 'vi' ? 'comma' : null, lang: lang === 'en' ? 'en' : null,
});
