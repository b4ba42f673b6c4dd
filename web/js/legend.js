// @ts-check
// The legend: "kheo" and the commune, then one entry per layer with a real checkbox that
// shows or hides the layer's style layers, and swatches by road surface and site field.

import { COLORS, SURFACES, SITE_FIELDS } from './layers.js';
import { PCT_COLORS } from './choropleth.js';
import { required } from './dom.js';
import { t, title, termLabel } from './i18n.js';

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { CatalogueLayer, Commune, SwatchKind } from './types.js'
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
    shape('rect', { x: 2.5, y: 2.5, width: 23, height: 11, rx: 2, fill: COLORS.communeFill, stroke: color, 'stroke-width': 2.5 });
  } else if (kind === 'circle') {
    shape('circle', { cx: 14, cy: 8, r: 5.5, fill: color, stroke: '#fff', 'stroke-width': 1.5 });
  } else if (kind === 'glow') {
    shape('line', { x1: 3, y1: 8, x2: 25, y2: 8, stroke: COLORS.lightGlow, 'stroke-width': 9, 'stroke-linecap': 'round', opacity: 0.5 });
    shape('line', { x1: 4, y1: 8, x2: 25, y2: 8, stroke: color, 'stroke-width': 2.6, 'stroke-linecap': 'round', 'stroke-dasharray': '0.1 4.5' });
  } else {
    shape('line', { x1: 2, y1: 8, x2: 26, y2: 8, stroke: color, 'stroke-width': 3.5, 'stroke-dasharray': dashed ? '5 3' : 'none' });
  }
  return svg;
}

/**
 * The main swatch of a catalogue layer.
 * @param {string} id
 */
function layerSwatch(id) {
  switch (id) {
    case 'communes': return swatch('outline', COLORS.communeLine);
    case 'groups': return swatch('ramp', null);
    case 'roads': return swatch('line', SURFACES.concrete.color);
    case 'flower_routes': return swatch('line', COLORS.flower, { dashed: true });
    case 'lighting_lines': return swatch('glow', COLORS.lightCore);
    case 'model_sites': return swatch('circle', SITE_FIELDS.economy);
    default: return swatch('line', '#888');
  }
}

/**
 * Sub-entries: road surfaces and model-site fields, labelled from the catalogue's enums.
 * @param {CatalogueLayer} layer
 */
function subEntries(layer) {
  /** @param {string} name */
  const enumField = (name) => (layer.fields ?? []).find((f) => f.name === name && f.type === 'enum');
  let field = null;
  /** @type {((value: string) => SVGSVGElement | null) | null} */
  let make = null;
  if (layer.id === 'roads') {
    field = enumField('surface');
    make = (value) => (SURFACES[value] ? swatch('line', SURFACES[value].color, { dashed: SURFACES[value].dashed }) : null);
  } else if (layer.id === 'model_sites') {
    field = enumField('field');
    make = (value) => (SITE_FIELDS[value] ? swatch('circle', SITE_FIELDS[value]) : null);
  }
  if (!field || !make) return null;
  const list = el('ul', { class: 'legend-sub', 'aria-label': title(field.title) });
  for (const term of field.values ?? []) {
    const sw = make(term.value);
    if (!sw) continue;
    list.append(el('li', {}, sw, el('span', {}, termLabel(term))));
  }
  return list;
}

/**
 * Renders the legend into `container`. `styleLayers` maps a catalogue id to its style
 * layer ids (from addLayers); only those layers get an entry.
 * @param {HTMLElement} container
 * @param {{ map: MapLibreMap, catalogue: CatalogueLayer[], styleLayers: Record<string, string[]>, commune: Commune }} legend
 */
export function renderLegend(container, { map, catalogue, styleLayers, commune }) {
  const list = required('.legend-layers', HTMLElement, container);
  list.replaceChildren();
  required('.legend-commune', HTMLElement, container).textContent = commune.name;
  required('.legend-province', HTMLElement, container).textContent = commune.province ?? '';

  for (const layer of catalogue) {
    const ids = styleLayers[layer.id];
    if (!ids || ids.length === 0) continue;
    const inputId = `layer-toggle-${layer.id}`;
    const input = el('input', { type: 'checkbox', id: inputId, dataset: { layer: layer.id } });
    input.checked = ids.every((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    input.addEventListener('change', () => {
      const visibility = input.checked ? 'visible' : 'none';
      for (const id of ids) map.setLayoutProperty(id, 'visibility', visibility);
      item.classList.toggle('off', !input.checked);
    });
    const label = el('label', { for: inputId }, layerSwatch(layer.id), el('span', { class: 'legend-title' }, title(layer.title)));
    const item = el('li', { class: 'legend-item', dataset: { layer: layer.id } }, el('div', { class: 'legend-row' }, input, label), subEntries(layer));
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
