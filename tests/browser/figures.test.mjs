// One figure everywhere (issue "One truth for layers and indicators"): for every group and
// every indicator the page's table shows, and every figure of the commune's headline cards,
// the page's text, the CSV (`decimal=comma`), the XLSX and the JSON show the same figure.
//
// The expected figure is computed here from the JSON's stored value with the test's own
// rounding, on the decimal digits of the number as text (half away from zero, the display
// divisor being a power of ten), never with the page's code; then written the Vietnamese way.
// The demo holds a value that a half-to-even rounding would show otherwise (TDP 11's 49.25 %
// of concrete in the issue), which the test checks first so that it can fail.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { halfWay, roundText, stored, vietnamese } from './numbers.mjs';
import { parseCsv, readXlsx } from './sheets.mjs';

const COMMUNE = '17131';
let server;
let baseUrl;
let browser;
let page;
const problems = [];

const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

async function get(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response;
}

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  watch(page, 'figures', problems);
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('the test\'s rounding is half away from zero on the digits', () => {
  assert.equal(roundText(49.25, 1, 1), '49.3');
  assert.equal(roundText(49.24, 1, 1), '49.2');
  assert.equal(roundText(2.5, 1, 0), '3');
  assert.equal(roundText(3958.4, 1000, 2), '3.96');
  assert.equal(roundText(995, 1000, 2), '1.00');
  assert.equal(roundText(0.05, 1, 1), '0.1');
  assert.equal(roundText(1.005, 1, 2), '1.01'); // the digits, not the binary 1.00499999…
  assert.ok(halfWay(49.25, 1, 1) && !halfWay(49.2, 1, 1) && halfWay(3965, 1000, 2));
  assert.equal(vietnamese('2300612009'), '2.300.612.009');
  assert.equal(vietnamese('49.3'), '49,3');
});

test('the page (in an English browser), the CSV, the XLSX and the JSON show the same figures', async () => {
  await page.goto(`${baseUrl}/?commune=${COMMUNE}`, { waitUntil: 'load' });
  await waitReady(page);
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  const indicators = await (await get('/api/indicators')).json();
  const coverage = await (await get(`/api/coverage?commune=${COMMUNE}&as_of=${asOf}`)).json();
  const columns = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('group'));
  assert.ok(columns.length >= 5, `the table shows ${columns.length} indicators`);
  const header = (i) => (i.display.unit.vi ? `${i.title.vi} (${i.display.unit.vi})` : i.title.vi);
  const expected = (i, record) => {
    const v = stored(record, i.id);
    return v === null || v === undefined ? null : roundText(v, i.display.divisor, i.display.decimals);
  };

  // A stored value exactly half way at its display precision: rounding it the other way
  // would change its figure, so the comparisons below tell the roundings apart.
  const halves = coverage.groups.flatMap((g) => columns.map((i) => ({ g: g.code, i: i.id, v: stored(g, i.id), d: i.display })))
    .filter(({ v, d }) => typeof v === 'number' && halfWay(v, d.divisor, d.decimals));
  assert.ok(halves.length > 0, 'the demo has a figure half way between two roundings');
  console.log(`[figures] half-way values: ${halves.map((h) => `${h.g} ${h.i} ${h.v}`).join(', ')}`);

  // The CSV the page links to (Vietnamese decimals), and the Excel workbook.
  const csvHref = await page.locator('.overview a.csv:not(.xlsx)').getAttribute('href');
  assert.ok(csvHref.includes('decimal=comma'), csvHref);
  const csv = parseCsv(await (await get(csvHref)).text());
  const xlsxHref = await page.locator('.overview a.xlsx').getAttribute('href');
  const xlsx = readXlsx(Buffer.from(await (await get(xlsxHref)).arrayBuffer()));
  const xlsxHeader = xlsx.findIndex((row) => row?.[0] === 'Mã');
  assert.ok(xlsxHeader >= 0, 'the XLSX has its header row');

  const csvRow = (code) => csv.find((row) => row[0] === code);
  const xlsxRow = (code) => xlsx.slice(xlsxHeader + 1).find((row) => row?.[0] === code);
  const csvCol = (i) => csv[0].indexOf(header(i));
  const xlsxCol = (i) => xlsx[xlsxHeader].indexOf(header(i));

  // The table's cells by group and indicator (the table comes in parts: roads, the rest).
  const cells = await page.locator('.groups-table tbody tr').evaluateAll((trs) => {
    const out = {};
    for (const tr of trs) {
      for (const td of tr.querySelectorAll('td[data-key]')) (out[tr.dataset.code] ??= {})[td.dataset.key] = td.querySelector('.v').textContent;
    }
    return out;
  });
  let compared = 0;
  for (const g of coverage.groups) {
    for (const i of columns) {
      const figure = expected(i, g);
      const where = `${g.code} ${i.id} (stored ${stored(g, i.id)})`;
      assert.equal(norm(cells[g.code][i.id]), figure === null ? '–' : vietnamese(figure), `page, ${where}`);
      assert.ok(csvCol(i) >= 0, `the CSV has a column "${header(i)}"`);
      assert.equal(csvRow(g.code)[csvCol(i)], figure === null ? '' : figure.replace('.', ','), `CSV, ${where}`);
      assert.ok(xlsxCol(i) >= 0, `the XLSX has a column "${header(i)}"`);
      const x = xlsxRow(g.code)[xlsxCol(i)];
      assert.equal(x ?? null, figure === null ? null : Number(figure), `XLSX, ${where}`);
      compared += 1;
    }
  }

  // The commune's headline cards: the figure (and the unit) of each card, against the
  // commune's row of the CSV and the XLSX.
  const cards = await page.locator('.overview .headline .card[data-key]').evaluateAll((list) => Object.fromEntries(list.map((c) => [c.dataset.key, c.querySelector('.card-value .v').textContent])));
  const lead = await page.locator('.overview .headline-main .headline-pct').evaluate((n) => ({ key: n.dataset.key, text: n.textContent }));
  cards[lead.key] = lead.text;
  const shownCards = indicators.filter((i) => i.outputs.dashboard && i.levels.includes('commune') && cards[i.id] !== undefined);
  assert.ok(shownCards.length >= 5, `${shownCards.length} headline figures`);
  for (const i of shownCards) {
    const figure = expected(i, coverage.commune);
    const unit = i.display.unit.vi;
    assert.equal(norm(cards[i.id]), norm(unit ? `${vietnamese(figure)} ${unit}` : vietnamese(figure)), `card ${i.id}`);
    assert.equal(csvRow(COMMUNE)[csvCol(i)], figure.replace('.', ','), `CSV commune ${i.id}`);
    assert.equal(xlsxRow(COMMUNE)[xlsxCol(i)], Number(figure), `XLSX commune ${i.id}`);
    compared += 1;
  }
  console.log(`[figures] ${compared} figures compared on the page, in the CSV, the XLSX and the JSON`);
  assert.deepEqual(problems, []);
});
