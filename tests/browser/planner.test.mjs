// Browser test of the planner's map: the choropleth, the panel (headline numbers, chart,
// table), the linked views, the time slider, the search box, the URL state and the phone
// layout, against a real kheo server with the demo ward (see helpers.mjs).
//
// Expected values are computed here from the API's answers with the test's own Vietnamese
// formatting and its own copy of the class scale of the brief, never read from the page's code.
//
// Leaves target/screenshots/planner.png (desktop dashboard), planner-group.png (a group's page),
// planner-2016.png (the slider at 2016), planner-phone.png and planner-phone-panel.png.
// Prints the load measurements (time to the choropleth drawn, bytes transferred).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { interiorPoint, launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { figure, roundText, vietnamese } from './numbers.mjs';

const COMMUNE = '17131';
let server;
let baseUrl;
let browser;
let context;
let page;
const problems = [];
const network = []; // {url, bytes} of every response of the first load (window and workers)

// ---- the test's own formatting (Vietnamese) and class scale --------------------------------
const one = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
const nbsp = '\u00a0';
// Shares as every output shows them: half away from zero to one decimal (numbers.mjs).
const pct = (v) => (v === null ? '–' : `${vietnamese(roundText(v, 1, 1))}${nbsp}%`);
const km = (m) => `${one.format(m / 1000)}${nbsp}km`;
const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

/** The classes of the brief: <40, 40-60, 60-80, 80-95, >=95 on a colour-blind safe ramp. */
const PCT_CLASSES = [
  [40, '#d7191c'],
  [60, '#fdae61'],
  [80, '#ffffbf'],
  [95, '#abd9e9'],
  [Infinity, '#2c7bb6'],
];
const classColor = (v) => PCT_CLASSES.find(([upper]) => v < upper)[1];
/** The works layers' legend checkboxes (the catalogue's titles), drainage included. */
const WORKS = ['Đường giao thông', 'Rãnh thoát nước', 'Đường hoa, cây xanh', 'Tuyến chiếu sáng', 'Mô hình "Dân vận khéo"'];
const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}


before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
  watch(page, 'desktop', problems);
  context.on('response', async (response) => {
    const sizes = await response.request().sizes().catch(() => null);
    if (sizes) network.push({ url: response.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
  });
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('the planner map loads without errors and the choropleth is measured', async () => {
  const response = await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  await waitReady(page).catch((error) => {
    throw new Error(`data-ready never became "1": ${error.message}\n${problems.join('\n')}`);
  });
  await page.waitForTimeout(300); // let the last responses be counted
  const measured = await page.evaluate(() => {
    const mark = performance.getEntriesByName('kheo:choropleth-drawn')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const bytes = (nav?.encodedBodySize ?? 0) + resources.reduce((sum, r) => sum + (r.encodedBodySize ?? 0), 0);
    return { ms: mark ? Math.round(mark.startTime) : null, bytes, resources: resources.length + 1 };
  });
  assert.ok(measured.ms !== null, 'the mark kheo:choropleth-drawn is missing');
  const wire = network.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`[measure] navigation -> choropleth drawn (source loaded, map idle): ${measured.ms} ms (headless Chromium, SwiftShader, demo ward)`);
  console.log(`[measure] bytes transferred, window resource timing (navigation + ${measured.resources - 1} resources, encodedBodySize): ${measured.bytes} B (${(measured.bytes / 1024).toFixed(1)} KiB)`);
  console.log(`[measure] bytes on the wire incl. MapLibre's worker fetches (${network.length} responses, bodies + headers): ${wire} B (${(wire / 1024).toFixed(1)} KiB)`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'planner.png') });
  assert.deepEqual(problems, []);
});

