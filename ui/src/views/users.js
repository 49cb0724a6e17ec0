// Users of an encrypted store: anyone signed in changes their own
// passphrase here; a manager also sees every user, adds one (a clinic user
// with their sites), resets a forgotten passphrase and disables an account.
import * as api from '../api.js';
import { t } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { fillSiteSelects } from '../components/sites.js';

const password = (id, autocomplete) => el('input', { id, type: 'password', autocomplete, required: true });

/** The two new-passphrase fields' check, in words, before anything is sent. */
function mismatch(first, second) {
  if (first.value !== second.value) {
    second.setCustomValidity(t('users.mismatch'));
    second.reportValidity();
    return true;
  }
  second.setCustomValidity('');
  return false;
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
  const fresh = password('own-new', 'new-password');
  const repeat = password('own-repeat', 'new-password');
  for (const field of [fresh, repeat]) field.addEventListener('input', () => repeat.setCustomValidity(''));
  const submit = el('button', { id: 'own-change', type: 'submit', textContent: t('users.change') });
  const form = el('form', { className: 'card user-form', id: 'own-passphrase' },
    el('h2', { textContent: t('users.own_title', { user: signedIn?.user ?? '' }) }),
    el('label', {}, el('span', { textContent: t('users.current') }), current),
    el('label', {}, el('span', { textContent: t('users.new') }), fresh),
    el('label', {}, el('span', { textContent: t('users.repeat') }), repeat),
    el('p', { className: 'hint', textContent: t('users.hint') }),
    el('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (mismatch(fresh, repeat)) return;
    submit.disabled = true;
    try {
      await api.changePassphrase(current.value, fresh.value);
      form.reset();
      hideError();
      showNotice(t('users.changed'));
    } catch (err) {
      current.value = '';
      showError(err.code === 'wrong_passphrase' ? { ...err, message: t('users.wrong_current') } : err);
    } finally {
      submit.disabled = false;
    }
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
      el('td', { className: 'nowrap', textContent: t('users.added_by', { date: u.created_at.slice(0, 10), by: u.created_by }) }),
      el('td', { textContent: u.disabled_at ? t('users.disabled_on', { date: u.disabled_at.slice(0, 10) }) : t('users.active') }),
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
    const fresh = password('reset-new', 'new-password');
    const repeat = password('reset-repeat', 'new-password');
    const set = el('button', { id: 'reset-set', className: 'small', type: 'submit', textContent: t('users.reset_set') });
    const cancel = el('button', { className: 'secondary small', type: 'button', textContent: t('users.cancel') });
    cancel.onclick = restore;
    const form = el('form', { className: 'ask-form' },
      el('label', {}, el('span', { textContent: t('users.reset_for', { user: u.name }) }), fresh),
      el('label', {}, el('span', { textContent: t('users.repeat') }), repeat),
      set, cancel);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (mismatch(fresh, repeat)) return;
      set.disabled = true;
      try {
        await api.resetPassphrase(u.name, fresh.value);
        hideError();
        showNotice(t('users.reset_done', { user: u.name }));
        await again();
      } catch (err) {
        showError(err);
        set.disabled = false;
      }
    });
    cell.replaceChildren(form);
    fresh.focus();
  };
  if (u.name === signedIn?.user) return [reset];
  const disable = el('button', { className: 'secondary small danger', textContent: t('users.disable') });
  disable.dataset.action = 'disable';
  disable.onclick = () => {
    const yes = el('button', { id: 'disable-yes', className: 'small danger', textContent: t('users.disable') });
    const no = el('button', { className: 'secondary small', textContent: t('users.cancel') });
    no.onclick = restore;
    yes.onclick = async () => {
      yes.disabled = true;
      try {
        await api.disableUser(u.name);
        hideError();
        showNotice(t('users.disabled', { user: u.name }));
        await again();
      } catch (err) {
        showError(err);
        yes.disabled = false;
      }
    };
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
  const fresh = password('user-passphrase', 'new-password');
  const repeat = password('user-repeat', 'new-password');
  const submit = el('button', { id: 'user-add', type: 'submit', textContent: t('users.add') });
  const showSites = () => { sitesField.hidden = role.value !== 'clinic'; };
  role.addEventListener('change', showSites);
  showSites();
  fillSiteSelects([sites]);
  const form = el('form', { className: 'card user-form', id: 'user-add-form' },
    el('h2', { textContent: t('users.add_title') }),
    el('label', {}, el('span', { textContent: t('users.col_name') }), name),
    el('label', {}, el('span', { textContent: t('users.col_role') }), role),
    sitesField,
    el('label', {}, el('span', { textContent: t('users.first') }), fresh),
    el('label', {}, el('span', { textContent: t('users.repeat') }), repeat),
    el('p', { className: 'hint', textContent: t('users.first_hint') }),
    el('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (mismatch(fresh, repeat)) return;
    submit.disabled = true;
    const chosen = role.value === 'clinic' ? [...sites.selectedOptions].map((o) => o.value) : [];
    try {
      await api.addUser({ name: name.value.trim(), role: role.value, sites: chosen, passphrase: fresh.value });
      hideError();
      showNotice(t('users.added', { user: name.value.trim(), role: t(`role.${role.value}`) }));
      await again();
    } catch (err) {
      showError(err);
      submit.disabled = false;
    }
  });
  return form;
}
