// The one module that talks to the DoseDesk shell. Views call these
// functions; nothing else touches window.__TAURI__.
//
// Errors arrive as {code, message, detail_lang}: branch on `code`; show
// them with showError, which words them in the page's language.

const tauri = () => {
  if (!window.__TAURI__) throw { code: 'no_shell', message: 'DoseDesk must run inside its desktop app.' };
  return window.__TAURI__;
};

// The shell's messages are core's, in English: `detail_lang` says so, for
// the error bar to word them on a French page (error_text.js).
function asError(e) {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return { ...e, detail_lang: 'en' };
  return { code: 'unexpected', message: String(e), detail_lang: 'en' };
}

async function call(command, args = {}) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (e) {
    throw asError(e);
  }
}

/** Fired on `window` after a call that changed bookings or shifts, so what
 * counts them (the banner, the menu's counts) can count again. */
export const DATA_CHANGED = 'dosedesk:data-changed';

/** A call that writes bookings or shifts; tells the window once it did. */
async function write(command, args) {
  const result = await call(command, args);
  window.dispatchEvent(new Event(DATA_CHANGED));
  return result;
}

/** onStarted(id) first, with the job's id for cancelJob; then onProgress(fraction)
 * as the job goes, and onProgress(null, stage) when it moves to another stage. */
function progressChannel(onProgress, onStarted) {
  const channel = new (tauri().core.Channel)();
  channel.onmessage = (p) => {
    if (p.job != null) onStarted?.(p.job);
    else if (p.stage) onProgress?.(null, p.stage);
    else onProgress?.(p.total > 0 ? p.done / p.total : 0);
  };
  return channel;
}

