// @ts-check
// The attribute form of a feature, generated from the layer catalogue (no per-layer code):
// enums as <select> with their Vietnamese (or English) labels, dates as dd/mm/yyyy text
// fields with a calendar that stop at today (date-input.js), integers and numbers as text
// fields in the page's number format with their thousands grouped as they are typed
// (number-input.js), long texts as text areas. `name` is required for the works. A number or
// date that does not read one way is refused under its field before anything is sent; errors
// from the server (422 `detail.field`) are shown there too.

import { el } from './dashboard.js';
import { dateField, dateProblemText, isDateInput, readDate } from './date-input.js';
import { formatDateTimeVn } from './dates.js';
import { formatField } from './format.js';
import { lang, t, termLabel, title } from './i18n.js';
import { isNumberInput, makeNumberInput, numberProblemText, readNumberInput } from './number-input.js';

/** @import { CatalogueLayer, Field, HistoryEntry, Properties } from './types.js' */

/**
 * The fields of a form: their root element, and how to read them and show their errors.
 * @typedef {object} AttributeFields
 * @property {HTMLElement} root
 * @property {() => { values: Record<string, unknown>, missing: string[], invalid: Record<string, string> }} read
 *   the values by field name (null for empty), the required fields left empty, and the
 *   message of each field whose text does not read (a number or a date)
 * @property {(byField?: Record<string, string>) => void} showErrors a message under each field
 *   named (the others cleared)
 * @property {() => void} focusFirstError
 * @property {(name: string) => boolean} has whether the form has that field
 */

/** The works layers: their `name` is required. */
export const WORKS = new Set(['roads', 'flower_routes', 'lighting_lines', 'model_sites']);

/**
 * The fields every work shares (the shared work fields of the layer catalogue, src/layers/mod.rs): shown after the layer's own fields,
 * so that a road's class and surface come right after its name.
 */
const CORE = new Set(['status', 'done_on', 'people_vnd', 'state_vnd', 'workdays', 'organisation', 'note']);

/** Text fields shown as a text area. */
const LONG_TEXT = new Set(['note', 'description']);

/** Today in Vietnam (UTC+7), YYYY-MM-DD: the server refuses dates after it. */
export const todayVn = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * @param {CatalogueLayer} layer
 * @param {Field} field
 */
const isRequired = (layer, field) => field.required === true || (field.name === 'name' && WORKS.has(layer.id));

/**
 * Whether a number field holds đồng (its name says so, as format.js reads it).
 * @param {Field} field
 */
const isMoney = (field) => field.name.endsWith('_vnd');

/**
 * Builds the fields of `layer` filled with `properties`. Returns `{root, read(), showErrors(map),
 * focusFirstError()}`: `read()` gives `{values, missing, invalid}` (values by field name, `null`
 * for empty; `missing` the required fields left empty; `invalid` the refused texts' messages).
 * @param {CatalogueLayer} layer
 * @param {Properties | null} properties
 * @param {{ idPrefix?: string }} [options] the inputs' ids start with it
 * @returns {AttributeFields}
 */
