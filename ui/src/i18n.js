// Looks up UI strings; `{name}` placeholders are filled from `vars`.
import en from '../i18n/en.js';

const strings = en;
export const locale = 'en-CA';

/** The language code core uses for charts and briefings. */
export const lang = () => 'en';

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export const formatNumber = (n) => new Intl.NumberFormat(locale).format(n);

/** `2021-03-24` → `March 24, 2021` (the locale's long date). */
export function formatDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(y, m - 1, d));
}

/** Fills every element carrying data-i18n with its string. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
