// The line under a planner's figures saying what is known of its plan:
// proven the best possible, at most some gap short of it (the search
// stopped at its time limit, or when the person pressed Cancel), or not known.
import { t, formatGap } from '../i18n.js';
import { el } from './dom.js';

/** plan: {gap, cancelled} as core reports them; prefix: the view's strings ('planner' or 'siting'). */
export function qualityLine(id, prefix, { gap, cancelled }, vars = {}) {
  const known = gap !== null && gap !== undefined;
  const key = !known
    ? (cancelled ? 'quality_unknown_cancelled' : 'quality_unknown')
    : gap <= 0
      ? 'quality_optimal'
      : (cancelled ? 'quality_gap_cancelled' : 'quality_gap');
  const text = t(`${prefix}.${key}`, known ? { ...vars, gap: formatGap(gap) } : vars);
  const line = el('p', { id, className: 'muted', textContent: text });
  line.dataset.gap = gap ?? '';
  line.dataset.cancelled = cancelled ? 'true' : 'false';
  return line;
}
