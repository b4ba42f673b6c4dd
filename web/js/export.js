// @ts-check
// Exports of the map: a PNG of the current map with a title, the class legend (with the
// target), a scale bar, a north arrow and the date, composed on a 2D canvas from MapLibre's
// canvas (the map keeps its drawing buffer, see map.js); and the print layout (print CSS in
// app.css): the same composed map as an image, the title, the headline numbers and the table,
// on A4 or A3 landscape.
//
// Canvas text is drawn with the page's own font stack (system sans-serif faces carry the
// Vietnamese diacritics), not with MapLibre's glyphs.

import { classLabels, NO_DATA_COLOR, targetOf, unitOf } from './choropleth.js';
import { required } from './dom.js';
import { formatDate, formatLength, formatPct } from './format.js';
import { t } from './i18n.js';
import { indicatorTitle } from './indicators.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { Classes, Indicator } from './choropleth.js'
 * @import { Commune, CoverageSettings } from './types.js'
 */

/**
 * What an export draws: the map as it is, the indicator with its classes and target, the date.
 * @typedef {object} ExportOptions
 * @property {MapLibreMap} map
 * @property {Commune} commune
 * @property {Indicator} indicator
 * @property {Classes} classes
 * @property {CoverageSettings} settings
 * @property {string} asOf the date of the numbers, YYYY-MM-DD
 * @property {boolean} [hasNoData] some group has no value (the legend's hatched entry)
 */

const INK = '#1f2330';
const INK_SOFT = '#5b6272';

/** The page's font stack, for canvas text. */
const fontStack = () => getComputedStyle(document.body).fontFamily || 'sans-serif';

/**
 * A "nice" length for a scale bar: 1, 2 or 5 times a power of ten, at most `max` metres.
 * @param {number} max
 */
function niceLength(max) {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [5, 2, 1]) if (m * p <= max) return m * p;
  return p;
}

/**
 * A rounded rectangle's path.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {number} r the corners' radius
 */
function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/**
 * Shortens `text` with an ellipsis until it fits in `width` (with the current ctx.font).
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} width
 */
function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}

/**
 * The map as a new canvas: `{canvas, mapWidth, mapHeight}`. Synchronous (so that it can run in
 * a `beforeprint` handler). `header`: draw the title band above the map; `footer`: the
 * credit line under it. The legend, scale bar and north arrow are drawn over the map.
 * @param {ExportOptions & { header?: boolean, footer?: boolean }} options
 * @returns {{ canvas: HTMLCanvasElement, mapWidth: number, mapHeight: number }}
 */
