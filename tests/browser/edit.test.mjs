// Browser test of editing in the page: a viewer sees no editing controls; an editor of the
// demo ward signs in through the dialog, draws a road, fills its form, saves it, and the API,
// the coverage and the headline numbers follow; then splits it, undoes the split, deletes it
// (with the confirmation) and the coverage is back where it started; signing out hides the
// toolbar; the toolbar fits a phone and leaves in presentation mode. No console errors.
//
// Expected numbers are computed here: the road's length from the geometry the API stored
// (haversine), the headline text with the test's own Vietnamese formatting.
//
// Leaves target/screenshots/edit-viewer.png, edit-signin.png, edit-form.png, edit-saved.png,
// edit-split.png, edit-delete.png and edit-phone.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { addUser, interiorPoint, launchBrowser, spawnServer, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { roundText, vietnamese } from './numbers.mjs';

const COMMUNE = '17131';
const EDITOR = { username: 'bientap', password: 'mat-khau-thu-nghiem', displayName: 'Nguyễn Thị Lan' };
const ROAD_NAME = 'Ngõ thử nghiệm';
let server;
let baseUrl;
let browser;
let context;
let page;
const problems = [];

// ---- the test's own numbers ------------------------------------------------------------------
const one = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const nbsp = '\u00a0';
// Lengths as the indicator catalogue shows them (km with two decimals, numbers.mjs's rounding).
const km = (m) => `${vietnamese(roundText(m, 1000, 2))}${nbsp}km`;
// Shares as every output shows them: half away from zero to one decimal (numbers.mjs).
const pct = (v) => (v === null ? '–' : `${vietnamese(roundText(v, 1, 1))}${nbsp}%`);
const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();
const todayVn = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/** Metres along a LineString (haversine on the mean Earth radius). */
function lengthOf(geometry) {
  const lines = geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates;
  const rad = Math.PI / 180;
  let m = 0;
  for (const line of lines) {
    for (let i = 1; i < line.length; i += 1) {
      const [lon1, lat1] = line[i - 1];
      const [lon2, lat2] = line[i];
      const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
      m += 2 * 6371008.8 * Math.asin(Math.sqrt(a));
    }
  }
  return m;
}

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}
const status = async (pathAndQuery) => (await fetch(`${baseUrl}${pathAndQuery}`)).status;
const communeTotals = async () => (await api(`/api/coverage?commune=${COMMUNE}`)).commune;


/** The headline's "concrete / roads" text and percentage as shown. */
const headlineText = () => page.evaluate(() => ({
  km: document.querySelector('.overview .headline [data-key="lengths"]')?.textContent ?? '',
  pct: document.querySelector('.overview .headline [data-key="concrete_pct"]')?.textContent ?? '',
}));
const expectedHeadline = (c) => ({ km: `${km(c.concrete_m)} / ${km(c.road_m)}`, pct: pct(c.concrete_pct) });
async function assertHeadline(c, what) {
  const shown = await headlineText();
  const expected = expectedHeadline(c);
  assert.equal(norm(shown.km), norm(expected.km), `${what}: headline km`);
  assert.equal(norm(shown.pct), norm(expected.pct), `${what}: headline %`);
}

/** Waits until the last write and its refresh are done. */
const settled = () => page.waitForFunction(() => document.documentElement.dataset.editBusy === '0' && document.documentElement.dataset.busy === '0', null, { timeout: 30_000 });

/** Page coordinates of [lon, lat] on the map. */
async function screenPoint(lonLat) {
  const box = await page.locator('#map').boundingBox();
  const p = await page.evaluate((ll) => window.kheo.map.project(ll), lonLat);
  return { x: box.x + p.x, y: box.y + p.y };
}

const editState = () => page.evaluate(() => {
  const s = window.kheo.edit.state;
  return { current: s.current && { layer: s.current.layer, id: s.current.id, isNew: s.current.isNew }, parts: s.parts, undo: s.undo.length };
});

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  await addUser(server, EDITOR.username, { role: 'editor', communes: [COMMUNE], password: EDITOR.password, displayName: EDITOR.displayName });
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
  watch(page, 'desktop', problems);
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('a viewer sees no editing controls', async () => {
  await page.goto(`${baseUrl}/?commune=${COMMUNE}`, { waitUntil: 'load' });
  await waitReady(page);
  await page.locator('.account .sign-in').waitFor({ state: 'visible' });
  assert.equal(norm(await page.locator('.account .sign-in').innerText()), 'Đăng nhập');
  assert.equal(await page.locator('.edit-toolbar').isVisible(), false, 'no toolbar for a viewer');
  assert.equal(await page.locator('.edit-btn:visible').count(), 0, 'no editing buttons for a viewer');
  assert.equal(await page.locator('.edit-panel').isVisible(), false);
  // terra-draw is loaded only for editors.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('terra-draw')));
  assert.equal(loaded, false, 'a viewer does not download terra-draw');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-viewer.png') });
});

