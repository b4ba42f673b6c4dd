// @ts-check
// UI strings. Every visible string of the page comes from web/i18n/<lang>.json; the titles of
// layers, fields and enum values come from the API's layer catalogue instead (see `title`).
// Vietnamese is the default; `?lang=en` (remembered in localStorage) switches to English.

/** @import { Term, Titles } from './types.js' */

export const LANGS = ['vi', 'en'];
const DEFAULT_LANG = 'vi';

let current = DEFAULT_LANG;
/** @type {Record<string, string>} */
let strings = {};

/**
 * Whether `value` names a language of the page.
 * @param {string | null} value
 * @returns {value is string}
 */
const isLang = (value) => value !== null && LANGS.includes(value);

/** The language asked for by the URL, then by the last visit, else Vietnamese. */
export function preferredLang() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (isLang(fromUrl)) return fromUrl;
  try {
    const saved = localStorage.getItem('kheo.lang');
    if (isLang(saved)) return saved;
  } catch { /* storage may be disabled */ }
  return DEFAULT_LANG;
}

/**
 * Loads the strings of `lang` and applies them to the elements marked with data-i18n.
 * @param {string} [lang]
 * @returns {Promise<string>} the language loaded
 */
export async function loadI18n(lang = preferredLang()) {
  const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  if (!response.ok) throw new Error(`i18n/${lang}.json: HTTP ${response.status}`);
  strings = await response.json();
  current = lang;
  document.documentElement.lang = lang;
  applyI18n(document);
  return lang;
}

/** The language shown: `vi` or `en`. */
export function lang() {
  return current;
}

/**
 * The string `key` with `{name}` placeholders filled from `vars`; the key itself if missing.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const text = strings[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key} (${current})`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * A catalogue title object `{vi, en}` in the current language (Vietnamese as fallback).
 * @param {Titles | string | null | undefined} titles
 */
export function title(titles) {
  if (!titles) return '';
  if (typeof titles === 'string') return titles;
  return (current === 'en' ? titles.en : titles.vi) ?? titles.vi ?? '';
}

/**
 * The label of an enum value `{value, vi, en}` in the current language.
 * @param {Term} term
 */
export function termLabel(term) {
  return (current === 'en' ? term.en : term.vi) ?? term.vi ?? term.value;
}

/**
 * Fills `data-i18n="key"` elements' text, and `data-i18n-attr="attr:key;attr:key"` attributes.
 * @param {ParentNode} root
 */
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.getAttribute('data-i18n') ?? '');
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (el.getAttribute('data-i18n-attr') ?? '').split(';')) {
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

/**
 * Remembers the language for the next visits (localStorage).
 * @param {string} lang
 */
export function rememberLang(lang) {
  try {
    localStorage.setItem('kheo.lang', lang);
  } catch { /* storage may be disabled */ }
}
