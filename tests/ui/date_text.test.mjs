// What people may type into a date field, and how a day is shown
// (ui/src/date_text.js), under node. Run by the shell's `cargo test`
// (src-tauri/src/tests.rs, ui_date_fields_read_what_people_type):
//
//   node tests/ui/date_text.test.mjs
//
// The oracle is written here, not taken from the module: month names typed
// out by hand, days counted with Date.UTC.
import assert from 'node:assert/strict';

const { formatDateIn, parseDateText, parseTimeText } = await import('../../ui/src/date_text.js');

const EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

// Shown one way per language.
for (const [lang, iso, want] of [
  ['en', '2021-03-24', 'Wed 24 Mar 2021'],
  ['fr', '2021-03-24', 'mer. 24 mars 2021'],
  ['en', '2021-03-23', 'Tue 23 Mar 2021'],
  ['fr', '2021-03-23', 'mar. 23 mars 2021'],
  ['fr', '2021-09-01', 'mer. 1 sept. 2021'],
  ['en', '2020-02-29', 'Sat 29 Feb 2020'],
]) {
  assert.equal(formatDateIn(lang, iso), want, `${lang} ${iso}`);
}
assert.equal(formatDateIn('en', '2021-03-22', { year: false }), 'Mon 22 Mar');
assert.equal(formatDateIn('fr', '2021-03-22', { year: false }), 'lun. 22 mars');

// Every day from 2020 to 2031, typed the ways people type it, reads back
// as that day; and the way it is shown reads back too.
const pad = (n) => String(n).padStart(2, '0');
let tried = 0;
for (let t = Date.UTC(2020, 0, 1); t <= Date.UTC(2031, 11, 31); t += 86400000) {
  const date = new Date(t);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  const typed = {
    en: [iso, `${d} ${EN[m - 1]} ${y}`, `${EN[m - 1]} ${d}, ${y}`, `${EN[m - 1].slice(0, 3)} ${d} ${y}`, formatDateIn('en', iso)],
    fr: [iso, `${d}/${m}/${y}`, `${pad(d)}/${pad(m)}/${y}`, `${d}.${m}.${y}`, `${d === 1 ? '1er' : d} ${FR[m - 1]} ${y}`,
      `le ${d} ${FR[m - 1].toUpperCase()} ${y}`, formatDateIn('fr', iso)],
  };
  // English numeric dates only when they read one way.
  if (d > 12 || d === m) typed.en.push(`${d}/${m}/${y}`);
  if (d > 12) typed.en.push(`${m}/${d}/${y}`);
  for (const [lang, forms] of Object.entries(typed)) {
    for (const text of forms) {
      assert.deepEqual(parseDateText(text, lang, 1999), { iso }, `${lang}: ${JSON.stringify(text)}`);
      tried += 1;
    }
  }
}
assert.ok(tried > 50000, `${tried} typed dates`);

// A missing year is the app's.
assert.deepEqual(parseDateText('24/03', 'fr', 2021), { iso: '2021-03-24' });
assert.deepEqual(parseDateText('24 mars', 'fr', 2021), { iso: '2021-03-24' });
assert.deepEqual(parseDateText('Mar 24', 'en', 2022), { iso: '2022-03-24' });
// Accents and case do not matter; a French "mar." before the month is mardi.
assert.deepEqual(parseDateText('3 FEVRIER 2021', 'fr', 2021), { iso: '2021-02-03' });
assert.deepEqual(parseDateText('mar. 2 mars 2021', 'fr', 2021), { iso: '2021-03-02' });
assert.deepEqual(parseDateText('mar 2021 2', 'fr', 2021), { iso: '2021-03-02' });

// Refused, each with its reason.
assert.deepEqual(parseDateText('5/3/2021', 'en', 2021), { error: 'ambiguous', readings: ['2021-03-05', '2021-05-03'] });
assert.deepEqual(parseDateText('5/3/2021', 'fr', 2021), { iso: '2021-03-05' });
for (const [text, lang, error] of [
  ['', 'en', 'empty'],
  ['   ', 'fr', 'empty'],
  ['31/02/2021', 'fr', 'no_such_day'],
  ['29 Feb 2021', 'en', 'no_such_day'],
  ['2021-13-01', 'en', 'no_such_day'],
  ['0/3/2021', 'fr', 'no_such_day'],
  ['tomorrow', 'en', 'unreadable'],
  ['24 mars 2021', 'en', 'unreadable'],
  ['24 March 2021', 'fr', 'unreadable'],
  ['jui 2021 3', 'fr', 'unreadable'],
  ['24 25 Mar 2021', 'en', 'unreadable'],
  ['24 Mar 2021 2022', 'en', 'unreadable'],
  ['Mar Apr 3 2021', 'en', 'unreadable'],
  ['2021-03-24T09:00', 'en', 'unreadable'],
  ['=HYPERLINK("x")', 'en', 'unreadable'],
  ['24/03/21', 'fr', 'unreadable'],
]) {
  assert.equal(parseDateText(text, lang, 2021).error, error, `${lang}: ${JSON.stringify(text)}`);
}
// Times of day on the 24-hour clock, every minute, typed four ways.
for (let h = 0; h < 24; h += 1) {
  for (let m = 0; m < 60; m += 1) {
    const want = `${pad(h)}:${pad(m)}`;
    for (const text of [want, `${h}:${pad(m)}`, `${h}h${pad(m)}`, ` ${h} h ${pad(m)} `]) {
      assert.equal(parseTimeText(text), want, JSON.stringify(text));
    }
  }
  assert.equal(parseTimeText(`${h}h`), `${pad(h)}:00`);
  assert.equal(parseTimeText(String(h)), `${pad(h)}:00`);
}
for (const text of ['', '24:00', '9:60', '9:5', '9.30', 'noon', '09:00 AM', '-1:00', '123']) {
  assert.equal(parseTimeText(text), null, JSON.stringify(text));
}
console.log(`date_text: ${tried} typed dates read back`);
