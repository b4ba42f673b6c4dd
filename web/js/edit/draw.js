// @ts-check
// terra-draw, the drawing and vertex-editing library (web/vendor/terra-draw/, resolved by the
// import map in index.html): loaded on first use so that viewers never download it, and set
// up once with the editor's colours and rules. This module owns the one TerraDraw instance;
// the others go through its functions.

import { asOriginalType, editableGeometry, rounded } from './geometry.js';
import { snapToRoads } from './snap.js';

/**
 * @import { Geometry } from 'geojson'
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { TerraDraw } from 'terra-draw'
 * @import { EditedFeature } from '../state.js'
 * @import { EditContext } from './context.js'
 */

/** terra-draw's mode for each drawing tool. */
export const DRAW_MODE = /** @type {const} */ ({ line: 'linestring', point: 'point', polygon: 'polygon' });

/** terra-draw's mode for each geometry it edits. */
const EDIT_MODE = /** @type {const} */ ({ LineString: 'linestring', Polygon: 'polygon', Point: 'point' });

const BLUE = '#0b6bcb';
const ORANGE = '#d9480f';

/** @type {TerraDraw | null} */
let draw = null;

/** The TerraDraw instance, null until the first drawing (for the test hook and debugging). */
export const currentDraw = () => draw;

/**
 * The TerraDraw instance, made (and terra-draw loaded) on first use.
 * @param {EditContext} ctx
 * @returns {Promise<TerraDraw>}
 */
export async function ensureDraw(ctx) {
  if (draw) return draw;
  const [{ TerraDraw, TerraDrawLineStringMode, TerraDrawPointMode, TerraDrawPolygonMode, TerraDrawSelectMode }, { TerraDrawMapLibreGLAdapter }] =
    await Promise.all([import('terra-draw'), import('terra-draw-maplibre-gl-adapter')]);
  const { map } = ctx.page;
  const snapping = { toCustom: /** @param {{ containerX: number, containerY: number }} event */ (event) => snapToRoads(map, event) };
  const editable = { draggable: true, midpoints: true, deletable: true, snappable: snapping };
  const made = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: 7, prefixId: 'kheo-draw' }),
    modes: [
      new TerraDrawLineStringMode({
        snapping,
        styles: { lineStringColor: BLUE, lineStringWidth: 4, closingPointColor: '#ffffff', closingPointOutlineColor: BLUE, closingPointWidth: 6, closingPointOutlineWidth: 2 },
      }),
      new TerraDrawPointMode({ styles: { pointColor: BLUE, pointWidth: 7, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
      new TerraDrawPolygonMode({ snapping, styles: { fillColor: BLUE, fillOpacity: 0.15, outlineColor: BLUE, outlineWidth: 3 } }),
      new TerraDrawSelectMode({
        // The page decides what is selected: no deselecting by a click beside it, no Delete
        // key (deleting goes through the confirmation and the API).
        allowManualDeselection: false,
        keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
        flags: {
          linestring: { feature: { draggable: false, coordinates: editable } },
          polygon: { feature: { draggable: false, coordinates: editable } },
          point: { feature: { draggable: true } },
        },
        styles: {
          selectedLineStringColor: ORANGE, selectedLineStringWidth: 4,
          selectedPolygonColor: ORANGE, selectedPolygonFillOpacity: 0.12, selectedPolygonOutlineColor: ORANGE, selectedPolygonOutlineWidth: 3,
          selectedPointColor: ORANGE, selectedPointWidth: 8, selectedPointOutlineColor: '#ffffff', selectedPointOutlineWidth: 2,
          selectionPointColor: '#ffffff', selectionPointOutlineColor: ORANGE, selectionPointWidth: 5, selectionPointOutlineWidth: 2,
          midPointColor: ORANGE, midPointOutlineColor: '#ffffff', midPointWidth: 3.5, midPointOutlineWidth: 1,
        },
      }),
    ],
  });
  made.start();
  made.on('finish', (id, context) => ctx.commands.drawn(id, context));
  made.on('change', (ids, type) => {
    if (type === 'update' || type === 'create') ctx.commands.reshaped(ids);
  });
  draw = made;
  return made;
}

/**
 * Starts drawing a new line, point or polygon (whatever was drawn is dropped).
 * @param {EditContext} ctx
 * @param {keyof typeof DRAW_MODE} kind
 */
export async function startDrawing(ctx, kind) {
  const made = await ensureDraw(ctx);
  made.clear();
  made.setMode(DRAW_MODE[kind]);
}

/**
 * Leaves a drawing mode; `keep` keeps what was drawn (the feature in the form), else it goes.
 * @param {{ keep: boolean }} options
 */
export function stopDrawing({ keep }) {
  if (!draw) return;
  draw.setMode('static');
  if (!keep) draw.clear();
}

/** Leaves any mode and drops whatever terra-draw holds. */
export function clearDraw() {
  if (!draw) return;
  draw.setMode('static');
  draw.clear();
}

/**
 * Selects a drawn feature for vertex editing.
 * @param {string | number} drawId
 */
export function selectDrawn(drawId) {
  if (!draw) return;
  draw.setMode('select');
  draw.selectFeature(drawId);
}

/**
 * Puts a stored geometry into terra-draw, selected for vertex editing. Returns its id there,
 * or null if terra-draw cannot edit it (several parts, or refused).
 * @param {EditContext} ctx
 * @param {Geometry | null} geometry
 * @returns {Promise<string | number | null>}
 */
export async function showOnDraw(ctx, geometry) {
  clearDraw();
  const part = editableGeometry(geometry);
  if (!part) return null;
  // terra-draw refuses coordinates more precise than its coordinatePrecision.
  const editable = rounded(part);
  const made = await ensureDraw(ctx);
  made.setMode('static');
  made.clear();
  const drawId = made.getFeatureId();
  const [result] = made.addFeatures([{ id: drawId, type: 'Feature', geometry: editable, properties: { mode: EDIT_MODE[editable.type] } }]);
  if (result && result.valid === false) {
    console.warn('terra-draw refused the geometry:', result.reason);
    return null;
  }
  selectDrawn(drawId);
  return drawId;
}

/**
 * The geometry of the feature in the form: as edited in terra-draw, else as stored.
 * @param {EditedFeature | null} current
 * @returns {Geometry | null}
 */
export function editedGeometry(current) {
  if (!current) return null;
  const snapshot = current.drawId !== null ? draw?.getSnapshotFeature(current.drawId) : undefined;
  return snapshot ? asOriginalType(snapshot.geometry, current.original) : current.original;
}

/**
 * The drawn geometry of a terra-draw feature (a new drawing), or null.
 * @param {string | number} drawId
 * @returns {Geometry | null}
 */
export const drawnGeometry = (drawId) => draw?.getSnapshotFeature(drawId)?.geometry ?? null;

/**
 * Ends the line or polygon being drawn, as the Enter key does (for touch and keyboard users:
 * terra-draw listens for Enter on the map's canvas only).
 * @param {MapLibreMap} map
 */
export function finishDrawing(map) {
  const canvas = map.getCanvas();
  for (const type of ['keydown', 'keyup']) canvas.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', bubbles: true }));
}
