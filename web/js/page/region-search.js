// @ts-check
// The search box on a region's page: its communes, found as the planner types (without
// diacritics too: "quynh" finds "Quỳnh"; names and codes), best matches first (a name that
// starts with the text before one that contains it). A commune picked is framed and outlined
// on the map, its row marked in the table; Enter on it again (or a click on the map) opens
// its page. All client-side: the region's communes are already on the page.

import { required } from '../dom.js';
import { el } from '../element.js';
import { t } from '../i18n.js';
import { getState } from '../state.js';

/** @import { RegionPage } from './region.js' */

/**
 * Lower case without diacritics (đ as d), for matching.
 * @param {string} text
 */
export const fold = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase().trim();

/**
 * The communes matching `q`, best first: name or code equal, then starting with it, then a
 * word of the name starting with it, then containing it; at most `limit`.
 * @param {{ code: string, name: string }[]} communes
 * @param {string} q
 * @param {number} [limit]
 */
export function matchCommunes(communes, q, limit = 20) {
  const needle = fold(q);
  if (!needle) return [];
  /** @param {{ code: string, name: string }} c */
  const rank = (c) => {
    const name = fold(c.name);
    if (name === needle || c.code === needle) return 0;
    if (name.startsWith(needle) || c.code.startsWith(needle)) return 1;
    if (name.split(/\s+/).some((w) => w.startsWith(needle))) return 2;
    if (name.includes(needle)) return 3;
    return 9;
  };
  return communes
    .map((c) => ({ c, r: rank(c) }))
    .filter((x) => x.r < 9)
    .sort((a, b) => a.r - b.r || a.c.name.localeCompare(b.c.name, 'vi', { numeric: true }))
    .slice(0, limit)
    .map((x) => x.c);
}

/**
 * @param {RegionPage} _page
 * @param {{ frame: (code: string) => void, open: (code: string) => void }} actions
 */
export function enableRegionSearch(_page, { frame, open }) {
  const root = required('.search', HTMLElement);
  const input = required('input', HTMLInputElement, root);
  const list = required('.search-results', HTMLElement, root);
  input.placeholder = t('region.search');
  /** @type {{ code: string, name: string }[]} */
  let hits = [];
  let active = -1;
  /** @type {string | null} */
  let picked = null;

  /** @param {boolean} isOpen */
  const show = (isOpen) => {
    list.hidden = !isOpen;
    input.setAttribute('aria-expanded', String(isOpen));
  };

  function render() {
    if (hits.length === 0) {
      list.replaceChildren(el('li', { class: 'search-empty' }, t('search.none', { q: input.value.trim() })));
      show(true);
      return;
    }
    list.replaceChildren(...hits.map((hit, i) => {
      const li = el('li', { id: `search-hit-${i}`, role: 'option', 'aria-selected': String(i === active), class: i === active ? 'active' : '', dataset: { code: hit.code } },
        el('span', { class: 'hit-name' }, hit.name), el('span', { class: 'hit-layer' }, hit.code));
      li.addEventListener('mousedown', (event) => event.preventDefault());
      li.addEventListener('click', () => pick(i));
      return li;
    }));
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-hit-${active}`);
    show(true);
  }

  /** @param {number} i */
  function pick(i) {
    const hit = hits[i];
    if (!hit) return;
    input.value = hit.name;
    show(false);
    picked = hit.code;
    frame(hit.code);
    // Its rows stay marked while the pointer moves over others (hovering marks them `active`).
    for (const row of document.querySelectorAll('.groups-table tbody tr.picked')) row.classList.remove('picked');
    const rows = document.querySelectorAll(`.groups-table tbody tr[data-code="${CSS.escape(hit.code)}"]`);
    for (const row of rows) row.classList.add('picked');
    rows[0]?.scrollIntoView({ block: 'nearest' });
  }

  input.addEventListener('input', () => {
    picked = null;
    const q = input.value.trim();
    if (q.length < 1) {
      hits = [];
      show(false);
      return;
    }
    hits = matchCommunes(getState().data.region?.communes ?? [], q);
    active = hits.length ? 0 : -1;
    render();
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
      if (picked && list.hidden) open(picked);
      else if (active >= 0) pick(active);
    } else if (event.key === 'Escape') {
      show(false);
    }
  });
  input.addEventListener('blur', () => setTimeout(() => show(false), 150));
}
