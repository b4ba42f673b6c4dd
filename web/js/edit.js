// Editing in the page, for a signed-in editor of the commune shown (or an admin).
//
// A toolbar on the map: draw a line (road, flower route or lighting line: the select beside
// the button picks the layer), a point (model site) or a polygon (residential group); pick a
// feature to change its attributes and move its vertices; split the selected road at a
// clicked point into two roads; delete with a confirmation; undo the last change. The form
// (edit-form.js) is generated from the layer catalogue and covers the panel while a feature
// is edited; it also shows the feature's history.
//
// Drawing and vertex editing use terra-draw (web/vendor/terra-draw, loaded on first use so
// that viewers never download it). While drawing, clicks snap to the vertices (else the
// lines) of the roads drawn on the map within SNAP_PX.
//
// Every change goes through the API (auth.js's csrfFetch, If-Match with the feature's ETag),
// then `refresh()` reloads the works layers, the choropleth and the numbers the way the time
// slider does. The undo stack holds the inverse of each change: a create is undone by a
// DELETE, an update by a PATCH back to the previous values, a delete by a POST of the
// feature again (it comes back under a new id), a split by both.
//
// For tests: `<html data-edit-busy="1">` while a write and its refresh run ("0" after), and
// `window.kheo.edit` (the state).

import { canEdit, csrfFetch, enableAuth, onSession } from './auth.js';
import { el } from './dashboard.js';
import { attributeFields, changedProperties, historyList, WORKS } from './edit-form.js';
import { formatLength } from './format.js';
import { t, title } from './i18n.js';
import { styleLayerIds } from './layers.js';

/** Snapping distance, in CSS pixels. */
const SNAP_PX = 10;
/** How close to the selected road a click must be to split it, in CSS pixels. */
const SPLIT_PX = 14;
/** The layers a "Vẽ đường" can make. */
const LINE_LAYERS = ['roads', 'flower_routes', 'lighting_lines'];
/** Which layers the "Sửa" tool picks from, most specific first. */
const PICK_ORDER = ['model_sites', 'lighting_lines', 'flower_routes', 'roads', 'groups'];
/** terra-draw's mode for each catalogue geometry. */
const DRAW_MODE = { line: 'linestring', point: 'point', polygon: 'polygon' };

const featureUrl = (layer, id = null) =>
  `/api/layers/${encodeURIComponent(layer)}/features${id === null ? '' : `/${encodeURIComponent(id)}`}`;

// ---- geometry helpers -----------------------------------------------------------------------

