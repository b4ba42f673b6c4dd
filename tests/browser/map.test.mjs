// Browser test of the map page: a real kheo server on a throwaway PostGIS loaded with the
// demo commune, driven through Debian's Chromium with playwright-core (see helpers.mjs for
// how to run it and its environment variables).
//
// Leaves target/screenshots/map.png (desktop), map-popup.png and map-phone.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch as watchInto } from './helpers.mjs';

const WORK_LAYERS = ['groups', 'roads', 'flower_routes', 'lighting_lines', 'model_sites'];

let server;
let baseUrl;
let browser;
let page;
const problems = []; // console errors, page errors, failed requests, HTTP errors
const watch = (p, name) => watchInto(p, name, problems);

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
  watch(page, 'desktop');
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('the page loads and the map becomes ready without errors', async () => {
  const response = await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  await waitReady(page).catch((error) => {
    throw new Error(`data-ready never became "1": ${error.message}\n${problems.join('\n')}`);
  });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'map.png') });
  assert.deepEqual(problems, []);
});

test('every works layer and the groups draw at least one feature', async () => {
  const counts = await page.evaluate((layers) => {
    const { map, styleLayers } = window.kheo;
    return Object.fromEntries(layers.map((id) => {
      const ids = styleLayers?.[id] ?? [];
      return [id, ids.length ? map.queryRenderedFeatures({ layers: ids }).length : -1];
    }));
  }, WORK_LAYERS);
  for (const id of WORK_LAYERS) {
    assert.ok(counts[id] > 0, `layer ${id}: ${counts[id]} rendered features (all: ${JSON.stringify(counts)})`);
  }
});

test('the map is fitted to the commune', async () => {
  const inside = await page.evaluate(() => {
    const { map, commune } = window.kheo;
    const [w, s, e, n] = commune.bbox;
    const b = map.getBounds();
    return b.getWest() <= w && b.getEast() >= e && b.getSouth() <= s && b.getNorth() >= n && map.getZoom() > 11;
  });
  assert.ok(inside, 'the view should contain the whole commune, zoomed in');
});

test('clicking a model site opens a popup with its name and its field', async () => {
  const site = await page.evaluate(async () => {
    const { map } = window.kheo;
    const features = map.queryRenderedFeatures({ layers: ['model_sites-circle'] });
    if (features.length === 0) return null;
    const feature = features[0];
    const coords = feature.geometry.coordinates;
    // Centre the map on the site so that the legend and the controls cannot be in the way.
    map.jumpTo({ center: coords, zoom: Math.max(map.getZoom(), 16) });
    await new Promise((resolve) => map.once('idle', resolve));
    const point = map.project(coords);
    const box = map.getContainer().getBoundingClientRect();
    const layerTitle = window.kheo.catalogue.find((l) => l.id === 'model_sites')?.title?.vi;
    return { name: feature.properties.name, layerTitle, x: box.left + point.x, y: box.top + point.y };
  });
  assert.ok(site, 'no model site rendered');
  assert.ok(site.name, 'the model site has no name');
  await page.mouse.click(site.x, site.y);
  const popup = page.locator('.maplibregl-popup');
  await popup.waitFor({ state: 'visible', timeout: 5_000 });
  const text = await popup.textContent(); // not innerText: the kicker is CSS-uppercased
  assert.ok(text.includes(site.name), `popup should contain "${site.name}":\n${text}`);
  assert.ok(text.includes('Lĩnh vực'), `popup should contain the field title "Lĩnh vực":\n${text}`);
  assert.ok(site.layerTitle && text.includes(site.layerTitle), `popup should carry the layer title "${site.layerTitle}"`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'map-popup.png') });
  await page.locator('.maplibregl-popup-close-button').click();
  await page.evaluate(() => window.kheo.map.fitBounds(window.kheo.commune.bbox, { animate: false }));
});

test('unchecking a legend checkbox hides its layer, checking shows it again', async () => {
  const ids = await page.evaluate(() => window.kheo.styleLayers.roads);
  assert.ok(ids.length > 0);
  const visibility = () => page.evaluate((list) => list.map((id) => window.kheo.map.getLayoutProperty(id, 'visibility')), ids);

  const checkbox = page.getByRole('checkbox', { name: 'Đường giao thông' });
  assert.equal(await checkbox.isChecked(), true);
  await checkbox.uncheck();
  assert.deepEqual(await visibility(), ids.map(() => 'none'));
  await checkbox.check();
  assert.deepEqual(await visibility(), ids.map(() => 'visible'));

  // Keyboard: focus a checkbox and press Space.
  const flowerIds = await page.evaluate(() => window.kheo.styleLayers.flower_routes);
  await page.locator('#layer-toggle-flower_routes').focus();
  await page.keyboard.press('Space');
  const flowers = await page.evaluate((list) => list.map((id) => window.kheo.map.getLayoutProperty(id, 'visibility')), flowerIds);
  assert.deepEqual(flowers, flowerIds.map(() => 'none'));
  await page.keyboard.press('Space');
});

test('the page works at phone width with a collapsible legend', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const phone = await context.newPage();
  watch(phone, 'phone');
  await phone.goto(`${baseUrl}/`);
  await waitReady(phone);
  const toggle = phone.locator('.legend-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the legend starts collapsed on a phone');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.ok(await phone.getByRole('checkbox', { name: 'Đường giao thông' }).isVisible());
  await phone.screenshot({ path: path.join(SCREENSHOTS, 'map-phone.png') });
  await context.close();
  assert.deepEqual(problems, []);
});

test('?lang=en shows the English strings and catalogue titles', async () => {
  await page.goto(`${baseUrl}/?lang=en`);
  await waitReady(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.ok(await page.getByRole('checkbox', { name: 'Roads' }).isChecked());
  assert.equal((await page.locator('.legend-heading').textContent()).trim(), 'Map layers');
  assert.deepEqual(problems, []);
});
