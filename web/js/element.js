// @ts-check
// `el()`: an element with attributes and children, built with DOM calls (no HTML parsing of
// data). Every part of the page builds its DOM with it (dashboard.js re-exports it for the
// modules that import it from there).

/** What `el` appends: nodes and texts; null, undefined and false are left out. @typedef {Node | string | null | undefined | false} Child */

/**
 * An element with attributes and children. Attributes: `class`, `dataset` (an object),
 * `on<event>` (a listener), `true` for a boolean attribute; null, undefined and false leave
 * the attribute out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    // Through the CSSOM: the Content Security Policy refuses style attributes.
    else if (key === 'style') node.style.cssText = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};
