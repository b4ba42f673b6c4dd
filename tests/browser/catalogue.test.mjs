// Browser test of the page drawn from the catalogues (issue "One truth for layers and
// indicators", item 1) and of what a planner hit before the council (issue "Ready for the
// council", items 5, 7, 8 and 11 on the page's side):
// - every layer of /api/layers is drawn in its draw order, toggled and explained with its
//   swatch and palette from the catalogue, drainage included, with no code of its own;
// - a click looks at points, then lines from the top, then areas;
// - street names along the roads; one label per group at any zoom; the contribution legend
//   says its unit;
// - the group table fits the panel at 1280 and 1024 px;
// - targets by year (the roadmap) on the bar chart and the progress chart;
// - two dates compared in the table and the slides (percentage points, km);
// - slides readable from the back of a room at 1024 × 768: text of 20 px or more, the
//   column filled, "km còn lại" per group, a closing ranking, the group's slide opened from
//   its page, popups closed;
// - the work list in the panel, with its CSV and Excel files.
//
// Expected values come from the API's answers and the test's own rounding (numbers.mjs).
// Leaves in target/screenshots/: catalogue-legend.png, catalogue-1024.png, catalogue-roadmap.png,
// catalogue-compare.png, catalogue-slide-*.png, catalogue-worklist.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { addUser, launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { figure, roundText, stored, vietnamese } from './numbers.mjs';

const COMMUNE = '17131';
const ADMIN = { username: 'quantri', password: 'mat-khau-quan-tri-thu', displayName: 'Quản trị' };
let server;
let baseUrl;
let browser;
let context;
let page;
let catalogue;
let indicators;
const problems = [];

const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const spec = (id) => indicators.find((i) => i.id === id);

