// @ts-check
// The page's error box: what went wrong, and a button that loads the page again.

import { required } from '../dom.js';

/**
 * Hides the loading status and shows `message` in the error box.
 * @param {string} message
 */
export function showError(message) {
  required('.status', HTMLElement).hidden = true;
  required('.error', HTMLElement).hidden = false;
  required('.error-detail', HTMLElement).textContent = message;
  required('.error-retry', HTMLButtonElement).onclick = () => location.reload();
}
