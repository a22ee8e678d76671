/**
 * The one Shadow DOM host that holds the banner, the dialog and a polite live
 * region. It is the body's first child, so that keyboard users reach the
 * banner first, although it is drawn at the bottom of the screen.
 */
import { h, shadowHost } from "./dom.js";

let root, status;

export function uiRoot() {
  if (!root) {
    const [host, shadow] = shadowHost();
    root = shadow;
    status = h("p", { class: "vh", role: "status" });
    root.append(status);
    document.body.prepend(host);
  }
  return root;
}

/** Tell screen reader users what happened ("Your choices have been saved."). */
export function announce(text) {
  if (status) status.textContent = text;
}

/** Run once the body exists (the widget itself runs in <head>). */
export function whenBody(fn) {
  if (document.body) fn();
  else document.addEventListener("DOMContentLoaded", fn, { once: true });
}