async function api(pathAndQuery, init) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, init);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status} ${response.status >= 400 ? await response.text() : ''}`);
  return response.json();
}

/** Opens the page at `query` in `p` and waits until it is drawn. */
async function open(p, query = `?commune=${COMMUNE}`) {
  await p.goto(`${baseUrl}/${query}`, { waitUntil: 'load' });
  await waitReady(p);
}

/** Waits until the map is idle again. */
const idle = (p) => p.evaluate(() => new Promise((resolve) => {
  const { map } = window.kheo;
  if (map.loaded() && !map.isMoving()) resolve();
  else map.once('idle', () => resolve());
}));

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
  watch(page, 'catalogue', problems);
  catalogue = await api('/api/layers');
  indicators = await api('/api/indicators');
  await open(page);
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('every catalogue layer is drawn in its draw order with its own style layers, drainage included', async () => {
  const drawn = await page.evaluate(() => ({
    styleLayers: window.kheo.styleLayers,
    order: window.kheo.map.getStyle().layers.map((l) => l.id),
  }));
  const styled = catalogue.filter((l) => l.style.length > 0);
  assert.ok(styled.some((l) => l.id === 'drainage'), 'the catalogue has the drainage layer');
  for (const layer of styled) {
    assert.deepEqual(drawn.styleLayers[layer.id], layer.style.map((s) => s.id), `${layer.id}: its style layers, as the catalogue gives them`);
  }
  // Style layers placed by draw order (those without `above`, `below` or `top`) come in the
  // catalogue's draw order on the map.
  const placed = [...styled].sort((a, b) => a.draw_order - b.draw_order)
    .map((l) => ({ id: l.id, at: drawn.order.indexOf(l.style.find((s) => !s.above && !s.below && !s.top).id) }));
  for (let i = 1; i < placed.length; i += 1) {
    assert.ok(placed[i].at > placed[i - 1].at, `${placed[i].id} is drawn above ${placed[i - 1].id}`);
  }
  // A style placed `below` another layer is under its first style layer, `above` over its last.
  for (const layer of styled) {
    for (const s of layer.style) {
      const other = catalogue.find((l) => l.id === (s.below ?? s.above));
      if (!other) continue;
      const at = drawn.order.indexOf(s.id);
      if (s.below) assert.ok(at < drawn.order.indexOf(other.style[0].id), `${s.id} under ${other.id}`);
      else assert.ok(at > drawn.order.indexOf(other.style.filter((o) => !o.top).at(-1).id), `${s.id} above ${other.id}`);
    }
  }
  // Drainage is on the map: as many drains as the API serves for the commune, drawn.
  const drains = await api(`/api/layers/drainage/features?commune=${COMMUNE}`);
  assert.ok(drains.features.length > 0, 'the demo has drains');
  const inSource = await page.evaluate(() => new Set(window.kheo.map.querySourceFeatures('drainage').map((f) => f.id)).size);
  assert.equal(inSource, drains.features.length, 'every drain is in the map\'s source');
  const rendered = await page.evaluate((ids) => window.kheo.map.queryRenderedFeatures({ layers: ids }).length, drawn.styleLayers.drainage);
  assert.ok(rendered > 0, 'drains are drawn');
});

test('the legend explains every layer with the catalogue\'s swatch and palette, and toggles it', async () => {
  for (const layer of catalogue.filter((l) => l.style.length > 0)) {
    const item = page.locator(`.legend-item[data-layer="${layer.id}"]`);
    assert.equal(await item.count(), 1, `a legend entry for ${layer.id}`);
    assert.equal(norm(await item.locator('.legend-title').textContent()), layer.title.vi);
    if (!layer.legend.palette) continue;
    // One sub-entry per value of the palette's field, labelled with the field's enum label, in
    // the palette's colour (dashed when the palette says).
    const field = layer.fields.find((f) => f.name === layer.legend.palette.field);
    const entries = await item.locator('.legend-sub li').evaluateAll((lis) => lis.map((li) => ({
      value: li.dataset.value,
      label: li.textContent.trim(),
      color: li.querySelector('svg line, svg circle').getAttribute(li.querySelector('svg circle') ? 'fill' : 'stroke'),
      dashed: (li.querySelector('svg line')?.getAttribute('stroke-dasharray') ?? 'none') !== 'none',
    })));
    assert.deepEqual(entries, layer.legend.palette.entries.map((e) => ({
      value: e.value,
      label: field.values.find((v) => v.value === e.value).vi,
      color: e.color,
      dashed: layer.legend.swatch.kind === 'circle' ? false : e.dashed,
    })), `${layer.id}: sub-entries`);
  }
  await page.locator('.legend').screenshot({ path: path.join(SCREENSHOTS, 'catalogue-legend.png') });
  // The drainage checkbox hides and shows its style layers.
  const ids = catalogue.find((l) => l.id === 'drainage').style.map((s) => s.id);
  const visibility = () => page.evaluate((list) => list.map((id) => window.kheo.map.getLayoutProperty(id, 'visibility')), ids);
  await page.getByRole('checkbox', { name: 'Rãnh thoát nước' }).uncheck();
  assert.deepEqual(await visibility(), ids.map(() => 'none'));
  await page.getByRole('checkbox', { name: 'Rãnh thoát nước' }).check();
  assert.deepEqual(await visibility(), ids.map(() => 'visible'));
});

test('the time slider dates the drains as the numbers do', async () => {
  const request = page.waitForResponse((r) => r.url().includes('/api/layers/drainage/features') && r.url().includes('as_of=2020-12-31'), { timeout: 20_000 });
  await page.evaluate(() => window.kheo.requestAsOf('2020-12-31'));
  await request;
  await idle(page);
  const atDate = await api(`/api/layers/drainage/features?commune=${COMMUNE}&as_of=2020-12-31`);
  const today = await api(`/api/layers/drainage/features?commune=${COMMUNE}`);
  assert.ok(atDate.features.length < today.features.length, `fewer drains in 2020 (${atDate.features.length}) than today (${today.features.length})`);
  const inSource = await page.evaluate(() => new Set(window.kheo.map.querySourceFeatures('drainage').map((f) => f.id)).size);
  assert.equal(inSource, atDate.features.length, 'the map holds the drains of 2020');
  await page.evaluate(() => window.kheo.requestAsOf(null));
  await idle(page);
});

test('a click looks at points, then lines from the top, then areas', async () => {
  const order = await page.evaluate(() => window.kheo.clickOrder());
  const rank = { point: 0, line: 1, polygon: 2 };
  const expected = [...catalogue]
    .sort((a, b) => (rank[a.geometry] - rank[b.geometry]) || (b.draw_order - a.draw_order))
    .flatMap((l) => [...l.style].reverse().filter((s) => s.clickable !== false && s.type !== 'symbol').map((s) => s.id));
  assert.deepEqual(order, expected);
  assert.ok(order.indexOf('model_sites-circle') < order.indexOf('lighting_lines-core'));
  assert.ok(order.indexOf('lighting_lines-core') < order.indexOf('roads-paved'));
  assert.ok(order.indexOf('roads-paved') < order.indexOf('groups-fill'));
  assert.ok(!order.includes('communes-halo') && !order.includes('lighting_lines-glow') && !order.includes('groups-label'));
});

test('street names run along the roads when zoomed in; a group is labelled once at any zoom', async () => {
  const names = catalogue.find((l) => l.id === 'roads').style.find((s) => s.type === 'symbol');
  assert.ok(names, 'the roads\' style has a symbol layer for their names');
  const roads = await api(`/api/layers/roads/features?commune=${COMMUNE}`);
  const named = roads.features.filter((f) => f.properties.name && f.geometry.type.endsWith('LineString'));
  const longest = named.sort((a, b) => JSON.stringify(b.geometry).length - JSON.stringify(a.geometry).length)[0];
  const coords = longest.geometry.type === 'LineString' ? longest.geometry.coordinates : longest.geometry.coordinates[0];
  const middle = coords[Math.floor(coords.length / 2)];
  await page.evaluate((center) => window.kheo.map.jumpTo({ center, zoom: 17 }), middle);
  await idle(page);
  await page.waitForFunction((id) => window.kheo.map.queryRenderedFeatures({ layers: [id] }).length > 0, names.id, { timeout: 15_000 });
  const shown = await page.evaluate((id) => window.kheo.map.queryRenderedFeatures({ layers: [id] }).map((f) => f.properties.name), names.id);
  const all = new Set(roads.features.map((f) => f.properties.name));
  assert.ok(shown.every((n) => all.has(n)), `street names are the roads' names: ${JSON.stringify(shown)}`);

  // Labels: at zoom 16.5 over the commune's middle, each group's label at most once.
  for (const zoom of [14, 16.5, 18]) {
    await page.evaluate((z) => {
      const { map, commune } = window.kheo;
      const [w, s, e, n] = commune.bbox;
      map.jumpTo({ center: [(w + e) / 2, (s + n) / 2], zoom: z });
    }, zoom);
    await idle(page);
    const labels = await page.evaluate(() => window.kheo.map.queryRenderedFeatures({ layers: ['groups-label'] }).map((f) => f.properties.code));
    const twice = labels.filter((code, i) => labels.indexOf(code) !== i);
    assert.deepEqual(twice, [], `zoom ${zoom}: labels drawn twice`);
    if (zoom === 14) assert.ok(labels.length > 3, `zoom 14: ${labels.length} labels`);
  }
  await page.evaluate(() => window.kheo.map.fitBounds(window.kheo.commune.bbox, { animate: false }));
  await idle(page);
});

