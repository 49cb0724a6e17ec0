// Shift planner: the assumptions, the plan (summary, chart, extra shifts,
// demand per day, surplus), and saved scenarios to compare, apply and undo.
import * as api from '../api.js';
import { t, formatNumber, formatDate, labelled, lang } from '../i18n.js';
import { runJob, showError, hideError, showNotice } from '../components/job.js';
import { qualityLine } from '../components/quality.js';
import { el } from '../components/dom.js';
import { dateInput } from '../components/date_input.js';
import { monthAfter, today } from '../dates.js';

// Rows shown per table: a month at many sites can plan hundreds of shifts.
const SHOWN = 200;

// Kept across visits to the view, so a plan survives switching tabs.
const state = { request: null, result: null, compare: new Set() };

function field(label, input) {
  return el('label', {}, el('span', { textContent: label }), input);
}

function num(n) {
  return el('td', { className: 'num', textContent: formatNumber(n) });
}

function table(id, headers, rows) {
  const head = el('tr', {}, ...headers.map((h) => el('th', { textContent: h })));
  return el('table', { className: 'data', id }, el('thead', {}, head), el('tbody', {}, ...rows));
}

const bindingWords = (names) => (names.length ? names.map((b) => t(`planner.binding.${b}`)).join(', ') : t('planner.binding.none'));

function staffText(s) {
  return t('planner.staff_by_station', {
    total: s.check_in + s.screening + s.vaccination + s.observation,
    check_in: s.check_in,
    screening: s.screening,
    observation: s.observation,
    chairs: s.observation_chairs,
  });
}

// Why a line is in the plan, worded from core's numbers.
function reasonText(reason) {
  if (!reason) return '';
  switch (reason.kind) {
    case 'overbooked':
      return t('planner.reason.overbooked', { n: formatNumber(reason.booked_over_capacity), from: reason.from, to: reason.to });
    case 'day_demand':
      return t('planner.reason.day_demand', { demand: formatNumber(reason.demand), capacity: formatNumber(reason.capacity) });
    default:
      return t('planner.reason.idle_doses');
  }
}

function shiftRows(shifts) {
  return shifts.slice(0, SHOWN).map((s) => {
    const more = s.kind === 'more_vaccinators';
    const row = el('tr', {},
      el('td', { textContent: s.site_code }),
      el('td', { textContent: formatDate(s.date) }),
      el('td', { textContent: `${s.start}–${s.end}` }),
      el('td', { textContent: more ? t('planner.kind.more_vaccinators', { n: s.vaccinators }) : t('planner.kind.new_shift') }),
      num(s.vaccinators),
      num(s.capacity),
      el('td', { textContent: staffText(s.staff) }),
      el('td', { textContent: t(`planner.station.${s.bottleneck}`) }),
      el('td', { className: 'reason', textContent: reasonText(s.reason) }));
    row.dataset.site = s.site_code;
    row.dataset.date = s.date;
    row.dataset.kind = s.kind ?? 'new_shift';
    return row;
  });
}

const shiftHeaders = () => ['site', 'date', 'hours', 'change', 'vaccinators', 'capacity', 'staff', 'bottleneck', 'why'].map((k) => t(`planner.col.${k}`));

// People booked beyond places that no line of the plan serves.
function movesSection(moves, total) {
  const rows = moves.slice(0, SHOWN).map((m) => {
    const room = m.room.map((r) => t('planner.moves.room_at', { site: r.site_code, n: formatNumber(r.places) })).join(', ');
    const row = el('tr', {},
      el('td', { textContent: m.site_code }),
      el('td', { textContent: formatDate(m.date) }),
      el('td', { textContent: `${m.from}–${m.to}` }),
      num(m.people),
      el('td', { textContent: t(`planner.binding.${m.limit}`) }),
      el('td', { textContent: room || t('planner.moves.no_room') }));
    row.dataset.site = m.site_code;
    row.dataset.date = m.date;
    row.dataset.people = m.people;
    return row;
  });
  const headers = ['site', 'date', 'hours', 'people', 'limit', 'room'].map((k) => t(`planner.moves.col.${k}`));
  return el('section', { id: 'plan-moves' },
    el('h2', { textContent: t('planner.moves_title', { n: formatNumber(total) }) }),
    el('p', { className: 'hint', textContent: t('planner.moves_hint') }),
    table('plan-moves-table', headers, rows),
    moreNote(moves.length) ?? '');
}

function moreNote(total) {
  return total > SHOWN ? el('p', { className: 'muted', textContent: t('planner.more', { shown: SHOWN, total: formatNumber(total) }) }) : null;
}

