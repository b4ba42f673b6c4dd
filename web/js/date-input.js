// @ts-check
// A date field shown and typed as dd/mm/yyyy whatever the browser's language: a text input
// with a mask (the slashes come as the day and month are typed, dates.js) and a calendar
// button that opens a month grid, Monday first, with the page's month and day names. A
// native `<input type=date>` shows the browser's own order (mm/dd/yyyy in an American one),
// which is what this replaces.
//
// `dateField(input, options)` wraps an existing text input (the time control's, in
// index.html) or a new one (the edit form's); `readDate(input)` gives YYYY-MM-DD, null, or
// why the text is refused. The input fires `change` when a date is picked in the calendar.

import { formatDmy, isoOf, maskDmy, monthGrid, parseDmy } from './dates.js';
import { t } from './i18n.js';

/**
 * @import { DateProblem, ParsedDate } from './dates.js'
 */

/** @typedef {{ min: string | null, max: string | null }} DateBounds */

/** The bounds of each date field. @type {WeakMap<HTMLInputElement, DateBounds>} */
const bounds = new WeakMap();

/** The open calendar, if any (one at a time). @type {{ close: () => void } | null} */
let openCalendar = null;

/**
 * Makes `input` a dd/mm/yyyy field showing `iso`, with a calendar button after it. Returns
 * the wrapper (input and button) to put where the input goes; an input already in the page
 * is wrapped in place.
 * @param {HTMLInputElement} input
 * @param {{ iso?: string | null, min?: string | null, max?: string | null }} [options]
 * @returns {HTMLElement}
 */
export function dateField(input, { iso = null, min = null, max = null } = {}) {
  bounds.set(input, { min, max });
  input.type = 'text';
  input.inputMode = 'numeric';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.maxLength = 10;
  input.placeholder = t('date.placeholder');
  input.classList.add('date-text');
  input.value = formatDmy(iso);

  const wrapper = document.createElement('span');
  wrapper.className = 'date-field';
  input.parentNode?.insertBefore(wrapper, input);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'date-calendar-btn';
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  const label = t('date.calendar');
  button.setAttribute('aria-label', label);
  button.title = label;
  button.innerHTML = '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><rect x="3" y="4.5" width="14" height="12.5" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3 8.5h14M7 2.5v4M13 2.5v4" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>';
  wrapper.append(input, button);

  input.addEventListener('input', () => {
    const caret = input.selectionStart ?? input.value.length;
    const masked = maskDmy(input.value, caret);
    if (masked.text !== input.value) {
      input.value = masked.text;
      input.setSelectionRange(masked.caret, masked.caret);
    }
  });
  // A date typed as 5/3/2024 or 2024-03-05 is shown as 05/03/2024 once the field is left.
  input.addEventListener('blur', () => {
    const read = readDate(input);
    if (read.ok && read.iso) input.value = formatDmy(read.iso);
  });
  button.addEventListener('click', () => {
    if (button.getAttribute('aria-expanded') === 'true') openCalendar?.close();
    else showCalendar(input, button, wrapper);
  });
  return wrapper;
}

/**
 * Changes the date shown.
 * @param {HTMLInputElement} input
 * @param {string | null} iso
 */
export function setDate(input, iso) {
  input.value = formatDmy(iso);
}

/**
 * Changes the dates a field allows.
 * @param {HTMLInputElement} input
 * @param {Partial<DateBounds>} change
 */
export function setDateBounds(input, change) {
  bounds.set(input, { min: null, max: null, ...bounds.get(input), ...change });
}

/**
 * The field's date (YYYY-MM-DD, null when empty), or why it is refused.
 * @param {HTMLInputElement} input
 * @returns {ParsedDate}
 */
export function readDate(input) {
  return parseDmy(input.value, bounds.get(input) ?? {});
}

/**
 * Whether `input` is a date field of this module.
 * @param {Element} input
 * @returns {input is HTMLInputElement}
 */
export const isDateInput = (input) => input instanceof HTMLInputElement && bounds.has(input);

/**
 * The message for a refused date.
 * @param {DateProblem} problem
 * @param {HTMLInputElement} input
 */
export function dateProblemText(problem, input) {
  const { min, max } = bounds.get(input) ?? { min: null, max: null };
  switch (problem) {
    case 'year':
      return t('date.four_digit_year');
    case 'no_such_day':
      return t('date.no_such_day');
    case 'before':
      return t('date.before', { date: formatDmy(min) });
    case 'after':
      return t('date.after', { date: formatDmy(max) });
    default:
      return t('date.format');
  }
}

/**
 * Opens the month grid under the field, at its date (else at the last date allowed, else
 * today). Picking a day fills the field and fires `input` and `change`.
 * @param {HTMLInputElement} input
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} wrapper
 */
