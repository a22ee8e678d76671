// Tables: the figures behind the region chart, and the access log. Built with DOM calls, never
// innerHTML: site and region names come from visitors' requests.

import { METHODS, count, percent } from './format.js';

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function fill(tbody, rows, emptyText, columns) {
  const cells = rows.map((row) => {
    const tr = document.createElement('tr');
    tr.append(...row);
    return tr;
  });
  if (!cells.length) {
    const tr = document.createElement('tr');
    const td = cell('td', emptyText, 'empty');
    td.colSpan = columns;
    tr.append(td);
    cells.push(tr);
  }
  tbody.replaceChildren(...cells);
}

/** categories: [{id, title}], the columns the page's header names, in its order. */
export function showRegionTable(table, byRegion, regionNames, categories) {
  const rows = [...byRegion.rows].sort((a, b) => b.answered - a.answered).map((row) => [
    cell('th', regionNames[row.region] || row.region),
    cell('td', row.region),
    cell('td', count(row.answered), 'number'),
    ...METHODS.map((method) => cell('td', count(row[method]), 'number')),
    ...categories.map(({ id }) => cell('td', percent(row.opt_in_rate[id]), 'number')),
  ]);
  rows.forEach((row) => row[0].setAttribute('scope', 'row'));
  fill(table.tBodies[0], rows, 'No answers in this range.', 3 + METHODS.length + categories.length);
}

export function showAccessLog(table, entries) {
  const rows = entries.map((entry) => [
    cell('td', entry.at.replace('T', ' ').replace('Z', '')),
    cell('td', entry.who),
    cell('td', entry.via),
    cell('td', `${entry.action} (${entry.params.format})`),
    cell('td', `${entry.params.from} – ${entry.params.to}`),
    cell('td', entry.finished_at ? count(entry.rows) : 'unfinished', 'number'),
  ]);
  fill(table.tBodies[0], rows, 'Nothing exported yet.', 6);
}
