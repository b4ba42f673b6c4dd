// Fetch wrappers for the kheo HTTP API (the only thing the page talks to).

const origin = () => location.origin;

export class ApiError extends Error {
  constructor(path, status, detail) {
    super(`${path}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
    this.status = status;
  }
}

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

/** `{basemap: null | {tiles: [...], attribution}, default_commune: code | null}` */
export const getConfig = () => getJson('/api/config');

/** `[{code, name, kind, province, groups, bbox: [w, s, e, n]}]` */
export const getCommunes = () => getJson('/api/communes');

/** The layer catalogue: `[{id, title: {vi, en}, geometry, count, fields: [...]}]` */
export const getLayers = () => getJson('/api/layers');

/**
 * The absolute URL of a layer's GeoJSON features, used directly as a MapLibre geojson
 * source's `data` (MapLibre fetches it in its worker).
 */
export function featuresUrl(layer, commune, { asOf = null, group = null } = {}) {
  const url = new URL(`/api/layers/${encodeURIComponent(layer)}/features`, origin());
  if (commune) url.searchParams.set('commune', commune);
  if (group) url.searchParams.set('group', group);
  if (asOf) url.searchParams.set('as_of', asOf);
  return url.href;
}

const query = (path, params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, value);
  }
  return `${path}?${search}`;
};

/** The works of one layer inside a group (GeoJSON FeatureCollection). */
export const getGroupWorks = (layer, commune, group, asOf) =>
  getJson(query(`/api/layers/${encodeURIComponent(layer)}/features`, { commune, group, as_of: asOf }));

/** Coverage of a commune at a date: totals, groups, unassigned, quality. */
export const getCoverage = (commune, asOf) => getJson(query('/api/coverage', { commune, as_of: asOf }));

/** The groups as polygons with the indicators as flat properties (the choropleth's data). */
export const getCoverageGeojson = (commune, asOf) => getJson(query('/api/coverage.geojson', { commune, as_of: asOf }));

/** The indicators at the end of each year. */
export const getTimeline = (commune) => getJson(query('/api/coverage/timeline', { commune }));

/** The CSV table's URL (for a download link). */
export const coverageCsvUrl = (commune, asOf, lang) =>
  query('/api/coverage.csv', { commune, as_of: asOf, decimal: lang === 'vi' ? 'comma' : null, lang: lang === 'en' ? 'en' : null });

/** The Excel workbook's URL (for a download link). */
export const coverageXlsxUrl = (commune, asOf, lang) =>
  query('/api/coverage.xlsx', { commune, as_of: asOf, lang: lang === 'en' ? 'en' : null });

/** Accent-insensitive search: `[{layer, id, name, commune, bbox}]`. */
export const search = (q, commune, limit = 12) => getJson(query('/api/search', { q, commune, limit }));