function figure(id, label, value, alert = false) {
  const valueEl = el('div', { className: 'figure-value', textContent: value });
  const box = el('div', { className: alert ? 'figure alert' : 'figure', id }, valueEl, el('div', { className: 'figure-label', textContent: label }));
  return box;
}

function quality(plan) {
  const line = qualityLine('plan-quality', 'planner', plan);
  line.dataset.method = plan.method ?? '';
  return line;
}

function summary(plan) {
  const unmet = figure('plan-unmet', t('planner.unmet'), formatNumber(plan.unmet_demand), plan.unmet_demand > 0);
  unmet.dataset.value = plan.unmet_demand;
  const shifts = figure('plan-shifts', t('planner.extra_shifts'), formatNumber(plan.extra_shifts.length));
  shifts.dataset.value = plan.extra_shifts.length;
  const added = figure('plan-added', t('planner.added_capacity'), formatNumber(plan.added_capacity));
  const staffHours = figure('plan-staff-hours', t('planner.staff_hours'), formatNumber(Math.round(plan.totals.staff_hours)));
  const binding = el('p', { id: 'plan-binding', textContent: labelled('planner.binding', bindingWords(plan.binding)) });
  binding.dataset.binding = plan.binding.join(',');
  const notes = [];
  if (!plan.supply_known) notes.push(el('p', { className: 'hint', textContent: t('planner.supply_unknown') }));
  const t2 = plan.totals;
  const demand = el('p', { className: 'muted', textContent: t('planner.demand_line', {
    demand: formatNumber(t2.demand), booked: formatNumber(t2.booked), second: formatNumber(t2.second_doses_due),
    new: formatNumber(t2.new_bookings), planned: formatNumber(t2.doses_planned),
  }) });
  return el('section', { id: 'plan-summary' }, el('div', { className: 'figures' }, shifts, added, unmet, staffHours), binding, demand, quality(plan), ...notes);
}

function chart(svgText, request) {
  const box = el('div', { id: 'plan-chart', className: 'chart' });
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  if (doc.documentElement.nodeName === 'svg') box.append(document.importNode(doc.documentElement, true));
  const exportAs = (format) => {
    const button = el('button', { className: 'secondary', id: `plan-export-${format}`, textContent: t(`planner.export_${format}`) });
    button.onclick = async () => {
      try {
        const picked = await api.pickFile('save_chart', t('planner.export_title'), `shift-plan-${request.from}.${format}`, format);
        if (!picked) return;
        await runJob(t('planner.planning'), (progress, started) => api.exportPlanChart(request, picked.token, lang(), progress, started));
        showNotice(t('planner.exported', { path: picked.path }));
      } catch (err) {
        showError(err);
      }
    };
    return button;
  };
  return el('section', {}, el('div', { className: 'toolbar' }, el('h2', { textContent: t('planner.chart') }), el('div', { className: 'spacer' }), exportAs('png'), exportAs('svg')), box);
}

function dayTable(days) {
  const rows = days.map((d) => {
    const row = el('tr', { className: d.unmet > 0 ? 'unmet' : '' },
      el('td', { textContent: formatDate(d.date) }),
      num(d.demand.booked), num(d.demand.second_doses_due), num(d.demand.new_bookings),
      num(d.capacity_before), num(d.capacity_after), num(d.on_hand), num(d.unmet));
    row.dataset.date = d.date;
    return row;
  });
  const headers = ['date', 'booked', 'second', 'new', 'before', 'after', 'on_hand', 'unmet'].map((k) => t(`planner.day.${k}`));
  return el('section', {}, el('h2', { textContent: t('planner.days') }), table('plan-days', headers, rows));
}

function saveForm(onSaved) {
  const name = el('input', { id: 'scenario-name', type: 'text', placeholder: t('planner.scenario_placeholder'), required: true });
  const save = el('button', { id: 'scenario-save', type: 'submit', textContent: t('planner.save') });
  const form = el('form', { className: 'inline-form', id: 'scenario-form' }, name, save);
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return;
    try {
      const id = await runJob(t('planner.planning'), (progress, started) => api.saveShiftScenario(name.value.trim(), state.request, progress, started));
      showNotice(t('planner.saved', { name: name.value.trim(), id }));
      name.value = '';
      await onSaved();
    } catch (err) {
      showError(err);
    }
  };
  return form;
}

