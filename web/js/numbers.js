// @ts-check
// Numbers as planners type them, pure (no DOM): the Vietnamese way on a Vietnamese page
// ("45.000.000" đồng, "3,5" ngày công: a dot groups thousands, a comma starts the decimals),
// the English way on an English page ("45,000,000", "3.5"). A text is read only when it has
// one meaning in that convention; anything else ("45.000,5.3", "1.5" in a money field, where
// a dot can only group thousands) is refused with the reason, never guessed. The form's
// number fields (number-input.js) show these numbers with their thousands grouped as they are
// typed, and send the API plain JSON numbers.

/**
 * The separators of a page language.
 * @typedef {{ group: string, decimal: string }} Separators
 */

/**
 * Why a text is not a number of the field:
 * - `chars`: it has something else than digits and separators;
 * - `negative`: a minus sign (no field takes negative numbers);
 * - `grouping`: group separators not between groups of three digits ("1.5", "45.00.000");
 * - `decimals`: more than one decimal separator, or a group separator after it ("45.000,5.3");
 * - `whole`: decimals in a field of whole numbers (đồng, counts);
 * - `too_large`: more digits than the field keeps exactly.
 * @typedef {'chars' | 'negative' | 'grouping' | 'decimals' | 'whole' | 'too_large'} NumberProblem
 */

/** @typedef {{ ok: true, value: number | null } | { ok: false, problem: NumberProblem }} ParsedNumber */

/** Spaces also group thousands ("45 000 000"), whatever the language. */
const SPACES = [' ', '\u00a0', '\u202f'];

/**
 * The separators of `lang`: Vietnamese unless English.
 * @param {string} lang
 * @returns {Separators}
 */
export const separatorsOf = (lang) => (lang === 'en' ? { group: ',', decimal: '.' } : { group: '.', decimal: ',' });

/**
 * @param {string} c
 * @param {Separators} sep
 */
const isGroupChar = (c, sep) => c === sep.group || SPACES.includes(c);

/**
 * Reads `text` typed in a number field. Empty means no value (null).
 * @param {string} text
 * @param {{ lang: string, integer: boolean }} options `integer`: whole numbers only
 * @returns {ParsedNumber}
 */
export function parseNumberText(text, { lang, integer }) {
  const sep = separatorsOf(lang);
  const s = text.trim();
  if (s === '') return { ok: true, value: null };
  if (s.startsWith('-') || s.startsWith('−')) return { ok: false, problem: 'negative' };
  for (const c of s) {
    if (!(c >= '0' && c <= '9') && c !== sep.decimal && !isGroupChar(c, sep)) return { ok: false, problem: 'chars' };
  }
  const at = s.indexOf(sep.decimal);
  const whole = at === -1 ? s : s.slice(0, at);
  const fraction = at === -1 ? '' : s.slice(at + 1);
  if (!/^\d*$/.test(fraction)) return { ok: false, problem: 'decimals' };
  const groups = splitGroups(whole, sep);
  if (groups === null) return { ok: false, problem: 'grouping' };
  const digits = groups.join('');
  if (digits === '' && fraction === '') return { ok: false, problem: 'chars' };
  if (integer && /[1-9]/.test(fraction)) return { ok: false, problem: 'whole' };
  const value = Number(`${digits || '0'}${integer || fraction === '' ? '' : `.${fraction}`}`);
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value)) || digits.replace(/^0+/, '').length > 15) {
    return { ok: false, problem: 'too_large' };
  }
  return { ok: true, value };
}

/**
 * The digit groups of the whole part, or null when they are not 1-3 digits then threes.
 * A whole part without separators is one group of any length.
 * @param {string} whole
 * @param {Separators} sep
 * @returns {string[] | null}
 */
function splitGroups(whole, sep) {
  /** @type {string[]} */
  const groups = [''];
  for (const c of whole) {
    if (isGroupChar(c, sep)) groups.push('');
    else groups[groups.length - 1] += c;
  }
  if (groups.length === 1) return groups;
  const [first, ...rest] = groups;
  return first.length >= 1 && first.length <= 3 && rest.every((g) => g.length === 3) ? groups : null;
}

/**
 * `digits` with a group separator every three digits from the right.
 * @param {string} digits
 * @param {string} group
 */
export function groupThousands(digits, group) {
  let out = '';
  for (let i = 0; i < digits.length; i += 1) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += group;
    out += digits[i];
  }
  return out;
}

/**
 * A stored value as the field shows it: `45000000` -> `45.000.000`, `3.5` -> `3,5` (vi).
 * `plain` leaves the thousands ungrouped (years).
 * @param {number | null | undefined} value
 * @param {{ lang: string, plain?: boolean }} options
 */
export function formatNumberInput(value, { lang, plain = false }) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const sep = separatorsOf(lang);
  // Up to 10 decimals, without the exponent String() writes for very small or large numbers.
  const [whole, fraction = ''] = Math.abs(value).toFixed(10).replace(/0+$/, '').replace(/\.$/, '').split('.');
  const grouped = plain ? whole : groupThousands(whole, sep.group);
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `${sep.decimal}${fraction}` : ''}`;
}

/**
 * The field's text while it is typed, with its thousands grouped again.
 *
 * A text that reads as a number is shown grouped (`45000` -> `45.000`); a trailing decimal
 * separator and the decimals typed so far are kept (`3,` stays). A text that does not read,
 * because digits were typed into or deleted from a grouped number (`45.0000`, `45.00`), is
 * grouped again from its digits only when `regroup` says so: the text before that edit was
 * shown grouped, and the edit typed digits or deleted. Otherwise it is left as typed, so that
 * a separator the planner typed is never silently dropped (`3.5` stays, and is refused).
 * The caret keeps its place among the digits.
 * @param {string} text
 * @param {number} caret its position in `text`
 * @param {{ lang: string, plain?: boolean, regroup: boolean }} options
 * @returns {{ text: string, caret: number, grouped: boolean }} `grouped`: the text is shown grouped
 */
export function groupWhileTyping(text, caret, { lang, plain = false, regroup }) {
  const sep = separatorsOf(lang);
  const at = text.indexOf(sep.decimal);
  const whole = at === -1 ? text : text.slice(0, at);
  const rest = at === -1 ? '' : text.slice(at);
  const fractionOk = /^\d*$/.test(rest.slice(1));
  const plainDigits = [...whole].filter((c) => !isGroupChar(c, sep)).join('');
  const reads = fractionOk && /^\d*$/.test(plainDigits) && (splitGroups(whole, sep) !== null || regroup);
  if (!reads || (plainDigits === '' && rest === '')) return { text, caret, grouped: reads };
  // Leading zeros go ("007" -> "7"), but a lone zero stays ("0,5").
  const digits = plainDigits.replace(/^0+(?=\d)/, '');
  const shown = `${plain ? digits : groupThousands(digits, sep.group)}${rest}`;
  // The caret after as many digits (and decimal separator) as before it, less the zeros gone.
  const before = [...text.slice(0, caret)].filter((c) => !isGroupChar(c, sep)).length;
  const significant = Math.max(0, before - Math.min(before, plainDigits.length - digits.length));
  let newCaret = 0;
  for (let seen = 0; newCaret < shown.length && seen < significant; newCaret += 1) {
    if (!isGroupChar(shown[newCaret], sep)) seen += 1;
  }
  return { text: shown, caret: newCaret, grouped: true };
}
