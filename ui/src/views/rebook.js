// Rebooking desk: the excess bookings with a proposed new slot, one row per
// call; outcomes are recorded as the calls are made.
import * as api from '../api.js';
import { t, lang, formatNumber, formatDate, formatSlot, formatPercent } from '../i18n.js';
import { showError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { dateInput, timeInput, slotInput } from '../components/date_input.js';
import { today } from '../dates.js';
import { settings } from '../settings.js';
import { siteSearch } from '../components/sites.js';

const OUTCOMES = ['reached_accepted', 'reached_declined', 'unreachable', 'wrong_number'];
const STATUSES = ['to_call', 'call_back', 'declined', 'unreachable', 'unplaced'];
// Rows per page: this machine's setting.
const pageSize = () => settings().page_size;
/** Rows drawn with the desk's first paint: more than a full-height window shows. */
const ROWS_FIRST = 25;

// What the desk shows, kept when the view is drawn again (after a call, a
// language change or a visit to another view): the caller keeps their place.
const EMPTY_FILTER = { site: '', date: '', status: '', search: '', max_km: '' };
const desk = { filter: { ...EMPTY_FILTER }, offset: 0, lastMove: null };

/** The manager's distance cap in km, or null for none. */
const maxKm = () => (desk.filter.max_km === '' ? null : Number(desk.filter.max_km));

/** Opens a temporary-clinic shift (at a new or existing site) so the plan
 * has somewhere to send the bookings no other site can take; the desk then
 * proposes it first to the people nearest it whose clinic is full. */
function temporaryClinicForm(replan) {
  const labelled = (key, input) => el('label', {}, el('span', { textContent: t(key) }), input);
  const input = (id, props) => el('input', { id, ...props });
  const code = input('temp-code', { required: true, placeholder: 'TMP1', size: 8 });
  const name = input('temp-name', { size: 28 });
  const address = input('temp-address', { size: 28 });
  const postal = input('temp-postal', { size: 8, placeholder: 'K2G 1V8' });
  const lat = input('temp-lat', { type: 'number', step: 'any' });
  const lon = input('temp-lon', { type: 'number', step: 'any' });
  const date = dateInput({ id: 'temp-date', required: true, value: today(), label: t('rebook.temp_date') });
  const start = timeInput({ id: 'temp-start', value: '09:00', required: true, label: t('rebook.temp_start') });
  const end = timeInput({ id: 'temp-end', value: '17:00', required: true, label: t('rebook.temp_end') });
  const vaccinators = input('temp-vaccinators', { type: 'number', min: '1', value: '4', required: true });
  const add = el('button', { id: 'temp-add', type: 'submit', textContent: t('rebook.temp_add') });
  const form = el('form', { className: 'form temp-clinic', id: 'temp-form' },
    el('p', { className: 'muted small', textContent: t('rebook.temp_intro') }),
    labelled('rebook.temp_code', code), labelled('rebook.temp_name', name),
    labelled('rebook.temp_address', address), labelled('rebook.temp_postal', postal),
    labelled('rebook.temp_lat', lat), labelled('rebook.temp_lon', lon),
    labelled('rebook.temp_date', date), labelled('rebook.temp_start', start), labelled('rebook.temp_end', end),
    labelled('rebook.temp_vaccinators', vaccinators), add);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const number = (v) => (v === '' ? null : Number(v));
    const text = (v) => v.trim() || null;
    try {
      const added = await api.addTemporaryShift({
        site_code: code.value.trim(), name: text(name.value), address: text(address.value), postal_code: text(postal.value),
        lat: number(lat.value), lon: number(lon.value),
        date: date.value, start: start.value, end: end.value, vaccinators: Number(vaccinators.value),
      });
      showNotice(t(added.new_site ? 'rebook.temp_added_site' : 'rebook.temp_added', { code: code.value.trim(), date: formatDate(date.value) }));
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
  const exportButton = el('button', { className: 'secondary', id: 'rebook-export', textContent: t('rebook.export') });
  exportButton.onclick = async () => {
    try {
      const picked = await api.pickFile('save_csv', t('rebook.export'), 'call-list.csv');
      if (!picked) return;
      const n = await api.rebookExport(picked.token, query, maxKm());
      showNotice(t('rebook.exported', { n: formatNumber(n), path: picked.path }));
    } catch (err) {
      showError(err);
    }
  };
  const summary = el('p', { id: 'rebook-summary', textContent: t('rebook.summary_counting', { n: '…' }) });
  const filters = filterBar(() => { desk.offset = 0; refresh(); }, () => { counts = null; recount(); });
  const undoBar = el('div', { id: 'rebook-undo', className: 'undo-bar', hidden: true });
  const table = el('table', { className: 'data', id: 'rebook-table' });
  const pager = el('div', { id: 'rebook-pager', className: 'pager' });
  const arrivals = el('section', { id: 'rebook-arrivals' });
  root.replaceChildren(
    el('div', { className: 'toolbar' }, el('h1', { textContent: t('rebook.title') }), el('div', { className: 'spacer' }), exportButton),
    summary, temporaryClinicForm(() => renderRebook(root)), arrivals, filters.bar, undoBar, table, pager);

  // The whole plan (thousands of searches in an incident) follows the
  // first screen, and is counted again after each call that moves someone.
  let counts = null;
  const recount = () => api.rebookCounts(query, maxKm()).then((c) => {
    if (!root.contains(summary)) return;
    counts = c;
    summary.textContent = t('rebook.summary', { n: formatNumber(c.total), unplaced: formatNumber(c.unplaced) });
    summary.dataset.total = c.total;
    summary.dataset.unplaced = c.unplaced;
    drawPager();
  }, showError);

  let page = null;
  let asked = 0;
  async function refresh() {
    const mine = ++asked;
    let got;
    try {
      got = await api.rebookPage(query, { ...desk.filter, max_km: maxKm(), offset: desk.offset, limit: pageSize() });
    } catch (err) {
      showError(err);
      return;
    }
    if (mine !== asked || !root.contains(table)) return; // a newer search, or another view
    page = got;
    if (!counts) summary.textContent = t('rebook.summary_counting', { n: formatNumber(page.excess) });
    filters.choices(page.sites, page.dates);
    drawTable(table, page.proposals, { onMoved: showUndo, redraw: refresh });
    drawArrivals(arrivals, page.expected_arrivals, page.arrivals_total, page.walk_in_forecast);
    drawPager();
    drawUndo();
  }

  /** The proposals the filter matches: its count, or (unfiltered) the whole plan's. */
  const matching = () => (page?.matching ?? counts?.total ?? null);
  function drawPager() {
    if (!page) return;
    const total = matching();
    const shown = page.proposals.length;
    const from = shown ? desk.offset + 1 : 0;
    const text = total === null
      ? t('rebook.showing_counting', { from: formatNumber(from), to: formatNumber(desk.offset + shown) })
      : t('rebook.showing', { from: formatNumber(from), to: formatNumber(desk.offset + shown), total: formatNumber(total) });
    const lastOffset = total === null ? null : Math.max(0, Math.floor((total - 1) / pageSize()) * pageSize());
    const go = (offset) => () => { desk.offset = offset; refresh(); };
    const button = (id, label, offset, enabled) => {
      const b = el('button', { id, className: 'secondary small', textContent: t(label), disabled: !enabled });
      b.onclick = go(offset);
      return b;
    };
    const status = el('span', { id: 'rebook-showing', textContent: text });
    status.dataset.total = total ?? '';
    status.setAttribute('aria-live', 'polite');
    pager.replaceChildren(
      button('rebook-first', 'rebook.first', 0, desk.offset > 0),
      button('rebook-prev', 'rebook.prev', Math.max(0, desk.offset - pageSize()), desk.offset > 0),
      status,
      button('rebook-next', 'rebook.next', desk.offset + pageSize(), total !== null && desk.offset + pageSize() < total),
      button('rebook-last', 'rebook.last', lastOffset ?? 0, lastOffset !== null && desk.offset < lastOffset));
  }

  function showUndo(move) {
    desk.lastMove = move;
    refresh();
    recount();
  }
  function drawUndo() {
    const move = desk.lastMove;
    undoBar.hidden = !move;
    if (!move) return undoBar.replaceChildren();
    const undo = el('button', { id: 'rebook-undo-button', className: 'small', textContent: t('rebook.undo') });
    undo.onclick = async () => {
      undo.disabled = true;
      try {
        const back = await api.rebookUndo(move.appointment_id);
        desk.lastMove = null;
        showNotice(t('rebook.undone', { person: move.person, place: `${back.site_code} ${formatSlot(back.slot)}` }));
        recount();
        await refresh();
      } catch (err) {
        undo.disabled = false;
        showError(err);
      }
    };
    // Written when drawn, so a change of language reaches the dates too.
    const words = { person: move.person, from: placeText(move.from), to: placeText(move.to) };
    undoBar.replaceChildren(el('span', { textContent: t('rebook.moved', words) }), undo);
    undoBar.dataset.appointment = move.appointment_id;
  }

  await refresh();
  // The whole plan once the first screen is painted: asked for together,
  // the two shared the machine's two cores with the webview.
  requestAnimationFrame(() => setTimeout(recount, 0));
}

/** Search, site, day, call status and distance cap; `changed` runs when
 * one changes, and `replanned` too when the cap (which changes the plan) does. */
function filterBar(changed, replanned) {
  const search = el('input', {
    id: 'rebook-search', type: 'search', value: desk.filter.search, placeholder: t('rebook.search_hint'), size: 36,
  });
  search.setAttribute('aria-label', t('rebook.search'));
  let timer = null;
  search.oninput = () => {
    clearTimeout(timer);
    // Typing a phone number is many keys: ask once the typing pauses.
    timer = setTimeout(() => { desk.filter.search = search.value; changed(); }, 250);
  };
  const select = (id, key, label) => {
    const s = el('select', { id });
    s.setAttribute('aria-label', label);
    s.onchange = () => { desk.filter[key] = s.value; changed(); };
    return s;
  };
  // Among the sites the page lists (those with someone to move).
  const site = siteSearch({
    id: 'rebook-site',
    value: desk.filter.site,
    placeholder: t('rebook.all_sites'),
    label: t('rebook.filter_site'),
    size: 12,
    notListed: (code) => t('rebook.site_not_listed', { code }),
    chosen: (code) => {
      if (code === desk.filter.site) return;
      desk.filter.site = code;
      changed();
    },
  });
  const date = select('rebook-date', 'date', t('rebook.filter_date'));
  const status = select('rebook-status', 'status', t('rebook.filter_status'));
  const fill = (s, all, values, label) => {
    const wanted = desk.filter[s.id.replace('rebook-', '')];
    s.replaceChildren(el('option', { value: '', textContent: all }),
      ...values.map((v) => el('option', { value: v, textContent: label(v) })));
    s.value = values.includes(wanted) ? wanted : '';
  };
  fill(status, t('rebook.status_all'), STATUSES, (v) => t(`rebook.status_${v}`));
  // Nobody is proposed another site farther than this; empty: no cap.
  const cap = el('input', { id: 'rebook-max-km', type: 'number', min: '0.5', step: '0.5', size: 5, value: desk.filter.max_km });
  cap.onchange = () => {
    if (cap.value !== '' && !(cap.checkValidity() && Number(cap.value) > 0)) {
      cap.reportValidity();
      return;
    }
    desk.filter.max_km = cap.value;
    changed();
    replanned();
  };
  const capLabel = el('label', { className: 'small max-km' }, el('span', { textContent: t('rebook.max_km') }), cap, ' km');
  const clear = el('button', { id: 'rebook-clear', type: 'button', className: 'secondary small', textContent: t('rebook.clear') });
  clear.onclick = () => {
    const hadCap = desk.filter.max_km !== '';
    desk.filter = { ...EMPTY_FILTER };
    search.value = '';
    site.field.value = '';
    date.value = '';
    status.value = '';
    cap.value = '';
    changed();
    if (hadCap) replanned();
  };
  const bar = el('div', { className: 'inline-form rebook-filters', id: 'rebook-filters' }, search, site.field, site.list, date, status, capLabel, clear);
  return {
    bar,
    choices(sites, dates) {
      site.setSites(sites);
      fill(date, t('rebook.all_days'), dates, formatDate);
    },
  };
}

/** "Given Family" as far as the booking export named them; '' when it did not. */
export function personName(p) {
  return [p.given_name, p.family_name].filter(Boolean).join(' ');
}

/** A stored UTC time (`2026-12-04T14:05:00Z`) as this computer's local slot text. */
function localSlot(stamp) {
  const d = new Date(stamp);
  if (Number.isNaN(d.getTime())) return stamp;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What the calls so far say: how many, the latest's time and caller, its note, the call-back. */
function callsCell(p) {
  const cell = el('td', { className: 'calls' });
  if (!p.attempts) {
    cell.append(el('span', { className: 'muted', textContent: t('rebook.not_called') }));
    return cell;
  }
  cell.append(el('div', {
    textContent: t(p.attempts === 1 ? 'rebook.calls_one' : 'rebook.calls_many', {
      n: formatNumber(p.attempts), when: formatSlot(localSlot(p.last_at)), who: p.last_caller ?? '?',
    }),
  }));
  if (p.last_note) cell.append(el('div', { className: 'call-note', textContent: `« ${p.last_note} »` }));
  if (p.call_back_at) cell.append(el('div', { className: 'call-back', textContent: t('rebook.call_back_at', { when: formatSlot(p.call_back_at) }) }));
  cell.dataset.attempts = p.attempts;
  return cell;
}

function drawTable(table, proposals, { onMoved, redraw }) {
  table.replaceChildren(el('thead', {}, el('tr', {},
    el('th', { textContent: t('rebook.person') }), el('th', { textContent: t('rebook.phone') }),
    el('th', { textContent: t('rebook.current') }), el('th', { textContent: t('rebook.proposed') }),
    el('th', { textContent: t('rebook.calls') }), el('th', { textContent: t('rebook.outcome') }))));
  const body = el('tbody');
  if (proposals.length === 0) {
    body.append(el('tr', {}, el('td', { colSpan: 6, className: 'muted', textContent: t('rebook.nobody') })));
  }
  const row = (p) => proposalRow(p, { onMoved, redraw });
  body.append(...proposals.slice(0, ROWS_FIRST).map(row));
  table.append(body);
  // The rows below the screen follow in the frame after it was painted:
  // laid out with it, a hundred rows of buttons kept the desk blank for
  // 50-60 ms at province scale. `aria-busy` says the list is not whole yet
  // (screen readers wait for it; so do the tests).
  const rest = proposals.slice(ROWS_FIRST);
  table.setAttribute('aria-busy', String(rest.length > 0));
  if (rest.length === 0) return;
  requestAnimationFrame(() => setTimeout(() => requestAnimationFrame(() => {
    if (!body.isConnected) return; // a newer page, or another view, replaced it
    body.append(...rest.map(row));
    table.setAttribute('aria-busy', 'false');
  }), 0));
}

/** "NSP Fri 26 Mar 2021 09:00": a site and slot, as the desk names a place. */
const placeText = ({ site, slot }) => `${site} ${formatSlot(slot)}`;

function proposalRow(p, { onMoved, redraw }) {
  const name = personName(p);
  const current = `${p.site_code} ${formatSlot(p.slot)}`;
  const proposedText = p.proposed_slot ? `${p.proposed_site} ${formatSlot(p.proposed_slot)}` : null;
  const proposed = el('td', { className: 'proposed' });
  proposed.dataset.km = p.distance_km ?? '';
  if (proposedText) {
    proposed.append(proposedText);
    if (p.distance_km) proposed.append(el('span', { className: 'muted', textContent: ` (${formatNumber(p.distance_km)} km)` }));
  } else {
    proposed.append(el('strong', { textContent: t('rebook.none_free') }),
      el('div', {
      className: 'muted small',
      textContent: maxKm() === null ? t('rebook.none_free_why') : t('rebook.none_free_why_cap', { km: formatNumber(maxKm()) }),
    }));
  }
  // A note and a call-back time go with the next outcome recorded. Their
  // fields are made when first opened: a page of a hundred rows of them
  // cost the desk's first paint tens of milliseconds.
  let note = null;
  let callBack = null;
  const details = el('details', { className: 'call-details' },
    el('summary', { textContent: t('rebook.note_and_call_back') }));
  details.addEventListener('toggle', () => {
    if (!details.open || note) return;
    note = el('input', { className: 'call-note-input', placeholder: t('rebook.note'), size: 24 });
    note.setAttribute('aria-label', t('rebook.note'));
    callBack = slotInput({ id: `call-back-${p.appointment_id}` });
    details.append(note, el('label', { className: 'small', textContent: t('rebook.call_back') }), callBack);
  });
  const actions = el('td', { className: 'actions' });
  // `to`: where an accepted move goes ({site, slot}): the proposal, or a slot picked by hand.
  const send = async (outcome, to = { site: p.proposed_site, slot: p.proposed_slot }) => {
    const accepted = outcome === 'reached_accepted';
    // A half-typed call-back time is said, not dropped.
    const unread = callBack && [...callBack.querySelectorAll('input')].find((input) => !input.checkValidity());
    if (unread) {
      details.open = true;
      unread.reportValidity();
      return;
    }
    try {
      const central = await api.rebookRecord({
        appointment_id: p.appointment_id,
        outcome,
        to_site: accepted ? to.site : null,
        to_slot: accepted ? to.slot : null,
        note: note?.value.trim() || null,
        call_back_at: callBack?.value || null,
      });
      if (central?.state === 'unreachable') showNotice(t('rebook.central_unreachable'));
      if (accepted) {
        onMoved({
          appointment_id: p.appointment_id, person: name || p.person_id,
          from: { site: p.site_code, slot: p.slot }, to,
        });
      } else {
        redraw();
      }
    } catch (err) {
      showError(err);
    }
  };
  const buttons = OUTCOMES.map((outcome) => {
    const chosen = p.last_outcome === outcome;
    const button = el('button', { className: `small ${chosen ? 'chosen' : 'secondary'}`, textContent: t(`rebook.${outcome}`) });
    button.dataset.outcome = outcome;
    button.setAttribute('aria-pressed', chosen ? 'true' : 'false');
    button.disabled = outcome === 'reached_accepted' && !p.proposed_slot;
    button.onclick = () => (outcome === 'reached_accepted' ? askMove() : send(outcome));
    return button;
  });
  const restore = () => actions.replaceChildren(...buttons, others, details);
  // A move is asked for once more, naming both places: one stray click moves nobody.
  const askMove = (to = { site: p.proposed_site, slot: p.proposed_slot }) => {
    const confirm = el('button', { className: 'small confirm-move', textContent: t('rebook.confirm_move') });
    const cancel = el('button', { className: 'secondary small', textContent: t('rebook.cancel') });
    confirm.onclick = () => { confirm.disabled = true; send('reached_accepted', to); };
    cancel.onclick = restore;
    actions.replaceChildren(el('div', {
      className: 'confirm-text', textContent: t('rebook.confirm_text', { person: name || p.person_id, from: current, to: placeText(to) }),
    }), confirm, cancel);
    confirm.focus();
  };
  // Other free places, for a person who declines the proposal or asks for another day or site.
  const others = el('button', { className: 'secondary small other-slots', textContent: t('rebook.other_slots') });
  others.onclick = async () => {
    let found;
    try {
      found = await api.rebookAlternatives(p.appointment_id, maxKm());
    } catch (err) {
      showError(err);
      return;
    }
    const list = el('div', { className: 'alt-slots', role: 'group' });
    list.setAttribute('aria-label', t('rebook.other_slots'));
    if (found.length === 0) list.append(el('span', { className: 'muted', textContent: t('rebook.no_other_slots') }));
    for (const f of found) {
      const at = { site: f.site_code, slot: f.slot };
      const extra = f.distance_km == null ? t('rebook.alt_free', { n: formatNumber(f.free) })
        : t('rebook.alt_free_km', { n: formatNumber(f.free), km: formatNumber(f.distance_km) });
      const pick = el('button', { className: 'small secondary alt-slot', textContent: `${placeText(at)} · ${extra}` });
      pick.dataset.site = f.site_code;
      pick.dataset.slot = f.slot;
      pick.onclick = () => askMove(at);
      list.append(pick);
    }
    const back = el('button', { className: 'link small', textContent: t('rebook.cancel') });
    back.onclick = restore;
    actions.replaceChildren(list, back);
    list.querySelector('button')?.focus();
  };
  actions.append(...buttons, others, details);
  const person = el('td', {});
  if (name) {
    const line = el('div', { className: 'person-name' }, el('strong', { textContent: name }));
    // The language to call them in, when it is not the app's own.
    if (p.preferred_language && p.preferred_language !== lang()) {
      line.append(' ', el('span', { className: 'lang-badge', textContent: p.preferred_language.toUpperCase(), title: t('rebook.call_in', { lang: p.preferred_language }) }));
    }
    person.append(line);
  }
  person.append(el('div', { className: name ? 'muted small' : '', textContent: p.person_id }));
  if (p.booking_id) person.append(el('div', { className: 'muted small', textContent: p.booking_id }));
  const row = el('tr', {},
    person,
    el('td', { className: 'nowrap', textContent: p.phone ?? t('rebook.no_phone') }),
    el('td', { textContent: current }),
    proposed,
    callsCell(p),
    actions);
  row.dataset.appointment = p.appointment_id;
  row.dataset.person = p.person_id;
  row.dataset.site = p.site_code;
  row.dataset.date = p.slot.slice(0, 10);
  return row;
}

/** Per site and day, who is still expected at the over-capacity slots: the
 * people not reached, those who declined, and the forecast among those still
 * to call; with what the forecast rests on. The page carries the site-days
 * where most are expected, the first few of `total`. */
function drawArrivals(section, arrivals, total, forecast) {
  section.replaceChildren(el('h2', { textContent: t('rebook.arrivals') }));
  if (arrivals.length === 0) {
    section.append(el('p', { className: 'muted', textContent: t('rebook.arrivals_none') }));
    return;
  }
  const share = formatPercent(forecast.share);
  section.append(el('p', {
    className: 'muted small', id: 'rebook-forecast-basis',
    textContent: forecast.calls === 0 ? t('rebook.forecast_prior', { share })
      : t('rebook.forecast_basis', { share, unreached: formatNumber(forecast.unreached), calls: formatNumber(forecast.calls) }),
  }));
  for (const a of arrivals) {
    const parts = [];
    if (a.expected_unreachable > 0) {
      parts.push(t(a.expected_unreachable === 1 ? 'rebook.arrival_one' : 'rebook.arrival_many', { n: formatNumber(a.expected_unreachable) }));
    }
    if (a.declined > 0) parts.push(t('rebook.arrival_declined', { n: formatNumber(a.declined) }));
    if (a.to_call > 0) parts.push(t('rebook.arrival_forecast', { n: formatNumber(a.forecast_unreachable), to_call: formatNumber(a.to_call) }));
    const { expected } = a;
    const line = el('p', {},
      el('strong', { textContent: t('rebook.arrival_head', { site: a.site_code, date: formatDate(a.date), n: formatNumber(expected) }) }),
      ` — ${parts.join('; ')}`);
    line.dataset.site = a.site_code;
    line.dataset.date = a.date;
    line.dataset.count = a.expected_unreachable;
    line.dataset.expected = expected;
    section.append(line);
  }
  if (total > arrivals.length) {
    section.append(el('p', { className: 'muted', textContent: t('rebook.arrivals_more', { n: formatNumber(total - arrivals.length) }) }));
  }
}
