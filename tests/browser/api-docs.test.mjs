// Browser test of /api/docs (issue 11, item 3): the page of kheo's OpenAPI document, drawn
// by the vendored Swagger UI (web/vendor/swagger-ui/) under the server's Content Security
// Policy, with no request outside the server. Every operation of /api/openapi.json shows,
// and an operation opens with its parameters and answers.
// Leaves target/screenshots/api-docs.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, watch } from './helpers.mjs';

let server;
let browser;
let page;
const problems = [];
const requests = [];

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  watch(page, 'api-docs', problems);
  page.on('request', (request) => requests.push(request.url()));
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('/api/docs shows every operation of the document, offline, with no console error', async () => {
  const document = await (await fetch(`${server.baseUrl}/api/openapi.json`)).json();
  const expected = [];
  for (const [route, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) expected.push(`${method.toUpperCase()} ${route}`);
    }
  }
  assert.ok(expected.length > 40, `${expected.length} operations`);

  await page.goto(`${server.baseUrl}/api/docs`, { waitUntil: 'load' });
  await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
  const shown = await page.$$eval('.opblock-summary', (blocks) => blocks.map((b) => {
    const method = b.querySelector('.opblock-summary-method')?.textContent?.trim();
    const route = b.querySelector('.opblock-summary-path')?.getAttribute('data-path');
    return `${method} ${route}`;
  }));
  assert.deepEqual([...shown].sort(), [...expected].sort());
  const title = await page.textContent('.info .title');
  assert.match(title ?? '', /kheo/);

  // One operation opened: its parameters and its error answers.
  const search = page.locator('.opblock-summary', { has: page.locator('[data-path="/api/search"]') });
  await search.click();
  const block = page.locator('.opblock.is-open');
  await block.locator('.parameters').waitFor({ timeout: 10_000 });
  const parameters = await block.locator('.parameter__name').allTextContents();
  for (const name of ['q', 'commune', 'limit', 'offset']) {
    assert.ok(parameters.some((p) => p.trim().startsWith(name)), `parameter ${name} in ${parameters}`);
  }
  const statuses = await block.locator('.responses-table .response-col_status').allTextContents();
  for (const status of ['200', '400', '503']) {
    assert.ok(statuses.some((s) => s.trim() === status), `answer ${status} in ${statuses}`);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png') });

  const outside = requests.filter((url) => !url.startsWith(server.baseUrl) && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests outside the server');
  assert.ok(requests.some((url) => url.endsWith('/api/openapi.json')), 'the page read the document');
  assert.deepEqual(problems, []);
});
