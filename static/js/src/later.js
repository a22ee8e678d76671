/**
 * The one-request tag's lazily loaded part, static/js/consent-dialog.js: the
 * preference dialog with the visitor's-record actions and its styles
 * (./dialog/). It is fetched once the banner has shown and the page has
 * loaded, or when the visitor opens the dialog: a classic script with this
 * tag's nonce, so that a strict CSP lets it in as it let the tag in (no CORS
 * needed, unlike a module). It hands itself over through the script element
 * made for it (no global), and only when it was built with this first layer: a
 * cached first layer never runs a newer lazy part, nor the reverse. When it
 * cannot be had (offline, blocked, too slow), the promise gives nothing and the
 * next call tries again.
 */
import { writeConsent } from "./cookies.js";
import { h } from "./dom.js";
import { drop } from "./receipts.js";
import { apply, state } from "./state.js";
import { page } from "./tag.js";
import { adopt, announce, button, uiRoot } from "./ui.js";
import { ask } from "./visit.js";

/* global __LATER_PATH__, __LATER_ID__ */
const WAIT_MS = 2500;
let loading = null;

const url = () => page._origin + __LATER_PATH__;   // (an absolute path)

/**
 * Download it ahead, idle after the banner shows, without running it: the HTTP cache keeps it
 * (immutable) for the moment the visitor opens the dialog, which then only compiles it.
 */
export const prefetch = () => fetch(url(), { mode: "no-cors" }).catch(() => {});

/** The dialog's {_open, _close}, or nothing. */
export function later() {
  loading ||= new Promise((resolve) => {
    const done = () => resolve(script._part);
    const script = h("script", { src: url(), nonce: page._nonce, onload: done, onerror: done });
    script._hand = (id, take) => {
      // What the dialog borrows from this first layer: the names of dialog/borrowed.js.
      if (id === __LATER_ID__) script._part = take({ _h: h, _button: button, _drop: drop, _state: state,
        _apply: apply, _writeConsent: writeConsent, _page: page, _adopt: adopt, _announce: announce,
        _uiRoot: uiRoot, _ask: ask });
    };
    setTimeout(done, WAIT_MS);
    document.head.append(script);
  }).then((part) => part || (loading = null));
  return loading;
}