export function composeMap({ map, commune, indicator, classes, settings, asOf, hasNoData = false, header = true, footer = true }) {
  const source = map.getCanvas();
  const W = source.width;
  const H = source.height;
  const s = W / (source.clientWidth || W); // device pixels per CSS pixel
  const font = fontStack();
  const headH = header ? Math.round(86 * s) : 0;
  const footH = footer ? Math.round(30 * s) : 0;
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = headH + H + footH;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.textBaseline = 'alphabetic';

  const indicatorName = indicatorTitle(indicator);
  const date = formatDate(asOf);
  if (header) {
    ctx.fillStyle = '#b7791f';
    ctx.fillRect(0, 0, W, Math.round(5 * s));
    ctx.fillStyle = INK;
    ctx.font = `700 ${Math.round(27 * s)}px ${font}`;
    ctx.fillText(fit(ctx, `${commune.name}: ${indicatorName}`, W - 48 * s), 24 * s, 44 * s);
    ctx.fillStyle = INK_SOFT;
    ctx.font = `400 ${Math.round(16 * s)}px ${font}`;
    const sub = [commune.province, t('panel.as_of', { date })].filter(Boolean).join(' · ');
    ctx.fillText(fit(ctx, sub, W - 48 * s), 24 * s, 70 * s);
  }

  ctx.drawImage(source, 0, headH);
  ctx.strokeStyle = '#d3d4d9';
  ctx.lineWidth = Math.max(1, s);
  ctx.strokeRect(0.5, headH + 0.5, W - 1, H - 1);

  // ---- legend, bottom left ----
  const labels = classLabels(indicator, classes);
  const unit = unitOf(indicator);
  const target = indicator.kind === 'pct' ? targetOf(indicator, settings) : null;
  const rowH = 23 * s;
  const pad = 12 * s;
  const rows = labels.length + (target !== null ? 1 : 0) + (hasNoData ? 1 : 0);
  ctx.font = `700 ${Math.round(15 * s)}px ${font}`;
  const titleW = ctx.measureText(indicatorName).width;
  const boxW = Math.max(200 * s, titleW + 2 * pad);
  const boxH = pad + 20 * s + rows * rowH + pad * 0.6;
  const bx = 14 * s;
  const by = headH + H - boxH - 14 * s;
  ctx.save();
  ctx.shadowColor = 'rgba(20, 24, 36, 0.18)';
  ctx.shadowBlur = 8 * s;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.95)';
  roundRect(ctx, bx, by, boxW, boxH, 8 * s);
  ctx.fill();
  ctx.restore();
  ctx.fillStyle = INK;
  ctx.fillText(indicatorName, bx + pad, by + pad + 13 * s);
  ctx.font = `400 ${Math.round(14 * s)}px ${font}`;
  let y = by + pad + 24 * s;
  const swW = 30 * s;
  const swH = 15 * s;
  labels.forEach((label, i) => {
    ctx.fillStyle = classes.colors[i];
    ctx.fillRect(bx + pad, y + (rowH - swH) / 2, swW, swH);
    ctx.strokeStyle = 'rgba(31, 35, 48, 0.35)';
    ctx.lineWidth = s;
    ctx.strokeRect(bx + pad, y + (rowH - swH) / 2, swW, swH);
    ctx.fillStyle = INK;
    ctx.fillText(unit ? `${label} ${unit}` : label, bx + pad + swW + 10 * s, y + rowH / 2 + 5 * s);
    y += rowH;
  });
  if (hasNoData) {
    ctx.fillStyle = NO_DATA_COLOR;
    ctx.fillRect(bx + pad, y + (rowH - swH) / 2, swW, swH);
    ctx.save();
    ctx.beginPath();
    ctx.rect(bx + pad, y + (rowH - swH) / 2, swW, swH);
    ctx.clip();
    ctx.strokeStyle = '#8c8f99';
    ctx.lineWidth = 1.5 * s;
    for (let k = -swH; k < swW; k += 6 * s) {
      ctx.beginPath();
      ctx.moveTo(bx + pad + k, y + (rowH + swH) / 2);
      ctx.lineTo(bx + pad + k + swH, y + (rowH - swH) / 2);
      ctx.stroke();
    }
    ctx.restore();
    ctx.fillStyle = INK;
    ctx.fillText(indicator.kind === 'pct' ? t('legend.no_roads') : t('legend.no_data'), bx + pad + swW + 10 * s, y + rowH / 2 + 5 * s);
    y += rowH;
  }
  if (target !== null) {
    ctx.strokeStyle = INK;
    ctx.lineWidth = 3 * s;
    ctx.beginPath();
    ctx.moveTo(bx + pad + swW / 2, y + 3 * s);
    ctx.lineTo(bx + pad + swW / 2, y + rowH - 3 * s);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.font = `700 ${Math.round(14 * s)}px ${font}`;
    ctx.fillText(t('legend.target', { value: formatPct(target) }), bx + pad + swW + 10 * s, y + rowH / 2 + 5 * s);
  }

  // ---- scale bar, bottom right ----
  const cssW = source.clientWidth || W / s;
  const cssH = source.clientHeight || H / s;
  const yScale = cssH - 30;
  const a = map.unproject([cssW / 2 - 50, yScale]);
  const b = map.unproject([cssW / 2 + 50, yScale]);
  const metresPerPx = a.distanceTo(b) / 100;
  if (metresPerPx > 0 && Number.isFinite(metresPerPx)) {
    const length = niceLength(metresPerPx * 160);
    const barW = (length / metresPerPx) * s;
    const label = formatLength(length);
    ctx.font = `600 ${Math.round(14 * s)}px ${font}`;
    const labelW = ctx.measureText(label).width;
    const sw = barW + labelW + 34 * s;
    const sx = W - sw - 14 * s;
    const sy = headH + H - 44 * s;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.92)';
    roundRect(ctx, sx, sy, sw, 30 * s, 6 * s);
    ctx.fill();
    const x0 = sx + 12 * s;
    const yb = sy + 19 * s;
    ctx.fillStyle = INK;
    ctx.fillRect(x0, yb, barW / 2, 5 * s);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x0 + barW / 2, yb, barW / 2, 5 * s);
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1.5 * s;
    ctx.strokeRect(x0, yb, barW, 5 * s);
    ctx.fillStyle = INK;
    ctx.fillText(label, x0 + barW + 10 * s, yb + 6 * s);
    ctx.font = `400 ${Math.round(11 * s)}px ${font}`;
    ctx.fillText('0', x0 - 3 * s, yb - 4 * s);
  }

  // ---- north arrow, top right ----
  const cx = W - 38 * s;
  const cy = headH + 48 * s;
  const r = 24 * s;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.92)';
  ctx.beginPath();
  ctx.arc(cx, cy, r + 6 * s, 0, Math.PI * 2);
  ctx.fill();
  ctx.save();
  ctx.translate(cx, cy + 6 * s);
  ctx.rotate((-map.getBearing() * Math.PI) / 180);
  ctx.fillStyle = INK;
  ctx.beginPath();
  ctx.moveTo(0, -r * 0.75);
  ctx.lineTo(r * 0.42, r * 0.55);
  ctx.lineTo(0, r * 0.28);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = '#9aa0ab';
  ctx.beginPath();
  ctx.moveTo(0, -r * 0.75);
  ctx.lineTo(-r * 0.42, r * 0.55);
  ctx.lineTo(0, r * 0.28);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  ctx.fillStyle = INK;
  ctx.font = `800 ${Math.round(14 * s)}px ${font}`;
  ctx.textAlign = 'center';
  ctx.fillText(t('export.north'), cx, cy - r * 0.62);
  ctx.textAlign = 'left';

  if (footer) {
    ctx.fillStyle = INK_SOFT;
    ctx.font = `400 ${Math.round(13 * s)}px ${font}`;
    const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
    ctx.fillText(t('export.credit', { date: formatDate(today) }), 24 * s, headH + H + 20 * s);
    ctx.textAlign = 'right';
    ctx.fillText(t('panel.as_of', { date }), W - 24 * s, headH + H + 20 * s);
    ctx.textAlign = 'left';
  }
  return { canvas, mapWidth: W, mapHeight: H };
}

