// Sync: this laptop's place in the unit (enrol with the server's address
// and a one-time token), syncing now, bundles for sites with no network,
// and the conflicts a manager chooses between.
import * as api from '../api.js';
import { t, formatNumber, formatSlot, lang } from '../i18n.js';
import { showError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { describe, whenText } from '../components/sync_status.js';
import { settings } from '../settings.js';

let listening = null;

export async function renderSync(root) {
  // Re-render when a background sync finishes, while this view is shown.
  if (listening) window.removeEventListener('dosedesk:synced', listening);
  listening = () => {
    if (root.isConnected) renderSync(root);
    else window.removeEventListener('dosedesk:synced', listening);
  };
  window.addEventListener('dosedesk:synced', listening);
  let status;
  try {
    status = await api.syncStatus();
  } catch (err) {
    showError(err);
    return;
  }
  const again = () => {
    window.dispatchEvent(new Event('dosedesk:sync-acted'));
    return renderSync(root);
  };
  const parts = [el('h2', { textContent: t('sync.title') })];
  try {
    if (!status.enrolled) {
      parts.push(enrolForm(again));
    } else {
      parts.push(laptopPanel(status, again));
      parts.push(await conflictsPanel(status, again));
    }
  } catch (err) {
    showError(err);
  }
  root.replaceChildren(...parts);
}

function enrolForm(again) {
  // The address from this machine's settings, when IT put one there.
  const server = el('input', { id: 'sync-server', type: 'url', placeholder: 'https://sync.example.ca:8443', required: true, value: settings().sync_server ?? '' });
  const token = el('input', { id: 'sync-token', type: 'text', autocomplete: 'off', spellcheck: false, required: true });
  const submit = el('button', { id: 'sync-enrol', type: 'submit', textContent: t('sync.enrol') });
  const form = el(
    'form',
    { className: 'card sync-enrol' },
    el('p', { textContent: t('sync.enrol_intro') }),
    el('label', {}, el('span', { textContent: t('sync.server') }), server),
    el('label', {}, el('span', { textContent: t('sync.token') }), token),
    el('p', { className: 'hint', textContent: t('sync.token_hint') }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const s = await api.syncEnrol(server.value.trim(), token.value.trim());
      showNotice(t('sync.enrolled', { device: s.device, role: t(`sync.role_${s.role}`) }));
      await api.syncNow();
      window.dispatchEvent(new Event('dosedesk:data-changed'));
      await again();
    } catch (err) {
      showError(err);
      submit.disabled = false;
    }
  });
  return form;
}

function laptopPanel(status, again) {
  const d = describe(status);
  const facts = [
    [t('sync.device'), `${status.device} · ${t(`sync.role_${status.role}`)}`],
    [t('sync.server'), status.server],
    [t('sync.last'), whenText(status.last_sync)],
    [t('sync.waiting'), formatNumber(status.waiting)],
  ];
  if (status.bundles_waiting > 0) facts.push([t('sync.bundles_waiting'), formatNumber(status.bundles_waiting)]);
  const list = el('dl', { className: 'facts' });
  for (const [k, v] of facts) list.append(el('dt', { textContent: k }), el('dd', { textContent: v }));
  const state = el('p', { id: 'sync-state', className: `sync-state ${d.state}`, textContent: d.text });
  if (status.last?.message) state.append(el('br'), el('span', { className: 'small', textContent: status.last.message }));
  const now = el('button', { id: 'sync-now', type: 'button', textContent: t('sync.now') });
  now.addEventListener('click', async () => {
    now.disabled = true;
    try {
      const done = await api.syncNow();
      if (done?.outcome === 'ok') {
        const r = done.report;
        showNotice(t('sync.done', { pushed: formatNumber(r.pushed), pulled: formatNumber(r.pulled) }));
        window.dispatchEvent(new Event('dosedesk:data-changed'));
      }
    } catch (err) {
      showError(err);
    }
    await again();
  });
  const exportButton = el('button', { className: 'secondary', type: 'button', textContent: t('sync.export') });
  exportButton.addEventListener('click', async () => {
    try {
      const picked = await api.pickFile('save_bundle', t('sync.export'), `${status.device}.bundle`);
      if (!picked) return;
      const done = await api.syncExportBundle(picked.token);
      showNotice(t('sync.exported', { rows: formatNumber(done.rows), path: picked.path }));
    } catch (err) {
      showError(err);
    }
  });
  const importButton = el('button', { className: 'secondary', type: 'button', textContent: t('sync.import') });
  importButton.addEventListener('click', async () => {
    try {
      const picked = await api.pickFile('open_bundle', t('sync.import'));
      if (!picked) return;
      const done = await api.syncImportBundle(picked.token);
      showNotice(t('sync.imported', { batches: done.batches, device: done.device, already: done.already_here }));
      await again();
    } catch (err) {
      showError(err);
    }
  });
  return el(
    'section',
    { className: 'card' },
    el('h3', { textContent: t('sync.this_laptop') }),
    state,
    list,
    el('div', { className: 'actions' }, now, exportButton, importButton),
    el('p', { className: 'hint', textContent: t('sync.bundle_hint') }),
  );
}

