// Browser test of the map page: a real kheo server on a throwaway PostGIS loaded with the
// demo commune, driven through Debian's Chromium with playwright-core (WebGL in software
// through SwiftShader). Missing Chromium or a missing kheo binary is a failure, never a skip.
//
//   npm run test:browser            (after `cargo build`)
//   KHEO_BIN=path/to/kheo npm run test:browser
//   CHROMIUM=/path/to/chromium npm run test:browser
//   KHEO_TEST_URL=http://127.0.0.1:8080 npm run test:browser   (an already running server
//     with the demo loaded: no cluster, no demo load; for working on the page)
//
// Leaves target/screenshots/map.png (desktop), map-popup.png and map-phone.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.KHEO_BIN ?? 'target/debug/kheo');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const LISTEN_TIMEOUT_MS = 60_000;
const DEMO_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = 60_000;
const WORK_LAYERS = ['groups', 'roads', 'flower_routes', 'lighting_lines', 'model_sites'];

let home;
let server;
let serverLog = '';
let baseUrl;
let browser;
let page;
const problems = []; // console errors, page errors, failed requests, HTTP errors

/** Runs `kheo args...` to completion; resolves with {code, output}. */
function run(args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n[test] ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, output });
    });
  });
}

/** Spawns `kheo serve` on port 0 and resolves with its URL once it says it is listening. */
function startServer(env) {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`kheo serve ${why}\n--- output ---\n${serverLog}`));
    };
    const timer = setTimeout(() => fail(`did not print "listening on http://..." within ${LISTEN_TIMEOUT_MS / 1000} s`), LISTEN_TIMEOUT_MS);
    server.stdout.on('data', (chunk) => {
      stdout += chunk;
      serverLog += chunk;
      const match = /listening on (http:\/\/[^\s"']+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    });
    server.stderr.on('data', (chunk) => (serverLog += chunk));
    server.on('error', (error) => fail(`could not start: ${error.message}`));
    server.on('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  server.removeAllListeners('exit'); // the "exited early" failure of startServer
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM=/path/to/chromium)`);
  if (process.env.KHEO_TEST_URL) {
    baseUrl = process.env.KHEO_TEST_URL.replace(/\/$/, '');
  } else {
    assert.ok(existsSync(BIN), `kheo binary not found at ${BIN}: build it with "cargo build" (or set KHEO_BIN)`);
    await startDemoServer();
  }

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
  watch(page, 'desktop');
}, { timeout: DEMO_TIMEOUT_MS + LISTEN_TIMEOUT_MS + 60_000 });

async function startDemoServer() {

  home = mkdtempSync(path.join(tmpdir(), 'kheo-browser-'));
  // mkdtemp makes the folder 0700; when run as root, kheo runs PostgreSQL as the postgres
  // user, which must be able to traverse it.
  chmodSync(home, 0o755);
  const env = { ...process.env, KHEO_HOME: home };
  delete env.DATABASE_URL; // the test uses its own managed cluster under KHEO_HOME

  const demo = await run(['demo'], env, DEMO_TIMEOUT_MS);
  assert.equal(demo.code, 0, `"kheo demo" failed (exit ${demo.code}):\n${demo.output}`);

  baseUrl = await startServer(env);
}

after(async () => {
  await browser?.close().catch(() => {});
  await stopServer().catch(() => {});
  if (home) {
    const down = await run(['db', 'down'], { ...process.env, KHEO_HOME: home }, 60_000);
    if (down.code !== 0) console.error(`"kheo db down" failed (exit ${down.code}):\n${down.output}`);
    else rmSync(home, { recursive: true, force: true });
  }
}, { timeout: 120_000 });

/** Records console errors, uncaught exceptions, failed requests and HTTP errors of `p`. */
function watch(p, name) {
  p.on('console', (message) => {
    if (message.type() === 'error') problems.push(`[${name}] console error: ${message.text()}`);
  });
  p.on('pageerror', (error) => problems.push(`[${name}] page error: ${error.message}`));
  p.on('requestfailed', (request) => problems.push(`[${name}] request failed: ${request.url()} (${request.failure()?.errorText})`));
  p.on('response', (response) => {
    if (response.status() >= 400) problems.push(`[${name}] HTTP ${response.status()}: ${response.url()}`);
  });
}

async function waitReady(p) {
  await p.waitForFunction(() => document.documentElement.dataset.ready === '1', null, { timeout: READY_TIMEOUT_MS });
}

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
