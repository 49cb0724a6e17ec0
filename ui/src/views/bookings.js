// Bookings: search a person's appointments (and cancel, choosing what
// happens to a linked second dose), or list one site-day slot by slot.
import * as api from '../api.js';
import { t, formatDate, formatSlot, formatNumber } from '../i18n.js';
import { showError, hideError, showNotice, errorNodes } from '../components/job.js';
import { el } from '../components/dom.js';
import { dateInput } from '../components/date_input.js';
import { fillSiteSelects } from '../components/sites.js';
import { today } from '../dates.js';
import { personMatches } from '../components/person_search.js';

const state = { person: '', site: '', date: '', showDay: false, freeOnly: false };

function appointmentRow(a, onCancel) {
  const row = el('tr', {},
    el('td', { textContent: formatSlot(a.slot) }),
    el('td', { textContent: a.site_code }),
    el('td', { textContent: t('bookings.dose', { n: a.dose_number }) }),
    el('td', { textContent: a.product }),
    el('td', { className: `status status-${a.status}`, textContent: t(`status.${a.status}`) }),
    el('td', { textContent: a.booking_id ?? a.source }));
  row.dataset.id = a.id;
  row.dataset.status = a.status;
  const actions = el('td');
  if (a.status === 'booked' && onCancel) {
    const button = el('button', { className: 'secondary small cancel', textContent: t('bookings.cancel') });
    button.onclick = () => onCancel(a, actions);
    actions.append(button);
  }
  row.append(actions);
  return row;
}

