// Looks up UI strings in the chosen language (English or French, kept in
// this computer's settings); `{name}` placeholders are filled from `vars`.
import en from '../i18n/en.js';
import fr from '../i18n/fr.js';
import { formatDateIn } from './date_text.js';

const TABLES = { en, fr };
// English until the settings are read (main.js, before anything is drawn).
let current = 'en';
/** The BCP 47 locale for numbers and dates (live: changes with setLang). */
export let locale = current === 'fr' ? 'fr-CA' : 'en-CA';

/** The language code core uses for charts and briefings. */
export const lang = () => current;

export function setLang(code) {
  if (!TABLES[code]) return;
  current = code;
  locale = code === 'fr' ? 'fr-CA' : 'en-CA';
  document.documentElement.lang = code;
}

export function t(key, vars = {}) {
  const text = TABLES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** "Label: value", punctuated as the language does ("Libellé : valeur" in French). */
export const labelled = (key, value) => (current === 'fr' ? `${t(key)}\u00a0: ${value}` : `${t(key)}: ${value}`);

// Building an Intl formatter costs far more than using one (a schedule page
// formats over a thousand numbers), so each is made once per locale.
const formatters = new Map();
function cached(make, key) {
  const id = `${locale}|${key}`;
  if (!formatters.has(id)) formatters.set(id, make());
  return formatters.get(id);
}

export const formatNumber = (n) => cached(() => new Intl.NumberFormat(locale), 'number').format(n);

/** Exactly `digits` decimals, in the language's own way (4,49 in French). */
export const formatFixed = (x, digits) => cached(
  () => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  `fixed${digits}`,
).format(x);

/** A share (0.45) as a whole percentage: "45%" / "45 %". */
export const formatPercent = (share) => cached(
  () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }),
  'percent',
).format(share);

/** A solver's gap as a percentage, rounded up: a plan is never promised
 *  closer to the best than it was proven to be. */
export const formatGap = (gap) => cached(
  () => new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  'gap',
).format(Math.ceil(gap * 10000 - 1e-9) / 10000);

/** `2021-03-24` → "Wed 24 Mar 2021" / "mer. 24 mars 2021": the one way
 * the views write a day. */
export const formatDate = (iso) => formatDateIn(current, iso);

/** `2021-03-24T09:15` → "Wed 24 Mar 2021 09:15". */
export const formatSlot = (slot) => `${formatDate(slot.slice(0, 10))} ${slot.slice(11, 16)}`;

/** `2021-03-24` → "Wed 24 Mar" / "mer. 24 mars", where the year is plain. */
export const formatDateNoYear = (iso) => formatDateIn(current, iso, { year: false });

/** Fills every element carrying data-i18n with its string. */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
