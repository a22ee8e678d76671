/**
 * The widget's entry point: it only wires the modules to the consent state and
 * exposes `window.ConsentManager`. Everything runs through `guard`, so the
 * widget never throws into the host page.
 */
import { hideBanner } from "./banner.js";
import { OPTIONAL } from "./catalog.js";
import { clearCookies, writeConsent } from "./cookies.js";
import { pushDefaults, pushUpdate } from "./consent-mode.js";
import { openGates } from "./gate.js";
import { guard } from "./guard.js";
import { closePreferences } from "./preferences.js";
import { flush, send } from "./receipts.js";
import { CHOICE, state, watch } from "./state.js";
import { page, readTag } from "./tag.js";
import { announce, bodyArrived } from "./ui.js";
import { afterLoad, all, choose, showPreferences, start } from "./visit.js";

const listeners = new Set();
const allowOne = (id) => choose({ ...state._choices, [id]: true }, "custom");  // a placeholder's button

/** The visitor's choice as ConsentManager.get() and the receipt show it. */
function describe() {
  const record = state._record;
  return record && {
    consent_id: record._id,
    revision: record._rev,
    choices: Object.fromEntries(OPTIONAL.map((id) => [id, state._choices[id]])),
    method: record._method,
    gpc: record._gpc,
  };
}

function receipt() {
  const { lang, config_hash } = state._config;
  // Without a hash the service records the banner it would have shown: the built-in one has none.
  return { ...describe(), lang, page: (location.origin + location.pathname).slice(0, 2048), config_hash };
}

guard(() => {
  if (window.ConsentManager) return;   // the tag was included twice
  pushDefaults();
  readTag();

  watch(() => pushUpdate(state._choices, state._record?._method));
  watch(() => openGates(allowOne));
  watch((how) => {
    const { categories, lifetime_days } = state._config;
    if (how === CHOICE) writeConsent(state._record, state._choices, lifetime_days);
    clearCookies(categories.filter((c) => !state._choices[c.id]).flatMap((c) => c.cookies));
  });
  watch((how) => {
    if (how !== CHOICE) return;
    hideBanner();
    closePreferences();
    announce(state._config.texts.dialog_saved);
    send(receipt());
  });
  watch(() => {
    const detail = { ...describe(), choices: { ...state._choices } };
    for (const listener of listeners) guard(listener)(detail);
    document.dispatchEvent(new CustomEvent("cm:change", { detail }));
  });

  const api = {
    get: describe,
    has: (category) => !!state._choices[category],
    on(type, listener) {
      if (type === "change") listeners.add(listener);
      return () => listeners.delete(listener);
    },
    show: showPreferences,
    acceptAll: () => choose(all(true), "accept_all"),
    rejectAll: () => choose(all(false), "reject_all"),
    // Only `true` allows: set({analytics: "yes"}) denies.
    set: (choices) => choose({ ...state._choices, ...choices }, "custom"),
    withdraw: () => choose(all(false), "withdraw"),
  };
  for (const name in api) api[name] = guard(api[name]);
  window.ConsentManager = api;

  // "Cookie settings" links, including those added later.
  document.addEventListener("click", guard((event) => {
    if (!event.target.closest?.("[data-cm-open]")) return;
    event.preventDefault();
    showPreferences();
  }));
  // Everything the parser or a single-page app adds: gated tags and frames, and the body.
  new MutationObserver(guard(() => {
    bodyArrived();
    openGates(allowOne);
  })).observe(document.documentElement, { childList: true, subtree: true });

  start();
  // What an earlier page could not deliver: only after a choice was stored can anything wait
  // (a first visit does not touch localStorage, whose first use is slow).
  if (state._record) afterLoad(flush);
})();
