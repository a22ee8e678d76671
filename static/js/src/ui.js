/**
 * The one Shadow DOM host that holds the banner, the dialog and a polite live
 * region: the page's CSS cannot reach in and ours cannot leak out. It is the
 * body's first child, so that keyboard users reach the banner first, although
 * it is drawn at the bottom of the screen. The styles are constructable
 * stylesheets (not subject to a page's style-src CSP), which every browser the
 * build targets (Chrome 111, Firefox 113, Safari 16.4) has.
 */
import { h } from "./dom.js";
import { ACTION, HOST } from "./hooks.js";
import { state } from "./state.js";

/* global __CSS__ */
let root, status;
const waiting = [];

/** Add a stylesheet to the shadow root: the first layer's now, the dialog's details when they come. */
export function adopt(css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.append(h("style", null, css));   // Safari < 16.4: a <style>, which a strict style-src CSP refuses
  }
}

export function uiRoot() {
  if (!root) {
    const host = h("div", { [HOST]: 1 });
    root = host.attachShadow({ mode: "open" });
    adopt(__CSS__);   // inlined by the build
    root.append(status = h("p", { class: "vh", role: "status" }));
    document.body.prepend(host);
  }
  return root;
}

/** A button for `action` (its hook), labelled with the configuration's text of that name; never a submit button. */
export const button = (action, onclick) =>
  h("button", { type: "button", [ACTION]: action, onclick }, state._config.texts[action]);

/** Tell screen reader users what happened ("Your choices have been saved."). */
export function announce(text) {
  if (status) status.textContent = text;
}

/**
 * Run once the body exists (the widget itself runs in <head>). The page's
 * observer (index.js) calls bodyArrived as soon as the parser adds <body>, so
 * that the banner need not wait for the rest of a long page to be parsed.
 */
export function whenBody(fn) {
  if (document.body) fn();
  else waiting.push(fn);
}

export function bodyArrived() {
  if (document.body) for (const fn of waiting.splice(0)) fn();
}
