// Starts the app: shows which database is open, then the schedule, or the
// empty-database choices.
import * as api from './api.js';
import { t, translatePage, formatNumber, lang, setLang } from './i18n.js';
import { runJob, showError, hideError, showNotice, hideNotice } from './components/job.js';
import { renderSchedule, focusSchedule } from './views/schedule.js';
import { renderEmpty } from './views/empty.js';
import { renderSignIn, renderSetUp } from './views/signin.js';
import { setToday } from './dates.js';
import { startSyncStatus } from './components/sync_status.js';
import { showAhead } from './components/ahead.js';
import { loadSettings, saveSettings } from './settings.js';

// Views other than the schedule load when first opened: a quicker start
// and less memory for a window that may only ever show the schedule.
const views = {
  dashboard: () => import('./views/dashboard.js'),
  tallies: () => import('./views/tallies.js'),
  bookings: () => import('./views/bookings.js'),
  siting: () => import('./views/siting.js'),
  rebook: () => import('./views/rebook.js'),
  planner: () => import('./views/planner.js'),
  book: () => import('./views/book.js'),
  checks: () => import('./views/checks.js'),
  sync: () => import('./views/sync.js'),
  audit: () => import('./views/audit.js'),
  users: () => import('./views/users.js'),
  settings: () => import('./views/settings.js'),
};

/** The other views' modules, fetched while the user reads the schedule,
 * so that opening one does not wait for it; and the charts' font (760 KB,
 * decoded when first drawn with), for the dashboard's. */
function prefetch() {
  return Promise.all([
    ...Object.values(views).map((load) => load()),
    document.fonts.load('12px "DejaVu Sans"'),
    warmTypeFaces(),
  ]).catch(() => {}); // a view that failed to load says so when opened
}

/** The sizes and weights the views' text comes in (app.css, and the
 * browser's own for headings). WebKit looks each new one up in fontconfig
 * at its first layout, about 8 ms each here: that was most of the
 * dashboard's first open, paid for its title, figures and bold labels. */
const TYPE_SIZES = [12, 13, 14, 16, 18, 21, 26, 28];
const TYPE_WEIGHTS = [400, 600, 700];

/** Lays out a line at each size and weight once, off screen, one per task
 * so that a click is never kept waiting behind them. */
function warmTypeFaces() {
  const line = (size, weight, style = 'normal') => new Promise((done) => setTimeout(() => {
    const probe = document.createElement('div');
    probe.style.cssText = `position: absolute; left: -10000px; top: 0; font-size: ${size}px; font-weight: ${weight}; font-style: ${style}`;
    probe.textContent = 'Doses 0123456789 — janv. févr. Été';
    document.body.append(probe);
    void probe.offsetWidth;
    probe.remove();
    done();
  }, 0));
  const lines = TYPE_SIZES.flatMap((size) => TYPE_WEIGHTS.map((weight) => [size, weight]));
  return lines.reduce((before, [size, weight]) => before.then(() => line(size, weight)), line(14, 400, 'italic'));
}

const $ = (id) => document.getElementById(id);
const app = { info: null, view: 'schedule' };

/** Renders a view into `root`, then reports once the browser has painted
 * it, with the error it shows if any (a view that painted only an error
 * must not pass for a fast one), and marks the root painted (tests wait
 * for the mark). */
async function timed(name, root, render) {
  const started = performance.now();
  await render();
  await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
  root.dataset.painted = name;
  const failed = $('error').hidden ? null : $('error-message').textContent;
  await api.viewPainted(name, performance.now() - started, failed);
}

// `--tour-views` (the benchmark): every view one after the other, each
// reporting its time from opening to painted, then the schedule; twice, as
// a first open pays once for loading the view's module and styles (at once,
// or after the prefetch with `--tour-views=prefetched`).
const TOUR = ['dashboard', 'tallies', 'bookings', 'book', 'checks', 'rebook', 'planner', 'siting', 'schedule'];

async function tourViews() {
  for (const name of [...TOUR, ...TOUR]) await showView(name);
}

