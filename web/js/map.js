// @ts-check
// The MapLibre map: a plain light background (no basemap unless the server configures one),
// no glyphs or sprites, fitted to the commune's bounding box.

import { COLORS } from './layers.js';

/**
 * @import * as MapLibre from 'maplibre-gl'
 * @import { Geometry } from 'geojson'
 * @import { IControl, Map as MapLibreMap, PaddingOptions } from 'maplibre-gl'
 * @import { Bbox, MapView } from './types.js'
 */

/**
 * MapLibre GL JS: index.html loads web/vendor/maplibre-gl/maplibre-gl.js as a classic script,
 * which defines this global. Its types come from the npm package of the same version
 * (package.json, for tsc only).
 * @type {typeof MapLibre | undefined}
 */
export const maplibregl = /** @type {Window & { maplibregl?: typeof MapLibre }} */ (window).maplibregl;

/**
 * Padding that keeps the commune clear of the legend panel (wide screens) or not (phones).
 * @param {HTMLElement} container the map's
 * @returns {PaddingOptions}
 */
export function fitPadding(container) {
  const narrow = container.clientWidth < 720;
  if (narrow) return { top: 64, bottom: 40, left: 24, right: 24 };
  /** @type {HTMLElement | null} */
  const legend = document.querySelector('.legend');
  const left = legend && !legend.classList.contains('collapsed') ? legend.offsetWidth + 40 : 48;
  return { top: 48, bottom: 48, left, right: 64 };
}

/**
 * Creates the map in `container`, already framing `bbox` ([w, s, e, n]).
 * @param {HTMLElement} container
 * @param {{ bbox: Bbox | null, view?: MapView | null, glyphs?: string | null, ariaLabel?: string, locale?: Record<string, string> }} options
 *   `view` (zoom and centre, from the URL) wins over the box; `glyphs` the labels' font URL
 * @returns {MapLibreMap}
 */
export function createMap(container, { bbox, view = null, glyphs = null, ariaLabel, locale = {} }) {
  if (!maplibregl) throw new Error('MapLibre GL JS is not loaded (web/vendor/maplibre-gl/maplibre-gl.js)');
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: {},
      ...(glyphs ? { glyphs } : {}),
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': COLORS.background } }],
    },
    // A view from the URL (zoom, centre) wins over the commune's box.
    bounds: bbox && !view ? [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] : undefined,
    fitBoundsOptions: { padding: fitPadding(container) },
    center: view ? view.center : bbox ? undefined : [105.8, 16.0],
    zoom: view ? view.zoom : bbox ? undefined : 5,
    maxZoom: 20,
    attributionControl: { compact: true },
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    cooperativeGestures: false,
    locale,
    // Keeps the last frame readable: the PNG export and printing copy the map's canvas.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.touchZoomRotate.disableRotation();
  if (ariaLabel) container.setAttribute('aria-label', ariaLabel);
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
  return map;
}

/** Nested coordinate arrays of any depth. @typedef {number[] | Coordinates[]} Coordinates */

/**
 * The bounding box [w, s, e, n] of a GeoJSON geometry.
 * @param {Geometry} geometry
 * @returns {Bbox}
 */
export function geometryBbox(geometry) {
  /** @type {Bbox} */
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  /** @param {Coordinates} c */
  const walk = (c) => {
    if (isPosition(c)) {
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    } else c.forEach(walk);
  };
  if ('coordinates' in geometry) walk(geometry.coordinates);
  return box;
}

/**
 * @param {Coordinates} c
 * @returns {c is number[]}
 */
const isPosition = (c) => typeof c[0] === 'number';

/**
 * Frames a bounding box: the commune's, a group's or a work's.
 * @param {MapLibreMap} map
 * @param {Bbox | null} bbox
 * @param {{ animate?: boolean, maxZoom?: number, padding?: PaddingOptions | null }} [options]
 */
export function fitToCommune(map, bbox, { animate = true, maxZoom = 20, padding = null } = {}) {
  if (!bbox) return;
  map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], {
    padding: padding ?? fitPadding(map.getContainer()),
    animate,
    maxZoom,
    duration: animate ? 600 : 0,
  });
}

/**
 * A MapLibre control: a button that frames the whole commune again.
 * @implements {IControl}
 */
export class FitControl {
  /**
   * @param {string} label
   * @param {() => void} onClick
   */
  constructor(label, onClick) {
    this.label = label;
    this.onClick = onClick;
    /** @type {HTMLElement | null} */
    this.container = null;
  }

  onAdd() {
    const container = document.createElement('div');
    this.container = container;
    container.className = 'maplibregl-ctrl maplibregl-ctrl-group';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'kheo-fit';
    button.title = this.label;
    button.setAttribute('aria-label', this.label);
    button.innerHTML =
      '<svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><path d="M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4" fill="none" stroke="currentColor" stroke-width="1.8"/></svg>';
    button.addEventListener('click', this.onClick);
    container.append(button);
    return container;
  }

  onRemove() {
    this.container?.remove();
  }
}
