// @ts-check
// Who may edit: the account bar (auth.js) at the top of the panel, and the toolbar for a
// signed-in editor of the commune shown (or an admin). Signing out closes the editor and
// forgets its undo stack; the slides (presentation mode) close it too, as they hide the
// toolbar and the panel.

import { errorMessage } from '../api.js';
import { canEdit, enableAuth, onSession } from '../auth.js';
import { getState, subscribe, update } from '../state.js';

/** @import { EditContext } from './context.js' */

/**
 * @param {EditContext} ctx
 * @param {HTMLElement} accountBox where the account bar goes
 */
export function enableEditSession(ctx, accountBox) {
  enableAuth(accountBox).catch((error) => console.warn('auth:', errorMessage(error)));
  onSession(() => {
    const allowed = canEdit(ctx.page.commune.code);
    if (allowed === getState().edit.allowed) return;
    update('edit', { allowed });
    ctx.toolbar.root.hidden = !allowed;
    if (!allowed) {
      ctx.commands.close();
      update('edit', { undo: [], parts: null });
    }
  });
  subscribe('presentation', ({ active }) => {
    const { tool, current } = getState().edit;
    if (active && (tool || current)) ctx.commands.close();
  });
}
