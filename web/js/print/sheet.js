// @ts-check
// The print-grade map sheet, for the council's records: A4 or A3, landscape or portrait, at
// 300 dpi (an A3 landscape sheet is 4961 x 3508 pixels). On it, in the Vietnamese
// administrative style:
//
//   the issuing office (UBND of the commune)      the national motto
//                 the title, the commune, the indicator and the "as of" date
//   the map (render-map.js, at a round scale)     the headline figure
//     labels over every line (labels.js),         the legend of every layer shown
//     a north arrow, a scale bar and the scale    (legend.js, from the catalogue)
//                                                 the source, the date it was made
//                                                 "Người lập": date, place, signature
//
// Portrait sheets put the legend and the signature under the map. The same map with its
// legend, north arrow and scale, without the rest, is the figure the printed page shows
// (figure()).

import { indicatorValue, formatIndicator, targetOf } from '../choropleth.js';
import { formatDate, formatInteger, formatKm, formatLength } from '../format.js';
import { t } from '../i18n.js';
import { drawLegend, legendFor } from './legend.js';
import { drawGroupLabels } from './labels.js';
import { renderPrintMap } from './render-map.js';
import { fit, INK, INK_SOFT, niceLength, northArrow, roundRect, scaleBar, setFont, wrap } from './draw.js';
import { indicatorTitle } from '../indicators.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { Classes, Indicator } from '../choropleth.js'
 * @import { CatalogueLayer, Commune, CommuneReport, CoverageSettings, GroupCollection } from '../types.js'
 * @import { DrawnSwatch, LegendEntry } from './legend.js'
 * @import { PrintMap } from './render-map.js'
 */

/**
 * What a sheet shows: the map as it is on screen (its layers, their visibility), the
 * indicator with its classes, the numbers and the date.
 * @typedef {object} SheetView
 * @property {MapLibreMap} map
 * @property {CatalogueLayer[]} catalogue
 * @property {Record<string, string[]>} styleLayers
 * @property {Commune} commune
 * @property {CommuneReport} totals the commune's numbers at the date
 * @property {GroupCollection} groups the groups, with their labels
 * @property {Indicator} indicator
 * @property {Classes} classes
 * @property {CoverageSettings} settings
 * @property {string} asOf YYYY-MM-DD
 * @property {boolean} hasNoData some group has no value
 */

/** @typedef {'a4' | 'a3'} Paper */
/** @typedef {'landscape' | 'portrait'} Orientation */

/** Paper sizes in millimetres, landscape. @type {Record<Paper, [number, number]>} */
export const PAPERS = { a4: [297, 210], a3: [420, 297] };

/** The resolution of the sheet. */
export const DPI = 300;

/**
 * The sheet's size in millimetres and in pixels at `dpi`.
 * @param {Paper} paper
 * @param {Orientation} orientation
 * @param {number} [dpi]
 */
export function sheetSize(paper, orientation, dpi = DPI) {
  const [long, short] = PAPERS[paper];
  const [widthMm, heightMm] = orientation === 'portrait' ? [short, long] : [long, short];
  return { widthMm, heightMm, width: Math.round((widthMm / 25.4) * dpi), height: Math.round((heightMm / 25.4) * dpi) };
}

/** Today in Vietnam (UTC+7), YYYY-MM-DD. */
const todayVn = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * The place in the signature's date line: the commune's name without its kind ("Quỳnh Xuân").
 * @param {Commune} commune
 */
const placeOf = (commune) => commune.name.replace(/^(Phường|Xã|Thị trấn|Ward|Commune)\s+/i, '');

/**
 * The issuing office: the People's Committee of the commune.
 * @param {Commune} commune
 */
export const officeOf = (commune) => t('sheet.office', { commune: commune.name });

/**
 * The headline figure of the indicator for the commune: its value, and for a share of the
 * roads the kilometres, and the target.
 * @param {SheetView} view
 */
