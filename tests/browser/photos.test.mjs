// Browser test of photos of works and of the council report's button, on a real kheo server
// with the demo ward (see helpers.mjs):
//
// - an editor uploads a real JPEG (drawn on a canvas in the page) to a model site from its
//   popup: "keep GPS" off by default, the form busy while it is sent, the thumbnail in the
//   popup (360 × 270 for a 640 × 480 photo), the photo in a lightbox with its caption and its
//   date (dd/mm/yyyy); a file that is not an image gets the server's refusal in words; a
//   visitor sees the thumbnail and no upload; the group's page and a slide show the model
//   sites' photos; the slide of "km còn lại" reads the work list's figures; the editor
//   deletes the photo after confirming;
// - the "Báo cáo" button downloads the report (Word, then PDF at another date, then in
//   English) for the date and the language shown, under the server's file name.
//
// Expected values come from the API and the test's own arithmetic, never from the page's code.
//
// Leaves target/screenshots/photos-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { addUser, launchBrowser, SCREENSHOTS, SETUP_TIMEOUT_MS, startDemoServer, waitReady, watch } from './helpers.mjs';
import { figure } from './numbers.mjs';

const COMMUNE = '17131';
const EDITOR = { username: 'anhchup', password: 'mat-khau-thu-anh', displayName: 'Lê Thị Hoa' };
const CAPTION = 'Sân chơi thiếu nhi sau khi hoàn thành';
let server;
let baseUrl;
let browser;
let site; // the model site photographed: {id, name, coordinates}
let photo; // its photo, as the API lists it
const problems = [];

const norm = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const dmy = (iso) => iso.slice(0, 10).split('-').reverse().join('/');
/** The day of a timestamp in Vietnam (UTC+7 all year), as YYYY-MM-DD. */
const vietnamDay = (timestamp) => new Date(Date.parse(timestamp) + 7 * 3600 * 1000).toISOString().slice(0, 10);

/**
 * The problems recorded but the refusal the first test asks for (a 415 on the photos of a
 * feature, which the browser also logs), whenever it is recorded.
 */
const unexpected = () => problems.filter((p) => !/(HTTP 415: .*\/api\/layers\/model_sites\/features\/\d+\/photos$)|(status of 415 \(Unsupported Media Type\))/.test(p));

async function api(pathAndQuery) {
  const response = await fetch(`${baseUrl}${pathAndQuery}`);
  assert.equal(response.status, 200, `${pathAndQuery}: HTTP ${response.status}`);
  return response.json();
}

