// @ts-check
// Exports of the map for the council's records:
//
// - the PNG: the print-grade sheet (print/sheet.js) at 300 dpi on the paper chosen (A4 or
//   A3, landscape or portrait), with what it is written into the file too (PNG text chunks:
//   title, office, date, source, legend);
// - the printed page (print CSS in app.css and print.css): the title with the office and the
//   national motto, the map at 300 dpi with its legend, north arrow and scale
//   (print/sheet.js's figure), the headline numbers and the table, the source and the
//   "Người lập" signature block. The print button makes the map first; printing from the
//   browser's menu, which cannot wait, copies the map on screen instead, unless the map for
//   that view and paper was already made.
//
// The paper is a class on <html> (`paper-a3`, `paper-portrait`) that picks a named @page of
// the print CSS: no style is written into the page (its Content-Security-Policy allows none).

import { required } from './dom.js';
import { formatDate, formatLength } from './format.js';
import { t } from './i18n.js';
import { drawLegend, legendFor } from './print/legend.js';
import { withTextChunks } from './print/png.js';
import { DPI, figure, officeOf, renderSheet, sheetSize } from './print/sheet.js';
import { INK, niceLength, northArrow, scaleBar, setFont } from './print/draw.js';
import { indicatorTitle } from './indicators.js';

/**
 * @import { Commune } from './types.js'
 * @import { Indicator } from './choropleth.js'
 * @import { Orientation, Paper, SheetView } from './print/sheet.js'
 */

/** A paper and its orientation, as the paper select names them. @typedef {{ paper: Paper, orientation: Orientation }} PaperFormat */

/** The paper select's values. @type {Record<string, PaperFormat>} */
export const PAPER_FORMATS = {
  a4: { paper: 'a4', orientation: 'landscape' },
  a3: { paper: 'a3', orientation: 'landscape' },
  'a4-portrait': { paper: 'a4', orientation: 'portrait' },
  'a3-portrait': { paper: 'a3', orientation: 'portrait' },
};

/**
 * The printed page's map box in millimetres, for each paper: what print.css gives the map's
 * image (the page less its margins, the header and the footer; landscape: 57 % of the width).
 * @type {Record<string, { widthMm: number, heightMm: number }>}
 */
export const PRINT_MAP_BOX = {
  a4: { widthMm: 159, heightMm: 140 },
  a3: { widthMm: 225, heightMm: 203 },
  'a4-portrait': { widthMm: 192, heightMm: 150 },
  'a3-portrait': { widthMm: 273, heightMm: 215 },
};

/**
 * `kheo-<commune>-<indicator>-<date>.png`
 * @param {Commune} commune
 * @param {Indicator} indicator
 * @param {string} asOf
 */
export const pngFileName = (commune, indicator, asOf) => `kheo-${commune.code}-${indicator.id}-${asOf}.png`;

/**
 * Waits until the map has drawn everything it has loaded.
 * @param {import('maplibre-gl').Map} map
 * @returns {Promise<void>}
 */
export function mapSettled(map) {
  return new Promise((resolve) => {
    if (map.loaded() && !map.isMoving()) resolve();
    else map.once('idle', () => resolve());
  });
}

/**
 * A canvas as PNG bytes.
 * @param {HTMLCanvasElement} canvas
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
async function pngBytes(canvas) {
  /** @type {Blob} */
  const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Renders the sheet of `view` on `format`'s paper and downloads it as a PNG (`<a download>`),
 * with what it shows written in it. Resolves with the file name, the sheet's size and legend.
 * @param {SheetView} view
 * @param {PaperFormat} format
 */
export async function downloadPng(view, format) {
  await mapSettled(view.map);
  const sheet = await renderSheet(view, format);
  const { widthMm, heightMm } = sheetSize(format.paper, format.orientation);
  const texts = /** @type {[string, string][]} */ ([
    ['Title', `${t('sheet.title')} — ${view.commune.name}, ${view.commune.province}: ${indicatorTitle(view.indicator)}`],
    ['Author', officeOf(view.commune)],
    ['Description', `${t('sheet.as_of', { indicator: indicatorTitle(view.indicator), date: formatDate(view.asOf) })}. ${t('sheet.legend')}: ${sheet.legend.map((e) => e.title).join('; ')}`],
    ['Source', t('sheet.source', { office: officeOf(view.commune), date: formatDate(view.asOf) })],
    ['Creation Time', new Date().toISOString()],
    ['kheo:sheet', JSON.stringify({ paper: format.paper, orientation: format.orientation, width_mm: widthMm, height_mm: heightMm, dpi: DPI, as_of: view.asOf, commune: view.commune.code, indicator: view.indicator.id, scale: sheet.denominator })],
    ['kheo:legend', JSON.stringify(sheet.swatches)],
  ]);
  const bytes = withTextChunks(await pngBytes(sheet.canvas), texts);
  const name = pngFileName(view.commune, view.indicator, view.asOf);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, width: sheet.canvas.width, height: sheet.canvas.height, legend: sheet.legend };
}

// ---- printing ----------------------------------------------------------------------------

