// @ts-check
// The print legend: one entry for every layer shown on the map, made from the layer
// catalogue's `legend` (its swatch, and a colour per value of one field: road surfaces,
// site fields), drawn on the sheet's canvas. The groups' entry is the choropleth: the
// indicator's classes, the groups without a value, the target.
//
// `legendFor` says what the legend holds (the browser test reads it back from the PNG);
// `drawLegend` lays it out in one or more columns and says where each swatch went.

import { classLabels, NO_DATA_COLOR, targetOf, unitOf } from '../choropleth.js';
import { formatPct } from '../format.js';
import { t, termLabel, title } from '../i18n.js';
import { hatch, INK, INK_SOFT, setFont, wrap } from './draw.js';
import { indicatorTitle } from '../indicators.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { Classes, Indicator } from '../choropleth.js'
 * @import { CatalogueLayer, CoverageSettings, SwatchKind } from '../types.js'
 */

/** How a swatch is drawn. @typedef {{ kind: SwatchKind | 'class' | 'nodata' | 'target', color: string, dashed: boolean }} Swatch */

/** A line of a layer's entry: a value of its palette field, or a class of the choropleth. @typedef {{ label: string, value?: string, swatch: Swatch }} LegendItem */

/** A layer's entry: its title, its swatch, its lines. @typedef {{ layer: string, title: string, swatch: Swatch, items: LegendItem[] }} LegendEntry */

/** Where a swatch was drawn, in the canvas's pixels. @typedef {{ layer: string, value: string | null, label: string, color: string, box: [number, number, number, number] }} DrawnSwatch */

/**
 * The legend of the layers shown on `map`, top layer first.
 * @param {{ map: MapLibreMap, catalogue: CatalogueLayer[], styleLayers: Record<string, string[]>, indicator: Indicator, classes: Classes, settings: CoverageSettings, hasNoData: boolean }} view
 * @returns {LegendEntry[]}
 */
