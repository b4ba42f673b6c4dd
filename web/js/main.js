// @ts-check
// kheo's planner's map. The page is built by page/boot.js from modules of one concern each
// (see docs/ARCHITECTURE.md), around one state store (state.js). This entry point only
// starts it and shows why it could not start: on a server closed to visitors, the sign-in.
//
// For tests: `<html data-ready="1">` once the map has been idle for the first time with every
// layer added and the panel drawn, and `data-as-of` the as_of of the numbers shown (after each
// date change is fully drawn); `window.kheo` is the test hook (testhook.js).

import { errorMessage, errorStatus } from './api.js';
import { enableAuth, onSession } from './auth.js';
import { required } from './dom.js';
import { t } from './i18n.js';
import { boot } from './page/boot.js';
import { showError } from './page/errors.js';

boot().catch(async (error) => {
  if (errorStatus(error) === 401) {
    // This server serves signed-in users only (KHEO_ANONYMOUS_READ=false): offer the
    // sign-in dialog in the message box, and start again once signed in.
    showError(t('auth.required'));
    onSession(({ user }) => { if (user) location.reload(); });
    await enableAuth(required('.error', HTMLElement)).catch((e) => console.warn('auth:', errorMessage(e)));
    return;
  }
  console.error(error);
  showError(errorMessage(error));
});
