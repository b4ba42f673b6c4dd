// @ts-check
// Dates as planners write them, pure (no DOM): dd/mm/yyyy, whatever the browser's language
// (a native date input shows the browser's own format, mm/dd/yyyy in an American one). The
// date fields (date-input.js) show and read this format; the API takes YYYY-MM-DD.

/**
 * Why a typed date is refused: `format` it is not a day, month and four-digit year;
 * `year` the year has two digits (28/11/26: never guessed); `no_such_day` 31/02/2026;
 * `before` / `after` outside the dates the field allows.
 * @typedef {'format' | 'year' | 'no_such_day' | 'before' | 'after'} DateProblem
 */

/** @typedef {{ ok: true, iso: string | null } | { ok: false, problem: DateProblem }} ParsedDate */

/** @param {number} n @param {number} width */
const pad = (n, width = 2) => String(n).padStart(width, '0');

/**
 * YYYY-MM-DD of a day, month, year (no check).
 * @param {number} year
 * @param {number} month 1-12
 * @param {number} day
 */
export const isoOf = (year, month, day) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

/**
 * Whether day/month/year is a day of the calendar.
 * @param {number} year
 * @param {number} month 1-12
 * @param {number} day
 */
export function isRealDay(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/**
 * @param {number} year
 * @param {number} month 1-12
 */
export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `2026-11-28` (or a timestamp that starts with it) as `28/11/2026`; '' for nothing.
 * @param {string | null | undefined} iso
 */
export function formatDmy(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : '';
}

/**
 * Reads a typed date: `28/11/2026`, `5/3/2024`, with dots or dashes instead of the slashes,
 * eight digits `28112026`, or `2026-11-28` (the API's form, which has one reading). Empty is
 * no date (null). `min` and `max` (YYYY-MM-DD) bound it.
 * @param {string} text
 * @param {{ min?: string | null, max?: string | null }} [bounds]
 * @returns {ParsedDate}
 */
export function parseDmy(text, { min = null, max = null } = {}) {
  const s = text.trim();
  if (s === '') return { ok: true, iso: null };
  let day;
  let month;
  let year;
  let match;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) {
    [year, month, day] = [match[1], match[2], match[3]].map(Number);
  } else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d+)$/.exec(s))) {
    if (match[3].length !== 4) return { ok: false, problem: match[3].length <= 2 ? 'year' : 'format' };
    [day, month, year] = [match[1], match[2], match[3]].map(Number);
  } else if ((match = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) {
    [day, month, year] = [match[1], match[2], match[3]].map(Number);
  } else {
    return { ok: false, problem: 'format' };
  }
  if (!isRealDay(year, month, day)) return { ok: false, problem: 'no_such_day' };
  const iso = isoOf(year, month, day);
  if (min && iso < min) return { ok: false, problem: 'before' };
  if (max && iso > max) return { ok: false, problem: 'after' };
  return { ok: true, iso };
}

/**
 * The date field's text while it is typed: digits only get their slashes (`2811` ->
 * `28/11`, `28112026` -> `28/11/2026`), so that the day is typed first and nothing else is
 * needed; a text with the slashes where this puts them is laid out again from its digits
 * (after a digit is typed into it or deleted); any other text (`5/3/2024`, an ISO date) is
 * left as typed. The caret keeps its place among the digits.
 * @param {string} text
 * @param {number} caret its position in `text`
 * @returns {{ text: string, caret: number }}
 */
export function maskDmy(text, caret) {
  if (!/^[\d/]*$/.test(text)) return { text, caret };
  const slashes = [...text].flatMap((c, i) => (c === '/' ? [i] : []));
  const digits = text.replace(/\//g, '');
  // Slashes only after two digits of day and two of month: this mask's own.
  const maskLike = slashes.every((at) => at === 2 || at === 5) && digits.length <= 8;
  if (!maskLike) return { text, caret };
  const shown = digits.length <= 2 ? digits : digits.length <= 4 ? `${digits.slice(0, 2)}/${digits.slice(2)}` : `${digits.slice(0, 2)}/${digits.slice(2, 4)}/${digits.slice(4)}`;
  // A slash typed right after the day or the month stays, so that it can be typed over.
  const trailing = text.endsWith('/') && (shown.length === 2 || shown.length === 5) ? '/' : '';
  const before = text.slice(0, caret).replace(/\//g, '').length;
  let at = 0;
  for (let seen = 0; at < shown.length && seen < before; at += 1) if (shown[at] !== '/') seen += 1;
  if (trailing && caret === text.length) at = shown.length + 1;
  return { text: shown + trailing, caret: at };
}

/**
 * The weeks of a month for a calendar, Monday first: rows of 7 cells, each a day of the
 * month (1-31) or null outside it.
 * @param {number} year
 * @param {number} month 1-12
 * @returns {(number | null)[][]}
 */
export function monthGrid(year, month) {
  const first = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7; // Monday = 0
  const days = daysInMonth(year, month);
  /** @type {(number | null)[]} */
  const cells = [...Array(first).fill(null), ...Array.from({ length: days }, (_, i) => i + 1)];
  while (cells.length % 7) cells.push(null);
  /** @type {(number | null)[][]} */
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/**
 * A date and time as `28/11/2026 14:05` in Vietnam's time (UTC+7), for the history: the
 * four-digit year whatever the browser's language.
 * @param {Date} at
 */
export function formatDateTimeVn(at) {
  const vn = new Date(at.getTime() + 7 * 3600 * 1000);
  return `${pad(vn.getUTCDate())}/${pad(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()} ${pad(vn.getUTCHours())}:${pad(vn.getUTCMinutes())}`;
}
