// Browser test of the presentation mode (for the People's Council), the PNG export and the
// print layout, against a real kheo server with the demo ward (see helpers.mjs).
//
// Expected numbers come from the API, formatted here the Vietnamese way (never read from the
// page's code).
//
// Leaves in target/screenshots/: present-title.png, present-overview.png, present-group.png,
// present-last.png, export.png (the downloaded PNG), print.pdf and print-1.png (its first page,
// when pdftoppm is installed).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { roundText, vietnamese } from './numbers.mjs';

const COMMUNE = '17131';
let server;
let baseUrl;
let browser;
let context;
let page;
let coverage;
const problems = [];

const one = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
// Shares as every output shows them: half away from zero to one decimal (numbers.mjs).
const pct = (v) => `${vietnamese(roundText(v, 1, 1))}\u00a0%`;
const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const ddmmyyyy = (iso) => iso.split('-').reverse().join('/');

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}

/** Waits until slide `n` is shown and its map has drawn. */
async function slideDrawn(p, n) {
  await p.waitForFunction((n) => document.documentElement.dataset.slideDrawn === String(n), n, { timeout: 30_000 });
}

const text = (locator) => locator.textContent().then(norm);

/** The slides of the demo: title, overview, a slide per group, the km left, the ranking. */
const TOTAL = () => 2 + coverage.groups.length + 2;

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN', acceptDownloads: true });
  page = await context.newPage();
  watch(page, 'present', problems);
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('the "Trình chiếu" button opens the title slide: commune, "Kết quả thực hiện", the date', async () => {
  await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
  await waitReady(page);
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  coverage = await api(`/api/coverage?commune=${COMMUNE}&as_of=${asOf}`);
  const total = TOTAL();

  assert.equal(await text(page.locator('.present-btn')), 'Trình chiếu');
  await page.locator('.present-btn').click();
  await slideDrawn(page, 1);
  assert.ok(await page.locator('.present').isVisible());
  assert.equal(await text(page.locator('.slide-commune')), coverage.commune.name);
  assert.match(await text(page.locator('.slide-heading')), /^Kết quả thực hiện/);
  assert.ok((await text(page.locator('.slide-date'))).includes(ddmmyyyy(coverage.as_of)), 'the as-of date in dd/mm/yyyy');
  assert.equal(await text(page.locator('.present-counter')), `1 / ${total}`);
  // No editing, search or slider controls.
  for (const selector of ['#search', '#year', '#date', '.panel', '.legend', '.maplibregl-ctrl-zoom-in']) {
    assert.equal(await page.locator(selector).isVisible(), false, `${selector} should be hidden while presenting`);
  }
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('present'), '1');
  assert.equal(url.searchParams.get('slide'), '1');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'present-title.png') });
});

test('→ shows the overview: its big concrete number is the API\'s, the map fitted to the commune', async () => {
  await page.keyboard.press('ArrowRight');
  await slideDrawn(page, 2);
  const c = coverage.commune;
  assert.equal(await text(page.locator('.slide-overview .slide-name')), c.name);
  assert.equal(await text(page.locator('.slide-overview .slide-main[data-key="concrete_pct"] .v')), norm(pct(c.concrete_pct)));
  assert.equal(await text(page.locator('.slide-overview .slide-card[data-key="hardened_pct"] .v')), norm(pct(c.hardened_pct)));
  assert.equal(await text(page.locator('.slide-overview .slide-card[data-key="lit_pct"] .v')), norm(pct(c.lit_pct)));
  assert.equal(await page.locator('.slide-overview .slide-main .met.yes').count(), c.targets.concrete_pct.met ? 1 : 0);
  // The catalogue's slide figures of a commune: the leading share, then at most six cards.
  const indicators = await api('/api/indicators');
  const figures = indicators.filter((i) => i.outputs.slides && i.levels.includes('commune') && !['concrete_pct', 'concrete_m', 'road_m'].includes(i.id));
  const cards = await page.locator('.slide-overview .slide-main, .slide-overview .slide-card').count();
  assert.equal(cards, 1 + Math.min(6, figures.length), `${cards} headline numbers`);
  const fitted = await page.evaluate(() => {
    const { map, commune } = window.kheo;
    const [w, s, e, n] = commune.bbox;
    const b = map.getBounds();
    return b.getWest() <= w && b.getEast() >= e && b.getSouth() <= s && b.getNorth() >= n;
  });
  assert.ok(fitted, 'the overview map shows the whole commune');
  assert.equal(await text(page.locator('.present-counter')), `2 / ${TOTAL()}`);
  assert.equal(new URL(page.url()).searchParams.get('slide'), '2');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'present-overview.png') });
});

