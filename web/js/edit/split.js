// @ts-check
// Splitting the road in the form at a clicked point into two roads, so that each part gets
// its own surface and paving date: the road keeps the first part (PATCH), the second becomes
// a new road with the same properties (POST). The contributions (money, workdays) are divided
// by the parts' lengths, so that the two add up to what the road had (shares.js). Both writes
// or none: a failed POST puts the first part back.

import { errorMessage } from '../api.js';
import { t } from '../i18n.js';
import { getState, update } from '../state.js';
import { busy, createFeature, layerProperties, patchFeature } from './requests.js';
import { showWriteError } from './form.js';
import { geodesicLength } from '../geodesy.js';
import { asOriginalType, editableGeometry, nearestOnSegment } from './geometry.js';
import { divideByLength } from './shares.js';
import { pushUndo } from './undo.js';

/**
 * @import { Position } from 'geojson'
 * @import { Map as MapLibreMap, Point } from 'maplibre-gl'
 * @import { EditedFeature, FeaturePatch } from '../state.js'
 * @import { FeatureId } from '../types.js'
 * @import { EditContext } from './context.js'
 */

/** How close to the road a click must be to split it, in CSS pixels. */
const SPLIT_PX = 14;

/** A part shorter than this (metres) is no part: a click on an end vertex splits nothing. */
const MIN_PART_M = 0.5;

/**
 * The split tool's click.
 * @param {EditContext} ctx
 * @param {Point} point the click on the map
 */
export async function splitAt(ctx, point) {
  const c = getState().edit.current;
  const line = c && editableGeometry(c.feature.geometry);
  const id = c?.id ?? null;
  if (!c || c.isNew || id === null || c.layer !== 'roads' || line?.type !== 'LineString') {
    ctx.commands.setTool(null);
    return;
  }
  const parts = splitLine(ctx.page.map, line.coordinates, point);
  if (parts === 'missed') {
    ctx.toolbar.say(t('edit.hint_split_miss'));
    return;
  }
  if (parts === 'at an end') {
    ctx.toolbar.say(t('edit.hint_split_end'));
    return;
  }
  ctx.commands.setTool(null);
  try {
    await busy(() => writeSplit(ctx, c, id, parts));
  } catch (error) {
    console.warn('split:', errorMessage(error));
    showWriteError(ctx, error);
  }
}

/**
 * The line cut at the point of it nearest to the click, on screen.
 * @param {MapLibreMap} map
 * @param {Position[]} coords
 * @param {Point} point
 * @returns {{ first: Position[], second: Position[] } | 'missed' | 'at an end'}
 */
function splitLine(map, coords, point) {
  /** @type {{ d: number, i: number, k: number } | null} */
  let best = null;
  for (let i = 1; i < coords.length; i += 1) {
    const a = map.project(/** @type {[number, number]} */ (coords[i - 1]));
    const b = map.project(/** @type {[number, number]} */ (coords[i]));
    const { d, k } = nearestOnSegment(point, a, b);
    if (!best || d < best.d) best = { d, i, k };
  }
  if (!best || best.d > SPLIT_PX) return 'missed';
  const [ax, ay] = coords[best.i - 1];
  const [bx, by] = coords[best.i];
  const at = [Number((ax + best.k * (bx - ax)).toFixed(7)), Number((ay + best.k * (by - ay)).toFixed(7))];
  const first = [...coords.slice(0, best.i), at];
  const second = [at, ...coords.slice(best.i)];
  /** @param {Position[]} part */
  const tooShort = (part) => geodesicLength({ type: 'LineString', coordinates: part }) < MIN_PART_M;
  if (tooShort(first) || tooShort(second)) return 'at an end';
  return { first, second };
}

/**
 * The two writes of a split, kept as one change on the undo stack.
 * @param {EditContext} ctx
 * @param {EditedFeature} c the road in the form
 * @param {FeatureId} id its id
 * @param {{ first: Position[], second: Position[] }} parts
 */
async function writeSplit(ctx, c, id, { first, second }) {
  const layer = ctx.layers.get(c.layer);
  if (!layer) return;
  const stored = c.feature.geometry;
  const firstLine = asOriginalType({ type: 'LineString', coordinates: first }, stored);
  const secondLine = asOriginalType({ type: 'LineString', coordinates: second }, stored);
  const [firstShare, secondShare] = divideByLength(c.feature.properties, [geodesicLength(firstLine), geodesicLength(secondLine)]);
  /** @type {FeaturePatch} */
  const patch = { geometry: firstLine };
  /** @type {FeaturePatch} */
  const before = { geometry: stored };
  if (Object.keys(firstShare).length) {
    patch.properties = firstShare;
    before.properties = Object.fromEntries(Object.keys(firstShare).map((k) => [k, c.feature.properties?.[k] ?? null]));
  }
  await patchFeature(c.layer, id, patch);
  let secondId;
  try {
    secondId = await createFeature(c.layer, secondLine, { ...layerProperties(layer, c.feature.properties, ctx.page.commune.code), ...secondShare });
  } catch (error) {
    // Put the first part back: a split is both writes or none.
    await patchFeature(c.layer, id, before).catch(() => null);
    throw error;
  }
  pushUndo(t('edit.did_split', { name: String(c.feature.properties?.name ?? id) }), [
    { op: 'update', layer: c.layer, id, before },
    { op: 'create', layer: c.layer, id: secondId },
  ], { layer: c.layer, id });
  update('edit', { parts: { layer: c.layer, ids: [id, secondId] } });
  await ctx.refresh();
  await ctx.commands.open(c.layer, id, { message: t('edit.split_saved') });
}
