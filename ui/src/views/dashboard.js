// Dashboard: the day's figures, the chart of doses against bookings and
// capacity (drawn by core as SVG), the numbers under it, flagged days to
// confirm, and tallies reconciled against attended bookings.
import * as api from '../api.js';
import { t, formatNumber, formatDate, lang, labelled } from '../i18n.js';
import { showError, showNotice } from '../components/job.js';
import { el } from '../components/dom.js';
import { dateInput } from '../components/date_input.js';
import { siteSearch } from '../components/sites.js';
import { addDays, today as appToday } from '../dates.js';

const state = { kind: 'daily', site: '', from: '', to: '' };

function figure(id, value, label, note = '') {
  const card = el('div', { className: 'figure', id },
    el('div', { className: 'figure-value', textContent: value }),
    el('div', { className: 'figure-label', textContent: label }));
  if (note) card.append(el('div', { className: 'figure-note', textContent: note }));
  return card;
}

function figuresSection(f) {
  const regional = el('div', { className: 'figures', id: 'dose-figures' },
    figure('fig-total', formatNumber(f.doses_total), t('dash.total')),
    figure('fig-last', f.last_day ? formatNumber(f.last_day.doses) : '—', t('dash.last_day'),
      f.last_day ? formatDate(f.last_day.date) : ''),
    figure('fig-avg', f.seven_day_avg == null ? '—' : formatNumber(Math.round(f.seven_day_avg)), t('dash.avg7')),
    figure('fig-record', f.record_day ? formatNumber(f.record_day.doses) : '—', t('dash.record'),
      f.record_day ? formatDate(f.record_day.date) : ''));
  const record = regional.querySelector('#fig-record');
  if (f.record_day) record.dataset.date = f.record_day.date;
  const parts = [regional];
  if (f.held_tallies > 0) {
    // Held imported tallies count nowhere: say so where the totals are.
    const held = el('p', { className: 'hint alert', id: 'held-tallies',
      textContent: t(f.held_tallies === 1 ? 'dash.held_one' : 'dash.held_many', { n: formatNumber(f.held_tallies) }) });
    held.dataset.value = f.held_tallies;
    parts.push(held);
  }
  const p = f.provincial;
  if (p) {
    const prov = el('div', { className: 'figures', id: 'provincial-figures' },
      figure('prov-total', p.total_doses == null ? '—' : formatNumber(p.total_doses), t('dash.prov_total'),
        t('dash.prov_as_of', { date: formatDate(p.last_date) })),
      figure('prov-record', p.record_day ? formatNumber(p.record_day.doses) : '—', t('dash.prov_record'),
        p.record_day ? formatDate(p.record_day.date) : ''),
      figure('prov-missing', formatNumber(p.missing_dates), t('dash.prov_missing'),
        t('dash.prov_span', { from: formatDate(p.first_date), to: formatDate(p.last_date) })));
    if (p.revised_report_dates > 0) {
      prov.append(figure('prov-revised', formatNumber(p.revised_report_dates), t('dash.prov_revised')));
    }
    parts.push(el('h2', { textContent: t('dash.provincial') }),
      el('p', { className: 'muted small', textContent: t('dash.release', { file: p.release.file_name, sha: p.release.sha256.slice(0, 12), at: p.release.imported_at }) }),
      prov);
    if (p.revised_report_dates > 0) parts.push(revisionsSection());
  }
  return parts;
}

/** What the province's latest release changed in earlier reports, loaded when opened. */
function revisionsSection() {
  const body = el('tbody');
  const details = el('details', { id: 'revisions' },
    el('summary', { textContent: t('dash.revisions') }),
    el('table', { className: 'data' },
      el('thead', {}, el('tr', {}, ...['report_date', 'field', 'before', 'after'].map((k) =>
        el('th', { className: ['before', 'after'].includes(k) ? 'num' : '', textContent: t(`dash.rev_${k}`) })))),
      body));
  details.addEventListener('toggle', async () => {
    if (!details.open || body.childElementCount) return;
    try {
      for (const r of await api.provincialRevisions()) {
        const tr = el('tr', {},
          el('td', { textContent: formatDate(r.report_date) }),
          el('td', { textContent: r.field }),
          el('td', { className: 'num', textContent: r.before == null ? '—' : formatNumber(r.before) }),
          el('td', { className: 'num', textContent: r.after == null ? '—' : formatNumber(r.after) }));
        tr.dataset.date = r.report_date;
        body.append(tr);
      }
    } catch (err) {
      showError(err);
    }
  });
  return details;
}

