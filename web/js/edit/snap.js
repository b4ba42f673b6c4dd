// @ts-check
// Snapping while drawing: a click near a road drawn on the map lands on the road, so that new
// roads meet the old ones and lighting lines follow them.

import { styleLayerIds } from '../layers.js';
import { getState } from '../state.js';
import { nearestOnSegment, round7 } from './geometry.js';

/**
 * @import { Position } from 'geojson'
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 */

/** Snapping distance, in CSS pixels. */
const SNAP_PX = 10;

/**
 * terra-draw's custom snapping: the nearest vertex of a visible road within SNAP_PX of the
 * pointer, else the nearest point on one of its segments, else nothing. The road in the form
 * is left out (its own vertices would catch every move).
 * @param {MapLibreMap} map
 * @param {{ containerX: number, containerY: number }} pointer where the pointer is, on the map
 * @returns {Position | undefined}
 */
export function snapToRoads(map, { containerX: x, containerY: y }) {
  const roadLayers = styleLayerIds('roads').filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  if (roadLayers.length === 0) return undefined;
  const found = map.queryRenderedFeatures([[x - SNAP_PX, y - SNAP_PX], [x + SNAP_PX, y + SNAP_PX]], { layers: roadLayers });
  const { current } = getState().edit;
  const skip = current?.layer === 'roads' ? current.id : null;
  const pointer = { x, y };
  /** @type {{ d: number, coord: Position } | null} */
  let vertex = null;
  /** @type {{ d: number, x: number, y: number } | null} */
  let onLine = null;
  for (const feature of found) {
    if (skip !== null && feature.id === skip) continue;
    const geometry = feature.geometry;
    const lines = geometry.type === 'LineString' ? [geometry.coordinates] : geometry.type === 'MultiLineString' ? geometry.coordinates : [];
    for (const line of lines) {
      /** @type {{ x: number, y: number } | null} */
      let previous = null;
      for (const coord of line) {
        const p = map.project(/** @type {[number, number]} */ (coord));
        const d = Math.hypot(p.x - x, p.y - y);
        if (d <= SNAP_PX && (!vertex || d < vertex.d)) vertex = { d, coord };
        if (previous) {
          const near = nearestOnSegment(pointer, previous, p);
          if (near.d <= SNAP_PX && (!onLine || near.d < onLine.d)) onLine = near;
        }
        previous = p;
      }
    }
  }
  if (vertex) return round7(vertex.coord);
  if (onLine) {
    const ll = map.unproject([onLine.x, onLine.y]);
    return round7([ll.lng, ll.lat]);
  }
  return undefined;
}
