// The top bar's sync state: not connected, syncing, synced (when, and what
// waits), offline, or failing with its reason. Polled, as the background
// sync runs in the shell on its own schedule.
import * as api from '../api.js';
import { t, formatNumber, lang } from '../i18n.js';
import { today, localDay } from '../dates.js';

/** A sync time as the user reads it: the time today, else date and time. */
export function whenText(iso) {
  if (!iso) return t('sync.never');
  const at = new Date(iso);
  // The app's "today" (dates.js), never the computer's clock.
  const sameDay = localDay(iso) === today();
  const locale = lang() === 'fr' ? 'fr-CA' : 'en-CA';
  return sameDay
    ? at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** {state, text, title} for a status from api.syncStatus(). */
export function describe(status) {
  if (!status.enrolled) return { state: 'off', text: t('sync.pill_off'), title: t('sync.pill_off_title') };
  const waiting = status.waiting === 1 ? t('sync.pill_waiting_one')
    : status.waiting > 1 ? t('sync.pill_waiting', { n: formatNumber(status.waiting) }) : '';
  const conflicts = status.open_conflicts === 1 ? t('sync.pill_conflict_one')
    : status.open_conflicts > 1 ? t('sync.pill_conflicts', { n: status.open_conflicts }) : '';
  if (status.running) return { state: 'running', text: t('sync.pill_running'), title: status.server };
  const last = status.last;
  if (last?.outcome === 'offline') {
    return { state: 'offline', text: `${t('sync.pill_offline')}${waiting}`, title: last.message ?? '' };
  }
  if (last?.outcome === 'failed') {
    return { state: 'failed', text: `${t('sync.pill_failed')}${waiting}`, title: last.message ?? '' };
  }
  const state = status.open_conflicts > 0 ? 'conflicts' : 'ok';
  return {
    state,
    text: `${t('sync.pill_synced', { when: whenText(status.last_sync) })}${waiting}${conflicts}`,
    title: status.server,
  };
}

let timer = null;

/** Keeps `button` showing the sync state; clicking it calls `open`. */
export function startSyncStatus(button, open) {
  button.addEventListener('click', open);
  let seen = null;
  const update = async () => {
    try {
      const status = await api.syncStatus();
      // A sync finished (here or in the background): views showing synced
      // data (the Sync view) refresh.
      const mark = `${status.last?.at}|${status.open_conflicts}|${status.enrolled}`;
      if (seen !== null && mark !== seen) window.dispatchEvent(new Event('dosedesk:synced'));
      seen = mark;
      const d = describe(status);
      button.hidden = false;
      button.dataset.state = d.state;
      button.textContent = d.text;
      button.title = d.title;
    } catch (err) {
      // A store before sign-in (or before its first manager is named):
      // nothing to say about its sync.
      button.hidden = ['store_locked', 'store_missing', 'store_unencrypted'].includes(err?.code);
      // The store itself is unreadable: the error bar says why already.
      button.dataset.state = 'failed';
      button.textContent = t('sync.pill_failed');
    }
  };
  clearInterval(timer);
  timer = setInterval(update, 3000);
  // After the user synced, enrolled or resolved: at once, not at the next tick.
  window.addEventListener('dosedesk:sync-acted', update);
  return update();
}