export function headline({ totals, indicator, settings }) {
  const value = indicatorValue(indicator, totals);
  const lines = [`${indicatorTitle(indicator)}: ${formatIndicator(indicator, value)}`];
  const record = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (totals));
  const part = record[indicator.id.replace(/_pct$/, '_m')];
  const whole = record.road_m;
  if (indicator.kind === 'pct' && typeof part === 'number' && typeof whole === 'number') {
    lines.push(t('sheet.of_roads', { part: formatKm(part), whole: formatKm(whole) }));
  }
  const target = indicator.kind === 'pct' ? targetOf(indicator, settings) : null;
  if (target !== null && value !== null) lines.push(t(value >= target ? 'target.met' : 'target.not_met', { value: formatIndicator(indicator, target) }));
  return lines;
}

/**
 * Draws the map of `view` in the box (x, y, width, height) of `ctx`, with its labels, a north
 * arrow, a scale bar and the scale; returns the print map.
 * @param {CanvasRenderingContext2D} ctx
 * @param {SheetView} view
 * @param {{ x: number, y: number, width: number, height: number, mm: number, pt: number }} box
 *   `mm` pixels per millimetre, `pt` pixels per point of text
 * @returns {Promise<PrintMap>}
 */
async function drawMap(ctx, view, { x, y, width, height, mm, pt }) {
  const printed = await renderPrintMap(view.map, {
    width: Math.round(width),
    height: Math.round(height),
    dpi: DPI,
    bbox: view.commune.bbox,
    layerIds: view.catalogue.map((l) => l.id),
  });
  const labelsShown = view.map.getStyle().layers.some((l) => l.type === 'symbol' && 'source' in l && l.source === 'groups' && l.layout?.visibility !== 'none');
  const mapCtx = printed.canvas.getContext('2d');
  if (mapCtx && labelsShown) {
    drawGroupLabels(mapCtx, view.groups, printed.project, { size: 8.5 * pt, clip: { left: 0, top: 0, right: printed.canvas.width, bottom: printed.canvas.height } });
  }
  ctx.drawImage(printed.canvas, Math.round(x), Math.round(y));
  ctx.strokeStyle = INK;
  ctx.lineWidth = 0.35 * mm;
  ctx.strokeRect(x, y, width, height);

  // North arrow, top right; scale bar and scale, bottom left, on white.
  northArrow(ctx, x + width - 11 * mm, y + 14 * mm, 6 * mm, t('export.north'));
  const metres = niceLength(printed.metresPerPixel * 45 * mm);
  const barWidth = metres / printed.metresPerPixel;
  const scaleText = t('sheet.scale', { n: formatInteger(printed.denominator) });
  setFont(ctx, 8 * pt, { weight: 700 });
  const boxWidth = Math.max(barWidth + 12 * mm, ctx.measureText(scaleText).width + 8 * mm);
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  roundRect(ctx, x + 4 * mm, y + height - 19 * mm, boxWidth, 15 * mm, 1.5 * mm);
  ctx.fill();
  scaleBar(ctx, { x: x + 8 * mm, y: y + height - 11 * mm, width: barWidth, height: 1.6 * mm, metres, label: (m) => (m === 0 ? '0' : formatLength(m)), font: 7 * pt });
  ctx.fillStyle = INK;
  setFont(ctx, 8 * pt, { weight: 700 });
  ctx.fillText(scaleText, x + 8 * mm, y + height - 6.5 * mm);
  return printed;
}

/**
 * The columns and text size at which the legend fits in `width` x `maxHeight` pixels: one
 * column, else two, else smaller text (down to 70 %), laid out on a scrap canvas to measure.
 * @param {LegendEntry[]} entries
 * @param {{ width: number, maxHeight: number, mm: number, text: number, columns: number[] }} box
 * @returns {{ columns: number, text: number }}
 */
function fitLegend(entries, { width, maxHeight, mm, text, columns }) {
  const scrap = document.createElement('canvas').getContext('2d');
  if (!scrap) return { columns: columns[columns.length - 1], text };
  for (const scale of [1, 0.85, 0.7]) {
    for (const n of columns) {
      const { height } = drawLegend(scrap, entries, { x: 0, y: 0, width, maxHeight, columns: n, mm: mm * scale, text: text * scale });
      if (height <= maxHeight) return { columns: n, text: text * scale };
    }
  }
  return { columns: columns[columns.length - 1], text: text * 0.7 };
}

