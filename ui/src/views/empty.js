// Shown when the database has no sites and no bookings yet.
import { t } from '../i18n.js';

export function renderEmpty(root, { onImport, onDemo }) {
  const box = document.createElement('section');
  box.className = 'empty';
  box.id = 'empty-view';
  const title = document.createElement('h1');
  title.textContent = t('empty.title');
  const body = document.createElement('p');
  body.textContent = t('empty.body');
  const importButton = document.createElement('button');
  importButton.id = 'empty-import';
  importButton.textContent = t('action.import');
  importButton.onclick = onImport;
  const demoButton = document.createElement('button');
  demoButton.id = 'load-demo';
  demoButton.className = 'secondary';
  demoButton.textContent = t('action.load_demo');
  demoButton.onclick = onDemo;
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(importButton, demoButton);
  box.append(title, body, actions);
  root.replaceChildren(box);
}
