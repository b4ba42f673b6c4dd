// @ts-check
// Photos of works (the API's /api/layers/{layer}/features/{id}/photos and /api/photos):
// - a work's photos in its popup: the thumbnails, a click opening the photo in a lightbox
//   with its caption and date (dd/mm/yyyy); for the editors of its commune, an upload (a
//   phone offers its camera or its gallery), a "keep GPS position" box (off: the server
//   removes the position), a caption, the progress, the server's refusal in words; a
//   caption changed afterwards; and a delete, after a confirmation;
// - a gallery of photos with the name of the work each shows (the model sites' photos in a
//   group's page and on a slide).
// Everything is built with DOM calls, images from the same origin: the page's Content
// Security Policy allows no inline styles or scripts.

import { csrfFetch, canEdit, session } from './auth.js';
import { formatDateTimeVn, formatDmy } from './dates.js';
import { el } from './element.js';
import { t } from './i18n.js';

/**
 * A photo as the API lists it.
 * @typedef {object} Photo
 * @property {number} id
 * @property {string} layer
 * @property {number} feature_id
 * @property {string} commune
 * @property {number} width
 * @property {number} height
 * @property {number} thumb_width
 * @property {number} thumb_height
 * @property {string | null} caption
 * @property {string | null} taken_on
 * @property {string} created_at
 * @property {string} created_by_name
 * @property {string} url
 * @property {string} thumb_url
 * @property {string | null} [feature_name] in a commune's list
 */

/** What the upload accepts (the server recognises the bytes; this only filters the picker). */
export const ACCEPTED = 'image/jpeg,image/png,image/webp';

/**
 * GETs a JSON list of photos.
 * @param {string} path
 * @returns {Promise<Photo[]>}
 */
