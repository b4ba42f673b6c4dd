// Browser test of a region's page (`/?region=R`): the synthetic province (`kheo demo
// --synthetic province`, KHEO_REGION_COMMUNES communes, 12 by default) beside the demo ward.
// Its communes coloured and labelled, the ranking table equal to the API, the totals, the
// models and the targets met; the search over its communes; a click through to a commune's
// page and back; the region's slides; the time slider. Prints the time from navigation to
// the choropleth drawn (docs/PERFORMANCE.md), as planner.test.mjs does for a commune.
//
// Leaves in target/screenshots/: region.png, region-commune.png, region-slide-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { interiorPoint, launchBrowser, run, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { figure, stored, vietnamese } from './numbers.mjs';

const COMMUNES = Number(process.env.KHEO_REGION_COMMUNES ?? 12);
let server;
let baseUrl;
let browser;
let page;
let region;
let indicators;
const problems = [];

const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const spec = (id) => indicators.find((i) => i.id === id);

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  if (!process.env.KHEO_TEST_URL) {
    const made = await run(['demo', '--synthetic', 'province', '--communes', String(COMMUNES)], server.env, 600_000);
    assert.equal(made.code, 0, `"kheo demo --synthetic province" failed:\n${made.output}`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const regions = await api('/api/regions');
  region = regions.find((r) => r.name === 'Tỉnh tổng hợp');
  assert.ok(region, `the synthetic province is a region: ${JSON.stringify(regions)}`);
  assert.equal(region.communes, COMMUNES);
  indicators = await api('/api/indicators');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN', acceptDownloads: true });
  page = await context.newPage();
  watch(page, 'region', problems);
}, { timeout: SETUP_TIMEOUT_MS + 600_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('the region\'s page draws its communes\' choropleth with labels, measured', async () => {
  const response = await page.goto(`${baseUrl}/?region=${region.code}`, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  await waitReady(page);
  const ms = await page.evaluate(() => Math.round(performance.getEntriesByName('kheo:choropleth-drawn')[0]?.startTime ?? -1));
  assert.ok(ms > 0, 'the mark kheo:choropleth-drawn is set');
  console.log(`[measure] region page, navigation -> choropleth drawn: ${ms} ms (${COMMUNES} communes, headless Chromium, SwiftShader)`);
  const drawn = await page.evaluate(() => {
    const { map, units } = window.kheo;
    return {
      units: new Set(map.querySourceFeatures(units.source).map((f) => f.properties.code)).size,
      labels: map.queryRenderedFeatures({ layers: units.labels }).map((f) => f.properties.label),
      bounds: map.getBounds().toArray(),
    };
  });
  assert.equal(drawn.units, COMMUNES, 'every commune is a unit of the choropleth');
  assert.ok(drawn.labels.length > 0 && drawn.labels.every((l) => /^Xã tổng hợp \d+\n[\d,]+ %$/.test(l.replace(/\u00a0/g, ' '))), `labels: ${drawn.labels.slice(0, 3)}`);
  const [w, s, e, n] = region.bbox;
  assert.ok(drawn.bounds[0][0] <= w && drawn.bounds[1][0] >= e && drawn.bounds[0][1] <= s && drawn.bounds[1][1] >= n, 'the whole region is in view');
  // No work is fetched until shown (tiles), and the works are listed in the legend.
  assert.equal(await page.locator('.legend-item[data-layer="roads"] input').isChecked(), false);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'region.png') });
  assert.deepEqual(problems, []);
});