test('an editor signs in through the dialog', async () => {
  await page.locator('.account .sign-in').click();
  const dialog = page.locator('dialog.auth-dialog');
  await dialog.waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'auth-username', 'the dialog focuses the username');
  await page.fill('#auth-username', EDITOR.username);
  await page.fill('#auth-password', EDITOR.password);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-signin.png') });
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('.edit-toolbar').waitFor({ state: 'visible' });
  assert.match(await page.locator('.account').innerText(), new RegExp(EDITOR.displayName));
  await page.locator('.account .sign-out').waitFor({ state: 'visible' });
  for (const label of ['Vẽ đường', 'Vẽ điểm', 'Vẽ vùng', 'Sửa', 'Tách đường', 'Xóa', 'Hoàn tác']) {
    assert.equal(await page.locator('.edit-toolbar .edit-btn', { hasText: label }).count(), 1, `toolbar button ${label}`);
  }
});

let start; // the commune's totals before the road
let startHeadline;
let road; // the saved road Feature
let roadId;

test('the editor draws a road, fills its form and saves it; API, coverage and numbers follow', async () => {
  start = await communeTotals();
  await assertHeadline(start, 'before');
  startHeadline = await headlineText();

  // The group with the most room inside, framed closely.
  const groups = await api(`/api/coverage.geojson?commune=${COMMUNE}`);
  const spot = groups.features.map((f) => ({ f, ...interiorPoint(f.geometry) })).sort((a, b) => b.d - a.d)[0];
  await page.locator('.legend-toggle').click(); // the legend folds away from the drawing
  await page.evaluate((center) => window.kheo.map.jumpTo({ center, zoom: 17 }), spot.p);
  await page.evaluate(() => new Promise((resolve) => (window.kheo.map.loaded() ? resolve() : window.kheo.map.once('idle', resolve))));

  await page.locator('.edit-toolbar .edit-line-layer').selectOption('roads');
  await page.locator('.edit-toolbar .edit-btn', { hasText: 'Vẽ đường' }).click();
  await page.waitForFunction(() => document.querySelector('.edit-line')?.getAttribute('aria-pressed') === 'true');
  await page.waitForFunction(() => window.kheo.map.getStyle().layers.some((l) => l.id.startsWith('kheo-draw')) || window.kheo.edit.state.tool);
  const c = await screenPoint(spot.p);
  for (const [dx, dy] of [[-200, 60], [0, -60], [200, 60]]) {
    await page.mouse.click(c.x + dx, c.y + dy);
    await page.waitForTimeout(150);
  }
  await page.keyboard.press('Enter');
  const form = page.locator('.edit-panel .edit-form');
  await form.waitFor({ state: 'visible', timeout: 10_000 }).catch(async (error) => {
    await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-failure.png') });
    throw error;
  });
  assert.match(await page.locator('.edit-panel h2').innerText(), /mới/);

  // The form comes from the catalogue: the enums' Vietnamese labels, a date input up to today.
  const catalogue = await api('/api/layers');
  const roads = catalogue.find((l) => l.id === 'roads');
  const classField = roads.fields.find((f) => f.name === 'class');
  const roadClass = classField.values.some((v) => v.value === 'alley') ? 'alley' : classField.values.at(-1).value;
  const surfaceLabels = await page.locator('#ef-roads-surface option').allInnerTexts();
  for (const v of roads.fields.find((f) => f.name === 'surface').values) assert.ok(surfaceLabels.includes(v.vi), `surface option ${v.vi}`);
  // Dates are typed dd/mm/yyyy whatever the browser's language (council.test.mjs checks the
  // calendar and the refusals, a date after today among them).
  assert.equal(await page.locator('#ef-roads-done_on').getAttribute('placeholder'), 'dd/mm/yyyy');

  // The name is required: saving without it shows the message next to the field.
  await page.locator('.edit-save').click();
  await page.locator('#ef-roads-name-error').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#ef-roads-name').getAttribute('aria-invalid'), 'true');

  await page.fill('#ef-roads-name', ROAD_NAME);
  await page.selectOption('#ef-roads-class', roadClass);
  await page.selectOption('#ef-roads-surface', 'concrete');
  await page.fill('#ef-roads-done_on', todayVn().split('-').reverse().join('/'));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-form.png') });
  await page.locator('.edit-save').click();
  await page.waitForFunction(() => window.kheo.edit.state.current?.id != null && document.documentElement.dataset.editBusy === '0', null, { timeout: 30_000 });
  await settled();
  assert.equal(norm(await page.locator('.edit-status').innerText()), 'Đã lưu.');

  // The API has the new road, as filled in.
  roadId = (await editState()).current.id;
  road = await api(`/api/layers/roads/features/${roadId}`);
  assert.equal(road.properties.name, ROAD_NAME);
  assert.equal(road.properties.class, roadClass);
  assert.equal(road.properties.surface, 'concrete');
  assert.equal(road.properties.done_on, todayVn());
  assert.equal(road.properties.commune, COMMUNE);
  assert.ok(['LineString', 'MultiLineString'].includes(road.geometry.type));
  const length = lengthOf(road.geometry);
  assert.equal((road.geometry.type === 'LineString' ? road.geometry.coordinates : road.geometry.coordinates.flat()).length, 3, 'three vertices, as clicked');
  assert.ok(length > 150, `the road is long enough to change the headline's km (${length.toFixed(1)} m)`);

  // Coverage: road_m grew by the road's length (within 1 %), and so did concrete_m.
  const now = await communeTotals();
  const grew = now.road_m - start.road_m;
  assert.ok(Math.abs(grew - length) <= length * 0.01, `road_m grew by ${grew.toFixed(1)} m, the road is ${length.toFixed(1)} m`);
  assert.ok(Math.abs(now.concrete_m - start.concrete_m - length) <= length * 0.01, 'concrete_m grew by the road');

  // The page's headline numbers changed to the API's.
  await assertHeadline(now, 'after the road');
  assert.notEqual(norm((await headlineText()).km), norm(startHeadline.km), 'the headline changed');

  // The works layer shows it; the form shows its history.
  const drawn = await page.evaluate((id) => window.kheo.map.querySourceFeatures('roads').some((f) => f.id === id), roadId);
  assert.ok(drawn, 'the works layer has the new road');
  await page.locator('.edit-history .history-entry').first().waitFor({ state: 'visible' });
  assert.match(await page.locator('.edit-history').innerText(), /Thêm mới/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-saved.png') });
});

test('the editor splits the road into two, each with its own form, then undoes the split', async () => {
  const before = await communeTotals();
  const line = road.geometry.type === 'LineString' ? road.geometry.coordinates : road.geometry.coordinates[0];
  const mid = [(line[0][0] + line[1][0]) / 2, (line[0][1] + line[1][1]) / 2];
  await page.locator('.edit-toolbar .edit-btn', { hasText: 'Tách đường' }).click();
  const at = await screenPoint(mid);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => window.kheo.edit.state.parts?.ids.length === 2, null, { timeout: 30_000 });
  await settled();
  const { parts } = await editState();
  assert.equal(parts.ids[0], roadId, 'the first part keeps the road id');
  const first = await api(`/api/layers/roads/features/${parts.ids[0]}`);
  const second = await api(`/api/layers/roads/features/${parts.ids[1]}`);
  for (const key of ['name', 'class', 'surface', 'done_on']) assert.equal(second.properties[key], road.properties[key], `the second part's ${key}`);
  const total = lengthOf(road.geometry);
  assert.ok(Math.abs(lengthOf(first.geometry) + lengthOf(second.geometry) - total) < 0.05, 'the parts add up to the road');
  assert.ok(lengthOf(first.geometry) > 10 && lengthOf(second.geometry) > 10, 'both parts have a length');
  const split = await communeTotals();
  assert.ok(Math.abs(split.road_m - before.road_m) < 0.5, 'a split changes no length');

  // Each part has its own form (to set its own surface and paving date).
  await page.locator('.edit-parts .edit-part[data-part="2"]').click();
  await page.waitForFunction((id) => window.kheo.edit.state.current?.id === id, parts.ids[1]);
  assert.equal(await page.locator('#ef-roads-surface').inputValue(), 'concrete');
  assert.equal(await page.locator('#ef-roads-paved_on').getAttribute('placeholder'), 'dd/mm/yyyy');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-split.png') });

  // Undo: the second part goes, the first gets its whole geometry back.
  await page.locator('.edit-toolbar .edit-btn', { hasText: 'Hoàn tác' }).click();
  await page.waitForFunction((id) => window.kheo.edit.state.current?.id === id && document.documentElement.dataset.editBusy === '0', roadId, { timeout: 30_000 });
  await settled();
  assert.equal(await status(`/api/layers/roads/features/${parts.ids[1]}`), 404, 'the second part is gone');
  const back = await api(`/api/layers/roads/features/${roadId}`);
  assert.ok(Math.abs(lengthOf(back.geometry) - total) < 0.05, 'the road has its whole length again');
  const undone = await communeTotals();
  assert.ok(Math.abs(undone.road_m - before.road_m) < 0.5, 'road_m as before the split');
  await assertHeadline(undone, 'after the undo');
  road = back;
});

