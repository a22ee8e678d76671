/**
 * The visitor's consent as one object with observers. The script gate, Consent
 * Mode, the cookie, the receipt sender, the UI and the public events are each
 * a watcher; none of them knows about the others.
 */
import { CATEGORIES } from "./catalog.js";
import { guard } from "./guard.js";

/* global __EMBEDDED__ */

/** How a state came about: read from the cookie, the region's default, or the visitor's choice. */
export const STORED = 0, DEFAULT = 1, CHOICE = 2;

/** Allowed categories from any {id: bool} object; required ones are always on. */
export const normalise = (given) =>
  Object.fromEntries(CATEGORIES.map((c) => [c.id, c.required || given[c.id] === true]));

export const state = {
  _choices: normalise({}), // category id -> allowed, for every category the widget knows
  // (unset until known, for size:)
  // _record   the visitor's choice: {_id, _rev, _method, _time, _gpc, _optOut}
  // _config   what the banner shows: with the script, fetched, or built in
  // _known    true once a stored choice, a config or the fallback decided (two-request tag)
};
const watchers = [];

export const watch = (fn) => watchers.push(guard(fn));

/** Allowed when every category the element names is allowed; unknown names never are. */
export const allows = (names) =>
  !!names && names.split(/\s+/).every((id) => state._choices[id]);

export function apply(choices, how, record) {
  state._choices = normalise(choices);
  if (!__EMBEDDED__) state._known = true;   // (the one-request tag knows from the start)
  if (record) state._record = record;
  for (const watcher of watchers) watcher(how);
}