/**
 * Writes `lines` centred on `cx` from `y` (the first line's baseline), each `size` pixels,
 * the first `bold`; returns the baseline after the last.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string[]} lines
 * @param {number} cx
 * @param {number} y
 * @param {{ size: number, weight?: number, underline?: number, maxWidth: number }} style
 *   `underline`: a short rule under the block, this many pixels wide
 */
function centred(ctx, lines, cx, y, { size, weight = 700, underline = 0, maxWidth }) {
  ctx.textAlign = 'center';
  ctx.fillStyle = INK;
  setFont(ctx, size, { weight });
  let at = y;
  for (const line of lines) {
    ctx.fillText(fit(ctx, line, maxWidth), cx, at);
    at += size * 1.25;
  }
  if (underline) {
    ctx.fillRect(cx - underline / 2, at - size * 0.72, underline, Math.max(1, size / 14));
  }
  ctx.textAlign = 'left';
  return at;
}

/**
 * The signature block: "{place}, ngày dd tháng mm năm yyyy", "NGƯỜI LẬP", "(Ký, ghi rõ họ tên)"
 * and room to sign, centred on `cx` from `y`.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Commune} commune
 * @param {number} cx
 * @param {number} y
 * @param {{ pt: number, maxWidth: number }} style
 */
function signature(ctx, commune, cx, y, { pt, maxWidth }) {
  const [year, month, day] = todayVn().split('-');
  ctx.textAlign = 'center';
  ctx.fillStyle = INK;
  setFont(ctx, 9.5 * pt, { italic: true });
  ctx.fillText(fit(ctx, t('sheet.signed_on', { place: placeOf(commune), day, month, year }), maxWidth), cx, y);
  setFont(ctx, 10 * pt, { weight: 700 });
  ctx.fillText(t('sheet.made_by'), cx, y + 14 * pt);
  setFont(ctx, 8.5 * pt, { italic: true });
  ctx.fillStyle = INK_SOFT;
  ctx.fillText(t('sheet.sign_here'), cx, y + 26 * pt);
  ctx.textAlign = 'left';
}

/**
 * The source and the date the sheet was made, wrapped to `width` from (x, y).
 * @param {CanvasRenderingContext2D} ctx
 * @param {SheetView} view
 * @param {number} x
 * @param {number} y
 * @param {{ pt: number, width: number }} style
 * @returns {number} the baseline after the last line
 */
function source(ctx, view, x, y, { pt, width }) {
  ctx.fillStyle = INK_SOFT;
  setFont(ctx, 7.5 * pt);
  let at = y;
  const text = [
    t('sheet.source', { office: officeOf(view.commune), date: formatDate(view.asOf) }),
    t('sheet.made_on', { date: formatDate(todayVn()) }),
  ];
  for (const paragraph of text) {
    for (const line of wrap(ctx, paragraph, width)) {
      ctx.fillText(line, x, at);
      at += 7.5 * pt * 1.3;
    }
  }
  return at;
}

/**
 * The headline box: the indicator's figure for the commune, in a framed box from (x, y);
 * returns its height.
 * @param {CanvasRenderingContext2D} ctx
 * @param {SheetView} view
 * @param {{ x: number, y: number, width: number, mm: number, pt: number }} box
 */
