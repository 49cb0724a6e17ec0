// Distribution points: choose k new points among the candidate sites, see
// the coverage and distance figures, the map (drawn in core), the chosen
// points, hotspots still uncovered and every area's nearest point; export
// the map, save the run as a scenario and compare scenarios.
import * as api from '../api.js';
import { t, formatNumber, formatFixed, lang } from '../i18n.js';
import { runJob, showError, showNotice } from '../components/job.js';
import { qualityLine } from '../components/quality.js';
import { el } from '../components/dom.js';
import { sortableTable } from '../components/sortable.js';
import { renderScenarios } from './siting_scenarios.js';

const km = (d) => (d === null || d === undefined ? '–' : `${formatFixed(d, 2)} km`);
const pct = (x, total) => (total > 0 ? `${formatFixed(100 * x / total, 1)} %` : '–');

const quality = (r) => qualityLine('siting-quality', 'siting', r, { k: r.k });

export async function renderSiting(root) {
  let candidates;
  try {
    candidates = await api.sitingCandidates();
  } catch (err) {
    showError(err);
    return;
  }
  const form = siteForm(candidates);
  const result = el('div', { id: 'siting-result' });
  const scenarios = el('section', { id: 'siting-scenarios' });
  const state = { options: null };
  const show = (run, options) => {
    state.options = options;
    result.replaceChildren(...resultParts(run, state));
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const options = readOptions(form);
    const run = form.querySelector('#siting-run');
    run.disabled = true;
    result.replaceChildren(el('p', { className: 'muted', textContent: t('siting.running') }));
    try {
      show(await runJob(t('siting.running'), (progress, started) => api.planSiting(options, lang(), progress, started)), options);
    } catch (err) {
      result.replaceChildren();
      showError(err);
    } finally {
      run.disabled = false;
    }
  };
  const refreshScenarios = () => renderScenarios(scenarios, {
    open: async (id) => {
      try {
        show(await api.openSitingScenario(id, lang()), null);
      } catch (err) {
        showError(err);
      }
    },
  });
  state.saved = refreshScenarios;
  root.replaceChildren(
    el('div', { className: 'toolbar' }, el('h1', { textContent: t('siting.title') })),
    el('p', { className: 'muted', textContent: t('siting.intro', { n: candidates.length }) }),
    form, result, scenarios);
  await refreshScenarios();
}

function field(label, input) {
  return el('label', {}, el('span', { textContent: label }), input);
}

function siteForm(candidates) {
  const choices = (id) => {
    const select = el('select', { id, multiple: true, size: Math.min(6, Math.max(3, candidates.length)) });
    for (const c of candidates) select.append(el('option', { value: c.code, textContent: `${c.code} — ${c.name}` }));
    return select;
  };
  const objective = el('select', { id: 'siting-objective' },
    el('option', { value: 'coverage', textContent: t('siting.objective_coverage') }),
    el('option', { value: 'distance', textContent: t('siting.objective_distance') }));
  return el('form', { className: 'form siting-form', id: 'siting-form' },
    field(t('siting.k'), el('input', { id: 'siting-k', type: 'number', min: 1, max: Math.max(1, candidates.length), value: Math.min(3, Math.max(1, candidates.length)), required: true })),
    field(t('siting.radius'), el('input', { id: 'siting-radius', type: 'number', min: 0.1, step: 0.1, value: 3, required: true })),
    field(t('siting.objective'), objective),
    field(t('siting.capacity_days'), el('input', { id: 'siting-capacity', type: 'number', min: 1, step: 1, placeholder: t('siting.capacity_none') })),
    field(t('siting.lock'), choices('siting-lock')),
    field(t('siting.exclude'), choices('siting-exclude')),
    field(t('siting.time_limit'), el('input', { id: 'siting-time-limit', type: 'number', min: 0, max: 3600, step: 1, value: 5, required: true })),
    el('button', { type: 'submit', id: 'siting-run', textContent: t('siting.run') }));
}

function readOptions(form) {
  const value = (id) => form.querySelector(`#${id}`).value;
  const picked = (id) => [...form.querySelector(`#${id}`).selectedOptions].map((o) => o.value);
  const capacity = value('siting-capacity').trim();
  return {
    k: Number.parseInt(value('siting-k'), 10),
    radius_km: Number.parseFloat(value('siting-radius')),
    objective: value('siting-objective'),
    lock: picked('siting-lock'),
    exclude: picked('siting-exclude'),
    capacity_days: capacity === '' ? null : Number.parseFloat(capacity),
    time_limit_seconds: Number.parseFloat(value('siting-time-limit')),
  };
}

function figure(id, value, label) {
  const card = el('div', { className: 'figure', id },
    el('div', { className: 'figure-value', textContent: value }),
    el('div', { className: 'figure-label', textContent: label }));
  return card;
}

function resultParts(run, state) {
  const r = run.report;
  const figures = el('div', { className: 'figures', id: 'siting-figures' },
    figure('siting-covered-before', formatNumber(Math.round(r.covered_before)), t('siting.covered_before', { pct: pct(r.covered_before, r.weighted_total) })),
    figure('siting-covered-after', formatNumber(Math.round(r.covered_after)), t('siting.covered_after', { pct: pct(r.covered_after, r.weighted_total) })),
    figure('siting-distance-before', km(r.mean_distance_km_before), t('siting.distance_before')),
    figure('siting-distance-after', km(r.mean_distance_km_after), t('siting.distance_after')));
  return [
    figures,
    quality(r),
    actions(state),
    mapFigure(run.svg, r),
    el('h2', { textContent: t('siting.chosen') }), chosenTable(r),
    el('h2', { textContent: t('siting.hotspots') }), hotspotList(r),
    el('h2', { textContent: t('siting.areas') }),
    el('div', { className: 'table-scroll' }, areaTable(r)),
  ];
}

