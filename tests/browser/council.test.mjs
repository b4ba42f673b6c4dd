// Browser test of what a planner hit before the council meeting (issue 12), on a real kheo
// server with the demo ward (see helpers.mjs):
//
// - money and numbers typed the Vietnamese way are grouped as typed and saved as meant, and
//   ambiguous ones are refused in the form; dates are dd/mm/yyyy in the time box and the form
//   (typed day first, or picked in the calendar), in a vi-VN and in an en-US browser, and the
//   history has four-digit years;
// - search finds groups as planners name them, pages its results, outlines and opens the
//   one chosen; a click on a lit road lists the road and its lighting line, the road first,
//   with its length and its group; popups open clear of the legend and the header card at
//   1024 x 768, 1280 x 800 and on a phone;
// - editing: the numbers stay in sight beside the form, "Đóng" after saving, the toolbar in
//   one row at 1024 x 768, the running length while drawing, a split divides the
//   contributions exactly;
// - the print-grade map: the A3 PNG at 300 dpi is 4961 x 3508 pixels and its legend lists
//   every layer shown (read back from the PNG's text chunks, its swatches' colours from the
//   pixels); the printed page is one page of the paper chosen, its map at 300 dpi, nothing
//   cut, with the source and the "Người lập" block at its foot.
//
// Expected values come from the API and the test's own arithmetic (lengths by the haversine
// formula, formats with Intl), never from the page's code.
//
// Leaves target/screenshots/council-*.png (the popups at each size, the form, the sheets).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addUser, launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';

const COMMUNE = '17131';
const EDITOR = { username: 'hoidong', password: 'mat-khau-thu-nghiem', displayName: 'Trần Văn Hùng' };
const SIZES = {
  projector: { viewport: { width: 1024, height: 768 } },
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};
let server;
let baseUrl;
let browser;
const problems = [];

const vnInt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();
const dmy = (iso) => iso.split('-').reverse().join('/');

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}

/** Metres along a (multi)line, haversine on the mean Earth radius (the test's own). */
function haversineLength(geometry) {
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

/** A page of `size` in `locale`, loaded and ready. */
async function openPage(size, { locale = 'vi-VN', query = '' } = {}) {
  const context = await browser.newContext({ ...SIZES[size], locale, acceptDownloads: true });
  const page = await context.newPage();
  watch(page, `${size} ${locale}`, problems);
  await page.goto(`${baseUrl}/?commune=${COMMUNE}${query}`, { waitUntil: 'load' });
  await waitReady(page);
  return { context, page };
}

async function signIn(page) {
  await page.locator('.account .sign-in').click();
  await page.fill('#auth-username', EDITOR.username);
  await page.fill('#auth-password', EDITOR.password);
  await page.keyboard.press('Enter');
  await page.locator('.edit-toolbar').waitFor({ state: 'visible' });
}

/** Page coordinates of [lon, lat] on the map. */
async function screenPoint(page, lonLat) {
  return page.evaluate((ll) => {
    const { map } = window.kheo;
    const p = map.project(ll);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, lonLat);
}

const settled = (page) => page.waitForFunction(() => document.documentElement.dataset.editBusy === '0' && document.documentElement.dataset.busy === '0', null, { timeout: 60_000 });

/** A road of the work list that lies in one group only: `{road, group, feature}`. */
async function roadInOneGroup() {
  const worklist = await api(`/api/worklist?commune=${COMMUNE}`);
  const seen = new Map();
  for (const group of worklist.groups) for (const road of group.roads) seen.set(road.road_id, [...(seen.get(road.road_id) ?? []), { road, group }]);
  const candidates = [...seen.values()].filter((list) => list.length === 1 && list[0].road.length_m > 80).map(([only]) => only);
  assert.ok(candidates.length > 0, 'the work list has a road in one group');
  const { road, group } = candidates[0];
  return { road, group, feature: await api(`/api/layers/roads/features/${road.road_id}`) };
}

/** Moves the map (jumpTo, then panBy `[dx, dy]`) and resolves once it has drawn the new view. */
function moveMap(page, { center, zoom, pan = [0, 0] }) {
  return page.evaluate(({ center, zoom, pan }) => new Promise((resolve) => {
    const { map } = window.kheo;
    map.once('idle', () => resolve());
    map.jumpTo({ center, zoom });
    map.panBy(pan, { animate: false });
    map.triggerRepaint();
  }), { center, zoom, pan });
}

/** Opens a road's form with the "Sửa" tool, the other works hidden so that the click is the road's. */
async function openRoadForm(page, feature) {
  for (const name of ['Tuyến chiếu sáng', 'Đường hoa, cây xanh', 'Mô hình "Dân vận khéo"']) {
    const box = page.getByRole('checkbox', { name });
    if (await box.isChecked()) await box.uncheck();
  }
  const line = feature.geometry.type === 'LineString' ? feature.geometry.coordinates : feature.geometry.coordinates[0];
  const mid = [(line[0][0] + line[1][0]) / 2, (line[0][1] + line[1][1]) / 2];
  await moveMap(page, { center: mid, zoom: 17.5 });
  await page.locator('.edit-toolbar .edit-pick').click();
  const at = await screenPoint(page, mid);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction((id) => window.kheo.edit.state.current?.id === id, feature.id, { timeout: 20_000 });
  await page.locator('#ef-roads-people_vnd').waitFor({ state: 'visible' });
}

/** Types `text` into a field as a planner does, key by key, after clearing it. */
async function typeInto(page, selector, text) {
  await page.locator(selector).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 15 });
}

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  await addUser(server, EDITOR.username, { role: 'editor', communes: [COMMUNE], password: EDITOR.password, displayName: EDITOR.displayName });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

