// @ts-check
// Finding the elements of index.html that the modules build on.

/**
 * The element `selector` names, of the type expected; throws if the page lacks it, so that a
 * broken index.html fails at start rather than half way.
 * @template {Element} T
 * @param {string} selector
 * @param {{ new (): T }} type e.g. HTMLSelectElement
 * @param {ParentNode} [root]
 * @returns {T}
 */
export function required(selector, type, root = document) {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} ${selector}`);
  return found;
}
