// @ts-check
// The undo stack (the store's `edit.undo`, the last 50 changes): each change keeps the inverse
// of its writes. A create is undone by a DELETE, an update by a PATCH back to the previous
// values, a delete by a POST of the feature again (it comes back under a new id, which the
// older entries then follow), a split by both of its inverses.

import { errorMessage } from '../api.js';
import { t } from '../i18n.js';
import { getState, update } from '../state.js';
import { busy, createFeature, deleteFeature, layerProperties, patchFeature } from './requests.js';
import { writeErrorText } from './form.js';

/**
 * @import { UndoEntry, UndoOp } from '../state.js'
 * @import { FeatureId } from '../types.js'
 * @import { EditContext } from './context.js'
 */

/** How many changes the stack keeps. */
const DEPTH = 50;

/**
 * Keeps a change on the stack.
 * @param {string} label what the change did, for the undo button's tooltip
 * @param {UndoOp[]} ops its writes, in order
 * @param {{ layer: string, id: FeatureId } | null} focus the feature to open once undone
 */
export function pushUndo(label, ops, focus) {
  update('edit', { undo: [...getState().edit.undo, { label, ops, focus }].slice(-DEPTH) });
}

/**
 * Undoes the last change, then opens the feature it concerned (if it still exists).
 * @param {EditContext} ctx
 */
export async function undoLast(ctx) {
  const { undo } = getState().edit;
  const entry = undo[undo.length - 1];
  if (!entry) return;
  update('edit', { undo: undo.slice(0, -1) });
  try {
    await busy(async () => {
      const focus = await undoWrites(ctx, entry);
      ctx.commands.close();
      ctx.toolbar.say(t('edit.undone', { what: entry.label }));
      await ctx.refresh();
      if (focus) await ctx.commands.open(focus.layer, focus.id, { message: t('edit.undone', { what: entry.label }) });
    });
  } catch (error) {
    console.warn('undo:', errorMessage(error));
    ctx.toolbar.say(writeErrorText(error));
  }
}

/**
 * The inverse writes of `entry`, last first. Resolves with the feature to open afterwards.
 * @param {EditContext} ctx
 * @param {UndoEntry} entry
 * @returns {Promise<{ layer: string, id: FeatureId } | null>}
 */
async function undoWrites(ctx, entry) {
  let focus = entry.focus;
  for (const op of [...entry.ops].reverse()) {
    if (op.op === 'create') {
      await deleteFeature(op.layer, op.id);
      if (getState().edit.parts?.ids.includes(op.id)) update('edit', { parts: null });
    } else if (op.op === 'update') {
      await patchFeature(op.layer, op.id, op.before);
    } else if (op.op === 'delete') {
      const layer = ctx.layers.get(op.layer);
      if (!layer) continue;
      const id = await createFeature(op.layer, op.feature.geometry, layerProperties(layer, op.feature.properties, ctx.page.commune.code));
      remap(op.layer, op.id, id);
      focus = { layer: op.layer, id };
    }
  }
  return focus;
}

/**
 * After an undone delete the feature lives under a new id: the older entries and the split's
 * parts follow it.
 * @param {string} layer
 * @param {FeatureId} from
 * @param {FeatureId} to
 */
function remap(layer, from, to) {
  /** @param {FeatureId} id */
  const follow = (id) => (id === from ? to : id);
  const { undo, parts } = getState().edit;
  update('edit', {
    undo: undo.map((entry) => ({
      label: entry.label,
      ops: entry.ops.map((op) => (op.layer === layer ? { ...op, id: follow(op.id) } : op)),
      focus: entry.focus?.layer === layer ? { layer, id: follow(entry.focus.id) } : entry.focus,
    })),
    parts: parts?.layer === layer ? { layer, ids: parts.ids.map(follow) } : parts,
  });
}