test('the contribution legend says its unit', async () => {
  await page.locator('#indicator').selectOption('people_vnd');
  assert.equal(norm(await page.locator('.legend .class-legend .class-unit').textContent()), 'Đơn vị: tỷ đồng');
  assert.match(norm(await page.locator('#indicator option:checked').textContent()), /\(đồng\)$/);
  // A share's unit is its title's: the legend does not say it twice.
  await page.locator('#indicator').selectOption('lit_pct');
  assert.equal(await page.locator('.legend .class-legend .class-unit').count(), 0);
  await page.locator('#indicator').selectOption('concrete_pct');
});

/** Whether anything of the groups' table is cut off: returns what is. */
const clipped = (p) => p.evaluate(() => {
  const out = [];
  const wrap = document.querySelector('.overview .table-wrap');
  const table = wrap.querySelector('table');
  if (table.getBoundingClientRect().right > wrap.getBoundingClientRect().right + 1) out.push(`table ${table.scrollWidth} > ${wrap.clientWidth}`);
  for (const node of table.querySelectorAll('th, td, .h-name, .h-unit, .v')) {
    if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflow !== 'visible') out.push(`${node.className || node.tagName}: ${node.textContent}`);
  }
  // Words of a header broken across lines (a word wider than its column).
  for (const name of table.querySelectorAll('thead .h-name, thead .h-unit')) {
    const words = name.textContent.split(/\s+/);
    const range = document.createRange();
    range.selectNodeContents(name);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > words.length) out.push(`header broken mid-word: ${name.textContent}`);
  }
  return out;
});