/** A page of the commune at 1280 × 800 in `locale`, loaded and ready; signed in if asked. */
async function openPage({ signIn = false, locale = 'vi-VN', query = '' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  watch(page, `photos ${locale}${signIn ? ' editor' : ''}`, problems);
  await page.goto(`${baseUrl}/?commune=${COMMUNE}${query}`, { waitUntil: 'load' });
  await waitReady(page);
  if (signIn) {
    await page.locator('.account .sign-in').click();
    await page.fill('#auth-username', EDITOR.username);
    await page.fill('#auth-password', EDITOR.password);
    await page.keyboard.press('Enter');
    await page.locator('.edit-toolbar').waitFor({ state: 'visible' });
  }
  return { context, page };
}

/** Opens the popup of the model site by a click on it (the map centred on it first). */
async function openSitePopup(page) {
  const at = await page.evaluate(async (ll) => {
    const { map } = window.kheo;
    map.jumpTo({ center: ll, zoom: 17.5 });
    await new Promise((resolve) => map.once('idle', resolve));
    const p = map.project(ll);
    const box = map.getContainer().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, site.coordinates);
  await page.mouse.click(at.x, at.y);
  await page.locator(`.maplibregl-popup[data-feature="model_sites/${site.id}"] .work-photos`).waitFor({ state: 'attached', timeout: 10_000 });
  return page.locator('.maplibregl-popup');
}

/** A 640 × 480 JPEG drawn on a canvas in the page: two colours and a word. */
async function canvasJpeg(page) {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const g = canvas.getContext('2d');
    g.fillStyle = '#2e7d32';
    g.fillRect(0, 0, 320, 480);
    g.fillStyle = '#f9a825';
    g.fillRect(320, 0, 320, 480);
    g.fillStyle = '#fff';
    g.font = 'bold 64px sans-serif';
    g.fillText('kheo', 220, 260);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}

before(async () => {
  browser = await launchBrowser();
  server = await startDemoServer();
  baseUrl = server.baseUrl;
  await addUser(server, EDITOR.username, { role: 'editor', communes: [COMMUNE], password: EDITOR.password, displayName: EDITOR.displayName });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const sites = await api(`/api/layers/model_sites/features?commune=${COMMUNE}&limit=1`);
  const feature = sites.features[0];
  site = { id: feature.id, name: feature.properties.name, coordinates: feature.geometry.coordinates };
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch((error) => console.error(error));
}, { timeout: 120_000 });

test('an editor uploads a JPEG to a model site from its popup, sees its thumbnail and opens it', async () => {
  const { context, page } = await openPage({ signIn: true });
  const popup = await openSitePopup(page);
  const section = popup.locator('.work-photos');
  assert.equal(await section.locator('.photo-thumb').count(), 0, 'no photos yet');
  assert.equal(await section.locator('.photo-file').getAttribute('accept'), 'image/jpeg,image/png,image/webp');
  assert.equal(await section.locator('.photo-gps').isChecked(), false, '"keep GPS" is off by default');
  assert.equal(await section.locator('.photo-send').isDisabled(), true, 'nothing to send before a file is chosen');

  const jpeg = await canvasJpeg(page);
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a real JPEG');
  await section.locator('.photo-file').setInputFiles({ name: 'san-choi.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await section.locator('.photo-caption-input').fill(CAPTION);
  // The upload held back a moment: the form says it is busy meanwhile.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/layers/model_sites/features/*/photos', async (route) => {
    if (route.request().method() === 'POST') await held;
    await route.continue();
  });
  await section.locator('.photo-send').click();
  await section.locator('.photo-upload[aria-busy="true"]').waitFor();
  assert.equal(await section.locator('.photo-send').isDisabled(), true, 'no second send while one is under way');
  assert.equal(norm(await section.locator('.photo-status').textContent()), 'Đang tải ảnh lên…');
  release();
  await page.locator('.maplibregl-popup .work-photos[data-count="1"]').waitFor({ timeout: 30_000 });
  await page.unroute('**/api/layers/model_sites/features/*/photos');
  assert.match(norm(await section.locator('.photo-status').textContent()), /^Đã tải ảnh lên\./);
  assert.equal(await section.locator('.photo-upload[aria-busy]').count(), 0);

  // What the server kept: the photo, its caption, no position (GPS not kept).
  const list = await api(`/api/layers/model_sites/features/${site.id}/photos`);
  assert.equal(list.length, 1);
  photo = list[0];
  assert.deepEqual([photo.width, photo.height, photo.caption, photo.position], [640, 480, CAPTION, null]);

  // The thumbnail: 360 px on its long side, the shape kept (640 × 480 → 360 × 270).
  const thumb = section.locator('.photo-thumb img');
  await page.waitForFunction(() => document.querySelector('.work-photos .photo-thumb img')?.complete, null, { timeout: 10_000 });
  assert.deepEqual(await thumb.evaluate((img) => [img.naturalWidth, img.naturalHeight, new URL(img.src).pathname]), [360, 270, `/api/photos/${photo.id}/thumb`]);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'photos-popup.png') });

  // A click opens the photo itself, with its caption and its day as dd/mm/yyyy.
  await section.locator('.photo-thumb').click();
  const box = page.locator('.photo-lightbox[open]');
  await box.waitFor();
  await page.waitForFunction(() => document.querySelector('.photo-lightbox .photo-full')?.complete, null, { timeout: 10_000 });
  assert.deepEqual(await box.locator('.photo-full').evaluate((img) => [img.naturalWidth, img.naturalHeight]), [640, 480]);
  assert.equal(norm(await box.locator('.photo-caption').textContent()), CAPTION);
  // A canvas JPEG has no EXIF date: the day it was uploaded, in Vietnam.
  assert.equal(photo.taken_on, null);
  const day = dmy(vietnamDay(photo.created_at));
  assert.match(day, /^\d{2}\/\d{2}\/\d{4}$/);
  assert.equal(norm(await box.locator('.photo-date').textContent()), day);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'photos-lightbox.png') });
  await box.locator('.photo-close').click();
  await box.waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await page.locator('.photo-lightbox[open]').count(), 0);

  // A file that is not an image: the server's refusal (415), said in words; nothing added.
  await section.locator('.photo-file').setInputFiles({ name: 'khong-phai-anh.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('Ten,Lat,Lon\nA,19.2,105.7\n') });
  await section.locator('.photo-send').click();
  await section.locator('.photo-status.error-text').waitFor({ timeout: 10_000 });
  const refusal = norm(await section.locator('.photo-status').textContent());
  assert.ok(refusal.startsWith('Tệp không phải ảnh JPEG, PNG hay WebP'), refusal);
  assert.ok(refusal.includes('not an image'), `the server's own words: ${refusal}`);
  assert.equal(await section.locator('.photo-thumb').count(), 1);
  assert.equal((await api(`/api/layers/model_sites/features/${site.id}/photos`)).length, 1);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'photos-refused.png') });
  await context.close();
  // The refusal is the one HTTP error of this test.
  assert.deepEqual(unexpected(), []);
});