test('the headline numbers and the table equal the API, formatted the Vietnamese way', async () => {
  // Which figures, with which decimals and units: the indicator catalogue's (the same figure in
  // every output is figures.test.mjs's).
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const coverage = await api(`/api/coverage?commune=${COMMUNE}&as_of=${asOf}`);
  const indicators = await api('/api/indicators');
  const spec = (id) => indicators.find((i) => i.id === id);
  const c = coverage.commune;

  const concrete = norm(await page.locator('.overview .headline-line').textContent());
  assert.ok(concrete.startsWith(norm(`${figure(spec('concrete_m'), c)} / ${figure(spec('road_m'), c)}`)), `headline "${concrete}"`);
  assert.ok(concrete.includes(norm(pct(c.concrete_pct))), `headline "${concrete}" lacks ${pct(c.concrete_pct)}`);
  const cardValue = (key) => page.locator(`.overview .card[data-key="${key}"] .card-value .v`).textContent().then(norm);
  const cards = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('commune') && !['concrete_pct', 'road_m'].includes(i.id));
  assert.ok(cards.some((i) => i.id === 'hardened_pct') && cards.some((i) => i.id === 'people_vnd'));
  for (const i of cards) assert.equal(await cardValue(i.id), norm(figure(i, c)), `card ${i.id}`);
  assert.equal(await cardValue('hardened_pct'), norm(pct(c.hardened_pct)));
  assert.equal(await cardValue('model_sites'), int.format(c.model_sites.total));
  assert.equal(await cardValue('people_vnd'), `${norm(int.format(c.people_vnd))} đồng`);
  assert.equal(norm(int.format(28018600000)), '28.018.600.000'); // the format the planners expect

  // The table comes in parts (the roads' figures, then the rest), a row per group in each.
  const rows = await page.locator('.groups-table tbody tr').evaluateAll((trs) => {
    const byCode = new Map();
    for (const tr of trs) {
      const row = byCode.get(tr.dataset.code) ?? { code: tr.dataset.code, cells: {}, marks: {} };
      for (const td of tr.children) {
        row.cells[td.dataset.key] = td.querySelector('.v').textContent;
        if (td.querySelector('.met')) row.marks[td.dataset.key] = td.querySelector('.met').classList.contains('yes');
      }
      byCode.set(tr.dataset.code, row);
    }
    return [...byCode.values()];
  });
  assert.equal(rows.length, coverage.groups.length);
  assert.equal(await page.locator('.groups-table').count(), 2, 'the roads\' figures, then the rest');
  const columns = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('group'));
  for (const g of coverage.groups) {
    const row = rows.find((r) => r.code === g.code);
    assert.ok(row, `no row for ${g.code}`);
    for (const i of columns) {
      assert.equal(norm(row.cells[i.id]), norm(figure(i, g, { unit: false })), `${g.code} ${i.id}`);
    }
    for (const key of ['concrete_pct', 'hardened_pct', 'lit_pct']) {
      assert.equal(row.marks[key], g.targets[key].met, `${g.code} ${key} met mark`);
    }
  }
});

test('the table sorts by a column from its header button, by keyboard too', async () => {
  const button = page.locator('.groups-table th[data-key="concrete_pct"] button');
  await button.focus();
  await page.keyboard.press('Enter'); // first press: descending (largest first)
  const read = () => page.locator('.groups-table tbody tr td[data-key="concrete_pct"] .v').allTextContents()
    .then((list) => list.map((s) => Number(norm(s).replace(' %', '').replace(',', '.'))));
  const desc = await read();
  assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
  assert.equal(await page.locator('.groups-table th[data-key="concrete_pct"]').getAttribute('aria-sort'), 'descending');
  await page.locator('.groups-table th[data-key="concrete_pct"] button').press('Enter');
  const asc = await read();
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
  await page.locator('.groups-table th[data-key="name"] button').first().click();
});

