// @ts-check
// The editing toolbar on the map: draw a line (the select beside the button picks the layer:
// road, flower route or lighting line), a point (model site) or a polygon (residential
// group); pick a feature to edit; split a road; delete; undo. Above the buttons a hint says
// what the tool expects, with the running length of a line being drawn, "Xong" (finish the
// drawing) and "Hủy" (leave the tool). The
// buttons' pressed and disabled states follow the store's `edit` topic.

import { el } from '../dashboard.js';
import { t, title } from '../i18n.js';
import { getState, subscribe } from '../state.js';
import { editableGeometry } from './geometry.js';

/**
 * @import { EditState, Tool } from '../state.js'
 * @import { CatalogueLayer } from '../types.js'
 */

/** The layers "Vẽ đường" can draw into, in the select's order. */
const LINE_LAYERS = ['roads', 'flower_routes', 'lighting_lines'];

/** @typedef {'line' | 'point' | 'polygon' | 'pick' | 'split' | 'delete' | 'undo'} ButtonKind */

/** The buttons' icons (SVG paths in a 20 x 20 box). @type {Record<ButtonKind, string>} */
const ICONS = {
  line: '<path d="M3 16l5-7 4 3 5-8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><circle cx="3" cy="16" r="1.8" fill="currentColor"/><circle cx="17" cy="4" r="1.8" fill="currentColor"/>',
  point: '<path d="M10 18s-5-5.2-5-9a5 5 0 0110 0c0 3.8-5 9-5 9z" fill="none" stroke="currentColor" stroke-width="1.8"/><circle cx="10" cy="9" r="1.8" fill="currentColor"/>',
  polygon: '<path d="M4 6l7-3 6 5-3 9H5z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>',
  pick: '<path d="M4 3l11 6-5 1.5L8 16z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>',
  split: '<path d="M3 14l6-4M11 9l6-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><path d="M8 5l4 10" stroke="currentColor" stroke-width="1.4" stroke-dasharray="2 1.5"/>',
  delete: '<path d="M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>',
  undo: '<path d="M7 5L3 9l4 4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><path d="M3.5 9H12a4.5 4.5 0 010 9H8" fill="none" stroke="currentColor" stroke-width="1.8"/>',
};

/** The tools whose button stays pressed while the tool is active. @type {ButtonKind[]} */
const TOOL_BUTTONS = ['line', 'point', 'polygon', 'pick', 'split'];

/**
 * What the toolbar's buttons do.
 * @typedef {object} ToolbarActions
 * @property {(tool: Tool) => void} toggle a tool's button: take the tool, or leave it
 * @property {(tool: Tool | null) => void} setTool
 * @property {() => void} finish ends the line or polygon being drawn
 * @property {() => void} remove deletes the feature in the form (after a confirmation)
 * @property {() => void} undo
 */

/**
 * @typedef {object} Toolbar
 * @property {HTMLElement} root
 * @property {Record<ButtonKind, HTMLButtonElement>} buttons
 * @property {HTMLSelectElement} lineLayer the layer a drawn line goes to
 * @property {HTMLButtonElement} finishButton
 * @property {HTMLButtonElement} cancelButton
 * @property {(text: string) => void} say shows `text` in the hint line
 * @property {(text: string) => void} measure shows the length of the line being drawn
 */

/**
 * @param {string} paths
 * @returns {SVGSVGElement}
 */
function icon(paths) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = paths;
  return svg;
}

/**
 * @param {ButtonKind} kind
 * @param {string} label
 * @param {() => void} onclick
 * @param {Record<string, unknown>} [extra] more attributes
 */
const toolButton = (kind, label, onclick, extra = {}) =>
  el('button', { type: 'button', class: `edit-btn edit-${kind}`, onclick, title: label, dataset: { tool: kind }, ...extra }, icon(ICONS[kind]), el('span', { class: 'edit-btn-label' }, label));

/**
 * Builds the toolbar, hidden until the session allows editing (edit/session.js).
 * @param {Map<string, CatalogueLayer>} layers the catalogue by id
 * @param {ToolbarActions} actions
 * @returns {Toolbar}
 */
