// @ts-check
// The "Báo cáo" button of a commune's page or a region's: a small menu of the report's two
// files (GET /api/report?commune= or ?region=, Word or PDF) for the date shown and in the
// page's language. The file is fetched, then saved under the name the server gives
// (Content-Disposition): making it takes a few seconds (a commune's map at 300 dpi), which
// the button shows, and a refusal is said in the panel's words instead of a browser error
// page.

import { el } from '../element.js';
import { required } from '../dom.js';
import { lang, t } from '../i18n.js';

/**
 * What a report is about: a commune, or a region.
 * @typedef {{ commune: string } | { region: string }} ReportArea
 */

/**
 * The report's URL for a commune or a region at a date, in a language.
 * @param {ReportArea} area
 * @param {string | null} asOf
 * @param {'docx' | 'pdf'} format
 * @param {string} language
 */
export function reportUrl(area, asOf, format, language) {
  const params = new URLSearchParams(area);
  if (asOf) params.set('as_of', asOf);
  params.set('format', format);
  params.set('lang', language);
  return `/api/report?${params}`;
}

/**
 * The file name of a `Content-Disposition` header, else `fallback`.
 * @param {string | null} header
 * @param {string} fallback
 */
export function attachmentName(header, fallback) {
  const match = /filename="?([^";]+)"?/i.exec(header ?? '');
  return match ? match[1] : fallback;
}

/**
 * Fetches the report and saves it.
 * @param {string} url
 * @param {string} fallbackName
 */
async function download(url, fallbackName) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body = await response.json();
      if (typeof body?.error === 'string') message = body.error;
    } catch { /* not JSON */ }
    throw new Error(message);
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const link = el('a', { href, download: attachmentName(response.headers.get('Content-Disposition'), fallbackName), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/**
 * Wires the report button and its menu.
 * @param {ReportArea} area
 * @param {() => string | null} shownDate the date the page shows (YYYY-MM-DD)
 */
export function enableReport(area, shownDate) {
  const code = 'commune' in area ? area.commune : area.region;
  const button = required('.report-btn', HTMLButtonElement);
  const menu = required('.report-menu', HTMLElement);
  const status = required('.report-status', HTMLElement);
  required('.report', HTMLElement).hidden = false;
  const close = () => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  };
  button.addEventListener('click', () => {
    const open = menu.hidden;
    menu.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) menu.querySelector('button')?.focus();
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      close();
      button.focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && event.target instanceof Node && !menu.contains(event.target) && !button.contains(event.target)) close();
  });
  for (const item of menu.querySelectorAll('button[data-format]')) {
    if (!(item instanceof HTMLButtonElement)) continue;
    const format = item.dataset.format === 'pdf' ? 'pdf' : 'docx';
    item.addEventListener('click', async () => {
      close();
      const asOf = shownDate();
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      status.classList.remove('error-text');
      status.textContent = t('report.busy');
      status.hidden = false;
      try {
        await download(reportUrl(area, asOf, format, lang()), `bao-cao-${code}-${asOf ?? ''}.${format}`);
        status.hidden = true;
        status.textContent = '';
      } catch (error) {
        status.classList.add('error-text');
        status.textContent = t('report.failed', { error: error instanceof Error ? error.message : String(error) });
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        button.focus();
      }
    });
  }
}
