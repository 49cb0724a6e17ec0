// Saved distribution-point scenarios: the list, reopening one, and two or
// more side by side.
import * as api from '../api.js';
import { t, formatNumber, formatFixed } from '../i18n.js';
import { showError } from '../components/job.js';
import { el } from '../components/dom.js';

const km = (d) => (d === null || d === undefined ? '–' : `${formatFixed(d, 2)} km`);
const people = (x, total) => `${formatNumber(Math.round(x))}${total > 0 ? ` (${formatFixed(100 * x / total, 1)} %)` : ''}`;

/** What the side-by-side table shows, one row per figure. */
const ROWS = [
  ['siting.k', (s) => String(s.k)],
  ['siting.radius', (s) => `${s.radius_km} km`],
  ['siting.objective', (s) => t(`siting.objective_${s.objective}`)],
  ['siting.capacity_days', (s) => (s.capacity_days === null ? t('siting.capacity_none') : String(s.capacity_days))],
  ['siting.covered_before_short', (s) => people(s.covered_before, s.weighted_total)],
  ['siting.covered_after_short', (s) => people(s.covered_after, s.weighted_total)],
  ['siting.distance_after', (s) => km(s.mean_distance_km_after)],
  ['siting.chosen_codes', (s) => s.chosen.join(', ')],
];

export async function renderScenarios(root, { open }) {
  let list;
  try {
    list = await api.sitingScenarios();
  } catch (err) {
    showError(err);
    return;
  }
  const heading = el('h2', { textContent: t('siting.scenarios') });
  if (list.length === 0) {
    root.replaceChildren(heading, el('p', { className: 'muted', textContent: t('siting.scenarios_none') }));
    return;
  }
  const compared = el('div', { id: 'siting-compare', className: 'table-scroll' });
  const body = el('tbody');
  for (const s of list) {
    const pick = el('input', { type: 'checkbox', value: String(s.id) });
    const reopen = el('button', { className: 'secondary small', type: 'button', textContent: t('siting.open') });
    reopen.onclick = () => open(s.id);
    const row = el('tr', {},
      el('td', {}, pick),
      el('td', { textContent: s.name }),
      el('td', { className: 'num', textContent: String(s.k) }),
      el('td', { className: 'num', textContent: `${s.radius_km} km` }),
      el('td', { textContent: t(`siting.objective_${s.objective}`) }),
      el('td', { className: 'num', textContent: `${formatNumber(Math.round(s.covered_before))} → ${formatNumber(Math.round(s.covered_after))}` }),
      el('td', { className: 'num', textContent: km(s.mean_distance_km_after) }),
      el('td', { textContent: s.chosen.join(', ') }),
      el('td', {}, reopen));
    row.dataset.id = s.id;
    body.append(row);
  }
  const head = el('thead', {}, el('tr', {}, ...['', t('siting.scenario_name'), t('siting.k'), t('siting.radius'), t('siting.objective'),
    t('siting.covered_change'), t('siting.distance_after'), t('siting.chosen_codes'), ''].map((h) => el('th', { textContent: h }))));
  const compare = el('button', { className: 'secondary', id: 'siting-compare-button', type: 'button', textContent: t('siting.compare') });
  compare.onclick = async () => {
    const ids = [...body.querySelectorAll('input:checked')].map((c) => Number(c.value));
    if (ids.length === 0) {
      compared.replaceChildren(el('p', { className: 'muted', textContent: t('siting.compare_pick') }));
      return;
    }
    try {
      compared.replaceChildren(sideBySide(await api.compareSitingScenarios(ids)));
    } catch (err) {
      showError(err);
    }
  };
  root.replaceChildren(heading,
    el('div', { className: 'table-scroll' }, el('table', { className: 'data', id: 'siting-scenario-list' }, head, body)),
    el('div', { className: 'inline-form' }, compare), compared);
}

function sideBySide(scenarios) {
  const head = el('thead', {}, el('tr', {}, el('th'), ...scenarios.map((s) => el('th', { textContent: s.name }))));
  const body = el('tbody', {}, ...ROWS.map(([key, value]) => el('tr', {},
    el('th', { textContent: t(key) }), ...scenarios.map((s) => el('td', { textContent: value(s) })))));
  return el('table', { className: 'data compare' }, head, body);
}
