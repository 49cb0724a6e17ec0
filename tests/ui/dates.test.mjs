// The UI's date logic (ui/src/dates.js, and the day formatting of
// ui/src/i18n.js and ui/src/date_text.js) under node, with this computer's clock set to FAKE_NOW
// (an RFC 3339 instant) and its zone to TZ. Run by the shell's
// `cargo test` (src-tauri/src/tests.rs, ui_dates_hold_at_2330_local_time) at
// 23:30 local time in Ottawa and in zones far east and west of UTC:
//
//   TZ=America/Toronto FAKE_NOW=2021-03-23T03:30:00Z node tests/ui/dates.test.mjs
import assert from 'node:assert/strict';

const fakeNow = process.env.FAKE_NOW ? Date.parse(process.env.FAKE_NOW) : null;
if (fakeNow !== null) {
  const RealDate = Date;
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fakeNow);
      else super(...args);
    }
    static now() {
      return fakeNow;
    }
  };
  const clock = new Date();
  assert.equal(`${clock.getHours()}:${clock.getMinutes()}`, '23:30', `the clock reads 23:30 in ${process.env.TZ}`);
}
// What i18n.js needs from a browser.
const saved = new Map();
globalThis.localStorage = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => saved.set(k, v) };
globalThis.document = { documentElement: {} };

const dates = await import('../../ui/src/dates.js');
const i18n = await import('../../ui/src/i18n.js');

// "Today" is the app's (app_info.today), never read from the clock.
assert.throws(() => dates.today(), /before the app's info/);
assert.throws(() => dates.setToday('2021-3-22'), /not a date/);
dates.setToday('2021-03-22');
assert.equal(dates.today(), '2021-03-22');

// Day arithmetic: DST changes (Toronto: 14 March and 7 November 2021),
// month, year and leap-day ends.
for (const [from, days, want] of [
  ['2021-03-22', 0, '2021-03-22'],
  ['2021-03-22', 7, '2021-03-29'],
  ['2021-03-22', -7, '2021-03-15'],
  ['2021-03-22', -14, '2021-03-08'],
  ['2021-03-22', 27, '2021-04-18'],
  ['2021-03-13', 1, '2021-03-14'],
  ['2021-03-14', 1, '2021-03-15'],
  ['2021-03-15', -1, '2021-03-14'],
  ['2021-11-06', 1, '2021-11-07'],
  ['2021-11-07', 1, '2021-11-08'],
  ['2020-12-31', 1, '2021-01-01'],
  ['2024-02-28', 1, '2024-02-29'],
  ['2024-03-01', -1, '2024-02-29'],
]) {
  assert.equal(dates.addDays(from, days), want, `${from} ${days >= 0 ? '+' : ''}${days}`);
}

// The planner opens on the month after today.
for (const [from, want] of [
  ['2021-03-22', ['2021-04-01', '2021-04-30']],
  ['2021-03-31', ['2021-04-01', '2021-04-30']],
  ['2021-03-01', ['2021-04-01', '2021-04-30']],
  ['2021-10-31', ['2021-11-01', '2021-11-30']],
  ['2021-12-15', ['2022-01-01', '2022-01-31']],
  ['2024-01-31', ['2024-02-01', '2024-02-29']],
]) {
  assert.deepEqual(dates.monthAfter(from), want, from);
}

// A stored instant's day on this computer's calendar: each FAKE_NOW is
// 23:30 on 22 March 2021 where it is set, whatever the day in UTC.
if (fakeNow !== null) {
  assert.equal(dates.localDay(process.env.FAKE_NOW), '2021-03-22', `the local day of ${process.env.FAKE_NOW}`);
}

// Days shown in words keep their date (and their weekday: 7 November 2021
// was a Sunday, 14 March 2021 too).
assert.equal(i18n.formatDate('2021-11-07'), 'Sun 7 Nov 2021');
assert.equal(i18n.formatDateNoYear('2021-03-14'), 'Sun 14 Mar');
assert.equal(i18n.formatSlot('2021-03-22T09:15'), 'Mon 22 Mar 2021 09:15');
i18n.setLang('fr');
assert.equal(i18n.formatDate('2021-03-24'), 'mer. 24 mars 2021');
assert.equal(i18n.formatDateNoYear('2021-03-14'), 'dim. 14 mars');

console.log(`ui dates: all passed (TZ=${process.env.TZ ?? ''}, clock ${new Date().toString()})`);
