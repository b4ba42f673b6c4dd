// @ts-check
// Deleting the feature in the form, after a confirmation in a dialog (a native <dialog>:
// focus stays inside, Escape cancels). The deleted feature is kept on the undo stack.

import { el } from '../dashboard.js';
import { errorMessage } from '../api.js';
import { t, title } from '../i18n.js';
import { getState, update } from '../state.js';
import { busy, deleteFeature } from './requests.js';
import { showWriteError } from './form.js';
import { pushUndo } from './undo.js';

/**
 * @import { EditedFeature } from '../state.js'
 * @import { FeatureId } from '../types.js'
 * @import { EditContext } from './context.js'
 */

/**
 * Builds the confirmation dialog; returns what the toolbar's delete button does.
 * @param {EditContext} ctx
 * @returns {() => void}
 */
export function enableDelete(ctx) {
  const text = el('p', { id: 'edit-confirm-text' });
  const dialog = el('dialog', { class: 'kheo-dialog edit-confirm', 'aria-labelledby': 'edit-confirm-title', 'aria-describedby': 'edit-confirm-text' },
    el('form', { method: 'dialog' },
      el('h2', { id: 'edit-confirm-title' }, t('edit.delete_title')),
      text,
      el('div', { class: 'auth-buttons' },
        el('button', { type: 'submit', value: 'cancel', class: 'act edit-confirm-cancel', autofocus: true }, t('edit.cancel')),
        el('button', { type: 'submit', value: 'delete', class: 'act act-danger edit-confirm-delete' }, t('edit.delete')))));
  document.body.append(dialog);

  return function confirmDelete() {
    const c = getState().edit.current;
    const id = c?.id ?? null;
    if (!c || c.isNew || id === null) return;
    text.textContent = t('edit.delete_confirm', { name: String(c.feature.properties?.name || t('popup.unnamed')), layer: title(ctx.layers.get(c.layer)?.title) });
    dialog.returnValue = '';
    dialog.showModal();
    dialog.addEventListener('close', async () => {
      // Only "Xóa" deletes, and only the feature the dialog named.
      if (dialog.returnValue !== 'delete' || getState().edit.current !== c) return;
      try {
        await busy(() => remove(ctx, c, id));
        ctx.toolbar.buttons.undo.focus();
      } catch (error) {
        console.warn('delete:', errorMessage(error));
        showWriteError(ctx, error);
      }
    }, { once: true });
  };
}

/**
 * The DELETE, kept on the undo stack with the whole feature (an undo POSTs it again).
 * @param {EditContext} ctx
 * @param {EditedFeature} c
 * @param {FeatureId} id
 */
async function remove(ctx, c, id) {
  await deleteFeature(c.layer, id);
  pushUndo(t('edit.did_delete', { name: String(c.feature.properties?.name ?? id) }), [{ op: 'delete', layer: c.layer, id, feature: c.feature }], null);
  if (getState().edit.parts?.ids.includes(id)) update('edit', { parts: null });
  ctx.commands.close();
  ctx.toolbar.say(t('edit.deleted'));
  await ctx.refresh();
}