test('→ and PageDown reach the group slides: name and value equal the API, map zoomed to the group', async () => {
  await page.keyboard.press('ArrowRight');
  await slideDrawn(page, 3);
  await page.keyboard.press('PageDown'); // what a presentation clicker sends
  await slideDrawn(page, 4);
  const g = coverage.groups[1];
  assert.equal(await text(page.locator('.slide-group .slide-name')), g.name);
  assert.equal(await page.locator('.slide-group').getAttribute('data-code'), g.code);
  assert.equal(await text(page.locator('.slide-group .slide-main[data-key="concrete_pct"] .v')), norm(pct(g.concrete_pct)));
  assert.equal(await page.locator('.slide-group .slide-bar-target').count(), 1, 'the bar carries the target line');
  const view = await page.evaluate((id) => {
    const { map, data } = window.kheo;
    const feature = data.geojson.features.find((f) => f.properties.id === id);
    const coords = JSON.stringify(feature.geometry.coordinates).match(/-?\d+\.\d+/g).map(Number);
    const xs = coords.filter((_, i) => i % 2 === 0);
    const ys = coords.filter((_, i) => i % 2 === 1);
    const b = map.getBounds();
    const inside = b.getWest() <= Math.min(...xs) && b.getEast() >= Math.max(...xs) && b.getSouth() <= Math.min(...ys) && b.getNorth() >= Math.max(...ys);
    return { inside, zoom: map.getZoom(), dim: map.getFilter('present-dim') };
  }, g.id);
  assert.ok(view.inside, 'the group is in view');
  assert.ok(view.zoom > 14.5, `zoomed to the group (zoom ${view.zoom})`);
  assert.deepEqual(view.dim, ['!=', ['get', 'id'], g.id], 'the other groups are dimmed');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'present-group.png') });

  await page.keyboard.press('PageUp');
  await slideDrawn(page, 3);
  assert.equal(await text(page.locator('.slide-group .slide-name')), coverage.groups[0].name);
  await page.keyboard.press(' ');
  await slideDrawn(page, 4);
  await page.locator('.present-prev').click();
  await slideDrawn(page, 3);
  await page.locator('.present-next').click();
  await slideDrawn(page, 4);
});

test('End goes to the closing ranking, after the last group, Home to the title, Esc leaves and the controls come back', async () => {
  const total = TOTAL();
  await page.keyboard.press('End');
  await slideDrawn(page, total);
  assert.equal(await page.locator('.slide-ranking').count(), 1, 'the last slide ranks the groups');
  assert.equal(await text(page.locator('.present-counter')), `${total} / ${total}`);
  assert.ok(await page.locator('.present-next').isDisabled());
  await page.screenshot({ path: path.join(SCREENSHOTS, 'present-last.png') });
  // The last group's slide comes before the km left and the ranking.
  await page.keyboard.press('ArrowLeft');
  await slideDrawn(page, total - 1);
  await page.keyboard.press('ArrowLeft');
  await slideDrawn(page, total - 2);
  const last = coverage.groups[coverage.groups.length - 1];
  assert.equal(await text(page.locator('.slide-group .slide-name')), last.name);
  assert.equal(await text(page.locator('.slide-group .slide-main[data-key="concrete_pct"] .v')), norm(pct(last.concrete_pct)));
  await page.keyboard.press('Home');
  await slideDrawn(page, 1);

  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  assert.equal(await page.locator('.present').isVisible(), false);
  for (const selector of ['#search', '#year', '.panel', '.legend', '.groups-table[data-part="roads"]']) {
    assert.ok(await page.locator(selector).isVisible(), `${selector} visible again`);
  }
  assert.equal(await page.evaluate(() => document.fullscreenElement), null);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('present'), null);
  assert.equal(url.searchParams.get('slide'), null);
  assert.equal(await page.evaluate(() => window.kheo.map.getLayer('present-dim') ?? null), null);

  // The P key enters again (and Esc leaves again).
  await page.locator('.map').click({ position: { x: 600, y: 760 } });
  await page.keyboard.press('p');
  await slideDrawn(page, 1);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
});

