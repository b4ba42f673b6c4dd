// @ts-check
// A few of many, fairly: one of each group before a second of any (the model sites' slide
// shows a photo of each site before a second photo of one). Pure: tested in Node
// (tests/web/spread.test.mjs).

/**
 * Up to `count` of `items`, taken in rounds over their groups: the first of each group (in
 * the order the groups first appear), then the second of each, and so on. Within a group,
 * the items keep their order.
 *
 * @template T
 * @param {T[]} items
 * @param {(item: T) => unknown} groupOf
 * @param {number} count
 * @returns {T[]}
 */
export function spread(items, groupOf, count) {
  /** @type {Map<unknown, T[]>} */
  const groups = new Map();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  /** @type {T[]} */
  const out = [];
  for (let round = 0; out.length < count; round += 1) {
    let took = false;
    for (const group of groups.values()) {
      if (out.length === count) break;
      if (round < group.length) {
        out.push(group[round]);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}
