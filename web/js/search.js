// @ts-check
// The search box: asks /api/search as the user types (accent-insensitive on the server, which
// also reads "TDP 4" or "tổ 4" as a group and puts the best first), lists the hits with their
// layer a page at a time ("Xem thêm" asks for the next), and hands the one picked (click,
// Enter) to `onPick(hit)`, which shows it on the map. A combobox with a listbox: arrows move,
// Enter picks, Escape closes.

import { errorMessage, search } from './api.js';
import { required } from './dom.js';
import { t, title } from './i18n.js';

/** @import { SearchHit, Titles } from './types.js' */

/** Hits shown at a time; one more is asked for, to know whether there are more. */
const PAGE = 12;

/**
 * The search box in `root` (its input and its results list).
 * @param {HTMLElement} root
 * @param {{ commune: string, onPick: (hit: SearchHit) => void, layerTitle: (layer: string) => Titles | undefined }} options
 *   `layerTitle` names a hit's layer
 */
export function enableSearch(root, { commune, onPick, layerTitle }) {
  const input = required('input', HTMLInputElement, root);
  const list = required('.search-results', HTMLElement, root);
  /** @type {SearchHit[]} */
  let hits = [];
  let active = -1;
  /** Whether the server has more hits than those listed, and for which text. */
  let more = false;
  let shownQuery = '';
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let sequence = 0; // answers that come back late are dropped, never aborted

  /** @param {boolean} isOpen */
  const open = (isOpen) => {
    list.hidden = !isOpen;
    input.setAttribute('aria-expanded', String(isOpen));
  };

  /** @param {string | null} [message] shown instead of hits (none found, an error) */
  function render(message = null) {
    list.replaceChildren();
    if (message) {
      const li = document.createElement('li');
      li.className = 'search-empty';
      li.textContent = message;
      list.append(li);
      open(true);
      return;
    }
    hits.forEach((hit, i) => {
      const li = document.createElement('li');
      li.id = `search-hit-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.className = i === active ? 'active' : '';
      const name = document.createElement('span');
      name.className = 'hit-name';
      name.textContent = hit.name;
      const layer = document.createElement('span');
      layer.className = 'hit-layer';
      layer.textContent = title(layerTitle(hit.layer)) || hit.layer;
      li.append(name, layer);
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => pick(i));
      list.append(li);
    });
    if (more) {
      const li = document.createElement('li');
      li.id = 'search-more';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(active === hits.length));
      li.className = `search-more${active === hits.length ? ' active' : ''}`;
      li.textContent = t('search.more');
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => loadMore());
      list.append(li);
    }
    const activeId = active === hits.length && more ? 'search-more' : `search-hit-${active}`;
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', activeId);
      document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
    open(hits.length > 0);
  }

  /** The next page of hits, after those listed. */
  async function loadMore() {
    const mine = ++sequence;
    const q = shownQuery;
    try {
      const answer = await search(q, commune, PAGE + 1, hits.length);
      if (mine !== sequence) return;
      const page = Array.isArray(answer) ? answer : [];
      more = page.length > PAGE;
      active = hits.length; // the first of the new ones
      hits = [...hits, ...page.slice(0, PAGE)];
      render();
      input.focus();
    } catch (error) {
      if (mine !== sequence) return;
      console.warn('search:', errorMessage(error));
    }
  }

  /** @param {number} i */
  function pick(i) {
    const hit = hits[i];
    if (!hit) return;
    input.value = hit.name;
    open(false);
    onPick(hit);
  }

  /** @param {string} q */
  async function run(q) {
    const mine = ++sequence;
    try {
      const answer = await search(q, commune, PAGE + 1);
      if (mine !== sequence) return;
      const page = Array.isArray(answer) ? answer : [];
      more = page.length > PAGE;
      shownQuery = q;
      hits = page.slice(0, PAGE);
      active = hits.length ? 0 : -1;
      if (hits.length === 0) render(t('search.none', { q }));
      else render();
    } catch (error) {
      if (mine !== sequence) return;
      hits = [];
      more = false;
      render(t('search.error'));
      console.warn('search:', errorMessage(error));
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) {
      sequence += 1;
      hits = [];
      more = false;
      open(false);
      return;
    }
    timer = setTimeout(() => run(q), 180);
  });
  input.addEventListener('keydown', (event) => {
    // The options: the hits, and "Xem thêm" after them when there are more.
    const options = hits.length + (more ? 1 : 0);
    if (event.key === 'ArrowDown' && options) {
      event.preventDefault();
      active = (active + 1) % options;
      render();
    } else if (event.key === 'ArrowUp' && options) {
      event.preventDefault();
      active = (active - 1 + options) % options;
      render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (more && active === hits.length) loadMore();
      else if (active >= 0) pick(active);
    } else if (event.key === 'Escape') {
      open(false);
    }
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 150));
  input.addEventListener('focus', () => {
    if (hits.length) render();
  });
}