export function legendFor({ map, catalogue, styleLayers, indicator, classes, settings, hasNoData }) {
  const shown = (/** @type {CatalogueLayer} */ layer) => (styleLayers[layer.id] ?? []).some((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  return [...catalogue]
    .filter((layer) => layer.legend && shown(layer))
    .sort((a, b) => b.draw_order - a.draw_order)
    .map((layer) => {
      const { swatch, palette } = layer.legend;
      /** @type {LegendItem[]} */
      let items = [];
      if (swatch.kind === 'ramp') {
        items = choroplethItems(indicator, classes, settings, hasNoData);
      } else if (palette) {
        const field = (layer.fields ?? []).find((f) => f.name === palette.field);
        items = palette.entries.map((entry) => {
          const term = field?.values?.find((v) => v.value === entry.value);
          return { label: term ? termLabel(term) : entry.value, value: entry.value, swatch: { kind: swatch.kind, color: entry.color, dashed: entry.dashed } };
        });
      }
      const heading = swatch.kind === 'ramp' ? `${title(layer.title)}: ${indicatorTitle(indicator)}` : title(layer.title);
      return { layer: layer.id, title: heading, swatch: { kind: swatch.kind, color: swatch.color, dashed: swatch.dashed }, items };
    });
}

/**
 * The choropleth's lines: each class with its colour (and unit), the groups without a value,
 * the target.
 * @param {Indicator} indicator
 * @param {Classes} classes
 * @param {CoverageSettings} settings
 * @param {boolean} hasNoData
 * @returns {LegendItem[]}
 */
function choroplethItems(indicator, classes, settings, hasNoData) {
  const unit = unitOf(indicator);
  /** @type {LegendItem[]} */
  const items = classLabels(indicator, classes).map((label, i) => ({
    label: unit ? `${label} ${unit}` : label,
    value: `class-${i}`,
    swatch: { kind: 'class', color: classes.colors[i], dashed: false },
  }));
  if (hasNoData) items.push({ label: t(indicator.kind === 'pct' ? 'legend.no_roads' : 'legend.no_data'), value: 'no-data', swatch: { kind: 'nodata', color: NO_DATA_COLOR, dashed: false } });
  const target = indicator.kind === 'pct' ? targetOf(indicator, settings) : null;
  if (target !== null) items.push({ label: t('legend.target', { value: formatPct(target) }), value: 'target', swatch: { kind: 'target', color: INK, dashed: false } });
  return items;
}

/**
 * Draws a swatch in the box (x, y, w, h).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Swatch} swatch
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 */
export function drawSwatch(ctx, swatch, x, y, w, h) {
  const line = h / 5;
  ctx.save();
  ctx.setLineDash([]);
  switch (swatch.kind) {
    case 'class':
    case 'fill':
      ctx.fillStyle = swatch.color;
      ctx.fillRect(x, y, w, h);
      ctx.strokeStyle = 'rgba(31, 35, 48, 0.45)';
      ctx.lineWidth = Math.max(1, line / 3);
      ctx.strokeRect(x, y, w, h);
      break;
    case 'nodata':
      hatch(ctx, x, y, w, h, { fill: swatch.color, stroke: '#8c8f99', step: h / 2.5, line: Math.max(1, line / 2) });
      break;
    case 'target':
      ctx.fillStyle = swatch.color;
      ctx.fillRect(x + w / 2 - line / 2, y - h * 0.1, line, h * 1.2);
      break;
    case 'outline':
      ctx.fillStyle = '#fbfaf7';
      ctx.fillRect(x, y, w, h);
      ctx.strokeStyle = swatch.color;
      ctx.lineWidth = line;
      ctx.strokeRect(x + line / 2, y + line / 2, w - line, h - line);
      break;
    case 'circle':
      ctx.fillStyle = swatch.color;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = line * 0.8;
      ctx.beginPath();
      ctx.arc(x + w / 2, y + h / 2, h * 0.42, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      ctx.strokeStyle = 'rgba(31, 35, 48, 0.35)';
      ctx.lineWidth = Math.max(1, line / 4);
      ctx.beginPath();
      ctx.arc(x + w / 2, y + h / 2, h * 0.42 + line * 0.4, 0, Math.PI * 2);
      ctx.stroke();
      break;
    case 'glow':
      ctx.lineCap = 'round';
      ctx.strokeStyle = 'rgba(255, 194, 26, 0.5)';
      ctx.lineWidth = h * 0.8;
      ctx.beginPath();
      ctx.moveTo(x + h * 0.4, y + h / 2);
      ctx.lineTo(x + w - h * 0.4, y + h / 2);
      ctx.stroke();
      ctx.strokeStyle = swatch.color;
      ctx.lineWidth = line * 1.3;
      ctx.setLineDash([0.1, line * 2.6]);
      ctx.beginPath();
      ctx.moveTo(x + h * 0.4, y + h / 2);
      ctx.lineTo(x + w - h * 0.4, y + h / 2);
      ctx.stroke();
      break;
    case 'ramp':
      break;
    default: // a line, dashed for unhardened surfaces and flower routes
      ctx.strokeStyle = swatch.color;
      ctx.lineWidth = line * 1.6;
      ctx.lineCap = 'butt';
      if (swatch.dashed) ctx.setLineDash([line * 3, line * 1.8]);
      ctx.beginPath();
      ctx.moveTo(x, y + h / 2);
      ctx.lineTo(x + w, y + h / 2);
      ctx.stroke();
  }
  ctx.restore();
}

/**
 * A row of the laid out legend: how tall it is, and how it draws at (x, y) in a column of
 * `width` pixels.
 * @typedef {{ height: number, draw: (x: number, y: number, width: number) => DrawnSwatch | null }} Row
 */

/**
 * Draws the legend in `columns` columns of `width` pixels from (x, y), a column at most
 * `maxHeight` pixels tall before the next. `mm` is pixels per millimetre. Returns where each
 * swatch went and the height used.
 * @param {CanvasRenderingContext2D} ctx
 * @param {LegendEntry[]} entries
 * @param {{ x: number, y: number, width: number, maxHeight: number, columns: number, mm: number, text: number }} box
 *   `text` the text's size in pixels
 * @returns {{ swatches: DrawnSwatch[], height: number }}
 */
export function drawLegend(ctx, entries, { x, y, width, maxHeight, columns, mm, text }) {
  const gap = 3 * mm;
  const colWidth = (width - gap * (columns - 1)) / columns;
  const sw = { w: 9 * mm, h: 4.2 * mm };
  const lineHeight = text * 1.3;
  /** @type {Row[]} */
  const rows = [];
  for (const entry of entries) {
    setFont(ctx, text, { weight: 700 });
    const titleLines = wrap(ctx, entry.title, colWidth - (entry.swatch.kind === 'ramp' ? 0 : sw.w + 2 * mm));
    rows.push({
      height: Math.max(titleLines.length * lineHeight, sw.h) + 1.2 * mm,
      draw: (left, top) => {
        let textLeft = left;
        /** @type {DrawnSwatch | null} */
        let drawn = null;
        if (entry.swatch.kind !== 'ramp') {
          drawSwatch(ctx, entry.swatch, left, top + (lineHeight - sw.h) / 2, sw.w, sw.h);
          drawn = { layer: entry.layer, value: null, label: entry.title, color: entry.swatch.color, box: [left, top + (lineHeight - sw.h) / 2, sw.w, sw.h] };
          textLeft += sw.w + 2 * mm;
        }
        ctx.fillStyle = INK;
        setFont(ctx, text, { weight: 700 });
        ctx.textBaseline = 'middle';
        titleLines.forEach((l, i) => ctx.fillText(l, textLeft, top + lineHeight * (i + 0.5)));
        ctx.textBaseline = 'alphabetic';
        // A layer drawn only by its lines (the groups) has no swatch of its own: its first
        // line stands for it in the list of what was drawn.
        return drawn ?? { layer: entry.layer, value: null, label: entry.title, color: '', box: [left, top, 0, 0] };
      },
    });
    for (const item of entry.items) {
      setFont(ctx, text * 0.92);
      const lines = wrap(ctx, item.label, colWidth - 3 * mm - sw.w - 2 * mm);
      rows.push({
        height: Math.max(lines.length * lineHeight, sw.h) + 0.8 * mm,
        draw: (left, top) => {
          const sx = left + 3 * mm;
          const sy = top + (lineHeight - sw.h) / 2;
          drawSwatch(ctx, item.swatch, sx, sy, sw.w, sw.h);
          ctx.fillStyle = item.swatch.kind === 'target' ? INK : INK_SOFT;
          setFont(ctx, text * 0.92, { weight: item.swatch.kind === 'target' ? 700 : 400 });
          ctx.textBaseline = 'middle';
          lines.forEach((l, i) => ctx.fillText(l, sx + sw.w + 2 * mm, top + lineHeight * (i + 0.5)));
          ctx.textBaseline = 'alphabetic';
          return { layer: entry.layer, value: item.value ?? null, label: item.label, color: item.swatch.color, box: [sx, sy, sw.w, sw.h] };
        },
      });
    }
    rows[rows.length - 1].height += 1.5 * mm; // space before the next layer
  }
  /** @type {DrawnSwatch[]} */
  const swatches = [];
  let column = 0;
  let top = y;
  let used = 0;
  for (const row of rows) {
    if (top + row.height > y + maxHeight && top > y && column < columns - 1) {
      column += 1;
      top = y;
    }
    const drawn = row.draw(x + column * (colWidth + gap), top, colWidth);
    if (drawn) swatches.push(drawn);
    top += row.height;
    used = Math.max(used, top - y);
  }
  return { swatches, height: used };
}
