// Shown instead of the views when the store is encrypted and not yet
// unlocked: a user name and passphrase, nothing else of the store visible.
import * as api from '../api.js';
import { t } from '../i18n.js';
import { el } from '../components/dom.js';
import { errorNodes } from '../components/job.js';

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
    try {
      await api.unlockStore(user.value.trim(), passphrase.value);
      passphrase.value = '';
      await onSignedIn();
    } catch (err) {
      passphrase.value = '';
      message.dataset.state = 'wrong';
      message.replaceChildren(...(err.code === 'wrong_passphrase' ? [t('signin.wrong')] : errorNodes(err)));
      passphrase.focus();
    } finally {
      submit.disabled = false;
    }
  });
  const box = el('section', { id: 'signin-view', className: 'empty signin' },
    el('h1', { textContent: t('signin.title') }),
    el('p', { textContent: t('signin.intro') }),
    form);
  root.replaceChildren(box);
  user.focus();
}
