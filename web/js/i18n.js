// UI strings. Every visible string of the page comes from web/i18n/<lang>.json; the titles of
// layers, fields and enum values come from the API's layer catalogue instead (see `title`).
// Vietnamese is the default; `?lang=en` (remembered in localStorage) switches to English.

export const LANGS = ['vi', 'en'];
const DEFAULT_LANG = 'vi';

let current = DEFAULT_LANG;
let strings = {};

/** The language asked for by the URL, then by the last visit, else Vietnamese. */
export function preferredLang() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(fromUrl)) return fromUrl;
  try {
    const saved = localStorage.getItem('kheo.lang');
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage may be disabled */ }
  return DEFAULT_LANG;
}

/** Loads the strings of `lang` and applies them to the elements marked with data-i18n. */
export async function loadI18n(lang = preferredLang()) {
  const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  if (!response.ok) throw new Error(`i18n/${lang}.json: HTTP ${response.status}`);
  strings = await response.json();
  current = lang;
  document.documentElement.lang = lang;
  applyI18n(document);
  return lang;
}

export function lang() {
  return current;
}

/** The string `key` with `{name}` placeholders filled from `vars`; the key itself if missing. */
export function t(key, vars = {}) {
  const text = strings[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key} (${current})`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** A catalogue title object `{vi, en}` in the current language (Vietnamese as fallback). */
export function title(titles) {
  if (!titles) return '';
  if (typeof titles === 'string') return titles;
  return titles[current] ?? titles.vi ?? '';
}

/** The label of an enum value `{value, vi, en}` in the current language. */
export function termLabel(term) {
  return term[current] ?? term.vi ?? term.value;
}

/**
 * Fills `data-i18n="key"` elements' text, and `data-i18n-attr="attr:key;attr:key"` attributes.
 */
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

/** The URL of this page in the other language (keeps the other query parameters). */
export function switchLangUrl() {
  const other = current === 'vi' ? 'en' : 'vi';
  const url = new URL(location.href);
  url.searchParams.set('lang', other);
  return url.href;
}

export function rememberLang(lang) {
  try {
    localStorage.setItem('kheo.lang', lang);
  } catch { /* storage may be disabled */ }
}