function showCalendar(input, button, wrapper) {
  openCalendar?.close();
  const { min, max } = bounds.get(input) ?? { min: null, max: null };
  const read = readDate(input);
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  const start = (read.ok && read.iso) || (max && max < today ? max : today);
  let year = Number(start.slice(0, 4));
  let month = Number(start.slice(5, 7));
  const selected = read.ok ? read.iso : null;

  const box = document.createElement('div');
  box.className = 'date-calendar';
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-label', t('date.calendar'));
  const head = document.createElement('div');
  head.className = 'date-calendar-head';
  const prev = navButton('date-prev', t('date.prev_month'), 'M12.5 4l-6 6 6 6');
  const next = navButton('date-next', t('date.next_month'), 'M7.5 4l6 6-6 6');
  const monthSelect = document.createElement('select');
  monthSelect.className = 'date-month';
  monthSelect.setAttribute('aria-label', t('date.month'));
  const months = t('date.months').split(',');
  months.forEach((name, i) => monthSelect.append(new Option(name, String(i + 1))));
  const weekdays = t('date.weekdays').split(',');
  const weekdayNames = t('date.weekday_names').split(',');
  const yearInput = document.createElement('input');
  yearInput.type = 'number';
  yearInput.className = 'date-year';
  yearInput.setAttribute('aria-label', t('date.year'));
  yearInput.min = min ? min.slice(0, 4) : '1900';
  yearInput.max = max ? max.slice(0, 4) : '2100';
  head.append(prev, monthSelect, yearInput, next);
  const grid = document.createElement('table');
  grid.className = 'date-grid';
  grid.setAttribute('role', 'grid');
  box.append(head, grid);

  function render() {
    monthSelect.value = String(month);
    yearInput.value = String(year);
    const firstIso = isoOf(year, month, 1);
    const lastIso = isoOf(year, month, 31);
    prev.disabled = Boolean(min && firstIso <= min);
    next.disabled = Boolean(max && lastIso >= max);
    const headRow = document.createElement('tr');
    for (let d = 0; d < 7; d += 1) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = weekdays[d] ?? '';
      th.title = weekdayNames[d] ?? '';
      headRow.append(th);
    }
    const body = document.createElement('tbody');
    for (const week of monthGrid(year, month)) {
      const row = document.createElement('tr');
      for (const day of week) {
        const cell = document.createElement('td');
        if (day !== null) {
          const iso = isoOf(year, month, day);
          const dayButton = document.createElement('button');
          dayButton.type = 'button';
          dayButton.className = 'date-day';
          dayButton.textContent = String(day);
          dayButton.dataset.date = iso;
          dayButton.setAttribute('aria-label', formatDmy(iso));
          if (iso === selected) dayButton.setAttribute('aria-pressed', 'true');
          if (iso === today) dayButton.classList.add('today');
          dayButton.disabled = Boolean((min && iso < min) || (max && iso > max));
          dayButton.addEventListener('click', () => pick(iso));
          cell.append(dayButton);
        }
        row.append(cell);
      }
      body.append(row);
    }
    const thead = document.createElement('thead');
    thead.append(headRow);
    grid.replaceChildren(thead, body);
  }

  /** @param {number} by */
  function move(by) {
    month += by;
    if (month < 1) { month = 12; year -= 1; }
    if (month > 12) { month = 1; year += 1; }
    render();
  }

  /** @param {string} iso */
  function pick(iso) {
    input.value = formatDmy(iso);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    close();
    input.focus();
  }

  prev.addEventListener('click', () => move(-1));
  next.addEventListener('click', () => move(1));
  monthSelect.addEventListener('change', () => { month = Number(monthSelect.value); render(); });
  yearInput.addEventListener('change', () => {
    const y = Number(yearInput.value);
    if (Number.isInteger(y) && y >= 1900 && y <= 2100) year = y;
    render();
  });

  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
      button.focus();
    }
  };
  /** @param {PointerEvent} event */
  const onOutside = (event) => {
    if (!(event.target instanceof Node) || (!box.contains(event.target) && !wrapper.contains(event.target))) close();
  };

  function close() {
    box.remove();
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    box.removeEventListener('keydown', onKey);
    if (openCalendar?.close === close) openCalendar = null;
  }

  render();
  wrapper.append(box);
  button.setAttribute('aria-expanded', 'true');
  box.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', onOutside, true);
  openCalendar = { close };
  /** @type {HTMLButtonElement | null} */
  const focus = box.querySelector('.date-day[aria-pressed="true"]') ?? box.querySelector('.date-day.today:not(:disabled)') ?? box.querySelector('.date-day:not(:disabled)');
  focus?.focus();
}

/**
 * @param {string} className
 * @param {string} label
 * @param {string} path the arrow's SVG path
 */
function navButton(className, label, path) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `date-nav ${className}`;
  button.setAttribute('aria-label', label);
  button.title = label;
  button.innerHTML = `<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><path d="${path}" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return button;
}
