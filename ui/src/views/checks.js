// Checks: the booking failures found in the store, worst site-days first.
// Each site-day opens the schedule of that week at that site.
import * as api from '../api.js';
import { t, formatNumber, formatDate } from '../i18n.js';
import { showError } from '../components/job.js';
import { el } from '../components/dom.js';

const FIGURES = [
  'overbooked_slots', 'excess_bookings', 'outside_shift_bookings', 'duplicate_people',
  'orphan_first_doses', 'second_dose_out_of_window', 'not_yet_eligible',
];
// The figures that count people: each opens the list of them.
const PEOPLE_FIGURES = ['duplicate_people', 'orphan_first_doses', 'second_dose_out_of_window', 'not_yet_eligible'];
// The figures the rebooking desk works through.
const DESK_FIGURES = ['overbooked_slots', 'excess_bookings'];

// The days the Checks look at: every date, or a range the start-up banner
// opened them on.
const state = { range: null };

/** Makes the Checks open on appointments from `range.from` to `range.to`. */
export function focusChecks(range) {
  state.range = range;
}

export async function renderChecks(root, links) {
  const { openSchedule, openBookings, openDesk } = links;
  const query = state.range ?? {};
  const peopleList = el('section', { id: 'check-people', hidden: true });
  root.replaceChildren(el('h1', { textContent: t('checks.title') }), el('p', { className: 'muted', textContent: t('checks.running') }));
  let report;
  try {
    report = await api.runChecks(query);
  } catch (err) {
    showError(err);
    return;
  }
  const figures = el('div', { className: 'figures', id: 'check-figures' });
  for (const key of FIGURES) {
    const value = report[key];
    const card = el('div', { className: `figure${value > 0 ? ' alert' : ''}` },
      el('div', { className: 'figure-value', textContent: formatNumber(value) }),
      el('div', { className: 'figure-label', textContent: t(`checks.${key}`) }));
    card.dataset.key = key;
    card.dataset.value = value;
    // A figure above zero opens what it counts.
    if (value > 0) {
      const open = el('button', {
        className: 'secondary small figure-open',
        textContent: t(DESK_FIGURES.includes(key) ? 'checks.to_desk' : 'checks.open_list'),
      });
      open.onclick = () => {
        if (DESK_FIGURES.includes(key)) openDesk();
        else if (PEOPLE_FIGURES.includes(key)) showPeople(peopleList, query, key, openBookings);
        else showOutsideShift(peopleList, query, openBookings);
      };
      card.append(open);
    }
    figures.append(card);
  }
  const days = el('section', {}, el('h2', { textContent: t('checks.by_site_day') }));
  if (report.by_site_day.length === 0) {
    days.append(el('p', { className: 'muted', textContent: t('checks.none') }));
  } else {
    const table = el('table', { className: 'data', id: 'site-days' });
    table.append(el('thead', {}, el('tr', {},
      el('th', { textContent: t('checks.site') }), el('th', { textContent: t('checks.date') }),
      el('th', { textContent: t('checks.excess'), className: 'num' }), el('th'))));
    const body = el('tbody');
    for (const row of report.by_site_day) {
      const open = el('button', { className: 'secondary small', textContent: t('checks.open') });
      open.onclick = () => openSchedule({ date: row.date, site: row.site_code });
      const bookings = el('button', { className: 'secondary small open-bookings', textContent: t('checks.open_bookings') });
      bookings.onclick = () => openBookings({ date: row.date, site: row.site_code });
      const tr = el('tr', {},
        el('td', { textContent: row.site_code }), el('td', { textContent: formatDate(row.date) }),
        el('td', { className: 'num', textContent: formatNumber(row.excess_bookings) }), el('td', {}, open, ' ', bookings));
      tr.dataset.site = row.site_code;
      tr.dataset.date = row.date;
      body.append(tr);
    }
    table.append(body);
    days.append(table);
    if (report.site_days_with_excess > report.by_site_day.length) {
      days.append(el('p', { className: 'muted', id: 'site-days-more', textContent: t('checks.more', {
        shown: formatNumber(report.by_site_day.length), total: formatNumber(report.site_days_with_excess) }) }));
    }
  }
  const scope = el('p', { className: 'muted', id: 'checks-scope' });
  if (state.range) {
    const every = el('button', { id: 'checks-every-date', className: 'secondary small', textContent: t('checks.every_date') });
    every.onclick = () => {
      state.range = null;
      renderChecks(root, links);
    };
    scope.append(t('checks.range', { from: formatDate(state.range.from), to: formatDate(state.range.to) }), ' ', every);
    scope.dataset.from = state.range.from;
    scope.dataset.to = state.range.to;
  } else {
    scope.textContent = t('checks.intro');
  }
  root.replaceChildren(el('h1', { textContent: t('checks.title') }), scope, figures, peopleList, days);
}