let chosen; // the road the form tests write to

test('money typed the Vietnamese way is grouped as typed and saved as meant; ambiguous numbers are refused', async () => {
  const { context, page } = await openPage('desktop');
  await signIn(page);
  chosen = await roadInOneGroup();
  const before = chosen.feature.properties;
  await openRoadForm(page, chosen.feature);

  // Thousands grouped while typing, whichever way the amount is typed.
  await typeInto(page, '#ef-roads-people_vnd', '45000000');
  assert.equal(await page.locator('#ef-roads-people_vnd').inputValue(), '45.000.000');
  await typeInto(page, '#ef-roads-people_vnd', '45.000.000');
  assert.equal(await page.locator('#ef-roads-people_vnd').inputValue(), '45.000.000');
  assert.equal(await page.locator('#ef-roads-people_vnd').getAttribute('type'), 'text', 'not a number input');

  // "1.5" in đồng and "45.000,5.3" workdays have no one reading: refused, nothing saved.
  await typeInto(page, '#ef-roads-people_vnd', '1.5');
  await typeInto(page, '#ef-roads-workdays', '45.000,5.3');
  await page.locator('.edit-save').click();
  await page.locator('#ef-roads-people_vnd-error').waitFor({ state: 'visible' });
  assert.match(await page.locator("#ef-roads-people_vnd-error").innerText(), /dấu chấm/i);
  assert.ok(await page.locator('#ef-roads-workdays-error').isVisible(), 'the workdays are refused too');
  assert.equal(await page.locator('#ef-roads-people_vnd').getAttribute('aria-invalid'), 'true');
  assert.notEqual(norm(await page.locator('.edit-status').innerText()), 'Đã lưu.');
  const untouched = await api(`/api/layers/roads/features/${chosen.feature.id}`);
  assert.equal(untouched.properties.people_vnd, before.people_vnd ?? null, 'nothing was saved');
  assert.equal(untouched.properties.workdays, before.workdays ?? null);

  // Written the Vietnamese way: saved as meant.
  await typeInto(page, '#ef-roads-people_vnd', '45.000.000');
  await typeInto(page, '#ef-roads-workdays', '3,5');
  await typeInto(page, '#ef-roads-width_m', '4,5');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'council-form.png') });
  await page.locator('.edit-save').click();
  await page.waitForFunction(() => document.querySelector('.edit-status')?.textContent === 'Đã lưu.', null, { timeout: 60_000 });
  await settled(page);
  const saved = await api(`/api/layers/roads/features/${chosen.feature.id}`);
  assert.equal(saved.properties.people_vnd, 45_000_000);
  assert.equal(saved.properties.workdays, 3.5);
  assert.equal(saved.properties.width_m, 4.5);
  // The form shows them back in the same format; the way out is "Đóng", not "Hủy".
  assert.equal(await page.locator('#ef-roads-people_vnd').inputValue(), '45.000.000');
  assert.equal(await page.locator('#ef-roads-workdays').inputValue(), '3,5');
  assert.equal(norm(await page.locator('.edit-close').innerText()), 'Đóng');

  // The panel's numbers stay in sight above the form.
  const layout = await page.evaluate(() => {
    const numbers = document.querySelector('.panel-body .headline-main, .panel-body .group-page h2')?.getBoundingClientRect();
    const form = document.querySelector('.edit-panel').getBoundingClientRect();
    return { numbersTop: numbers?.top, numbersBottom: numbers?.bottom, formTop: form.top, height: innerHeight };
  });
  assert.ok(layout.numbersTop >= 0 && layout.numbersBottom <= layout.formTop + 1, `the headline numbers are above the form: ${JSON.stringify(layout)}`);
  await context.close();
});

