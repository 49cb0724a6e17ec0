// Clinic schedule: sites × days for one week. Each shift shows its hours,
// vaccinators, capacity and active bookings as a filled bar.
import * as api from '../api.js';
import { t, formatNumber, formatDate, formatDateNoYear } from '../i18n.js';
import { showError } from '../components/job.js';
import { el } from '../components/dom.js';
import { fillSiteSelects } from '../components/sites.js';
import { addDays, today as appToday } from '../dates.js';

const state = { date: null, site: '', offset: 0 };

/** Makes the schedule open on the week of `date` at `site` ('' for all). */
export function focusSchedule({ date, site }) {
  state.date = date;
  state.site = site ?? '';
  state.offset = 0;
}

export async function renderSchedule(root) {
  const home = appToday();
  state.date ??= home;
  const toolbar = el('div', { className: 'toolbar' });
  const title = el('h1', { id: 'schedule-title' });
  const prev = el('button', { className: 'secondary', id: 'week-prev', textContent: t('schedule.prev') });
  const today = el('button', { className: 'secondary', id: 'week-today', textContent: t('schedule.today') });
  const next = el('button', { className: 'secondary', id: 'week-next', textContent: t('schedule.next') });
  const siteSelect = el('select', { id: 'site-filter' });
  siteSelect.append(el('option', { value: '', textContent: t('schedule.all_sites') }));
  if (state.site) siteSelect.append(el('option', { value: state.site, textContent: state.site }));
  siteSelect.value = state.site;
  toolbar.append(title, el('div', { className: 'spacer' }), prev, today, next,
    el('label', { className: 'inline' }, el('span', { textContent: t('schedule.site') }), siteSelect));
  const grid = el('div', { className: 'schedule-wrap', id: 'schedule' });
  root.replaceChildren(toolbar, grid);

  const load = async () => {
    try {
      const week = await api.weekSchedule({ date: state.date, site: state.site || null, offset: state.offset });
      title.textContent = `${t('schedule.title')} — ${t('schedule.week_of', { date: formatDate(week.week_start) })}`;
      grid.replaceChildren(renderGrid(week, (offset) => { state.offset = offset; load(); }));
    } catch (err) {
      showError(err);
    }
  };
  prev.onclick = () => { state.date = addDays(state.date, -7); load(); };
  next.onclick = () => { state.date = addDays(state.date, 7); load(); };
  today.onclick = () => { state.date = home; load(); };
  siteSelect.onchange = () => { state.site = siteSelect.value; state.offset = 0; load(); };
  await load();
  fillSiteSelects([siteSelect], state.site);
}

function renderGrid(week, goToOffset) {
  if (week.sites.length === 0) return el('p', { className: 'muted', textContent: t('schedule.no_sites') });
  const table = el('table', { className: 'schedule' });
  const head = el('tr', {}, el('th', { textContent: t('schedule.site') }));
  for (const day of week.days) head.append(el('th', { textContent: formatDateNoYear(day) }));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const site of week.sites) {
    const row = el('tr', { className: `site kind-${site.kind}` });
    row.dataset.site = site.code;
    row.append(el('th', { className: 'site-name' },
      el('div', { textContent: site.name }),
      el('div', { className: 'muted small', textContent: `${site.code} · ${t(`kind.${site.kind}`)}` })));
    for (const day of week.days) {
      const cell = el('td');
      const shifts = site.shifts.filter((s) => s.date === day);
      if (shifts.length === 0) cell.append(el('div', { className: 'muted small', textContent: t('schedule.no_shifts') }));
      for (const shift of shifts) cell.append(renderShift(shift));
      row.append(cell);
    }
    body.append(row);
  }
  table.append(body);
  const wrap = el('div', {}, table);
  if (week.total_sites > week.sites.length) {
    const first = state.offset + 1;
    const last = state.offset + week.sites.length;
    const back = el('button', { className: 'secondary', id: 'sites-prev', textContent: t('schedule.prev_sites'), disabled: state.offset === 0 });
    const forward = el('button', { className: 'secondary', id: 'sites-next', textContent: t('schedule.next_sites'), disabled: last >= week.total_sites });
    back.onclick = () => goToOffset(Math.max(0, state.offset - week.page_size));
    forward.onclick = () => goToOffset(state.offset + week.page_size);
    wrap.append(el('div', { className: 'toolbar pager' },
      el('span', { className: 'muted', id: 'sites-range', textContent: t('schedule.sites_range', { first: formatNumber(first), last: formatNumber(last), total: formatNumber(week.total_sites) }) }),
      back, forward));
  }
  return wrap;
}

function renderShift(shift) {
  const over = shift.booked - shift.capacity;
  const fill = shift.capacity > 0 ? Math.min(1, shift.booked / shift.capacity) : (shift.booked > 0 ? 1 : 0);
  const box = el('div', { className: `shift${over > 0 ? ' over' : ''}` });
  box.dataset.start = shift.start;
  box.dataset.booked = shift.booked;
  box.dataset.capacity = shift.capacity;
  const bar = el('div', { className: 'bar' }, el('div', { className: 'fill' }));
  bar.firstChild.style.width = `${(fill * 100).toFixed(1)}%`;
  box.append(
    el('div', { className: 'shift-hours' },
      el('strong', { textContent: `${shift.start}–${shift.end}` }),
      el('span', { className: 'muted nowrap', textContent: t('schedule.vaccinators', { n: shift.vaccinators }) })),
    bar,
    el('div', { className: 'small booked', textContent: t('schedule.booked_of', { booked: formatNumber(shift.booked), capacity: formatNumber(shift.capacity) }) }),
  );
  if (over > 0) box.append(el('div', { className: 'small over-text', textContent: t('schedule.over', { n: formatNumber(over) }) }));
  box.title = `${shift.date} ${shift.start}–${shift.end}`;
  return box;
}