function flaggedSection(f, rerender) {
  const rows = [
    ...f.flagged_days.map((d) => ({ ...d, series: 'regional' })),
    ...(f.provincial?.flagged_days ?? []).map((d) => ({ ...d, series: 'provincial' })),
  ];
  if (rows.length === 0) return null;
  const body = el('tbody');
  for (const d of rows) {
    const button = el('button', { className: 'secondary small', textContent: d.confirmed ? t('dash.unconfirm') : t('dash.confirm') });
    button.onclick = async () => {
      try {
        await api.confirmDay(d.series, d.date, !d.confirmed);
        rerender();
      } catch (err) {
        showError(err);
      }
    };
    const tr = el('tr', {},
      el('td', { textContent: t(`dash.series_${d.series}`) }),
      el('td', { textContent: formatDate(d.date) }),
      el('td', { className: 'num', textContent: formatNumber(d.doses) }),
      el('td', { textContent: flagWhy(d.why) }),
      el('td', { textContent: d.confirmed ? t('dash.confirmed') : t('dash.excluded') }),
      el('td', {}, button));
    tr.dataset.date = d.date;
    body.append(tr);
  }
  return el('section', { id: 'flagged-days' },
    el('h2', { textContent: t('dash.flagged') }),
    el('p', { className: 'muted small', textContent: t('dash.flagged_intro') }),
    el('table', { className: 'data' },
      el('thead', {}, el('tr', {}, ...['series', 'date', 'doses', 'reason', 'status', ''].map((k) =>
        el('th', { textContent: k ? t(`dash.col_${k}`) : '' })))),
      body));
}

/** Why a day was flagged, in the app's language, with its figures. */
function flagWhy(why) {
  const n = (v) => formatNumber(v);
  return t(`dash.why_${why.kind}`, {
    doses: n(why.doses), change: n(why.change ?? 0), factor: n(why.factor ?? 0), days: n(why.days ?? 0), median: n(why.median ?? 0),
  });
}

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return document.importNode(svg, true);
}

/** Hovering a day shows its numbers: bars' extents come with the SVG. */
function attachHover(box, chart) {
  const tip = el('div', { className: 'chart-tip', id: 'chart-tip', hidden: true });
  box.append(tip);
  box.onmousemove = (event) => {
    const rect = box.querySelector('svg').getBoundingClientRect();
    const x = (event.clientX - rect.left) * (chart.width / rect.width);
    const i = chart.bars.findIndex((b) => x >= b.x0 && x < b.x1);
    if (i < 0) {
      tip.hidden = true;
      return;
    }
    const d = chart.days[i];
    tip.replaceChildren(
      el('strong', { textContent: formatDate(d.date) }),
      el('div', { textContent: labelled('dash.col_administered', administeredText(d)) }),
      el('div', { textContent: labelled('dash.col_booked', formatNumber(d.booked)) }),
      el('div', { textContent: labelled('dash.col_capacity', formatNumber(d.capacity)) }),
      el('div', { textContent: labelled('dash.col_avg7', d.avg7 == null ? '—' : formatNumber(Math.round(d.avg7))) }));
    tip.dataset.date = d.date;
    tip.hidden = false;
    tip.style.left = `${event.clientX - box.getBoundingClientRect().left + 14}px`;
    tip.style.top = `${event.clientY - box.getBoundingClientRect().top + 14}px`;
  };
  box.onmouseleave = () => (tip.hidden = true);
}

/** A day's doses given; after the app's today, that none are tallied yet
 * (not a 0 that reads as a day with no doses). */
function administeredText(d) {
  if (d.date > appToday() && d.administered === 0) return t('dash.no_tallies_yet');
  return formatNumber(d.administered) + (d.flagged ? ` (${t('dash.flag_short')})` : '');
}

