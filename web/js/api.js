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
export function featuresUrl(layer, commune) {
  const url = new URL(`/api/layers/${encodeURIComponent(layer)}/features`, origin());
  if (commune) url.searchParams.set('commune', commune);
  return url.href;
}
