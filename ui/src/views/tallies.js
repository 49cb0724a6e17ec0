// Tallies: keyboard entry of doses administered at a clinic site. Enter
// saves; the site-day's tallies are listed under the form with the values
// each correction replaced. A value the site-day could not have given is
// refused until the same value is typed again (core's needs_confirmation);
// a wrong tally is withdrawn with two clicks and stays listed, uncounted.
import * as api from '../api.js';
import { t, formatNumber } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { dateInput } from '../components/date_input.js';
import { today } from '../dates.js';

const state = { site: '', date: '', shift: '', dose: '1', product: '' };
/** The refused entry waiting to be typed again: its key and value as JSON. */
let pending = null;

export async function renderTallies(root) {
  let sites;
  let products;
  try {
    // The store's products: one the unit added (here or on another laptop) can be tallied.
    [sites, products] = await Promise.all([api.siteList(), api.productList()]);
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
  const date = dateInput({ id: 'tally-date', value: state.date, required: true });
  // The shift is chosen from the site-day's scheduled shifts (and labels its
  // tallies already use), never typed: "morning" beside "am" made two rows.
  const shift = el('select', { id: 'tally-shift' });
  const loadShifts = async () => {
    const choices = await api.tallyShiftChoices(site.value, date.value);
    shift.replaceChildren(
      el('option', { value: '', textContent: t('tally.whole_day') }),
      ...choices.map((c) => el('option', { value: c.label, textContent: c.start ? t('tally.shift_hours', { hours: c.label }) : c.label })));
    shift.value = choices.some((c) => c.label === state.shift) ? state.shift : '';
  };
  const dose = el('select', { id: 'tally-dose' },
    ...['1', '2', '3'].map((n) => el('option', { value: n, textContent: t('bookings.dose', { n }), selected: n === state.dose })));
  const product = el('select', { id: 'tally-product' },
    el('option', { value: '', textContent: t('tally.any_product') }),
    ...products.map((p) => el('option', { value: p.code, textContent: p.code, title: p.name, selected: p.code === state.product })));
  const doses = el('input', { id: 'tally-doses', type: 'number', min: '0', step: '1', required: true, inputMode: 'numeric' });
  const save = el('button', { id: 'tally-save', type: 'submit', textContent: t('tally.save') });
  const form = el('form', { className: 'form', id: 'tally-form' },
    field(t('tally.site'), site), field(t('tally.date'), date), field(t('tally.shift'), shift),
    field(t('tally.dose'), dose), field(t('tally.product'), product), field(t('tally.doses'), doses),
    save);
  const list = el('div', { id: 'tally-list' });

  const showList = async () => {
    try {
      await loadShifts();
      const rows = await api.siteDayTallies(site.value, date.value);
      if (rows.length === 0) {
        list.replaceChildren(el('p', { className: 'muted', textContent: t('tally.none') }));
        return;
      }
      const body = el('tbody');
      let total = 0;
      for (const r of rows) {
        if (!r.withdrawn && !r.held) total += r.doses;
        const tr = el('tr', { className: r.withdrawn ? 'withdrawn' : r.held ? 'held' : '' },
          el('td', { textContent: r.shift || '—' }),
          el('td', { textContent: t('bookings.dose', { n: r.dose_number }) }),
          el('td', { textContent: r.product || '—' }),
          el('td', { className: 'num', textContent: formatNumber(r.doses) }),
          el('td', { className: 'muted small', textContent: r.history.length ? t('tally.was', { values: r.history.map(formatNumber).join(' ← ') }) : '' }),
          el('td', { className: 'muted small', textContent: `${r.source} · ${r.updated_at}` }),
          el('td', {}, ...(r.withdrawn
            ? [el('span', { className: 'badge', textContent: t('tally.withdrawn') })]
            : r.held
              ? [el('span', { className: 'badge alert', textContent: t('tally.held') }), confirmButton(r), withdrawButton(r)]
              : [withdrawButton(r)])));
        tr.dataset.doses = r.doses;
        tr.dataset.withdrawn = r.withdrawn;
        tr.dataset.held = r.held;
        body.append(tr);
      }
      list.replaceChildren(
        el('h2', { textContent: t('tally.day_total', { total: formatNumber(total) }) }),
        el('table', { className: 'data', id: 'tally-table' },
          el('thead', {}, el('tr', {}, ...['shift', 'dose', 'product', 'doses', 'history', 'source', 'counted'].map((k) =>
            el('th', { className: k === 'doses' ? 'num' : '', textContent: t(`tally.col_${k}`) })))),
          body));
    } catch (err) {
      showError(err);
    }
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    hideError();
    Object.assign(state, { site: site.value, date: date.value, shift: shift.value, dose: dose.value, product: product.value });
    const tally = {
      site_code: state.site, date: state.date, shift: state.shift,
      dose_number: Number(state.dose), product: state.product, doses: Number(doses.value),
    };
    // Typed again, the same refused value is confirmed; anything else starts over.
    const confirm = pending === JSON.stringify(tally);
    pending = null;
    try {
      const done = await api.recordTally(tally, confirm);
      const said = done.replaced == null
        ? t('tally.recorded', { doses: formatNumber(tally.doses) })
        : t('tally.corrected', { old: formatNumber(done.replaced), doses: formatNumber(tally.doses) });
      doses.value = '';
      // The notice comes with the list it speaks of: shown before the list
      // was drawn again, a click on the old list's buttons was lost.
      await showList();
      showNotice(said);
      doses.focus();
    } catch (err) {
      if (err.code === 'needs_confirmation') {
        pending = JSON.stringify(tally);
        showError({ ...err, hint: t('tally.confirm_hint') });
        doses.value = '';
        doses.focus();
        return;
      }
      showError(err);
    }
  };
  // A held import counts once a person confirms the value as it stands.
  const confirmButton = (r) => {
    const button = el('button', { type: 'button', className: 'confirm-held', textContent: t('tally.confirm_held', { doses: formatNumber(r.doses) }) });
    button.onclick = async () => {
      hideError();
      try {
        await api.recordTally({
          site_code: site.value, date: date.value, shift: r.shift,
          dose_number: r.dose_number, product: r.product, doses: r.doses,
        }, true);
        await showList();
        showNotice(t('tally.held_confirmed', { doses: formatNumber(r.doses) }));
      } catch (err) {
        showError(err);
      }
    };
    return button;
  };
  // Two clicks, so no tally leaves the totals by one stray click.
  const withdrawButton = (r) => {
    const button = el('button', { type: 'button', className: 'secondary withdraw', textContent: t('tally.withdraw') });
    button.onclick = async () => {
      if (!button.dataset.armed) {
        button.dataset.armed = 'true';
        button.textContent = t('tally.withdraw_confirm', { doses: formatNumber(r.doses) });
        return;
      }
      hideError();
      try {
        await api.withdrawTally({
          site_code: site.value, date: date.value, shift: r.shift,
          dose_number: r.dose_number, product: r.product, doses: 0,
        });
        await showList();
        showNotice(t('tally.withdrawn_notice', { doses: formatNumber(r.doses) }));
      } catch (err) {
        showError(err);
      }
    };
    return button;
  };
  site.onchange = showList;
  date.onchange = () => date.checkValidity() && showList();

  root.replaceChildren(
    el('h1', { textContent: t('tally.title') }),
    el('p', { className: 'muted', textContent: t('tally.intro') }),
    form, list);
  await showList();
  doses.focus();
}
