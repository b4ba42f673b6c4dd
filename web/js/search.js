// @ts-check
// The search box: asks /api/search as the user types (accent-insensitive on the server), lists
// the hits with their layer, and hands the one picked (click, Enter) to `onPick(hit)`.
// A combobox with a listbox: arrows move, Enter picks, Escape closes.

import { errorMessage, search } from './api.js';
import { required } from './dom.js';
import { t, title } from './i18n.js';

/** @import { SearchHit, Titles } from './types.js' */

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
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-hit-${active}`);
    else input.removeAttribute('aria-activedescendant');
    open(hits.length > 0);
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
      const answer = await search(q, commune);
      if (mine !== sequence) return;
      hits = Array.isArray(answer) ? answer : [];
      active = hits.length ? 0 : -1;
      if (hits.length === 0) render(t('search.none', { q }));
      else render();
    } catch (error) {
      if (mine !== sequence) return;
      hits = [];
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
      open(false);
      return;
    }
    timer = setTimeout(() => run(q), 180);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && hits.length) {
      event.preventDefault();
      active = (active + 1) % hits.length;
      render();
    } else if (event.key === 'ArrowUp' && hits.length) {
      event.preventDefault();
      active = (active - 1 + hits.length) % hits.length;
      render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (active >= 0) pick(active);
    } else if (event.key === 'Escape') {
      open(false);
    }
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 150));
  input.addEventListener('focus', () => {
    if (hits.length) render();
  });
}
