/**
 * The lazily loaded part (static/js/consent-dialog.js, built from later/): the
 * dialog's details, the visitor's-record actions and their styles. It is
 * fetched once the banner has shown and the page has loaded, or when the
 * visitor opens the dialog: a classic script with this tag's nonce, so that a
 * strict CSP lets it in as it let the tag in (no CORS needed, unlike a module).
 * It hands itself over through the script element made for it (no global), and
 * only when it was built with this first layer: a cached first layer never runs
 * a newer lazy part, nor the reverse. When it cannot be had (offline, blocked,
 * too slow), the promise gives nothing, the dialog opens without the details,
 * and the next call tries again.
 */
import { h } from "./dom.js";
import { button } from "./hooks.js";
import { drop } from "./receipts.js";
import { state } from "./state.js";
import { page } from "./tag.js";
import { adopt, announce } from "./ui.js";

/* global __LATER_PATH__, __LATER_ID__ */
const WAIT_MS = 2500;
let loading = null;

/** The lazy part's interface ({_add}), or undefined; `forget` is lent to it from visit.js. */
export function later(forget) {
  loading ||= new Promise((resolve) => {
    const done = () => resolve(script._part);
    const script = h("script", { src: new URL(__LATER_PATH__, page._src), nonce: page._nonce,
      onload: done, onerror: done });
    script._hand = (id, take) => {
      if (id === __LATER_ID__) script._part = take({ _h: h, _button: button, _state: state, _adopt: adopt,
        _announce: announce, _page: page, _drop: drop, _forget: forget });
    };
    setTimeout(done, WAIT_MS);
    document.head.append(script);
  }).then((part) => part || (loading = null));
  return loading;
}