test('a visitor sees the photo in the popup, in the group page and on a slide, without the editor\'s controls', async () => {
  assert.ok(photo, 'the photo of the first test');
  const { context, page } = await openPage();
  const popup = await openSitePopup(page);
  await popup.locator('.work-photos[data-count="1"]').waitFor();
  assert.equal(await popup.locator('.photo-thumb').count(), 1);
  assert.equal(await popup.locator('.photo-upload, .photo-delete, .photo-edit').count(), 0, 'no upload, caption change or delete for a visitor');
  await popup.locator('.maplibregl-popup-close-button').click();

  // The group the site lies in: its page shows the photo under the site's name.
  const coverage = await api(`/api/coverage?commune=${COMMUNE}`);
  let group = null;
  for (const g of coverage.groups) {
    const works = await api(`/api/layers/model_sites/features?commune=${COMMUNE}&group=${encodeURIComponent(g.code)}`);
    if (works.features.some((f) => f.id === site.id)) group = g;
  }
  assert.ok(group, 'the site lies in a group');
  await page.evaluate((id) => window.kheo.selectGroup(id), group.id);
  const gallery = page.locator('.group-page .block-photos:not([hidden])');
  await gallery.waitFor({ timeout: 10_000 });
  assert.equal(await gallery.locator('.photo-thumb').count(), 1);
  assert.equal(norm(await gallery.locator('.photo-thumb-name').textContent()), site.name);
  await gallery.locator('.photo-thumb').click();
  await page.locator('.photo-lightbox[open]').waitFor();
  assert.equal(norm(await page.locator('.photo-lightbox .photo-work').textContent()), site.name);
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.kheo.selectGroup(null));

  // The slides: the title, the overview, a slide per group, the photos, km left, the ranking.
  const total = 2 + coverage.groups.length + 1 + 2;
  const drawn = (n) => page.waitForFunction((k) => document.documentElement.dataset.slideDrawn === String(k), n, { timeout: 30_000 });
  await page.locator('.present-btn').click();
  await drawn(1);
  assert.equal(norm(await page.locator('.present-counter').textContent()), `1 / ${total}`);
  const photosSlide = 2 + coverage.groups.length + 1;
  await page.evaluate((k) => window.kheo.presentation.show(k, { animate: false }), photosSlide);
  await drawn(photosSlide);
  assert.equal(await page.locator('.slide-photos .photo-thumb').count(), 1);
  assert.equal(norm(await page.locator('.slide-photos .photo-thumb-name').textContent()), site.name);
  const nameSize = await page.locator('.slide-photos .photo-thumb-name').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(nameSize >= 20, `the site's name is ${nameSize} px on the slide`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'photos-slide.png') });

  // "Km còn lại": each group's figure is the work list's.
  await page.evaluate((k) => window.kheo.presentation.show(k, { animate: false }), total - 1);
  await drawn(total - 1);
  const indicators = await api('/api/indicators');
  const left = (indicators.indicators ?? indicators).find((i) => i.id === 'left_m');
  const worklist = await api(`/api/worklist?commune=${COMMUNE}&as_of=${coverage.as_of}`);
  const rows = await page.locator('.slide-left .slide-bars-row').evaluateAll((lis) => lis.map((li) => [li.dataset.code, li.querySelector('.slide-bars-value').textContent]));
  const groupsLeft = worklist.groups.filter((g) => g.code !== null);
  assert.equal(rows.length, coverage.groups.length);
  for (const [code, text] of rows) {
    const work = groupsLeft.find((g) => g.code === code);
    const expected = work ? figure(left, { left_m: work.left_m }) : figure(left, { left_m: 0 });
    assert.equal(norm(text), norm(expected), `${code}: km left on the slide and in the work list`);
  }
  await page.keyboard.press('Escape');
  await context.close();
  assert.deepEqual(unexpected(), []);
});