function daysTable(days) {
  const body = el('tbody');
  for (const d of days) {
    const tr = el('tr', { className: d.flagged ? 'flagged' : '' },
      el('td', { textContent: formatDate(d.date) }),
      el('td', { className: 'num', textContent: administeredText(d) }),
      el('td', { className: 'num', textContent: formatNumber(d.booked) }),
      el('td', { className: 'num', textContent: formatNumber(d.capacity) }),
      el('td', { className: 'num', textContent: d.avg7 == null ? '—' : formatNumber(Math.round(d.avg7)) }));
    tr.dataset.date = d.date;
    body.append(tr);
  }
  return el('table', { className: 'data', id: 'chart-table' },
    el('thead', {}, el('tr', {}, ...['date', 'administered', 'booked', 'capacity', 'avg7'].map((k) =>
      el('th', { className: k === 'date' ? '' : 'num', textContent: t(`dash.col_${k}`) })))),
    body);
}

function reconcileTable(gaps) {
  if (gaps.length === 0) return el('p', { className: 'muted', textContent: t('dash.reconcile_none') });
  const body = el('tbody');
  for (const g of gaps) {
    body.append(el('tr', { className: g.difference === 0 ? '' : 'gap' },
      el('td', { textContent: g.site_code }),
      el('td', { textContent: formatDate(g.date) }),
      el('td', { className: 'num', textContent: formatNumber(g.tallied) }),
      el('td', { className: 'num', textContent: formatNumber(g.attended) }),
      el('td', { className: 'num', textContent: (g.difference > 0 ? '+' : '') + formatNumber(g.difference) })));
  }
  return el('table', { className: 'data', id: 'reconcile-table' },
    el('thead', {}, el('tr', {}, ...['site', 'date', 'tallied', 'attended', 'difference'].map((k) =>
      el('th', { className: ['site', 'date'].includes(k) ? '' : 'num', textContent: t(`dash.col_${k}`) })))),
    body);
}

/** The one-page briefing for officials, saved as PDF or PNG. */
function briefingSection(today) {
  const date = dateInput({ id: 'brief-date', value: today, required: true, label: t('dash.brief_date') });
  const language = el('select', { id: 'brief-lang' },
    el('option', { value: 'en', textContent: 'English', selected: lang() === 'en' }),
    el('option', { value: 'fr', textContent: 'Français', selected: lang() === 'fr' }));
  language.setAttribute('aria-label', t('dash.brief_lang'));
  const save = (ext) => async () => {
    if (!date.checkValidity()) return;
    try {
      const picked = await api.pickFile('save_briefing', t('dash.brief_title'), `briefing-${date.value}-${language.value}.${ext}`, ext);
      if (!picked) return;
      await api.writeBriefing({ date: date.value, lang: language.value }, picked.token);
      showNotice(t('dash.brief_saved', { path: picked.path }));
    } catch (err) {
      showError(err);
    }
  };
  const pdf = el('button', { id: 'brief-pdf', type: 'button', textContent: t('dash.brief_pdf') });
  const png = el('button', { id: 'brief-png', type: 'button', className: 'secondary', textContent: t('dash.brief_png') });
  pdf.onclick = save('pdf');
  png.onclick = save('png');
  return el('div', { className: 'inline-form briefing', id: 'briefing' },
    el('strong', { textContent: t('dash.brief_title') }), date, language, pdf, png,
    el('span', { className: 'muted small', textContent: t('dash.brief_hint') }));
}