function headlineBox(ctx, view, { x, y, width, mm, pt }) {
  const [main, ...rest] = headline(view);
  setFont(ctx, 12 * pt, { weight: 800 });
  const mainLines = wrap(ctx, main, width - 6 * mm);
  const height = 4 * mm + mainLines.length * 12 * pt * 1.25 + rest.length * 9 * pt * 1.35 + 2 * mm;
  ctx.fillStyle = '#f4f1e8';
  ctx.fillRect(x, y, width, height);
  ctx.fillStyle = '#b7791f';
  ctx.fillRect(x, y, 1.2 * mm, height);
  ctx.fillStyle = INK;
  let at = y + 3 * mm + 12 * pt;
  setFont(ctx, 12 * pt, { weight: 800 });
  for (const line of mainLines) {
    ctx.fillText(line, x + 4 * mm, at);
    at += 12 * pt * 1.25;
  }
  setFont(ctx, 9 * pt, { weight: 600 });
  for (const line of rest) {
    ctx.fillText(fit(ctx, line, width - 6 * mm), x + 4 * mm, at - 12 * pt * 0.25);
    at += 9 * pt * 1.35;
  }
  return height;
}

/**
 * The sheet: the map of `view` with everything the council's records need, on `paper` in
 * `orientation` at 300 dpi. Resolves with its canvas, the legend as drawn (each swatch's
 * place) and the map's scale.
 * @param {SheetView} view
 * @param {{ paper: Paper, orientation: Orientation }} format
 * @returns {Promise<{ canvas: HTMLCanvasElement, legend: LegendEntry[], swatches: DrawnSwatch[], denominator: number }>}
 */
export async function renderSheet(view, { paper, orientation }) {
  const size = sheetSize(paper, orientation);
  const mm = DPI / 25.4;
  const u = Math.min(size.widthMm, size.heightMm) / 210; // A4's short side is 1
  const pt = (DPI / 72) * u;
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size.width, size.height);
  const W = size.width;
  const H = size.height;
  const m = 10 * u * mm;

  // The frame, and the header: the office on the left, the national motto on the right.
  ctx.strokeStyle = INK;
  ctx.lineWidth = 0.6 * mm;
  ctx.strokeRect(m - 3 * u * mm, m - 3 * u * mm, W - 2 * (m - 3 * u * mm), H - 2 * (m - 3 * u * mm));
  const inner = W - 2 * m;
  const sideWidth = inner * 0.42;
  centred(ctx, [t('sheet.committee'), view.commune.name.toLocaleUpperCase('vi')], m + sideWidth / 2, m + 9 * pt, { size: 9.5 * pt, underline: 22 * u * mm, maxWidth: sideWidth });
  centred(ctx, [t('sheet.country')], W - m - sideWidth / 2, m + 9 * pt, { size: 9.5 * pt, maxWidth: sideWidth });
  centred(ctx, [t('sheet.motto')], W - m - sideWidth / 2, m + 9 * pt + 9.5 * pt * 1.25, { size: 10 * pt, underline: 42 * u * mm, maxWidth: sideWidth });

  // The title, the commune and the indicator, the date.
  let y = m + 9 * pt + 9.5 * pt * 2.5 + 12 * u * mm;
  y = centred(ctx, [t('sheet.title')], W / 2, y, { size: 15 * pt, weight: 800, maxWidth: inner });
  y = centred(ctx, [[view.commune.name, view.commune.province].filter(Boolean).join(', ')], W / 2, y + 1 * u * mm, { size: 11 * pt, weight: 700, maxWidth: inner });
  y = centred(ctx, [t('sheet.as_of', { indicator: indicatorTitle(view.indicator), date: formatDate(view.asOf) })], W / 2, y, { size: 9.5 * pt, weight: 400, maxWidth: inner });
  const bodyTop = y + 1 * u * mm;
  const legend = legendFor(view);

  if (orientation === 'landscape') {
    const mapWidth = inner * 0.71;
    const mapHeight = H - m - bodyTop;
    const printed = await drawMap(ctx, view, { x: m, y: bodyTop, width: mapWidth, height: mapHeight, mm, pt });
    const colX = m + mapWidth + 6 * u * mm;
    const colWidth = W - m - colX;
    let top = bodyTop;
    top += headlineBox(ctx, view, { x: colX, y: top, width: colWidth, mm, pt }) + 5 * u * mm;
    ctx.fillStyle = INK;
    setFont(ctx, 10 * pt, { weight: 800 });
    ctx.fillText(t('sheet.legend'), colX, top + 10 * pt);
    top += 10 * pt + 3 * u * mm;
    const signatureTop = H - m - 36 * u * mm;
    const sourceHeight = 24 * u * mm;
    const room = { width: colWidth, maxHeight: signatureTop - sourceHeight - top - 2 * u * mm };
    const fitted = fitLegend(legend, { ...room, mm: mm * u, text: 8.5 * pt, columns: [1, 2] });
    const drawn = drawLegend(ctx, legend, { x: colX, y: top, ...room, columns: fitted.columns, mm: (mm * u * fitted.text) / (8.5 * pt), text: fitted.text });
    source(ctx, view, colX, signatureTop - sourceHeight + 7.5 * pt, { pt, width: colWidth });
    signature(ctx, view.commune, colX + colWidth / 2, signatureTop + 10 * pt, { pt, maxWidth: colWidth });
    return { canvas, legend, swatches: drawn.swatches, denominator: printed.denominator };
  }

  // Portrait: the map across, the legend and the signature under it.
  const mapHeight = (H - m - bodyTop) * 0.62;
  const printed = await drawMap(ctx, view, { x: m, y: bodyTop, width: inner, height: mapHeight, mm, pt });
  const below = bodyTop + mapHeight + 5 * u * mm;
  const leftWidth = inner * 0.64;
  const rightX = m + leftWidth + 6 * u * mm;
  const rightWidth = W - m - rightX;
  let top = below + headlineBox(ctx, view, { x: m, y: below, width: leftWidth, mm, pt }) + 4 * u * mm;
  ctx.fillStyle = INK;
  setFont(ctx, 10 * pt, { weight: 800 });
  ctx.fillText(t('sheet.legend'), m, top + 10 * pt);
  top += 10 * pt + 3 * u * mm;
  const room = { width: leftWidth, maxHeight: H - m - top };
  const fitted = fitLegend(legend, { ...room, mm: mm * u, text: 8.5 * pt, columns: [2, 3] });
  const drawn = drawLegend(ctx, legend, { x: m, y: top, ...room, columns: fitted.columns, mm: (mm * u * fitted.text) / (8.5 * pt), text: fitted.text });
  source(ctx, view, rightX, below + 7.5 * pt, { pt, width: rightWidth });
  signature(ctx, view.commune, rightX + rightWidth / 2, H - m - 36 * u * mm + 10 * pt, { pt, maxWidth: rightWidth });
  return { canvas, legend, swatches: drawn.swatches, denominator: printed.denominator };
}

