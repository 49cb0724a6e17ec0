// The strip under the top bar that shows a long job's progress and lets the
// user cancel it, plus the error and notice banners.
import * as api from '../api.js';
import { t, lang } from '../i18n.js';
import { errorWords } from '../error_text.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);

/** Shows the strip while `work(onProgress, onStarted)` runs; `work` passes
 * both to the api call, whose job reports its id through onStarted. Cancel
 * cancels that job only, as soon as its id is known. */
export async function runJob(label, work) {
  let jobId = null;
  let cancelAsked = false;
  const cancel = () => {
    if (jobId != null) api.cancelJob(jobId).catch(showError);
  };
  $('job-label').textContent = label;
  $('job-progress').value = 0;
  $('job-percent').textContent = '';
  $('job').hidden = false;
  $('job-cancel').disabled = false;
  $('job-cancel').onclick = () => {
    $('job-cancel').disabled = true;
    cancelAsked = true;
    cancel();
  };
  const started = (id) => {
    jobId = id;
    if (cancelAsked) cancel();
  };
  hideError();
  try {
    return await work((fraction, stage) => {
      if (stage) {
        // After the rows, a bulk import still works for seconds (indexes,
        // commit): name the stage rather than sit at 100 %.
        $('job-label').textContent = `${label} — ${t(`job.stage_${stage}`)}`;
        if (stage !== 'rows') {
          $('job-progress').removeAttribute('value'); // indeterminate
          $('job-percent').textContent = '';
        }
        return;
      }
      $('job-progress').value = fraction;
      $('job-percent').textContent = `${Math.floor(fraction * 100)} %`;
    }, started);
  } finally {
    $('job').hidden = true;
  }
}

/** `err` as nodes to show: in the page's language, with core's own English
 * words as the detail on a French page (marked as English); `err.hint` (in
 * the page's language) after them. */
export function errorNodes(err) {
  if (err.code === 'cancelled') return [t('error.cancelled')];
  const words = errorWords(err, lang(), t);
  const detail = el('span', { textContent: words.detail, lang: words.detailLang });
  const nodes = words.lead ? [`${words.lead} ${t('error.detail')} `, detail] : [detail];
  return err.hint ? [...nodes, ` ${err.hint}`] : nodes;
}

/** Shows `err` in the error bar (see errorNodes). */
export function showError(err) {
  $('error-message').replaceChildren(...errorNodes(err));
  $('error').dataset.code = err.code;
  $('error').hidden = false;
  $('error-close').onclick = hideError;
}

/** A field's verdict: `message` ('' when it is fine) blocks its form,
 * outlines the field (`aria-invalid`, styled), and is said in the error bar
 * when the form is refused or the field is reported (WebKitGTK draws no
 * bubble for a field's message). `sayWhyRefused` once per field. */
export function markInvalid(input, message) {
  input.setCustomValidity(message);
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

export function sayWhyRefused(input) {
  input.addEventListener('invalid', () => showError({ code: 'invalid_input', message: input.validationMessage }));
}

export function hideError() {
  $('error').hidden = true;
}

/** A notice is written in one language: a language change takes it down. */
export function hideNotice() {
  clearTimeout(showNotice.timer);
  $('notice').hidden = true;
}

export function showNotice(text) {
  const notice = $('notice');
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => (notice.hidden = true), 8000);
}
