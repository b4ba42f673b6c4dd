// @ts-check
// Signing in and out, and the writes' fetch.
//
// The session lives in an HttpOnly cookie the page never sees; what the page keeps is the
// answer of /api/session: who is signed in and the CSRF token that every write must carry
// in `X-CSRF-Token` (README, "Accounts and editing"). The account bar sits at the top
// of the panel: "Đăng nhập" opens a small dialog (username, password, the error), and once
// signed in it shows who and "Đăng xuất".
//
// Exports: `session()` (the current `{user, csrf_token}`), `onSession(fn)` (called on every
// change), `csrfFetch(path, {method, body, etag})` for writes, and `enableAuth(container)`.

import { errorMessage, errorStatus } from './api.js';
import { el } from './dashboard.js';
import { t } from './i18n.js';

/** @import { ErrorBody, Session } from './types.js' */

/** @type {Session} */
let current = { user: null, csrf_token: null };
/** @type {Set<(session: Session) => void>} */
const listeners = new Set();

/** The current session: who is signed in, and the CSRF token. */
export const session = () => current;

/**
 * Calls `fn(session)` now and after every sign in or out. Returns a function that stops it.
 * @param {(session: Session) => void} fn
 */
export function onSession(fn) {
  listeners.add(fn);
  fn(current);
  return () => listeners.delete(fn);
}

/** @param {Partial<Session> | null} body the API's answer (null: signed out) */
function setSession(body) {
  current = { user: body?.user ?? null, csrf_token: body?.user ? body.csrf_token ?? null : null };
  for (const fn of listeners) fn(current);
}

/**
 * Whether the signed-in user may write in `commune` (admins everywhere, editors in theirs).
 * @param {string} commune
 */
export function canEdit(commune) {
  const user = current.user;
  if (!user) return false;
  if (user.role === 'admin') return true;
  return user.role === 'editor' && (user.communes ?? []).includes(commune);
}

/** An error of a write: the HTTP status, the API's `error` text and its `detail`. */
export class WriteError extends Error {
  /**
   * @param {number} status
   * @param {ErrorBody | null} body
   * @param {Response} response
   */
  constructor(status, body, response) {
    super(body?.error || `HTTP ${status}`);
    this.status = status;
    this.detail = body?.detail ?? null;
    this.response = response;
  }
}

/**
 * A write to the API: JSON body, the session's CSRF token, `If-Match` when `etag` is given.
 * Resolves with `{status, body, etag, response}` for a 2xx answer, else throws a WriteError.
 * A 401 means the session has ended (expired, signed out elsewhere): the page forgets it.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, etag?: string | null, headers?: Record<string, string> }} [options]
 * @returns {Promise<{ status: number, body: unknown, etag: string | null, response: Response }>}
 */
export async function csrfFetch(path, { method = 'POST', body, etag = null, headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: 'application/json', ...headers };
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: sent };
  if (current.csrf_token) sent['X-CSRF-Token'] = current.csrf_token;
  if (etag) sent['If-Match'] = etag;
  if (body !== undefined) {
    sent['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(new URL(path, location.origin), init);
  /** @type {unknown} */
  let data = null;
  if (response.status !== 204) {
    const text = await response.text();
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { error: text };
    }
  }
  if (!response.ok) {
    if (response.status === 401 && current.user) setSession(null);
    throw new WriteError(response.status, /** @type {ErrorBody | null} */ (data), response);
  }
  return { status: response.status, body: data, etag: response.headers.get('ETag'), response };
}

/**
 * Reads the session from the server (the cookie decides).
 * @returns {Promise<Session>}
 */
export async function loadSession() {
  const response = await fetch(new URL('/api/session', location.origin), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`/api/session: HTTP ${response.status}`);
  setSession(await response.json());
  return current;
}

/**
 * @param {string} username
 * @param {string} password
 */
async function signIn(username, password) {
  const { body } = await csrfFetch('/api/session', { method: 'POST', body: { username, password } });
  setSession(/** @type {Session} */ (body));
}

async function signOut() {
  try {
    await csrfFetch('/api/session', { method: 'DELETE' });
  } finally {
    setSession(null);
  }
}

/** The strings naming each role. @type {Record<string, string>} */
const ROLE_KEYS = { admin: 'auth.role_admin', editor: 'auth.role_editor' };

/**
 * The account bar in `container` and the sign-in dialog. Loads the session; resolves once
 * it is known (a failure leaves the page as a viewer's).
 * @param {HTMLElement} container
 * @returns {Promise<Session>}
 */
export async function enableAuth(container) {
  const bar = el('div', { class: 'account', role: 'group', 'aria-label': t('auth.account') });
  container.prepend(bar);

  // The dialog: a native <dialog> (focus stays inside, Esc closes, focus returns).
  const errorBox = el('p', { class: 'auth-error', role: 'alert', id: 'auth-error', hidden: true });
  const username = el('input', { id: 'auth-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = el('input', { id: 'auth-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = el('button', { type: 'submit', class: 'act act-primary auth-submit' }, t('auth.sign_in'));
  const cancel = el('button', { type: 'button', class: 'act auth-cancel' }, t('edit.cancel'));
  const form = el('form', { class: 'auth-form', method: 'dialog', novalidate: true },
    el('h2', { id: 'auth-title' }, t('auth.title')),
    el('label', { for: 'auth-username' }, t('auth.username')), username,
    el('label', { for: 'auth-password' }, t('auth.password')), password,
    errorBox,
    el('div', { class: 'auth-buttons' }, cancel, submit));
  const dialog = el('dialog', { class: 'kheo-dialog auth-dialog', 'aria-labelledby': 'auth-title' }, form);
  document.body.append(dialog);

  /** @param {string} text */
  const showError = (text) => {
    errorBox.textContent = text;
    errorBox.hidden = !text;
    for (const input of [username, password]) {
      if (text) input.setAttribute('aria-describedby', 'auth-error');
      else input.removeAttribute('aria-describedby');
    }
  };
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      showError(t('auth.missing'));
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    showError('');
    try {
      await signIn(username.value.trim(), password.value);
      password.value = '';
      dialog.close();
    } catch (error) {
      const status = errorStatus(error);
      if (status === 401) showError(t('auth.wrong'));
      else if (status === 429) {
        const seconds = Number(error instanceof WriteError ? error.response.headers.get('Retry-After') : null);
        const minutes = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds / 60) : 15;
        showError(t('auth.too_many', { minutes }));
      } else showError(t('auth.failed', { error: errorMessage(error) }));
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  /** @param {Session} session */
  function render({ user }) {
    if (!user) {
      bar.replaceChildren(el('button', {
        type: 'button',
        class: 'act sign-in',
        onclick: () => {
          showError('');
          dialog.showModal();
          username.focus();
        },
      }, t('auth.sign_in')));
      return;
    }
    const role = ROLE_KEYS[user.role] ? t(ROLE_KEYS[user.role]) : user.role;
    bar.replaceChildren(
      el('span', { class: 'account-who' },
        el('span', { class: 'account-name' }, user.display_name || user.username),
        el('span', { class: 'account-role' }, role)),
      el('button', {
        type: 'button',
        class: 'act sign-out',
        onclick: async () => {
          await signOut().catch((error) => console.warn('sign out:', errorMessage(error)));
          const signInButton = bar.querySelector('.sign-in');
          if (signInButton instanceof HTMLElement) signInButton.focus();
        },
      }, t('auth.sign_out')));
  }
  onSession(render);
  try {
    await loadSession();
  } catch (error) {
    // An older server without accounts: the page stays read-only.
    console.warn('session:', errorMessage(error));
  }
  return current;
}