/**
 * `kheo-<commune>-<indicator>-<date>.png`
 * @param {Commune} commune
 * @param {Indicator} indicator
 * @param {string} asOf
 */
export const pngFileName = (commune, indicator, asOf) => `kheo-${commune.code}-${indicator.id}-${asOf}.png`;

/**
 * Waits until the map has drawn everything it has loaded.
 * @param {MapLibreMap} map
 * @returns {Promise<void>}
 */
export function mapSettled(map) {
  return new Promise((resolve) => {
    if (map.loaded() && !map.isMoving()) resolve();
    else map.once('idle', () => resolve());
  });
}

/**
 * Composes the map and downloads it as a PNG (`<a download>`). Resolves with the file name.
 * @param {ExportOptions} options
 */
export async function downloadPng(options) {
  await mapSettled(options.map);
  const { canvas } = composeMap(options);
  /** @type {Blob} */
  const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  const name = pngFileName(options.commune, options.indicator, options.asOf);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

// ---- printing ----------------------------------------------------------------------------

/** The paper sizes, as CSS @page names them. @type {Record<string, string>} */
const PAPERS = { a4: 'A4 landscape', a3: 'A3 landscape' };

/** The @page rule of the chosen paper, a constructed style sheet (the CSP refuses <style>). */
const pageSheet = new CSSStyleSheet();

/**
 * Switches the printed paper size: a class on <html> and a small @page rule.
 * Returns the size set (A4 for an unknown one).
 * @param {string} paper
 */
export function setPaper(paper) {
  const key = PAPERS[paper] ? paper : 'a4';
  if (!document.adoptedStyleSheets.includes(pageSheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
  pageSheet.replaceSync(`@page { size: ${PAPERS[key]}; margin: ${key === 'a3' ? 12 : 9}mm; }`);
  for (const k of Object.keys(PAPERS)) document.documentElement.classList.toggle(`paper-${k}`, k === key);
  return key;
}

/**
 * Prepares the printed page: the print title, and the map as an image (a WebGL canvas does not
 * print reliably, and a printed copy must not depend on a redraw at the paper's size).
 * Synchronous: it runs in `beforeprint`.
 * @param {ExportOptions} options
 * @param {{ head: HTMLElement, image: HTMLImageElement }} parts the print header and image
 */
export function preparePrint(options, { head, image }) {
  const { commune, indicator, asOf } = options;
  required('.print-title', HTMLElement, head).textContent = `${commune.name}: ${indicatorTitle(indicator)}`;
  required('.print-sub', HTMLElement, head).textContent = [commune.province, t('panel.as_of', { date: formatDate(asOf) })].filter(Boolean).join(' · ');
  // Already laid out for print (print media emulated, the live map hidden): keep the copy made
  // from the screen's map.
  const hidden = options.map.getContainer().clientWidth === 0 || window.matchMedia('print').matches;
  if (hidden && image.getAttribute('src')) return;
  try {
    const { canvas } = composeMap({ ...options, header: false, footer: false });
    image.src = canvas.toDataURL('image/png');
    image.alt = t('map.region', { commune: commune.name });
  } catch (error) {
    console.warn('print: the map could not be copied', error);
    image.removeAttribute('src');
  }
}
