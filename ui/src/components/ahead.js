// The start-up banner: what the Checks find in the next 7 days from the
// app's today, so a manager sees an overbooked clinic day before it comes
// (in 2021 the double-booking was found too late), with the way to it.
import * as api from '../api.js';
import { t, formatNumber, formatDate } from '../i18n.js';
import { addDays, today } from '../dates.js';
import { el } from './dom.js';

let listening = false;
let dismissed = false;

/** The days the banner looks at: today and the 6 after it. */
export const aheadRange = () => ({ from: today(), to: addDays(today(), 6) });

/** Fills `banner` with the problems ahead, or hides it when there are none
 * (or the checks cannot run: the banner never stands in a view's way).
 * `openChecks(range)` opens the Checks on those days. */
export async function showAhead(banner, openChecks) {
  if (!listening) {
    listening = true;
    // Counted again after each change of bookings or shifts; a banner the
    // user closed stays closed.
    window.addEventListener(api.DATA_CHANGED, () => {
      if (!dismissed) showAhead(banner, openChecks);
      else api.slotChecks(aheadRange()).then(showCounts, () => showCounts(null));
    });
  }
  const range = aheadRange();
  let found;
  try {
    // The slots alone: the people's checks would scan every booking.
    found = await api.slotChecks(range);
  } catch {
    banner.hidden = true;
    showCounts(null);
    return;
  }
  showCounts(found);
  const slots = found.overbooked_slots;
  if (slots === 0) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const open = el('button', { id: 'ahead-open', className: 'secondary small', textContent: t('ahead.open') });
  open.onclick = () => openChecks(range);
  const close = el('button', { className: 'link', textContent: '×' });
  close.setAttribute('aria-label', t('ahead.dismiss'));
  close.onclick = () => { banner.hidden = true; dismissed = true; };
  banner.replaceChildren(
    el('span', {
      textContent: t(slots === 1 ? 'ahead.one_slot' : 'ahead.slots', {
        slots: formatNumber(slots),
        excess: formatNumber(found.excess_bookings),
        from: formatDate(range.from),
        to: formatDate(range.to),
      }),
    }),
    open, close);
  banner.hidden = false;
}

/** The menu's counts for the same 7 days: over-capacity slots on Checks,
 * bookings to move on the rebooking desk; none when there are none. */
function showCounts(found) {
  const set = (id, n, key) => {
    const badge = document.getElementById(id);
    if (!badge) return;
    badge.hidden = !n;
    badge.textContent = n ? formatNumber(n) : '';
    badge.title = n ? t(key, { n: formatNumber(n) }) : '';
    badge.dataset.count = n ?? 0;
  };
  set('nav-checks-count', found?.overbooked_slots, 'ahead.count_checks');
  set('nav-rebook-count', found?.excess_bookings, 'ahead.count_rebook');
}
