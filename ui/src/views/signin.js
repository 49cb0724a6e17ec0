// Shown instead of the views while the store is not open to anyone:
// the sign-in (an encrypted store, not yet unlocked: a user name and
// passphrase, nothing else of the store visible), or the set-up of a store
// that is not encrypted yet (a new one, or a plain file): DoseDesk keeps
// every store encrypted, so its first manager is named first.
import * as api from '../api.js';
import { t } from '../i18n.js';
import { el } from '../components/dom.js';
import { errorNodes, showNotice } from '../components/job.js';
import { field, newPassphrase, mismatch } from '../components/passphrase.js';

export function renderSignIn(root, { onSignedIn }) {
  const user = el('input', { id: 'signin-user', type: 'text', autocomplete: 'username', required: true });
  const passphrase = el('input', { id: 'signin-passphrase', type: 'password', autocomplete: 'current-password', required: true });
  const message = el('p', { id: 'signin-message', className: 'signin-message', role: 'alert' });
  const submit = el('button', { id: 'signin-submit', type: 'submit', textContent: t('signin.submit') });
  const form = el('form', { className: 'signin-form' },
    el('label', {}, el('span', { textContent: t('signin.user') }), user),
    el('label', {}, el('span', { textContent: t('signin.passphrase') }), passphrase),
    message,
    el('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.dataset.state = 'checking';
    message.textContent = t('signin.checking');
    // Listening before signing in: the upgrade, if any, comes with it.
    let upgraded = false;
    const stopListening = await api.onStoreUpgrading(() => {
      upgraded = true;
      message.dataset.state = 'upgrading';
      message.textContent = t('signin.upgrading');
    }).catch(() => () => {});
    try {
      await api.unlockStore(user.value.trim(), passphrase.value);
      passphrase.value = '';
      await onSignedIn();
      // Said again once done: on a small store the sign-in's own message
      // is gone before it can be read.
      if (upgraded) showNotice(t('signin.upgraded'));
    } catch (err) {
      passphrase.value = '';
      message.dataset.state = 'wrong';
      message.replaceChildren(...(err.code === 'wrong_passphrase' ? [t('signin.wrong')] : errorNodes(err)));
      passphrase.focus();
    } finally {
      submit.disabled = false;
      stopListening();
    }
  });
  const box = el('section', { id: 'signin-view', className: 'empty signin' },
    el('h1', { textContent: t('signin.title') }),
    el('p', { textContent: t('signin.intro') }),
    form);
  root.replaceChildren(box);
  user.focus();
  // A demo store's account is public: say it, so the demo opens at once.
  api.demoAccount().then((demo) => {
    if (!demo) return;
    const hint = el('p', { id: 'signin-demo', className: 'signin-demo' },
      t('signin.demo', { user: demo.user }), ' ',
      el('code', { textContent: demo.passphrase, lang: 'en' }));
    box.insertBefore(hint, form);
    if (!user.value) user.value = demo.user;
    passphrase.focus();
  }, () => {});
}

/** The store is not encrypted yet: `missing` (no file yet) or `plain` (a
 * file from before encryption). Naming its first manager makes it
 * encrypted, then signs them in. */
export function renderSetUp(root, { state, onSignedIn }) {
  const user = el('input', { id: 'setup-user', type: 'text', autocomplete: 'username', required: true });
  const pair = newPassphrase('setup-passphrase', 'setup-repeat');
  const message = el('p', { id: 'setup-message', className: 'signin-message', role: 'alert' });
  const submit = el('button', { id: 'setup-submit', type: 'submit', textContent: t(`setup.submit_${state}`) });
  const form = el('form', { className: 'signin-form' },
    field(t('setup.user'), user),
    field(t('setup.passphrase'), pair[0]),
    field(t('users.repeat'), pair[1]),
    el('p', { className: 'hint', textContent: t('setup.passphrase_hint') }),
    message,
    el('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (mismatch(...pair)) return;
    submit.disabled = true;
    message.dataset.state = 'checking';
    message.textContent = t(`setup.working_${state}`);
    try {
      const copied = await api.setUpStore(user.value.trim(), pair[0].value);
      pair.forEach((input) => { input.value = ''; });
      if (copied) message.textContent = t('setup.copied', { tables: copied.tables, rows: copied.rows });
      await onSignedIn();
    } catch (err) {
      message.dataset.state = 'wrong';
      message.replaceChildren(...errorNodes(err));
    } finally {
      submit.disabled = false;
    }
  });
  const box = el('section', { id: 'setup-view', className: 'empty signin' },
    el('h1', { textContent: t(`setup.title_${state}`) }),
    el('p', { textContent: t(`setup.intro_${state}`) }),
    form);
  box.dataset.state = state;
  root.replaceChildren(box);
  user.focus();
}