test('the ranking table, the totals, the models and the targets met equal the API', async () => {
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const report = await api(`/api/coverage?region=${region.code}&as_of=${asOf}`);
  const columns = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('commune'));
  // The table's parts (the roads' figures, then the rest), a row per commune in each.
  const rows = await page.locator('.groups-table[data-part="roads"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    code: tr.dataset.code,
    rank: tr.querySelector('.rank').textContent,
    cells: Object.fromEntries([...document.querySelectorAll(`.groups-table tbody tr[data-code="${tr.dataset.code}"] td[data-key]`)].map((td) => [td.dataset.key, td.querySelector('.v').textContent])),
  })));
  // Ranked by the indicator the map shows (the concrete share), best first.
  const ranked = [...report.communes].sort((a, b) => (b.concrete_pct ?? -1) - (a.concrete_pct ?? -1));
  assert.deepEqual(rows.map((r) => r.code), ranked.map((c) => c.code));
  assert.deepEqual(rows.map((r) => r.rank), ranked.map((_, i) => String(i + 1)));
  for (const c of report.communes) {
    const row = rows.find((r) => r.code === c.code);
    for (const i of columns) assert.equal(norm(row.cells[i.id]), norm(figure(i, c, { unit: false })), `${c.code} ${i.id}`);
  }
  // The total row is the region's, the sum of its communes.
  const foot = await page.locator('.groups-table tfoot td[data-key]').evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.dataset.key, td.querySelector('.v').textContent])));
  for (const i of columns) assert.equal(norm(foot[i.id]), norm(figure(i, report.region, { unit: false })), `total ${i.id}`);
  const sum = report.communes.reduce((s, c) => s + c.road_m, 0);
  assert.ok(Math.abs(sum - report.region.road_m) < 0.05 * COMMUNES + 1e-6, `the region's roads are its communes' (${sum} vs ${report.region.road_m})`);
  // Models by field and recognition, the share of communes with one, the targets met.
  assert.equal(norm(await page.locator('.region-models .models-total .v').textContent()), vietnamese(String(report.region.model_sites.total)));
  for (const [value, count] of Object.entries(report.region.model_sites.by_recognition)) {
    assert.equal(norm(await page.locator(`.by-recognition dd[data-value="${value}"]`).textContent()), vietnamese(String(count)), value);
  }
  const withModel = spec('communes_with_model_pct');
  assert.equal(norm(await page.locator('.with-model .v').textContent()), norm(figure(withModel, report.region)));
  for (const [id, { met, of }] of Object.entries(report.region.targets_met)) {
    if (of === 0) continue;
    assert.equal(norm(await page.locator(`.targets-met li[data-key="${id}"] .tm-count`).textContent()), `${vietnamese(String(met))}/${vietnamese(String(of))} xã`, id);
  }
  // The CSV and Excel links are the region's.
  assert.equal(await page.locator('.overview a.csv:not(.xlsx)').getAttribute('href'), `/api/coverage.csv?region=${region.code}&as_of=${asOf}&decimal=comma`);
  // Sorting by name, then by a column.
  await page.locator('.groups-table th[data-key="name"] button').first().click();
  const byName = await page.locator('.groups-table[data-part="roads"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('th .v').textContent));
  assert.deepEqual(byName, [...byName].sort((a, b) => a.localeCompare(b, 'vi', { numeric: true })));
  await page.locator('.groups-table th[data-key="concrete_pct"] button').click();
  assert.deepEqual(problems, []);
});

test('the search box finds the region\'s communes without diacritics, and frames the one picked', async () => {
  const target = (await api(`/api/coverage?region=${region.code}`)).communes.at(-1);
  const number = target.name.match(/\d+$/)[0];
  await page.locator('#search').fill(`xa tong hop ${number}`);
  const first = page.locator('#search-results [role="option"]').first();
  await first.waitFor({ timeout: 5_000 });
  assert.equal(norm(await first.locator('.hit-name').textContent()), target.name);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.kheo.map.isMoving(), null, { timeout: 10_000 });
  await page.waitForTimeout(700);
  const state = await page.evaluate((code) => {
    const { map, units } = window.kheo;
    return { selected: map.getFeatureState({ source: units.source, id: code }).selected, zoom: map.getZoom() };
  }, target.code);
  assert.equal(state.selected, true, 'the commune is outlined');
  assert.equal(await page.locator(`.groups-table tbody tr[data-code="${target.code}"].picked`).count(), 2, 'its rows are marked');
  await page.locator('#search').fill('');
  await page.evaluate(() => window.kheo.map.fitBounds(window.kheo.region.bbox, { animate: false }));
});

