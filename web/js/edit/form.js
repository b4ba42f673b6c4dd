// @ts-check
// The editor's form, over the panel: the layer and the feature's name, the split's parts, the
// attribute fields (edit-form.js makes them from the catalogue), a note on the geometry
// (length, how to move the vertices), save and cancel, the write's errors, and the feature's
// history. It shows the store's `edit.current`.

import { errorMessage, errorStatus } from '../api.js';
import { WriteError } from '../auth.js';
import { el } from '../dashboard.js';
import { attributeFields, historyList } from '../edit-form.js';
import { formatLength } from '../format.js';
import { geodesicLength } from '../geodesy.js';
import { t, title } from '../i18n.js';
import { getState } from '../state.js';
import { editedGeometry } from './draw.js';
import { getHistory } from './requests.js';

/**
 * @import { AttributeFields } from '../edit-form.js'
 * @import { EditedFeature, SplitParts } from '../state.js'
 * @import { FeatureId } from '../types.js'
 * @import { EditContext } from './context.js'
 */

/**
 * The parts of the form that saving reads and writes.
 * @typedef {object} FormHandle
 * @property {AttributeFields} fields
 * @property {HTMLElement} status the save's progress and outcome
 * @property {HTMLElement} conflict "someone else changed this feature", with a reload
 * @property {HTMLElement} geometryNote
 * @property {HTMLElement} generalError
 * @property {HTMLElement} history
 * @property {HTMLButtonElement} saveButton
 */

/**
 * The form last shown. Closing the editor empties the panel but keeps this handle (as edit.js
 * did): a write that fails after the close shows its error in the detached form.
 * @type {FormHandle | null}
 */
let form = null;

/** The form last shown, or null before the first. */
export const formHandle = () => form;

/**
 * Shows the feature in the store's `edit.current` in the form, `message` in its status line.
 * @param {EditContext} ctx
 * @param {{ message?: string | null }} options
 */
export function renderForm(ctx, { message = null }) {
  const c = getState().edit.current;
  if (!c) return;
  const layer = ctx.layers.get(c.layer);
  if (!layer) return;
  const layerTitle = title(layer.title);
  const fields = attributeFields(layer, c.feature.properties, { idPrefix: `ef-${c.layer}` });
  const status = el('p', { class: 'edit-status', role: 'status', 'aria-live': 'polite' }, message ?? '');
  const conflict = el('div', { class: 'edit-conflict', role: 'alert', hidden: true },
    el('p', {}, t('edit.conflict')),
    el('button', { type: 'button', class: 'act edit-reload', onclick: () => reopen(ctx, c, t('edit.reloaded')) }, t('edit.reload')));
  const geometryNote = el('p', { class: 'edit-geometry-note' });
  const generalError = el('p', { class: 'edit-error', role: 'alert', hidden: true });
  const history = el('details', { class: 'edit-history', open: true },
    el('summary', {}, t('edit.history')),
    el('div', { class: 'edit-history-body' }, c.isNew ? el('p', { class: 'history-empty' }, t('history.new')) : el('p', {}, t('app.loading_short'))));
  const saveButton = el('button', { type: 'submit', class: 'act act-primary edit-save' }, t('edit.save'));
  // A new feature not yet saved is cancelled ("Hủy" drops the drawing); a stored one, saved
  // or just opened, is closed ("Đóng"): nothing is undone by it (undo is the toolbar's).
  const closeButton = el('button', { type: 'button', class: 'act edit-close', onclick: () => ctx.commands.close() }, t(c.isNew ? 'edit.cancel' : 'edit.close'));
  const formEl = el('form', { class: 'edit-form', novalidate: true },
    el('header', { class: 'edit-head' },
      el('div', { class: 'edit-kicker' }, layerTitle),
      el('h2', { id: 'edit-title', tabindex: '-1' }, c.isNew ? t('edit.new', { layer: layerTitle }) : (String(c.feature.properties?.name ?? '') || t('popup.unnamed'))),
      c.isNew ? null : el('p', { class: 'edit-id' }, t('edit.feature_id', { id: String(c.id) }))),
    partButtons(ctx, c, getState().edit.parts),
    conflict,
    geometryNote,
    generalError,
    fields.root,
    el('div', { class: 'edit-actions' }, closeButton, saveButton),
    status,
    history);
  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.commands.save();
  });
  formEl.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      ctx.commands.close();
    }
  });
  form = { fields, status, conflict, geometryNote, generalError, history, saveButton };
  ctx.panel.replaceChildren(formEl);
  ctx.panel.hidden = false;
  renderGeometryNote();
  /** @type {HTMLElement | null} */
  const first = formEl.querySelector(c.isNew ? '[name="name"]' : '#edit-title') ?? formEl.querySelector('input, select');
  first?.focus({ preventScroll: true });
}

