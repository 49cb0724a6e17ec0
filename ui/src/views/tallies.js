// Tallies: keyboard entry of doses administered at a clinic site. Enter
// saves; the site-day's tallies are listed under the form with the values
// each correction replaced.
import * as api from '../api.js';
import { t, formatNumber } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { today } from '../dates.js';

const state = { site: '', date: '', shift: '', dose: '1', product: '' };

export async function renderTallies(root) {
  let sites;
  try {
    sites = await api.siteList();
  } catch (err) {
    showError(err);
    return;
  }
  if (!state.site && sites.length) state.site = sites[0].code;
  if (!state.date) state.date = today();

  const field = (label, input) => el('label', {}, el('span', { textContent: label }), input);
  // `required` and the value are set once the options are in: on a required
  // select the browser re-checks validity over all options at each one
  // appended (3,000 sites took 70 ms).
  const site = el('select', { id: 'tally-site' },
    ...sites.map((s) => el('option', { value: s.code, textContent: `${s.code} — ${s.name}` })));
  site.value = state.site;
  site.required = true;
  const date = el('input', { id: 'tally-date', type: 'date', value: state.date, required: true });
  const shift = el('input', { id: 'tally-shift', value: state.shift, placeholder: t('tally.shift_hint') });
  shift.setAttribute('list', 'tally-shifts');
  const shifts = el('datalist', { id: 'tally-shifts' }, el('option', { value: 'am' }), el('option', { value: 'pm' }));
  const dose = el('select', { id: 'tally-dose' },
    ...['1', '2', '3'].map((n) => el('option', { value: n, textContent: t('bookings.dose', { n }), selected: n === state.dose })));
  const product = el('select', { id: 'tally-product' },
    el('option', { value: '', textContent: t('tally.any_product') }),
    ...['PFIZER', 'MODERNA', 'ASTRAZENECA'].map((p) => el('option', { value: p, textContent: p, selected: p === state.product })));
  const doses = el('input', { id: 'tally-doses', type: 'number', min: '0', step: '1', required: true, inputMode: 'numeric' });
  const save = el('button', { id: 'tally-save', type: 'submit', textContent: t('tally.save') });
  const form = el('form', { className: 'form', id: 'tally-form' },
    field(t('tally.site'), site), field(t('tally.date'), date), field(t('tally.shift'), shift),
    field(t('tally.dose'), dose), field(t('tally.product'), product), field(t('tally.doses'), doses),
    shifts, save);
  const list = el('div', { id: 'tally-list' });

  const showList = async () => {
    try {
      const rows = await api.siteDayTallies(site.value, date.value);
      if (rows.length === 0) {
        list.replaceChildren(el('p', { className: 'muted', textContent: t('tally.none') }));
        return;
      }
      const body = el('tbody');
      let total = 0;
      for (const r of rows) {
        total += r.doses;
        const tr = el('tr', {},
          el('td', { textContent: r.shift || '—' }),
          el('td', { textContent: t('bookings.dose', { n: r.dose_number }) }),
          el('td', { textContent: r.product || '—' }),
          el('td', { className: 'num', textContent: formatNumber(r.doses) }),
          el('td', { className: 'muted small', textContent: r.history.length ? t('tally.was', { values: r.history.map(formatNumber).join(' ← ') }) : '' }),
          el('td', { className: 'muted small', textContent: `${r.source} · ${r.updated_at}` }));
        tr.dataset.doses = r.doses;
        body.append(tr);
      }
      list.replaceChildren(
        el('h2', { textContent: t('tally.day_total', { total: formatNumber(total) }) }),
        el('table', { className: 'data', id: 'tally-table' },
          el('thead', {}, el('tr', {}, ...['shift', 'dose', 'product', 'doses', 'history', 'source'].map((k) =>
            el('th', { className: k === 'doses' ? 'num' : '', textContent: t(`tally.col_${k}`) })))),
          body));
    } catch (err) {
      showError(err);
    }
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    hideError();
    Object.assign(state, { site: site.value, date: date.value, shift: shift.value.trim(), dose: dose.value, product: product.value });
    try {
      const done = await api.recordTally({
        site_code: state.site, date: state.date, shift: state.shift,
        dose_number: Number(state.dose), product: state.product, doses: Number(doses.value),
      });
      showNotice(done.replaced == null
        ? t('tally.recorded', { doses: formatNumber(Number(doses.value)) })
        : t('tally.corrected', { old: formatNumber(done.replaced), doses: formatNumber(Number(doses.value)) }));
      doses.value = '';
      await showList();
      doses.focus();
    } catch (err) {
      showError(err);
    }
  };
  site.onchange = showList;
  date.onchange = showList;

  root.replaceChildren(
    el('h1', { textContent: t('tally.title') }),
    el('p', { className: 'muted', textContent: t('tally.intro') }),
    form, list);
  await showList();
  doses.focus();
}
