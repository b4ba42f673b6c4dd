// @ts-check
// The link to this page in the other language. It carries the page's URL, view included, so
// it is refreshed whenever the URL changes (page/url.js); following it remembers the choice.

import { required } from '../dom.js';
import { rememberLang, switchLangUrl } from '../i18n.js';

/**
 * @param {string} lang the language shown
 * @returns {() => void} refreshes the link's URL
 */
export function enableLanguageSwitch(lang) {
  const link = required('.lang-switch', HTMLAnchorElement);
  const refresh = () => { link.href = switchLangUrl(); };
  refresh();
  link.addEventListener('click', () => rememberLang(lang === 'vi' ? 'en' : 'vi'));
  return refresh;
}
