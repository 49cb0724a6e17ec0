// The audit log, for managers: the newest entries (who did what, who
// looked at whom) and a check of the hash chain that links them.
import * as api from '../api.js';
import { t, formatNumber } from '../i18n.js';
import { showError } from '../components/job.js';
import { el } from '../components/dom.js';
import { settings } from '../settings.js';


// Local time, as 2021-03-23 14:05:09: one compact form in both languages.
function when(iso) {
  const at = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

export async function renderAudit(root) {
  const result = el('p', { id: 'audit-result', role: 'status' });
  const verify = el('button', { id: 'audit-verify', className: 'secondary', textContent: t('audit.verify') });
  verify.onclick = async () => {
    verify.disabled = true;
    result.textContent = t('audit.verifying');
    try {
      const checked = await api.auditVerify();
      result.dataset.state = checked.first_broken ? 'broken' : 'intact';
      result.textContent = checked.first_broken
        ? t('audit.broken', { id: checked.first_broken.id, reason: checked.first_broken.reason })
        : t('audit.intact', { n: formatNumber(checked.entries) });
    } catch (err) {
      showError(err);
      result.textContent = '';
    } finally {
      verify.disabled = false;
    }
  };
  root.replaceChildren(
    el('h1', { textContent: t('audit.title') }),
    el('p', { className: 'muted', textContent: t('audit.intro', { n: settings().page_size }) }),
    el('div', { className: 'actions' }, verify),
    result,
  );
  let entries;
  try {
    entries = await api.auditEntries(settings().page_size);
  } catch (err) {
    showError(err);
    return;
  }
  const head = el('tr', {}, ...['id', 'at', 'actor', 'action', 'subject', 'detail']
    .map((c) => el('th', { textContent: t(`audit.col_${c}`) })));
  const rows = entries.map((e) => el('tr', { className: 'audit-entry' },
    el('td', { className: 'num', textContent: String(e.id) }),
    el('td', { className: 'nowrap', textContent: when(e.at) }),
    el('td', { textContent: e.actor }),
    el('td', { textContent: e.action }),
    el('td', { textContent: e.subject }),
    el('td', { className: 'muted small', textContent: e.detail === '{}' ? '' : e.detail })));
  root.append(el('table', { className: 'data', id: 'audit-entries' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}
