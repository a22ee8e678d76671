/**
 * Google Consent Mode v2: everything but security and functionality storage is
 * denied before any tag can run, then updated from the visitor's choice, with a
 * `cm_consent_update` event so that Tag Manager triggers can follow.
 */
import { CATEGORIES } from "./catalog.js";

// gtag.js and Tag Manager read the arguments object itself, not an array.
function gtag() {
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

const types = (categories, allowed) => {
  const out = {};
  for (const c of categories) for (const type of c.consent_mode) out[type] = allowed(c) ? "granted" : "denied";
  return out;
};

/** Synchronously, before any gated tag: the waiting denied defaults. */
export function pushDefaults() {
  gtag("consent", "default", { ...types(CATEGORIES, (c) => c.required), wait_for_update: 500 });
}

export function pushUpdate(choices, method) {
  gtag("consent", "update", types(CATEGORIES, (c) => choices[c.id]));
  window.dataLayer.push({ event: "cm_consent_update", cm_choices: { ...choices }, cm_method: method || null });
}
