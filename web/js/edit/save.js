// @ts-check
// Saving the form (once every field reads): a POST for a new feature, a PATCH of what changed (fields and/or shape)
// for a stored one; then the map and the numbers reload and the form opens again on the saved
// feature. Each save is kept on the undo stack.

import { changedProperties } from '../edit-form.js';
import { errorMessage } from '../api.js';
import { t, title } from '../i18n.js';
import { getState } from '../state.js';
import { editedGeometry } from './draw.js';
import { busy, createFeature, patchFeature } from './requests.js';
import { formHandle, showWriteError } from './form.js';
import { sameGeometry } from './geometry.js';
import { pushUndo } from './undo.js';

/**
 * @import { FeaturePatch, EditedFeature } from '../state.js'
 * @import { CatalogueLayer, Properties } from '../types.js'
 * @import { EditContext } from './context.js'
 * @import { FormHandle } from './form.js'
 */

/**
 * Saves the form of the store's `edit.current`: required fields first, then the write.
 * @param {EditContext} ctx
 */
export async function save(ctx) {
  const c = getState().edit.current;
  const form = formHandle();
  const layer = c && ctx.layers.get(c.layer);
  if (!c || !form || !layer) return;
  const { values, missing, invalid } = form.fields.read();
  form.conflict.hidden = true;
  // Nothing is sent while a field is empty that must not be, or does not read one way (a
  // number or a date the planner must write again): never a guess saved.
  if (missing.length || Object.keys(invalid).length) {
    form.fields.showErrors({ ...Object.fromEntries(missing.map((name) => [name, t('edit.required')])), ...invalid });
    form.fields.focusFirstError();
    form.status.textContent = '';
    return;
  }
  form.fields.showErrors({});
  form.generalError.hidden = true;
  form.saveButton.disabled = true;
  form.status.textContent = t('edit.saving');
  try {
    await busy(() => (c.isNew ? saveNew(ctx, c, layer, values) : saveChanges(ctx, c, layer, values, form)));
  } catch (error) {
    console.warn('save:', errorMessage(error));
    if (getState().edit.current === c) {
      form.status.textContent = '';
      showWriteError(ctx, error);
    }
  } finally {
    // The form shown now: the same, or the one opened again on the saved feature.
    const shown = formHandle();
    if (shown) shown.saveButton.disabled = false;
  }
}

/**
 * POSTs a new feature with the filled fields.
 * @param {EditContext} ctx
 * @param {EditedFeature} c
 * @param {CatalogueLayer} layer
 * @param {Record<string, unknown>} values the form's values by field name (null: empty)
 */
async function saveNew(ctx, c, layer, values) {
  /** @type {Properties} */
  const properties = { commune: ctx.page.commune.code };
  for (const [name, value] of Object.entries(values)) if (value !== null) properties[name] = value;
  const id = await createFeature(c.layer, editedGeometry(c), properties);
  pushUndo(t('edit.did_create', { name: String(properties.name ?? title(layer.title)) }), [{ op: 'create', layer: c.layer, id }], null);
  await ctx.refresh();
  await ctx.commands.open(c.layer, id, { message: t('edit.saved') });
}

/**
 * PATCHes what changed of a stored feature, keeping the previous values to undo it.
 * @param {EditContext} ctx
 * @param {EditedFeature} c
 * @param {CatalogueLayer} layer
 * @param {Record<string, unknown>} values the form's values by field name (null: empty)
 * @param {FormHandle} form
 */
async function saveChanges(ctx, c, layer, values, form) {
  if (c.id === null) return;
  const geometry = editedGeometry(c);
  const changes = changedProperties(layer, c.feature.properties, values);
  const geometryChanged = c.drawId !== null && !sameGeometry(geometry, c.original);
  if (!geometryChanged && Object.keys(changes).length === 0) {
    form.status.textContent = t('edit.no_changes');
    return;
  }
  /** @type {FeaturePatch} */
  const patch = {};
  /** @type {FeaturePatch} */
  const before = {};
  if (geometryChanged) {
    patch.geometry = geometry;
    before.geometry = c.original;
  }
  if (Object.keys(changes).length) {
    patch.properties = changes;
    before.properties = Object.fromEntries(Object.keys(changes).map((k) => [k, c.feature.properties?.[k] ?? null]));
  }
  await patchFeature(c.layer, c.id, patch);
  const name = values.name ?? c.feature.properties?.name ?? c.id;
  pushUndo(t('edit.did_update', { name: String(name) }), [{ op: 'update', layer: c.layer, id: c.id, before }], { layer: c.layer, id: c.id });
  await ctx.refresh();
  await ctx.commands.open(c.layer, c.id, { message: t('edit.saved') });
}