async function getPhotos(path) {
  const response = await fetch(new URL(path, location.origin), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/**
 * The photos of one feature, oldest first.
 * @param {string} layer
 * @param {string | number} id
 */
export const featurePhotos = (layer, id) => getPhotos(`/api/layers/${encodeURIComponent(layer)}/features/${encodeURIComponent(String(id))}/photos`);

/**
 * The photos of a commune's features of one layer, by feature.
 * @param {string} commune
 * @param {string} layer
 */
export const communePhotos = (commune, layer) => getPhotos(`/api/photos?${new URLSearchParams({ commune, layer })}`);

/**
 * The day a photo shows, dd/mm/yyyy: the day it was taken (EXIF), else the day it was
 * uploaded in Vietnam's time.
 * @param {Photo} photo
 */
export const photoDate = (photo) => (photo.taken_on ? formatDmy(photo.taken_on) : formatDateTimeVn(new Date(photo.created_at)).slice(0, 10));

// ---- the lightbox -----------------------------------------------------------------------

/** @type {HTMLDialogElement | null} */
let lightbox = null;

/**
 * The one lightbox of the page (a native dialog: Escape closes it, focus stays inside).
 * @returns {HTMLDialogElement}
 */
function lightboxDialog() {
  if (lightbox) return lightbox;
  const dialog = el('dialog', { class: 'kheo-dialog photo-lightbox', 'aria-label': t('photos.viewer') },
    el('figure', {},
      el('img', { class: 'photo-full', alt: '' }),
      el('figcaption', {},
        el('span', { class: 'photo-caption' }),
        el('span', { class: 'photo-date' }),
        el('span', { class: 'photo-work' }))),
    el('div', { class: 'photo-lightbox-nav' },
      el('button', { type: 'button', class: 'act photo-prev', 'aria-label': t('photos.prev') }, '‹'),
      el('span', { class: 'photo-counter' }),
      el('button', { type: 'button', class: 'act photo-next', 'aria-label': t('photos.next') }, '›'),
      el('button', { type: 'button', class: 'act photo-close' }, t('photos.close'))));
  dialog.addEventListener('click', (event) => {
    // A click on the backdrop (the dialog itself, outside its content) closes it.
    if (event.target === dialog) dialog.close();
  });
  dialog.querySelector('.photo-close')?.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  lightbox = dialog;
  return dialog;
}

/**
 * Opens `photos[index]` in the lightbox, with the way to the others.
 * @param {Photo[]} photos
 * @param {number} index
 */
export function openLightbox(photos, index) {
  const dialog = lightboxDialog();
  let at = index;
  const show = () => {
    const photo = photos[at];
    const img = /** @type {HTMLImageElement} */ (dialog.querySelector('.photo-full'));
    img.src = photo.url;
    img.alt = photo.caption ?? photo.feature_name ?? t('photos.photo');
    img.width = photo.width;
    img.height = photo.height;
    /** @param {string} selector @param {string} text */
    const put = (selector, text) => {
      const node = dialog.querySelector(selector);
      if (node) {
        node.textContent = text;
        /** @type {HTMLElement} */ (node).hidden = !text;
      }
    };
    put('.photo-caption', photo.caption ?? '');
    put('.photo-date', photoDate(photo));
    put('.photo-work', photo.feature_name ?? '');
    put('.photo-counter', photos.length > 1 ? `${at + 1} / ${photos.length}` : '');
    const prev = /** @type {HTMLButtonElement} */ (dialog.querySelector('.photo-prev'));
    const next = /** @type {HTMLButtonElement} */ (dialog.querySelector('.photo-next'));
    prev.hidden = next.hidden = photos.length < 2;
    prev.disabled = at === 0;
    next.disabled = at === photos.length - 1;
  };
  const prev = /** @type {HTMLButtonElement} */ (dialog.querySelector('.photo-prev'));
  const next = /** @type {HTMLButtonElement} */ (dialog.querySelector('.photo-next'));
  prev.onclick = () => { if (at > 0) { at -= 1; show(); } };
  next.onclick = () => { if (at < photos.length - 1) { at += 1; show(); } };
  dialog.onkeydown = (event) => {
    if (event.key === 'ArrowLeft') prev.click();
    if (event.key === 'ArrowRight') next.click();
    // The slides' keys are not the lightbox's.
    event.stopPropagation();
  };
  show();
  if (!dialog.open) dialog.showModal();
  /** @type {HTMLElement} */ (dialog.querySelector('.photo-close')).focus();
}

// ---- thumbnails -----------------------------------------------------------------------

/**
 * A thumbnail that opens the lightbox at its photo.
 * @param {Photo[]} photos
 * @param {number} index
 * @param {{ withName?: boolean, full?: boolean }} [options] the work's name under it; the
 *   photo itself instead of its thumbnail (a slide's large pictures)
 */
function thumbnail(photos, index, { withName = false, full = false } = {}) {
  const photo = photos[index];
  const label = [photo.caption, photo.feature_name, photoDate(photo)].filter(Boolean).join(' · ');
  const img = el('img', { src: full ? photo.url : photo.thumb_url, alt: photo.caption ?? photo.feature_name ?? t('photos.photo'), loading: full ? 'eager' : 'lazy', decoding: 'async' });
  img.width = full ? photo.width : photo.thumb_width;
  img.height = full ? photo.height : photo.thumb_height;
  return el('button', { type: 'button', class: 'photo-thumb', title: label, dataset: { photo: String(photo.id) }, 'aria-label': t('photos.open', { what: label || t('photos.photo') }), onclick: () => openLightbox(photos, index) },
    img,
    withName && photo.feature_name ? el('span', { class: 'photo-thumb-name' }, photo.feature_name) : null);
}

/**
 * A gallery of photos of several works, each with the work's name.
 * @param {Photo[]} photos
 * @param {{ full?: boolean }} [options] the photos themselves, not their thumbnails
 */
export function gallery(photos, { full = false } = {}) {
  return el('ul', { class: 'photo-gallery' }, photos.map((_, i) => el('li', {}, thumbnail(photos, i, { withName: true, full }))));
}

// ---- a work's photos, with the editor's controls ----------------------------------------

/**
 * The API's refusal in the planner's words, with the server's own message.
 * @param {number} status
 * @param {string} message
 */
function refusal(status, message) {
  const why = status === 413 ? t('photos.too_large')
    : status === 415 ? t('photos.not_image')
      : status === 422 ? t('photos.unreadable')
        : status === 403 || status === 401 ? t('photos.not_allowed')
          : status === 503 ? t('photos.busy')
            : t('photos.failed', { status });
  return message ? `${why} (${message})` : why;
}

/**
 * Sends a photo with its caption and the GPS choice (multipart), reporting the upload's
 * progress (a fetch cannot). Resolves with the API's answer; rejects with the refusal in words.
 * @param {string} layer
 * @param {string | number} id
 * @param {{ file: File, caption: string, keepGps: boolean }} form
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<Photo & { gps: string }>}
 */
function upload(layer, id, { file, caption, keepGps }, onProgress) {
  const body = new FormData();
  body.append('file', file);
  if (caption.trim()) body.append('caption', caption.trim());
  body.append('keep_gps', keepGps ? 'true' : 'false');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/layers/${encodeURIComponent(layer)}/features/${encodeURIComponent(String(id))}/photos`);
    xhr.setRequestHeader('Accept', 'application/json');
    const token = session().csrf_token;
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new Error(t('photos.network')));
    xhr.onload = () => {
      /** @type {any} */
      let answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch { /* not JSON */ }
      if (xhr.status === 201) resolve(answer);
      else reject(new Error(refusal(xhr.status, typeof answer?.error === 'string' ? answer.error : '')));
    };
    xhr.send(body);
  });
}

/** @type {HTMLDialogElement | null} */
let confirmDialog = null;

/**
 * Asks before deleting a photo (a native dialog); resolves with the answer.
 * @param {Photo} photo
 * @returns {Promise<boolean>}
 */
function confirmDelete(photo) {
  if (!confirmDialog) {
    confirmDialog = el('dialog', { class: 'kheo-dialog photo-confirm', 'aria-labelledby': 'photo-confirm-title' },
      el('form', { method: 'dialog' },
        el('h2', { id: 'photo-confirm-title' }, t('photos.delete_title')),
        el('p', { class: 'photo-confirm-text' }),
        el('div', { class: 'auth-buttons' },
          el('button', { type: 'submit', value: 'cancel', class: 'act', autofocus: true }, t('edit.cancel')),
          el('button', { type: 'submit', value: 'delete', class: 'act act-danger photo-confirm-delete' }, t('edit.delete')))));
    document.body.append(confirmDialog);
  }
  const dialog = confirmDialog;
  const text = dialog.querySelector('.photo-confirm-text');
  if (text) text.textContent = photo.caption ? t('photos.delete_named', { caption: photo.caption }) : t('photos.delete_confirm');
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true }));
}

/** @type {HTMLDialogElement | null} */
let captionDialog = null;

/**
 * Asks for a photo's new caption (a native dialog, the current one filled in); resolves
 * with the text (empty: remove the caption), or null when cancelled.
 * @param {Photo} photo
 * @returns {Promise<string | null>}
 */
function askCaption(photo) {
  if (!captionDialog) {
    captionDialog = el('dialog', { class: 'kheo-dialog photo-caption-dialog', 'aria-labelledby': 'photo-caption-title' },
      el('form', { method: 'dialog' },
        el('h2', { id: 'photo-caption-title' }, t('photos.edit_caption')),
        el('label', { for: 'photo-caption-text' }, t('photos.caption')),
        el('input', { type: 'text', id: 'photo-caption-text', class: 'photo-caption-text', maxlength: '500', autocomplete: 'off' }),
        el('div', { class: 'auth-buttons' },
          el('button', { type: 'submit', value: 'cancel', class: 'act', formnovalidate: true }, t('edit.cancel')),
          el('button', { type: 'submit', value: 'save', class: 'act act-primary photo-caption-save' }, t('edit.save')))));
    document.body.append(captionDialog);
  }
  const dialog = captionDialog;
  const input = /** @type {HTMLInputElement} */ (dialog.querySelector('.photo-caption-text'));
  input.value = photo.caption ?? '';
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  input.select();
  return new Promise((resolve) => dialog.addEventListener('close', () => {
    resolve(dialog.returnValue === 'save' ? input.value.trim() : null);
  }, { once: true }));
}

/**
 * The photos of a work, for its popup: the thumbnails (loaded), and for the editors of its
 * commune the upload form, and on each photo a button to change its caption and one to
 * delete it.
 * @param {{ layer: string, id: string | number, commune: string | null, onResize?: () => void }} work
 * @returns {HTMLElement}
 */
export function workPhotos({ layer, id, commune, onResize = () => {} }) {
  const editable = commune !== null && canEdit(commune);
  const count = el('span', { class: 'count' });
  const list = el('ul', { class: 'photo-thumbs', 'aria-busy': 'true' });
  const status = el('p', { class: 'photo-status hint' });
  const root = el('section', { class: 'work-photos', dataset: { layer, id: String(id) } },
    el('h3', { class: 'work-photos-title' }, t('photos.title'), ' ', count),
    list, status);
  // A viewer's section shows once there are photos.
  root.hidden = !editable;

  const load = () => featurePhotos(layer, id).then((photos) => {
    list.removeAttribute('aria-busy');
    count.textContent = photos.length ? `(${photos.length})` : '';
    list.replaceChildren(...photos.map((photo, i) => el('li', {},
      thumbnail(photos, i),
      editable ? el('button', {
        type: 'button', class: 'photo-edit', 'aria-label': t('photos.edit_one', { n: i + 1 }), title: t('photos.edit_caption'),
        onclick: async () => {
          const caption = await askCaption(photo);
          if (caption === null || caption === (photo.caption ?? '')) return;
          status.classList.remove('error-text');
          try {
            await csrfFetch(`/api/photos/${photo.id}`, { method: 'PATCH', body: { caption: caption || null } });
            // Said once the thumbnails show it.
            await load();
            status.textContent = t('photos.caption_saved');
          } catch (error) {
            status.classList.add('error-text');
            status.textContent = error instanceof Error ? error.message : String(error);
          }
        },
      }, '✎') : null,
      editable ? el('button', {
        type: 'button', class: 'photo-delete', 'aria-label': t('photos.delete_one', { n: i + 1 }), title: t('photos.delete'),
        onclick: async () => {
          if (!(await confirmDelete(photo))) return;
          try {
            await csrfFetch(`/api/photos/${photo.id}`, { method: 'DELETE' });
            status.textContent = t('photos.deleted');
            await load();
          } catch (error) {
            status.textContent = error instanceof Error ? error.message : String(error);
          }
        },
      }, '×') : null)));
    // A viewer sees the section only when there are photos.
    root.hidden = !editable && photos.length === 0;
    list.hidden = photos.length === 0;
    root.dataset.count = String(photos.length);
    onResize();
  }).catch((error) => {
    list.removeAttribute('aria-busy');
    status.textContent = error instanceof Error ? error.message : String(error);
  });
  load();
  if (editable) root.append(uploadForm(layer, id, status, load));
  return root;
}

/**
 * The editor's upload: the file (a phone offers its camera or its gallery), a caption, "keep
 * the GPS position" (off by default), and the send button with its progress.
 * @param {string} layer
 * @param {string | number} id
 * @param {HTMLElement} status where the outcome is said
 * @param {() => Promise<void>} reload
 */
function uploadForm(layer, id, status, reload) {
  const prefix = `photo-${layer}-${id}`;
  // No `capture`: on a phone it would open the camera only, and a photo taken earlier
  // could not be chosen; without it, the phone asks which.
  const file = el('input', { type: 'file', id: `${prefix}-file`, class: 'photo-file', accept: ACCEPTED });
  const caption = el('input', { type: 'text', id: `${prefix}-caption`, class: 'photo-caption-input', maxlength: '500', autocomplete: 'off', placeholder: t('photos.caption_placeholder') });
  const keepGps = el('input', { type: 'checkbox', id: `${prefix}-gps`, class: 'photo-gps' });
  const progress = el('progress', { class: 'photo-progress', max: '100', value: '0', hidden: true });
  const send = el('button', { type: 'submit', class: 'act act-primary photo-send', disabled: true }, t('photos.upload'));
  file.addEventListener('change', () => { send.disabled = !file.files?.length; });
  const form = el('form', { class: 'photo-upload', novalidate: true },
    el('label', { class: 'photo-pick', for: file.id }, t('photos.choose')), file,
    el('label', { class: 'sr-only', for: caption.id }, t('photos.caption')), caption,
    el('label', { class: 'photo-gps-label', for: keepGps.id }, keepGps, ' ', t('photos.keep_gps')),
    el('div', { class: 'photo-send-row' }, send, progress));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    form.setAttribute('aria-busy', 'true');
    send.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.classList.remove('error-text');
    status.textContent = t('photos.uploading');
    try {
      const answer = await upload(layer, id, { file: chosen, caption: caption.value, keepGps: keepGps.checked }, (fraction) => {
        progress.value = Math.round(fraction * 100);
      });
      form.reset();
      send.disabled = true;
      status.textContent = answer?.gps === 'removed' ? `${t('photos.uploaded')} ${t('photos.gps_removed')}` : t('photos.uploaded');
      await reload();
    } catch (error) {
      status.classList.add('error-text');
      status.textContent = error instanceof Error ? error.message : String(error);
      send.disabled = !file.files?.length;
    } finally {
      progress.hidden = true;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}
