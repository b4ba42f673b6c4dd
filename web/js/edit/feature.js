// @ts-check
// The feature in the form: open a stored one (its vertices ready to move in terra-draw), start
// a new one from a finished drawing, close the form. Sets the store's `edit.current`.

import { errorMessage } from '../api.js';
import { WORKS } from '../edit-form.js';
import { t } from '../i18n.js';
import { getState, update } from '../state.js';
import { clearDraw, DRAW_MODE, drawnGeometry, selectDrawn, showOnDraw } from './draw.js';
import { getFeature } from './requests.js';
import { loadHistory, renderForm } from './form.js';

/**
 * @import { Properties, FeatureId } from '../types.js'
 * @import { EditContext } from './context.js'
 */

/**
 * Opens the form on a stored feature, with its vertices selected for editing.
 * @param {EditContext} ctx
 * @param {string} layerId
 * @param {FeatureId} id
 * @param {{ message?: string | null }} [options] `message`: the form's status line
 */
export async function openFeature(ctx, layerId, id, { message = null } = {}) {
  if (!ctx.layers.has(layerId)) return;
  let feature;
  try {
    feature = await getFeature(layerId, id);
  } catch (error) {
    ctx.toolbar.say(t('edit.load_failed', { error: errorMessage(error) }));
    return;
  }
  // The split's part buttons stay while the form shows one of the parts.
  const { parts } = getState().edit;
  if (parts && !(parts.layer === layerId && parts.ids.includes(id))) update('edit', { parts: null });
  const drawId = await showOnDraw(ctx, feature.geometry);
  update('edit', { current: { layer: layerId, id, feature, drawId, isNew: false, original: feature.geometry } });
  renderForm(ctx, { message });
  loadHistory(ctx);
}

/**
 * A drawing is finished: it becomes a new feature of the tool's layer in the form.
 * @param {EditContext} ctx
 * @param {string | number} drawId
 * @param {{ action: string }} context what terra-draw finished (a drawing, or an edit)
 */
export function startNewFeature(ctx, drawId, context) {
  const { tool } = getState().edit;
  if (context?.action !== 'draw' || !tool || !(tool.kind in DRAW_MODE) || !('layer' in tool)) return;
  const layerId = tool.layer;
  const layer = ctx.layers.get(layerId);
  const geometry = drawnGeometry(drawId);
  if (!layer || !geometry) return;
  // Defaults of a new work: an existing work (what planners record most; only existing
  // works count in the coverage), in the commune shown.
  /** @type {Properties} */
  const properties = { commune: ctx.page.commune.code };
  if (WORKS.has(layerId) && layer.fields.some((f) => f.name === 'status')) properties.status = 'existing';
  update('edit', {
    parts: null,
    current: { layer: layerId, id: null, feature: { type: 'Feature', geometry, properties }, drawId, isNew: true, original: null },
  });
  // After terra-draw has finished handling its event: leave the drawing tool (the drawing
  // stays, as edit.current holds it) and keep it selected, so that its vertices can still be
  // moved before saving.
  setTimeout(() => {
    if (getState().edit.current?.drawId !== drawId) return;
    ctx.commands.setTool(null);
    selectDrawn(drawId);
    renderForm(ctx, {});
  }, 0);
}

/**
 * Closes the form: leaves the tool, drops the drawing, empties the panel.
 * @param {EditContext} ctx
 */
export function closeEditor(ctx) {
  if (getState().edit.tool) ctx.commands.setTool(null);
  clearDraw();
  update('edit', { current: null });
  ctx.panel.hidden = true;
  ctx.panel.replaceChildren();
}