function showView(name) {
  app.view = name;
  for (const button of document.querySelectorAll('#nav button')) {
    button.classList.toggle('active', button.dataset.view === name);
  }
  // A new laptop's store is empty until its first sync: Sync (and
  // Settings) open anyway.
  if (!app.info || (app.info.empty && name !== 'sync' && name !== 'settings')) return;
  // Each render gets its own container: a slow view that finishes after the
  // user has moved on writes into a detached node, not over the new view.
  const root = document.createElement('div');
  root.className = 'view-root';
  $('view').replaceChildren(root);
  const render = {
    dashboard: (m) => m.renderDashboard(root),
    tallies: (m) => m.renderTallies(root),
    bookings: (m) => m.renderBookings(root),
    siting: (m) => m.renderSiting(root),
    rebook: (m) => m.renderRebook(root),
    planner: (m) => m.renderPlanner(root),
    book: (m) => m.renderBook(root, {
      openBookings: async (focus) => {
        (await views.bookings()).focusBookings(focus);
        showView('bookings');
      },
    }),
    sync: (m) => m.renderSync(root),
    audit: (m) => m.renderAudit(root),
    users: (m) => m.renderUsers(root, { signedIn: app.info?.user }),
    settings: (m) => m.renderSettings(root, { onSaved: applySettings }),
    checks: (m) => m.renderChecks(root, {
      openSchedule: (focus) => {
        focusSchedule(focus);
        showView('schedule');
      },
      openBookings: async (focus) => {
        (await views.bookings()).focusBookings(focus);
        showView('bookings');
      },
      openDesk: () => showView('rebook'),
    }),
  }[name];
  if (render) {
    return timed(name, root, async () => render(await views[name]()));
  }
  return timed('schedule', root, () => renderSchedule(root, {
    openDesk: () => showView('rebook'),
    openBookings: async (focus) => {
      (await views.bookings()).focusBookings(focus);
      showView('bookings');
    },
  }));
}

// An encrypted store locks itself after `lock_after_seconds` with no
// keyboard or mouse input (and at once with the Lock button).
const idle = { timer: null, seconds: 0 };

function armIdleLock() {
  clearTimeout(idle.timer);
  if (!app.info?.encrypted || !idle.seconds) return;
  idle.timer = setTimeout(() => lockNow('idle'), idle.seconds * 1000);
}

async function lockNow(reason) {
  clearTimeout(idle.timer);
  try {
    await api.lockStore(reason);
  } catch (err) {
    showError(err);
    return;
  }
  app.info = null;
  await refresh();
}

function showSignedIn(info) {
  const who = info?.user;
  $('signed-in').hidden = !who;
  $('lock-button').hidden = !who;
  $('signed-in').textContent = who ? t('signin.as', { user: who.user, role: t(`role.${who.role}`) }) : '';
  // Users (and one's own passphrase) exist only in an encrypted store; the
  // audit log is a manager's (core refuses it to the others).
  $('nav-users').hidden = !who;
  $('nav-audit').hidden = Boolean(who) && who.role !== 'manager';
}

async function refresh() {
  try {
    app.info = await api.appInfo();
    setToday(app.info.today);
  } catch (err) {
    // Nothing of a store is shown before someone signs in, and no store is
    // used before it is encrypted: a new or plain one names its first manager.
    const door = { store_locked: 'signin', store_missing: 'missing', store_unencrypted: 'plain' }[err.code];
    if (door) {
      clearTimeout(idle.timer);
      showSignedIn(null);
      $('nav').hidden = true;
      $('import-button').hidden = true;
      hideError();
      if (door === 'signin') renderSignIn($('view'), { onSignedIn: refresh });
      else renderSetUp($('view'), { state: door, onSignedIn: refresh });
      return;
    }
    $('db-path').textContent = '';
    showError(err);
    $('view').replaceChildren();
    return;
  }
  $('import-button').hidden = false;
  showSignedIn(app.info);
  idle.seconds = app.info.lock_after_seconds;
  armIdleLock();
  const { db_path: path, demo } = app.info;
  // The file's name; its whole path on hover (a temporary folder's path
  // filled three lines of the top bar).
  $('db-path').textContent = path.split(/[\\/]/).pop();
  $('db-path').title = path;
  $('demo-badge').hidden = !demo;
  $('demo-badge').textContent = t('demo.badge');
  $('demo-badge').title = demo ?? '';
  document.body.classList.toggle('is-demo', Boolean(demo));
  $('view').dataset.demoNote = t('demo.note');
  $('nav').hidden = app.info.empty;
  $('ahead').hidden = true;
  if (app.info.empty) {
    renderEmpty($('view'), { onImport: openImportDialog, onDemo: loadDemo });
  } else {
    const shown = showView(app.view);
    if (app.info.tour_views === 'prefetched') {
      shown.then(prefetch).then(tourViews);
    } else if (app.info.tour_views) {
      shown.then(tourViews);
    } else {
      shown.then(() => setTimeout(prefetch, 1000));
      // The problems ahead, once the first view is drawn: the checks must
      // not keep it waiting for the store.
      shown.then(() => showAhead($('ahead'), async (range) => {
        (await views.checks()).focusChecks(range);
        showView('checks');
      }));
    }
  }
}

