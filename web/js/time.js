// @ts-check
// The time control: a year slider (from the timeline's first year to this year), an exact date
// (dd/mm/yyyy whatever the browser's language, date-input.js) and a play button that steps
// through the years. It calls `onChange(asOf)` with `YYYY-12-31` for a past year, the exact date picked, or null for today; `onChange` returns a
// promise that settles once the map and the numbers show that date (play waits for it).

import { dateField, dateProblemText, readDate, setDate, setDateBounds } from './date-input.js';
import { required } from './dom.js';
import { t } from './i18n.js';

/**
 * @typedef {object} TimeControl
 * @property {(shownIso: string, asOf: string | null) => void} show shows the date the numbers
 *   are at (`asOf` null meaning today)
 * @property {(min: number, max: number) => void} setRange the years the slider offers
 * @property {(year: number) => Promise<void>} setYear shows the end of `year` (stops playing)
 * @property {() => boolean} isPlaying
 */

/**
 * The time control in `root`: the year slider, the date input and the play button.
 * @param {HTMLElement} root
 * @param {{ firstYear: number, today: string, onChange: (asOf: string | null) => Promise<void> }} options
 * @returns {TimeControl}
 */
export function enableTimeControl(root, { firstYear, today, onChange }) {
  const slider = required('#year', HTMLInputElement, root);
  const out = required('.year-out', HTMLOutputElement, root);
  const date = required('#date', HTMLInputElement, root);
  const play = required('.play', HTMLButtonElement, root);
  const thisYear = Number(today.slice(0, 4));
  slider.min = String(firstYear);
  slider.max = String(thisYear);
  slider.value = String(thisYear);
  // The exact date, typed dd/mm/yyyy or picked in the calendar, whatever the browser's language.
  dateField(date, { max: today });
  let playing = false;
  let shownYear = thisYear;
  /** The date last shown or asked for from the date box, so that Enter and `change` ask once. */
  let asked = '';

  /** @param {number} year */
  const asOfOfYear = (year) => (year >= thisYear ? null : `${year}-12-31`);
  /** @param {number} year */
  const label = (year) => (year >= thisYear ? t('time.today') : String(year));

  /** @param {number} min @param {number} max */
  function setRange(min, max) {
    slider.min = String(min);
    slider.max = String(max);
    setDateBounds(date, { min: `${min}-01-01` });
    required('.year-min', HTMLElement, root).textContent = String(min);
    required('.year-max', HTMLElement, root).textContent = String(max);
    slider.value = String(shownYear);
  }
  setRange(firstYear, thisYear);

  /**
   * Shows the date the numbers are at (`shownIso`), `asOf` null meaning today.
   * @param {string} shownIso
   * @param {string | null} asOf
   */
  function show(shownIso, asOf) {
    const year = Number(shownIso.slice(0, 4));
    shownYear = year;
    slider.value = String(year);
    out.textContent = asOf === null ? t('time.today') : asOf.endsWith('-12-31') ? String(year) : shownIso.split('-').reverse().join('/');
    slider.setAttribute('aria-valuetext', out.textContent);
    setDate(date, shownIso);
    date.setCustomValidity('');
    asked = shownIso;
  }

  slider.addEventListener('input', () => {
    out.textContent = label(Number(slider.value));
  });
  slider.addEventListener('change', () => {
    stop();
    onChange(asOfOfYear(Number(slider.value)));
  });
  function askDate() {
    const read = readDate(date);
    date.setCustomValidity(read.ok ? '' : dateProblemText(read.problem, date));
    if (!read.ok) {
      date.reportValidity();
      return;
    }
    if (!read.iso || read.iso === asked) return;
    asked = read.iso;
    stop();
    onChange(read.iso >= today ? null : read.iso);
  }
  date.addEventListener('change', askDate);
  date.addEventListener('input', () => date.setCustomValidity(''));
  // Enter shows the date typed (a text field's `change` comes on Enter only after a change).
  date.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') askDate();
  });

  function stop() {
    playing = false;
    play.setAttribute('aria-pressed', 'false');
    play.setAttribute('aria-label', t('time.play'));
    play.title = t('time.play');
    root.classList.remove('playing');
  }

  async function run() {
    let year = Number(slider.value);
    if (year >= thisYear) year = Number(slider.min) - 1;
    while (playing && year < thisYear) {
      year += 1;
      const started = performance.now();
      await onChange(asOfOfYear(year));
      const wait = 900 - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    stop();
  }

  play.addEventListener('click', () => {
    if (playing) {
      stop();
      return;
    }
    playing = true;
    play.setAttribute('aria-pressed', 'true');
    play.setAttribute('aria-label', t('time.pause'));
    play.title = t('time.pause');
    root.classList.add('playing');
    run();
  });

  return {
    show,
    setRange,
    setYear: (/** @type {number} */ year) => {
      stop();
      return onChange(asOfOfYear(year));
    },
    isPlaying: () => playing,
  };
}