/** The fields whose values differ, as "field: laptop → server" lines. */
function differences(local, server) {
  const a = local ? JSON.parse(local) : null;
  const b = server ? JSON.parse(server) : null;
  if (!a || !b) return [a ? t('sync.deleted_on_server') : t('sync.deleted_here')];
  // A tally's history is context, not the value in conflict.
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'updated_at' && k !== 'history');
  const shown = (v) => (v === null || v === undefined || v === '' ? '–' : String(v));
  const name = (k) => (t(`sync.field_${k}`) === `sync.field_${k}` ? k : t(`sync.field_${k}`));
  const colon = lang() === 'fr' ? '\u00a0: ' : ': ';
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${name(k)}${colon}${shown(a[k])} ${t('sync.versus')} ${shown(b[k])}`);
}

/** What the row is, for a person reading the list. */
function rowLabel(c) {
  const data = JSON.parse(c.server_data ?? c.local_data ?? '{}');
  const parts = [t(`sync.table_${c.table}`)];
  if (data.site) parts.push(data.site);
  if (data.date) parts.push(data.date);
  if (data.booking_id) parts.push(data.booking_id);
  return parts.join(' · ');
}

async function conflictsPanel(status, again) {
  const view = await api.syncConflicts();
  const list = view.conflicts;
  const section = el('section', { id: 'sync-conflicts', className: 'card' }, el('h3', { textContent: t('sync.conflicts') }));
  if (list.length === 0) {
    section.append(el('p', { className: 'muted', textContent: t('sync.conflicts_none') }));
    section.append(overbookedPanel(view.overbooked));
    return section;
  }
  section.append(el('p', { className: 'hint', textContent: t('sync.conflicts_intro') }));
  const manager = status.role === 'manager';
  if (!manager) section.append(el('p', { className: 'muted', textContent: t('sync.conflicts_manager_only') }));
  const body = el('tbody');
  for (const c of list) {
    const actions = el('td', { className: 'actions' });
    if (manager) {
      for (const keep of ['local', 'server']) {
        const b = el('button', { className: keep === 'server' ? 'secondary small' : 'small', type: 'button', textContent: t(`sync.keep_${keep}`) });
        b.dataset.keep = keep;
        b.addEventListener('click', async () => {
          try {
            await api.syncResolve(c.id, keep);
            await api.syncNow();
            showNotice(t('sync.resolved'));
          } catch (err) {
            showError(err);
          }
          await again();
        });
        actions.append(b);
      }
    }
    const diff = el('td', {});
    for (const line of differences(c.local_data, c.server_data)) diff.append(el('div', { textContent: line }));
    body.append(el('tr', {},
      el('td', { textContent: t(`sync.kind_${c.kind}`) }),
      el('td', { textContent: rowLabel(c) }),
      diff,
      actions));
  }
  section.append(el('div', { className: 'table-scroll' }, el('table', {},
    el('thead', {}, el('tr', {},
      el('th', { textContent: t('sync.col_kind') }),
      el('th', { textContent: t('sync.col_row') }),
      el('th', { textContent: t('sync.col_values') }),
      el('th', { textContent: '' }))),
    body)));
  section.append(overbookedPanel(view.overbooked));
  return section;
}

/** Slots that ended with more bookings than places: bookings made offline
 * on several laptops meet at the server, and none is dropped. */
function overbookedPanel(over) {
  const part = el('div', { id: 'sync-overbooked' }, el('h4', { textContent: t('sync.overbooked') }));
  if (over.total === 0) {
    part.append(el('p', { className: 'muted', textContent: t('sync.overbooked_none') }));
    return part;
  }
  part.append(el('p', { className: 'hint', textContent: t(over.total === 1 ? 'sync.overbooked_intro_one' : 'sync.overbooked_intro', { n: formatNumber(over.total) }) }));
  const body = el('tbody');
  for (const s of over.slots) {
    body.append(el('tr', {},
      el('td', { textContent: s.site_code }),
      el('td', { textContent: formatSlot(s.slot) }),
      el('td', { className: 'num', textContent: formatNumber(s.booked) }),
      el('td', { className: 'num', textContent: formatNumber(s.places) })));
  }
  part.append(el('div', { className: 'table-scroll' }, el('table', { className: 'data' },
    el('thead', {}, el('tr', {},
      el('th', { textContent: t('sync.col_site') }),
      el('th', { textContent: t('sync.col_slot') }),
      el('th', { className: 'num', textContent: t('sync.col_booked') }),
      el('th', { className: 'num', textContent: t('sync.col_places') }))),
    body)));
  if (over.total > over.slots.length) {
    part.append(el('p', { className: 'muted', textContent: t('sync.overbooked_more', { n: formatNumber(over.total - over.slots.length) }) }));
  }
  return part;
}