test('dates are dd/mm/yyyy and typed day first, in the time box, the calendar and the form (vi-VN and en-US)', async () => {
  for (const locale of ['vi-VN', 'en-US']) {
    const { context, page } = await openPage('desktop', { locale });
    assert.equal(await page.locator('input[type="date"]').count(), 0, `${locale}: no native date input`);
    const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
    assert.equal(await page.locator('#date').inputValue(), dmy(asOf), `${locale}: the date box shows ${dmy(asOf)}`);
    assert.equal(await page.locator('#date').getAttribute('placeholder'), 'dd/mm/yyyy');

    // Typed day first, the slashes coming by themselves; Enter shows that date.
    await typeInto(page, '#date', '31122019');
    assert.equal(await page.locator('#date').inputValue(), '31/12/2019');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.dataset.asOf === '2019-12-31' && document.documentElement.dataset.busy === '0', null, { timeout: 30_000 });
    assert.equal(await page.locator('.year-out').innerText(), '2019');

    // A day that does not exist is refused and shows nothing else.
    await typeInto(page, '#date', '31022020');
    await page.keyboard.press('Enter');
    assert.match(await page.locator('#date').evaluate((e) => e.validationMessage), /Không có ngày này/);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.asOf), '2019-12-31');

    // The calendar: Monday first, the page's month names, a day picked.
    await typeInto(page, '#date', '31/12/2019');
    await page.locator('.time .date-calendar-btn').click();
    const calendar = page.locator('.time .date-calendar');
    await calendar.waitFor({ state: 'visible' });
    assert.equal(await calendar.locator('.date-month').inputValue(), '12');
    assert.equal(await calendar.locator('.date-year').inputValue(), '2019');
    assert.deepEqual(await calendar.locator('th').allInnerTexts(), ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN']);
    await calendar.locator('[data-date="2019-12-15"]').click();
    await page.waitForFunction(() => document.documentElement.dataset.asOf === '2019-12-15' && document.documentElement.dataset.busy === '0', null, { timeout: 30_000 });
    assert.equal(await page.locator('#date').inputValue(), '15/12/2019');
    await context.close();
  }

  // The form's dates: typed day first in a vi-VN browser, shown dd/mm/yyyy in an en-US one.
  const vi = await openPage('desktop');
  await signIn(vi.page);
  await openRoadForm(vi.page, chosen.feature);
  assert.equal(await vi.page.locator('#ef-roads-done_on').getAttribute('placeholder'), 'dd/mm/yyyy');
  await typeInto(vi.page, '#ef-roads-done_on', '05032024');
  assert.equal(await vi.page.locator('#ef-roads-done_on').inputValue(), '05/03/2024');
  await typeInto(vi.page, '#ef-roads-paved_on', '12/11/2024');
  await vi.page.locator('.edit-save').click();
  await vi.page.waitForFunction(() => document.querySelector('.edit-status')?.textContent === 'Đã lưu.', null, { timeout: 60_000 });
  await settled(vi.page);
  const saved = await api(`/api/layers/roads/features/${chosen.feature.id}`);
  assert.equal(saved.properties.done_on, '2024-03-05', 'the 5th of March, not the 3rd of May');
  assert.equal(saved.properties.paved_on, '2024-11-12');
  // The history's times have four-digit years.
  await vi.page.locator('.edit-history .history-entry time').first().waitFor({ state: 'visible' });
  for (const text of await vi.page.locator('.edit-history .history-entry time').allInnerTexts()) {
    assert.match(text, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, `history time "${text}"`);
  }
  assert.match(await vi.page.locator('.edit-history').innerText(), /05\/03\/2024/);
  await vi.context.close();

  const en = await openPage('desktop', { locale: 'en-US' });
  await signIn(en.page);
  await openRoadForm(en.page, chosen.feature);
  assert.equal(await en.page.locator('#ef-roads-done_on').inputValue(), '05/03/2024', 'dd/mm/yyyy in an American browser');
  assert.equal(await en.page.locator('#ef-roads-paved_on').inputValue(), '12/11/2024');
  await en.context.close();
});