test('the editor deletes the road after confirming; road_m is back to the start', async () => {
  // Cancelling the confirmation deletes nothing.
  await page.locator('.edit-toolbar .edit-btn', { hasText: 'Xóa' }).click();
  const dialog = page.locator('dialog.edit-confirm');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), new RegExp(ROAD_NAME));
  await page.locator('.edit-confirm-cancel').click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await status(`/api/layers/roads/features/${roadId}`), 200);

  await page.locator('.edit-toolbar .edit-btn', { hasText: 'Xóa' }).click();
  await dialog.waitFor({ state: 'visible' });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'edit-delete.png') });
  await page.locator('.edit-confirm-delete').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.waitForFunction(() => window.kheo.edit.state.current === null && document.documentElement.dataset.editBusy === '0', null, { timeout: 30_000 });
  await settled();
  assert.equal(await status(`/api/layers/roads/features/${roadId}`), 404, 'the road is gone');
  const end = await communeTotals();
  assert.ok(Math.abs(end.road_m - start.road_m) < 0.05, `road_m back to ${start.road_m} (is ${end.road_m})`);
  await assertHeadline(end, 'after the delete');
  assert.deepEqual(await headlineText(), startHeadline);
});

test('signing out hides the toolbar', async () => {
  await page.locator('.account .sign-out').click();
  await page.locator('.account .sign-in').waitFor({ state: 'visible' });
  assert.equal(await page.locator('.edit-toolbar').isVisible(), false);
  const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
  assert.equal(session.user, null, 'the session has ended');
});

