// How the error bar words an error (ui/src/error_text.js), under node. Run by
// the shell's `cargo test` (src-tauri/src/tests.rs,
// ui_errors_are_worded_in_the_page_language):
//
//   node tests/ui/error_text.test.mjs
//
// The oracle: the real translation tables, and core's message shapes
// written out here by hand.
import assert from 'node:assert/strict';

const { errorWords } = await import('../../ui/src/error_text.js');
const en = (await import('../../ui/i18n/en.js')).default;
const fr = (await import('../../ui/i18n/fr.js')).default;

// The two tables, each filling {name} placeholders.
const translator = (table) => (key, vars = {}) =>
  (table[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? `{${name}}`));
const tFr = translator(fr);
const tEn = translator(en);

// A refused file, on a French page: where, in French; why, in core's English.
const refused = {
  code: 'import_invalid',
  message: 'bookings.csv:12: column booked_at: "2021-03-01T09:1é" is not an ISO 8601 timestamp',
  detail_lang: 'en',
};
assert.deepEqual(errorWords(refused, 'fr', tFr), {
  lead: 'Fichier refusé : bookings.csv, ligne 12, colonne « booked_at ». Rien n’a été importé.',
  detail: '"2021-03-01T09:1é" is not an ISO 8601 timestamp',
  detailLang: 'en',
});
// A refusal of a whole line names no column.
const line = { code: 'import_invalid', message: 'sites.csv:3: expected 7 fields, found 2', detail_lang: 'en' };
assert.deepEqual(errorWords(line, 'fr', tFr), {
  lead: 'Fichier refusé : sites.csv, ligne 3. Rien n’a été importé.',
  detail: 'expected 7 fields, found 2',
  detailLang: 'en',
});
// A file name holding a colon is still split at its line number.
const colon = { code: 'import_invalid', message: 'C:/exports/b.csv:9: column site_code: unknown site "ZZ"', detail_lang: 'en' };
assert.equal(errorWords(colon, 'fr', tFr).lead, 'Fichier refusé : C:/exports/b.csv, ligne 9, colonne « site_code ». Rien n’a été importé.');

// Every code core sends has its own French lead (not the fallback).
const CODES = ['import_invalid', 'io', 'schema_too_new', 'not_dosedesk', 'corrupt_database', 'invalid_input',
  'not_found', 'slot_full', 'not_eligible', 'needs_confirmation', 'conflict', 'offline', 'sync_failed',
  'render', 'internal', 'store_busy', 'store_locked', 'store_missing', 'store_unencrypted', 'audit_broken', 'forbidden', 'wrong_passphrase', 'disk_full', 'database'];
const leads = new Set();
for (const code of CODES) {
  const words = errorWords({ code, message: 'core said so', detail_lang: 'en' }, 'fr', tFr);
  assert.equal(words.lead, fr[`error.lead.${code}`], code);
  assert.ok(words.lead && !words.lead.startsWith('error.'), `${code}: ${words.lead}`);
  assert.equal(words.detail, 'core said so');
  leads.add(words.lead);
}
assert.equal(leads.size, CODES.length, 'each code its own words');
// A code nobody planned for still gets a French lead.
assert.equal(errorWords({ code: 'brand_new', message: 'x', detail_lang: 'en' }, 'fr', tFr).lead, fr['error.lead.unexpected']);

// A view that knows the question asks it in the page's language; core's
// words still follow.
const conflict = { code: 'conflict', message: 'E2E-0001 also has a second dose', detail_lang: 'en', lead: 'Cette personne a aussi une deuxième dose.' };
assert.deepEqual(errorWords(conflict, 'fr', tFr), { lead: conflict.lead, detail: conflict.message, detailLang: 'en' });
assert.equal(errorWords(conflict, 'en', tEn).lead, null, 'an English page needs no lead');

// An English page shows core's words alone; so does any page for words the
// page wrote itself (no detail_lang: already in the page's language).
assert.deepEqual(errorWords(refused, 'en', tEn), { lead: null, detail: refused.message, detailLang: 'en' });
const own = { code: 'invalid_input', message: '« 31/04/2021 » n’est pas un jour du calendrier' };
assert.deepEqual(errorWords(own, 'fr', tFr), { lead: null, detail: own.message, detailLang: 'fr' });

// The tables agree on the keys of the error bar.
const keys = (table) => Object.keys(table).filter((k) => k.startsWith('error.')).sort();
assert.deepEqual(keys(fr), keys(en));
console.log(`error_text: ${CODES.length} codes worded in French`);