test('the group table is not cut off at 1280 nor at 1024 px, each header titled in full', async () => {
  for (const [width, height] of [[1280, 800], [1024, 768]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    assert.deepEqual(await clipped(page), [], `at ${width} px`);
    if (width === 1024) await page.screenshot({ path: path.join(SCREENSHOTS, 'catalogue-1024.png') });
  }
  const titles = await page.locator('.groups-table thead th[data-key]:not([data-key="name"])').evaluateAll((ths) => ths.map((th) => [th.dataset.key, th.title]));
  for (const [key, title] of titles) {
    const i = spec(key);
    assert.equal(title, i.display.unit.vi ? `${i.title.vi} (${i.display.unit.vi})` : i.title.vi);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

/** Signs in as the admin through the API; returns the headers a write needs. */
async function adminHeaders() {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: baseUrl },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  assert.equal(response.status, 200, `sign-in: HTTP ${response.status}`);
  const body = await response.json();
  const cookie = response.headers.get('set-cookie').split(';')[0];
  return { Cookie: cookie, 'X-CSRF-Token': body.csrf_token, 'Content-Type': 'application/json', Origin: baseUrl };
}

test('targets by year: the roadmap on the bar chart and the progress chart', async () => {
  await addUser(server, ADMIN.username, { role: 'admin', password: ADMIN.password, displayName: ADMIN.displayName });
  const thisYear = Number((await api(`/api/coverage?commune=${COMMUNE}`)).as_of.slice(0, 4));
  const roadmap = { [thisYear - 2]: 70, [thisYear - 1]: 75, [thisYear]: 85, [thisYear + 2]: 95 };
  const headers = await adminHeaders();
  const changed = await api(`/api/communes/${COMMUNE}/settings`, { method: 'PATCH', headers, body: JSON.stringify({ targets_by_year: { concrete_pct: roadmap } }) });
  assert.deepEqual(Object.keys(changed.targets_by_year.concrete_pct).map(Number).sort(), Object.keys(roadmap).map(Number).sort());
  await open(page);
  // The bars: this year's target on the roadmap.
  assert.equal(norm(await page.locator('.overview .bar-chart .target-text').textContent()), `Chỉ tiêu năm ${thisYear}: 85,0 %`);
  const coverage = await api(`/api/coverage?commune=${COMMUNE}`);
  assert.equal(coverage.settings.targets.concrete_pct, 85);
  // The progress chart: a mark per year of the roadmap, up to its last year ahead.
  await page.locator('.overview .line-chart .roadmap-mark').first().waitFor({ timeout: 10_000 });
  const marks = await page.locator('.overview .line-chart .roadmap-mark').evaluateAll((rects) => rects.map((r) => Number(r.dataset.year)));
  for (const year of Object.keys(roadmap).map(Number)) assert.ok(marks.includes(year), `the roadmap's ${year} is marked: ${marks}`);
  assert.equal(Math.max(...marks), thisYear + 2, 'the chart goes on to the roadmap\'s last year');
  await page.locator('.overview .progress-chart').screenshot({ path: path.join(SCREENSHOTS, 'catalogue-roadmap.png') });
});

test('two dates compared: the table shows the change in percentage points and km, and the slides too', async () => {
  const then = '2020-12-31';
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const now = await api(`/api/coverage?commune=${COMMUNE}&as_of=${asOf}`);
  const past = await api(`/api/coverage?commune=${COMMUNE}&as_of=${then}`);
  await page.locator('#compare').selectOption(then);
  await page.locator('.groups-table.comparing').first().waitFor({ timeout: 10_000 });
  assert.ok(new URL(page.url()).searchParams.get('vs') === then);
  const columns = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('group'));
  // The changes by group and indicator, over the table's parts.
  const deltas = await page.locator('.groups-table tbody tr').evaluateAll((trs) => {
    const out = {};
    for (const tr of trs) for (const d of tr.querySelectorAll('td .delta')) (out[tr.dataset.code] ??= {})[d.dataset.key] = d.textContent;
    return out;
  });
  /** The change of two figures as shown, written as the page writes it. */
  const change = (i, a, b) => {
    const va = stored(a, i.id);
    const vb = stored(b, i.id);
    if (va === null || vb === null || va === undefined || vb === undefined) return '–';
    const d = Number(roundText(va, i.display.divisor, i.display.decimals)) - Number(roundText(vb, i.display.divisor, i.display.decimals));
    const text = vietnamese(roundText(Math.abs(d), 1, i.display.decimals));
    return Number(text.replace(/\./g, '').replace(',', '.')) === 0 ? `±${text}` : `${d > 0 ? '+' : '−'}${text}`;
  };
  let checked = 0;
  for (const g of now.groups) {
    const old = past.groups.find((p) => p.code === g.code);
    for (const i of columns) {
      assert.equal(norm(deltas[g.code][i.id]), change(i, g, old), `${g.code} ${i.id}`);
      checked += 1;
    }
  }
  assert.ok(checked > 50);
  // A share changes in percentage points, a length in km (the headline says so).
  assert.match(norm(await page.locator('.overview .headline-main .card-delta').textContent()), /^[+−±][\d.,]+ điểm % so với 31\/12\/2020$/);
  assert.match(norm(await page.locator('.overview .card[data-key="left_m"] .card-delta').textContent()), /^[+−±][\d.,]+ km so với 31\/12\/2020$/);
  await page.locator('.overview .table').screenshot({ path: path.join(SCREENSHOTS, 'catalogue-compare.png') });

  // The slides: a comparison slide after the overview, with each figure then, now and the change.
  await page.locator('.present-btn').click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.locator('.slide-compare-table').waitFor({ timeout: 10_000 });
  const rows = await page.locator('.slide-compare-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ key: tr.dataset.key, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })));
  const slides = indicators.filter((i) => i.outputs.slides && i.levels.includes('commune'));
  assert.deepEqual(rows.map((r) => r.key), slides.map((i) => i.id));
  for (const row of rows) {
    const i = spec(row.key);
    assert.deepEqual(row.cells.map(norm), [norm(figure(i, past.commune)), norm(figure(i, now.commune)), norm(`${change(i, now.commune, past.commune)}${i.kind === 'pct' ? ' điểm %' : i.display.unit.vi ? ` ${i.display.unit.vi}` : ''}`)], row.key);
  }
  await page.keyboard.press('Escape');
  await page.locator('#compare').selectOption('');
  await page.waitForFunction(() => !document.querySelector('.groups-table.comparing'));
  assert.equal(new URL(page.url()).searchParams.get('vs'), null);
});

/** Every text of the slide shown, with its computed font size, smaller than `min` px. */
const smallTexts = (p, min) => p.evaluate((least) => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.present'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest('[hidden]') || el.getClientRects().length === 0 || el.closest('svg')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < least) out.push(`${size}px: ${node.textContent.trim().slice(0, 40)}`);
  }
  return out;
}, min);

test('slides read from the back of a room at 1024 × 768: 20 px text, a full column, km left, a closing ranking', async () => {
  const projector = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN' });
  const p = await projector.newPage();
  watch(p, 'projector', problems);
  await open(p);
  const coverage = await api(`/api/coverage?commune=${COMMUNE}&as_of=${await p.evaluate(() => document.documentElement.dataset.asOf)}`);
  const total = 2 + coverage.groups.length + 2;
  const drawn = (n) => p.waitForFunction((k) => document.documentElement.dataset.slideDrawn === String(k), n, { timeout: 30_000 });
  // A popup left open closes when the slides open.
  const site = await p.evaluate(async () => {
    const { map } = window.kheo;
    const f = map.queryRenderedFeatures({ layers: ['model_sites-circle'] })[0];
    map.jumpTo({ center: f.geometry.coordinates, zoom: 16 });
    await new Promise((resolve) => map.once('idle', resolve));
    const pt = map.project(f.geometry.coordinates);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + pt.x, y: box.top + pt.y };
  });
  await p.mouse.click(site.x, site.y);
  await p.locator('.maplibregl-popup').waitFor({ state: 'visible', timeout: 5_000 });
  await p.locator('.present-btn').click();
  await drawn(1);
  assert.equal(await p.locator('.maplibregl-popup').count(), 0, 'the popup closed with the slides');

  for (const n of [2, 3, total - 1, total]) {
    await p.evaluate((k) => window.kheo.presentation.show(k, { animate: false }), n);
    await drawn(n);
    assert.deepEqual(await smallTexts(p, 20), [], `slide ${n}: text under 20 px`);
    // The column is filled: the slide's content reaches down to the navigation.
    const fill = await p.evaluate(() => {
      const box = document.querySelector('.present-slide').getBoundingClientRect();
      const slide = document.querySelector('.present-slide > .slide');
      const last = [...slide.querySelectorAll('*')].reduce((bottom, e) => Math.max(bottom, e.getBoundingClientRect().bottom), 0);
      return { bottom: last, boxBottom: box.bottom, height: box.height };
    });
    assert.ok(fill.bottom >= fill.boxBottom - 0.12 * fill.height, `slide ${n}: content ends at ${Math.round(fill.bottom)}, the column at ${Math.round(fill.boxBottom)}`);
    await p.screenshot({ path: path.join(SCREENSHOTS, `catalogue-slide-${n === total ? 'ranking' : n === total - 1 ? 'left' : n}.png`) });
  }

  // "Km còn lại": every group, most first, with the API's left_m as the catalogue writes it.
  await p.evaluate((k) => window.kheo.presentation.show(k, { animate: false }), total - 1);
  await drawn(total - 1);
  const left = spec('left_m');
  const leftRows = await p.locator('.slide-left .slide-bars-row').evaluateAll((lis) => lis.map((li) => [li.dataset.code, li.querySelector('.slide-bars-value').textContent]));
  const byLeft = [...coverage.groups].sort((a, b) => b.left_m - a.left_m);
  assert.deepEqual(leftRows.map(([code]) => code), byLeft.map((g) => g.code));
  for (const [code, text] of leftRows) assert.equal(norm(text), norm(figure(left, coverage.groups.find((g) => g.code === code))), code);
  assert.equal(norm(await p.locator('.slide-left .slide-main-value .v').textContent()), norm(figure(left, coverage.commune)));
  // The closing ranking: the groups by their concrete share, best first, with the target met.
  await p.keyboard.press('End');
  await drawn(total);
  const ranking = await p.locator('.slide-ranking .slide-bars-row').evaluateAll((lis) => lis.map((li) => li.dataset.code));
  const best = [...coverage.groups].sort((a, b) => (b.concrete_pct ?? -1) - (a.concrete_pct ?? -1)).map((g) => g.code);
  assert.deepEqual(ranking, best);
  await p.keyboard.press('Escape');

  // From a group's page, the slides open at that group's slide.
  const group = coverage.groups[4];
  await p.evaluate((id) => window.kheo.selectGroup(id), group.id);
  await p.locator('.group-page h2', { hasText: group.name }).waitFor();
  await p.locator('.present-btn').click();
  await drawn(3 + 4);
  assert.equal(await p.locator('.slide-group').getAttribute('data-code'), group.code);
  await p.keyboard.press('Escape');
  await projector.close();
  assert.deepEqual(problems, []);
});