test('search finds "TDP 4", "tổ 4", "to 4" and "TDP04", pages its results, and outlines and opens the one chosen', async () => {
  const { context, page } = await openPage('desktop');
  const options = page.locator('#search-results [role="option"]');
  const searchFor = async (text) => {
    const answer = page.waitForResponse((r) => r.url().includes('/api/search?'), { timeout: 10_000 });
    await page.locator('#search').fill(text);
    await answer;
    await options.first().waitFor({ timeout: 10_000 });
  };
  for (const text of ['TDP 4', 'tổ 4', 'to 4', 'TDP04']) {
    await searchFor(text);
    assert.ok(norm(await options.first().innerText()).startsWith('Tổ dân phố 4'), `"${text}": ${await options.first().innerText()}`);
  }

  // "ngo": twelve lanes, then "Xem thêm" gives the next twelve, as the API's next page.
  await searchFor('ngo');
  const first = await api(`/api/search?q=ngo&commune=${COMMUNE}&limit=24`);
  assert.equal(await page.locator('#search-results .search-more').count(), 1);
  const names = async () => (await page.locator('#search-results [role="option"] .hit-name').allInnerTexts()).map(norm);
  assert.deepEqual(await names(), first.slice(0, 12).map((h) => h.name));
  await page.locator('#search-results .search-more').click();
  await page.waitForFunction(() => document.querySelectorAll('#search-results .hit-name').length > 12, null, { timeout: 10_000 });
  assert.deepEqual((await names()).slice(0, 24), first.map((h) => h.name));

  // "nguyen tat thanh": the street before its lanes.
  await searchFor('nguyen tat thanh');
  const listed = await names();
  const lastStreet = listed.findLastIndex((n) => n.startsWith('Đường Nguyễn Tất Thành'));
  const firstLane = listed.findIndex((n) => n.startsWith('Ngõ'));
  assert.ok(lastStreet >= 0 && firstLane > lastStreet, `streets first: ${JSON.stringify(listed)}`);

  // Choosing a lane: the map frames it, outlines it and opens its popup.
  const lane = (await api(`/api/search?q=nguyen%20tat%20thanh&commune=${COMMUNE}&limit=20`)).find((h) => h.layer === 'roads' && h.name.startsWith('Ngõ'));
  await page.locator('#search-results [role="option"]', { hasText: lane.name }).first().click();
  const popup = page.locator(`.maplibregl-popup[data-feature="roads/${lane.id}"][data-loaded="1"]`);
  await popup.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(norm(await popup.locator('.kheo-popup-name').innerText()), lane.name);
  const outlined = await page.evaluate(() => window.kheo.map.queryRenderedFeatures({ layers: ['kheo-chosen-line'] }).length);
  assert.ok(outlined > 0, 'the lane is outlined on the map');
  const centre = await page.evaluate(() => window.kheo.map.getCenter());
  const [w, s, e, n] = lane.bbox;
  assert.ok(Math.abs(centre.lng - (w + e) / 2) < 0.01 && Math.abs(centre.lat - (s + n) / 2) < 0.01, 'the map went to the lane');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'council-search.png') });
  await context.close();
});

