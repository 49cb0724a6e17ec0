// A date field in the app's language, replacing <input type="date">, which
// WebKit draws in the computer's format (03/23/2021 in a French app) and
// which is awkward to type into. It shows "Tue 23 Mar 2021" / "mar. 23 mars
// 2021", accepts what people type (date_text.js), and steps a day with the
// Up and Down arrows.
//
// Its `value` is the day as `YYYY-MM-DD` ('' while what is typed is not a
// date), read and written like a native date input's, so forms and tests
// use it unchanged. A typed date that is not one blocks the form with a
// message saying why. Times (timeInput) and booking slots (slotInput) work
// the same way.
import { t, lang } from '../i18n.js';
import { today, addDays } from '../dates.js';
import { formatDateIn, parseDateText, parseTimeText } from '../date_text.js';
import { el } from './dom.js';
import { markInvalid, sayWhyRefused } from './job.js';

const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');

/**
 * A text field whose `value` is what `parse` reads from the typed text
 * (the native value stays the text): `parse(text)` → `{ value }` or
 * `{ error }`; `show(value)` is the text for a value; `problem(typed,
 * error)` the message for text that is not one; `missing` the message for
 * an empty required field. Shared by the date and time fields.
 */
function typedField(attrs, { label, className, parse, show, problem, missing }) {
  const input = el('input', { ...attrs, type: 'text', className, autocomplete: 'off', spellcheck: false });
  if (label) input.setAttribute('aria-label', label);
  const text = () => nativeValue.get.call(input);
  const judge = () => {
    const read = parse(text());
    const typed = text().trim();
    let message = '';
    if (typed && read.value === undefined) message = problem(typed, read);
    else if (!typed && input.required) message = missing;
    markInvalid(input, message);
    return read;
  };
  Object.defineProperty(input, 'value', {
    get: () => parse(text()).value ?? '',
    set: (value) => {
      nativeValue.set.call(input, value ? show(value) : '');
      judge();
    },
  });
  input.addEventListener('input', judge);
  // Once committed (Enter or leaving the field), the value is shown the one
  // way: "24/03" becomes "mer. 24 mars 2021", so a misreading shows.
  input.addEventListener('change', () => {
    const read = judge();
    if (read.value !== undefined) nativeValue.set.call(input, show(read.value));
  });
  // The form refuses to send; the message says why, in words.
  sayWhyRefused(input);
  return input;
}

/** `props` as for `el('input', …)`: id, required, value (`YYYY-MM-DD`);
 * `label` names a field that has no <label> of its own. */
export function dateInput({ value = '', label = null, ...props }) {
  const parse = (text) => {
    const read = parseDateText(text, lang(), Number(today().slice(0, 4)));
    return read.iso ? { value: read.iso } : read;
  };
  const input = typedField(
    { ...props, placeholder: t('date.placeholder'), title: t('date.how_to_type') },
    {
      label,
      className: 'date-input',
      parse,
      show: (iso) => formatDateIn(lang(), iso),
      problem: dateProblem,
      missing: t('date.missing'),
    },
  );
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const iso = input.value;
    input.value = iso ? addDays(iso, event.key === 'ArrowUp' ? 1 : -1) : today();
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  input.value = value;
  return input;
}

function dateProblem(typed, { error, readings }) {
  if (error === 'ambiguous') {
    const [first, second] = readings.map((iso) => formatDateIn(lang(), iso));
    return t('date.ambiguous', { text: typed, first, second });
  }
  return t(error === 'no_such_day' ? 'date.no_such_day' : 'date.unreadable', { text: typed });
}

/** A time of day on the 24-hour clock ("09:00"; "9", "9h30" and "14 h"
 * are read too), replacing <input type="time">, which WebKit draws as
 * "09:00 AM" whatever the app's language. `value` is `HH:MM` or ''. */
export function timeInput({ value = '', label = null, ...props }) {
  const input = typedField(
    { ...props, inputMode: 'numeric', placeholder: '09:00' },
    {
      label,
      className: 'time-input',
      parse: (text) => {
        const hhmm = parseTimeText(text);
        return hhmm ? { value: hhmm } : {};
      },
      show: (hhmm) => hhmm,
      problem: (typed) => t('date.bad_time', { text: typed }),
      missing: t('date.missing_time'),
    },
  );
  input.value = value;
  return input;
}

/** A booking slot: a date field and a time field side by side, whose
 * `value` is `YYYY-MM-DDTHH:MM` ('' until both are filled), as a native
 * datetime-local input's. `id` names the pair; the fields are `id-date`
 * and `id-time`. */
export function slotInput({ id, value = '', required = false }) {
  const date = dateInput({ id: `${id}-date`, required, label: t('date.slot_day') });
  const time = timeInput({ id: `${id}-time`, required, label: t('date.slot_time') });
  const pair = el('span', { id, className: 'slot-input' }, date, time);
  Object.defineProperty(pair, 'value', {
    get: () => (date.value && time.value ? `${date.value}T${time.value}` : ''),
    set: (slot) => {
      date.value = slot ? slot.slice(0, 10) : '';
      time.value = slot ? slot.slice(11, 16) : '';
    },
  });
  // An optional slot is given whole or not at all: a day without its time
  // must not quietly become "the first free slot".
  if (!required) {
    const typed = (input) => nativeValue.get.call(input).trim() !== '';
    const wholeOrNothing = () => {
      const any = typed(date) || typed(time);
      for (const input of [date, time]) {
        if (input.required !== any) {
          input.required = any;
          input.dispatchEvent(new Event('input'));
        }
      }
    };
    for (const input of [date, time]) {
      input.addEventListener('input', wholeOrNothing);
      input.addEventListener('change', wholeOrNothing);
    }
  }
  pair.value = value;
  return pair;
}
