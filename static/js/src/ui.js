/**
 * The one Shadow DOM host that holds the banner, the dialog and a polite live
 * region: the page's CSS cannot reach in and ours cannot leak out. It is the
 * body's first child, so that keyboard users reach the banner first, although
 * it is drawn at the bottom of the screen. The styles are a constructable
 * stylesheet (not subject to a page's style-src CSP), which every browser the
 * build targets (Chrome 111, Firefox 113, Safari 16.4) has.
 */
import { h } from "./dom.js";

/* global __CSS__ */
const CSS = __CSS__;   // inlined by the build
let root, status;

export function uiRoot() {
  if (!root) {
    const host = h("div", { "data-cm-host": 1 });
    root = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(h("style", null, CSS));   // Safari < 16.4: a <style>, which a strict style-src CSP refuses
    }
    root.append(status = h("p", { class: "vh", role: "status" }));
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
