// A data table sorted by clicking a column header (again to reverse).
// columns: [{ label, value(row), format?(value), num? }]; empty values sort last.
import { el } from './dom.js';

export function sortableTable(id, columns, rows, keyOf) {
  const table = el('table', { className: 'data sortable', id });
  const body = el('tbody');
  const sort = { column: -1, dir: 1 };
  const fill = () => {
    const ordered = [...rows];
    if (sort.column >= 0) {
      const value = columns[sort.column].value;
      ordered.sort((a, b) => compare(value(a), value(b), sort.dir));
    }
    body.replaceChildren(...ordered.map((row) => {
      const tr = el('tr', {}, ...columns.map((c) => {
        const v = c.value(row);
        return el('td', { className: c.num ? 'num' : '', textContent: c.format ? c.format(v) : String(v ?? '') });
      }));
      tr.dataset.key = keyOf(row);
      return tr;
    }));
  };
  const headers = columns.map((c, i) => {
    const th = el('th', { className: c.num ? 'num' : '', textContent: c.label, tabIndex: 0 });
    const click = () => {
      sort.dir = sort.column === i ? -sort.dir : 1;
      sort.column = i;
      for (const h of headers) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      fill();
    };
    th.onclick = click;
    th.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); click(); } };
    return th;
  });
  table.append(el('thead', {}, el('tr', {}, ...headers)), body);
  fill();
  return table;
}

function compare(a, b, dir) {
  const empty = (v) => v === null || v === undefined || v === '';
  if (empty(a) || empty(b)) return empty(a) - empty(b);
  if (typeof a === 'number' && typeof b === 'number') return dir * (a - b);
  return dir * String(a).localeCompare(String(b), undefined, { numeric: true });
}