/**
 * The printed page's map: the map of `view` with its labels, north arrow, scale bar and scale,
 * and its legend in a band under it, in a box of `widthMm` x `heightMm` at 300 dpi (the page
 * prints the title, the numbers and the signature around it).
 * @param {SheetView} view
 * @param {{ widthMm: number, heightMm: number }} box
 * @returns {Promise<{ canvas: HTMLCanvasElement, legend: LegendEntry[], swatches: DrawnSwatch[], denominator: number }>}
 */
export async function figure(view, { widthMm, heightMm }) {
  const mm = DPI / 25.4;
  const pt = DPI / 72;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(widthMm * mm);
  canvas.height = Math.round(heightMm * mm);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const legend = legendFor(view);
  const text = 7 * pt;
  const columns = widthMm > 150 ? 3 : 2;
  const band = { x: 2 * mm, width: canvas.width - 4 * mm, maxHeight: canvas.height * 0.3, columns, mm, text };
  // Laid out once on a scrap canvas to know the band's height, then for real under the map.
  const scrap = document.createElement('canvas').getContext('2d');
  const bandHeight = (scrap ? drawLegend(scrap, legend, { ...band, y: 0 }).height : 40 * mm) + 4 * mm;
  const mapHeight = canvas.height - bandHeight;
  const printed = await drawMap(ctx, view, { x: 0, y: 0, width: canvas.width, height: mapHeight, mm, pt });
  const drawn = drawLegend(ctx, legend, { ...band, y: mapHeight + 3 * mm });
  return { canvas, legend, swatches: drawn.swatches, denominator: printed.denominator };
}
