// @ts-check
// The map at print resolution: a second MapLibre map, hidden, drawn at 300 dpi (a pixel ratio
// of 300/96, so that a line 4 px wide on screen is about 1 mm on paper) with the layers shown
// on screen, and copied tile by tile onto a canvas of the paper's size: a WebGL canvas is
// limited in size (MapLibre keeps it to 4096 px a side), an A3 sheet at 300 dpi is 4961 px
// wide. The map is framed on the commune at a round scale (1:10.000, 1:15.000...).
//
// MapLibre's own labels are left out: the labels are drawn afterwards on the canvas, over
// every line, with a white halo (labels.js), so that no line crosses them.

import { hatchImage } from '../choropleth.js';
import { maplibregl } from '../map.js';

/**
 * @import { Map as MapLibreMap, StyleSpecification } from 'maplibre-gl'
 * @import { Bbox } from '../types.js'
 */

/**
 * A map drawn for paper: its canvas, its scale and where a place is on it.
 * @typedef {object} PrintMap
 * @property {HTMLCanvasElement} canvas
 * @property {number} denominator the scale: 1 : denominator
 * @property {number} metresPerPixel on the ground, per pixel of the canvas
 * @property {(lngLat: [number, number]) => [number, number]} project a place on the canvas
 */

/** The largest side of the hidden map's canvas, in device pixels (MapLibre's default). */
const MAX_CANVAS = 4096;

/** Metres of the Earth's equator (Web Mercator's world). */
const EQUATOR = 40075016.686;

/** MapLibre's world is 512 CSS pixels wide at zoom 0. */
const TILE = 512;

/** The scales offered, 1 : n. */
const SCALES = [500, 1000, 2000, 2500, 5000, 7500, 10000, 15000, 20000, 25000, 30000, 40000, 50000, 75000, 100000, 150000, 200000, 250000, 500000, 1000000];

/** Metres of paper per CSS pixel: 1/96 inch. */
const PAPER_M_PER_CSS_PX = 0.0254 / 96;

/**
 * Web Mercator x, y in [0, 1] of [lon, lat].
 * @param {[number, number]} lngLat
 */