/** Puts saved settings in force: the language at once (the shell has set
 * the text size); "today" and the idle lock come back from the shell with
 * the app's state. */
async function applySettings(kept) {
  switchLanguage(kept.language);
  await refresh();
}

function switchLanguage(code) {
  setLang(code);
  $('lang-select').value = lang();
  hideNotice();
  translatePage();
  // The top bar's sync state in the new language now, not at its next poll.
  window.dispatchEvent(new Event('dosedesk:sync-acted'));
}

async function loadDemo() {
  try {
    const summary = await runJob(t('demo.running'), (progress, started) => api.loadDemo(progress, started));
    showNotice(t('demo.done', { appointments: formatNumber(summary.appointments), sites: summary.sites }));
    await refresh();
  } catch (err) {
    showError(err);
  }
}

function openImportDialog() {
  const dialog = $('import-dialog');
  dialog.returnValue = '';
  dialog.showModal();
}

/** Bookings the store holds that the imported file lacks: kept, named for
 *  review (the first ten; the command line's `import --json` lists all). */
function missingNote(missing) {
  if (!missing || !missing.length) return '';
  const named = missing.slice(0, 10).join(', ');
  const ids = missing.length > 10
    ? t('import.missingMore', { ids: named, more: formatNumber(missing.length - 10) })
    : named;
  const key = missing.length === 1 ? 'import.missing_one' : 'import.missing';
  return ` — ${t(key, { count: formatNumber(missing.length), ids })}`;
}

async function importChosenFile() {
  const kind = $('import-kind').value;
  let picked;
  try {
    picked = await api.pickFile('import_csv', t('import.title'));
  } catch (err) {
    showError(err);
    return;
  }
  if (!picked) return;
  const file = picked.name;
  try {
    const report = await runJob(t('import.running', { file }), (progress, started) => api.importFile(kind, picked.token, progress, started));
    showNotice(t('import.done', {
      file: report.file,
      rows: formatNumber(report.rows),
      inserted: formatNumber(report.inserted),
      updated: formatNumber(report.updated),
      unchanged: formatNumber(report.unchanged),
    }) + (report.warnings.length ? ` — ${report.warnings.join('; ')}` : '') + missingNote(report.missing));
    await refresh();
  } catch (err) {
    showError(err);
  }
}

window.addEventListener('DOMContentLoaded', async () => {
  // This machine's settings first: the language every word is drawn in.
  let problem = null;
  try {
    const shown = await loadSettings();
    problem = shown.problem;
    setLang(shown.settings.language);
  } catch (err) {
    problem = err.message;
  }
  translatePage();
  $('import-button').addEventListener('click', openImportDialog);
  $('lock-button').addEventListener('click', () => lockNow('asked'));
  // Locked by the shell (the laptop going to sleep): show the sign-in screen.
  api.onStoreLocked(() => {
    clearTimeout(idle.timer);
    app.info = null;
    refresh();
  }).catch(showError);
  for (const type of ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart']) {
    window.addEventListener(type, armIdleLock, { passive: true });
  }
  $('lang-select').value = lang();
  $('lang-select').addEventListener('change', () => {
    const chosen = $('lang-select').value;
    switchLanguage(chosen);
    refresh();
    // Kept for the next start; the language changes even if it cannot be.
    saveSettings({ language: chosen }).catch(showError);
  });
  for (const button of document.querySelectorAll('#nav button')) {
    button.addEventListener('click', () => showView(button.dataset.view));
  }
  $('import-dialog').addEventListener('close', () => {
    if ($('import-dialog').returnValue === 'choose') importChosenFile();
  });
  startSyncStatus($('sync-status'), () => showView('sync'));
  // A sync that brought data into an empty store: show it.
  window.addEventListener('dosedesk:data-changed', () => {
    if (app.info?.empty) refresh();
  });
  // Tests (and anything driving the window) wait for this before clicking.
  refresh().finally(() => {
    if (problem) showError({ code: 'invalid_settings', message: t('settings.problem', { problem }) });
    document.body.dataset.ready = 'true';
  });
});