test('a click on a lit road lists the road and its lighting line, the road first; a road popup gives its length and group', async () => {
  const { context, page } = await openPage('desktop');
  const at = await page.evaluate(() => {
    const { map } = window.kheo;
    const box = map.getContainer().getBoundingClientRect();
    for (const f of map.queryRenderedFeatures({ layers: map.getStyle().layers.filter((l) => l.source === 'lighting_lines').map((l) => l.id) })) {
      const coords = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates.flat();
      for (const c of coords) {
        const p = map.project(c);
        if (p.x < 340 || p.y < 80 || p.x > box.width - 60 || p.y > box.height - 60) continue;
        const sources = new Set(map.queryRenderedFeatures([[p.x - 2, p.y - 2], [p.x + 2, p.y + 2]]).map((h) => h.source));
        if (sources.has('roads') && sources.has('lighting_lines')) return { x: box.left + p.x, y: box.top + p.y };
      }
    }
    return null;
  });
  assert.ok(at, 'a lit road on the map');
  await page.mouse.click(at.x, at.y);
  const popup = page.locator('.maplibregl-popup[data-loaded="1"]');
  await popup.waitFor({ state: 'visible', timeout: 15_000 });
  const choices = await popup.locator('.kheo-popup-choice').evaluateAll((buttons) => buttons.map((b) => ({ layer: b.dataset.layer, pressed: b.getAttribute('aria-pressed') })));
  assert.ok(choices.length >= 2, `a list of what is under the click: ${JSON.stringify(choices)}`);
  assert.deepEqual(choices[0], { layer: 'roads', pressed: 'true' }, 'the road first, shown');
  assert.ok(choices.some((c) => c.layer === 'lighting_lines'), 'and its lighting line');
  assert.match(await popup.locator('.kheo-popup-layer').innerText(), /đường giao thông/i);
  assert.match(await popup.innerText(), /Mặt đường/);
  await popup.locator('.kheo-popup-choice[data-layer="lighting_lines"]').click();
  await page.locator('.maplibregl-popup[data-feature^="lighting_lines/"][data-loaded="1"]').waitFor({ timeout: 10_000 });
  assert.match(await popup.innerText(), /Số bóng đèn/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'council-lit-road.png') });
  await popup.locator('.maplibregl-popup-close-button').click();

  // A road in one group, found by the search: its geodesic length (PostGIS's, in the work
  // list) and its group.
  const { road, group } = await roadInOneGroup();
  await page.locator('#search').fill(road.name);
  await page.locator('#search-results [role="option"]', { hasText: road.name }).first().click();
  const roadPopup = page.locator(`.maplibregl-popup[data-feature="roads/${road.road_id}"][data-loaded="1"]`);
  await roadPopup.waitFor({ state: 'visible', timeout: 15_000 });
  const shown = norm(await roadPopup.locator('dd[data-key="length"]').innerText());
  const metres = Number(shown.replace(/\s*m$/, '').replace(/\./g, ''));
  assert.match(shown, /^[\d.]+ m$/, `length "${shown}" in metres, thousands grouped with dots`);
  assert.ok(Math.abs(metres - road.length_m) <= 1, `popup ${metres} m, PostGIS ${road.length_m} m`);
  assert.equal(norm(await roadPopup.locator('dd[data-key="groups"]').innerText()), group.name);
  await context.close();
});

test('popups open clear of the legend and the header card: 1024 x 768, 1280 x 800, a phone', async () => {
  for (const size of ['projector', 'desktop', 'phone']) {
    const { context, page } = await openPage(size);
    const site = await page.evaluate(() => window.kheo.map.queryRenderedFeatures({ layers: window.kheo.styleLayers.model_sites })[0]?.geometry.coordinates);
    assert.ok(site, `${size}: a model site`);
    // The site just beside the legend (wide screens) or just under the header card (a phone),
    // where a popup above it would open under them.
    const spot = await page.evaluate(() => {
      const box = window.kheo.map.getContainer().getBoundingClientRect();
      const legend = document.querySelector('.legend').getBoundingClientRect();
      const phone = innerWidth < 720;
      const x = phone ? box.width / 2 : legend.right - box.left + 40;
      const y = phone ? legend.bottom - box.top + 30 : 150;
      return { x, y, left: box.left, top: box.top, width: box.width, height: box.height };
    });
    await moveMap(page, { center: site, zoom: 16, pan: [spot.width / 2 - spot.x, spot.height / 2 - spot.y] });
    const target = { x: spot.left + spot.x, y: spot.top + spot.y };
    await page.mouse.click(target.x, target.y);
    const popup = page.locator('.maplibregl-popup[data-loaded="1"]');
    await popup.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(500); // the map's move to make room
    const boxes = await page.evaluate(() => {
      const rect = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
      const map = rect(document.querySelector('#map'));
      const panel = rect(document.querySelector('.panel'));
      return { popup: rect(document.querySelector('.maplibregl-popup')), legend: rect(document.querySelector('.legend')), map, panelTop: panel.top, phone: innerWidth < 720 };
    });
    const { popup: p, legend: l, map: m } = boxes;
    const overlaps = p.left < l.right && l.left < p.right && p.top < l.bottom && l.top < p.bottom;
    assert.ok(!overlaps, `${size}: the popup ${JSON.stringify(p)} is clear of the legend ${JSON.stringify(l)}`);
    assert.ok(p.left >= m.left && p.right <= m.right && p.top >= m.top && p.bottom <= m.bottom, `${size}: the popup is inside the map ${JSON.stringify(boxes)}`);
    if (boxes.phone) assert.ok(p.bottom <= boxes.panelTop, `${size}: the popup is above the panel`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `council-popup-${size}.png`) });
    await context.close();
  }
});

