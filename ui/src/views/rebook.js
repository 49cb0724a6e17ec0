// Rebooking desk: the excess bookings with a proposed new slot, one row per
// call; outcomes are recorded as the calls are made.
import * as api from '../api.js';
import { t, formatNumber, formatDate, formatSlot } from '../i18n.js';
import { showError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { dateInput, timeInput } from '../components/date_input.js';
import { today } from '../dates.js';

const OUTCOMES = ['reached_accepted', 'reached_declined', 'unreachable', 'wrong_number'];

/** Opens a temporary-clinic shift (at a new or existing site) so the plan
 * has somewhere to send the bookings no other site can take. */
function temporaryClinicForm(replan) {
  const input = (id, props) => el('input', { id, ...props });
  const code = input('temp-code', { required: true, placeholder: 'TMP1', size: 8 });
  const name = input('temp-name', { placeholder: t('rebook.temp_name_hint') });
  const lat = input('temp-lat', { type: 'number', step: 'any', placeholder: t('rebook.temp_lat') });
  const lon = input('temp-lon', { type: 'number', step: 'any', placeholder: t('rebook.temp_lon') });
  const date = dateInput({ id: 'temp-date', required: true, value: today(), label: t('rebook.temp_date') });
  const start = timeInput({ id: 'temp-start', value: '09:00', required: true, label: t('rebook.temp_start') });
  const end = timeInput({ id: 'temp-end', value: '17:00', required: true, label: t('rebook.temp_end') });
  const vaccinators = input('temp-vaccinators', { type: 'number', min: '1', value: '4', required: true });
  const add = el('button', { id: 'temp-add', type: 'submit', textContent: t('rebook.temp_add') });
  const form = el('form', { className: 'inline-form temp-clinic', id: 'temp-form' },
    el('strong', { textContent: t('rebook.temp_title') }), code, name, lat, lon, date, start, end, vaccinators, add);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const number = (v) => (v === '' ? null : Number(v));
    try {
      const added = await api.addTemporaryShift({
        site_code: code.value.trim(), name: name.value.trim() || null, lat: number(lat.value), lon: number(lon.value),
        date: date.value, start: start.value, end: end.value, vaccinators: Number(vaccinators.value),
      });
      showNotice(t(added.new_site ? 'rebook.temp_added_site' : 'rebook.temp_added', { code: code.value.trim(), date: date.value }));
      replan();
    } catch (err) {
      showError(err);
    }
  };
  return el('details', { className: 'temp-details', open: false }, el('summary', { textContent: t('rebook.temp_title') }), form);
}

export async function renderRebook(root) {
  // Only bookings from the app's today on can still be moved.
  const query = { from: today() };
  let plan;
  try {
    plan = await api.rebookPlan(query);
  } catch (err) {
    showError(err);
    return;
  }
  const exportButton = el('button', { className: 'secondary', id: 'rebook-export', textContent: t('rebook.export') });
  exportButton.onclick = async () => {
    try {
      const picked = await api.pickFile('save_csv', t('rebook.export'), 'call-list.csv');
      if (!picked) return;
      const n = await api.rebookExport(picked.token, query);
      showNotice(t('rebook.exported', { n: formatNumber(n), path: picked.path }));
    } catch (err) {
      showError(err);
    }
  };
  const table = el('table', { className: 'data', id: 'rebook-table' });
  table.append(el('thead', {}, el('tr', {},
    el('th', { textContent: t('rebook.person') }), el('th', { textContent: t('rebook.phone') }),
    el('th', { textContent: t('rebook.current') }), el('th', { textContent: t('rebook.proposed') }),
    el('th', { textContent: t('rebook.outcome') }))));
  const body = el('tbody');
  for (const p of plan.proposals) {
    const actions = el('td', { className: 'actions' });
    for (const outcome of OUTCOMES) {
      const button = el('button', { className: 'secondary small', textContent: t(`rebook.${outcome}`) });
      button.dataset.outcome = outcome;
      button.disabled = outcome === 'reached_accepted' && !p.proposed_slot;
      button.onclick = async () => {
        try {
          const central = await api.rebookRecord({
            appointment_id: p.appointment_id,
            outcome,
            to_site: outcome === 'reached_accepted' ? p.proposed_site : null,
            to_slot: outcome === 'reached_accepted' ? p.proposed_slot : null,
            note: null,
          });
          await renderRebook(root);
          if (central?.state === 'unreachable') showNotice(t('rebook.central_unreachable'));
        } catch (err) {
          showError(err);
        }
      };
      actions.append(button);
    }
    if (p.last_outcome) actions.append(el('span', { className: 'muted small', textContent: ` ${t(`rebook.${p.last_outcome}`)}` }));
    const proposed = p.proposed_slot
      ? `${p.proposed_site} ${formatSlot(p.proposed_slot)}${p.distance_km ? ` (${p.distance_km} km)` : ''}`
      : t('rebook.none_free');
    const row = el('tr', {},
      el('td', { textContent: p.person_id }),
      el('td', { textContent: p.phone ?? t('rebook.no_phone') }),
      el('td', { textContent: `${p.site_code} ${formatSlot(p.slot)}` }),
      el('td', { textContent: proposed }),
      actions);
    row.dataset.appointment = p.appointment_id;
    body.append(row);
  }
  table.append(body);
  const arrivals = el('section', { id: 'rebook-arrivals' }, el('h2', { textContent: t('rebook.arrivals') }));
  if (plan.expected_arrivals.length === 0) {
    arrivals.append(el('p', { className: 'muted', textContent: t('rebook.arrivals_none') }));
  }
  for (const a of plan.expected_arrivals) {
    const line = el('p', { textContent: `${a.site_code}, ${formatDate(a.date)}: ${formatNumber(a.expected_unreachable)} ${t('rebook.extra')}` });
    line.dataset.site = a.site_code;
    line.dataset.count = a.expected_unreachable;
    arrivals.append(line);
  }
  const summary = el('p', { id: 'rebook-summary', textContent: t('rebook.summary_counting', { n: formatNumber(plan.excess) }) });
  const more = el('p', { className: 'muted', id: 'rebook-more' });
  // The whole plan (thousands of searches in an incident) follows the first screen.
  api.rebookCounts(query).then(({ total, unplaced }) => {
    summary.textContent = t('rebook.summary', { n: formatNumber(total), unplaced: formatNumber(unplaced) });
    summary.dataset.total = total;
    summary.dataset.unplaced = unplaced;
    if (total > plan.proposals.length) more.textContent = t('rebook.more', { shown: formatNumber(plan.proposals.length), total: formatNumber(total) });
  }, showError);
  const parts = [el('div', { className: 'toolbar' }, el('h1', { textContent: t('rebook.title') }), el('div', { className: 'spacer' }), exportButton), summary,
    temporaryClinicForm(() => renderRebook(root)), arrivals, table, more];
  root.replaceChildren(...parts);
}
