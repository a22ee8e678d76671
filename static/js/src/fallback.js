/**
 * The built-in configuration of the two-request tag (static/js/consent.js), taken
 * from data/ at build time (scripts/build-widget.mjs): the strictest region's
 * model and the English texts of the banner and of the dialog's frame. It is
 * shown when the service cannot be reached or answers nonsense, so that the
 * widget fails closed. The one-request tag has no need of it: its
 * configuration comes with the script.
 */
import { CATEGORIES } from "./catalog.js";

/* global __FALLBACK__ */
export function builtIn() {
  const { titles, ...config } = __FALLBACK__;
  return {
    ...config,
    categories: CATEGORIES.map((c, i) => ({ ...c, default: c.required, title: titles[i], cookies: [], services: [] })),
    gpc: { signal: false, categories: [] },
  };
}