test('on a phone the toolbar fits, and presentation mode hides it', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'vi-VN', isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  watch(p, 'phone', problems);
  await p.goto(`${baseUrl}/?commune=${COMMUNE}`, { waitUntil: 'load' });
  await waitReady(p);
  await p.locator('.account .sign-in').click();
  await p.fill('#auth-username', EDITOR.username);
  await p.fill('#auth-password', EDITOR.password);
  await p.locator('.auth-submit').click();
  const toolbar = p.locator('.edit-toolbar');
  await toolbar.waitFor({ state: 'visible' });
  const box = await toolbar.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the toolbar fits the phone's width (${box.x}..${box.x + box.width})`);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'edit-phone.png') });
  await p.evaluate(() => window.kheo.presentation.enter({ slide: 2, fullscreen: false }));
  await p.waitForFunction(() => document.documentElement.classList.contains('presenting'));
  assert.equal(await toolbar.isVisible(), false, 'no editing controls in presentation mode');
  await p.evaluate(() => window.kheo.presentation.leave());
  await toolbar.waitFor({ state: 'visible' });
  await p.emulateMedia({ media: 'print' });
  assert.equal(await toolbar.isVisible(), false, 'no editing controls on paper');
  assert.equal(await p.locator('.account').isVisible(), false, 'no account bar on paper');
  await phone.close();
});

test('a server closed to visitors offers the sign-in and shows the map once signed in', async () => {
  // A second server on the same database, with KHEO_ANONYMOUS_READ=false.
  const closed = await spawnServer({ ...server.env, KHEO_ANONYMOUS_READ: 'false' });
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  try {
    const p = await visitor.newPage();
    const statuses = [];
    p.on('response', (r) => { if (r.url().includes('/api/')) statuses.push(r.status()); });
    await p.goto(`${closed.baseUrl}/?commune=${COMMUNE}`, { waitUntil: 'load' });
    const box = p.locator('.error');
    await box.locator('.sign-in').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await box.innerText(), /chỉ phục vụ người đã đăng nhập/);
    assert.ok(statuses.includes(401), `the API said 401: ${statuses}`);
    await box.locator('.sign-in').click();
    await p.fill('#auth-username', EDITOR.username);
    await p.fill('#auth-password', EDITOR.password);
    await p.keyboard.press('Enter');
    await waitReady(p); // the page starts again, signed in, and draws the commune
    assert.equal(await p.locator('.error').isVisible(), false);
    assert.match(await p.locator('.account').innerText(), new RegExp(EDITOR.displayName));
  } finally {
    await visitor.close();
    await closed.stop();
  }
});

test('no console errors, failed requests or HTTP errors', () => {
  assert.deepEqual(problems, []);
});