test('the URL ?present=1&slide=3 opens the third slide (the first group)', async () => {
  const second = await context.newPage();
  watch(second, 'present-url', problems);
  await second.goto(`${baseUrl}/?commune=${COMMUNE}&present=1&slide=3`, { waitUntil: 'load' });
  await waitReady(second);
  await slideDrawn(second, 3);
  assert.equal(await text(second.locator('.present-counter')), `3 / ${TOTAL()}`);
  assert.equal(await text(second.locator('.slide-group .slide-name')), coverage.groups[0].name);
  assert.equal(await text(second.locator('.slide-group .slide-main[data-key="concrete_pct"] .v')), norm(pct(coverage.groups[0].concrete_pct)));
  assert.equal(await second.locator('#search').isVisible(), false);
  await second.close();
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buffer) {
  assert.deepEqual([...buffer.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(buffer.toString('latin1', 12, 16), 'IHDR');
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

test('the PNG export downloads a real image of the map with its title, legend and date', async () => {
  const canvas = await page.evaluate(() => ({ width: window.kheo.map.getCanvas().width, height: window.kheo.map.getCanvas().height }));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.png-btn').click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^kheo-${COMMUNE}-concrete_pct-${coverage.as_of}\\.png$`));
  const file = path.join(SCREENSHOTS, 'export.png');
  await download.saveAs(file);
  const buffer = readFileSync(file);
  const size = pngSize(buffer);
  assert.ok(size.width >= canvas.width && size.height >= canvas.height, `PNG ${size.width}×${size.height}, map canvas ${canvas.width}×${canvas.height}`);
  assert.ok(statSync(file).size > 50_000, `PNG of ${statSync(file).size} bytes`);

  // Decoded in the page: many distinct colours and a spread of brightness (not blank).
  const stats = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    const colours = new Set();
    const lum = [];
    for (let y = 0; y < bitmap.height; y += 8) {
      for (let x = 0; x < bitmap.width; x += 8) {
        const i = (y * bitmap.width + x) * 4;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        lum.push(0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2]);
      }
    }
    const mean = lum.reduce((a, b) => a + b, 0) / lum.length;
    const sd = Math.sqrt(lum.reduce((a, b) => a + (b - mean) ** 2, 0) / lum.length);
    // The choropleth's colours are there (the map was copied, not a blank buffer).
    const has = (hex) => {
      const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
      for (let i = 0; i < data.length; i += 4 * 7) {
        if (Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40) return true;
      }
      return false;
    };
    return { colours: colours.size, sd, blue: has('#2c7bb6'), red: has('#d7191c') };
  }, buffer.toString('base64'));
  assert.ok(stats.colours > 50, `${stats.colours} distinct colours`);
  assert.ok(stats.sd > 15, `luminance spread ${stats.sd}`);
  assert.ok(stats.blue && stats.red, 'the choropleth classes appear in the image');
});

test('print: no controls, the table shown; A4/A3 switch; page.pdf gives a one-page A4 landscape PDF', async () => {
  assert.equal(await text(page.locator('.print-btn')), 'In');
  assert.equal(await page.locator('a.csv:not(.xlsx)').getAttribute('href'), `/api/coverage.csv?commune=${COMMUNE}&as_of=${coverage.as_of}&decimal=comma`);
  assert.equal(await text(page.locator('a.csv:not(.xlsx)')), 'CSV (Excel tiếng Việt)');
  assert.equal(await page.locator('a.xlsx').getAttribute('href'), `/api/coverage.xlsx?commune=${COMMUNE}&as_of=${coverage.as_of}`);
  const xlsx = await fetch(`${baseUrl}/api/coverage.xlsx?commune=${COMMUNE}&as_of=${coverage.as_of}`);
  assert.equal(xlsx.status, 200);
  assert.equal((await xlsx.arrayBuffer()).byteLength > 1000, true);

  // The paper is a class on <html> that the print CSS's named pages follow (council.test.mjs
  // checks the PDF's page size).
  await page.locator('#paper').selectOption('a3');
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('paper-a3')));
  await page.locator('#paper').selectOption('a4');
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('paper-a4') && !document.documentElement.classList.contains('paper-portrait')));

  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint'))); // what printing does first
  await page.emulateMedia({ media: 'print' });
  for (const selector of ['#search', '#year', '#date', '.present-btn', '.png-btn', '.legend', '.maplibregl-ctrl-zoom-in']) {
    assert.equal(await page.locator(selector).isVisible(), false, `${selector} hidden in print`);
  }
  for (const selector of ['.groups-table[data-part="roads"]', '.print-head', '.print-map']) {
    assert.ok(await page.locator(selector).isVisible(), `${selector} visible in print`);
  }
  assert.equal(await text(page.locator('.print-title')), `${coverage.commune.name}: Tỷ lệ bê tông`); // the catalogue's title
  assert.equal(await page.locator('.groups-table[data-part="roads"] tbody tr').count(), coverage.groups.length);

  const pdfPath = path.join(SCREENSHOTS, 'print.pdf');
  const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
  writeFileSync(pdfPath, pdf);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
  assert.equal(pages, 1, 'the map and the table fit on one A4 page');
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
  assert.ok(box && Number(box[1]) > Number(box[2]), 'landscape page');
  if (spawnSync('pdftoppm', ['-v']).error === undefined) {
    const out = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdfPath, path.join(SCREENSHOTS, 'print')]);
    assert.equal(out.status, 0, String(out.stderr));
    assert.ok(existsSync(path.join(SCREENSHOTS, 'print-1.png')));
  }
  assert.ok(await page.locator('#search').isVisible(), 'the screen layout is back');
});

test('no console errors, page errors or failed requests', () => {
  assert.deepEqual(problems, []);
});
