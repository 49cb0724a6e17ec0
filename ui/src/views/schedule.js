// Clinic schedule: sites × days for one week. Each shift shows its hours,
// vaccinators, capacity and active bookings as a filled bar. Managers add,
// change and cancel shifts here; a cancelled shift's bookings go to the
// rebooking desk.
import * as api from '../api.js';
import { t, formatNumber, formatDate, formatDateNoYear } from '../i18n.js';
import { showError, showNotice, hideError } from '../components/job.js';
import { timeInput } from '../components/date_input.js';
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

export async function renderSchedule(root, links = {}) {
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
  // What the last edit left on its site-day, with the way to the desk.
  const edited = el('div', { id: 'schedule-edited', className: 'undo-bar', hidden: true });
  root.replaceChildren(toolbar, edited, grid);

  const load = async () => {
    try {
      const week = await api.weekSchedule({ date: state.date, site: state.site || null, offset: state.offset });
      title.textContent = `${t('schedule.title')} — ${t('schedule.week_of', { date: formatDate(week.week_start) })}`;
      grid.replaceChildren(renderGrid(week, (offset) => { state.offset = offset; load(); }, { afterEdit, openBookings: links.openBookings }));
    } catch (err) {
      showError(err);
    }
  };
  // An edit reloads the week and says what it left to move.
  function afterEdit(result, message) {
    showNotice(message);
    edited.replaceChildren(el('span', {
      textContent: t('schedule.edit_left', {
        site: result.site_code, date: formatDate(result.date), n: formatNumber(result.excess_bookings),
      }),
    }));
    if (result.excess_bookings > 0 && links.openDesk) {
      const desk = el('button', { id: 'schedule-to-desk', className: 'small', textContent: t('checks.to_desk') });
      desk.onclick = links.openDesk;
      edited.append(desk);
    }
    edited.dataset.excess = result.excess_bookings;
    edited.dataset.added = result.excess_added;
    edited.hidden = false;
    load();
  }
  prev.onclick = () => { state.date = addDays(state.date, -7); load(); };
  next.onclick = () => { state.date = addDays(state.date, 7); load(); };
  today.onclick = () => { state.date = home; load(); };
  siteSelect.onchange = () => { state.site = siteSelect.value; state.offset = 0; load(); };
  await load();
  fillSiteSelects([siteSelect], state.site);
}