function result(plan, svg, request, onSaved) {
  const parts = [summary(plan), saveForm(onSaved), chart(svg, request)];
  const extra = el('section', { id: 'plan-extra' }, el('h2', { textContent: t('planner.extra_title', { n: formatNumber(plan.extra_shifts.length) }) }));
  if (plan.extra_shifts.length === 0) {
    extra.append(el('p', { className: 'muted', textContent: t('planner.no_extra') }));
  } else {
    extra.append(table('plan-extra-table', shiftHeaders(), shiftRows(plan.extra_shifts)), moreNote(plan.extra_shifts.length) ?? '');
  }
  if (plan.moves_needed.length > 0) parts.push(movesSection(plan.moves_needed, plan.totals.people_to_move));
  parts.push(extra, dayTable(plan.days));
  if (plan.surplus_shifts.length > 0) {
    parts.push(el('section', { id: 'plan-surplus' },
      el('h2', { textContent: t('planner.surplus_title') }),
      el('p', { className: 'hint', textContent: t('planner.surplus_hint', { n: formatNumber(plan.surplus_shifts.length), doses: formatNumber(plan.surplus_doses) }) }),
      table('plan-surplus-table', shiftHeaders(), shiftRows(plan.surplus_shifts)),
      moreNote(plan.surplus_shifts.length)));
  }
  return parts;
}

/** Side by side: one row per figure, one column per scenario. */
function compareTable(list) {
  const rows = [
    ['range', (s) => `${s.from} – ${s.to}`],
    ['extra_shifts', (s) => formatNumber(s.shifts_added)],
    ['added_capacity', (s) => formatNumber(s.added_capacity)],
    ['staff_hours', (s) => formatNumber(Math.round(s.staff_hours))],
    ['doses_planned', (s) => formatNumber(s.doses_planned)],
    ['unmet', (s) => formatNumber(s.unmet_demand)],
    ['binding', (s) => bindingWords(s.binding)],
    ['applied', (s) => s.applied_at ?? t('planner.not_applied')],
  ].map(([key, value]) => el('tr', {}, el('th', { textContent: t(`planner.cmp.${key}`) }), ...list.map((s) => el('td', { className: 'num', textContent: value(s) }))));
  return table('scenario-compare', ['', ...list.map((s) => `${s.name} (#${s.id})`)], rows);
}

function applyCell(s, reload) {
  const cell = el('td', { className: 'actions' });
  const ask = (text, confirmLabel, action) => {
    const yes = el('button', { className: 'small', textContent: confirmLabel });
    const no = el('button', { className: 'secondary small', textContent: t('planner.cancel') });
    no.onclick = () => reload();
    yes.onclick = async () => {
      try {
        await action();
        await reload();
      } catch (err) {
        showError(err);
      }
    };
    cell.replaceChildren(el('div', { className: 'ask', textContent: text }), yes, no);
  };
  if (s.applied_at) {
    const undo = el('button', { className: 'secondary small', textContent: t('planner.undo') });
    undo.dataset.action = 'undo';
    undo.onclick = () => ask(t('planner.undo_confirm', { n: s.shifts_added }), t('planner.undo'), async () => {
      const n = await api.undoShiftScenario(s.id);
      showNotice(t('planner.undone', { n, name: s.name }));
    });
    cell.append(undo);
  } else {
    const apply = el('button', { className: 'small', textContent: t('planner.apply') });
    apply.dataset.action = 'apply';
    apply.disabled = s.shifts_added === 0;
    apply.onclick = () => ask(t('planner.apply_confirm', { n: s.shifts_added, name: s.name }), t('planner.apply'), async () => {
      const ids = await api.applyShiftScenario(s.id);
      showNotice(t('planner.applied', { n: ids.length, name: s.name }));
    });
    cell.append(apply);
  }
  return cell;
}