export async function renderBookings(root) {
  const personInput = el('input', { id: 'person-search', type: 'search', placeholder: t('bookings.person_placeholder'), value: state.person });
  const find = el('button', { id: 'person-find', type: 'submit', textContent: t('bookings.find') });
  const personForm = el('form', { className: 'inline-form' }, personInput, find);
  const personResult = el('div', { id: 'person-result' });
  const matches = personMatches(personInput, {
    id: 'person-matches',
    onPick: (p) => {
      personInput.value = p.person_id;
      showPerson();
    },
  });

  // The person's appointments as listed (the cancel question names the second dose).
  let shown = [];
  const showPerson = async () => {
    state.person = personInput.value.trim();
    if (!state.person) return;
    hideError();
    try {
      const found = await api.personBookings(state.person);
      shown = found.appointments;
      const table = el('table', { className: 'data' });
      const body = el('tbody');
      for (const a of found.appointments) body.append(appointmentRow(a, cancel));
      table.append(body);
      personResult.replaceChildren(
        el('p', { textContent: `${[found.given_name, found.family_name].filter(Boolean).join(' ') || found.person_id}${found.given_name || found.family_name ? ` (${found.person_id})` : ''} — ${t('bookings.contact', { birth: found.birth_date ? formatDate(found.birth_date) : t('bookings.unknown'), phone: found.phone ?? t('bookings.unknown') })}${found.preferred_language ? ` — ${t('bookings.language', { lang: found.preferred_language.toUpperCase() })}` : ''}` }),
        table);
    } catch (err) {
      personResult.replaceChildren();
      showError(err);
    }
  };

  // Cancelling a first dose asks, inline, what happens to the second.
  const cancel = async (a, cell, linked = null) => {
    try {
      const ids = await api.cancelAppointment(a.id, linked);
      showNotice(t('bookings.cancelled', { n: ids.length }));
      await showPerson();
    } catch (err) {
      if (err.code === 'conflict' && linked === null && a.dose_number === 1) {
        const both = el('button', { className: 'small', id: 'cancel-both', textContent: t('bookings.cancel_both') });
        const keep = el('button', { className: 'secondary small', id: 'keep-second', textContent: t('bookings.keep_second') });
        both.onclick = () => cancel(a, cell, 'cancel');
        keep.onclick = () => cancel(a, cell, 'keep');
        // The question, in the page's language, when the second dose is listed.
        const second = shown.find((b) => b.dose_number === 2 && b.status === 'booked');
        const lead = second ? t('bookings.second_too', { slot: formatSlot(second.slot) }) : undefined;
        cell.replaceChildren(el('div', { className: 'ask' }, ...errorNodes({ ...err, lead })), both, keep);
      } else {
        showError(err);
      }
    }
  };
  // Enter opens the person whose id it is, or the only one found; with
  // several found, the list is there to pick from.
  personForm.onsubmit = async (e) => {
    e.preventDefault();
    const text = personInput.value.trim();
    const found = await matches.search();
    const people = found?.people ?? [];
    const one = people.find((p) => p.person_id === text) ?? (people.length === 1 ? people[0] : null);
    if (one) matches.pick(one);
    else if (!people.length) {
      matches.clear();
      showPerson();
    } else personResult.replaceChildren();
  };

  const siteSelect = el('select', { id: 'day-site' });
  siteSelect.setAttribute('aria-label', t('bookings.day_site'));
  if (state.site) siteSelect.append(el('option', { value: state.site, textContent: state.site }));
  fillSiteSelects([siteSelect], state.site);
  const dayDate = dateInput({ id: 'day-date', value: state.date || today(), label: t('bookings.day_date') });
  const show = el('button', { id: 'day-show', type: 'submit', textContent: t('bookings.show') });
  // Only the slots with a free place: where a person can still be booked.
  const freeOnly = el('input', { id: 'day-free-only', type: 'checkbox', checked: state.freeOnly });
  freeOnly.onchange = () => { state.freeOnly = freeOnly.checked; if (state.site) dayForm.requestSubmit(); };
  const freeLabel = el('label', { className: 'small' }, freeOnly, ` ${t('bookings.free_only')}`);
  const dayForm = el('form', { className: 'inline-form' }, siteSelect, dayDate, show, freeLabel);
  const dayResult = el('div', { id: 'day-result' });
  dayForm.onsubmit = async (e) => {
    e.preventDefault();
    state.site = siteSelect.value;
    state.date = dayDate.value;
    try {
      const slots = await api.siteDayBookings(state.site, state.date);
      const list = el('table', { className: 'data slots' });
      const body = el('tbody');
      const free = (s) => (s.capacity ?? 0) - s.active;
      const shown = state.freeOnly ? slots.filter((s) => s.capacity !== null && free(s) > 0) : slots;
      const places = slots.reduce((n, s) => n + Math.max(0, s.capacity === null ? 0 : free(s)), 0);
      const totals = el('p', { id: 'day-free-total', textContent: t('bookings.free_total', { n: formatNumber(places) }) });
      totals.dataset.free = places;
      if (shown.length === 0) body.append(el('tr', {}, el('td', { colSpan: 4, className: 'muted', textContent: t(state.freeOnly ? 'bookings.no_free' : 'bookings.no_slots') })));
      for (const s of shown) {
        const cap = s.capacity ?? 0;
        const bar = el('div', { className: 'bar' }, el('div', { className: 'fill' }));
        bar.firstChild.style.width = `${Math.min(100, cap > 0 ? (100 * s.active) / cap : (s.active ? 100 : 0))}%`;
        const over = s.capacity === null ? s.active > 0 : s.active > cap;
        const row = el('tr', { className: over ? 'over' : '' },
          el('td', { textContent: s.slot.slice(11) }),
          el('td', { className: 'shift' }, bar),
          el('td', { className: 'nowrap', textContent: s.capacity === null ? t('bookings.no_shift') : t(free(s) >= 0 ? 'bookings.slot_line' : 'bookings.slot_over', { active: s.active, capacity: cap, free: free(s), over: -free(s) }) }),
          el('td', { className: 'small people' }, ...s.appointments.map((a) => personLink(a))));
        row.dataset.slot = s.slot;
        row.dataset.active = s.active;
        row.dataset.free = s.capacity === null ? 0 : Math.max(0, free(s));
        body.append(row);
      }
      list.append(body);
      dayResult.replaceChildren(totals, list);
    } catch (err) {
      showError(err);
    }
  };

  // Each person in a slot opens their own bookings above.
  function personLink(a) {
    const link = el('button', { className: 'link person-link', type: 'button', textContent: `${a.person_id} (${t(`status.${a.status}`)})` });
    link.dataset.person = a.person_id;
    link.onclick = () => {
      personInput.value = a.person_id;
      showPerson();
      personResult.scrollIntoView({ block: 'nearest' });
    };
    return link;
  }

  root.replaceChildren(
    el('h1', { textContent: t('bookings.title') }),
    el('h2', { textContent: t('bookings.person') }), personForm, matches.list, personResult,
    el('h2', { textContent: t('bookings.site_day') }), dayForm, dayResult);
  if (state.person) showPerson();
  if (state.showDay) {
    state.showDay = false;
    dayForm.requestSubmit();
  }
}

/** Opens the view on a site-day (from Checks: the affected bookings), or
 * on a person's bookings. */
export function focusBookings({ site, date, person }) {
  if (person) Object.assign(state, { person });
  // Every slot of it: the free-only list is for booking, not for seeing who is there.
  else Object.assign(state, { site, date, showDay: true, freeOnly: false });
}
