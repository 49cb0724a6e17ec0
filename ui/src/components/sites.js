// The site pickers of the views. A province has thousands of sites: their
// options are laid out just after the view's first paint, not before it.
import * as api from '../api.js';
import { showError } from './job.js';

/** Fills each select with one option per site, keeping its blank-valued
 * option ("All sites", "Same site"), after the first paint or as soon as one
 * is focused; then selects `value` (when given) and marks each
 * `data-loaded`. */
export function fillSiteSelects(selects, value = '') {
  fillAfterPaint(() => api.siteList().then((sites) => {
    for (const select of selects) {
      const blank = [...select.options].filter((o) => o.value === '');
      select.replaceChildren(...blank, ...sites.map((s) => new Option(`${s.name} (${s.code})`, s.code)));
      if (value) select.value = value;
      select.dataset.loaded = 'true';
    }
  }, showError), ...selects);
}

/** Runs `fill` once: just after the view's first paint, or at once if one
 * of `triggers` gets the focus first. */
function fillAfterPaint(fill, ...triggers) {
  let started = null;
  const run = () => (started ??= fill());
  for (const trigger of triggers) trigger.addEventListener('focus', run);
  requestAnimationFrame(() => setTimeout(run, 0));
}
