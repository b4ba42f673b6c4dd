// @ts-check
// Dividing a road's contributions between the parts of a split, by length, pure: money in
// whole đồng, workdays to a tenth, and the parts add up exactly to the whole (the last part
// takes what is left after the others are rounded), so that splitting a road changes no
// total in the coverage numbers.

/** @import { Properties } from '../types.js' */

/** The amounts a split divides, with the decimals each part keeps. */
export const DIVIDED = Object.freeze({ people_vnd: 0, state_vnd: 0, workdays: 1 });

/**
 * The decimals of `value` as written (3 for 1.125), at most 6.
 * @param {number} value
 */
function decimalsOf(value) {
  for (let d = 0; d < 6; d += 1) if (Number.isInteger(Math.round(value * 10 ** d * 1e6) / 1e6)) return d;
  return 6;
}

/**
 * `total` divided in proportion to `weights`: each part but the last rounded to `decimals`,
 * the last what remains (in the precision of `total` when it has more decimals).
 * @param {number} total
 * @param {number[]} weights
 * @param {number} decimals
 * @returns {number[]}
 */
export function divide(total, weights, decimals) {
  const sum = weights.reduce((a, b) => a + b, 0);
  const scale = 10 ** Math.max(decimals, decimalsOf(total));
  const step = scale / 10 ** decimals; // units of `scale` per rounding step
  const units = Math.round(total * scale);
  const parts = weights.slice(0, -1).map((w) => Math.round((sum > 0 ? (units * w) / sum : units / weights.length) / step) * step);
  parts.push(units - parts.reduce((a, b) => a + b, 0));
  return parts.map((u) => u / scale);
}

/**
 * The divided amounts of each part of a feature cut into parts of `lengths` metres: one
 * object per part with the amounts the feature has (the other properties are not in it).
 * @param {Properties | null} properties
 * @param {number[]} lengths
 * @returns {Properties[]}
 */
export function divideByLength(properties, lengths) {
  /** @type {Properties[]} */
  const parts = lengths.map(() => ({}));
  for (const [name, decimals] of Object.entries(DIVIDED)) {
    const value = properties?.[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    divide(value, lengths, decimals).forEach((share, i) => { parts[i][name] = share; });
  }
  return parts;
}
