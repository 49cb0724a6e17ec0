// Passphrase fields, shared by the Users view and the store's set-up
// screen: a new passphrase is always typed twice and compared here,
// before anything is sent.
import { t } from '../i18n.js';
import { el } from './dom.js';

export const password = (id, autocomplete) => el('input', { id, type: 'password', autocomplete, required: true });

/** A labelled field: the label's words, then the input. */
export const field = (words, input) => el('label', {}, el('span', { textContent: words }), input);

/** A new passphrase and the same again. A mismatch is flagged on the second
 * (`mismatch`) and cleared as soon as either is typed in again: a flag left
 * up would stop the browser from sending the form at all. */
export function newPassphrase(idNew, idRepeat) {
  const fresh = password(idNew, 'new-password');
  const repeat = password(idRepeat, 'new-password');
  for (const input of [fresh, repeat]) input.addEventListener('input', () => repeat.setCustomValidity(''));
  return [fresh, repeat];
}

/** Flags the second passphrase, in words, when it differs from the first. */
export function mismatch(fresh, repeat) {
  if (fresh.value === repeat.value) return false;
  repeat.setCustomValidity(t('users.mismatch'));
  repeat.reportValidity();
  return true;
}
