// Find a person already in the store from the start of their id or name
// (given, family, either order; any case, accents or not): the Book and
// Bookings views. Searches a moment after typing stops; each match is a
// button that picks the person.
import * as api from '../api.js';
import { t, formatDate, formatSlot } from '../i18n.js';
import { el } from './dom.js';
import { errorNodes } from './job.js';

// As core's booking::MIN_SEARCH: one letter would match a twentieth of a province.
const MIN_SEARCH = 2;
const PAUSE_MS = 250;

export const personName = (p) => [p.given_name, p.family_name].filter(Boolean).join(' ');

/** "Gagné, Marie": how a list of people reads (family name first). */
const listedName = (p) => [p.family_name, p.given_name].filter(Boolean).join(', ');

/** The first dose a person holds (booked or given), if any. */
export const activeFirstDose = (p) =>
  p.appointments.find((a) => a.dose_number === 1 && (a.status === 'booked' || a.status === 'attended'));

function matchButton(p, onPick) {
  const details = [p.person_id];
  if (p.birth_date) details.push(t('find.born', { date: formatDate(p.birth_date) }));
  if (p.phone) details.push(p.phone);
  const doses = p.appointments
    .filter((a) => a.status === 'booked' || a.status === 'attended')
    .map((a) => t('find.dose', { n: a.dose_number, site: a.site_code, slot: formatSlot(a.slot), status: t(`status.${a.status}`) }));
  const button = el('button', { type: 'button', className: 'person-match' },
    el('strong', { textContent: listedName(p) || t('find.no_name') }),
    el('span', { className: 'muted', textContent: details.join(' · ') }),
    el('span', { className: 'small', textContent: doses.length ? doses.join(' · ') : t('find.no_doses') }));
  button.dataset.person = p.person_id;
  button.onclick = () => onPick(p);
  return button;
}

/**
 * Watches `input` and lists the people it finds in the returned element
 * (`id`); `onPick(person)` gets the one clicked. `search()` searches at
 * once (a form's submit) and returns what it found; `clear()` empties it.
 */
export function personMatches(input, { id, onPick }) {
  const list = el('div', { id, className: 'person-matches', hidden: true });
  list.setAttribute('aria-live', 'polite');
  let timer = 0;
  let asked = 0;
  const clear = () => {
    asked += 1; // an answer still on its way is dropped
    list.hidden = true;
    list.replaceChildren();
  };
  const show = (...children) => {
    list.replaceChildren(...children);
    list.hidden = false;
  };
  const pick = (p) => { clear(); onPick(p); };
  // Lists what the text finds, and returns it (null: too short or refused).
  const search = async () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < MIN_SEARCH) {
      clear();
      return null;
    }
    const ticket = ++asked;
    let found;
    try {
      found = await api.findPeople(text);
    } catch (err) {
      if (ticket === asked) show(el('p', { className: 'muted' }, ...errorNodes(err)));
      return null;
    }
    if (ticket !== asked) return null; // a later keystroke's answer wins
    list.dataset.text = text;
    if (!found.people.length) show(el('p', { className: 'muted none', textContent: t('find.none', { text }) }));
    else {
      const buttons = found.people.map((p) => matchButton(p, pick));
      if (found.more) buttons.push(el('p', { className: 'muted more', textContent: t('find.more') }));
      show(...buttons);
    }
    return found;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, PAUSE_MS);
  });
  return { list, clear, search, pick };
}
