// The search box: asks /api/search as the user types (accent-insensitive on the server), lists
// the hits with their layer, and hands the one picked (click, Enter) to `onPick(hit)`.
// A combobox with a listbox: arrows move, Enter picks, Escape closes.

import { search } from './api.js';
import { t, title } from './i18n.js';

export function enableSearch(root, { commune, onPick, layerTitle }) {
  const input = root.querySelector('input');
  const list = root.querySelector('.search-results');
  let hits = [];
  let active = -1;
  let timer = null;
  let sequence = 0; // answers that come back late are dropped, never aborted

  const open = (isOpen) => {
    list.hidden = !isOpen;
    input.setAttribute('aria-expanded', String(isOpen));
  };

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

  function pick(i) {
    const hit = hits[i];
    if (!hit) return;
    input.value = hit.name;
    open(false);
    onPick(hit);
  }

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
      console.warn('search:', error.message);
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