/** Lists the site-days with bookings outside any shift; each opens its
 * bookings slot by slot. */
async function showOutsideShift(section, query, openBookings) {
  let days;
  try {
    days = await api.outsideShiftDays(query);
  } catch (err) {
    showError(err);
    return;
  }
  const body = el('tbody');
  for (const d of days) {
    const open = el('button', { className: 'secondary small', textContent: t('checks.open_bookings') });
    open.onclick = () => openBookings({ site: d.site_code, date: d.date });
    const row = el('tr', {}, el('td', { textContent: d.site_code }), el('td', { textContent: formatDate(d.date) }),
      el('td', { className: 'num', textContent: formatNumber(d.excess_bookings) }), el('td', {}, open));
    row.dataset.site = d.site_code;
    row.dataset.date = d.date;
    row.dataset.count = d.excess_bookings;
    body.append(row);
  }
  section.replaceChildren(el('h2', { textContent: t('checks.list_outside_shift_bookings') }),
    el('table', { className: 'data' },
      el('thead', {}, el('tr', {}, el('th', { textContent: t('checks.site') }), el('th', { textContent: t('checks.date') }),
        el('th', { className: 'num', textContent: t('checks.outside_count') }), el('th'))),
      body));
  section.dataset.key = 'outside_shift_bookings';
  section.dataset.total = days.reduce((n, d) => n + d.excess_bookings, 0);
  section.hidden = false;
  section.scrollIntoView({ block: 'start' });
}

/** Lists the people behind a person figure; each opens their bookings. */
async function showPeople(section, query, key, openBookings) {
  let found;
  try {
    found = await api.checkPeople(query, key);
  } catch (err) {
    showError(err);
    return;
  }
  const body = el('tbody');
  for (const p of found.people) {
    const open = el('button', { className: 'secondary small', textContent: t('checks.open_person') });
    open.onclick = () => openBookings({ person: p.person_id });
    const row = el('tr', {}, el('td', { textContent: p.person_id }), el('td', { textContent: p.phone ?? '' }), el('td', {}, open));
    row.dataset.person = p.person_id;
    body.append(row);
  }
  section.replaceChildren(el('h2', { textContent: t(`checks.list_${key}`) }));
  if (found.people.length === 0) section.append(el('p', { className: 'muted', textContent: t('checks.list_none') }));
  else {
    section.append(el('table', { className: 'data' },
      el('thead', {}, el('tr', {}, el('th', { textContent: t('checks.person') }), el('th', { textContent: t('checks.phone') }), el('th'))),
      body));
  }
  if (found.total > found.people.length) {
    section.append(el('p', { className: 'muted', textContent: t('checks.list_more', { shown: formatNumber(found.people.length), total: formatNumber(found.total) }) }));
  }
  section.dataset.key = key;
  section.dataset.total = found.total;
  section.hidden = false;
  section.scrollIntoView({ block: 'start' });
}