function renderGrid(week, goToOffset, actions) {
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
      cell.dataset.date = day;
      const shifts = site.shifts.filter((s) => s.date === day);
      if (shifts.length === 0) cell.append(el('div', { className: 'muted small', textContent: t('schedule.no_shifts') }));
      for (const shift of shifts) cell.append(renderShift({ ...shift, site: site.code }, actions));
      cell.append(addShiftButton(site, day, cell, actions));
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

function renderShift(shift, actions) {
  const over = shift.booked - shift.capacity;
  const fill = shift.capacity > 0 ? Math.min(1, shift.booked / shift.capacity) : (shift.booked > 0 ? 1 : 0);
  const box = el('div', { className: `shift${over > 0 ? ' over' : ''}${shift.cancelled ? ' cancelled' : ''}` });
  box.dataset.id = shift.id;
  box.dataset.start = shift.start;
  box.dataset.cancelled = shift.cancelled;
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
  if (shift.cancelled) box.append(el('div', { className: 'small over-text', textContent: t('schedule.cancelled') }));
  else if (over > 0) box.append(el('div', { className: 'small over-text', textContent: t('schedule.over', { n: formatNumber(over) }) }));
  box.title = `${shift.date} ${shift.start}–${shift.end}`;
  const edit = el('button', { type: 'button', className: 'link small edit-shift', textContent: t('schedule.edit') });
  edit.onclick = () => box.replaceChildren(shiftEditor(shift, actions, () => box.replaceWith(renderShift(shift, actions))));
  const tools = el('div', { className: 'shift-tools' }, edit);
  // The shift's bookings, slot by slot, in Bookings.
  if (shift.booked > 0 && actions.openBookings) {
    const bookings = el('button', { type: 'button', className: 'link small shift-bookings', textContent: t('schedule.bookings') });
    bookings.onclick = () => actions.openBookings({ site: shift.site, date: shift.date });
    tools.append(bookings);
  }
  box.append(tools);
  return box;
}

/** Hours, vaccinators and an optional capacity for the whole shift. */
function shiftFields(shift) {
  const start = timeInput({ value: shift?.start ?? '09:00', required: true, label: t('schedule.start') });
  const end = timeInput({ value: shift?.end ?? '17:00', required: true, label: t('schedule.end') });
  const vaccinators = el('input', { type: 'number', min: '0', max: '500', value: shift ? String(shift.vaccinators) : '4', className: 'shift-vaccinators', required: true });
  vaccinators.setAttribute('aria-label', t('schedule.vaccinators_label'));
  const capacity = el('input', { type: 'number', min: '0', className: 'shift-capacity', placeholder: t('schedule.capacity_hint') });
  capacity.setAttribute('aria-label', t('schedule.capacity_label'));
  const read = () => ({
    start: start.value, end: end.value, vaccinators: Number(vaccinators.value),
    capacity: capacity.value === '' ? null : Number(capacity.value),
  });
  const row = el('div', { className: 'shift-fields' },
    el('label', {}, el('span', { textContent: t('schedule.start') }), start),
    el('label', {}, el('span', { textContent: t('schedule.end') }), end),
    el('label', {}, el('span', { textContent: t('schedule.vaccinators_label') }), vaccinators),
    el('label', {}, el('span', { textContent: t('schedule.capacity_label') }), capacity));
  return { row, read };
}

/** Edits one shift in place: save, cancel the shift (asked once more when it
 * holds bookings), or close. */
function shiftEditor(shift, { afterEdit }, close) {
  const fields = shiftFields(shift);
  const form = el('form', { className: 'shift-editor' }, fields.row);
  const save = el('button', { type: 'submit', className: 'small save-shift', textContent: t('schedule.save') });
  const cancelShift = el('button', { type: 'button', className: 'secondary small cancel-shift', textContent: t('schedule.cancel_shift'), disabled: shift.cancelled });
  const closeButton = el('button', { type: 'button', className: 'secondary small', textContent: t('schedule.close') });
  const ask = el('div', { className: 'ask small' });
  closeButton.onclick = close;
  form.onsubmit = async (event) => {
    event.preventDefault();
    hideError();
    try {
      const result = await api.shiftChange({ id: shift.id, ...fields.read() });
      afterEdit(result, t('schedule.changed', { site: result.site_code, date: formatDate(result.date) }));
    } catch (err) {
      showError(err);
    }
  };
  const cancelNow = async (confirmed) => {
    hideError();
    try {
      const result = await api.shiftCancel(shift.id, confirmed);
      afterEdit(result, t('schedule.was_cancelled', { site: result.site_code, date: formatDate(result.date), n: formatNumber(Math.max(0, result.excess_added)) }));
    } catch (err) {
      if (err.code !== 'needs_confirmation') return showError(err);
      // The store says how many bookings the shift holds; ask once more.
      const yes = el('button', { type: 'button', className: 'small confirm-cancel', textContent: t('schedule.confirm_cancel') });
      const no = el('button', { type: 'button', className: 'secondary small', textContent: t('schedule.keep_shift') });
      yes.onclick = () => cancelNow(true);
      no.onclick = () => ask.replaceChildren();
      ask.replaceChildren(el('p', { textContent: t('schedule.cancel_holds', { n: formatNumber(shift.booked) }) }), yes, no);
    }
  };
  cancelShift.onclick = () => cancelNow(false);
  form.append(el('div', { className: 'shift-editor-actions' }, save, cancelShift, closeButton), ask);
  return form;
}

/** "+ Shift" in a site-day: a new shift there (a pharmacy's included). */
function addShiftButton(site, day, cell, { afterEdit }) {
  const button = el('button', { type: 'button', className: 'link small add-shift', textContent: t('schedule.add_shift') });
  button.onclick = () => {
    const fields = shiftFields(null);
    const form = el('form', { className: 'shift-editor' }, fields.row);
    const save = el('button', { type: 'submit', className: 'small save-shift', textContent: t('schedule.add') });
    const close = el('button', { type: 'button', className: 'secondary small', textContent: t('schedule.close') });
    close.onclick = () => form.replaceWith(button);
    form.append(el('div', { className: 'shift-editor-actions' }, save, close));
    form.onsubmit = async (event) => {
      event.preventDefault();
      hideError();
      try {
        const result = await api.shiftAdd({ site_code: site.code, date: day, ...fields.read() });
        afterEdit(result, t('schedule.added', { site: result.site_code, date: formatDate(result.date) }));
      } catch (err) {
        showError(err);
      }
    };
    button.replaceWith(form);
    form.querySelector('input')?.focus();
  };
  return button;
}