test('the work list in the panel: km left and cost per group, with its CSV and Excel files', async () => {
  await open(page);
  await page.getByRole('tab', { name: 'Danh mục công việc' }).click();
  await page.locator('.worklist-group').first().waitFor({ timeout: 10_000 });
  assert.equal(new URL(page.url()).searchParams.get('panel'), 'worklist');
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const list = await api(`/api/worklist?commune=${COMMUNE}&as_of=${asOf}`);
  const coverage = await api(`/api/coverage?commune=${COMMUNE}&as_of=${asOf}`);
  const left = spec('left_m');
  const shown = await page.locator('.worklist-group').evaluateAll((ds) => ds.map((d) => [d.dataset.code, d.querySelector('.wl-left').textContent]));
  const withCode = list.groups.filter((g) => g.code !== null);
  assert.equal(shown.filter(([code]) => code).length, withCode.length);
  for (const g of withCode) {
    const row = shown.find(([code]) => code === g.code);
    assert.equal(norm(row[1]), norm(figure(left, { left_m: g.left_m })), `${g.code} km left`);
    // The work list's km left is the coverage's left_m of the group, as the catalogue writes it.
    const c = coverage.groups.find((x) => x.code === g.code);
    assert.equal(norm(figure(left, { left_m: g.left_m })), norm(figure(left, c)), `${g.code}: the work list and the coverage agree`);
  }
  assert.equal(norm(await page.locator('.worklist .card[data-key="left_m"] .v').textContent()), norm(figure(left, { left_m: list.left_m })));
  assert.equal(norm(await page.locator('.worklist .card[data-key="cost_vnd"] .v').textContent()), `${vietnamese(String(list.cost_vnd))} đồng`);
  assert.equal(norm(await page.locator('.worklist .card[data-key="people_vnd"] .v').textContent()), `${vietnamese(String(list.people_vnd))} đồng`);
  // A group opens to its roads.
  const first = withCode.find((g) => g.roads.length > 0);
  await page.locator(`.worklist-group[data-code="${first.code}"] summary`).click();
  assert.equal(await page.locator(`.worklist-group[data-code="${first.code}"] tbody tr`).count(), first.roads.length);
  for (const sel of ['.worklist-csv', '.worklist-xlsx']) {
    const href = await page.locator(sel).getAttribute('href');
    assert.ok(href.startsWith('/api/worklist.') && href.includes(`commune=${COMMUNE}`), href);
    const response = await fetch(`${baseUrl}${href}`);
    assert.equal(response.status, 200, href);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'catalogue-worklist.png') });
  await page.getByRole('tab', { name: 'Tổng quan' }).click();
  await page.locator('.overview .groups-table[data-part="roads"]').waitFor();
  assert.deepEqual(problems, []);
});
