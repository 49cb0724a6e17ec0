// Dates as people write and read them, in the app's language: one way to
// show a day per language ("Wed 24 Mar 2021", "mer. 24 mars 2021"), and
// what a person may type into a date field ("24/03/2021", "24 mars",
// "Mar 24 2021", "2021-03-24"). A typed date that could be read two ways
// is refused rather than guessed: a clinic day moved by a month is worse
// than a question.
//
// No DOM here: tests run this module under node (tests/ui/date_text.test.mjs).

const LOCALES = { en: 'en-CA', fr: 'fr-CA' };

const formatters = new Map();
function formatter(lang, withYear) {
  const key = `${lang}|${withYear}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(LOCALES[lang] ?? LOCALES.en, {
      weekday: 'short', day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}), timeZone: 'UTC',
    }));
  }
  return formatters.get(key);
}

function utcDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** `2021-03-24` → "Wed 24 Mar 2021" / "mer. 24 mars 2021" (without the
 * year: "Wed 24 Mar"). The parts are put in one order for both languages;
 * Intl's English puts the month first and commas between. */
export function formatDateIn(lang, iso, { year = true } = {}) {
  const parts = formatter(lang, year).formatToParts(utcDate(iso));
  const part = (type) => parts.find((p) => p.type === type)?.value ?? '';
  return [part('weekday'), part('day'), part('month'), year ? part('year') : '']
    .filter(Boolean).join(' ');
}

// Words are compared without accents or case: "fevrier" is "février".
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\.$/, '');

const names = new Map();
/** Long month and weekday names, folded, in `lang`. */
function namesIn(lang) {
  if (!names.has(lang)) {
    const locale = LOCALES[lang] ?? LOCALES.en;
    const month = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
    const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
    names.set(lang, {
      months: Array.from({ length: 12 }, (_, i) => fold(month.format(new Date(Date.UTC(2021, i, 1))))),
      // 2021-03-01 was a Monday.
      weekdays: Array.from({ length: 7 }, (_, i) => fold(weekday.format(new Date(Date.UTC(2021, 2, 1 + i))))),
    });
  }
  return names.get(lang);
}

/** The months (1–12) and weekdays a word can abbreviate: "mar" is March in
 * English; in French it is both mars and mardi. */
function readWord(word, lang) {
  const { months, weekdays } = namesIn(lang);
  const w = fold(word);
  const starts = (name) => w.length >= 3 ? name.startsWith(w) : name === w;
  return {
    months: months.flatMap((name, i) => (starts(name) ? [i + 1] : [])),
    weekday: weekdays.some((name) => (w.length >= 2 ? name.startsWith(w) : false)),
  };
}

// Words a written date may carry that say nothing: "le 24 mars", "the 24th of March".
const FILLER = new Set(['le', 'du', 'de', 'the', 'of']);

const pad = (n, width = 2) => String(n).padStart(width, '0');

function dayOrError(y, m, d) {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1000 || m < 1 || m > 12 || d < 1 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { error: 'no_such_day' };
  }
  return { iso: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
}

/**
 * Reads a date typed in `lang`. A missing year is `defaultYear` (the app's
 * year). Returns `{ iso }`, or `{ error }` with error one of `empty`,
 * `unreadable`, `ambiguous` (English "5/3/2021": 5 March or 3 May?) and
 * `no_such_day` ("31/02/2021").
 *
 * French numeric dates are day first, as French is written. English ones
 * are read only when they can be read one way (a part above 12 is the day,
 * or both parts are equal), since Canadians write both 24/03 and 03/24.
 */
export function parseDateText(text, lang, defaultYear) {
  const s = String(text ?? '').trim();
  if (!s) return { error: 'empty' };
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s);
  if (m) return dayOrError(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$/.exec(s);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const y = m[3] ? Number(m[3]) : defaultYear;
    if (lang === 'fr' || a > 12 || a === b) return dayOrError(y, b, a);
    if (b > 12) return dayOrError(y, a, b);
    return { error: 'ambiguous', readings: [dayOrError(y, b, a).iso, dayOrError(y, a, b).iso] };
  }
  // Words and numbers in any order: "mer. 24 mars 2021", "March 24, 2021",
  // "1er avril", "24th Mar".
  const tokens = s.toLowerCase().match(/[\p{L}]+\.?|\d+(?:er|re|st|nd|rd|th)?/gu) ?? [];
  const leftover = s.replace(/[\p{L}]+\.?|\d+(?:er|re|st|nd|rd|th)?|[\s,./-]/gu, '');
  if (leftover) return { error: 'unreadable' };
  const numbers = [];
  const monthWords = [];
  for (const token of tokens) {
    if (/^\d/.test(token)) {
      numbers.push(Number.parseInt(token, 10));
    } else if (!FILLER.has(fold(token))) {
      const read = readWord(token, lang);
      if (read.months.length === 0 && !read.weekday) return { error: 'unreadable' };
      if (read.months.length > 0) monthWords.push(read);
    }
  }
  // A word that is a month only wins over one that may be a weekday (the
  // French "mar." before "mars" is mardi).
  const sure = monthWords.filter((w) => !w.weekday);
  const chosen = sure.length > 0 ? sure : monthWords;
  if (chosen.length !== 1 || chosen[0].months.length !== 1) return { error: 'unreadable' };
  const month = chosen[0].months[0];
  const years = numbers.filter((n) => n > 31);
  const days = numbers.filter((n) => n <= 31);
  if (days.length !== 1 || years.length > 1) return { error: 'unreadable' };
  return dayOrError(years[0] ?? defaultYear, month, days[0]);
}

/** A time of day typed on the 24-hour clock: "09:00", "9:00", "9", "9h",
 * "14 h 30" → `HH:MM`; anything else → null. */
export function parseTimeText(text) {
  const m = /^(\d{1,2})(?:\s*[:h]\s*(\d{2})?)?$/i.exec(String(text ?? '').trim());
  if (!m) return null;
  const [hours, minutes] = [Number(m[1]), Number(m[2] ?? 0)];
  if (hours > 23 || minutes > 59) return null;
  return `${pad(hours)}:${pad(minutes)}`;
}