export function createToolbar(layers, actions) {
  const lineLayers = LINE_LAYERS.filter((id) => layers.has(id));
  const lineLayer = el('select', { class: 'edit-line-layer', 'aria-label': t('edit.line_layer') },
    lineLayers.map((id) => el('option', { value: id }, title(layers.get(id)?.title))));
  const pressable = { 'aria-pressed': 'false' };
  /** @type {Record<ButtonKind, HTMLButtonElement>} */
  const buttons = {
    line: toolButton('line', t('edit.draw_line'), () => actions.toggle({ kind: 'line', layer: lineLayer.value }), { ...pressable, hidden: lineLayers.length === 0 }),
    point: toolButton('point', t('edit.draw_point'), () => actions.toggle({ kind: 'point', layer: 'model_sites' }), { ...pressable, hidden: !layers.has('model_sites') }),
    polygon: toolButton('polygon', t('edit.draw_polygon'), () => actions.toggle({ kind: 'polygon', layer: 'groups' }), { ...pressable, hidden: !layers.has('groups') }),
    pick: toolButton('pick', t('edit.modify'), () => actions.toggle({ kind: 'pick' }), pressable),
    split: toolButton('split', t('edit.split'), () => actions.toggle({ kind: 'split' }), pressable),
    delete: toolButton('delete', t('edit.delete'), () => actions.remove()),
    undo: toolButton('undo', t('edit.undo'), () => actions.undo()),
  };
  const hint = el('p', { class: 'edit-hint', role: 'status', 'aria-live': 'polite' });
  // The running length while a line is drawn: not read out at every move of the pointer.
  const measure = el('span', { class: 'edit-measure', 'aria-live': 'off' });
  const finishButton = el('button', { type: 'button', class: 'act edit-finish', hidden: true, onclick: () => actions.finish() }, t('edit.finish'));
  const cancelButton = el('button', { type: 'button', class: 'act edit-cancel-tool', hidden: true, onclick: () => actions.setTool(null) }, t('edit.cancel'));
  const root = el('div', { class: 'edit-toolbar', role: 'toolbar', 'aria-label': t('edit.toolbar'), hidden: true },
    el('div', { class: 'edit-hintbar' }, hint, measure, finishButton, cancelButton),
    el('div', { class: 'edit-buttons' },
      el('span', { class: 'edit-line-group' }, buttons.line, lineLayer),
      buttons.point, buttons.polygon,
      el('span', { class: 'edit-sep', 'aria-hidden': 'true' }),
      buttons.pick, buttons.split, buttons.delete,
      el('span', { class: 'edit-sep', 'aria-hidden': 'true' }),
      buttons.undo));
  // Another layer for the line being drawn: start that line again, into the new layer.
  lineLayer.addEventListener('change', () => {
    if (getState().edit.tool?.kind === 'line') actions.setTool({ kind: 'line', layer: lineLayer.value });
  });
  /** @type {Toolbar} */
  const toolbar = {
    root, buttons, lineLayer, finishButton, cancelButton,
    say: (text) => { hint.textContent = text; },
    measure: (text) => { measure.textContent = text; },
  };
  subscribe('edit', (edit) => showEditState(toolbar, edit));
  showEditState(toolbar, getState().edit);
  return toolbar;
}

/**
 * Presses the active tool's button, enables split (a saved road of one line), delete (a
 * saved feature) and undo (something to undo, named in its tooltip).
 * @param {Toolbar} toolbar
 * @param {Readonly<EditState>} edit
 */
function showEditState({ root, buttons, measure }, { tool, current, undo }) {
  if (tool?.kind !== 'line') measure('');
  for (const kind of TOOL_BUTTONS) buttons[kind].setAttribute('aria-pressed', String(tool?.kind === kind));
  const saved = current !== null && !current.isNew;
  buttons.split.disabled = !(saved && current.layer === 'roads' && editableGeometry(current.feature.geometry)?.type === 'LineString');
  buttons.delete.disabled = !saved;
  buttons.undo.disabled = undo.length === 0;
  const last = undo[undo.length - 1];
  buttons.undo.title = last ? t('edit.undo_what', { what: last.label }) : t('edit.undo');
  root.classList.toggle('has-tool', Boolean(tool));
}
