/**
 * Gated iframes: `<iframe data-category="personalization" data-src="...">` gets
 * its src only while the category is allowed. While it is denied, a
 * placeholder (`<div class="cm-placeholder">`, page markup the site may style)
 * says why and offers a button that allows the category; a later withdrawal
 * unloads the frame again.
 */
import { h } from "./dom.js";
import { state } from "./state.js";
import { button } from "./ui.js";

const placeholders = new WeakMap();

function placeholder(frame, allow) {
  const id = frame.dataset.category.split(/\s+/)[0];
  const { texts, categories, lang } = state._config;
  const title = categories.find((c) => c.id === id)?.title || id;
  return h("div", { class: "cm-placeholder", lang },
    h("p", null, texts.dialog_placeholder.replace("{category}", title)),
    button("load_content", () => allow(id)));
}

/** Load an allowed frame, hold back a denied one behind a placeholder. */
export function syncFrame(frame, allowed, allow) {
  const shown = placeholders.get(frame);
  if (allowed) {
    if (frame.getAttribute("src") !== frame.dataset.src) frame.src = frame.dataset.src;
    frame.style.removeProperty("display");
    shown?.remove();
    placeholders.delete(frame);
  } else if (!shown) {
    if (frame.hasAttribute("src")) frame.src = "about:blank";
    frame.style.setProperty("display", "none", "important");
    const host = placeholder(frame, allow);
    frame.before(host);
    placeholders.set(frame, host);
  }
}
