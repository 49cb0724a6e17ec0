// The site pickers of the views. A province has thousands of sites: their
// options are laid out just after the view's first paint, not before it.
import * as api from '../api.js';
import { showError, markInvalid, sayWhyRefused } from './job.js';
import { el } from './dom.js';

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

/** A searchable site field and its suggestion list, for views that may
 * name any of thousands of sites: a <select> that long cost a view 25-45 ms
 * of layout at province scale, and typing a code beats scrolling.
 * - The sites it suggests and accepts ({code, name} or bare codes) come
 *   from `load()` when the field is first used, or from `setSites` (a view
 *   whose list follows its page); the suggestions are made on first focus.
 * - A site is taken by its code or its name, in any case, and shown by its
 *   code; empty is every site. Anything else marks the field invalid with
 *   `notListed(typed)` and is not taken.
 * - `chosen(code, { enter })` runs on Enter (listened for on the key: WebKit's
 *   suggestion list takes it before any form), on the field's clear button
 *   and on leaving the field.
 * `code()` gives the site the field names ('' for every site), or null
 * (said on the field) when it names none. */
export function siteSearch({ id, value = '', placeholder, label, size, load = null, notListed, chosen = () => {} }) {
  const field = el('input', { id, type: 'search', value, placeholder, autocomplete: 'off' });
  if (size) field.size = size;
  field.setAttribute('aria-label', label);
  field.setAttribute('list', `${id}-choices`);
  const list = el('datalist', { id: `${id}-choices` });
  let sites = null;
  let loading = null;
  let suggested = null;
  // A view that gives its list (`setSites`) gives it with its first page:
  // a site typed before then is judged once it has come.
  let listed;
  const firstList = new Promise((resolve) => { listed = resolve; });
  const known = () => {
    if (sites) return Promise.resolve(sites);
    if (!load) return firstList;
    loading ??= load().then((got) => { sites = got.map(asSite); return sites; }, (err) => { showError(err); return []; });
    return loading;
  };
  const suggest = () => known().then((all) => {
    if (suggested === all) return;
    suggested = all;
    list.replaceChildren(...all.map((s) => el('option', { value: s.code, ...(s.name ? { label: s.name } : {}) })));
    field.dataset.loaded = 'true';
  });
  field.addEventListener('focus', suggest);
  const code = async () => {
    const typed = field.value.trim();
    if (typed === '') return '';
    const wanted = typed.toLowerCase();
    const site = (await known()).find((s) => s.code.toLowerCase() === wanted || s.name?.toLowerCase() === wanted);
    if (!site) {
      markInvalid(field, notListed(typed));
      field.reportValidity();
      return null;
    }
    if (field.value.trim() === typed) field.value = site.code;
    return site.code;
  };
  const choose = (enter) => code().then((c) => { if (c !== null) chosen(c, { enter }); });
  sayWhyRefused(field);
  field.addEventListener('input', () => markInvalid(field, ''));
  field.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    choose(true);
  });
  field.addEventListener('change', () => choose(false));
  field.addEventListener('search', () => choose(false));
  return {
    field,
    list,
    code,
    setSites(all) {
      sites = all.map(asSite);
      listed(sites);
      // Once the field has been used, its suggestions follow.
      if (suggested !== null) suggest();
    },
  };
}

const asSite = (s) => (typeof s === 'string' ? { code: s } : s);
