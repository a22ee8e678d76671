/**
 * Building the widget's elements inside a Shadow DOM: the page's CSS cannot
 * reach in and ours cannot leak out. The styles are one constructable
 * stylesheet (not subject to a page's style-src CSP), shared by every root.
 */
import { guard } from "./guard.js";

/* global __CSS__ */
const CSS = __CSS__;   // inlined once by the build
let sheet;

/** h("button", {class: "x", onclick: fn}, "text", child) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (key.startsWith("on")) el.addEventListener(key.slice(2), guard(value));
    else if (value || value === 0) el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter(Boolean));
  return el;
}

/** A host element with an open shadow root holding the widget's styles. */
export function shadowHost() {
  const host = document.createElement("div");
  host.setAttribute("data-cm-host", "");
  const root = host.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in root) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(h("style", null, CSS));   // older browsers: a <style> (needs style-src under CSP)
  }
  return [host, root];
}
