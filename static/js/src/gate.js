/**
 * The gate, over every element that names its categories in `data-category`
 * (every category it names must be allowed; unknown names never are):
 * - `<script type="text/plain">` runs once allowed: it is re-created with every
 *   attribute copied, the CSP nonce included, and the original's `data-type` (if
 *   any) as its type. Scripts run one after another in document order, each at
 *   most once;
 * - `<iframe data-src>` loads while allowed (frames.js).
 * The same holds for elements the parser or a single-page app adds later.
 */
import { syncFrame } from "./frames.js";
import { allows, state } from "./state.js";

/* global __EMBEDDED__ */
const GATED = 'script[type="text/plain"][data-category],iframe[data-category][data-src]';
const started = new WeakSet();
let queue = Promise.resolve();

function run(original) {
  return new Promise((done) => {
    if (!original.isConnected) return done();
    const script = document.createElement("script");
    for (const { name, value } of original.attributes) script.setAttribute(name, value);
    // Once a CSP applies, the nonce attribute reads as empty; the property keeps it.
    script.nonce = original.nonce;
    // An empty type is a classic script, as if there were none.
    script.type = original.dataset.type || "";
    // A src script's own text is ignored, and only it fires load or error: an inline one has run on insertion.
    script.onload = script.onerror = done;
    script.text = original.text;
    original.replaceWith(script);
    if (!script.src) done();
  });
}

/** Start every allowed script that has not run yet; load or hold back every frame. `allow(id)`: a placeholder's button. */
export function openGates(allow) {
  // (Until the two-request tag's configuration decided, frames keep neither content nor placeholder.)
  if (!__EMBEDDED__ && !state._known) return;
  for (const el of document.querySelectorAll(GATED)) {
    const allowed = allows(el.dataset.category);
    if (el.tagName === "IFRAME") {
      syncFrame(el, allowed, allow);
    } else if (allowed && !started.has(el)) {
      started.add(el);
      queue = queue.then(() => run(el));
    }
  }
}