export function attributeFields(layer, properties, { idPrefix = 'ef' } = {}) {
  /** @type {Map<string, { field: Field, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement }>} */
  const inputs = new Map();
  /** @type {Map<string, HTMLElement>} */
  const errors = new Map();
  const root = el('div', { class: 'edit-fields' });
  const fields = layer.fields ?? [];
  const ordered = WORKS.has(layer.id)
    ? [...fields.filter((f) => f.name === 'name'), ...fields.filter((f) => f.name !== 'name' && !CORE.has(f.name)), ...fields.filter((f) => CORE.has(f.name))]
    : fields;
  for (const field of ordered) {
    const id = `${idPrefix}-${field.name}`;
    const value = properties?.[field.name] ?? null;
    const required = isRequired(layer, field);
    /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */
    let input;
    /** @type {HTMLElement | null} what goes in the field's place, when it is not the input itself */
    let control = null;
    if (field.type === 'enum') {
      input = el('select', { id, name: field.name },
        el('option', { value: '' }, required ? t('edit.choose') : '—'),
        (field.values ?? []).map((term) => el('option', { value: term.value, selected: term.value === value }, termLabel(term))));
    } else if (field.type === 'date') {
      input = el('input', { id, name: field.name, type: 'text' });
      control = dateField(input, { iso: typeof value === 'string' ? value : null, max: todayVn() });
    } else if (field.type === 'integer' || field.type === 'number') {
      input = makeNumberInput(el('input', { id, name: field.name, type: 'text' }), typeof value === 'number' ? value : null, {
        integer: field.type === 'integer',
        plain: field.name === 'year',
        money: isMoney(field),
        lang: lang(),
      });
    } else if (LONG_TEXT.has(field.name)) {
      input = el('textarea', { id, name: field.name, rows: '2' });
      input.value = String(value ?? '');
    } else {
      input = el('input', { id, name: field.name, type: 'text', value: value ?? '', autocomplete: 'off' });
    }
    if (required) {
      input.required = true;
      input.setAttribute('aria-required', 'true');
    }
    const error = el('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const wide = field.type === 'text' && (LONG_TEXT.has(field.name) || field.name === 'name');
    root.append(el('div', { class: `edit-field${wide ? ' wide' : ''}`, dataset: { field: field.name } },
      el('label', { for: id }, title(field.title), required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      control ?? input,
      error));
    inputs.set(field.name, { field, input });
    errors.set(field.name, error);
    // A corrected field loses its error message; a number or date that does not read says so
    // once the field is left.
    input.addEventListener('input', () => {
      if (error.hidden) return;
      error.hidden = true;
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    });
    input.addEventListener('blur', () => {
      const problem = problemOf(input);
      if (problem) showError(field.name, problem);
    });
  }

  /**
   * The message of a number or date field whose text does not read, else null.
   * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} input
   */
  function problemOf(input) {
    if (isNumberInput(input)) {
      const read = readNumberInput(input);
      return read.ok ? null : numberProblemText(read.problem, input);
    }
    if (isDateInput(input)) {
      const read = readDate(input);
      return read.ok ? null : dateProblemText(read.problem, input);
    }
    return null;
  }

  /**
   * Shows `message` under one field (the others keep theirs).
   * @param {string} name
   * @param {string} message
   */
  function showError(name, message) {
    const box = errors.get(name);
    const entry = inputs.get(name);
    if (!box || !entry) return;
    box.textContent = message;
    box.hidden = false;
    entry.input.setAttribute('aria-invalid', 'true');
    entry.input.setAttribute('aria-describedby', box.id);
  }

  function read() {
    /** @type {Record<string, unknown>} */
    const values = {};
    /** @type {string[]} */
    const missing = [];
    /** @type {Record<string, string>} */
    const invalid = {};
    for (const [name, { field, input }] of inputs) {
      /** @type {string | number | null} */
      let value;
      if (isNumberInput(input)) {
        const read = readNumberInput(input);
        if (!read.ok) invalid[name] = numberProblemText(read.problem, input);
        value = read.ok ? read.value : null;
      } else if (isDateInput(input)) {
        const read = readDate(input);
        if (!read.ok) invalid[name] = dateProblemText(read.problem, input);
        value = read.ok ? read.iso : null;
      } else {
        const raw = input.value.trim();
        value = raw === '' ? null : raw;
      }
      if (value === null && !(name in invalid) && isRequired(layer, field)) missing.push(name);
      values[name] = value;
    }
    return { values, missing, invalid };
  }

  /**
   * Shows `{field: message}` under each field (and clears the others).
   * @param {Record<string, string>} [byField]
   */
  function showErrors(byField = {}) {
    for (const [name, box] of errors) {
      const message = byField[name];
      const entry = inputs.get(name);
      if (!entry) continue;
      const { input } = entry;
      box.textContent = message ?? '';
      box.hidden = !message;
      if (message) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', box.id);
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  }

  const focusFirstError = () => {
    const first = root.querySelector('[aria-invalid="true"]');
    if (first instanceof HTMLElement) first.focus();
  };
  /** @param {string} name */
  const has = (name) => inputs.has(name);
  return { root, read, showErrors, focusFirstError, has };
}

/**
 * The properties of `after` that differ from `before` (by the catalogue's fields).
 * @param {CatalogueLayer} layer
 * @param {Properties | null} before
 * @param {Record<string, unknown>} after
 * @returns {Properties}
 */
export function changedProperties(layer, before, after) {
  /** @type {Properties} */
  const changed = {};
  for (const field of layer.fields ?? []) {
    const a = before?.[field.name] ?? null;
    const b = after?.[field.name] ?? null;
    if (a !== b && String(a) !== String(b)) changed[field.name] = b;
  }
  return changed;
}

/** The strings naming each history action. @type {Record<string, string>} */
const ACTION_KEYS = { create: 'history.create', insert: 'history.create', import: 'history.import', update: 'history.update', delete: 'history.delete', restore: 'history.restore' };

/**
 * The history list of a feature: who, when, what (the fields that changed, old -> new; the
 * shape). `entries` is the API's `[{id, at, actor, actor_name, action, version, before, after}]`.
 * @param {CatalogueLayer} layer
 * @param {HistoryEntry[]} entries
 */
export function historyList(layer, entries) {
  if (!entries.length) return el('p', { class: 'history-empty' }, t('history.empty'));
  /** @param {Field} field @param {unknown} value */
  const show = (field, value) => (value === null || value === undefined ? '—' : formatField(field, value, termLabel) ?? String(value));
  return el('ol', { class: 'history' }, entries.map((entry) => {
    // An entry's before and after are the feature ({properties, geometry}) or its properties.
    const beforeProps = /** @type {Properties} */ (entry.before?.properties ?? entry.before ?? {});
    const afterProps = /** @type {Properties} */ (entry.after?.properties ?? entry.after ?? {});
    const changes = [];
    if (entry.action === 'update' || entry.action === 'restore') {
      for (const field of layer.fields ?? []) {
        const a = beforeProps[field.name] ?? null;
        const b = afterProps[field.name] ?? null;
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          changes.push(el('li', {}, `${title(field.title)}: ${show(field, a)} → ${show(field, b)}`));
        }
      }
      const geomBefore = entry.before?.geometry;
      const geomAfter = entry.after?.geometry;
      if (geomBefore && geomAfter && JSON.stringify(geomBefore) !== JSON.stringify(geomAfter)) {
        changes.push(el('li', {}, t('history.geometry')));
      }
    }
    const at = entry.at ? new Date(entry.at) : null;
    return el('li', { class: 'history-entry', dataset: { action: entry.action } },
      el('div', { class: 'history-head' },
        el('strong', {}, t(ACTION_KEYS[entry.action] ?? 'history.update')),
        ` · ${entry.actor_name ?? entry.actor ?? '?'}`,
        at && !Number.isNaN(at.getTime()) ? el('time', { datetime: entry.at }, ` · ${formatDateTimeVn(at)}`) : null,
        entry.version ? el('span', { class: 'history-version' }, ` · v${entry.version}`) : null),
      changes.length ? el('ul', { class: 'history-changes' }, changes) : null);
  }));
}