export const appInfo = () => call('app_info');
/** This machine's settings → {settings, path, problem, system_text_percent}. */
export const getSettings = () => call('get_settings');
/** settings: {language, time_zone, lock_after_minutes, page_size, text_size_percent, sync_server} → the settings kept. */
export const saveSettings = (settings) => call('save_settings', { settings });
export const unlockStore = (user, passphrase) => call('unlock_store', { user, passphrase });
/** A store not encrypted yet (none, or a plain file): made encrypted with `user` as its first manager, who is signed in → the rows copied ({tables, rows}) when a plain file was encrypted, else null. */
export const setUpStore = (user, passphrase) => call('set_up_store', { user, passphrase });
/** A demo store's public account {user, passphrase}, else null. */
export const demoAccount = () => call('demo_account');
export const lockStore = (reason) => call('lock_store', { reason });
/** Calls handler(reason) when the shell locked the store by itself (the laptop going to sleep). */
export const onStoreLocked = (handler) => tauri().event.listen('store-locked', (e) => handler(e.payload));
/** Calls handler() while the store is upgraded for this version (at sign-in; once per version) → a promise of the function that stops listening. */
export const onStoreUpgrading = (handler) => tauri().event.listen('store-upgrading', () => handler());
export const auditEntries = (limit) => call('audit_entries', { limit });
export const auditVerify = () => call('audit_verify');
/** Managers: [{name, role, sites, created_at, created_by, disabled_at}]. */
export const listUsers = () => call('list_users');
/** user: {name, role: 'manager'|'clinic'|'official', sites: [code] (clinic), passphrase}. */
export const addUser = (user) => call('add_user', { user });
export const disableUser = (name) => call('disable_user', { name });
/** A manager's new passphrase for someone who forgot theirs. */
export const resetPassphrase = (name, passphrase) => call('reset_passphrase', { name, passphrase });
/** The signed-in user's own passphrase. */
export const changePassphrase = (current, newPassphrase) => call('change_passphrase', { current, new: newPassphrase });
export const siteList = () => call('site_list');
/** [{code, name}]: the products the store knows (the unit may add some). */
export const productList = () => call('product_list');
export const weekSchedule = (query) => call('week_schedule', { query });
/** Cancels the job `id` (from a job's onStarted) and no other; resolves to false if it had already finished. */
export const cancelJob = (id) => call('cancel_job', { id });
/** Tells the shell a view has painted (start-up and view timings for `make bench`). */
export const viewPainted = (view, renderMs, failed) => call('view_painted', { view, renderMs, failed }).catch(() => {});
export const runChecks = (query = {}) => call('run_checks', { query });
export const slotChecks = (query) => call('slot_checks', { query });
/** shift: {site_code, date, start, end, vaccinators, capacity} → {shift_id, site_code, date, excess_bookings, excess_added}. */
export const shiftAdd = (shift) => write('shift_add', { shift });
/** change: {id, start, end, vaccinators, capacity}. */
export const shiftChange = (change) => write('shift_change', { change });
/** Refused with needs_confirmation (saying how many bookings it holds) unless confirmed. */
export const shiftCancel = (id, confirmed = false) => write('shift_cancel', { id, confirmed });
/** finding: duplicate_people, orphan_first_doses, second_dose_out_of_window or not_yet_eligible → {total, people: [{person_id, phone}]}. */
export const checkPeople = (query, finding) => call('check_people', { query, finding });
/** Site-days with bookings outside any shift, most first: [{site_code, date, excess_bookings}]. */
export const outsideShiftDays = (query) => call('outside_shift_days', { query });
export const bookFirstDose = (request) => write('book_first_dose', { request });
/** The free slots nearest a full one: [{site_code, slot, free, distance_km}]. */
export const nearestFreeSlots = (site, slot) => call('nearest_free_slots', { site, slot });
export const personBookings = (personId) => call('person_bookings', { personId });
export const findPeople = (text) => call('find_people', { text });
export const siteDayBookings = (site, date) => call('site_day_bookings', { site, date });
/** linked: null (ask), 'cancel' or 'keep' — what happens to the person's second dose. */
export const cancelAppointment = (id, linked = null) => write('cancel_appointment', { id, linked });
/** filter: {site, date, status, search, offset, limit}; matching is null on the unfiltered first page. */
export const rebookPage = (query = {}, filter = {}) => call('rebook_page', { query, filter });
/** Puts back a booking an accepted call moved; returns {site_code, slot} it is back at. */
export const rebookUndo = (appointmentId) => write('rebook_undo', { appointmentId });
/** {total, unplaced}: the excess bookings that can move and those no site has room for (the whole plan). */
export const rebookCounts = (query = {}, maxKm = null) => call('rebook_counts', { query, maxKm });
/** Free places to offer instead of the proposal: [{site_code, slot, free, distance_km}]; maxKm caps other sites' distance. */
export const rebookAlternatives = (appointmentId, maxKm = null) => call('rebook_alternatives', { appointmentId, maxKm });
export const rebookRecord = (outcome) => write('rebook_record', { call: outcome });
export const rebookExport = (file, query = {}, maxKm = null) => call('rebook_export', { file, query, maxKm });
/** shift: {site_code, name, lat, lon, date, start, end, vaccinators}; a new code opens a temporary-clinic site. */
export const addTemporaryShift = (shift) => write('add_temporary_shift', { shift });
export const doseFigures = () => call('dose_figures');
/** request: {kind: 'daily'|'cumulative'|'sites', from, to, site, lang} */
export const chartSvg = (request) => call('chart_svg', { request });
export const exportChart = (request, file) => call('export_chart', { request, file });
/** confirm: the person entered an implausible value again (error code needs_confirmation). */
export const recordTally = (tally, confirm = false) => call('record_tally', { tally, confirm });
export const withdrawTally = (tally) => call('withdraw_tally', { tally });
export const siteDayTallies = (site, date) => call('site_day_tallies', { site, date });
export const tallyShiftChoices = (site, date) => call('tally_shift_choices', { site, date });
export const reconcile = (from, to) => call('reconcile', { from, to });
/** series: 'regional' | 'provincial' */
export const confirmDay = (series, date, confirmed) => call('confirm_day', { series, date, confirmed });
export const provincialRevisions = () => call('provincial_revisions');
/** request: {date, lang}; file: a 'save_briefing' token (.pdf or .png) */
export const writeBriefing = (request, file) => call('write_briefing', { request, file });