/** The SVG comes from core; parsed as SVG, never set as HTML. */
function mapFigure(svg, report) {
  const holder = el('div', { className: 'site-map', id: 'siting-map' });
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  if (doc.querySelector('parsererror')) {
    holder.append(el('p', { className: 'muted', textContent: t('siting.map_failed') }));
  } else {
    const node = document.importNode(doc.documentElement, true);
    node.setAttribute('role', 'img');
    node.setAttribute('aria-label', t('siting.map_label', { k: report.k, radius: report.radius_km }));
    holder.append(node);
  }
  holder.dataset.areas = report.areas.length;
  return holder;
}

function actions(state) {
  const exportButton = el('button', { className: 'secondary', id: 'siting-export', type: 'button', textContent: t('siting.export') });
  exportButton.disabled = !state.options;
  exportButton.title = state.options ? '' : t('siting.export_saved');
  exportButton.onclick = async () => {
    try {
      const picked = await api.pickFile('save_chart', t('siting.export'), 'distribution-points.png', ['png', 'svg']);
      if (!picked) return;
      await runJob(t('siting.running'), (progress, started) => api.exportSitingMap(state.options, picked.token, lang(), progress, started));
      showNotice(t('siting.exported', { path: picked.path }));
    } catch (err) {
      showError(err);
    }
  };
  const name = el('input', { id: 'siting-scenario-name', placeholder: t('siting.scenario_name') });
  const save = el('button', { id: 'siting-save', type: 'button', textContent: t('siting.save') });
  save.disabled = !state.options;
  save.onclick = async () => {
    if (!name.value.trim()) {
      name.focus();
      return;
    }
    try {
      const saved = await runJob(t('siting.running'), (progress, started) => api.saveSitingScenario(name.value, state.options, progress, started));
      showNotice(t('siting.saved', { name: saved.name }));
      name.value = '';
      await state.saved();
    } catch (err) {
      showError(err);
    }
  };
  return el('div', { className: 'inline-form' }, exportButton, name, save);
}

function gainText(objective, gain) {
  if (gain === null || gain === undefined) return t('siting.first_point');
  return objective === 'coverage'
    ? t('siting.gain_people', { n: formatNumber(Math.round(gain)) })
    : t('siting.gain_km', { km: formatFixed(gain, 2) });
}

function chosenTable(r) {
  const names = new Map(r.points.map((p) => [p.site_code, p]));
  const body = el('tbody');
  r.chosen.forEach((c, i) => {
    const row = el('tr', {},
      el('td', { className: 'num', textContent: String(i + 1) }),
      el('td', { textContent: c.site_code }),
      el('td', { textContent: c.name }),
      el('td', { textContent: t(`siting.kind_${names.get(c.site_code)?.kind ?? 'other'}`) }),
      el('td', { className: 'num', textContent: gainText(r.objective, c.gain) }),
      el('td', { textContent: c.locked ? t('siting.locked') : '' }));
    row.dataset.site = c.site_code;
    body.append(row);
  });
  const head = el('thead', {}, el('tr', {}, ...['#', t('siting.code'), t('siting.name'), t('siting.kind'), t('siting.gain'), ''].map((h) => el('th', { textContent: h }))));
  return el('table', { className: 'data', id: 'siting-chosen' }, head, body);
}

function hotspotList(r) {
  if (r.uncovered_hotspots.length === 0) return el('p', { className: 'muted', id: 'siting-hotspots', textContent: t('siting.hotspots_none') });
  return sortableTable('siting-hotspots', [
    { label: t('siting.area'), value: (h) => h.area_id },
    { label: t('siting.name'), value: (h) => h.name ?? '' },
    { label: t('siting.eligible'), value: (h) => h.eligible, format: (v) => formatNumber(Math.round(v)), num: true },
    { label: t('siting.weight'), value: (h) => h.weight, num: true },
    { label: t('siting.covered_share'), value: (h) => h.covered_share, format: (v) => `${Math.round(100 * v)} %`, num: true },
    { label: t('siting.distance'), value: (h) => h.distance_km, format: km, num: true },
  ], r.uncovered_hotspots, (h) => h.area_id);
}

function areaTable(r) {
  return sortableTable('siting-areas', [
    { label: t('siting.area'), value: (a) => a.area_id },
    { label: t('siting.name'), value: (a) => a.name ?? '' },
    { label: t('siting.population'), value: (a) => a.population, format: formatNumber, num: true },
    { label: t('siting.weight'), value: (a) => a.weight, num: true },
    { label: t('siting.nearest'), value: (a) => a.nearest_site_code ?? '' },
    { label: t('siting.distance'), value: (a) => a.distance_km, format: km, num: true },
    { label: t('siting.covered'), value: (a) => (a.covered ? 1 : 0), format: (v) => (v ? t('siting.yes') : t('siting.no')) },
  ], r.areas, (a) => a.area_id);
}