test('editing: the toolbar in one row at 1024 x 768, the running length while drawing, a split divides the contributions exactly', async () => {
  const { context, page } = await openPage('projector');
  await signIn(page);
  const toolbar = await page.locator('.edit-toolbar').boundingBox();
  const map = await page.locator('#map').boundingBox();
  assert.ok(toolbar.height <= 52, `the toolbar is one row (${toolbar.height} px high)`);
  assert.ok(toolbar.width < map.width, 'the toolbar is narrower than the map');

  // Drawing a line: its length as it is drawn, up to the pointer.
  await page.locator('.legend-toggle').click();
  await page.locator('.edit-toolbar .edit-line').click();
  await page.waitForFunction(() => window.kheo.edit.state.tool?.kind === 'line');
  const c = { x: map.x + map.width / 2, y: map.y + map.height / 2 };
  const clicks = [[c.x - 150, c.y], [c.x + 50, c.y]];
  for (const [x, y] of clicks) {
    await page.mouse.click(x, y);
    await page.waitForTimeout(200);
  }
  await page.mouse.move(c.x + 50, c.y - 120, { steps: 4 });
  await page.waitForFunction(() => /\d/.test(document.querySelector('.edit-measure')?.textContent ?? ''), null, { timeout: 10_000 });
  const points = await page.evaluate((list) => list.map(([x, y]) => {
    const { map } = window.kheo;
    const box = map.getContainer().getBoundingClientRect();
    const ll = map.unproject([x - box.left, y - box.top]);
    return [ll.lng, ll.lat];
  }), [...clicks, [c.x + 50, c.y - 120]]);
  const expected = haversineLength({ type: 'LineString', coordinates: points });
  const measure = norm(await page.locator('.edit-measure').innerText());
  const value = measure.match(/([\d.,]+) (m|km)$/);
  assert.ok(value, `running length "${measure}"`);
  const shown = value[2] === 'km' ? Number(value[1].replace(',', '.')) * 1000 : Number(value[1].replace(/\./g, ''));
  assert.ok(Math.abs(shown - expected) <= Math.max(2, expected * 0.01) + (value[2] === 'km' ? 50 : 0), `shown ${shown} m, drawn ${expected.toFixed(1)} m`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.kheo.edit.state.tool === null);
  await page.locator('.legend-toggle').click();

  // Contributions of 1.212.330.269 đồng and 1.213 workdays, split at a vertex-free point.
  await openRoadForm(page, chosen.feature);
  await typeInto(page, '#ef-roads-people_vnd', '1212330269');
  assert.equal(await page.locator('#ef-roads-people_vnd').inputValue(), '1.212.330.269');
  await typeInto(page, '#ef-roads-workdays', '1213');
  await page.locator('.edit-save').click();
  await page.waitForFunction(() => document.querySelector('.edit-status')?.textContent === 'Đã lưu.', null, { timeout: 60_000 });
  await settled(page);
  const whole = await api(`/api/layers/roads/features/${chosen.feature.id}`);
  const line = whole.geometry.type === 'LineString' ? whole.geometry.coordinates : whole.geometry.coordinates[0];
  const splitAt = [line[0][0] + (line[1][0] - line[0][0]) * 0.37, line[0][1] + (line[1][1] - line[0][1]) * 0.37];
  await page.locator('.edit-toolbar .edit-split').click();
  const at = await screenPoint(page, splitAt);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => window.kheo.edit.state.parts?.ids.length === 2, null, { timeout: 60_000 });
  await settled(page);
  const ids = await page.evaluate(() => window.kheo.edit.state.parts.ids);
  const [a, b] = await Promise.all(ids.map((id) => api(`/api/layers/roads/features/${id}`)));
  assert.equal(a.properties.people_vnd + b.properties.people_vnd, 1_212_330_269, 'the money adds up to the road\'s');
  assert.ok(Number.isInteger(a.properties.people_vnd) && Number.isInteger(b.properties.people_vnd), 'whole đồng');
  assert.equal(Math.round((a.properties.workdays + b.properties.workdays) * 10), 12130, 'the workdays add up');
  for (const part of [a, b]) assert.equal(Math.round(part.properties.workdays * 10), part.properties.workdays * 10, `one decimal: ${part.properties.workdays}`);
  // In proportion to the parts' lengths (to the đồng the rounding allows).
  const share = haversineLength(a.geometry) / (haversineLength(a.geometry) + haversineLength(b.geometry));
  assert.ok(Math.abs(a.properties.people_vnd - 1_212_330_269 * share) < 1_212_330_269 * 0.002, `first part ${a.properties.people_vnd}, share ${share}`);
  assert.equal(norm(await page.locator('#ef-roads-people_vnd').inputValue()), vnInt.format(a.properties.people_vnd));
  await context.close();
});