/** Native file dialogs, opened by the shell. Resolves to {token, name, path}
 * or null when cancelled. Commands that read or write a file take the token
 * (good once, for its purpose), never a path: the shell uses only files the
 * person chose. purpose: 'import_csv' | 'open_bundle' | 'save_csv' |
 * 'save_chart' (png, svg) | 'save_briefing' (pdf, png) | 'save_bundle';
 * formats narrows a save to some of its purpose's types, the first the default. */
export const pickFile = (purpose, title, suggestedName = null, formats = null) =>
  call('pick_file', { purpose, title, suggestedName, formats: formats == null ? null : [].concat(formats) });

export const loadDemo = (onProgress, onStarted) =>
  call('load_demo', { onProgress: progressChannel(onProgress, onStarted) });

export const importFile = (kind, file, onProgress, onStarted) =>
  call('import_file', { kind, file, onProgress: progressChannel(onProgress, onStarted) });

// Shift planner. `lang` is the chart's language ('en' or 'fr'). Planning
// is a job (onProgress, onStarted as for imports): its solver can be cancelled,
// and then answers with the best plan it found.
export const planShifts = (request, lang, onProgress, onStarted) =>
  call('plan_shifts', { request, lang, onProgress: progressChannel(onProgress, onStarted) });
/** Plans again, as a job (see planShifts), then writes the chart. */
export const exportPlanChart = (request, file, lang, onProgress, onStarted) =>
  call('export_plan_chart', { request, file, lang, onProgress: progressChannel(onProgress, onStarted) });
/** Plans again, as a job (see planShifts), then saves. */
export const saveShiftScenario = (name, request, onProgress, onStarted) =>
  call('save_shift_scenario', { name, request, onProgress: progressChannel(onProgress, onStarted) });
export const listShiftScenarios = () => call('list_shift_scenarios');
export const compareShiftScenarios = (ids) => call('compare_shift_scenarios', { ids });
export const applyShiftScenario = (id) => call('apply_shift_scenario', { id });
export const undoShiftScenario = (id) => call('undo_shift_scenario', { id });

// Distribution points (siting). lang ('en' or 'fr') is the map's wording.
export const sitingCandidates = () => call('siting_candidates');
/** A job, like planShifts: cancelling it keeps the best choice found. */
export const planSiting = (options, lang, onProgress, onStarted) =>
  call('plan_siting', { options, lang, onProgress: progressChannel(onProgress, onStarted) });
/** Runs the options again, as a job (see planSiting), then writes the map. */
export const exportSitingMap = (options, file, lang, onProgress, onStarted) =>
  call('export_siting_map', { options, file, lang, onProgress: progressChannel(onProgress, onStarted) });
/** Runs the options again, as a job (see planSiting), then saves. */
export const saveSitingScenario = (name, options, onProgress, onStarted) =>
  call('save_siting_scenario', { name, options, onProgress: progressChannel(onProgress, onStarted) });
export const sitingScenarios = () => call('siting_scenarios');
export const compareSitingScenarios = (ids) => call('compare_siting_scenarios', { ids });
export const openSitingScenario = (id, lang) => call('open_siting_scenario', { id, lang });


// Sync with the unit's server.
/** {enrolled, server, device, role, last_sync, waiting, open_conflicts, bundles_waiting, running, last} */
export const syncStatus = () => call('sync_status');
/** Syncs now (push, then pull; after any sync already running); resolves to the outcome, or null when not enrolled. */
export const syncNow = () => call('sync_now');
export const syncEnrol = (server, token) => call('sync_enrol', { server, token });
export const syncConflicts = () => call('sync_conflicts');
/** keep: 'local' (the value the laptop that made the conflicting change sent) or 'server'. */
export const syncResolve = (id, keep) => call('sync_resolve', { id, keep });
export const syncExportBundle = (file) => call('sync_export_bundle', { file });
export const syncImportBundle = (file) => call('sync_import_bundle', { file });

