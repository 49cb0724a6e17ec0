// Users of an encrypted store: anyone signed in changes their own
// passphrase here; a manager also sees every user, adds one (a clinic user
// with their sites), resets a forgotten passphrase and disables an account.
import * as api from '../api.js';
import { t, formatDate } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { fillSiteSelects } from '../components/sites.js';
import { localDay } from '../dates.js';
import { password, field, newPassphrase, mismatch } from '../components/passphrase.js';

/** Runs `action` with `button` held down; an earlier error is taken down
 * once it succeeds, and a failure is shown (by `failed`, else as is). */
async function act(button, action, failed = showError) {
  button.disabled = true;
  try {
    await action();
    hideError();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

/** Runs `action` when `form` is sent and its two new passphrases agree. */
function onSend(form, button, [fresh, repeat], action, failed) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!mismatch(fresh, repeat)) act(button, action, failed);
  });
}

export async function renderUsers(root, { signedIn }) {
  const parts = [el('h1', { textContent: t('users.title') }), ownPassphrase(signedIn)];
  if (signedIn?.role === 'manager') {
    let users;
    try {
      users = await api.listUsers();
    } catch (err) {
      showError(err);
      users = [];
    }
    const again = () => renderUsers(root, { signedIn });
    parts.push(userTable(users, signedIn, again), addForm(again));
  }
  root.replaceChildren(...parts);
}

function ownPassphrase(signedIn) {
  const current = password('own-current', 'current-password');
  const [fresh, repeat] = newPassphrase('own-new', 'own-repeat');
  const submit = el('button', { id: 'own-change', type: 'submit', textContent: t('users.change') });
  const form = el('form', { className: 'card user-form', id: 'own-passphrase' },
    el('h2', { textContent: t('users.own_title', { user: signedIn?.user ?? '' }) }),
    field(t('users.current'), current),
    field(t('users.new'), fresh),
    field(t('users.repeat'), repeat),
    el('p', { className: 'hint', textContent: t('users.hint') }),
    el('div', { className: 'actions' }, submit));
  onSend(form, submit, [fresh, repeat], async () => {
    await api.changePassphrase(current.value, fresh.value);
    form.reset();
    showNotice(t('users.changed'));
  }, (err) => {
    current.value = '';
    showError(err.code === 'wrong_passphrase' ? { code: err.code, message: t('users.wrong_current') } : err);
  });
  return form;
}

function userTable(users, signedIn, again) {
  const head = el('tr', {}, ...['name', 'role', 'sites', 'added', 'status', 'actions']
    .map((c) => el('th', { textContent: t(`users.col_${c}`) })));
  const rows = users.map((u) => {
    const actions = el('td', { className: 'actions' });
    const row = el('tr', { className: 'user-row' },
      el('td', { textContent: u.name }),
      el('td', { textContent: t(`role.${u.role}`) }),
      el('td', { textContent: u.role === 'official' ? t('users.no_people') : (u.sites.join(', ') || t('users.every_site')) }),
      el('td', { className: 'nowrap', textContent: t('users.added_by', { date: formatDate(localDay(u.created_at)), by: u.created_by }) }),
      el('td', { textContent: u.disabled_at ? t('users.disabled_on', { date: formatDate(localDay(u.disabled_at)) }) : t('users.active') }),
      actions);
    row.dataset.user = u.name;
    if (!u.disabled_at) actions.append(...userActions(u, signedIn, actions, again));
    return row;
  });
  return el('table', { className: 'data', id: 'users-list' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

// Reset and Disable ask first, in the row itself; Cancel puts the buttons back.
function userActions(u, signedIn, cell, again) {
  const restore = () => cell.replaceChildren(...userActions(u, signedIn, cell, again));
  const reset = el('button', { className: 'secondary small', textContent: t('users.reset') });
  reset.dataset.action = 'reset';
  reset.onclick = () => {
    const pair = newPassphrase('reset-new', 'reset-repeat');
    const set = el('button', { id: 'reset-set', className: 'small', type: 'submit', textContent: t('users.reset_set') });
    const cancel = el('button', { className: 'secondary small', type: 'button', textContent: t('users.cancel') });
    cancel.onclick = restore;
    const form = el('form', { className: 'ask-form' },
      field(t('users.reset_for', { user: u.name }), pair[0]), field(t('users.repeat'), pair[1]), set, cancel);
    onSend(form, set, pair, async () => {
      await api.resetPassphrase(u.name, pair[0].value);
      showNotice(t('users.reset_done', { user: u.name }));
      await again();
    });
    cell.replaceChildren(form);
    pair[0].focus();
  };
  if (u.name === signedIn?.user) return [reset];
  const disable = el('button', { className: 'secondary small danger', textContent: t('users.disable') });
  disable.dataset.action = 'disable';
  disable.onclick = () => {
    const yes = el('button', { id: 'disable-yes', className: 'small danger', textContent: t('users.disable') });
    const no = el('button', { className: 'secondary small', textContent: t('users.cancel') });
    no.onclick = restore;
    yes.onclick = () => act(yes, async () => {
      await api.disableUser(u.name);
      showNotice(t('users.disabled', { user: u.name }));
      await again();
    });
    cell.replaceChildren(el('div', { className: 'ask', textContent: t('users.disable_confirm', { user: u.name }) }), yes, no);
    no.focus();
  };
  return [reset, disable];
}

function addForm(again) {
  const name = el('input', { id: 'user-name', type: 'text', autocomplete: 'off', required: true, maxLength: 64 });
  const role = el('select', { id: 'user-role' },
    ...['clinic', 'manager', 'official'].map((r) => new Option(t(`role.${r}`), r)));
  const sites = el('select', { id: 'user-sites', multiple: true, size: 6 });
  const sitesField = el('label', { className: 'user-sites' }, el('span', { textContent: t('users.sites') }), sites,
    el('small', { className: 'hint', textContent: t('users.sites_hint') }));
  const pair = newPassphrase('user-passphrase', 'user-repeat');
  const submit = el('button', { id: 'user-add', type: 'submit', textContent: t('users.add') });
  const showSites = () => { sitesField.hidden = role.value !== 'clinic'; };
  role.addEventListener('change', showSites);
  showSites();
  fillSiteSelects([sites]);
  const form = el('form', { className: 'card user-form', id: 'user-add-form' },
    el('h2', { textContent: t('users.add_title') }),
    field(t('users.col_name'), name),
    field(t('users.col_role'), role),
    sitesField,
    field(t('users.first'), pair[0]),
    field(t('users.repeat'), pair[1]),
    el('p', { className: 'hint', textContent: t('users.first_hint') }),
    el('div', { className: 'actions' }, submit));
  onSend(form, submit, pair, async () => {
    const user = name.value.trim();
    const chosen = role.value === 'clinic' ? [...sites.selectedOptions].map((o) => o.value) : [];
    await api.addUser({ name: user, role: role.value, sites: chosen, passphrase: pair[0].value });
    showNotice(t('users.added', { user, role: t(`role.${role.value}`) }));
    await again();
  });
  return form;
}
