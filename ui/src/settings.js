// This machine's settings (language, time zone, idle lock, rows per page,
// text size, sync server): read from the shell once at start-up, replaced whole when
// saved. Views read them here; only the Settings view and the language menu
// change them.
import * as api from './api.js';

let current = { language: 'en', time_zone: null, lock_after_minutes: 10, page_size: 100, text_size_percent: null, sync_server: null };
// Where they are kept, and the computer's own text size (what "as this
// computer's" means), from the same start-up read.
let machine = { path: null, systemTextPercent: 100 };
// Saves run one after another, each on the settings the last one kept: a
// language change and a form saved at once cannot undo each other.
let saving = Promise.resolve();

/** The settings in force. */
export const settings = () => current;

/** {path, systemTextPercent}: where the settings live, the OS's text size. */
export const machineFacts = () => machine;

/** Loads the settings; resolves to {settings, path, problem} (`problem`:
 * why the file was not used, the defaults being in force). */
export async function loadSettings() {
  const shown = await api.getSettings();
  current = shown.settings;
  machine = { path: shown.path, systemTextPercent: shown.system_text_percent ?? 100 };
  return shown;
}

/** Saves the settings with `changes` applied; resolves to what was kept. */
export function saveSettings(changes) {
  const saved = saving.then(async () => {
    current = await api.saveSettings({ ...current, ...changes });
    return current;
  });
  saving = saved.catch(() => {});
  return saved;
}