/** Metres between two [lon, lat] (haversine; for the form's length, not for coverage). */
function haversine([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
}

function lineLength(geometry) {
  const lines = geometry?.type === 'LineString' ? [geometry.coordinates] : geometry?.type === 'MultiLineString' ? geometry.coordinates : [];
  let m = 0;
  for (const line of lines) for (let i = 1; i < line.length; i += 1) m += haversine(line[i - 1], line[i]);
  return m;
}

/**
 * terra-draw edits LineString, Polygon and Point only: a one-part Multi* geometry is edited as
 * its single part and turned back into a Multi* on save. Returns null for several parts.
 */
function editableGeometry(geometry) {
  if (!geometry) return null;
  if (['LineString', 'Polygon', 'Point'].includes(geometry.type)) return geometry;
  if (geometry.type === 'MultiLineString' && geometry.coordinates.length === 1) return { type: 'LineString', coordinates: geometry.coordinates[0] };
  if (geometry.type === 'MultiPolygon' && geometry.coordinates.length === 1) return { type: 'Polygon', coordinates: geometry.coordinates[0] };
  if (geometry.type === 'MultiPoint' && geometry.coordinates.length === 1) return { type: 'Point', coordinates: geometry.coordinates[0] };
  return null;
}

/** `edited` in the type of `original` (Multi* again when the original was). */
function asOriginalType(edited, original) {
  if (original && original.type === `Multi${edited.type}`) return { type: original.type, coordinates: [edited.coordinates] };
  return edited;
}

/** Coordinates rounded to 7 decimals (about 1 cm), the precision terra-draw is set to. */
function rounded(geometry) {
  const round = (c) => (typeof c[0] === 'number' ? c.map((v) => Math.round(v * 1e7) / 1e7) : c.map(round));
  return { type: geometry.type, coordinates: round(geometry.coordinates) };
}

/** Same type and coordinates, to terra-draw's precision. */
function sameGeometry(a, b) {
  const flat = (g) => JSON.stringify(g?.coordinates ?? null).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [];
  const x = flat(a);
  const y = flat(b);
  return a?.type === b?.type && x.length === y.length && x.every((v, i) => Math.abs(Number(v) - Number(y[i])) < 6e-8);
}

/** The stored properties of a feature, without the server's bookkeeping. */
function layerProperties(layer, properties, commune) {
  const out = { commune: properties?.commune ?? commune };
  for (const field of layer.fields ?? []) {
    const value = properties?.[field.name];
    if (value !== null && value !== undefined) out[field.name] = value;
  }
  return out;
}

// ---- the module -----------------------------------------------------------------------------

export function enableEditing({ map, commune, catalogue, popup = null, refresh }) {
  const layers = new Map(catalogue.map((layer) => [layer.id, layer]));
  const html = document.documentElement;
  const state = {
    allowed: false,
    tool: null, // null | {kind: 'line'|'point'|'polygon', layer} | {kind: 'pick'} | {kind: 'split'}
    current: null, // the feature in the form: {layer, id, feature, drawId, isNew, original}
    parts: null, // after a split: {layer, ids: [first, second]}
    undo: [], // [{label, ops: [...], focus: {layer, id} | null}]
  };
  const etags = new Map(); // `${layer}/${id}` -> the ETag last seen
  html.dataset.editBusy = '0';
  const etagKey = (layer, id) => `${layer}/${id}`;
  let draw = null; // the TerraDraw instance, made on first use

  // ---- the toolbar ---------------------------------------------------------------------------
  const icon = (d) => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 20 20');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    svg.innerHTML = d;
    return svg;
  };
  const ICONS = {
    line: '<path d="M3 16l5-7 4 3 5-8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><circle cx="3" cy="16" r="1.8" fill="currentColor"/><circle cx="17" cy="4" r="1.8" fill="currentColor"/>',
    point: '<path d="M10 18s-5-5.2-5-9a5 5 0 0110 0c0 3.8-5 9-5 9z" fill="none" stroke="currentColor" stroke-width="1.8"/><circle cx="10" cy="9" r="1.8" fill="currentColor"/>',
    polygon: '<path d="M4 6l7-3 6 5-3 9H5z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>',
    pick: '<path d="M4 3l11 6-5 1.5L8 16z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>',
    split: '<path d="M3 14l6-4M11 9l6-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><path d="M8 5l4 10" stroke="currentColor" stroke-width="1.4" stroke-dasharray="2 1.5"/>',
    delete: '<path d="M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>',
    undo: '<path d="M7 5L3 9l4 4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><path d="M3.5 9H12a4.5 4.5 0 010 9H8" fill="none" stroke="currentColor" stroke-width="1.8"/>',
  };
  const toolButton = (kind, label, onclick, extra = {}) =>
    el('button', { type: 'button', class: `edit-btn edit-${kind}`, onclick, title: label, dataset: { tool: kind }, ...extra }, icon(ICONS[kind]), el('span', { class: 'edit-btn-label' }, label));

  const lineLayers = LINE_LAYERS.filter((id) => layers.has(id));
  const lineLayerSelect = el('select', { class: 'edit-line-layer', 'aria-label': t('edit.line_layer') },
    lineLayers.map((id) => el('option', { value: id }, title(layers.get(id).title))));
  const buttons = {
    line: toolButton('line', t('edit.draw_line'), () => toggleTool({ kind: 'line', layer: lineLayerSelect.value }), { 'aria-pressed': 'false', hidden: lineLayers.length === 0 }),
    point: toolButton('point', t('edit.draw_point'), () => toggleTool({ kind: 'point', layer: 'model_sites' }), { 'aria-pressed': 'false', hidden: !layers.has('model_sites') }),
    polygon: toolButton('polygon', t('edit.draw_polygon'), () => toggleTool({ kind: 'polygon', layer: 'groups' }), { 'aria-pressed': 'false', hidden: !layers.has('groups') }),
    pick: toolButton('pick', t('edit.modify'), () => toggleTool({ kind: 'pick' }), { 'aria-pressed': 'false' }),
    split: toolButton('split', t('edit.split'), () => toggleTool({ kind: 'split' }), { 'aria-pressed': 'false' }),
    delete: toolButton('delete', t('edit.delete'), () => confirmDelete()),
    undo: toolButton('undo', t('edit.undo'), () => undoLast()),
  };
  const hint = el('p', { class: 'edit-hint', role: 'status', 'aria-live': 'polite' });
  const finishButton = el('button', { type: 'button', class: 'act edit-finish', hidden: true, onclick: () => finishDrawing() }, t('edit.finish'));
  const cancelToolButton = el('button', { type: 'button', class: 'act edit-cancel-tool', hidden: true, onclick: () => setTool(null) }, t('edit.cancel'));
  const toolbar = el('div', { class: 'edit-toolbar', role: 'toolbar', 'aria-label': t('edit.toolbar'), hidden: true },
    el('div', { class: 'edit-hintbar' }, hint, finishButton, cancelToolButton),
    el('div', { class: 'edit-buttons' },
      el('span', { class: 'edit-line-group' }, buttons.line, lineLayerSelect),
      buttons.point, buttons.polygon,
      el('span', { class: 'edit-sep', 'aria-hidden': 'true' }),
      buttons.pick, buttons.split, buttons.delete,
      el('span', { class: 'edit-sep', 'aria-hidden': 'true' }),
      buttons.undo));
  lineLayerSelect.addEventListener('change', () => {
    if (state.tool?.kind === 'line') setTool({ kind: 'line', layer: lineLayerSelect.value });
  });
  document.querySelector('.map-area').append(toolbar);

  // ---- the form (over the panel) ---------------------------------------------------------------
  const panel = el('section', { class: 'edit-panel', hidden: true, 'aria-labelledby': 'edit-title', tabindex: '-1' });
  document.querySelector('.panel').append(panel);

  // ---- the confirmation dialog ---------------------------------------------------------------
  const confirmText = el('p', { id: 'edit-confirm-text' });
  const confirmDialog = el('dialog', { class: 'kheo-dialog edit-confirm', 'aria-labelledby': 'edit-confirm-title', 'aria-describedby': 'edit-confirm-text' },
    el('form', { method: 'dialog' },
      el('h2', { id: 'edit-confirm-title' }, t('edit.delete_title')),
      confirmText,
      el('div', { class: 'auth-buttons' },
        el('button', { type: 'submit', value: 'cancel', class: 'act edit-confirm-cancel', autofocus: true }, t('edit.cancel')),
        el('button', { type: 'submit', value: 'delete', class: 'act act-danger edit-confirm-delete' }, t('edit.delete')))));
  document.body.append(confirmDialog);

  // ---- session: who may edit -----------------------------------------------------------------
  const accountBox = document.querySelector('.panel-tools');
  enableAuth(accountBox).catch((error) => console.warn('auth:', error.message));
  onSession(() => {
    const allowed = canEdit(commune.code);
    if (allowed === state.allowed) return;
    state.allowed = allowed;
    toolbar.hidden = !allowed;
    if (!allowed) {
      closeEditor();
      state.undo = [];
      state.parts = null;
    }
    updateButtons();
  });

  // Presentation mode hides the toolbar and the panel (CSS); leave any drawing first.
  const app = document.querySelector('.app');
  new MutationObserver(() => {
    if (app.classList.contains('presenting') && (state.tool || state.current)) closeEditor();
  }).observe(app, { attributes: true, attributeFilter: ['class'] });

  // ---- terra-draw ------------------------------------------------------------------------------
  async function ensureDraw() {
    if (draw) return draw;
    const [{ TerraDraw, TerraDrawLineStringMode, TerraDrawPointMode, TerraDrawPolygonMode, TerraDrawSelectMode }, { TerraDrawMapLibreGLAdapter }] =
      await Promise.all([import('terra-draw'), import('terra-draw-maplibre-gl-adapter')]);
    const snapping = { toCustom: snapToRoads };
    const editable = { draggable: true, midpoints: true, deletable: true, snappable: snapping };
    const blue = '#0b6bcb';
    draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: 7, prefixId: 'kheo-draw' }),
      modes: [
        new TerraDrawLineStringMode({
          snapping,
          styles: { lineStringColor: blue, lineStringWidth: 4, closingPointColor: '#ffffff', closingPointOutlineColor: blue, closingPointWidth: 6, closingPointOutlineWidth: 2 },
        }),
        new TerraDrawPointMode({ styles: { pointColor: blue, pointWidth: 7, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
        new TerraDrawPolygonMode({ snapping, styles: { fillColor: blue, fillOpacity: 0.15, outlineColor: blue, outlineWidth: 3 } }),
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
            selectedLineStringColor: '#d9480f', selectedLineStringWidth: 4,
            selectedPolygonColor: '#d9480f', selectedPolygonFillOpacity: 0.12, selectedPolygonOutlineColor: '#d9480f', selectedPolygonOutlineWidth: 3,
            selectedPointColor: '#d9480f', selectedPointWidth: 8, selectedPointOutlineColor: '#ffffff', selectedPointOutlineWidth: 2,
            selectionPointColor: '#ffffff', selectionPointOutlineColor: '#d9480f', selectionPointWidth: 5, selectionPointOutlineWidth: 2,
            midPointColor: '#d9480f', midPointOutlineColor: '#ffffff', midPointWidth: 3.5, midPointOutlineWidth: 1,
          },
        }),
      ],
    });
    draw.start();
    draw.on('finish', onDrawFinish);
    draw.on('change', (ids, type) => {
      if (type === 'update' && state.current && ids.includes(state.current.drawId)) renderGeometryNote();
    });
    return draw;
  }

  /**
   * terra-draw's custom snapping: the nearest vertex of a road drawn on the map within SNAP_PX,
   * else the nearest point on one of its segments (the road being edited is left out).
   */
  function snapToRoads(event) {
    const roadLayers = styleLayerIds('roads').filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    if (roadLayers.length === 0) return undefined;
    const x = event.containerX;
    const y = event.containerY;
    const found = map.queryRenderedFeatures([[x - SNAP_PX, y - SNAP_PX], [x + SNAP_PX, y + SNAP_PX]], { layers: roadLayers });
    const skip = state.current?.layer === 'roads' ? state.current.id : null;
    let vertex = null;
    let onLine = null;
    for (const feature of found) {
      if (skip !== null && feature.id === skip) continue;
      const lines = feature.geometry.type === 'LineString' ? [feature.geometry.coordinates] : feature.geometry.type === 'MultiLineString' ? feature.geometry.coordinates : [];
      for (const line of lines) {
        let prev = null;
        for (const coord of line) {
          const p = map.project(coord);
          const d = Math.hypot(p.x - x, p.y - y);
          if (d <= SNAP_PX && (!vertex || d < vertex.d)) vertex = { d, coord };
          if (prev) {
            const dx = p.x - prev.x;
            const dy = p.y - prev.y;
            const len2 = dx * dx + dy * dy || 1;
            const k = Math.max(0, Math.min(1, ((x - prev.x) * dx + (y - prev.y) * dy) / len2));
            const qx = prev.x + k * dx;
            const qy = prev.y + k * dy;
            const dq = Math.hypot(qx - x, qy - y);
            if (dq <= SNAP_PX && (!onLine || dq < onLine.d)) onLine = { d: dq, x: qx, y: qy };
          }
          prev = p;
        }
      }
    }
    // terra-draw refuses coordinates more precise than its coordinatePrecision (7), and the
    // rendered features' coordinates come from tiles with many more decimals.
    const round7 = ([lng, lat]) => [Math.round(lng * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7];
    if (vertex) return round7(vertex.coord);
    if (onLine) {
      const ll = map.unproject([onLine.x, onLine.y]);
      return round7([ll.lng, ll.lat]);
    }
    return undefined;
  }

  /** Ends the line or polygon being drawn, as the Enter key does (for touch and keyboard users). */
  function finishDrawing() {
    const canvas = map.getCanvas();
    for (const type of ['keydown', 'keyup']) canvas.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', bubbles: true }));
  }

  // ---- tools -----------------------------------------------------------------------------------
  function toggleTool(tool) {
    const same = state.tool && state.tool.kind === tool.kind && (tool.kind !== 'line' || state.tool.layer === tool.layer);
    setTool(same ? null : tool);
  }

  async function setTool(tool) {
    const drawing = tool && DRAW_MODE[tool.kind];
    if (drawing) {
      // A new drawing replaces whatever was being edited.
      if (state.current) closeEditor();
      await ensureDraw();
      draw.clear();
      draw.setMode(DRAW_MODE[tool.kind]);
    } else if (draw && state.tool && DRAW_MODE[state.tool.kind]) {
      // Leaving a drawing tool without finishing: drop the unfinished drawing.
      draw.setMode('static');
      if (!state.current) draw.clear();
    }
    state.tool = tool;
    if (tool?.kind === 'line' || tool?.kind === 'polygon') {
      hint.textContent = t(tool.kind === 'line' ? 'edit.hint_line' : 'edit.hint_polygon', { layer: title(layers.get(tool.layer)?.title) });
    } else if (tool?.kind === 'point') hint.textContent = t('edit.hint_point');
    else if (tool?.kind === 'pick') hint.textContent = t('edit.hint_pick');
    else if (tool?.kind === 'split') hint.textContent = t('edit.hint_split');
    else hint.textContent = '';
    finishButton.hidden = !(tool?.kind === 'line' || tool?.kind === 'polygon');
    cancelToolButton.hidden = !tool;
    if (popup && tool) popup.remove();
    map.getCanvas().style.cursor = tool ? 'crosshair' : '';
    updateButtons();
  }

  function updateButtons() {
    for (const kind of ['line', 'point', 'polygon', 'pick', 'split']) {
      buttons[kind].setAttribute('aria-pressed', String(state.tool?.kind === kind));
    }
    const c = state.current;
    const saved = c && !c.isNew;
    buttons.split.disabled = !(saved && c.layer === 'roads' && editableGeometry(c.feature.geometry)?.type === 'LineString');
    buttons.delete.disabled = !saved;
    buttons.undo.disabled = state.undo.length === 0;
    const last = state.undo[state.undo.length - 1];
    buttons.undo.title = last ? t('edit.undo_what', { what: last.label }) : t('edit.undo');
    toolbar.classList.toggle('has-tool', Boolean(state.tool));
  }

  // Map clicks of the pick and split tools (terra-draw handles the drawing tools' clicks).
  map.on('click', (event) => {
    if (!state.allowed) return;
    // The popup (popup.js) answers every click; while editing the click belongs to the editor.
    if (popup && (state.tool || state.current)) popup.remove();
    if (state.tool?.kind === 'pick') pickAt(event.point);
    else if (state.tool?.kind === 'split') splitAt(event.point);
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !state.tool || document.querySelector('dialog[open]')) return;
    // terra-draw drops the unfinished drawing on Escape itself; the page leaves the tool.
    setTool(null);
  });
  // terra-draw listens for Enter on the map's canvas only, which a click does not always
  // focus: Enter anywhere but in a control finishes the line or polygon being drawn.
  document.addEventListener('keyup', (event) => {
    if (event.key !== 'Enter' || !(state.tool?.kind === 'line' || state.tool?.kind === 'polygon')) return;
    if (event.target === map.getCanvas() || event.target.closest?.('button, input, select, textarea, a, dialog')) return;
    finishDrawing();
  });

  function pickAt(point) {
    const styleIds = PICK_ORDER.flatMap((id) => (id === 'groups' ? ['groups-fill'] : styleLayerIds(id)))
      .filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    const box = [[point.x - 6, point.y - 6], [point.x + 6, point.y + 6]];
    const found = map.queryRenderedFeatures(box, { layers: styleIds });
    const rank = (f) => PICK_ORDER.indexOf(f.source);
    found.sort((a, b) => rank(a) - rank(b));
    const hit = found.find((f) => f.id !== undefined && f.id !== null);
    if (!hit) {
      hint.textContent = t('edit.hint_pick_none');
      return;
    }
    setTool(null);
    openFeature(hit.source, hit.id);
  }

  // ---- the features being edited ---------------------------------------------------------------
  async function getFeature(layer, id) {
    const response = await fetch(new URL(featureUrl(layer, id), location.origin), { headers: { Accept: 'application/geo+json, application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(`${featureUrl(layer, id)}: HTTP ${response.status}`);
    const feature = await response.json();
    const etag = response.headers.get('ETag');
    if (etag) etags.set(etagKey(layer, id), etag);
    return feature;
  }

  /** Opens the form on a stored feature (and its vertices for editing). */
  async function openFeature(layerId, id, { message = null } = {}) {
    const layer = layers.get(layerId);
    if (!layer) return;
    let feature;
    try {
      feature = await getFeature(layerId, id);
    } catch (error) {
      hint.textContent = t('edit.load_failed', { error: error.message });
      return;
    }
    if (state.parts && !(state.parts.layer === layerId && state.parts.ids.includes(id))) state.parts = null;
    const drawId = await showOnDraw(feature.geometry);
    state.current = { layer: layerId, id, feature, drawId, isNew: false, original: feature.geometry };
    renderForm({ message });
    updateButtons();
    loadHistory();
  }

  /** Puts `geometry` into terra-draw, selected for vertex editing; returns its id (null if not editable). */
  async function showOnDraw(geometry) {
    if (draw) {
      draw.setMode('static');
      draw.clear();
    }
    const part = editableGeometry(geometry);
    if (!part) return null;
    // terra-draw refuses coordinates more precise than its coordinatePrecision.
    const editable = rounded(part);
    await ensureDraw();
    draw.setMode('static');
    draw.clear();
    const mode = { LineString: 'linestring', Polygon: 'polygon', Point: 'point' }[editable.type];
    const drawId = draw.getFeatureId();
    const [result] = draw.addFeatures([{ id: drawId, type: 'Feature', geometry: editable, properties: { mode } }]);
    if (result && result.valid === false) {
      console.warn('terra-draw refused the geometry:', result.reason);
      return null;
    }
    draw.setMode('select');
    draw.selectFeature(drawId);
    return drawId;
  }

  /** The geometry in the form: the edited one from terra-draw, else the stored one. */
  function currentGeometry() {
    const c = state.current;
    if (!c) return null;
    const snap = c.drawId && draw?.getSnapshotFeature(c.drawId);
    return snap ? asOriginalType(snap.geometry, c.original) : c.original;
  }

  function onDrawFinish(id, context) {
    if (context?.action !== 'draw' || !state.tool || !DRAW_MODE[state.tool.kind]) return;
    const layerId = state.tool.layer;
    const layer = layers.get(layerId);
    const snap = draw.getSnapshotFeature(id);
    if (!layer || !snap) return;
    // Defaults of a new work: an existing work (what planners record most; only existing
    // works count in the coverage), in the commune shown.
    const properties = { commune: commune.code };
    if (WORKS.has(layerId) && layer.fields.some((f) => f.name === 'status')) properties.status = 'existing';
    state.parts = null;
    state.current = { layer: layerId, id: null, feature: { type: 'Feature', geometry: snap.geometry, properties }, drawId: id, isNew: true, original: null };
    // After terra-draw has finished handling its event: leave the drawing tool (the drawing
    // stays, as state.current holds it) and keep it selected, so that its vertices can still
    // be moved before saving.
    setTimeout(() => {
      if (state.current?.drawId !== id) return;
      setTool(null);
      draw.setMode('select');
      draw.selectFeature(id);
      renderForm({});
      updateButtons();
    }, 0);
  }

  function closeEditor() {
    if (state.tool) setTool(null);
    if (draw) {
      draw.setMode('static');
      draw.clear();
    }
    state.current = null;
    panel.hidden = true;
    panel.replaceChildren();
    updateButtons();
  }

  // ---- the form ----------------------------------------------------------------------------------
  let form = null; // {fields, status, conflict, geometryNote, history}

  function renderForm({ message = null }) {
    const c = state.current;
    const layer = layers.get(c.layer);
    const fields = attributeFields(layer, c.feature.properties, { idPrefix: `ef-${c.layer}` });
    const status = el('p', { class: 'edit-status', role: 'status', 'aria-live': 'polite' }, message ?? '');
    const conflict = el('div', { class: 'edit-conflict', role: 'alert', hidden: true },
      el('p', {}, t('edit.conflict')),
      el('button', { type: 'button', class: 'act edit-reload', onclick: () => openFeature(c.layer, c.id, { message: t('edit.reloaded') }) }, t('edit.reload')));
    const geometryNote = el('p', { class: 'edit-geometry-note' });
    const generalError = el('p', { class: 'edit-error', role: 'alert', hidden: true });
    const history = el('details', { class: 'edit-history', open: true },
      el('summary', {}, t('edit.history')),
      el('div', { class: 'edit-history-body' }, c.isNew ? el('p', { class: 'history-empty' }, t('history.new')) : el('p', {}, t('app.loading_short'))));
    const parts = state.parts && state.parts.layer === c.layer && state.parts.ids.includes(c.id)
      ? el('nav', { class: 'edit-parts', 'aria-label': t('edit.parts') },
        el('span', {}, t('edit.split_done')),
        state.parts.ids.map((id, i) => el('button', {
          type: 'button',
          class: 'act edit-part',
          'aria-current': id === c.id ? 'true' : null,
          dataset: { part: String(i + 1), id: String(id) },
          onclick: () => (id === c.id ? null : openFeature(c.layer, id)),
        }, t('edit.part', { n: i + 1 }))))
      : null;
    const saveButton = el('button', { type: 'submit', class: 'act act-primary edit-save' }, t('edit.save'));
    const closeButton = el('button', { type: 'button', class: 'act edit-close', onclick: () => closeEditor() }, t('edit.cancel'));
    const formEl = el('form', { class: 'edit-form', novalidate: true },
      el('header', { class: 'edit-head' },
        el('div', { class: 'edit-kicker' }, title(layer.title)),
        el('h2', { id: 'edit-title', tabindex: '-1' }, c.isNew ? t('edit.new', { layer: title(layer.title) }) : (c.feature.properties?.name || t('popup.unnamed'))),
        c.isNew ? null : el('p', { class: 'edit-id' }, t('edit.feature_id', { id: c.id }))),
      parts,
      conflict,
      geometryNote,
      generalError,
      fields.root,
      el('div', { class: 'edit-actions' }, closeButton, saveButton),
      status,
      history);
    formEl.addEventListener('submit', (event) => {
      event.preventDefault();
      save();
    });
    formEl.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closeEditor();
      }
    });
    form = { fields, status, conflict, geometryNote, generalError, history, saveButton };
    panel.replaceChildren(formEl);
    panel.hidden = false;
    renderGeometryNote();
    (formEl.querySelector(c.isNew ? '[name="name"]' : '#edit-title') ?? formEl.querySelector('input, select'))?.focus({ preventScroll: true });
  }

  function renderGeometryNote() {
    if (!form || !state.current) return;
    const geometry = currentGeometry();
    const parts = [];
    if (geometry?.type?.includes('LineString')) parts.push(t('edit.length', { length: formatLength(lineLength(geometry)) }));
    if (!state.current.drawId && geometry) parts.push(t('edit.not_editable_geometry'));
    else if (state.current.drawId) parts.push(t(geometry?.type?.includes('Point') ? 'edit.hint_drag_point' : 'edit.hint_vertices'));
    form.geometryNote.textContent = parts.join(' · ');
  }

  async function loadHistory() {
    const c = state.current;
    if (!c || c.isNew || !form) return;
    const body = form.history.querySelector('.edit-history-body');
    try {
      const response = await fetch(new URL(`${featureUrl(c.layer, c.id)}/history`, location.origin), { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const entries = await response.json();
      if (state.current !== c) return;
      body.replaceChildren(historyList(layers.get(c.layer), Array.isArray(entries) ? entries : []));
    } catch (error) {
      if (state.current === c) body.replaceChildren(el('p', { class: 'history-empty' }, t('history.failed', { error: error.message })));
    }
  }

  /** Shows a failed write: 412 as a conflict, 422 next to its field, the rest as text. */
  function showWriteError(error) {
    if (!form) {
      hint.textContent = writeErrorText(error);
      return;
    }
    form.fields.showErrors({});
    form.generalError.hidden = true;
    if (error.status === 412) {
      form.conflict.hidden = false;
      form.conflict.querySelector('button').focus();
      return;
    }
    if (error.status === 422 && error.detail?.field && form.fields.has(error.detail.field)) {
      form.fields.showErrors({ [error.detail.field]: error.message });
      form.fields.focusFirstError();
      return;
    }
    form.generalError.textContent = writeErrorText(error);
    form.generalError.hidden = false;
  }

  function writeErrorText(error) {
    if (error.status === 412) return t('edit.conflict');
    if (error.status === 401) return t('edit.signed_out');
    if (error.status === 403) return t('edit.forbidden');
    if (error.status === 422 && error.detail?.geometry) {
      const g = error.detail.geometry;
      const reason = typeof g === 'string' ? g : g.reason ?? g.message ?? '';
      return t('edit.invalid_geometry', { error: [error.message, reason].filter(Boolean).join(': ') });
    }
    return t('edit.save_failed', { error: error.message });
  }

  const busy = async (work) => {
    html.dataset.editBusy = '1';
    try {
      return await work();
    } finally {
      html.dataset.editBusy = '0';
    }
  };

  async function save() {
    const c = state.current;
    if (!c || !form) return;
    const layer = layers.get(c.layer);
    const { values, missing } = form.fields.read();
    form.conflict.hidden = true;
    if (missing.length) {
      form.fields.showErrors(Object.fromEntries(missing.map((name) => [name, t('edit.required')])));
      form.fields.focusFirstError();
      return;
    }
    form.fields.showErrors({});
    form.generalError.hidden = true;
    form.saveButton.disabled = true;
    form.status.textContent = t('edit.saving');
    try {
      await busy(async () => {
        const geometry = currentGeometry();
        if (c.isNew) {
          const properties = { commune: commune.code };
          for (const [name, value] of Object.entries(values)) if (value !== null) properties[name] = value;
          const { body, etag } = await csrfFetch(featureUrl(c.layer), { method: 'POST', body: { type: 'Feature', geometry, properties } });
          const id = body.id;
          if (etag) etags.set(etagKey(c.layer, id), etag);
          pushUndo(t('edit.did_create', { name: properties.name ?? title(layer.title) }), [{ op: 'create', layer: c.layer, id }], null);
          await refresh();
          await openFeature(c.layer, id, { message: t('edit.saved') });
        } else {
          const changes = changedProperties(layer, c.feature.properties, values);
          const geometryChanged = c.drawId && !sameGeometry(geometry, c.original);
          if (!geometryChanged && Object.keys(changes).length === 0) {
            form.status.textContent = t('edit.no_changes');
            return;
          }
          const patch = {};
          const before = {};
          if (geometryChanged) {
            patch.geometry = geometry;
            before.geometry = c.original;
          }
          if (Object.keys(changes).length) {
            patch.properties = changes;
            before.properties = Object.fromEntries(Object.keys(changes).map((k) => [k, c.feature.properties?.[k] ?? null]));
          }
          const { etag } = await csrfFetch(featureUrl(c.layer, c.id), { method: 'PATCH', body: patch, etag: etags.get(etagKey(c.layer, c.id)) });
          if (etag) etags.set(etagKey(c.layer, c.id), etag);
          pushUndo(t('edit.did_update', { name: values.name ?? c.feature.properties?.name ?? c.id }), [{ op: 'update', layer: c.layer, id: c.id, before }], { layer: c.layer, id: c.id });
          await refresh();
          await openFeature(c.layer, c.id, { message: t('edit.saved') });
        }
      });
    } catch (error) {
      console.warn('save:', error.message);
      if (state.current === c) {
        form.status.textContent = '';
        showWriteError(error);
      }
    } finally {
      if (form) form.saveButton.disabled = false;
    }
  }

  // ---- split -------------------------------------------------------------------------------------
  async function splitAt(point) {
    const c = state.current;
    const line = c && editableGeometry(c.feature.geometry);
    if (!c || c.isNew || c.layer !== 'roads' || line?.type !== 'LineString') {
      setTool(null);
      return;
    }
    // The nearest point of the road's (stored) line to the click, on screen.
    const coords = line.coordinates;
    let best = null;
    for (let i = 1; i < coords.length; i += 1) {
      const a = map.project(coords[i - 1]);
      const b = map.project(coords[i]);
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const k = Math.max(0, Math.min(1, ((point.x - a.x) * dx + (point.y - a.y) * dy) / (dx * dx + dy * dy || 1)));
      const d = Math.hypot(a.x + k * dx - point.x, a.y + k * dy - point.y);
      if (!best || d < best.d) best = { d, i, k };
    }
    if (!best || best.d > SPLIT_PX) {
      hint.textContent = t('edit.hint_split_miss');
      return;
    }
    const [ax, ay] = coords[best.i - 1];
    const [bx, by] = coords[best.i];
    const at = [Number((ax + best.k * (bx - ax)).toFixed(7)), Number((ay + best.k * (by - ay)).toFixed(7))];
    const first = [...coords.slice(0, best.i), at];
    const second = [at, ...coords.slice(best.i)];
    // Both parts need a length: a click on an end vertex splits nothing.
    const tooShort = (part) => lineLength({ type: 'LineString', coordinates: part }) < 0.5;
    if (tooShort(first) || tooShort(second)) {
      hint.textContent = t('edit.hint_split_end');
      return;
    }
    setTool(null);
    const layer = layers.get(c.layer);
    const key = etagKey(c.layer, c.id);
    try {
      await busy(async () => {
        const firstGeometry = asOriginalType({ type: 'LineString', coordinates: first }, c.feature.geometry);
        const { etag } = await csrfFetch(featureUrl(c.layer, c.id), { method: 'PATCH', body: { geometry: firstGeometry }, etag: etags.get(key) });
        if (etag) etags.set(key, etag);
        let created;
        try {
          created = await csrfFetch(featureUrl(c.layer), {
            method: 'POST',
            body: { type: 'Feature', geometry: asOriginalType({ type: 'LineString', coordinates: second }, c.feature.geometry), properties: layerProperties(layer, c.feature.properties, commune.code) },
          });
        } catch (error) {
          // Put the first part back: a split is both writes or none.
          const back = await csrfFetch(featureUrl(c.layer, c.id), { method: 'PATCH', body: { geometry: c.feature.geometry }, etag: etags.get(key) }).catch(() => null);
          if (back?.etag) etags.set(key, back.etag);
          throw error;
        }
        const secondId = created.body.id;
        if (created.etag) etags.set(etagKey(c.layer, secondId), created.etag);
        pushUndo(t('edit.did_split', { name: c.feature.properties?.name ?? c.id }), [
          { op: 'update', layer: c.layer, id: c.id, before: { geometry: c.feature.geometry } },
          { op: 'create', layer: c.layer, id: secondId },
        ], { layer: c.layer, id: c.id });
        state.parts = { layer: c.layer, ids: [c.id, secondId] };
        await refresh();
        await openFeature(c.layer, c.id, { message: t('edit.split_saved') });
      });
    } catch (error) {
      console.warn('split:', error.message);
      showWriteError(error);
    }
  }

  // ---- delete ------------------------------------------------------------------------------------
  function confirmDelete() {
    const c = state.current;
    if (!c || c.isNew) return;
    confirmText.textContent = t('edit.delete_confirm', { name: c.feature.properties?.name || t('popup.unnamed'), layer: title(layers.get(c.layer).title) });
    confirmDialog.returnValue = '';
    confirmDialog.showModal();
    confirmDialog.addEventListener('close', async () => {
      if (confirmDialog.returnValue !== 'delete' || state.current !== c) return;
      try {
        await busy(async () => {
          await csrfFetch(featureUrl(c.layer, c.id), { method: 'DELETE', etag: etags.get(etagKey(c.layer, c.id)) });
          etags.delete(etagKey(c.layer, c.id));
          pushUndo(t('edit.did_delete', { name: c.feature.properties?.name ?? c.id }), [{ op: 'delete', layer: c.layer, id: c.id, feature: c.feature }], null);
          if (state.parts?.ids.includes(c.id)) state.parts = null;
          closeEditor();
          hint.textContent = t('edit.deleted');
          await refresh();
        });
        buttons.undo.focus();
      } catch (error) {
        console.warn('delete:', error.message);
        showWriteError(error);
      }
    }, { once: true });
  }

  // ---- undo --------------------------------------------------------------------------------------
  function pushUndo(label, ops, focus) {
    state.undo.push({ label, ops, focus });
    if (state.undo.length > 50) state.undo.shift();
    updateButtons();
  }

  /** After an undone delete, the feature lives under a new id: older entries follow it. */
  function remap(layer, from, to) {
    for (const entry of state.undo) {
      for (const op of entry.ops) if (op.layer === layer && op.id === from) op.id = to;
      if (entry.focus?.layer === layer && entry.focus.id === from) entry.focus.id = to;
    }
    if (state.parts?.layer === layer) state.parts.ids = state.parts.ids.map((id) => (id === from ? to : id));
  }

  async function undoLast() {
    const entry = state.undo.pop();
    if (!entry) return;
    updateButtons();
    let focus = entry.focus;
    try {
      await busy(async () => {
        for (const op of [...entry.ops].reverse()) {
          const key = etagKey(op.layer, op.id);
          if (op.op === 'create') {
            await csrfFetch(featureUrl(op.layer, op.id), { method: 'DELETE', etag: etags.get(key) });
            etags.delete(key);
            if (state.parts?.ids.includes(op.id)) state.parts = null;
          } else if (op.op === 'update') {
            const { etag } = await csrfFetch(featureUrl(op.layer, op.id), { method: 'PATCH', body: op.before, etag: etags.get(key) });
            if (etag) etags.set(key, etag);
          } else if (op.op === 'delete') {
            const layer = layers.get(op.layer);
            const { body, etag } = await csrfFetch(featureUrl(op.layer), {
              method: 'POST',
              body: { type: 'Feature', geometry: op.feature.geometry, properties: layerProperties(layer, op.feature.properties, commune.code) },
            });
            if (etag) etags.set(etagKey(op.layer, body.id), etag);
            remap(op.layer, op.id, body.id);
            focus = { layer: op.layer, id: body.id };
          }
        }
        closeEditor();
        hint.textContent = t('edit.undone', { what: entry.label });
        await refresh();
        if (focus) await openFeature(focus.layer, focus.id, { message: t('edit.undone', { what: entry.label }) });
      });
    } catch (error) {
      console.warn('undo:', error.message);
      hint.textContent = error.status === 412 ? t('edit.conflict') : writeErrorText(error);
    }
  }

  const api = {
    /** Whether map clicks belong to the editor (a tool is active or a feature is in the form). */
    active: () => state.allowed && Boolean(state.tool || state.current),
    state,
    close: closeEditor,
    /** The terra-draw instance (null until the first drawing), for tests and debugging. */
    draw: () => draw,
  };
  if (window.kheo) window.kheo.edit = api;
  updateButtons();
  return api;
}