/** Width and height from a PNG's IHDR chunk, and its iTXt chunks by keyword. */
function readPng(buffer) {
  assert.deepEqual([...buffer.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const texts = {};
  for (let at = 8; at + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    if (type === 'iTXt') {
      const data = buffer.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      let p = data.indexOf(0, data.indexOf(0, nul + 3) + 1) + 1;
      texts[data.toString('latin1', 0, nul)] = data.toString('utf8', p);
    }
    at += 12 + length;
  }
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20), texts };
}

/** The layers a legend must list: each catalogue layer with a style layer shown on the map. */
const shownLayers = (page) => page.evaluate(() => {
  const { map, catalogue, styleLayers } = window.kheo;
  return catalogue.filter((l) => (styleLayers[l.id] ?? []).some((id) => map.getLayoutProperty(id, 'visibility') !== 'none')).map((l) => ({ id: l.id, title: l.title.vi }));
});

/** Downloads the PNG on `paper`; returns the file's contents. */
async function downloadSheet(page, paper, name) {
  await page.locator('#paper').selectOption(paper);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 600_000 }), page.locator('.png-btn').click()]);
  const file = path.join(SCREENSHOTS, name);
  await download.saveAs(file);
  return readFileSync(file);
}

test('the print-grade PNG: A3 landscape at 300 dpi is 4961 x 3508, its legend lists every layer shown', { timeout: 1_200_000 }, async () => {
  const { context, page } = await openPage('desktop');
  const catalogue = await api('/api/layers');
  const buffer = await downloadSheet(page, 'a3', 'council-sheet-a3.png');
  const png = readPng(buffer);
  assert.deepEqual([png.width, png.height], [4961, 3508], 'A3 landscape at 300 dpi: 420 x 297 mm');
  const sheet = JSON.parse(png.texts['kheo:sheet']);
  assert.deepEqual([sheet.paper, sheet.orientation, sheet.dpi], ['a3', 'landscape', 300]);
  assert.match(png.texts.Author, /Phường Quỳnh Xuân/);
  const legend = JSON.parse(png.texts['kheo:legend']);
  const shown = await shownLayers(page);
  const listed = [...new Set(legend.map((s) => s.layer))];
  assert.deepEqual(listed.sort(), shown.map((l) => l.id).sort(), 'one entry for every layer shown');
  for (const layer of shown) {
    assert.ok(legend.some((s) => s.layer === layer.id && s.value === null && s.label.startsWith(layer.title)), `the legend names ${layer.title}`);
  }
  // Its swatches are drawn in the catalogue's colours: solid lines, circles and the classes.
  const expected = [];
  for (const s of legend) {
    const layer = catalogue.find((l) => l.id === s.layer);
    const entry = s.value === null ? layer.legend.swatch : layer.legend.palette?.entries.find((e) => e.value === s.value);
    if (entry && ['line', 'circle'].includes(layer.legend.swatch.kind) && !entry.dashed) expected.push({ ...s, color: entry.color });
    if (s.value?.startsWith('class-')) expected.push({ ...s, color: ['#d7191c', '#fdae61', '#ffffbf', '#abd9e9', '#2c7bb6'][Number(s.value.slice(6))] });
  }
  assert.ok(expected.length >= 8, `${expected.length} swatches to check`);
  const pixels = await page.evaluate(async ({ b64, points }) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return points.map(([x, y]) => [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)]);
  }, { b64: buffer.toString('base64'), points: expected.map((s) => [s.box[0] + s.box[2] / 2, s.box[1] + s.box[3] / 2]) });
  expected.forEach((s, i) => {
    const want = [1, 3, 5].map((k) => parseInt(s.color.slice(k, k + 2), 16));
    const diff = Math.max(...want.map((v, k) => Math.abs(v - pixels[i][k])));
    assert.ok(diff <= 12, `${s.layer} ${s.value ?? ''}: swatch rgb(${pixels[i]}) for ${s.color}`);
  });

  // A layer turned off leaves the legend; A4 portrait is 2480 x 3508.
  await page.getByRole('checkbox', { name: 'Đường hoa, cây xanh' }).uncheck();
  const portrait = readPng(await downloadSheet(page, 'a4-portrait', 'council-sheet-a4-portrait.png'));
  assert.deepEqual([portrait.width, portrait.height], [2480, 3508]);
  const portraitLayers = new Set(JSON.parse(portrait.texts['kheo:legend']).map((s) => s.layer));
  assert.ok(!portraitLayers.has('flower_routes'), 'a hidden layer has no legend entry');
  assert.deepEqual([...portraitLayers].sort(), (await shownLayers(page)).map((l) => l.id).sort());
  await context.close();
});