test('each group is drawn in the colour of its concrete class', async () => {
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const geojson = await api(`/api/coverage.geojson?commune=${COMMUNE}&as_of=${asOf}`);
  // Only the groups: hide the works layers (legend checkboxes), keep the commune under them.
  for (const name of WORKS) {
    await page.getByRole('checkbox', { name }).uncheck();
  }
  await page.mouse.move(5, 795); // no hover outline
  const labels = await page.evaluate(() => {
    const { map } = window.kheo;
    if (!map.getLayer('groups-label')) return false;
    map.setLayoutProperty('groups-label', 'visibility', 'none'); // the labels sit on the interior points
    return true;
  });
  const points = geojson.features.map((f) => ({ id: f.properties.id, code: f.properties.code, value: f.properties.concrete_pct, lnglat: interiorPoint(f.geometry).p }));
  const sampled = await page.evaluate(async (list) => {
    const { map } = window.kheo;
    await new Promise((resolve) => (map.loaded() ? resolve() : map.once('idle', resolve)));
    const opacity = map.getPaintProperty('groups-fill', 'fill-opacity');
    const canvas = map.getCanvas();
    const ratio = canvas.width / canvas.clientWidth;
    const out = await new Promise((resolve) => {
      map.once('render', () => {
        const gl = map.painter.context.gl;
        resolve(list.map((p) => {
          const px = map.project(p.lnglat);
          const hit = map.queryRenderedFeatures(px, { layers: ['groups-fill'] })[0];
          const buf = new Uint8Array(4);
          gl.readPixels(Math.round(px.x * ratio), Math.round(canvas.height - px.y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, buf);
          return { ...p, rgb: [...buf.slice(0, 3)], hitId: hit?.id ?? null };
        }));
      });
      map.triggerRepaint();
    });
    return { out, opacity };
  }, points);
  // The fill is translucent over the commune's fill (#fbfaf7): blend the class colour the same way.
  const under = hex('#fbfaf7');
  const alpha = sampled.opacity;
  assert.equal(typeof alpha, 'number');
  for (const s of sampled.out) {
    assert.equal(s.hitId, s.id, `${s.code}: the interior point hits group ${s.hitId}`);
    const expected = hex(classColor(s.value)).map((v, i) => Math.round(alpha * v + (1 - alpha) * under[i]));
    const diff = Math.max(...expected.map((v, i) => Math.abs(v - s.rgb[i])));
    assert.ok(diff <= 6, `${s.code} (${s.value} %): pixel rgb(${s.rgb}) but class ${classColor(s.value)} blends to rgb(${expected})`);
  }
  for (const name of WORKS) {
    await page.getByRole('checkbox', { name }).check();
  }
  if (labels) await page.evaluate(() => window.kheo.map.setLayoutProperty('groups-label', 'visibility', 'visible'));
});

test('the groups are labelled with their name and value in Noto Sans served offline', async () => {
  // The previous test hid the labels and showed them again: they are drawn once the map has
  // rendered that change and fetched its glyphs, which may take a few frames on a busy machine.
  await page
    .waitForFunction(() => window.kheo.map.queryRenderedFeatures({ layers: ['groups-label'] }).length > 0, null, { timeout: 15000 })
    .catch(() => {});
  const labels = await page.evaluate(async () => {
    const { map } = window.kheo;
    if (!map.getLayer('groups-label')) return null;
    return {
      font: map.getLayoutProperty('groups-label', 'text-font'),
      glyphs: map.getStyle().glyphs,
      shown: map.queryRenderedFeatures({ layers: ['groups-label'] }).map((f) => f.properties.label),
    };
  });
  assert.ok(labels, 'no groups-label layer');
  assert.deepEqual(labels.font, ['Noto Sans Regular']);
  assert.equal(labels.glyphs, `${baseUrl}/fonts/{fontstack}/{range}.pbf`);
  assert.ok(labels.shown.length > 0, 'no label drawn');
  assert.ok(labels.shown.some((l) => /^TDP \d+\n\d+,\d %$/.test(l.replace(/\u00a0/g, ' '))), `labels: ${JSON.stringify(labels.shown)}`);
  const glyphResponse = await fetch(`${baseUrl}/fonts/Noto%20Sans%20Regular/0-255.pbf`);
  assert.equal(glyphResponse.status, 200);
});

test('hovering a row highlights its group on the map, hovering the map highlights the row', async () => {
  const group = await api(`/api/coverage?commune=${COMMUNE}`).then((c) => c.groups.find((g) => g.code === 'TDP12'));
  await page.locator('.groups-table[data-part="roads"] tbody tr[data-code="TDP12"]').hover();
  const hovered = await page.evaluate((id) => window.kheo.map.getFeatureState({ source: 'groups', id }).hover, group.id);
  assert.equal(hovered, true);

  // And back: the mouse over the group's interior on the map marks its row.
  const geojson = await api(`/api/coverage.geojson?commune=${COMMUNE}`);
  const feature = geojson.features.find((f) => f.properties.code === 'TDP14');
  const at = interiorPoint(feature.geometry).p;
  const xy = await page.evaluate((lnglat) => {
    const { map } = window.kheo;
    const p = map.project(lnglat);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, at);
  await page.mouse.move(xy.x, xy.y);
  await page.mouse.move(xy.x + 1, xy.y + 1);
  await page.locator('.groups-table[data-part="roads"] tbody tr[data-code="TDP14"].active').waitFor({ timeout: 5_000 });
  await page.locator('.bar-chart .bar-row.active').waitFor({ timeout: 5_000 });
});

test('clicking a group on the map opens its page with its numbers and its works, and zooms to it', async () => {
  const coverage = await api(`/api/coverage?commune=${COMMUNE}`);
  const group = coverage.groups.find((g) => g.code === 'TDP04');
  const geojson = await api(`/api/coverage.geojson?commune=${COMMUNE}`);
  const feature = geojson.features.find((f) => f.properties.code === 'TDP04');
  // Click on the group where no work is under the pointer (hide the works, then show them again).
  for (const name of WORKS) await page.getByRole('checkbox', { name }).uncheck();
  const xy = await page.evaluate((lnglat) => {
    const { map } = window.kheo;
    const p = map.project(lnglat);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, interiorPoint(feature.geometry).p);
  await page.mouse.click(xy.x, xy.y);
  const heading = page.locator('.group-page h2');
  await heading.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal((await heading.textContent()).trim(), group.name);
  const pctText = norm(await page.locator('.group-page .headline-pct').textContent());
  assert.equal(pctText, norm(pct(group.concrete_pct)));
  for (const name of WORKS) await page.getByRole('checkbox', { name }).check();

  // Its works, as many as the API lists for the group.
  await page.waitForFunction(() => !document.querySelector('.group-page .works[aria-busy]'), null, { timeout: 10_000 });
  for (const layer of ['roads', 'model_sites']) {
    const works = await api(`/api/layers/${layer}/features?commune=${COMMUNE}&group=TDP04`);
    const count = await page.locator(`.group-page .works-layer[data-layer="${layer}"] li`).count();
    assert.equal(count, works.features.length, `${layer} listed`);
    assert.ok(count > 0);
  }
  await page.waitForTimeout(700); // the zoom to the group
  await page.screenshot({ path: path.join(SCREENSHOTS, 'planner-group.png') });
  // The first site opens to its attributes.
  await page.locator('.group-page .works-layer[data-layer="model_sites"] summary').first().click();
  assert.ok((await page.locator('.group-page .works-layer[data-layer="model_sites"] details[open] dl').textContent()).includes('Lĩnh vực'));

  const state = await page.evaluate((id) => {
    const { map } = window.kheo;
    return { selected: map.getFeatureState({ source: 'groups', id }).selected, zoom: map.getZoom(), url: location.search };
  }, group.id);
  assert.equal(state.selected, true);
  assert.ok(state.url.includes('group=TDP04'), state.url);

  await page.locator('.group-page .back').click();
  await page.locator('.overview').waitFor({ state: 'visible' });
  assert.ok(!(await page.evaluate(() => location.search)).includes('group='));
  assert.deepEqual(problems, []);
});

test('moving the slider to 2016 shows the timeline\'s 2016 numbers and the works of 2016; play steps on', async () => {
  const timeline = await api(`/api/coverage/timeline?commune=${COMMUNE}`);
  const y2016 = timeline.years.find((y) => y.year === 2016);
  assert.ok(y2016, 'the timeline has 2016');
  const before2016 = norm(await page.locator('.overview .headline-pct').textContent());
  const roadsRequest = page.waitForResponse((r) => r.url().includes('/api/layers/roads/features') && r.url().includes('as_of=2016-12-31'), { timeout: 20_000 });
  await page.locator('#year').fill('2016');
  await page.waitForFunction(() => document.documentElement.dataset.asOf === '2016-12-31' && document.documentElement.dataset.busy === '0', null, { timeout: 30_000 });
  await roadsRequest;

  const indicators = await api('/api/indicators');
  const spec = (id) => indicators.find((i) => i.id === id);
  const headline = norm(await page.locator('.overview .headline-line').textContent());
  assert.ok(headline.startsWith(norm(`${figure(spec('concrete_m'), y2016)} / ${figure(spec('road_m'), y2016)}`)), `headline "${headline}" for 2016`);
  assert.equal(norm(await page.locator('.overview .headline-pct').textContent()), norm(pct(y2016.concrete_pct)));
  assert.notEqual(norm(pct(y2016.concrete_pct)), before2016);
  const card = (key) => page.locator(`.overview .card[data-key="${key}"] .card-value .v`).textContent().then(norm);
  assert.equal(await card('hardened_pct'), norm(pct(y2016.hardened_pct)));
  assert.equal(await card('lit_pct'), norm(pct(y2016.lit_pct)));
  assert.equal(await card('left_m'), norm(figure(spec('left_m'), y2016)));
  assert.equal(await card('people_vnd'), norm(figure(spec('people_vnd'), y2016)));
  assert.equal(norm(await page.locator('.overview .as-of').textContent()).startsWith('Số liệu đến 31/12/2016'), true);
  assert.equal(await page.locator('.year-out').textContent(), '2016');
  assert.ok((await page.evaluate(() => location.search)).includes('as_of=2016-12-31'));
  // The choropleth follows: each group's value on the map is its 2016 value.
  const values = await page.evaluate(() => Object.fromEntries(window.kheo.map.querySourceFeatures('groups').map((f) => [f.properties.code, f.properties.concrete_pct])));
  for (const g of y2016.groups) assert.equal(values[g.code], g.concrete_pct, `${g.code} on the map in 2016`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'planner-2016.png') });

  // Play steps on to the next year; pressing it again stops.
  await page.locator('.play').click();
  await page.waitForFunction(() => document.documentElement.dataset.asOf === '2017-12-31', null, { timeout: 30_000 });
  await page.locator('.play').click();
  assert.equal(await page.locator('.play').getAttribute('aria-pressed'), 'false');
  await page.waitForFunction(() => document.documentElement.dataset.busy === '0', null, { timeout: 30_000 });

  // Back to today with the exact date, typed dd/mm/yyyy (Enter shows it).
  const today = await api(`/api/coverage?commune=${COMMUNE}`);
  await page.locator('#date').fill(today.as_of.split('-').reverse().join('/'));
  await page.locator('#date').press('Enter');
  await page.waitForFunction((d) => document.documentElement.dataset.asOf === d && document.documentElement.dataset.busy === '0', today.as_of, { timeout: 30_000 });
  assert.equal(norm(await page.locator('.overview .headline-pct').textContent()), norm(pct(today.commune.concrete_pct)));
  assert.deepEqual(problems, []);
});

test('searching "quynh" without diacritics finds "Quỳnh"; picking a group opens its page', async () => {
  const answer = page.waitForResponse((r) => r.url().includes('/api/search?'), { timeout: 10_000 });
  await page.locator('#search').fill('quynh');
  const response = await answer;
  assert.equal(response.status(), 200, `/api/search answered HTTP ${response.status()}`);
  await page.locator('#search-results [role="option"]').first().waitFor({ timeout: 10_000 });
  const options = await page.locator('#search-results [role="option"]').allTextContents();
  assert.ok(options.some((o) => o.includes('Quỳnh')), `no result contains "Quỳnh": ${JSON.stringify(options)}`);

  await page.locator('#search').fill('');
  await page.locator('#search').fill('to dan pho 12');
  const option = page.locator('#search-results [role="option"]', { hasText: 'Tổ dân phố 12' }).first();
  await option.waitFor({ timeout: 10_000 });
  await option.click();
  await page.locator('.group-page h2', { hasText: 'Tổ dân phố 12' }).waitFor({ timeout: 5_000 });
  assert.ok((await page.evaluate(() => location.search)).includes('group=TDP12'));
  await page.locator('.group-page .back').click();
  assert.deepEqual(problems, []);
});

test('a link reproduces the view: indicator, date, group and map position', async () => {
  const p = await context.newPage();
  watch(p, 'link', problems);
  await p.goto(`${baseUrl}/?commune=${COMMUNE}&ind=lit_pct&as_of=2019-12-31&group=TDP04&map=15.50/19.25500/105.71000`);
  await waitReady(p);
  await p.waitForFunction(() => document.documentElement.dataset.asOf === '2019-12-31', null, { timeout: 10_000 });
  assert.equal(await p.locator('#indicator').inputValue(), 'lit_pct');
  assert.equal((await p.locator('.group-page h2').textContent()).trim(), 'Tổ dân phố 4');
  assert.equal(await p.locator('.year-out').textContent(), '2019');
  const view = await p.evaluate(() => ({ zoom: window.kheo.map.getZoom(), center: window.kheo.map.getCenter() }));
  assert.ok(Math.abs(view.zoom - 15.5) < 0.01, `zoom ${view.zoom}`);
  assert.ok(Math.abs(view.center.lat - 19.255) < 1e-4 && Math.abs(view.center.lng - 105.71) < 1e-4);
  // The legend shows the lit classes with the lit target (70 %).
  assert.ok(norm(await p.locator('.class-legend').textContent()).includes('Chỉ tiêu 70,0 %'));
  await p.close();
  assert.deepEqual(problems, []);
});

test('the page works at phone width: the map on top, the numbers in a sheet below', async () => {
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
  const phone = await phoneContext.newPage();
  watch(phone, 'phone', problems);
  await phone.goto(`${baseUrl}/`);
  await waitReady(phone);
  const layout = await phone.evaluate(() => {
    const map = document.querySelector('.map-area').getBoundingClientRect();
    const panel = document.querySelector('.panel').getBoundingClientRect();
    return { mapBottom: map.bottom, panelTop: panel.top, panelBottom: panel.bottom, width: document.documentElement.scrollWidth, inner: innerWidth };
  });
  assert.ok(layout.panelTop < layout.mapBottom + 1 && layout.panelTop > 200, JSON.stringify(layout));
  assert.ok(layout.width <= layout.inner, `no sideways scrolling: ${layout.width} > ${layout.inner}`);
  assert.ok(await phone.locator('.overview .headline-pct').isVisible());
  await phone.screenshot({ path: path.join(SCREENSHOTS, 'planner-phone.png') });
  await phone.locator('.panel-body').evaluate((el) => { el.scrollTop = 520; });
  await phone.screenshot({ path: path.join(SCREENSHOTS, 'planner-phone-panel.png') });
  await phoneContext.close();
  assert.deepEqual(problems, []);
});

test('?lang=en shows the panel in English', async () => {
  const p = await context.newPage();
  watch(p, 'en', problems);
  await p.goto(`${baseUrl}/?lang=en`);
  await waitReady(p);
  // The titles and units are the indicator catalogue's English ones.
  assert.equal(norm(await p.locator('.overview .headline-main .card-label').textContent()), 'Concrete');
  assert.equal(norm(await p.locator('.groups-table th[data-key="road_m"] .h-name').textContent()), 'Roads');
  assert.equal(norm(await p.locator('.groups-table th[data-key="road_m"] .h-unit').textContent()), 'km');
  assert.equal(await p.locator('.groups-table th[data-key="road_m"]').getAttribute('title'), 'Counted roads (km)');
  assert.equal(await p.locator('#indicator option:checked').textContent(), 'Concrete (%)');
  await p.close();
  assert.deepEqual(problems, []);
});