test('the editor changes the photo\'s caption, and the new caption is everywhere the photo is', async () => {
  const { context, page } = await openPage({ signIn: true });
  const popup = await openSitePopup(page);
  await popup.locator('.work-photos[data-count="1"]').waitFor();
  const renamed = 'Cổng chào, ảnh chụp lại';

  // Cancelled: nothing sent, nothing changed.
  await popup.locator('.photo-edit').click();
  const dialog = page.locator('.photo-caption-dialog[open]');
  await dialog.waitFor();
  assert.equal(await dialog.locator('.photo-caption-text').inputValue(), CAPTION, 'the current caption is filled in');
  await dialog.locator('.photo-caption-text').fill('không lưu');
  await dialog.getByRole('button', { name: 'Hủy' }).click();
  assert.equal((await api(`/api/layers/model_sites/features/${site.id}/photos`))[0].caption, CAPTION);

  // Saved: the API, the thumbnail and the lightbox say the new caption.
  await popup.locator('.photo-edit').click();
  await dialog.waitFor();
  await dialog.locator('.photo-caption-text').fill(`  ${renamed}  `);
  await dialog.locator('.photo-caption-save').click();
  await popup.locator('.photo-status', { hasText: 'Đã lưu chú thích ảnh.' }).waitFor();
  assert.equal((await api(`/api/layers/model_sites/features/${site.id}/photos`))[0].caption, renamed, 'saved, trimmed');
  assert.ok((await popup.locator('.photo-thumb').getAttribute('title'))?.startsWith(renamed));
  await popup.locator('.photo-thumb').click();
  const lightbox = page.locator('.photo-lightbox[open]');
  await lightbox.waitFor();
  assert.equal(norm(await lightbox.locator('.photo-caption').textContent()), renamed);
  await lightbox.locator('.photo-close').click();

  // Back to the first caption, for the tests after this one.
  await popup.locator('.photo-edit').click();
  await dialog.waitFor();
  await dialog.locator('.photo-caption-text').fill(CAPTION);
  // The context must not close before the PATCH is answered: closing it would abort the save.
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname.startsWith('/api/photos/')),
    dialog.locator('.photo-caption-save').click(),
  ]);
  assert.equal(saved.status(), 200);
  assert.equal((await api(`/api/layers/model_sites/features/${site.id}/photos`))[0].caption, CAPTION);
  await context.close();
  assert.deepEqual(unexpected(), []);
});