/**
 * Switches the printed paper: classes on <html> that the print CSS's named pages follow.
 * Returns the value set (A4 landscape for an unknown one).
 * @param {string} value one of PAPER_FORMATS' keys
 */
export function setPaper(value) {
  const key = PAPER_FORMATS[value] ? value : 'a4';
  const { paper, orientation } = PAPER_FORMATS[key];
  const html = document.documentElement;
  html.classList.toggle('paper-a4', paper === 'a4');
  html.classList.toggle('paper-a3', paper === 'a3');
  html.classList.toggle('paper-portrait', orientation === 'portrait');
  return key;
}

/**
 * The parts of the page that printing fills in.
 * @typedef {{ head: HTMLElement, image: HTMLImageElement, foot: HTMLElement }} PrintParts
 */

/**
 * Fills the printed page's title, office, source and signature block (everything but the map).
 * @param {SheetView} view
 * @param {PrintParts} parts
 */
function fillPrintText(view, { head, foot }) {
  const { commune, indicator, asOf } = view;
  required('.print-office', HTMLElement, head).textContent = commune.name.toLocaleUpperCase('vi');
  required('.print-title', HTMLElement, head).textContent = `${commune.name}: ${indicatorTitle(indicator)}`;
  required('.print-sub', HTMLElement, head).textContent = [commune.province, t('panel.as_of', { date: formatDate(asOf) })].filter(Boolean).join(' · ');
  required('.print-source', HTMLElement, foot).textContent = t('sheet.source', { office: officeOf(commune), date: formatDate(asOf) });
  const [year, month, day] = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10).split('-');
  required('.print-signed-on', HTMLElement, foot).textContent = t('sheet.signed_on', { place: commune.name.replace(/^(Phường|Xã|Thị trấn)\s+/, ''), day, month, year });
}

/**
 * Prepares the printed page with the map at 300 dpi for the paper chosen; resolves once the
 * image is ready to print.
 * @param {SheetView} view
 * @param {PrintParts} parts
 * @param {string} paper the paper select's value
 */
export async function preparePrintMap(view, parts, paper) {
  fillPrintText(view, parts);
  await mapSettled(view.map);
  const made = await figure(view, PRINT_MAP_BOX[paper] ?? PRINT_MAP_BOX.a4);
  const url = URL.createObjectURL(new Blob([await pngBytes(made.canvas)], { type: 'image/png' }));
  const previous = parts.image.getAttribute('src');
  parts.image.src = url;
  parts.image.alt = t('map.region', { commune: view.commune.name });
  await parts.image.decode();
  if (previous?.startsWith('blob:')) URL.revokeObjectURL(previous);
  return made;
}

/**
 * Prepares the printed page at once (the browser's own print, which cannot wait): the map on
 * screen, copied with a north arrow, a scale bar and the legend under it.
 * @param {SheetView} view
 * @param {PrintParts} parts
 */
export function preparePrintNow(view, parts) {
  fillPrintText(view, parts);
  // Already laid out for print (print media emulated, the live map hidden): keep the copy.
  const hidden = view.map.getContainer().clientWidth === 0 || window.matchMedia('print').matches;
  if (hidden && parts.image.getAttribute('src')) return;
  try {
    const source = view.map.getCanvas();
    const s = source.width / (source.clientWidth || source.width); // device pixels per CSS pixel
    const legend = legendFor(view);
    const band = { x: 8 * s, width: source.width - 16 * s, maxHeight: source.height * 0.4, columns: 3, mm: 3.2 * s, text: 11 * s };
    const scrap = document.createElement('canvas').getContext('2d');
    const bandHeight = (scrap ? drawLegend(scrap, legend, { ...band, y: 0 }).height : 0) + 16 * s;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height + bandHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(source, 0, 0);
    ctx.strokeStyle = INK;
    ctx.lineWidth = s;
    ctx.strokeRect(0.5, 0.5, source.width - 1, source.height - 1);
    northArrow(ctx, source.width - 34 * s, 44 * s, 18 * s, t('export.north'));
    // A scale bar, measured on the map at its bottom.
    const { clientWidth: w, clientHeight: h } = source;
    const metresPerCss = view.map.unproject([w / 2 - 50, h - 30]).distanceTo(view.map.unproject([w / 2 + 50, h - 30])) / 100;
    if (metresPerCss > 0 && Number.isFinite(metresPerCss)) {
      const metres = niceLength(metresPerCss * 160);
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(10 * s, source.height - 46 * s, (metres / metresPerCss) * s + 40 * s, 38 * s);
      scaleBar(ctx, { x: 20 * s, y: source.height - 14 * s, width: (metres / metresPerCss) * s, height: 5 * s, metres, label: (m) => (m === 0 ? '0' : formatLength(m)), font: 11 * s });
    }
    setFont(ctx, 11 * s);
    drawLegend(ctx, legend, { ...band, y: source.height + 8 * s });
    parts.image.src = canvas.toDataURL('image/png');
    parts.image.alt = t('map.region', { commune: view.commune.name });
  } catch (error) {
    console.warn('print: the map could not be copied', error);
    parts.image.removeAttribute('src');
  }
}
