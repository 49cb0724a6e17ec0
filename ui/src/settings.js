// This machine's settings (language, time zone, idle lock, rows per page,
// text size, sync server): read from the shell once at start-up, replaced whole when
// saved. Views read them here; only the Settings view and the language menu
// change them.
import * as api from './api.js';

let current = { language: 'en', time_zone: null, lock_after_minutes: 10, page_size: 100, text_size_percent: null, sync_server: null };

/** The settings in force. */
export const settings = () => current;

/** Loads the settings; resolves to {settings, path, problem} (`problem`:
 * why the file was not used, the defaults being in force). */
export async function loadSettings() {
  const shown = await api.getSettings();
  current = shown.settings;
  return shown;
}

/** Saves the settings with `changes` applied; resolves to what was kept. */
export async function saveSettings(changes) {
  current = await api.saveSettings({ ...current, ...changes });
  return current;
}