function mercator([lon, lat]) {
  const s = Math.sin((lat * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/**
 * [lon, lat] of Web Mercator x, y in [0, 1].
 * @param {number} x
 * @param {number} y
 * @returns {[number, number]}
 */
function unmercator(x, y) {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
  return [x * 360 - 180, lat];
}

/**
 * The round scale at which `bbox` fits in `width` x `height` CSS pixels (a margin kept),
 * and the zoom that gives it at the box's middle latitude.
 * @param {Bbox} bbox
 * @param {number} width
 * @param {number} height
 */
export function frameAtRoundScale(bbox, width, height) {
  const [x0, y1] = mercator([bbox[0], bbox[1]]);
  const [x1, y0] = mercator([bbox[2], bbox[3]]);
  const fitZoom = Math.log2(Math.min((width * 0.94) / (TILE * Math.max(x1 - x0, 1e-9)), (height * 0.94) / (TILE * Math.max(y1 - y0, 1e-9))));
  const centre = unmercator((x0 + x1) / 2, (y0 + y1) / 2);
  const cos = Math.cos((centre[1] * Math.PI) / 180);
  const metresPerPxAt = (/** @type {number} */ zoom) => (EQUATOR * cos) / (TILE * 2 ** zoom);
  const fitted = metresPerPxAt(fitZoom) / PAPER_M_PER_CSS_PX;
  const denominator = SCALES.find((s) => s >= fitted) ?? Math.ceil(fitted);
  const zoom = Math.log2((EQUATOR * cos) / (TILE * denominator * PAPER_M_PER_CSS_PX));
  return { centre, zoom, denominator, metresPerCssPx: metresPerPxAt(zoom) };
}

/**
 * The on-screen map's style for paper: its layers (with their visibility) over its own
 * sources, without MapLibre's labels, the outline of the feature in a popup or the drawing
 * tools' layers.
 * @param {MapLibreMap} map
 * @param {string[]} layerIds the catalogue's layer ids (each a source of the map)
 * @returns {StyleSpecification}
 */
function paperStyle(map, layerIds) {
  const style = map.getStyle();
  const keep = new Set([...layerIds, 'basemap']);
  const layers = style.layers
    .filter((l) => l.type === 'background' || (l.type !== 'symbol' && 'source' in l && keep.has(String(l.source))))
    // A wide blurred line (the lights' glow) costs a software renderer most of the sheet's
    // time at 300 dpi: on paper it is a band 2.6 mm wide (10 CSS pixels), without the blur.
    .map((l) => (l.type === 'line' && l.paint?.['line-blur'] !== undefined ? { ...l, paint: { ...l.paint, 'line-blur': 0, 'line-width': 10 } } : l));
  const used = new Set(layers.flatMap((l) => ('source' in l ? [String(l.source)] : [])));
  // GeoJSON cut into tiles up to zoom 15 only, drawn larger beyond: at 1:10.000 a tile's
  // unit is under 0.1 mm of paper, and the hidden map cuts far fewer tiles.
  const sources = Object.fromEntries(Object.entries(style.sources).filter(([id]) => used.has(id))
    .map(([id, source]) => [id, source.type === 'geojson' ? { ...source, maxzoom: 15 } : source]));
  return { version: 8, sources, layers };
}

/**
 * The largest tile side, in CSS pixels, whose device pixels are whole and at most MAX_CANVAS,
 * so that the tiles join without a seam.
 * @param {number} ratio device pixels per CSS pixel
 */
function tileSide(ratio) {
  for (let css = Math.floor(MAX_CANVAS / ratio); css > 64; css -= 1) {
    if (Number.isInteger(Math.round(css * ratio * 1e6) / 1e6)) return css;
  }
  return Math.floor(MAX_CANVAS / ratio);
}

/**
 * Draws the map framing `bbox` on a canvas of `width` x `height` device pixels at `dpi`.
 * @param {MapLibreMap} map the page's map (its style and the layers shown)
 * @param {{ width: number, height: number, dpi: number, bbox: Bbox, layerIds: string[] }} options
 * @returns {Promise<PrintMap>}
 */
export async function renderPrintMap(map, { width, height, dpi, bbox, layerIds }) {
  if (!maplibregl) throw new Error('MapLibre GL JS is not loaded');
  const ratio = dpi / 96;
  const cssWidth = width / ratio;
  const cssHeight = height / ratio;
  const frame = frameAtRoundScale(bbox, cssWidth, cssHeight);
  const side = tileSide(ratio);
  const tileCss = { width: Math.min(side, Math.ceil(cssWidth)), height: Math.min(side, Math.ceil(cssHeight)) };

  const container = document.createElement('div');
  container.className = 'print-render';
  container.setAttribute('aria-hidden', 'true');
  container.style.width = `${tileCss.width}px`;
  container.style.height = `${tileCss.height}px`;
  document.body.append(container);
  const hidden = new maplibregl.Map({
    container,
    style: paperStyle(map, layerIds),
    center: frame.centre,
    zoom: frame.zoom,
    pixelRatio: ratio,
    maxCanvasSize: [MAX_CANVAS, MAX_CANVAS],
    interactive: false,
    attributionControl: false,
    fadeDuration: 0,
    maxZoom: 24,
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
  });
  // The hatch of the groups without a value is an image the page adds to its map.
  hidden.on('styleimagemissing', (event) => {
    if (event.id === 'kheo-hatch' && !hidden.hasImage('kheo-hatch')) hidden.addImage('kheo-hatch', hatchImage());
  });
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  try {
    await new Promise((resolve, reject) => {
      hidden.once('load', resolve);
      hidden.once('error', (event) => reject(event.error ?? new Error('the print map did not load')));
    });
    const [cx, cy] = mercator(frame.centre);
    const world = TILE * 2 ** frame.zoom;
    for (let top = 0; top < cssHeight; top += tileCss.height) {
      for (let left = 0; left < cssWidth; left += tileCss.width) {
        // The tile's centre, from the whole map's centre, in Web Mercator.
        const dx = left + tileCss.width / 2 - cssWidth / 2;
        const dy = top + tileCss.height / 2 - cssHeight / 2;
        const drawn = new Promise((resolve) => hidden.once('idle', resolve));
        hidden.jumpTo({ center: unmercator(cx + dx / world, cy + dy / world), zoom: frame.zoom });
        hidden.triggerRepaint(); // a view that did not change would draw nothing, and never be idle
        await drawn;
        ctx.drawImage(hidden.getCanvas(), Math.round(left * ratio), Math.round(top * ratio));
      }
    }
  } finally {
    hidden.remove();
    container.remove();
  }
  const [mx, my] = mercator(frame.centre);
  const world = TILE * 2 ** frame.zoom;
  return {
    canvas,
    denominator: frame.denominator,
    metresPerPixel: frame.metresPerCssPx / ratio,
    project: (lngLat) => {
      const [x, y] = mercator(lngLat);
      return [((x - mx) * world + cssWidth / 2) * ratio, ((y - my) * world + cssHeight / 2) * ratio];
    },
  };
}
