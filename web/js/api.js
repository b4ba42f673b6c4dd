// @ts-check
// Fetch wrappers for the kheo HTTP API (the only thing the page talks to). The answers' JSON
// shapes are typed in types.js.

/**
 * @import { CatalogueLayer, Commune, Config, CoverageReport, FeatureId, GroupCollection, LayerFeature, LayerFeatures, SearchHit, Timeline } from './types.js'
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
 * The absolute URL of a layer's GeoJSON features, used directly as a MapLibre geojson
 * source's `data` (MapLibre fetches it in its worker).
 * @param {string} layer
 * @param {string | null} commune
 * @param {{ asOf?: string | null, group?: string | null }} [filter]
 */
export function featuresUrl(layer, commune, { asOf = null, group = null } = {}) {
  const url = new URL(`/api/layers/${encodeURIComponent(layer)}/features`, origin());
  if (commune) url.searchParams.set('commune', commune);
  if (group) url.searchParams.set('group', group);
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
