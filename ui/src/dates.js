// Dates as the app means them: `YYYY-MM-DD` days on the health unit's
// calendar. "Today" is the shell's (app_info.today: the date in the health
// unit's time zone, or the demo's day), never this computer's clock read
// through UTC. Day arithmetic is calendar arithmetic on the string's own
// year, month and day (in UTC, which has no DST and no offset), so no
// time zone can move a date by one.
//
// No DOM and no shell here: tests run this module under node.

let appToday = null;

/** Called once app_info has answered (main.js). */
export function setToday(date) {
  if (parseDay(date) === null) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  appToday = date;
}

/** The app's today, `YYYY-MM-DD`. */
export function today() {
  if (appToday === null) throw new Error("today() before the app's info arrived");
  return appToday;
}

function parseDay(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** y, month 1–12, day (either may overflow: Date.UTC carries) → `YYYY-MM-DD`. */
function dayOf(y, month, day) {
  const d = new Date(Date.UTC(y, month - 1, day));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `iso` moved by `days` (negative: earlier). */
export function addDays(iso, days) {
  const [y, m, d] = parseDay(iso);
  return dayOf(y, m, d + days);
}

/** [first, last] day of the month after `iso`'s month. */
export function monthAfter(iso) {
  const [y, m] = parseDay(iso);
  return [dayOf(y, m + 1, 1), dayOf(y, m + 2, 0)];
}

/** The day, `YYYY-MM-DD`, on this computer's calendar, of a stored instant
 * (an ISO time such as `2026-12-05T01:30:00Z`). Built from its parts: a
 * locale's date string (`toLocaleDateString('en-CA')`) is not a format
 * WebKit keeps to. */
export function localDay(instant) {
  const at = new Date(instant);
  return `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}
