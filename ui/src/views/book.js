// Book a first dose; the shell reserves the linked second dose in the same
// transaction and reports where it went.
import * as api from '../api.js';
import { t, formatSlot, formatNumber } from '../i18n.js';
import { showError, hideError, showNotice } from '../components/job.js';
import { fillSiteSelects } from '../components/sites.js';
import { dateInput, slotInput } from '../components/date_input.js';
import { today } from '../dates.js';
import { personMatches, personName, activeFirstDose } from '../components/person_search.js';

function field(label, input) {
  const wrap = document.createElement('label');
  const text = document.createElement('span');
  text.textContent = label;
  wrap.append(text, input);
  return wrap;
}

function input(id, type = 'text', props = {}) {
  const el = document.createElement('input');
  Object.assign(el, { id, type, ...props });
  return el;
}

function select(id, options) {
  const el = document.createElement('select');
  el.id = id;
  for (const [value, label] of options) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    el.append(o);
  }
  return el;
}

const daysBetween = (a, b) => Math.round((Date.parse(b.slice(0, 10)) - Date.parse(a.slice(0, 10))) / 86400000);

export async function renderBook(root, links = {}) {
  const day = today();
  const form = document.createElement('form');
  form.className = 'form';
  form.id = 'book-form';
  // Someone already in the store is found, not typed again; someone new
  // gets an id made for them when booked.
  const findInput = input('book-find', 'search', { autocomplete: 'off', placeholder: t('book.find_hint') });
  const picked = document.createElement('p');
  picked.id = 'book-picked';
  picked.hidden = true;
  const person = input('book-person', 'text', { autocomplete: 'off', placeholder: t('book.person_new') });
  const birth = dateInput({ id: 'book-birth' });
  const phone = input('book-phone', 'tel');
  const given = input('book-given', 'text', { autocomplete: 'off' });
  const family = input('book-family', 'text', { autocomplete: 'off' });
  const language = select('book-language', [['', t('book.language_unknown')], ['en', t('book.language_en')], ['fr', t('book.language_fr')]]);
  const site = select('book-site', []);
  const slot = slotInput({ id: 'book-slot', required: true, value: `${day}T09:00` });
  // The store's products (a unit may add one, here or on another laptop).
  const product = select('book-product', [['PFIZER', 'Pfizer-BioNTech']]);
  api.productList().then((products) => {
    const chosen = product.value;
    product.replaceChildren(...products.map((p) => new Option(`${p.name} (${p.code})`, p.code)));
    if (products.some((p) => p.code === chosen)) product.value = chosen;
    product.dataset.loaded = 'true';
  }, showError);
  const secondSite = select('book-second-site', [['', t('book.same_site')]]);
  fillSiteSelects([site, secondSite]);
  const secondSlot = slotInput({ id: 'book-second-slot' });
  const submit = document.createElement('button');
  submit.type = 'submit';
  submit.id = 'book-submit';
  submit.textContent = t('book.submit');
  const result = document.createElement('p');
  result.id = 'book-result';
  result.className = 'result';
  // A full slot offers the free ones nearest it; one click takes one.
  const nearest = document.createElement('div');
  nearest.id = 'book-nearest';
  nearest.hidden = true;
  const offerNearest = async () => {
    let free;
    try {
      free = await api.nearestFreeSlots(site.value, slot.value.slice(0, 16));
    } catch {
      return;
    }
    const title = document.createElement('p');
    title.textContent = t(free.length ? 'book.nearest' : 'book.nearest_none');
    const buttons = free.map((f) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary small nearest-slot';
      b.textContent = t(f.distance_km == null ? 'book.nearest_here' : 'book.nearest_there', {
        site: f.site_code, slot: formatSlot(f.slot), free: formatNumber(f.free), km: formatNumber(f.distance_km ?? 0),
      });
      b.dataset.site = f.site_code;
      b.dataset.slot = f.slot;
      b.onclick = () => {
        site.value = f.site_code;
        slot.value = f.slot;
        nearest.hidden = true;
        submit.focus();
      };
      return b;
    });
    nearest.replaceChildren(title, ...buttons);
    nearest.hidden = false;
  };
  const fill = (p) => {
    person.value = p.person_id;
    given.value = p.given_name ?? '';
    family.value = p.family_name ?? '';
    language.value = ['en', 'fr'].includes(p.preferred_language) ? p.preferred_language : '';
    birth.value = p.birth_date ?? '';
    phone.value = p.phone ?? '';
    findInput.value = '';
    const first = activeFirstDose(p);
    picked.textContent = t('book.picked', { person: `${personName(p) || p.person_id} (${p.person_id})` })
      + (first ? ` ${t('book.picked_has_first', { site: first.site_code, slot: formatSlot(first.slot), status: t(`status.${first.status}`) })}` : '');
    picked.className = first ? 'warning' : 'muted';
    // Their bookings are a click away (to check or cancel before booking again).
    if (p.appointments.length && links.openBookings) {
      const open = document.createElement('button');
      open.type = 'button';
      open.id = 'book-open-bookings';
      open.className = 'link small';
      open.textContent = t('book.open_bookings');
      open.onclick = () => links.openBookings({ person: p.person_id });
      picked.append(' ', open);
    }
    picked.dataset.person = p.person_id;
    picked.hidden = false;
    site.focus();
  };
  const matches = personMatches(findInput, { id: 'book-find-results', onPick: fill });
  // Typing an id by hand leaves whoever was picked.
  person.addEventListener('input', () => { picked.hidden = true; });
  const finder = document.createElement('div');
  finder.className = 'book-finder';
  finder.append(field(t('book.find'), findInput), matches.list, picked);
  form.append(
    field(t('book.person'), person), field(t('book.given_name'), given), field(t('book.family_name'), family),
    field(t('book.language'), language), field(t('book.birth_date'), birth), field(t('book.phone'), phone),
    field(t('book.site'), site), field(t('book.slot'), slot), field(t('book.product'), product),
    field(t('book.second_site'), secondSite), field(t('book.second_slot'), secondSlot), submit,
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    hideError();
    result.textContent = '';
    nearest.hidden = true;
    submit.disabled = true;
    try {
      const booked = await api.bookFirstDose({
        person_id: person.value,
        birth_date: birth.value || null,
        phone: phone.value || null,
        given_name: given.value.trim() || null,
        family_name: family.value.trim() || null,
        preferred_language: language.value || null,
        site: site.value,
        slot: slot.value.slice(0, 16),
        product: product.value,
        second_site: secondSite.value || null,
        second_slot: secondSlot.value ? secondSlot.value.slice(0, 16) : null,
      });
      const who = [given.value.trim(), family.value.trim()].filter(Boolean).join(' ');
      result.textContent = t('book.done', {
        person: who ? `${who} (${booked.person_id})` : booked.person_id,
        site1: booked.first.site_code, slot1: formatSlot(booked.first.slot),
        site2: booked.second.site_code, slot2: formatSlot(booked.second.slot),
        days: daysBetween(booked.first.slot, booked.second.slot),
      });
      // Said plainly when the central copy could not check the places.
      if (booked.central.state === 'passed') result.textContent += ` ${t('book.central_passed')}`;
      if (booked.central.state === 'unreachable') result.textContent += ` ${t('book.central_unreachable')}`;
      result.dataset.central = booked.central.state;
      result.dataset.first = booked.first.slot;
      result.dataset.second = booked.second.slot;
      showNotice(result.textContent);
      // Ready for the next person: who they are goes; where and what stay.
      for (const f of [person, given, family, phone]) f.value = '';
      birth.value = '';
      language.value = '';
      secondSlot.value = '';
      picked.hidden = true;
      matches.clear();
      findInput.focus();
    } catch (err) {
      showError(err);
      if (err.code === 'slot_full') offerNearest();
    } finally {
      submit.disabled = false;
    }
  };
  const title = document.createElement('h1');
  title.textContent = t('book.title');
  const intro = document.createElement('p');
  intro.className = 'muted';
  intro.textContent = t('book.intro');
  root.replaceChildren(title, intro, finder, form, nearest, result);
}
