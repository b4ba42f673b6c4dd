// @ts-check
// Editing in the page, for a signed-in editor of the commune shown (or an admin).
//
// A toolbar on the map (toolbar.js): draw a line, a point or a polygon; pick a feature to
// change its attributes and move its vertices; split the selected road at a clicked point
// into two roads; delete with a confirmation; undo the last change. The form (form.js, its
// fields from edit-form.js) covers the panel while a feature is edited and shows its history.
// Drawing and vertex editing use terra-draw (draw.js, snapping to roads in snap.js).
//
// Every change goes through the API (requests.js: auth.js's csrfFetch, If-Match with the
// feature's ETag), then `refresh()` reloads the works layers, the choropleth and the numbers
// the way the time slider does; undo.js keeps the inverse of each change.
//
// This module builds the editor's context (context.js) and wires its commands; the state is
// in the store (state.js, topic `edit`). For tests: <html data-edit-busy="1"> while a write
// and its refresh run ("0" after); the test hook (testhook.js) shows the store's `edit`.

import { el } from '../dashboard.js';
import { required } from '../dom.js';
import { formatLength } from '../format.js';
import { geodesicLength } from '../geodesy.js';
import { t } from '../i18n.js';
import { getState } from '../state.js';
import { closeEditor, openFeature, startNewFeature } from './feature.js';
import { enableDelete } from './delete.js';
import { currentDraw, drawnGeometry, finishDrawing } from './draw.js';
import { renderGeometryNote } from './form.js';
import { save } from './save.js';
import { enableEditSession } from './session.js';
import { splitAt } from './split.js';
import { createToolbar } from './toolbar.js';
import { enableToolInput, setTool, toggleTool } from './tools.js';
import { undoLast } from './undo.js';

/**
 * @import { Popup } from 'maplibre-gl'
 * @import { TerraDraw } from 'terra-draw'
 * @import { Page } from '../types.js'
 * @import { EditCommands, EditContext } from './context.js'
 * @import { Toolbar } from './toolbar.js'
 */

/**
 * What the page keeps of the editor: close it, and the terra-draw instance for the test hook.
 * @typedef {{ close: () => void, draw: () => TerraDraw | null }} Editor
 */

/**
 * Sets up editing (the toolbar shows once an editor signs in).
 * @param {Page} page
 * @param {{ popup: Popup | null, refresh: () => Promise<void> }} options `refresh` reloads
 *   what the time slider reloads, after each change
 * @returns {Editor}
 */
export function enableEditing(page, { popup, refresh }) {
  document.documentElement.dataset.editBusy = '0';
  /** @type {EditCommands} */
  const commands = {
    open: (layer, id, options) => openFeature(ctx, layer, id, options),
    close: () => closeEditor(ctx),
    setTool: (tool) => setTool(ctx, tool),
    save: () => save(ctx),
    drawn: (drawId, context) => startNewFeature(ctx, drawId, context),
    reshaped: (drawIds) => {
      const drawId = getState().edit.current?.drawId ?? null;
      if (drawId !== null && drawIds.includes(drawId)) renderGeometryNote();
      else if (getState().edit.tool?.kind === 'line') showDrawnLength(toolbar, drawIds);
    },
  };
  const layers = new Map(page.catalogue.map((layer) => [layer.id, layer]));
  const toolbar = createToolbar(layers, {
    toggle: (tool) => toggleTool(ctx, tool),
    setTool: (tool) => setTool(ctx, tool),
    finish: () => finishDrawing(page.map),
    remove: () => confirmDelete(),
    undo: () => undoLast(ctx),
  });
  required('.map-area', HTMLElement).append(toolbar.root);
  const panel = el('section', { class: 'edit-panel', hidden: true, 'aria-labelledby': 'edit-title', tabindex: '-1' });
  required('.panel', HTMLElement).append(panel);
  /** @type {EditContext} */
  const ctx = { page, layers, popup, refresh, toolbar, panel, commands };
  const confirmDelete = enableDelete(ctx);
  enableEditSession(ctx, required('.panel-tools', HTMLElement));
  enableToolInput(ctx, { splitAt: (point) => splitAt(ctx, point) });
  return { close: commands.close, draw: currentDraw };
}

/**
 * The running length of the line being drawn (up to the pointer), geodesic, in the toolbar.
 * @param {Toolbar} toolbar
 * @param {(string | number)[]} drawIds what terra-draw changed
 */
function showDrawnLength(toolbar, drawIds) {
  const line = drawIds.map(drawnGeometry).find((g) => g?.type === 'LineString');
  if (line) toolbar.measure(t('edit.length', { length: formatLength(geodesicLength(line)) }));
}
