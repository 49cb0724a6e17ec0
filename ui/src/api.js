// The one module that talks to the DoseDesk shell. Views call these
// functions; nothing else touches window.__TAURI__.
//
// Errors arrive as {code, message}: branch on `code`, show `message` as is.

const tauri = () => {
  if (!window.__TAURI__) throw { code: 'no_shell', message: 'DoseDesk must run inside its desktop app.' };
  return window.__TAURI__;
};

function asError(e) {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e;
  return { code: 'unexpected', message: String(e) };
}

async function call(command, args = {}) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (e) {
    throw asError(e);
  }
}

function progressChannel(onProgress) {
  const channel = new (tauri().core.Channel)();
  channel.onmessage = (p) => onProgress?.(p.total > 0 ? p.done / p.total : 0);
  return channel;
}

export const appInfo = () => call('app_info');
export const siteList = () => call('site_list');
export const weekSchedule = (query) => call('week_schedule', { query });
export const cancelJob = () => call('cancel_job');
/** Tells the shell a view has painted (start-up and view timings for `make bench`). */
export const viewPainted = (view, renderMs) => call('view_painted', { view, renderMs }).catch(() => {});
export const runChecks = (query = {}) => call('run_checks', { query });
export const bookFirstDose = (request) => call('book_first_dose', { request });
export const personBookings = (personId) => call('person_bookings', { personId });
export const siteDayBookings = (site, date) => call('site_day_bookings', { site, date });
/** linked: null (ask), 'cancel' or 'keep' — what happens to the person's second dose. */
export const cancelAppointment = (id, linked = null) => call('cancel_appointment', { id, linked });
export const rebookPlan = (query = {}) => call('rebook_plan', { query });
export const rebookRecord = (outcome) => call('rebook_record', { call: outcome });
export const rebookExport = (path) => call('rebook_export', { path });

/** Native save dialog for a CSV file; resolves to its path or null. */
export async function pickSavePath(title, defaultPath) {
  const path = await tauri().dialog.save({ title, defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] });
  return typeof path === 'string' ? path : null;
}

export const loadDemo = (onProgress) =>
  call('load_demo', { onProgress: progressChannel(onProgress) });

export const importFile = (kind, path, onProgress) =>
  call('import_file', { kind, path, onProgress: progressChannel(onProgress) });

/** Native open dialog for one CSV file; resolves to its path or null. */
export async function pickCsvFile(title) {
  const path = await tauri().dialog.open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'CSV', extensions: ['csv', 'CSV', 'txt'] }],
  });
  return typeof path === 'string' ? path : null;
}

// Distribution points (siting). lang ('en' or 'fr') is the map's wording.
export const siteCandidates = () => call('site_candidates');
export const planSites = (options, lang) => call('plan_sites', { options, lang });
export const exportSiteMap = (options, path, lang) => call('export_site_map', { options, path, lang });
export const saveSiteScenario = (name, options) => call('save_site_scenario', { name, options });
export const siteScenarios = () => call('site_scenarios');
export const compareSiteScenarios = (ids) => call('compare_site_scenarios', { ids });
export const openSiteScenario = (id, lang) => call('open_site_scenario', { id, lang });

/** Native save dialog for an image, PNG or SVG; resolves to its path or null. */
export async function pickImageSavePath(title, defaultPath) {
  const path = await tauri().dialog.save({
    title,
    defaultPath,
    filters: [{ name: 'PNG', extensions: ['png'] }, { name: 'SVG', extensions: ['svg'] }],
  });
  return typeof path === 'string' ? path : null;
}
