// @ts-check
// The legend: "kheo" and the commune (or the region), then one entry per layer drawn with a
// real checkbox that shows or hides the layer's style layers, its swatch and, for a layer
// coloured by one of its fields (road surfaces, site fields, kinds of drain), a swatch per
// value. Everything comes from the catalogue's `legend` (swatch and palette) and the field's
// enum labels: no layer has code of its own here.

import { PCT_COLORS } from './choropleth.js';
import { required } from './dom.js';
import { t, title, termLabel } from './i18n.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { CatalogueLayer, LegendSpec, SwatchKind } from './types.js'
 */

/**
 * An element with attributes (`class`, `dataset` an object, others as text) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

/** The paper inside an outline swatch, and the halo of a glow swatch (a lit road's glow). */
const PAPER = '#fbfaf7';
const GLOW = '#ffc21a';

/**
 * A small inline SVG swatch: `line` (optionally dashed), `fill`, `outline`, `circle`, `glow`
 * or `ramp` (the choropleth's colours).
 * @param {SwatchKind} kind
 * @param {string | null} color
 * @param {{ dashed?: boolean, stroke?: string | null }} [options]
 */
function swatch(kind, color, { dashed = false, stroke = null } = {}) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 28 16');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  /**
   * @param {string} name
   * @param {Record<string, string | number | null>} attrs
   */
  const shape = (name, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
  };
  if (kind === 'ramp') {
    PCT_COLORS.forEach((c, i) => shape('rect', { x: 2 + i * 4.8, y: 2, width: 4.8, height: 12, fill: c }));
    shape('rect', { x: 2, y: 2, width: 24, height: 12, rx: 1, fill: 'none', stroke: '#9aa0ab', 'stroke-width': 0.8 });
  } else if (kind === 'fill') {
    shape('rect', { x: 2, y: 2, width: 24, height: 12, rx: 2, fill: color, stroke: stroke ?? 'none', 'stroke-width': 1.2, 'stroke-dasharray': dashed ? '3 1.5' : 'none' });
  } else if (kind === 'outline') {
    shape('rect', { x: 2.5, y: 2.5, width: 23, height: 11, rx: 2, fill: PAPER, stroke: color, 'stroke-width': 2.5 });
  } else if (kind === 'circle') {
    shape('circle', { cx: 14, cy: 8, r: 5.5, fill: color, stroke: '#fff', 'stroke-width': 1.5 });
  } else if (kind === 'glow') {
    shape('line', { x1: 3, y1: 8, x2: 25, y2: 8, stroke: GLOW, 'stroke-width': 9, 'stroke-linecap': 'round', opacity: 0.5 });
    shape('line', { x1: 4, y1: 8, x2: 25, y2: 8, stroke: color, 'stroke-width': 2.6, 'stroke-linecap': 'round', 'stroke-dasharray': '0.1 4.5' });
  } else {
    shape('line', { x1: 2, y1: 8, x2: 26, y2: 8, stroke: color, 'stroke-width': 3.5, 'stroke-dasharray': dashed ? '5 3' : 'none' });
  }
  return svg;
}

/**
 * The main swatch of a catalogue layer, as its `legend.swatch` says.
 * @param {LegendSpec} legend
 */
const layerSwatch = (legend) => swatch(legend.swatch.kind, legend.swatch.color, { dashed: legend.swatch.dashed });

/**
 * Sub-entries: a swatch per value of the palette's field (its colour, dashed or not, in the
 * kind of the layer's swatch), labelled from the field's enum in the page's language.
 * @param {CatalogueLayer} layer
 */
function subEntries(layer) {
  const palette = layer.legend?.palette;
  if (!palette) return null;
  const field = (layer.fields ?? []).find((f) => f.name === palette.field && f.type === 'enum');
  if (!field) return null;
  const kind = layer.legend.swatch.kind === 'circle' ? 'circle' : 'line';
  const list = el('ul', { class: 'legend-sub', 'aria-label': title(field.title), dataset: { field: field.name } });
  for (const term of field.values ?? []) {
    const entry = palette.entries.find((e) => e.value === term.value);
    if (!entry) continue;
    list.append(el('li', { dataset: { value: term.value } }, swatch(kind, entry.color, { dashed: entry.dashed }), el('span', {}, termLabel(term))));
  }
  return list;
}

/**
 * Renders the legend into `container`. `styleLayers` maps a catalogue id to its style
 * layer ids (from addLayers); only those layers get an entry, in draw order. `lazy` layers are not on the map yet: their entry
 * starts unchecked, and checking it calls `onFirstShow(layer)` (a region's works, from tiles).
 * @param {HTMLElement} container
 * @param {{ map: MapLibreMap, catalogue: CatalogueLayer[], styleLayers: Record<string, string[]>, place: { name: string, province?: string | null }, lazy?: string[], onFirstShow?: (layer: string) => string[], legends?: Record<string, LegendSpec> }} legend
 *   `legends`: a legend in place of the catalogue's (a region's communes are drawn as the
 *   choropleth, with the groups' legend)
 */
export function renderLegend(container, { map, catalogue, styleLayers, place, lazy = [], onFirstShow, legends = {} }) {
  const list = required('.legend-layers', HTMLElement, container);
  list.replaceChildren();
  required('.legend-commune', HTMLElement, container).textContent = place.name;
  required('.legend-province', HTMLElement, container).textContent = place.province ?? '';

  const ordered = [...catalogue].sort((a, b) => a.draw_order - b.draw_order);
  for (const layer of ordered) {
    let ids = styleLayers[layer.id] ?? [];
    const isLazy = lazy.includes(layer.id);
    if (ids.length === 0 && !isLazy) continue;
    const inputId = `layer-toggle-${layer.id}`;
    const input = el('input', { type: 'checkbox', id: inputId, dataset: { layer: layer.id } });
    input.checked = !isLazy && ids.every((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    input.addEventListener('change', () => {
      if (input.checked && ids.length === 0 && onFirstShow) ids = onFirstShow(layer.id);
      const visibility = input.checked ? 'visible' : 'none';
      for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visibility);
      item.classList.toggle('off', !input.checked);
    });
    const label = el('label', { for: inputId }, layerSwatch(legends[layer.id] ?? layer.legend), el('span', { class: 'legend-title' }, title(layer.title)));
    const item = el('li', { class: `legend-item${input.checked ? '' : ' off'}`, dataset: { layer: layer.id } }, el('div', { class: 'legend-row' }, input, label), subEntries(layer));
    list.append(item);
  }

  // Collapse/expand (collapsed by default on phones).
  const toggle = required('.legend-toggle', HTMLButtonElement, container);
  /** @param {boolean} collapsed */
  const setCollapsed = (collapsed) => {
    container.classList.toggle('collapsed', collapsed);
    toggle.setAttribute('aria-expanded', String(!collapsed));
    const label = t(collapsed ? 'legend.expand' : 'legend.collapse');
    toggle.setAttribute('aria-label', label);
    toggle.title = label;
  };
  toggle.addEventListener('click', () => setCollapsed(!container.classList.contains('collapsed')));
  setCollapsed(window.matchMedia('(max-width: 719px)').matches);
}