/**
 * Opens the feature again (after a conflict: its last stored state).
 * @param {EditContext} ctx
 * @param {EditedFeature} c
 * @param {string} message
 */
function reopen(ctx, c, message) {
  if (c.id !== null) ctx.commands.open(c.layer, c.id, { message });
}

/**
 * After a split, a button per part, so that each gets its own form.
 * @param {EditContext} ctx
 * @param {EditedFeature} c
 * @param {SplitParts | null} parts
 */
function partButtons(ctx, c, parts) {
  if (!parts || parts.layer !== c.layer || c.id === null || !parts.ids.includes(c.id)) return null;
  /** @param {FeatureId} id @param {number} i */
  const button = (id, i) => el('button', {
    type: 'button',
    class: 'act edit-part',
    'aria-current': id === c.id ? 'true' : null,
    dataset: { part: String(i + 1), id: String(id) },
    onclick: () => (id === c.id ? null : ctx.commands.open(c.layer, id)),
  }, t('edit.part', { n: i + 1 }));
  return el('nav', { class: 'edit-parts', 'aria-label': t('edit.parts') },
    el('span', {}, t('edit.split_done')),
    parts.ids.map(button));
}

/** The note under the head: a line's length, and how to edit the shape (or that it cannot be). */
export function renderGeometryNote() {
  const c = getState().edit.current;
  if (!form || !c) return;
  const geometry = editedGeometry(c);
  const parts = [];
  if (geometry?.type.includes('LineString')) parts.push(t('edit.length', { length: formatLength(geodesicLength(geometry)) }));
  if (c.drawId === null && geometry) parts.push(t('edit.not_editable_geometry'));
  else if (c.drawId !== null) parts.push(t(geometry?.type.includes('Point') ? 'edit.hint_drag_point' : 'edit.hint_vertices'));
  form.geometryNote.textContent = parts.join(' · ');
}

/**
 * Loads the stored feature's history into the form (nothing for a new feature).
 * @param {EditContext} ctx
 */
export async function loadHistory(ctx) {
  const c = getState().edit.current;
  if (!c || c.isNew || c.id === null || !form) return;
  const layer = ctx.layers.get(c.layer);
  const body = form.history.querySelector('.edit-history-body');
  if (!layer || !body) return;
  try {
    const entries = await getHistory(c.layer, c.id);
    if (getState().edit.current !== c) return;
    body.replaceChildren(historyList(layer, entries));
  } catch (error) {
    if (getState().edit.current === c) body.replaceChildren(el('p', { class: 'history-empty' }, t('history.failed', { error: errorMessage(error) })));
  }
}

/**
 * Shows a failed write: 412 as a conflict with a reload, 422 next to its field, the rest as
 * text (in the hint line when no form was ever shown).
 * @param {EditContext} ctx
 * @param {unknown} error what the write threw (auth.js's WriteError, mostly)
 */
export function showWriteError(ctx, error) {
  if (!form) {
    ctx.toolbar.say(writeErrorText(error));
    return;
  }
  form.fields.showErrors({});
  form.generalError.hidden = true;
  const status = errorStatus(error);
  if (status === 412) {
    form.conflict.hidden = false;
    form.conflict.querySelector('button')?.focus();
    return;
  }
  const field = detailOf(error)?.field;
  if (status === 422 && typeof field === 'string' && form.fields.has(field)) {
    form.fields.showErrors({ [field]: errorMessage(error) });
    form.fields.focusFirstError();
    return;
  }
  form.generalError.textContent = writeErrorText(error);
  form.generalError.hidden = false;
}

/**
 * A failed write in words: conflict, signed out, not allowed, a refused geometry, or the
 * API's message.
 * @param {unknown} error
 */
export function writeErrorText(error) {
  const status = errorStatus(error);
  if (status === 412) return t('edit.conflict');
  if (status === 401) return t('edit.signed_out');
  if (status === 403) return t('edit.forbidden');
  const geometry = detailOf(error)?.geometry;
  if (status === 422 && geometry) {
    const reason = typeof geometry === 'string' ? geometry : geometryReason(geometry);
    return t('edit.invalid_geometry', { error: [errorMessage(error), reason].filter(Boolean).join(': ') });
  }
  return t('edit.save_failed', { error: errorMessage(error) });
}

/**
 * The API's `detail` of a failed write (auth.js's WriteError): which field, which geometry.
 * @param {unknown} error
 * @returns {Record<string, unknown> | null}
 */
const detailOf = (error) => (error instanceof WriteError ? error.detail : null);

/**
 * The reason in a 422's `detail.geometry` object.
 * @param {unknown} detail
 * @returns {string}
 */
function geometryReason(detail) {
  const { reason, message } = /** @type {{ reason?: unknown, message?: unknown }} */ (detail);
  return String(reason ?? message ?? '');
}
