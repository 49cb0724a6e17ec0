// Settings: this computer's choices for whoever uses DoseDesk on it —
// language, the time zone that decides "today", the idle lock, rows per
// page, the text size, and the sync server a new enrolment starts from.
// Saved together; core checks each and names the one it refuses.
import { t, formatPercent } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { settings, saveSettings, machineFacts } from '../settings.js';

// The zones a Canadian health unit is in (the settings file takes any IANA
// zone; one named there is offered too).
const ZONES = ['America/St_Johns', 'America/Halifax', 'America/Moncton', 'America/Toronto', 'America/Winnipeg',
  'America/Regina', 'America/Edmonton', 'America/Vancouver', 'America/Whitehorse', 'America/Iqaluit', 'UTC'];
const PAGE_SIZES = [25, 50, 100, 200, 500];
const TEXT_SIZES = [100, 125, 150, 175, 200];

/** A labelled field: the words, the control, and a hint the control is described by. */
function field(words, control, hint) {
  const label = el('label', {}, el('span', { textContent: words }), control);
  if (hint) {
    const id = `${control.id}-hint`;
    control.setAttribute('aria-describedby', id);
    label.append(el('small', { id, className: 'hint', textContent: hint }));
  }
  return label;
}

/** onSaved(kept): after a save, for the app to apply what changed. */
export function renderSettings(root, { onSaved }) {
  const now = settings();
  const { path, systemTextPercent } = machineFacts();
  const language = el('select', { id: 'settings-language' },
    new Option('English', 'en'), new Option('Français', 'fr'));
  language.value = now.language;
  const zones = now.time_zone && !ZONES.includes(now.time_zone) ? [...ZONES, now.time_zone] : ZONES;
  const zone = el('select', { id: 'settings-zone' },
    new Option(t('settings.zone_store'), ''), ...zones.map((z) => new Option(z.replace(/_/g, ' '), z)));
  zone.value = now.time_zone ?? '';
  const lock = el('input', { id: 'settings-lock', type: 'number', min: 1, max: 240, step: 1, required: true, value: now.lock_after_minutes });
  const sizes = PAGE_SIZES.includes(now.page_size) ? PAGE_SIZES : [...PAGE_SIZES, now.page_size].sort((a, b) => a - b);
  const pageSize = el('select', { id: 'settings-page-size' }, ...sizes.map((n) => new Option(String(n), String(n))));
  pageSize.value = String(now.page_size);
  const textSizes = now.text_size_percent && !TEXT_SIZES.includes(now.text_size_percent)
    ? [...TEXT_SIZES, now.text_size_percent].sort((a, b) => a - b) : TEXT_SIZES;
  const textSize = el('select', { id: 'settings-text-size' },
    new Option(t('settings.text_system', { n: formatPercent((systemTextPercent ?? 100) / 100) }), ''),
    ...textSizes.map((n) => new Option(formatPercent(n / 100), String(n))));
  textSize.value = now.text_size_percent ? String(now.text_size_percent) : '';
  const server = el('input', { id: 'settings-server', type: 'url', placeholder: 'https://sync.example.ca:8443', value: now.sync_server ?? '' });
  const save = el('button', { id: 'settings-save', type: 'submit', textContent: t('settings.save') });
  const form = el('form', { className: 'card settings-form', id: 'settings-form' },
    field(t('settings.language'), language),
    field(t('settings.zone'), zone, t('settings.zone_hint')),
    field(t('settings.lock'), lock, t('settings.lock_hint')),
    field(t('settings.page_size'), pageSize, t('settings.page_size_hint')),
    field(t('settings.text_size'), textSize, t('settings.text_size_hint')),
    field(t('settings.server'), server, t('settings.server_hint')),
    el('div', { className: 'actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const kept = await saveSettings({
        language: language.value,
        time_zone: zone.value || null,
        lock_after_minutes: Number.parseInt(lock.value, 10),
        page_size: Number.parseInt(pageSize.value, 10),
        text_size_percent: textSize.value ? Number.parseInt(textSize.value, 10) : null,
        sync_server: server.value.trim() || null,
      });
      hideError();
      await onSaved(kept);
      showNotice(t('settings.saved'));
    } catch (err) {
      showError(err);
    } finally {
      save.disabled = false;
    }
  });
  root.replaceChildren(
    el('h1', { textContent: t('settings.title') }),
    el('p', { className: 'hint', id: 'settings-where', textContent: path ? t('settings.where', { path }) : t('settings.nowhere') }),
    form);
}
