/**
 * The script gate. `<script type="text/plain" data-category="analytics">` runs
 * once its category (every category, when it names several) is allowed: it is
 * re-created with every attribute copied, the CSP nonce included, and the
 * original's `data-type` (if any) as its type. Scripts run one after another in
 * document order, each at most once, and the same holds for scripts a
 * single-page app inserts later.
 */
import { allows } from "./state.js";

const SELECTOR = 'script[type="text/plain"][data-category]';
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

/** Start every gated script that is now allowed and has not run yet. */
export function activateScripts() {
  for (const script of document.querySelectorAll(SELECTOR)) {
    if (started.has(script) || !allows(script.dataset.category)) continue;
    started.add(script);
    queue = queue.then(() => run(script));
  }
}