test('the editor deletes the photo after confirming', async () => {
  const { context, page } = await openPage({ signIn: true });
  const popup = await openSitePopup(page);
  await popup.locator('.work-photos[data-count="1"]').waitFor();
  await popup.locator('.photo-delete').click();
  const dialog = page.locator('.photo-confirm[open]');
  await dialog.waitFor();
  const confirmText = norm(await dialog.locator('.photo-confirm-text').textContent());
  assert.ok(confirmText.includes(CAPTION), confirmText);
  await dialog.locator('.photo-confirm-delete').click();
  await popup.locator('.work-photos[data-count="0"]').waitFor({ timeout: 10_000 });
  assert.equal(norm(await popup.locator('.photo-status').textContent()), 'Đã xóa ảnh.');
  assert.deepEqual(await api(`/api/layers/model_sites/features/${site.id}/photos`), []);
  await context.close();
  assert.deepEqual(unexpected(), []);
});

test('"Báo cáo" downloads the council report for the date and the language shown', async () => {
  const { context, page } = await openPage();
  const asOf = await page.evaluate(() => document.documentElement.dataset.asOf);
  assert.equal(norm(await page.locator('.report-btn').textContent()), 'Báo cáo');

  /** Chooses `format` in the menu; returns the report's response and the download. */
  const fetchReport = async (p, format) => {
    await p.locator('.report-btn').click();
    const [response, download] = await Promise.all([
      p.waitForResponse((r) => new URL(r.url()).pathname === '/api/report', { timeout: 120_000 }),
      p.waitForEvent('download', { timeout: 120_000 }),
      p.locator(`.report-menu .report-${format}`).click(),
    ]);
    return { response, download, query: new URL(response.url()).searchParams };
  };

  // Word, at the date shown.
  const word = await fetchReport(page, 'docx');
  assert.equal(word.response.status(), 200);
  assert.deepEqual([word.query.get('commune'), word.query.get('as_of'), word.query.get('format'), word.query.get('lang')], [COMMUNE, asOf, 'docx', 'vi']);
  const wordName = `bao-cao-${COMMUNE}-${asOf}.docx`;
  assert.equal(word.response.headers()['content-disposition'], `attachment; filename="${wordName}"`);
  assert.equal(word.download.suggestedFilename(), wordName);
  assert.equal(readFileSync(await word.download.path()).subarray(0, 2).toString('latin1'), 'PK', 'the file saved is a DOCX (a zip)');
  await page.locator('.report-btn:not([disabled])').waitFor();

  // PDF, at another date chosen in the page.
  await page.evaluate(() => window.kheo.requestAsOf('2024-12-31'));
  await page.waitForFunction(() => document.documentElement.dataset.asOf === '2024-12-31', null, { timeout: 30_000 });
  const pdf = await fetchReport(page, 'pdf');
  assert.equal(pdf.response.status(), 200);
  assert.equal(pdf.query.get('as_of'), '2024-12-31');
  assert.equal(pdf.response.headers()['content-type'], 'application/pdf');
  assert.equal(pdf.response.headers()['content-disposition'], `attachment; filename="bao-cao-${COMMUNE}-2024-12-31.pdf"`);
  assert.equal(pdf.download.suggestedFilename(), `bao-cao-${COMMUNE}-2024-12-31.pdf`);
  assert.equal(readFileSync(await pdf.download.path()).subarray(0, 5).toString('latin1'), '%PDF-', 'the file saved is a PDF');
  await context.close();

  // In English, the report is asked in English.
  const english = await openPage({ locale: 'en-US', query: '&lang=en' });
  assert.equal(norm(await english.page.locator('.report-btn').textContent()), 'Report');
  const report = await fetchReport(english.page, 'docx');
  assert.equal(report.response.status(), 200);
  assert.equal(report.query.get('lang'), 'en');
  await english.context.close();
  assert.deepEqual(unexpected(), []);
});