test('a click on a commune opens its page, keeping the indicator and the date, and leads back', async () => {
  await page.locator('#indicator').selectOption('lit_pct');
  await page.evaluate(() => window.kheo.requestAsOf('2024-12-31'));
  await page.waitForFunction(() => document.documentElement.dataset.asOf === '2024-12-31' && document.documentElement.dataset.busy === '0');
  const geojson = await api(`/api/coverage.geojson?region=${region.code}&as_of=2024-12-31`);
  const feature = geojson.features[Math.min(3, geojson.features.length - 1)];
  const xy = await page.evaluate((lnglat) => {
    const { map } = window.kheo;
    const p = map.project(lnglat);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, interiorPoint(feature.geometry).p);
  await Promise.all([page.waitForURL((url) => url.searchParams.get('commune') === feature.properties.code), page.mouse.click(xy.x, xy.y)]);
  await waitReady(page);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('ind'), 'lit_pct');
  assert.equal(url.searchParams.get('as_of'), '2024-12-31');
  assert.equal(url.searchParams.get('region'), region.code);
  assert.equal(norm(await page.locator('.overview .panel-head h2').textContent()), feature.properties.name);
  const back = page.locator('.overview a.back-region');
  assert.equal(norm(await back.textContent()), `← Về ${region.name}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'region-commune.png') });
  await Promise.all([page.waitForURL((u) => u.searchParams.get('region') === region.code && !u.searchParams.get('commune')), back.click()]);
  await waitReady(page);
  const again = new URL(page.url());
  assert.equal(again.searchParams.get('ind'), 'lit_pct');
  assert.equal(again.searchParams.get('as_of'), '2024-12-31');
  assert.equal(await page.locator('#indicator').inputValue(), 'lit_pct');
  assert.deepEqual(problems, []);
});

test('the region picker opens a region from a commune\'s page; the region\'s PNG, Excel and report files', async () => {
  const p = await page.context().newPage();
  watch(p, 'picker', problems);
  await p.goto(`${baseUrl}/?commune=17131`, { waitUntil: 'load' });
  await waitReady(p);
  const options = await p.locator('#region-select option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  const regions = await api('/api/regions');
  assert.deepEqual(options, regions.map((r) => r.code));
  // The commune's province, under its name, leads to the province's page.
  const province = regions.find((r) => r.kind === 'province' && r.name === 'Nghệ An');
  assert.ok((await p.locator('.legend-province a').getAttribute('href')).includes(`region=${province.code}`));
  await Promise.all([p.waitForURL((u) => u.searchParams.get('region') === region.code), p.locator('#region-select').selectOption(region.code)]);
  await waitReady(p);
  assert.equal(norm(await p.locator('.overview .panel-head h2').textContent()), region.name);
  // The PNG of the region's map, named after it; its Excel table.
  const asOf = await p.evaluate(() => document.documentElement.dataset.asOf);
  const [download] = await Promise.all([p.waitForEvent('download'), p.locator('.png-btn').click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^kheo-${region.code}-[a-z_]+-${asOf}\\.png$`));
  const xlsx = await fetch(`${baseUrl}${await p.locator('.overview a.xlsx').getAttribute('href')}`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  // The region's report, Word, at the date shown, named after the region.
  assert.equal(await p.locator('.report').isVisible(), true, 'a region has its report');
  await p.locator('.report-btn').click();
  const [report, saved] = await Promise.all([
    p.waitForResponse((r) => new URL(r.url()).pathname === '/api/report', { timeout: 120_000 }),
    p.waitForEvent('download', { timeout: 120_000 }),
    p.locator('.report-menu .report-docx').click(),
  ]);
  assert.equal(report.status(), 200);
  const query = new URL(report.url()).searchParams;
  assert.deepEqual([query.get('region'), query.get('commune'), query.get('as_of'), query.get('format')], [region.code, null, asOf, 'docx']);
  assert.equal(saved.suggestedFilename(), `bao-cao-${region.code}-${asOf}.docx`);
  assert.equal(readFileSync(await saved.path()).subarray(0, 2).toString('latin1'), 'PK', 'the file saved is a DOCX (a zip)');
  await p.close();
  assert.deepEqual(problems, []);
});

test('the region\'s slides: overview, ranking, the communes behind target', async () => {
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const report = await api(`/api/coverage?region=${region.code}&as_of=${asOf}`);
  await page.locator('.present-btn').click();
  const drawn = (n) => page.waitForFunction((k) => document.documentElement.dataset.slideDrawn === String(k), n, { timeout: 30_000 });
  await drawn(1);
  assert.equal(norm(await page.locator('.slide-commune').textContent()), region.name);
  await page.keyboard.press('ArrowRight');
  await drawn(2);
  const main = spec('lit_pct');
  assert.equal(norm(await page.locator('.slide-overview .slide-main .v').textContent()), norm(figure(main, report.region)));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'region-slide-overview.png') });
  await page.keyboard.press('ArrowRight');
  await drawn(3);
  const ranking = await page.locator('.slide-ranking .slide-bars-row').evaluateAll((lis) => lis.map((li) => li.dataset.code));
  assert.deepEqual(ranking, [...report.communes].sort((a, b) => (stored(b, 'lit_pct') ?? -1) - (stored(a, 'lit_pct') ?? -1)).map((c) => c.code));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'region-slide-ranking.png') });
  await page.keyboard.press('ArrowRight');
  await drawn(4);
  const behind = await page.locator('.slide-behind li').evaluateAll((lis) => lis.map((li) => li.dataset.code));
  const late = report.communes.filter((c) => c.targets?.lit_pct?.met === false).map((c) => c.code);
  assert.deepEqual([...behind].sort(), [...late].sort(), 'the communes behind the lit target');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'region-slide-behind.png') });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  assert.deepEqual(problems, []);
});