async function renderScenarios(box) {
  let list;
  try {
    list = await api.listShiftScenarios();
  } catch (err) {
    showError(err);
    return;
  }
  const reload = () => renderScenarios(box);
  const heading = el('h2', { textContent: t('planner.scenarios') });
  if (list.length === 0) {
    box.replaceChildren(heading, el('p', { className: 'muted', textContent: t('planner.no_scenarios') }));
    return;
  }
  const known = new Set(list.map((s) => s.id));
  for (const id of state.compare) if (!known.has(id)) state.compare.delete(id);
  const compareOut = el('div', { id: 'scenario-compare-box' });
  // Two quick ticks start two requests; only the latest may paint, or a
  // slower earlier answer would show a comparison the boxes no longer ask for.
  let asked = 0;
  const showCompare = async () => {
    const mine = ++asked;
    try {
      const ids = list.map((s) => s.id).filter((id) => state.compare.has(id)).reverse();
      const compared = ids.length ? compareTable(await api.compareShiftScenarios(ids)) : '';
      if (mine === asked) compareOut.replaceChildren(compared);
    } catch (err) {
      showError(err);
    }
  };
  const rows = list.map((s) => {
    const pick = el('input', { type: 'checkbox', checked: state.compare.has(s.id) });
    pick.onchange = () => {
      if (pick.checked) state.compare.add(s.id); else state.compare.delete(s.id);
      showCompare();
    };
    const row = el('tr', {},
      el('td', {}, pick),
      el('td', { textContent: s.name, className: 'scenario-name' }),
      el('td', { textContent: `${s.from} – ${s.to}` }),
      num(s.shifts_added), num(s.added_capacity), num(s.unmet_demand),
      el('td', { textContent: s.applied_at ? t('planner.applied_at', { at: s.applied_at }) : t('planner.not_applied') }),
      applyCell(s, reload));
    row.dataset.id = s.id;
    return row;
  });
  const headers = ['compare', 'name', 'range', 'extra_shifts', 'added_capacity', 'unmet', 'status', 'actions'].map((k) => t(`planner.list.${k}`));
  box.replaceChildren(heading, el('p', { className: 'hint', textContent: t('planner.compare_hint') }), table('scenario-list', headers, rows), compareOut);
  await showCompare();
}

export async function renderPlanner(root) {
  const [from0, to0] = monthAfter(today());
  const r = state.request;
  const from = dateInput({ id: 'plan-from', required: true, value: r?.from ?? from0 });
  const to = dateInput({ id: 'plan-to', required: true, value: r?.to ?? to0 });
  const pool = el('input', { id: 'plan-staff-pool', type: 'number', min: 1, step: 1, placeholder: t('planner.no_limit'), value: r?.params.staff_pool ?? '' });
  const maxShifts = el('input', { id: 'plan-max-shifts', type: 'number', min: 1, max: 12, step: 1, required: true, value: r?.params.max_shifts_per_site_day ?? 4 });
  const hours = el('input', { id: 'plan-shift-hours', type: 'number', min: 0.5, max: 16, step: 0.5, required: true, value: r ? r.params.shift_minutes / 60 : 4 });
  const uptake = el('input', { id: 'plan-uptake', type: 'number', min: 0, max: 100, step: 1, required: true, value: r ? Math.round(r.demand.uptake * 100) : 80 });
  const timeLimit = el('input', { id: 'plan-time-limit', type: 'number', min: 0, max: 3600, step: 1, required: true, value: r?.params.time_limit_seconds ?? 5 });
  const submit = el('button', { type: 'submit', id: 'plan-submit', textContent: t('planner.plan') });
  const form = el('form', { className: 'form', id: 'plan-form' },
    field(t('planner.from'), from), field(t('planner.to'), to), field(t('planner.staff_pool'), pool),
    field(t('planner.max_shifts'), maxShifts), field(t('planner.shift_hours'), hours), field(t('planner.uptake'), uptake),
    field(t('planner.time_limit'), timeLimit), submit);
  const out = el('div', { id: 'plan-result' });
  const scenarios = el('section', { id: 'plan-scenarios' });
  form.onsubmit = async (event) => {
    event.preventDefault();
    hideError();
    const request = {
      from: from.value,
      to: to.value,
      params: {
        staff_pool: pool.value === '' ? null : Number(pool.value),
        max_shifts_per_site_day: Number(maxShifts.value),
        shift_minutes: Math.round(Number(hours.value) * 60),
        time_limit_seconds: Number(timeLimit.value),
      },
      demand: { uptake: Number(uptake.value) / 100 },
    };
    submit.disabled = true;
    out.replaceChildren(el('p', { className: 'muted', textContent: t('planner.planning') }));
    try {
      const { plan, svg } = await runJob(t('planner.planning'), (progress, started) => api.planShifts(request, lang(), progress, started));
      state.request = request;
      state.result = { plan, svg };
      out.replaceChildren(...result(plan, svg, request, () => renderScenarios(scenarios)));
    } catch (err) {
      out.replaceChildren();
      showError(err);
    } finally {
      submit.disabled = false;
    }
  };
  const intro = el('p', { className: 'hint', textContent: t('planner.intro') });
  root.replaceChildren(el('div', { className: 'toolbar' }, el('h1', { textContent: t('planner.title') })), intro, form, out, scenarios);
  if (state.result) out.replaceChildren(...result(state.result.plan, state.result.svg, state.request, () => renderScenarios(scenarios)));
  await renderScenarios(scenarios);
}