export async function renderDashboard(root) {
  const today = appToday();
  if (!state.from) {
    state.from = addDays(today, -14);
    state.to = addDays(today, 27);
  }
  const request = () => ({ kind: state.kind, from: state.from, to: state.to, site: state.site || null, lang: lang() });
  // Tallies exist up to today: later days have nothing to reconcile (and
  // reading them cost the view thousands of site-days at province scale).
  const reconcileTo = () => (state.to < today ? state.to : today);
  const chartData = () => Promise.all([api.chartSvg(request()), api.reconcile(state.from, reconcileTo())]);
  // The first chart is asked for together with the figures: one round of IPC.
  const firstChart = chartData();
  firstChart.catch(() => {}); // reported when drawn
  let figures;
  try {
    figures = await api.doseFigures();
  } catch (err) {
    showError(err);
    return;
  }
  const rerender = () => renderDashboard(root);

  const kind = el('select', { id: 'chart-kind' },
    ...['daily', 'cumulative', 'sites'].map((k) => el('option', { value: k, textContent: t(`dash.kind_${k}`), selected: k === state.kind })));
  kind.setAttribute('aria-label', t('dash.kind'));
  // Any of the region's sites; empty means the whole region.
  const site = siteSearch({
    id: 'chart-site',
    value: state.site,
    placeholder: t('dash.all_sites'),
    label: t('dash.chart_site'),
    load: api.siteList,
    notListed: (code) => t('dash.site_not_listed', { code }),
    // Enter draws, as in the other fields.
    chosen: (_code, { enter }) => { if (enter) draw.click(); },
  });
  const from = dateInput({ id: 'chart-from', value: state.from, required: true, label: t('dash.from') });
  const to = dateInput({ id: 'chart-to', value: state.to, required: true, label: t('dash.to') });
  const draw = el('button', { id: 'chart-draw', type: 'submit', textContent: t('dash.draw') });
  const exportPng = el('button', { id: 'chart-png', type: 'button', className: 'secondary', textContent: t('dash.export_png') });
  const exportSvg = el('button', { id: 'chart-svg', type: 'button', className: 'secondary', textContent: t('dash.export_svg') });
  const controls = el('form', { className: 'inline-form', id: 'chart-controls' },
    kind, site.field, site.list, from, to, draw, exportPng, exportSvg);
  const box = el('div', { className: 'chart-box', id: 'chart' });
  const under = el('div', { id: 'chart-under' });
  const nothingNote = el('p', { id: 'chart-nothing', className: 'muted', textContent: t('dash.nothing_in_range'), hidden: true });
  const reconcile = el('div', { id: 'reconcile' });

  const drawChart = async (pending = null) => {
    state.kind = kind.value;
    // The site as listed (a code typed in any case, or a name), checked
    // when it changed; a site not listed is said on the field, not drawn.
    const named = site.field.value.trim() === state.site ? state.site : await site.code();
    if (named === null) return;
    state.site = named;
    state.from = from.value;
    state.to = to.value;
    try {
      const [chart, gaps] = await (pending ?? chartData());
      box.replaceChildren(parseSvg(chart.svg));
      box.dataset.kind = state.kind;
      if (chart.bars.length) attachHover(box, chart);
      // Nothing at all in the range (no doses, bookings or shifts): said in
      // words, not left to an empty plot.
      const nothing = chart.days.every((d) => !d.administered && !d.booked && !d.capacity);
      under.replaceChildren(...(chart.days.length
        ? [el('details', { open: false }, el('summary', { textContent: t('dash.numbers') }), daysTable(chart.days))] : []));
      nothingNote.hidden = !(state.kind === 'daily' && nothing);
      reconcile.replaceChildren(reconcileTable(gaps));
    } catch (err) {
      showError(err);
    }
  };
  controls.onsubmit = (event) => {
    event.preventDefault();
    drawChart();
  };
  const exportAs = async (ext) => {
    try {
      const picked = await api.pickFile('save_chart', t('dash.export_title'), `doses-${state.kind}-${state.from}-${state.to}.${ext}`, ext);
      if (!picked) return;
      await api.exportChart(request(), picked.token);
      showNotice(t('dash.exported', { path: picked.path }));
    } catch (err) {
      showError(err);
    }
  };
  exportPng.onclick = () => exportAs('png');
  exportSvg.onclick = () => exportAs('svg');

  const briefing = briefingSection(today);
  root.replaceChildren(
    el('h1', { textContent: t('dash.title') }),
    briefing,
    ...figuresSection(figures),
    flaggedSection(figures, rerender) ?? '',
    el('h2', { textContent: t('dash.chart') }),
    controls, nothingNote, box, under,
    el('h2', { textContent: t('dash.reconcile') }),
    el('p', { className: 'muted small', textContent: t('dash.reconcile_intro') }),
    reconcile);
  await drawChart(firstChart);
}
