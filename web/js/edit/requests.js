// @ts-check
// The editor's reads and writes of features through the API. Reads remember each feature's
// ETag and writes send it back in If-Match (auth.js's csrfFetch), so that a change made over
// someone else's fails with 412 instead of overwriting it. `busy()` marks a write and its
// refresh on <html data-edit-busy="1"> ("0" after), which the browser tests wait for.

import { csrfFetch } from '../auth.js';

/**
 * @import { Geometry } from 'geojson'
 * @import { FeaturePatch } from '../state.js'
 * @import { CatalogueLayer, FeatureId, HistoryEntry, LayerFeature, Properties } from '../types.js'
 */

/** The ETag last seen of each feature, by `layer/id`. */
const etags = new Map();

/**
 * @param {string} layer
 * @param {FeatureId} id
 */
const etagKey = (layer, id) => `${layer}/${id}`;

/**
 * The API path of a layer's features, or of one feature.
 * @param {string} layer
 * @param {FeatureId | null} [id]
 */
export const featureUrl = (layer, id = null) =>
  `/api/layers/${encodeURIComponent(layer)}/features${id === null ? '' : `/${encodeURIComponent(id)}`}`;

/**
 * @param {string} layer
 * @param {FeatureId} id
 * @param {string | null} etag
 */
function remember(layer, id, etag) {
  if (etag) etags.set(etagKey(layer, id), etag);
}

/**
 * A stored feature, fresh from the API (no HTTP cache: the editor must see the last write).
 * @param {string} layer
 * @param {FeatureId} id
 * @returns {Promise<LayerFeature>}
 */
export async function getFeature(layer, id) {
  const response = await fetch(new URL(featureUrl(layer, id), location.origin), { headers: { Accept: 'application/geo+json, application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${featureUrl(layer, id)}: HTTP ${response.status}`);
  const feature = await response.json();
  remember(layer, id, response.headers.get('ETag'));
  return feature;
}

/**
 * Stores a new feature; resolves with its id.
 * @param {string} layer
 * @param {Geometry | null} geometry
 * @param {Properties} properties
 * @returns {Promise<FeatureId>}
 */
export async function createFeature(layer, geometry, properties) {
  const { body, etag } = await csrfFetch(featureUrl(layer), { method: 'POST', body: { type: 'Feature', geometry, properties } });
  const id = /** @type {{ id: FeatureId }} */ (body).id;
  remember(layer, id, etag);
  return id;
}

/**
 * Changes a stored feature's geometry and/or properties.
 * @param {string} layer
 * @param {FeatureId} id
 * @param {FeaturePatch} patch
 */
export async function patchFeature(layer, id, patch) {
  const { etag } = await csrfFetch(featureUrl(layer, id), { method: 'PATCH', body: patch, etag: etags.get(etagKey(layer, id)) });
  remember(layer, id, etag);
}

/**
 * @param {string} layer
 * @param {FeatureId} id
 */
export async function deleteFeature(layer, id) {
  await csrfFetch(featureUrl(layer, id), { method: 'DELETE', etag: etags.get(etagKey(layer, id)) });
  etags.delete(etagKey(layer, id));
}

/**
 * A feature's history, newest first.
 * @param {string} layer
 * @param {FeatureId} id
 * @returns {Promise<HistoryEntry[]>}
 */
export async function getHistory(layer, id) {
  const response = await fetch(new URL(`${featureUrl(layer, id)}/history`, location.origin), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const entries = await response.json();
  return Array.isArray(entries) ? entries : [];
}

/**
 * The stored properties of a feature (its catalogue fields with a value, and its commune),
 * without the server's bookkeeping: what a POST of it again needs.
 * @param {CatalogueLayer} layer
 * @param {Properties | null} properties
 * @param {string} commune the commune shown, if the feature has none
 * @returns {Properties}
 */
export function layerProperties(layer, properties, commune) {
  /** @type {Properties} */
  const out = { commune: properties?.commune ?? commune };
  for (const field of layer.fields ?? []) {
    const value = properties?.[field.name];
    if (value !== null && value !== undefined) out[field.name] = value;
  }
  return out;
}

/**
 * Runs `work` (a write and its refresh) with <html data-edit-busy="1">.
 * @template T
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function busy(work) {
  const html = document.documentElement;
  html.dataset.editBusy = '1';
  try {
    return await work();
  } finally {
    html.dataset.editBusy = '0';
  }
}