test('the printed page: one A4 landscape page, its map at 300 dpi, nothing cut, the signature block at its foot', { timeout: 600_000 }, async () => {
  const { context, page } = await openPage('desktop');
  await page.locator('#paper').selectOption('a4');
  await page.evaluate(() => window.kheo.preparePrint());
  await page.emulateMedia({ media: 'print' });
  const image = await page.locator('.print-map').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  // The map's box, 159 x 140 mm, at 300 dpi.
  assert.deepEqual(image, [Math.round((159 / 25.4) * 300), Math.round((140 / 25.4) * 300)]);
  const layout = await page.evaluate(() => {
    const rect = (e) => e.getBoundingClientRect();
    const app = rect(document.querySelector('.app'));
    const panel = rect(document.querySelector('.panel'));
    const cells = [...document.querySelectorAll('.groups-table th, .groups-table td, .panel .card')].map((c) => rect(c));
    const foot = rect(document.querySelector('.print-foot'));
    const lastRow = rect([...document.querySelectorAll('.groups-table tr')].at(-1));
    return { appBottom: app.bottom, appTop: app.top, panelRight: panel.right, widest: Math.max(...cells.map((c) => c.right)), footBottom: foot.bottom, lastRowBottom: lastRow.bottom, footTop: foot.top };
  });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'council-print-layout.png') });
  assert.ok(layout.widest <= layout.panelRight + 0.5, `nothing cut at the right: ${JSON.stringify(layout)}`);
  assert.ok(layout.lastRowBottom <= layout.footTop, `the table ends above the foot: ${JSON.stringify(layout)}`);
  assert.ok(layout.footBottom >= layout.appTop + 0.9 * (layout.appBottom - layout.appTop), `no empty bottom: ${JSON.stringify(layout)}`);
  const foot = await page.locator('.print-foot').innerText();
  assert.match(foot, /NGƯỜI LẬP/);
  assert.match(foot, /Nguồn số liệu: UBND Phường Quỳnh Xuân/);
  assert.match(await page.locator('.print-head').innerText(), /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync(path.join(SCREENSHOTS, 'council-print.pdf'), pdf);
  const text = pdf.toString('latin1');
  assert.equal((text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length, 1, 'one page');
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
  assert.ok(Math.abs(Number(box[1]) - 841.89) < 1 && Math.abs(Number(box[2]) - 595.28) < 1, `A4 landscape: ${box[1]} x ${box[2]} pt`);

  // A3 portrait: the paper of the named page.
  await page.emulateMedia({ media: 'screen' });
  await page.locator('#paper').selectOption('a3-portrait');
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.emulateMedia({ media: 'print' });
  const a3 = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
  assert.equal((a3.match(/\/Type\s*\/Page(?!s)/g) ?? []).length, 1, 'one A3 page');
  const a3box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(a3);
  assert.ok(Math.abs(Number(a3box[1]) - 841.89) < 1 && Math.abs(Number(a3box[2]) - 1190.55) < 1, `A3 portrait: ${a3box[1]} x ${a3box[2]} pt`);
  await context.close();
});

test('no console errors, failed requests or HTTP errors', () => {
  assert.deepEqual(problems, []);
});
