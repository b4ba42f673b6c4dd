// @ts-check
// A number field of the edit form: a text input (not `type=number`, which reads
// "45.000.000" as 45 or as nothing, depending on the browser) that shows the page's number
// format and groups the thousands as the planner types (numbers.js), and reads back either
// a number or the reason it is refused.

import { t } from './i18n.js';
import { formatNumberInput, groupWhileTyping, parseNumberText } from './numbers.js';

/**
 * @import { NumberProblem, ParsedNumber } from './numbers.js'
 */

/**
 * What a number field is: whole numbers or not, grouped or not (years are not).
 * @typedef {{ integer: boolean, plain: boolean, money: boolean, lang: string }} NumberKind
 */

/** @type {WeakMap<HTMLInputElement, NumberKind>} */
const kinds = new WeakMap();

/**
 * Makes `input` (a text input) a number field of `kind`, showing `value`.
 * @param {HTMLInputElement} input
 * @param {number | null} value
 * @param {NumberKind} kind
 */
export function makeNumberInput(input, value, kind) {
  kinds.set(input, kind);
  input.type = 'text';
  input.inputMode = kind.integer ? 'numeric' : 'decimal';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.classList.add('number-input');
  input.value = formatNumberInput(value, { lang: kind.lang, plain: kind.plain });
  // Whether the text before the edit was shown grouped, and what the edit was: digits typed
  // into a grouped number, or deleted from it, are grouped again; a separator typed by hand
  // is left for the planner to see (groupWhileTyping).
  let wasGrouped = true;
  let editRegroups = false;
  input.addEventListener('beforeinput', (event) => {
    const typedDigits = event.inputType === 'insertText' && /^\d+$/.test(event.data ?? '');
    editRegroups = wasGrouped && (typedDigits || event.inputType.startsWith('delete'));
  });
  input.addEventListener('input', () => {
    const caret = input.selectionStart ?? input.value.length;
    const shown = groupWhileTyping(input.value, caret, { lang: kind.lang, plain: kind.plain, regroup: editRegroups });
    editRegroups = false;
    wasGrouped = shown.grouped;
    if (shown.text !== input.value) {
      input.value = shown.text;
      input.setSelectionRange(shown.caret, shown.caret);
    }
  });
  return input;
}

/**
 * Reads a number field: its number (null when empty), or why it is refused.
 * @param {HTMLInputElement} input
 * @returns {ParsedNumber}
 */
export function readNumberInput(input) {
  const kind = kinds.get(input);
  if (!kind) return { ok: true, value: input.value.trim() === '' ? null : Number(input.value) };
  return parseNumberText(input.value, { lang: kind.lang, integer: kind.integer });
}

/**
 * Whether `input` was made by makeNumberInput.
 * @param {Element} input
 * @returns {input is HTMLInputElement}
 */
export const isNumberInput = (input) => input instanceof HTMLInputElement && kinds.has(input);

/**
 * The message for a refused number, with examples in the page's format.
 * @param {NumberProblem} problem
 * @param {HTMLInputElement} input
 */
export function numberProblemText(problem, input) {
  const kind = kinds.get(input);
  const lang = kind?.lang ?? 'vi';
  const examples = {
    grouped: formatNumberInput(45000000, { lang }),
    decimal: formatNumberInput(3.5, { lang }),
  };
  switch (problem) {
    case 'negative':
      return t('number.negative');
    case 'whole':
      return t(kind?.money ? 'number.whole_money' : 'number.whole', examples);
    case 'too_large':
      return t('number.too_large');
    case 'grouping':
    case 'decimals':
      return t(kind?.money ? 'number.ambiguous_money' : 'number.ambiguous', examples);
    default:
      return t('number.not_a_number', examples);
  }
}
