// @ts-check
// The editing tools: taking and leaving one (the store's `edit.tool`), the hint each shows,
// and the input they listen to: map clicks of the pick and split tools (terra-draw handles
// the drawing tools' clicks), Escape to leave a tool, Enter to finish a drawing.

import { t, title } from '../i18n.js';
import { styleLayerIds } from '../layers.js';
import { getState, update } from '../state.js';
import { DRAW_MODE, finishDrawing, startDrawing, stopDrawing } from './draw.js';

/**
 * @import { Point } from 'maplibre-gl'
 * @import { Tool } from '../state.js'
 * @import { EditContext } from './context.js'
 */

/** Which layers the "Sửa" tool picks from, most specific first. */
const PICK_ORDER = ['model_sites', 'lighting_lines', 'flower_routes', 'roads', 'groups'];

/** How far around a click the pick tool looks, in CSS pixels. */
const PICK_PX = 6;

/**
 * Whether `tool` draws a new feature (terra-draw takes the map's clicks).
 * @param {Tool | null} tool
 * @returns {tool is Tool & { kind: keyof typeof DRAW_MODE, layer: string }}
 */
export const isDrawingTool = (tool) => tool !== null && tool.kind in DRAW_MODE;

/**
 * Takes `tool` (null: leaves the current one).
 * @param {EditContext} ctx
 * @param {Tool | null} tool
 */
export async function setTool(ctx, tool) {
  if (isDrawingTool(tool)) {
    // A new drawing replaces whatever was being edited.
    if (getState().edit.current) ctx.commands.close();
    await startDrawing(ctx, tool.kind);
  } else if (isDrawingTool(getState().edit.tool)) {
    // Leaving a drawing tool without finishing: drop the unfinished drawing (a finished one
    // is the feature in the form, and stays).
    stopDrawing({ keep: getState().edit.current !== null });
  }
  update('edit', { tool });
  ctx.toolbar.say(hintOf(ctx, tool));
  ctx.toolbar.finishButton.hidden = !(tool?.kind === 'line' || tool?.kind === 'polygon');
  ctx.toolbar.cancelButton.hidden = !tool;
  if (ctx.popup && tool) ctx.popup.remove();
  ctx.page.map.getCanvas().style.cursor = tool ? 'crosshair' : '';
}

/**
 * A tool's button: takes the tool, or leaves it if it is the active one (for a line, into the
 * same layer).
 * @param {EditContext} ctx
 * @param {Tool} tool
 */
export function toggleTool(ctx, tool) {
  const active = getState().edit.tool;
  const same = active !== null && active.kind === tool.kind && (tool.kind !== 'line' || ('layer' in active && active.layer === tool.layer));
  setTool(ctx, same ? null : tool);
}

/**
 * What the tool expects, for the hint line.
 * @param {EditContext} ctx
 * @param {Tool | null} tool
 */
function hintOf(ctx, tool) {
  switch (tool?.kind) {
    case 'line':
    case 'polygon':
      return t(tool.kind === 'line' ? 'edit.hint_line' : 'edit.hint_polygon', { layer: title(ctx.layers.get(tool.layer)?.title) });
    case 'point':
      return t('edit.hint_point');
    case 'pick':
      return t('edit.hint_pick');
    case 'split':
      return t('edit.hint_split');
    default:
      return '';
  }
}

/**
 * The pick tool's click: opens the most specific feature under it.
 * @param {EditContext} ctx
 * @param {Point} point
 */
export function pickAt(ctx, point) {
  const { map } = ctx.page;
  const styleIds = PICK_ORDER.flatMap((id) => (id === 'groups' ? ['groups-fill'] : styleLayerIds(id)))
    .filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  const found = map.queryRenderedFeatures([[point.x - PICK_PX, point.y - PICK_PX], [point.x + PICK_PX, point.y + PICK_PX]], { layers: styleIds });
  /** @param {{ source: string }} feature */
  const rank = (feature) => PICK_ORDER.indexOf(feature.source);
  found.sort((a, b) => rank(a) - rank(b));
  const hit = found.find((f) => f.id !== undefined && f.id !== null);
  if (!hit || hit.id === undefined) {
    ctx.toolbar.say(t('edit.hint_pick_none'));
    return;
  }
  setTool(ctx, null);
  ctx.commands.open(hit.source, hit.id);
}

/**
 * Listens to the map's clicks and the keyboard for the tools.
 * @param {EditContext} ctx
 * @param {{ splitAt: (point: Point) => void }} actions
 */
export function enableToolInput(ctx, { splitAt }) {
  const { map } = ctx.page;
  map.on('click', (event) => {
    const { allowed, tool, current } = getState().edit;
    if (!allowed) return;
    // The popup (popup.js) answers every click; while editing the click belongs to the editor.
    if (ctx.popup && (tool || current)) ctx.popup.remove();
    if (tool?.kind === 'pick') pickAt(ctx, event.point);
    else if (tool?.kind === 'split') splitAt(event.point);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !getState().edit.tool || document.querySelector('dialog[open]')) return;
    // terra-draw drops the unfinished drawing on Escape itself; the page leaves the tool.
    setTool(ctx, null);
  });
  // terra-draw listens for Enter on the map's canvas only, which a click does not always
  // focus: Enter anywhere but in a control finishes the line or polygon being drawn.
  document.addEventListener('keyup', (event) => {
    const { tool } = getState().edit;
    if (event.key !== 'Enter' || !(tool?.kind === 'line' || tool?.kind === 'polygon')) return;
    const target = /** @type {Element | null} */ (event.target);
    if (target === map.getCanvas() || target?.closest?.('button, input, select, textarea, a, dialog')) return;
    finishDrawing(map);
  });
}
