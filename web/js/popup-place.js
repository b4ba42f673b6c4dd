// @ts-check
// Where a popup goes, pure (no DOM): on which side of its point (MapLibre's anchor), and by how
// much the map must move, so that the whole popup is in the visible part of the map and
// clear of what lies over it (the legend, the header card on a phone, the map's buttons, the
// editing toolbar). MapLibre only keeps a popup inside the map's box.

/** A rectangle in CSS pixels of the map's container. @typedef {{ left: number, top: number, right: number, bottom: number }} Rect */

/** @typedef {'bottom' | 'top' | 'left' | 'right' | 'bottom-left' | 'bottom-right' | 'top-left' | 'top-right'} Anchor */

/** How far the popup's point stays from what covers the map, in pixels. */
const POINT_MARGIN = 8;

/** The sides tried, in this order: above the point first, as MapLibre does. @type {Anchor[]} */
export const ANCHORS = ['bottom', 'top', 'left', 'right', 'bottom-left', 'bottom-right', 'top-left', 'top-right'];

/**
 * The box of a popup of `width` x `height` anchored at `point` (MapLibre's `anchor`: the
 * popup's side at the point) with `gap` pixels between them (the tip and the offset).
 * @param {{ x: number, y: number }} point
 * @param {Anchor} anchor
 * @param {number} width
 * @param {number} height
 * @param {number} gap
 * @returns {Rect}
 */
export function boxAt({ x, y }, anchor, width, height, gap) {
  const [vertical, horizontal] = anchor.includes('-') ? anchor.split('-') : [anchor, ''];
  let left = x - width / 2;
  let top = y - height / 2;
  if (vertical === 'bottom') top = y - gap - height;
  else if (vertical === 'top') top = y + gap;
  if (vertical === 'left') left = x + gap;
  else if (vertical === 'right') left = x - gap - width;
  // A corner anchor puts that corner of the popup at the point.
  if (horizontal === 'left') left = x;
  else if (horizontal === 'right') left = x - width;
  if (horizontal && vertical === 'bottom') top = y - gap - height;
  return { left, top, right: left + width, bottom: top + height };
}

/**
 * @param {Rect} a
 * @param {Rect} b
 */
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * @param {Rect} inner
 * @param {Rect} outer
 */
const inside = (inner, outer) => inner.left >= outer.left && inner.right <= outer.right && inner.top >= outer.top && inner.bottom <= outer.bottom;

/**
 * Where the popup goes: the first anchor (in ANCHORS' order) whose box lies in `free` clear
 * of `obstacles` with the map as it is (the point in sight too); else the anchor and the smallest shift of the map
 * (`dx`, `dy`: how far the point must move on screen) that make it so; else, when nothing
 * fits, above the point and moved to the top left of the free area, clear of nothing.
 * @param {{ x: number, y: number }} point
 * @param {{ width: number, height: number, gap: number }} size
 * @param {Rect} free the part of the map the popup may cover
 * @param {Rect[]} obstacles what lies over the map
 * @returns {{ anchor: Anchor, dx: number, dy: number, fits: boolean }}
 */
export function placePopup(point, { width, height, gap }, free, obstacles) {
  /** @param {Rect} box */
  const clear = (box) => inside(box, free) && !obstacles.some((o) => overlaps(box, o));
  // The point itself stays in sight, a few pixels clear of what covers the map.
  /** @param {{ x: number, y: number }} p */
  const seen = (p) => p.x >= free.left && p.x <= free.right && p.y >= free.top && p.y <= free.bottom
    && !obstacles.some((o) => p.x > o.left - POINT_MARGIN && p.x < o.right + POINT_MARGIN && p.y > o.top - POINT_MARGIN && p.y < o.bottom + POINT_MARGIN);
  for (const anchor of ANCHORS) {
    if (seen(point) && clear(boxAt(point, anchor, width, height, gap))) return { anchor, dx: 0, dy: 0, fits: true };
  }
  // The shifts that put an edge of the box on an edge of the free area or of an obstacle.
  /** @type {{ anchor: Anchor, dx: number, dy: number, cost: number } | null} */
  let best = null;
  for (const [rank, anchor] of ANCHORS.entries()) {
    const box = boxAt(point, anchor, width, height, gap);
    const xs = [0, free.left - box.left, free.right - box.right, ...obstacles.flatMap((o) => [
      o.right - box.left, o.left - box.right, o.right + POINT_MARGIN - point.x, o.left - POINT_MARGIN - point.x,
    ])];
    const ys = [0, free.top - box.top, free.bottom - box.bottom, ...obstacles.flatMap((o) => [
      o.bottom - box.top, o.top - box.bottom, o.bottom + POINT_MARGIN - point.y, o.top - POINT_MARGIN - point.y,
    ])];
    for (const dx of xs) {
      for (const dy of ys) {
        const moved = { left: box.left + dx, right: box.right + dx, top: box.top + dy, bottom: box.bottom + dy };
        if (!seen({ x: point.x + dx, y: point.y + dy }) || !clear(moved)) continue;
        const cost = Math.abs(dx) + Math.abs(dy) + rank * 0.01;
        if (!best || cost < best.cost) best = { anchor, dx, dy, cost };
      }
    }
  }
  if (best) return { anchor: best.anchor, dx: best.dx, dy: best.dy, fits: true };
  const box = boxAt(point, 'top-left', width, height, gap);
  return { anchor: 'top-left', dx: free.left - box.left, dy: free.top - box.top, fits: false };
}
